/**
 * Weight packing: a `[K, N]` matrix cut into panels of `nr` columns (k-major,
 * zero-padded past N), and the Winograd F(2x2, 3x3) transforms of a 3x3
 * kernel packed the same way. The TypeScript side copies the weights in, a
 * block of rows at a time, and calls these once per block; a weight array
 * of hundreds of megabytes is packed at the speed of a copy instead of one
 * float at a time in JavaScript.
 */

/**
 * Rows `[r0, r0 + rows)` of a `[kDim, n]` matrix, held row-major at `src`
 * (the block's first row first), written into their places in the panels
 * at `dst`: panel `p` holds columns `[p * nr, p * nr + nr)` as `kDim` rows
 * of `nr` floats. Columns past `n` in the last panel are written as 0.
 */
export function packPanelRows(src: usize, dst: usize, r0: i32, rows: i32, kDim: i32, n: i32, nr: i32): void {
  // Panel by panel, so that the block's rows land as one contiguous run in each panel.
  const panels = (n + nr - 1) / nr;
  const rowBytes: usize = <usize>nr * 4;
  const srcRow: usize = <usize>n * 4;
  for (let p = 0; p < panels; p++) {
    let o: usize = dst + (<usize>p * <usize>kDim + <usize>r0) * rowBytes;
    let s: usize = src + <usize>p * rowBytes;
    const width = min(nr, n - p * nr);
    if (width == 8 && nr == 8) {
      for (let r = 0; r < rows; r++, o += 32, s += srcRow) {
        v128.store(o, v128.load(s));
        v128.store(o, v128.load(s, 16), 16);
      }
    } else {
      for (let r = 0; r < rows; r++, o += rowBytes, s += srcRow) {
        for (let j = 0; j < nr; j++) store<f32>(o + <usize>j * 4, j < width ? load<f32>(s + <usize>j * 4) : 0);
      }
    }
  }
}

/**
 * Input channels `[ci0, ci0 + cis)` of a 3x3 kernel `[3, 3, cin, cout]`,
 * held at `src` as 9 blocks (one per tap) of `cis * cout` floats, turned
 * into `U = G g Gt` for each (input channel, filter) pair and stored into
 * the 16 packed `[cin, cout]` matrices at `dst`, `per` floats apart. Each
 * value is computed in float64 and rounded once, as the reference does.
 */
export function winogradPackChannels(src: usize, dst: usize, ci0: i32, cis: i32, cin: i32, cout: i32, nr: i32, per: i32): void {
  const tap: usize = <usize>cis * <usize>cout * 4;
  const perBytes: usize = <usize>per * 4;
  // Panel by panel, then channel by channel: each of the 16 matrices is written as one contiguous
  // run per panel, where filter-major order scattered 32-byte pieces over thousands of pages.
  for (let co0 = 0; co0 < cout; co0 += nr) {
    const width = min(nr, cout - co0);
    for (let c = 0; c < cis; c++) {
      const ci = ci0 + c;
      for (let j = 0; j < width; j++) {
        const co = co0 + j;
        const g: usize = src + (<usize>c * <usize>cout + <usize>co) * 4;
        const o: usize = dst + <usize>((co / nr) * cin * nr + ci * nr + j) * 4;
        // G g: rows g0, (g0 + g1 + g2) / 2, (g0 - g1 + g2) / 2, g2, column by column.
        const a0 = <f64>load<f32>(g);
        const a1 = <f64>load<f32>(g + tap);
        const a2 = <f64>load<f32>(g + 2 * tap);
        const b0 = <f64>load<f32>(g + 3 * tap);
        const b1 = <f64>load<f32>(g + 4 * tap);
        const b2 = <f64>load<f32>(g + 5 * tap);
        const d0 = <f64>load<f32>(g + 6 * tap);
        const d1 = <f64>load<f32>(g + 7 * tap);
        const d2 = <f64>load<f32>(g + 8 * tap);
        // Row r of G g is (x0, x1, x2) below; (G g) Gt transforms each row the same way.
        store4(o, perBytes, 0, a0, a1, a2);
        store4(o, perBytes, 1, (a0 + b0 + d0) / 2, (a1 + b1 + d1) / 2, (a2 + b2 + d2) / 2);
        store4(o, perBytes, 2, (a0 - b0 + d0) / 2, (a1 - b1 + d1) / 2, (a2 - b2 + d2) / 2);
        store4(o, perBytes, 3, d0, d1, d2);
      }
    }
  }
}

@inline
function store4(o: usize, perBytes: usize, r: i32, a: f64, b: f64, d: f64): void {
  const at: usize = o + <usize>(4 * r) * perBytes;
  store<f32>(at, <f32>a);
  store<f32>(at + perBytes, <f32>((a + b + d) / 2));
  store<f32>(at + 2 * perBytes, <f32>((a - b + d) / 2));
  store<f32>(at + 3 * perBytes, <f32>d);
}

/**
 * Input channels `[ci0, ci0 + cis)` of a 3x3 kernel `[3, 3, cin, cout]`, laid
 * out as for {@link winogradPackChannels}, turned into the Winograd F(4x4,
 * 3x3) transforms `U = G g Gt` (6x6, interpolation points 0, 1, -1, 1/2,
 * -2 and infinity) and stored into the 36 packed `[cin, cout]` matrices at
 * `dst`, `per` floats apart. Each value is computed in float64 and rounded
 * once.
 */
export function winograd4PackChannels(src: usize, dst: usize, ci0: i32, cis: i32, cin: i32, cout: i32, nr: i32, per: i32): void {
  const tap: usize = <usize>cis * <usize>cout * 4;
  const perBytes: usize = <usize>per * 4;
  for (let co0 = 0; co0 < cout; co0 += nr) {
    const width = min(nr, cout - co0);
    for (let c = 0; c < cis; c++) {
      const ci = ci0 + c;
      for (let j = 0; j < width; j++) {
        const co = co0 + j;
        const g: usize = src + (<usize>c * <usize>cout + <usize>co) * 4;
        const o: usize = dst + <usize>((co / nr) * cin * nr + ci * nr + j) * 4;
        const a0 = <f64>load<f32>(g), a1 = <f64>load<f32>(g + tap), a2 = <f64>load<f32>(g + 2 * tap);
        const b0 = <f64>load<f32>(g + 3 * tap), b1 = <f64>load<f32>(g + 4 * tap), b2 = <f64>load<f32>(g + 5 * tap);
        const d0 = <f64>load<f32>(g + 6 * tap), d1 = <f64>load<f32>(g + 7 * tap), d2 = <f64>load<f32>(g + 8 * tap);
        // Rows of G g (g's rows are a, b, d), each then transformed along its columns by store6.
        store6(o, perBytes, 0, a0, a1, a2);
        store6(o, perBytes, 1, (a0 + b0 + d0) / 3, (a1 + b1 + d1) / 3, (a2 + b2 + d2) / 3);
        store6(o, perBytes, 2, -(a0 - b0 + d0) / 3, -(a1 - b1 + d1) / 3, -(a2 - b2 + d2) / 3);
        store6(o, perBytes, 3, -(16 * a0 + 8 * b0 + 4 * d0) / 15, -(16 * a1 + 8 * b1 + 4 * d1) / 15, -(16 * a2 + 8 * b2 + 4 * d2) / 15);
        store6(o, perBytes, 4, (a0 - 2 * b0 + 4 * d0) / 15, (a1 - 2 * b1 + 4 * d1) / 15, (a2 - 2 * b2 + 4 * d2) / 15);
        store6(o, perBytes, 5, d0, d1, d2);
      }
    }
  }
}

/** Row `r` of `(G g) Gt` from row `r` of `G g`, `(x0, x1, x2)`: matrices `6 * r` to `6 * r + 5`. */
@inline
function store6(o: usize, perBytes: usize, r: i32, x0: f64, x1: f64, x2: f64): void {
  const at: usize = o + <usize>(6 * r) * perBytes;
  store<f32>(at, <f32>x0);
  store<f32>(at + perBytes, <f32>((x0 + x1 + x2) / 3));
  store<f32>(at + 2 * perBytes, <f32>(-(x0 - x1 + x2) / 3));
  store<f32>(at + 3 * perBytes, <f32>(-(16 * x0 + 8 * x1 + 4 * x2) / 15));
  store<f32>(at + 4 * perBytes, <f32>((x0 - 2 * x1 + 4 * x2) / 15));
  store<f32>(at + 5 * perBytes, <f32>x2);
}
