/**
 * Elementwise preprocessing: Keras 3 `Rescaling` and `Normalization`. Keras
 * casts the constants to float32 and computes in float32; each step here is
 * rounded with `Math.fround` in the same order, which gives Keras' float32
 * results exactly (one float32 operation done in float64 and rounded once is
 * correctly rounded).
 */
import { checkTensor } from "./tensor.js";
import type { Tensor } from "./tensor.js";

const f32 = Math.fround;

/**
 * `x * scale + offset` in float32 (Keras 3 `Rescaling`).
 *
 * @example
 * ```ts
 * rescale({ shape: [2], data: Float32Array.of(0, 255) }, 1 / 127.5, -1).data; // [-1, 1]
 * ```
 */
export function rescale(x: Tensor, scale: number, offset: number): Tensor {
  checkTensor(x, "rescale input");
  const s = f32(scale);
  const o = f32(offset);
  const src = x.data;
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = f32(src[i] * s) + o;
  return { shape: [...x.shape], data: out };
}

/**
 * The constants of a Keras 3 `Normalization`: per position of one axis, or one pair overall.
 *
 * @example
 * const perChannel: Standardization = { mean: [0.5, 0.4, 0.3], variance: [0.1, 0.1, 0.2], axis: 3, invert: false };
 */
export interface Standardization {
  /** One value, or one per position of `axis`. */
  readonly mean: readonly number[];
  /** As `mean`. */
  readonly variance: readonly number[];
  /** The axis the values run along, `null` when there is one value. */
  readonly axis: number | null;
  /** Apply the inverse: `mean + x * max(sqrt(variance), 1e-7)`. */
  readonly invert: boolean;
}

/**
 * Keras 3 `Normalization` with given mean and variance:
 * `(x - mean) / max(sqrt(variance), 1e-7)` in float32, or its inverse.
 * A one-value list broadcasts along the axis.
 *
 * @example
 * ```ts
 * standardize({ shape: [1, 2], data: Float32Array.of(1, 3) }, { mean: [3], variance: [2], axis: null, invert: false }).data; // [-1.4142135, 0]
 * ```
 */
export function standardize(x: Tensor, s: Standardization): Tensor {
  checkTensor(x, "standardize input");
  const rank = x.shape.length;
  const positions = s.axis === null ? 1 : x.shape[s.axis];
  if (s.axis !== null && (s.axis < 0 || s.axis >= rank)) throw new RangeError(`standardize: axis ${s.axis} outside rank ${rank}`);
  for (const v of [s.mean, s.variance]) {
    if (v.length !== 1 && v.length !== positions) throw new RangeError(`standardize: ${v.length} values for ${positions} positions`);
  }
  let inner = 1;
  if (s.axis !== null) for (let d = s.axis + 1; d < rank; d++) inner *= x.shape[d];
  const eps = f32(1e-7);
  const mean = Float64Array.from({ length: positions }, (_, p) => f32(s.mean[s.mean.length === 1 ? 0 : p]));
  const denom = Float64Array.from({ length: positions }, (_, p) => {
    const root = f32(Math.sqrt(f32(s.variance[s.variance.length === 1 ? 0 : p])));
    // maximum, not `>`: NaN from a negative variance propagates as in Keras (the layer rejects those first).
    return Number.isNaN(root) ? root : Math.max(root, eps);
  });
  const src = x.data;
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const p = s.axis === null ? 0 : Math.floor(i / inner) % positions;
    out[i] = s.invert ? mean[p] + f32(src[i] * denom[p]) : f32(src[i] - mean[p]) / denom[p];
  }
  return { shape: [...x.shape], data: out };
}
