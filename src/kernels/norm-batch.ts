import { checkTensor } from "./tensor.js";
import type { Tensor } from "./tensor.js";

/**
 * The per-channel statistics and affine weights of a batch normalisation at inference.
 *
 * @example
 * const w: BatchNormWeights = { gamma: null, beta: null, movingMean: Float32Array.of(0), movingVariance: Float32Array.of(1), epsilon: 1e-3 };
 */
export interface BatchNormWeights {
  /** Scale per channel, or `null` when the layer has `scale: false`. */
  readonly gamma: Float32Array | null;
  /** Offset per channel, or `null` when the layer has `center: false`. */
  readonly beta: Float32Array | null;
  readonly movingMean: Float32Array;
  readonly movingVariance: Float32Array;
  readonly epsilon: number;
}

/**
 * Checks that every per-channel weight of a batch normalisation has one
 * value per channel: the reference kernel and the fast one throw the same.
 *
 * @example
 * ```ts
 * checkBatchNormWeights({ gamma: null, beta: null, movingMean: Float32Array.of(0), movingVariance: Float32Array.of(1), epsilon: 0 }, 1);
 * ```
 */
export function checkBatchNormWeights(w: BatchNormWeights, channels: number): void {
  for (const [what, v] of [
    ["gamma", w.gamma],
    ["beta", w.beta],
    ["movingMean", w.movingMean],
    ["movingVariance", w.movingVariance],
  ] as const) {
    if (v !== null && v.length !== channels) throw new RangeError(`batchNormInference: ${what} has ${v.length} values for ${channels} channels`);
  }
}

/**
 * Batch normalisation at inference (Keras 3 `BatchNormalization` with
 * `training=False`): for each channel `c` of `axis`,
 * `gamma[c] * (x - moving_mean[c]) / sqrt(moving_variance[c] + epsilon) + beta[c]`.
 * Computed in float64 and rounded to float32 once per element; Keras (JAX)
 * rounds after each step, a difference of a few float32 ulps.
 *
 * @example
 * ```ts
 * const y = batchNormInference({ shape: [1, 2], data: Float32Array.of(1, 2) }, 1, {
 *   gamma: null, beta: null, movingMean: Float32Array.of(0, 0), movingVariance: Float32Array.of(1, 1), epsilon: 0,
 * }); // data [1, 2]
 * ```
 */
export function batchNormInference(x: Tensor, axis: number, w: BatchNormWeights): Tensor {
  checkTensor(x, "batchNormInference input");
  const rank = x.shape.length;
  if (!Number.isInteger(axis) || axis < 0 || axis >= rank) throw new RangeError(`batchNormInference: axis ${axis} outside rank ${rank}`);
  const channels = x.shape[axis];
  checkBatchNormWeights(w, channels);
  let inner = 1;
  for (let d = axis + 1; d < rank; d++) inner *= x.shape[d];
  // gamma / sqrt(variance + epsilon) once per channel; the subtraction stays per element, as in the formula.
  const scale = new Float64Array(channels);
  for (let c = 0; c < channels; c++) scale[c] = (w.gamma === null ? 1 : w.gamma[c]) / Math.sqrt(w.movingVariance[c] + w.epsilon);
  const src = x.data;
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const c = Math.floor(i / inner) % channels;
    out[i] = (src[i] - w.movingMean[c]) * scale[c] + (w.beta === null ? 0 : w.beta[c]);
  }
  return { shape: [...x.shape], data: out };
}
