/**
 * Copies and resampling that keep data in WebAssembly memory: a strided
 * copy of up to eight axes (cropping, padding's interior, permutes, nearest
 * upsampling and repeats as copies with a zero stride), and image resizing
 * by per-axis taps (nearest or bilinear), the reference kernels' float64
 * sums in their order.
 */

/**
 * Copies a `rank`-axis block: `meta` holds three i32 arrays of `rank`
 * values, the sizes, the source strides and the destination strides (in
 * floats). Rows [start, end) of the block (every axis but the last) are
 * copied, each a run along the last axis: a memory copy when both last
 * strides are 1.
 */
export function stridedCopy(src: usize, dst: usize, meta: usize, rank: i32, start: i32, end: i32): void {
  const sizes = meta;
  const sStrides = meta + <usize>rank * 4;
  const dStrides = meta + <usize>rank * 8;
  const last = rank - 1;
  const len = load<i32>(sizes + <usize>last * 4);
  const sInner = load<i32>(sStrides + <usize>last * 4);
  const dInner = load<i32>(dStrides + <usize>last * 4);
  for (let r = start; r < end; r++) {
    let rest = r;
    let s: usize = 0;
    let d: usize = 0;
    for (let a = last - 1; a >= 0; a--) {
      const size = load<i32>(sizes + <usize>a * 4);
      const i = rest % size;
      rest /= size;
      s += <usize>i * <usize>load<i32>(sStrides + <usize>a * 4);
      d += <usize>i * <usize>load<i32>(dStrides + <usize>a * 4);
    }
    const sp = src + s * 4;
    const dp = dst + d * 4;
    if (sInner == 1 && dInner == 1) {
      memory.copy(dp, sp, <usize>len * 4);
    } else {
      for (let j = 0; j < len; j++) store<f32>(dp + <usize>j * <usize>dInner * 4, load<f32>(sp + <usize>j * <usize>sInner * 4));
    }
  }
}

/**
 * The first pass of a resize: for output rows [start, end) of the
 * `n * height` rows, `mid` (float64) row = sum over the row's taps of
 * `weight * x` row, each row `rowFloats` values; the taps of output row `i`
 * are `index`/`weight` [tapStart[i], tapStart[i + 1]).
 */
export function resizeRows(
  x: usize, mid: usize, h: i32, height: i32, rowFloats: i32, index: usize, weight: usize, tapStart: usize, start: i32, end: i32,
): void {
  for (let r = start; r < end; r++) {
    const b = r / height;
    const i = r % height;
    const dst: usize = mid + <usize>r * <usize>rowFloats * 8;
    memory.fill(dst, 0, <usize>rowFloats * 8);
    const t1 = load<i32>(tapStart + <usize>(i + 1) * 4);
    for (let t = load<i32>(tapStart + <usize>i * 4); t < t1; t++) {
      const from: usize = x + (<usize>(b * h + load<i32>(index + <usize>t * 4)) * <usize>rowFloats) * 4;
      const wt = load<f64>(weight + <usize>t * 8);
      for (let k = 0; k < rowFloats; k++) {
        const at: usize = dst + <usize>k * 8;
        store<f64>(at, load<f64>(at) + wt * <f64>load<f32>(from + <usize>k * 4));
      }
    }
  }
}

/**
 * The second pass: for rows [start, end) of `mid` (`w` pixels of `c`
 * channels, float64), output pixel `j` of `width` = sum over its taps of
 * `weight * mid` pixel, rounded once to float32.
 */
export function resizeColumns(
  mid: usize, out: usize, w: i32, c: i32, width: i32, index: usize, weight: usize, tapStart: usize, start: i32, end: i32,
): void {
  for (let r = start; r < end; r++) {
    for (let j = 0; j < width; j++) {
      const dst: usize = out + (<usize>r * <usize>width + <usize>j) * <usize>c * 4;
      const t0 = load<i32>(tapStart + <usize>j * 4);
      const t1 = load<i32>(tapStart + <usize>(j + 1) * 4);
      for (let ch = 0; ch < c; ch++) {
        let sum: f64 = 0;
        for (let t = t0; t < t1; t++) {
          sum += load<f64>(weight + <usize>t * 8) * load<f64>(mid + ((<usize>r * <usize>w + <usize>load<i32>(index + <usize>t * 4)) * <usize>c + <usize>ch) * 8);
        }
        store<f32>(dst + <usize>ch * 4, <f32>sum);
      }
    }
  }
}
