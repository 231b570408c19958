/**
 * Batch normalisation at inference folded into the product before it: a
 * convolution or dense layer followed by `y = (z - mean) · γ / √(var + ε) + β`
 * is the same product on `kernel · scale` with bias `(bias - mean) · scale
 * + β`, one kernel call instead of two passes over the activations.
 */
import { checkBatchNormWeights } from "./norm-batch.js";
import type { BatchNormWeights } from "./norm-batch.js";

/**
 * A product's weights with a batch normalisation folded in: `kernel` has
 * the source kernel's layout (the last axis is the output channel).
 *
 * @example
 * ```ts
 * const f: FoldedWeights = { kernel: new Float32Array(9 * 16 * 32), bias: new Float32Array(32) };
 * ```
 */
export interface FoldedWeights {
  readonly kernel: Float32Array;
  readonly bias: Float32Array;
  /** Folded (again) by this call: packed copies made from these arrays before are stale. */
  readonly refolded: boolean;
}

interface Fold {
  readonly kernel: Float32Array;
  readonly bias: Float32Array;
  /** The arrays it was folded from, in order: kernel, bias, gamma, beta, moving mean, moving variance. */
  readonly sources: readonly (Float32Array | null)[];
  /** Each source's write count when it was folded. */
  readonly writes: number[];
  readonly epsilon: number;
}

/** Folds, keyed by the source kernel (and freed with it). */
const folds = new WeakMap<Float32Array, Fold>();
/** How many times each array was reported written in place ({@link foldSourcesWritten}). */
const writeCounts = new WeakMap<Float32Array, number>();

const writesOf = (a: Float32Array | null): number => (a === null ? 0 : (writeCounts.get(a) ?? 0));

/**
 * `kernel` and `bias` with the inference-mode batch normalisation `norm`
 * folded in, computed in float64 and rounded once; cached per source
 * kernel until one of the source arrays is replaced or reported written
 * ({@link foldSourcesWritten}), then folded again into the same arrays.
 * The statistics must have one value per output channel (the kernel's last
 * axis).
 *
 * @example
 * ```ts
 * const f = foldBatchNorm(kernel, bias, { gamma, beta, movingMean, movingVariance, epsilon: 1e-3 }, 32);
 * conv2dLayer(x, { shape: kernelShape, data: f.kernel }, { shape: [32], data: f.bias }, options, "relu");
 * ```
 */
export function foldBatchNorm(kernel: Float32Array, bias: Float32Array | null, norm: BatchNormWeights, channels: number): FoldedWeights {
  checkBatchNormWeights(norm, channels);
  if (channels === 0 || kernel.length % channels !== 0 || (bias !== null && bias.length !== channels)) {
    throw new RangeError(`foldBatchNorm: a kernel of ${kernel.length} values and a bias of ${bias?.length ?? 0} do not end in ${channels} channels`);
  }
  const sources = [kernel, bias, norm.gamma, norm.beta, norm.movingMean, norm.movingVariance];
  const writes = sources.map(writesOf);
  let fold = folds.get(kernel);
  const same = fold !== undefined && fold.epsilon === norm.epsilon && fold.sources.every((s, i) => s === sources[i]);
  if (fold !== undefined && same && fold.writes.every((w, i) => w === writes[i])) return { kernel: fold.kernel, bias: fold.bias, refolded: false };
  if (fold === undefined || !same) {
    fold = { kernel: new Float32Array(kernel.length), bias: new Float32Array(channels), sources, writes, epsilon: norm.epsilon };
    folds.set(kernel, fold);
  } else fold.writes.splice(0, writes.length, ...writes);
  const scale = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    scale[c] = (norm.gamma === null ? 1 : norm.gamma[c]) / Math.sqrt(norm.movingVariance[c] + norm.epsilon);
    fold.bias[c] = ((bias === null ? 0 : bias[c]) - norm.movingMean[c]) * scale[c] + (norm.beta === null ? 0 : norm.beta[c]);
  }
  for (let i = 0, c = 0; i < kernel.length; i++, c = c + 1 === channels ? 0 : c + 1) fold.kernel[i] = kernel[i] * scale[c];
  return { kernel: fold.kernel, bias: fold.bias, refolded: true };
}

/**
 * Says that `arrays` were written in place (a training step writes weights
 * and statistics): folds made from them are folded again on their next use.
 *
 * @example
 * ```ts
 * foldSourcesWritten([gamma, movingMean]);
 * ```
 */
export function foldSourcesWritten(arrays: readonly Float32Array[]): void {
  for (const a of arrays) writeCounts.set(a, writesOf(a) + 1);
}
