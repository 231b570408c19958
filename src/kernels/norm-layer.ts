import { checkTensor } from "./tensor.js";
import type { Tensor } from "./tensor.js";

/**
 * For every element of a tensor, which group of the non-listed axes it is in
 * and where it sits among the listed axes (row-major over them in ascending
 * axis order). Shared by the normalisation and softmax kernels, which reduce
 * over a set of axes.
 *
 * @example
 * ```ts
 * axisGroups([2, 3], [1]); // { groups: 2, positions: 3, group: [0,0,0,1,1,1], position: [0,1,2,0,1,2] }
 * ```
 */
export function axisGroups(shape: readonly number[], axes: readonly number[]): { groups: number; positions: number; group: Int32Array; position: Int32Array } {
  const rank = shape.length;
  const listed = new Array<boolean>(rank).fill(false);
  for (const a of axes) {
    if (!Number.isInteger(a) || a < 0 || a >= rank) throw new RangeError(`axisGroups: axis ${a} outside rank ${rank}`);
    listed[a] = true;
  }
  let total = 1;
  for (const d of shape) total *= d;
  let groups = 1;
  let positions = 1;
  for (let d = 0; d < rank; d++) {
    if (listed[d]) positions *= shape[d];
    else groups *= shape[d];
  }
  const group = new Int32Array(total);
  const position = new Int32Array(total);
  const coord = new Array<number>(rank).fill(0);
  for (let i = 0; i < total; i++) {
    let g = 0;
    let p = 0;
    for (let d = 0; d < rank; d++) {
      if (listed[d]) p = p * shape[d] + coord[d];
      else g = g * shape[d] + coord[d];
    }
    group[i] = g;
    position[i] = p;
    // Advance the row-major coordinate.
    for (let d = rank - 1; d >= 0; d--) {
      if (++coord[d] < shape[d]) break;
      coord[d] = 0;
    }
  }
  return { groups, positions, group, position };
}

/**
 * The affine weights and epsilon of a layer normalisation.
 *
 * @example
 * const w: LayerNormWeights = { gamma: Float32Array.of(1, 1), beta: null, epsilon: 1e-3 };
 */
export interface LayerNormWeights {
  /** Scale, one per position of the normalised axes (row-major in ascending axis order), or `null`. */
  readonly gamma: Float32Array | null;
  /** Offset, laid out as `gamma`, or `null`. */
  readonly beta: Float32Array | null;
  readonly epsilon: number;
}

/**
 * Layer normalisation (Keras 3 `LayerNormalization`): over the given axes of
 * each sample, `(x - mean) / sqrt(variance + epsilon) * gamma + beta`, with the
 * biased variance. Keras reshapes `gamma` (whose shape lists the axes in the
 * order the user gave) to the broadcast shape, i.e. reads its values
 * row-major in ascending axis order; so does this kernel. Float64 inside,
 * float32 out.
 *
 * @example
 * ```ts
 * layerNorm({ shape: [1, 2], data: Float32Array.of(1, 3) }, [1], { gamma: null, beta: null, epsilon: 0 }); // [-1, 1]
 * ```
 */
export function layerNorm(x: Tensor, axes: readonly number[], w: LayerNormWeights): Tensor {
  checkTensor(x, "layerNorm input");
  const { groups, positions, group, position } = axisGroups(x.shape, axes);
  for (const [what, v] of [
    ["gamma", w.gamma],
    ["beta", w.beta],
  ] as const) {
    if (v !== null && v.length !== positions) throw new RangeError(`layerNorm: ${what} has ${v.length} values for ${positions} positions`);
  }
  const src = x.data;
  const mean = new Float64Array(groups);
  for (let i = 0; i < src.length; i++) mean[group[i]] += src[i];
  for (let g = 0; g < groups; g++) mean[g] /= positions;
  const variance = new Float64Array(groups);
  for (let i = 0; i < src.length; i++) {
    const d = src[i] - mean[group[i]];
    variance[group[i]] += d * d;
  }
  const inv = new Float64Array(groups);
  for (let g = 0; g < groups; g++) inv[g] = 1 / Math.sqrt(variance[g] / positions + w.epsilon);
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const g = group[i];
    const p = position[i];
    const normalised = (src[i] - mean[g]) * inv[g];
    out[i] = normalised * (w.gamma === null ? 1 : w.gamma[p]) + (w.beta === null ? 0 : w.beta[p]);
  }
  return { shape: [...x.shape], data: out };
}
