/**
 * Batch and layer normalisation in training: both normalise each element by
 * the mean and biased variance of a set of elements (batch normalisation: a
 * channel over the batch and the other axes; layer normalisation: a sample's
 * normalised axes), then scale and shift by a weight indexed per element
 * (the channel; the position among the normalised axes). One forward and
 * one backward pass serve both, given the two indices per element.
 */
import { axisGroups } from "./norm-layer.js";
import type { Tensor } from "./tensor.js";

/** Which statistics set and which weight each element uses. */
export interface NormIndex {
  readonly sets: number;
  readonly set: Int32Array;
  readonly params: number;
  readonly param: Int32Array;
}

/**
 * Batch normalisation's indices: statistics and weights both per channel of `axis`.
 *
 * @example
 * batchNormIndex([8, 4, 4, 3], 3); // 3 sets, 3 params
 */
export function batchNormIndex(shape: readonly number[], axis: number): NormIndex {
  const { positions, position } = axisGroups(shape, [axis]);
  return { sets: positions, set: position, params: positions, param: position };
}

/**
 * Layer normalisation's indices: statistics per sample (and per position of
 * the other axes), weights per position of the normalised `axes`.
 *
 * @example
 * layerNormIndex([8, 10, 64], [2]); // 80 sets, 64 params
 */
export function layerNormIndex(shape: readonly number[], axes: readonly number[]): NormIndex {
  const { groups, group, positions, position } = axisGroups(shape, axes);
  return { sets: groups, set: group, params: positions, param: position };
}

/** What the training forward pass keeps: the normalised values and each set's statistics. */
export interface NormSaved {
  readonly index: NormIndex;
  readonly normalised: Float64Array;
  readonly mean: Float64Array;
  readonly variance: Float64Array;
  readonly inverse: Float64Array;
}

/**
 * The training forward pass: `(x - mean) / sqrt(variance + epsilon) * gamma + beta`
 * with each set's own mean and biased variance.
 *
 * @example
 * const { output, saved } = normalizeTraining(x, batchNormIndex(x.shape, 3), gamma, beta, 1e-3);
 */
export function normalizeTraining(
  x: Tensor,
  index: NormIndex,
  gamma: Float32Array | null,
  beta: Float32Array | null,
  epsilon: number,
): { output: Tensor; saved: NormSaved } {
  const { sets, set, param } = index;
  const src = x.data;
  const count = new Float64Array(sets);
  const mean = new Float64Array(sets);
  for (let i = 0; i < src.length; i++) {
    mean[set[i]] += src[i];
    count[set[i]]++;
  }
  for (let s = 0; s < sets; s++) mean[s] /= count[s];
  const variance = new Float64Array(sets);
  for (let i = 0; i < src.length; i++) variance[set[i]] += (src[i] - mean[set[i]]) ** 2;
  const inverse = new Float64Array(sets);
  for (let s = 0; s < sets; s++) {
    variance[s] /= count[s];
    inverse[s] = 1 / Math.sqrt(variance[s] + epsilon);
  }
  const normalised = new Float64Array(src.length);
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const n = (src[i] - mean[set[i]]) * inverse[set[i]];
    normalised[i] = n;
    out[i] = n * (gamma === null ? 1 : gamma[param[i]]) + (beta === null ? 0 : beta[param[i]]);
  }
  return { output: { shape: [...x.shape], data: out }, saved: { index, normalised, mean, variance, inverse } };
}

/**
 * The backward pass of {@link normalizeTraining}: the input's gradient
 * (through the batch statistics) and `gamma`'s and `beta`'s.
 *
 * @example
 * const { input, gamma, beta } = normalizeBackward(saved, gammaValues, dy);
 */
export function normalizeBackward(saved: NormSaved, gamma: Float32Array | null, dy: Tensor): { input: Tensor; gamma: Float32Array; beta: Float32Array } {
  const { index, normalised, inverse } = saved;
  const { sets, set, params, param } = index;
  const d = dy.data;
  const dGamma = new Float64Array(params);
  const dBeta = new Float64Array(params);
  const count = new Float64Array(sets);
  const sum = new Float64Array(sets);
  const dot = new Float64Array(sets);
  const dn = new Float64Array(d.length);
  for (let i = 0; i < d.length; i++) {
    dGamma[param[i]] += d[i] * normalised[i];
    dBeta[param[i]] += d[i];
    const g = d[i] * (gamma === null ? 1 : gamma[param[i]]);
    dn[i] = g;
    count[set[i]]++;
    sum[set[i]] += g;
    dot[set[i]] += g * normalised[i];
  }
  const dx = new Float32Array(d.length);
  for (let i = 0; i < d.length; i++) {
    const s = set[i];
    dx[i] = inverse[s] * (dn[i] - sum[s] / count[s] - (normalised[i] * dot[s]) / count[s]);
  }
  return { input: { shape: [...dy.shape], data: dx }, gamma: Float32Array.from(dGamma), beta: Float32Array.from(dBeta) };
}
