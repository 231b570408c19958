/**
 * Dense products that read the `[k, n]` weights row-major, as a layer
 * stores them, with no packed copy: at one row of input (batch 1) the
 * product is bound by reading the weights once, and streaming their rows
 * does that at memory speed, where packing them first cost more than the
 * product itself.
 */

import { madd } from "./madd";

const ACT_RELU: i32 = 1;
const ACT_RELU6: i32 = 2;

/**
 * `out[r, j] = x[r, :] · w[:, j] + bias[j]`, plus the residual at `res`
 * (when not 0) and relu or relu6 (`act` 1 or 2), for rows
 * `[rowStart, rowEnd)` and columns `[c0, c1)`. Each output is summed in the
 * packed kernel's order, so the two agree to the bit: from the bias (or 0),
 * then `+ x[r, i] * w[i, j]` for `i` from 0 to `k - 1` with the same
 * {@link madd} (fused or not as the build is), then the residual, then the
 * activation. The partial
 * sums are kept in `out`, whose row stays in the first-level cache while
 * four rows of weights at a time stream past it.
 */
export function denseRowMajor(
  x: usize, k: i32, n: i32, w: usize, bias: usize, out: usize, act: i32, res: usize,
  rowStart: i32, rowEnd: i32, c0: i32, c1: i32,
): void {
  const rowBytes: usize = <usize>n * 4;
  const vecEnd = c0 + ((c1 - c0) & ~3);
  for (let r = rowStart; r < rowEnd; r++) {
    const o0: usize = out + <usize>r * rowBytes;
    const xr: usize = x + <usize>r * <usize>k * 4;
    for (let j = c0; j < c1; j++) store<f32>(o0 + <usize>j * 4, bias == 0 ? <f32>0 : load<f32>(bias + <usize>j * 4));
    let i = 0;
    for (; i + 4 <= k; i += 4) {
      const s0 = load<f32>(xr + <usize>i * 4);
      const s1 = load<f32>(xr + <usize>i * 4, 4);
      const s2 = load<f32>(xr + <usize>i * 4, 8);
      const s3 = load<f32>(xr + <usize>i * 4, 12);
      const x0 = f32x4.splat(s0);
      const x1 = f32x4.splat(s1);
      const x2 = f32x4.splat(s2);
      const x3 = f32x4.splat(s3);
      let w0: usize = w + <usize>i * rowBytes + <usize>c0 * 4;
      let o: usize = o0 + <usize>c0 * 4;
      let j = c0;
      for (; j < vecEnd; j += 4, o += 16, w0 += 16) {
        let a = v128.load(o);
        a = madd(x0, v128.load(w0), a);
        a = madd(x1, v128.load(w0 + rowBytes), a);
        a = madd(x2, v128.load(w0 + 2 * rowBytes), a);
        a = madd(x3, v128.load(w0 + 3 * rowBytes), a);
        v128.store(o, a);
      }
      for (; j < c1; j++, o += 4, w0 += 4) {
        // A column past the last whole vector takes the vector's path in one lane, to the same bits.
        let a = f32x4.splat(load<f32>(o));
        a = madd(x0, f32x4.splat(load<f32>(w0)), a);
        a = madd(x1, f32x4.splat(load<f32>(w0 + rowBytes)), a);
        a = madd(x2, f32x4.splat(load<f32>(w0 + 2 * rowBytes)), a);
        a = madd(x3, f32x4.splat(load<f32>(w0 + 3 * rowBytes)), a);
        store<f32>(o, f32x4.extract_lane(a, 0));
      }
    }
    for (; i < k; i++) {
      const s = f32x4.splat(load<f32>(xr + <usize>i * 4));
      const wi: usize = w + <usize>i * rowBytes;
      for (let j = c0; j < c1; j++) {
        const at: usize = o0 + <usize>j * 4;
        store<f32>(at, f32x4.extract_lane(madd(s, f32x4.splat(load<f32>(wi + <usize>j * 4)), f32x4.splat(load<f32>(at))), 0));
      }
    }
    for (let j = c0; j < c1; j++) {
      const at: usize = o0 + <usize>j * 4;
      let v = load<f32>(at);
      if (res != 0) v = v + load<f32>(res + <usize>r * rowBytes + <usize>j * 4);
      // `v < 0 ? 0 : v` and `6 < v ? 6 : v`, as the packed kernel's pmax and pmin: NaN and -0 pass through.
      if (act == ACT_RELU || act == ACT_RELU6) v = v < <f32>0 ? <f32>0 : v;
      if (act == ACT_RELU6) v = <f32>6 < v ? <f32>6 : v;
      store<f32>(at, v);
    }
  }
}
