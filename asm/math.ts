/**
 * Scalar float64 functions of every kernel file (activations, softmax, the
 * recurrent cells' gates), all without tables: AssemblyScript's `Math.exp`
 * and `Math.log` read lookup tables from a data segment, and the module must
 * own no data (every thread instantiates it over the one shared memory the
 * TypeScript side allocates from). `Math.expm1` and `Math.log1p` are fdlibm's table-free algorithms,
 * the ones V8 runs for the reference kernels. One float32 function shares
 * the file: `expNeg4`, the four-lane exponential of the fused softmax and
 * the recurrent gates.
 */

/**
 * e^v: range reduction v = k ln2 + r, |r| <= ln2 / 2, then a degree-13
 * Taylor polynomial, relative error under 1e-16 (far below the float32
 * rounding that follows).
 */
export function exp64(v: f64): f64 {
  if (isNaN(v)) return v;
  if (v > 709.78) return Infinity;
  if (v < -745.2) return 0;
  const k = Math.floor(v * 1.4426950408889634 + 0.5);
  const r = v - k * 0.6931471803691238 - k * 1.9082149292705877e-10;
  let p: f64 = 1.0 / 6227020800.0;
  p = p * r + 1.0 / 479001600.0;
  p = p * r + 1.0 / 39916800.0;
  p = p * r + 1.0 / 3628800.0;
  p = p * r + 1.0 / 362880.0;
  p = p * r + 1.0 / 40320.0;
  p = p * r + 1.0 / 5040.0;
  p = p * r + 1.0 / 720.0;
  p = p * r + 1.0 / 120.0;
  p = p * r + 1.0 / 24.0;
  p = p * r + 1.0 / 6.0;
  p = p * r + 0.5;
  p = p * r + 1.0;
  p = p * r + 1.0;
  const ki = <i64>k;
  const half = ki / 2;
  return p * reinterpret<f64>((half + 1023) << 52) * reinterpret<f64>((ki - half + 1023) << 52);
}

/** log(v) for v >= 1 (a softmax's sum): log1p of v - 1, exact for v < 2 and within an ulp of v beyond. */
export function logAtLeast1(v: f64): f64 {
  return Math.log1p(v - 1);
}

/** 1 / (1 + e^-v). */
export function sigmoid64(v: f64): f64 {
  return 1 / (1 + exp64(-v));
}

/** tanh: a Taylor series near 0, where 1 - 2 / (e^2v + 1) would cancel. */
export function tanh64(v: f64): f64 {
  const a = Math.abs(v);
  if (isNaN(v)) return v;
  if (a < 0.0625) {
    const v2 = v * v;
    return v * (1 + v2 * (-1.0 / 3 + v2 * (2.0 / 15 + v2 * (-17.0 / 315 + v2 * (62.0 / 2835 + v2 * (-1382.0 / 155925))))));
  }
  const t = a > 20 ? 1 : 1 - 2 / (exp64(2 * a) + 1);
  return v < 0 ? -t : t;
}

// fdlibm s_erf.c's rational approximations, as `src/kernels/activations.ts`
// evaluates them for the reference kernels (the notice there applies:
// Copyright (C) 1993 by Sun Microsystems, Inc. All rights reserved.
// Permission to use, copy, modify, and distribute this software is freely
// granted, provided that this notice is preserved.)
const ERX: f64 = 8.45062911510467529297e-1;

@inline
function erfSmall(z: f64): f64 {
  const p = 1.28379167095512558561e-1 + z * (-3.2504210724700149937e-1 + z * (-2.84817495755985104766e-2 + z * (-5.77027029648944159157e-3 + z * -2.37630166566501626084e-5)));
  const q = 1 + z * (3.97917223959155352819e-1 + z * (6.50222499887672944485e-2 + z * (5.08130628187576562776e-3 + z * (1.32494738004321644526e-4 + z * -3.9602282787753681232e-6))));
  return p / q;
}

@inline
function erfMiddle(s: f64): f64 {
  const p =
    -2.36211856075265944077e-3 +
    s * (4.14856118683748331666e-1 + s * (-3.72207876035701323847e-1 + s * (3.18346619901161753674e-1 + s * (-1.10894694282396677476e-1 + s * (3.54783043256182359371e-2 + s * -2.166375594868790843e-3)))));
  const q =
    1 +
    s * (1.06420880400844228286e-1 + s * (5.40397917702171048937e-1 + s * (7.18286544141962662868e-2 + s * (1.26171219808761642112e-1 + s * (1.36370839120290507362e-2 + s * 1.1984499846799107417e-2)))));
  return p / q;
}

/** erfc(ax) for 1.25 <= ax < 28: exp(-x^2 - 0.5625 + R/S) / x. */
function erfcTail(ax: f64): f64 {
  const s = 1 / (ax * ax);
  let r: f64;
  let q: f64;
  if (ax < 1 / 0.35) {
    r =
      -9.86494403484714822705e-3 +
      s *
        (-6.93858572707181764372e-1 +
          s * (-1.05586262253232909814e1 + s * (-6.23753324503260060396e1 + s * (-1.62396669462573470355e2 + s * (-1.84605092906711035994e2 + s * (-8.12874355063065934246e1 + s * -9.81432934416914548592))))));
    q =
      1 +
      s *
        (1.96512716674392571292e1 +
          s * (1.376577541435190426e2 + s * (4.34565877475229228821e2 + s * (6.45387271733267880336e2 + s * (4.29008140027567833386e2 + s * (1.08635005541779435134e2 + s * (6.57024977031928170135 + s * -6.04244152148580987438e-2)))))));
  } else {
    r =
      -9.86494292470009928597e-3 +
      s * (-7.99283237680523006574e-1 + s * (-1.77579549177547519889e1 + s * (-1.60636384855821916062e2 + s * (-6.37566443368389627722e2 + s * (-1.02509513161107724954e3 + s * -4.83519191608651397019e2)))));
    q =
      1 +
      s *
        (3.03380607434824582924e1 +
          s * (3.25792512996573918826e2 + s * (1.53672958608443695994e3 + s * (3.19985821950859553908e3 + s * (2.55305040643316442583e3 + s * (4.74528541206955367215e2 + s * -2.24409524465858183362e1))))));
  }
  const z = <f64><f32>ax;
  return (exp64(-z * z - 0.5625) * exp64((z - ax) * (z + ax) + r / q)) / ax;
}

/** The complementary error function (fdlibm's algorithm, < 1 ulp away from the reference's). */
export function erfc64(x: f64): f64 {
  if (isNaN(x)) return x;
  const ax = Math.abs(x);
  if (ax < 0.84375) {
    const y = erfSmall(x * x);
    if (x < 0.25) return 1 - (x + x * y);
    return 0.5 - (x * y + (x - 0.5));
  }
  if (ax < 1.25) {
    const pq = erfMiddle(ax - 1);
    return x >= 0 ? 1 - ERX - pq : 1 + ERX + pq;
  }
  if (x >= 28) return 0;
  if (x <= -6) return 2;
  const t = erfcTail(ax);
  return x > 0 ? t : 2 - t;
}

// Keras 3's selu constants.
const SELU_ALPHA: f64 = 1.6732632423543772;
const SELU_SCALE: f64 = 1.0507009873554805;

/** Codes of {@link unary64}, shared with `src/kernels/fast-activations.ts`. */
export const U_LINEAR: i32 = 0;
export const U_RELU: i32 = 1;
export const U_RELU6: i32 = 2;
export const U_SIGMOID: i32 = 3;
export const U_TANH: i32 = 4;
export const U_SILU: i32 = 5;
export const U_HARD_SIGMOID: i32 = 6;
export const U_ELU: i32 = 7;
export const U_SELU: i32 = 8;
export const U_GELU: i32 = 9;
export const U_SOFTPLUS: i32 = 10;
export const U_SOFTSIGN: i32 = 11;
export const U_EXPONENTIAL: i32 = 12;
export const U_LEAKY: i32 = 13;
export const U_KERAS_RELU: i32 = 14;

/**
 * Every elementwise activation by code, in float64 on a float32 input, each
 * in the reference kernels' formula and order of operations: `a` is ELU's
 * and leaky ReLU's alpha; Keras's relu takes `a` the negative slope, `b` the
 * ceiling (Infinity for none) and `c` the threshold.
 */
export function unary64(code: i32, v: f64, a: f64, b: f64, c: f64): f64 {
  switch (code) {
    case U_LINEAR:
      return v;
    case U_RELU:
      return v < 0 ? 0 : v;
    case U_RELU6:
      return v < 0 ? 0 : v > 6 ? 6 : v;
    case U_SIGMOID:
      return sigmoid64(v);
    case U_TANH:
      return tanh64(v);
    case U_SILU:
      return v * sigmoid64(v);
    case U_HARD_SIGMOID: {
      const t = v + 3;
      return (t < 0 ? 0 : t > 6 ? 6 : t) / 6;
    }
    case U_ELU:
      return v > 0 ? v : a * Math.expm1(v);
    case U_SELU:
      return v > 0 ? SELU_SCALE * v : SELU_SCALE * SELU_ALPHA * Math.expm1(v);
    case U_GELU:
      return 0.5 * v * erfc64(-v * 0.7071067811865476);
    case U_SOFTPLUS:
      return v > 0 ? v + Math.log1p(exp64(-v)) : Math.log1p(exp64(v));
    case U_SOFTSIGN:
      return v / (1 + Math.abs(v));
    case U_EXPONENTIAL:
      return exp64(v);
    case U_LEAKY:
      return v >= 0 ? v : a * v;
    default: {
      // Keras's relu with a slope, a ceiling or a threshold.
      let y: f64 = c != 0 ? (v > c ? v : 0) : v < 0 ? 0 : v;
      y = y > b ? b : y;
      if (a != 0) {
        const below = c - v;
        y -= a * (below > 0 ? below : 0);
      }
      return y;
    }
  }
}

/** `e^x` for `x <= 0` in float32, four lanes (Cephes' expf polynomial, within 2 ulp); NaN stays NaN. */
@inline
export function expNeg4(x: v128): v128 {
  const t = f32x4.pmax(x, f32x4.splat(-87.0));
  const n = f32x4.nearest(f32x4.mul(t, f32x4.splat(1.44269504)));
  let r = f32x4.sub(t, f32x4.mul(n, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(-2.12194440e-4)));
  let p = f32x4.splat(1.9875691500e-4);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  p = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(p, r), r), r), f32x4.splat(1));
  const scale = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return f32x4.mul(p, scale);
}
