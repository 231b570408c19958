/**
 * Elementwise kernels beyond the codes `activation` in `asm/kernels.ts`
 * computes: every activation of the catalog with its options (ELU's alpha,
 * leaky ReLU, Keras's relu with slope, ceiling and threshold, selu, gelu,
 * softplus, softsign, exponential), softmax and log-softmax over an axis
 * with values after it, PReLU, and a per-channel multiply-add on any axis.
 * Each is the reference kernel's float64 formula rounded once to float32.
 */
import { exp64, logAtLeast1, unary64 } from "./math";

/**
 * `out[i] = f(x[i])` for elements [start, end), `f` the activation `code`
 * of `unary64` with its parameters `a`, `b`, `c`; `out` may be `x`.
 */
export function unaryActivation(code: i32, x: usize, out: usize, a: f64, b: f64, c: f64, start: i32, end: i32): void {
  for (let i = start; i < end; i++) {
    const at: usize = <usize>i * 4;
    store<f32>(out + at, <f32>unary64(code, <f64>load<f32>(x + at), a, b, c));
  }
}

/**
 * Softmax (or, with `log` set, log-softmax) over an axis of `len` values
 * `inner` floats apart, for groups [start, end) of the `outer * inner`
 * groups: the maximum, then float64 exponentials summed in the axis's order
 * and each value rounded once, as the reference kernels compute it. `out`
 * may be `x`.
 */
export function softmaxStrided(x: usize, out: usize, len: i32, inner: i32, log: i32, start: i32, end: i32): void {
  const stride: usize = <usize>inner * 4;
  for (let g = start; g < end; g++) {
    const o = g / inner;
    const i = g % inner;
    const base: usize = (<usize>o * <usize>len * <usize>inner + <usize>i) * 4;
    const p = x + base;
    const q = out + base;
    let m: f64 = -Infinity;
    for (let j = 0; j < len; j++) {
      const v = <f64>load<f32>(p + <usize>j * stride);
      if (v > m) m = v;
    }
    let sum: f64 = 0;
    for (let j = 0; j < len; j++) sum += exp64(<f64>load<f32>(p + <usize>j * stride) - m);
    if (log != 0) {
      const ls = logAtLeast1(sum);
      for (let j = 0; j < len; j++) store<f32>(q + <usize>j * stride, <f32>(<f64>load<f32>(p + <usize>j * stride) - m - ls));
    } else {
      for (let j = 0; j < len; j++) store<f32>(q + <usize>j * stride, <f32>(exp64(<f64>load<f32>(p + <usize>j * stride) - m) / sum));
    }
  }
}

/**
 * PReLU for samples [start, end) of `per` floats: `alpha` holds one slope
 * per value of a sample (shared axes already broadcast), and
 * `out = x < 0 ? alpha * x : x` in float32 (NaN passes); `out` may be `x`.
 */
export function preluSamples(x: usize, alpha: usize, out: usize, per: i32, start: i32, end: i32): void {
  const per4 = per & ~3;
  const zero = f32x4.splat(0);
  for (let s = start; s < end; s++) {
    const base: usize = <usize>s * <usize>per * 4;
    let j = 0;
    for (; j < per4; j += 4) {
      const at: usize = <usize>j * 4;
      const v = v128.load(x + base + at);
      v128.store(out + base + at, v128.bitselect(f32x4.mul(v, v128.load(alpha + at)), v, f32x4.lt(v, zero)));
    }
    for (; j < per; j++) {
      const at: usize = <usize>j * 4;
      const v = load<f32>(x + base + at);
      store<f32>(out + base + at, v < 0 ? load<f32>(alpha + at) * v : v);
    }
  }
}

/**
 * A per-channel affine map on an axis with `inner` floats after it, for
 * rows [start, end) of the `outer * channels` rows: row `r` is channel
 * `r % channels`, and `out = x * scale[c] + shift[c]` in float32, four
 * values per SIMD vector; `out` may be `x`.
 */
export function axisScaleShift(x: usize, out: usize, channels: i32, inner: i32, scale: usize, shift: usize, start: i32, end: i32): void {
  const inner4 = inner & ~3;
  for (let r = start; r < end; r++) {
    const c: usize = <usize>(r % channels) * 4;
    const s = load<f32>(scale + c);
    const t = load<f32>(shift + c);
    const sv = f32x4.splat(s);
    const tv = f32x4.splat(t);
    const base: usize = <usize>r * <usize>inner * 4;
    let j = 0;
    for (; j < inner4; j += 4) {
      const at: usize = base + <usize>j * 4;
      v128.store(out + at, f32x4.add(f32x4.mul(v128.load(x + at), sv), tv));
    }
    for (; j < inner; j++) {
      const at: usize = base + <usize>j * 4;
      store<f32>(out + at, load<f32>(x + at) * s + t);
    }
  }
}

/**
 * `out = (x - mean[c]) / denom[c]` in float32 (a subtraction, then a
 * division, each rounded) on an axis with `inner` floats after it, for rows
 * [start, end) of the `outer * channels` rows; `out` may be `x`.
 */
export function axisSubtractDivide(x: usize, out: usize, channels: i32, inner: i32, mean: usize, denom: usize, start: i32, end: i32): void {
  const inner4 = inner & ~3;
  for (let r = start; r < end; r++) {
    const c: usize = <usize>(r % channels) * 4;
    const m = load<f32>(mean + c);
    const d = load<f32>(denom + c);
    const mv = f32x4.splat(m);
    const dv = f32x4.splat(d);
    const base: usize = <usize>r * <usize>inner * 4;
    let j = 0;
    for (; j < inner4; j += 4) {
      const at: usize = base + <usize>j * 4;
      v128.store(out + at, f32x4.div(f32x4.sub(v128.load(x + at), mv), dv));
    }
    for (; j < inner; j++) {
      const at: usize = base + <usize>j * 4;
      store<f32>(out + at, (load<f32>(x + at) - m) / d);
    }
  }
}
