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
 * `dst`, `per` floats apart. Computed in float64 and rounded once to
 * float32: `G` is a diagonal scale (1, 1/3, -1/3, -1/15, 1/15, 1) times
 * small integers, so each value is an integer combination of the taps
 * times one scale. Four filters at a time in two float64 pairs, so that a
 * 512 x 512 kernel transforms in a few milliseconds.
 */
export function winograd4PackChannels(src: usize, dst: usize, ci0: i32, cis: i32, cin: i32, cout: i32, nr: i32, per: i32): void {
  const tap: usize = <usize>cis * <usize>cout * 4;
  const perBytes: usize = <usize>per * 4;
  for (let co0 = 0; co0 < cout; co0 += nr) {
    const width = min(nr, cout - co0);
    for (let c = 0; c < cis; c++) {
      const ci = ci0 + c;
      const g0: usize = src + (<usize>c * <usize>cout + <usize>co0) * 4;
      const o0: usize = dst + <usize>((co0 / nr) * cin * nr + ci * nr) * 4;
      let j = 0;
      for (; j + 4 <= width; j += 4) {
        const g: usize = g0 + <usize>j * 4;
        const o: usize = o0 + <usize>j * 4;
        pack4Half(g, tap, o, perBytes);
      }
      for (; j < width; j++) {
        const g: usize = g0 + <usize>j * 4;
        const o: usize = o0 + <usize>j * 4;
        const a0 = <f64>load<f32>(g), a1 = <f64>load<f32>(g + tap), a2 = <f64>load<f32>(g + 2 * tap);
        const b0 = <f64>load<f32>(g + 3 * tap), b1 = <f64>load<f32>(g + 4 * tap), b2 = <f64>load<f32>(g + 5 * tap);
        const d0 = <f64>load<f32>(g + 6 * tap), d1 = <f64>load<f32>(g + 7 * tap), d2 = <f64>load<f32>(g + 8 * tap);
        // Rows of G' g (G' = G without its diagonal scale; g's rows are a, b, d), each then transformed along its columns.
        store6(o, perBytes, 0, 1, a0, a1, a2);
        store6(o, perBytes, 1, 1.0 / 3, a0 + b0 + d0, a1 + b1 + d1, a2 + b2 + d2);
        store6(o, perBytes, 2, -1.0 / 3, a0 - b0 + d0, a1 - b1 + d1, a2 - b2 + d2);
        store6(o, perBytes, 3, -1.0 / 15, 16 * a0 + 8 * b0 + 4 * d0, 16 * a1 + 8 * b1 + 4 * d1, 16 * a2 + 8 * b2 + 4 * d2);
        store6(o, perBytes, 4, 1.0 / 15, a0 - 2 * b0 + 4 * d0, a1 - 2 * b1 + 4 * d1, a2 - 2 * b2 + 4 * d2);
        store6(o, perBytes, 5, 1, d0, d1, d2);
      }
    }
  }
}

/** Four filters' transforms: the taps at `g` (`tap` bytes apart) as two float64 pairs, 36 stores of four floats at `o`. */
@inline
function pack4Half(g: usize, tap: usize, o: usize, perBytes: usize): void {
  // Low pair: filters 0 and 1; high pair: filters 2 and 3.
  const a0l = lo2(g), a1l = lo2(g + tap), a2l = lo2(g + 2 * tap);
  const b0l = lo2(g + 3 * tap), b1l = lo2(g + 4 * tap), b2l = lo2(g + 5 * tap);
  const d0l = lo2(g + 6 * tap), d1l = lo2(g + 7 * tap), d2l = lo2(g + 8 * tap);
  const a0h = lo2(g + 8), a1h = lo2(g + tap + 8), a2h = lo2(g + 2 * tap + 8);
  const b0h = lo2(g + 3 * tap + 8), b1h = lo2(g + 4 * tap + 8), b2h = lo2(g + 5 * tap + 8);
  const d0h = lo2(g + 6 * tap + 8), d1h = lo2(g + 7 * tap + 8), d2h = lo2(g + 8 * tap + 8);
  row6(o, perBytes, 0, 1, a0l, a1l, a2l, a0h, a1h, a2h);
  row6(o, perBytes, 1, 1.0 / 3, sum3(a0l, b0l, d0l, 1, 1), sum3(a1l, b1l, d1l, 1, 1), sum3(a2l, b2l, d2l, 1, 1),
    sum3(a0h, b0h, d0h, 1, 1), sum3(a1h, b1h, d1h, 1, 1), sum3(a2h, b2h, d2h, 1, 1));
  row6(o, perBytes, 2, -1.0 / 3, sum3(a0l, b0l, d0l, -1, 1), sum3(a1l, b1l, d1l, -1, 1), sum3(a2l, b2l, d2l, -1, 1),
    sum3(a0h, b0h, d0h, -1, 1), sum3(a1h, b1h, d1h, -1, 1), sum3(a2h, b2h, d2h, -1, 1));
  row6(o, perBytes, 3, -1.0 / 15, sum3w(a0l, b0l, d0l, 16, 8, 4), sum3w(a1l, b1l, d1l, 16, 8, 4), sum3w(a2l, b2l, d2l, 16, 8, 4),
    sum3w(a0h, b0h, d0h, 16, 8, 4), sum3w(a1h, b1h, d1h, 16, 8, 4), sum3w(a2h, b2h, d2h, 16, 8, 4));
  row6(o, perBytes, 4, 1.0 / 15, sum3(a0l, b0l, d0l, -2, 4), sum3(a1l, b1l, d1l, -2, 4), sum3(a2l, b2l, d2l, -2, 4),
    sum3(a0h, b0h, d0h, -2, 4), sum3(a1h, b1h, d1h, -2, 4), sum3(a2h, b2h, d2h, -2, 4));
  row6(o, perBytes, 5, 1, d0l, d1l, d2l, d0h, d1h, d2h);
}

/** Two floats at `p` widened to a float64 pair. */
@inline
function lo2(p: usize): v128 {
  return f64x2.promote_low_f32x4(v128.load64_zero(p));
}

/** `x + kb * y + kd * z` in float64 pairs. */
@inline
function sum3(x: v128, y: v128, z: v128, kb: f64, kd: f64): v128 {
  return f64x2.add(f64x2.add(x, f64x2.mul(y, f64x2.splat(kb))), f64x2.mul(z, f64x2.splat(kd)));
}

/** `ka * x + kb * y + kd * z` in float64 pairs. */
@inline
function sum3w(x: v128, y: v128, z: v128, ka: f64, kb: f64, kd: f64): v128 {
  return f64x2.add(f64x2.mul(x, f64x2.splat(ka)), f64x2.add(f64x2.mul(y, f64x2.splat(kb)), f64x2.mul(z, f64x2.splat(kd))));
}

/** Two float64 pairs rounded to float32 and stored as four floats at `at`. */
@inline
function put4(at: usize, l: v128, h: v128): void {
  v128.store(at, v128.shuffle<f32>(f32x4.demote_f64x2_zero(l), f32x4.demote_f64x2_zero(h), 0, 1, 4, 5));
}

/** {@link store6} for four filters: row `r` of `G' g` as pairs `(x0, x1, x2)` low and high, scaled by `s` and each column's scale. */
@inline
function row6(o: usize, perBytes: usize, r: i32, s: f64, x0l: v128, x1l: v128, x2l: v128, x0h: v128, x1h: v128, x2h: v128): void {
  const at: usize = o + <usize>(6 * r) * perBytes;
  const s0 = f64x2.splat(s), s1 = f64x2.splat(s * (1.0 / 3)), s2 = f64x2.splat(s * (-1.0 / 3));
  const s3 = f64x2.splat(s * (-1.0 / 15)), s4 = f64x2.splat(s * (1.0 / 15));
  put4(at, f64x2.mul(x0l, s0), f64x2.mul(x0h, s0));
  put4(at + perBytes, f64x2.mul(sum3(x0l, x1l, x2l, 1, 1), s1), f64x2.mul(sum3(x0h, x1h, x2h, 1, 1), s1));
  put4(at + 2 * perBytes, f64x2.mul(sum3(x0l, x1l, x2l, -1, 1), s2), f64x2.mul(sum3(x0h, x1h, x2h, -1, 1), s2));
  put4(at + 3 * perBytes, f64x2.mul(sum3w(x0l, x1l, x2l, 16, 8, 4), s3), f64x2.mul(sum3w(x0h, x1h, x2h, 16, 8, 4), s3));
  put4(at + 4 * perBytes, f64x2.mul(sum3(x0l, x1l, x2l, -2, 4), s4), f64x2.mul(sum3(x0h, x1h, x2h, -2, 4), s4));
  put4(at + 5 * perBytes, f64x2.mul(x2l, s0), f64x2.mul(x2h, s0));
}

/**
 * Row `r` of `(G g) Gt` for one filter, from row `r` of `G' g`, `(x0, x1,
 * x2)`, and the row's scale `s`: matrices `6 * r` to `6 * r + 5`.
 */
@inline
function store6(o: usize, perBytes: usize, r: i32, s: f64, x0: f64, x1: f64, x2: f64): void {
  const at: usize = o + <usize>(6 * r) * perBytes;
  store<f32>(at, <f32>(x0 * s));
  store<f32>(at + perBytes, <f32>((x0 + x1 + x2) * (s * (1.0 / 3))));
  store<f32>(at + 2 * perBytes, <f32>((x0 - x1 + x2) * (s * (-1.0 / 3))));
  store<f32>(at + 3 * perBytes, <f32>((16 * x0 + 8 * x1 + 4 * x2) * (s * (-1.0 / 15))));
  store<f32>(at + 4 * perBytes, <f32>((x0 - 2 * x1 + 4 * x2) * (s * (1.0 / 15))));
  store<f32>(at + 5 * perBytes, <f32>(x2 * s));
}
