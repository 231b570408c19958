import { checkTensor } from "./tensor.js";
import type { Tensor } from "./tensor.js";

/**
 * Activation names accepted by {@link activate}, spelled as in Keras 3 configs.
 *
 * @example
 * ```ts
 * ACTIVATIONS.includes("relu"); // true
 * ```
 */
export const ACTIVATIONS = [
  "linear",
  "relu",
  "relu6",
  "elu",
  "selu",
  "gelu",
  "swish",
  "silu",
  "sigmoid",
  "hard_sigmoid",
  "tanh",
  "softplus",
  "softsign",
  "softmax",
  "log_softmax",
  "exponential",
] as const;

/**
 * One of the {@link ACTIVATIONS} names.
 *
 * @example
 * ```ts
 * const a: ActivationName = "softmax";
 * ```
 */
export type ActivationName = (typeof ACTIVATIONS)[number];

/**
 * Runtime guard for {@link ActivationName}, for names read from configs or
 * user input.
 *
 * @example
 * ```ts
 * isActivationName("gelu");      // true
 * isActivationName("hardSigmoid"); // false: TF.js spelling, not Keras
 * ```
 */
export function isActivationName(x: unknown): x is ActivationName {
  return typeof x === "string" && (ACTIVATIONS as readonly string[]).includes(x);
}

// Keras 3 `keras.activations.selu` constants (same as TF.js SELU_SCALEALPHA / SELU_SCALE).
const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

/*
 * erf / erfc: the rational approximations of fdlibm's s_erf.c, which carries
 * this notice:
 *
 * Copyright (C) 1993 by Sun Microsystems, Inc. All rights reserved.
 * Developed at SunPro, a Sun Microsystems, Inc. business.
 * Permission to use, copy, modify, and distribute this software is freely
 * granted, provided that this notice is preserved.
 *
 * fdlibm is accurate to < 1 ulp in float64. TF.js' `tf.erf` instead uses the
 * Abramowitz–Stegun 7.1.26 formula (|error| < 1.5e-7), which is well inside
 * the 1e-5 agreement target but not float64-accurate. A float32 `Math.fround`
 * stands in for fdlibm's "clear the low word" split of x (any value with
 * <= 26 significant bits keeps z*z exact).
 */
// biome-ignore-start lint/correctness/noPrecisionLoss: fdlibm's coefficients as published; each literal reads as its nearest double
const ERX = 8.45062911510467529297e-1;
const PP = [1.28379167095512558561e-1, -3.2504210724700149937e-1, -2.84817495755985104766e-2, -5.77027029648944159157e-3, -2.37630166566501626084e-5];
const QQ = [3.97917223959155352819e-1, 6.50222499887672944485e-2, 5.08130628187576562776e-3, 1.32494738004321644526e-4, -3.9602282787753681232e-6];
const PA = [
  -2.36211856075265944077e-3, 4.14856118683748331666e-1, -3.72207876035701323847e-1, 3.18346619901161753674e-1, -1.10894694282396677476e-1,
  3.54783043256182359371e-2, -2.166375594868790843e-3,
];
const QA = [
  1.06420880400844228286e-1, 5.40397917702171048937e-1, 7.18286544141962662868e-2, 1.26171219808761642112e-1, 1.36370839120290507362e-2,
  1.1984499846799107417e-2,
];
const RA = [
  -9.86494403484714822705e-3, -6.93858572707181764372e-1, -1.05586262253232909814e1, -6.23753324503260060396e1, -1.62396669462573470355e2,
  -1.84605092906711035994e2, -8.12874355063065934246e1, -9.81432934416914548592,
];
const SA = [
  1.96512716674392571292e1, 1.376577541435190426e2, 4.34565877475229228821e2, 6.45387271733267880336e2, 4.29008140027567833386e2, 1.08635005541779435134e2,
  6.57024977031928170135, -6.04244152148580987438e-2,
];
const RB = [
  -9.86494292470009928597e-3, -7.99283237680523006574e-1, -1.77579549177547519889e1, -1.60636384855821916062e2, -6.37566443368389627722e2,
  -1.02509513161107724954e3, -4.83519191608651397019e2,
];
const SB = [
  3.03380607434824582924e1, 3.25792512996573918826e2, 1.53672958608443695994e3, 3.19985821950859553908e3, 2.55305040643316442583e3, 4.74528541206955367215e2,
  -2.24409524465858183362e1,
];
// biome-ignore-end lint/correctness/noPrecisionLoss: fdlibm's coefficients

/** c0 + c1 t + c2 t^2 + ... (Horner). */
function poly(c: readonly number[], t: number): number {
  let r = c[c.length - 1];
  for (let i = c.length - 2; i >= 0; i--) r = r * t + c[i];
  return r;
}

/** 1 + c0 t + c1 t^2 + ... : fdlibm's denominators all start at 1. */
function poly1(c: readonly number[], t: number): number {
  return 1 + t * poly(c, t);
}

/** erfc(ax) for 1.25 <= ax < 28 via erfc(x) ≈ exp(-x² - 0.5625 + R/S) / x. */
function erfcTail(ax: number): number {
  const s = 1 / (ax * ax);
  const rs = ax < 1 / 0.35 ? poly(RA, s) / poly1(SA, s) : poly(RB, s) / poly1(SB, s);
  const z = Math.fround(ax);
  return (Math.exp(-z * z - 0.5625) * Math.exp((z - ax) * (z + ax) + rs)) / ax;
}

/**
 * Complementary error function, float64-accurate (< 1 ulp, fdlibm).
 * Used directly by gelu so that gelu(x) for very negative x keeps full
 * relative precision instead of computing 1 + erf(x) ≈ 0 by cancellation.
 *
 * @example
 * ```ts
 * erfc(5); // 1.5374597944280351e-12
 * ```
 */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax < 0.84375) {
    const z = x * x;
    const y = poly(PP, z) / poly1(QQ, z);
    if (x < 0.25) return 1 - (x + x * y);
    return 0.5 - (x * y + (x - 0.5));
  }
  if (ax < 1.25) {
    const s = ax - 1;
    const pq = poly(PA, s) / poly1(QA, s);
    return x >= 0 ? 1 - ERX - pq : 1 + ERX + pq;
  }
  if (x >= 28) return 0;
  if (x <= -6) return 2;
  const t = erfcTail(ax);
  return x > 0 ? t : 2 - t;
}

/**
 * Error function, float64-accurate (< 1 ulp, fdlibm s_erf.c).
 *
 * @example
 * ```ts
 * erf(1); // 0.8427007929497149
 * ```
 */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax < 0.84375) {
    const z = x * x;
    return x + x * (poly(PP, z) / poly1(QQ, z));
  }
  if (ax < 1.25) {
    const s = ax - 1;
    const v = ERX + poly(PA, s) / poly1(QA, s);
    return x >= 0 ? v : -v;
  }
  if (ax >= 6) return x > 0 ? 1 : -1;
  const v = 1 - erfcTail(ax);
  return x > 0 ? v : -v;
}

function sigmoid(v: number): number {
  return 1 / (1 + Math.exp(-v));
}

/** Elementwise activations, evaluated in float64 on each float32 input. */
const ELEMENTWISE: Record<Exclude<ActivationName, "softmax" | "log_softmax">, (v: number) => number> = {
  linear: (v) => v,
  // `v < 0 ? 0 : v` rather than Math.max so that NaN propagates, as in TF.js.
  relu: (v) => (v < 0 ? 0 : v),
  relu6: (v) => (v < 0 ? 0 : v > 6 ? 6 : v),
  elu: (v) => (v > 0 ? v : Math.expm1(v)),
  selu: (v) => (v > 0 ? SELU_SCALE * v : SELU_SCALE * SELU_ALPHA * Math.expm1(v)),
  // Keras 3 default approximate=False: 0.5 x (1 + erf(x/√2)) = 0.5 x erfc(-x/√2).
  // TF.js `gelu` is the same exact form (its erf is the A&S approximation).
  gelu: (v) => 0.5 * v * erfc(-v * Math.SQRT1_2),
  swish: (v) => v * sigmoid(v),
  silu: (v) => v * sigmoid(v),
  sigmoid,
  // Keras 3: relu6(x + 3) / 6 (slope 1/6). TF.js 4.22 (and tf.keras 2.x) use
  // clip(0.2 x + 0.5, 0, 1) instead; we follow Keras 3, so a TF.js
  // `hardSigmoid` layer differs by up to ~0.033 (at |x| = 2.5).
  hard_sigmoid: (v) => {
    const t = v + 3;
    return (t < 0 ? 0 : t > 6 ? 6 : t) / 6;
  },
  tanh: Math.tanh,
  // log(1 + e^x) without overflow for large x or loss of precision for small e^x.
  // TF.js returns x itself once x > ~13.9 (an error of up to ~5e-7 relative);
  // keeping the log1p term is the float64-exact value Keras/JAX compute.
  softplus: (v) => (v > 0 ? v + Math.log1p(Math.exp(-v)) : Math.log1p(Math.exp(v))),
  softsign: (v) => v / (1 + Math.abs(v)),
  exponential: Math.exp,
};

/**
 * Applies a Keras 3 activation and returns a new tensor of the same shape
 * (the input is not modified). `softmax` and `log_softmax` normalise over the
 * last axis, subtracting the row maximum first so large logits cannot overflow.
 * All arithmetic is float64 and rounded to float32 once per element.
 *
 * @example
 * ```ts
 * const y = activate("softmax", { shape: [1, 3], data: Float32Array.of(1, 2, 3) });
 * y.data; // ≈ [0.0900, 0.2447, 0.6652]
 * ```
 */
export function activate<S extends readonly number[]>(name: ActivationName, x: Tensor<S>): Tensor<S> {
  // Guard for untyped callers; also keeps names like "constructor" from
  // resolving to Object.prototype members in the table below.
  if (!isActivationName(name)) throw new TypeError(`activate: unknown activation ${JSON.stringify(name)}`);
  checkTensor(x, `activate(${name})`);
  const out = new Float32Array(x.data.length);
  activateInto(name, x.shape, x.data, out);
  return { shape: x.shape, data: out };
}

/**
 * {@link activate} writing into `out`, which may be `src` itself: the fast
 * kernels apply the activations they do not fuse in place, on buffers they
 * already own. Same arithmetic, element for element.
 *
 * @example
 * ```ts
 * const v = Float32Array.of(1, 2, 3);
 * activateInto("softmax", [1, 3], v, v); // v ≈ [0.0900, 0.2447, 0.6652]
 * ```
 */
export function activateInto(name: ActivationName, shape: readonly number[], src: Float32Array, out: Float32Array): void {
  if (!isActivationName(name)) throw new TypeError(`activate: unknown activation ${JSON.stringify(name)}`);
  if (name === "softmax" || name === "log_softmax") {
    const rank = shape.length;
    if (rank === 0) throw new RangeError(`activate(${name}): needs rank >= 1`);
    const len = shape[rank - 1];
    const log = name === "log_softmax";
    for (let off = 0; off < src.length; off += len) {
      let m = -Infinity;
      for (let i = 0; i < len; i++) if (src[off + i] > m) m = src[off + i];
      let sum = 0;
      for (let i = 0; i < len; i++) sum += Math.exp(src[off + i] - m);
      // Each element is read before it is written, so out may be src.
      if (log) {
        const logSum = Math.log(sum);
        for (let i = 0; i < len; i++) out[off + i] = src[off + i] - m - logSum;
      } else {
        for (let i = 0; i < len; i++) out[off + i] = Math.exp(src[off + i] - m) / sum;
      }
    }
    return;
  }
  const f = ELEMENTWISE[name];
  for (let i = 0; i < src.length; i++) out[i] = f(src[i]);
}
