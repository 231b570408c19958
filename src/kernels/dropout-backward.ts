/**
 * The training-mode passes of the regularisation layers (Keras 3 semantics):
 * each draws a per-element factor (a dropout mask scaled by `1 / (1 - rate)`,
 * Gaussian multiplicative noise, alpha dropout's affine mask) or additive
 * noise from the step's generator, and the backward pass multiplies the
 * output gradient by the same factor.
 */
import type { Random } from "./random.js";
import type { Tensor } from "./tensor.js";

/** A standard normal draw (Box-Muller on two uniform draws; 1 - u keeps the logarithm finite). */
export function normalDraw(random: Random): number {
  const u = 1 - random.next();
  const v = random.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * Keras `Dropout` factors for `count` elements: 0 with probability `rate`,
 * `1 / (1 - rate)` otherwise.
 *
 * @example
 * dropoutFactors(4, 0.5, random); // e.g. [2, 0, 2, 2]
 */
export function dropoutFactors(count: number, rate: number, random: Random): Float32Array {
  const keep = 1 / (1 - rate);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = random.next() >= rate ? keep : 0;
  return out;
}

/**
 * Keras `GaussianDropout` factors: `1 + sqrt(rate / (1 - rate)) * N(0, 1)`.
 *
 * @example
 * gaussianFactors(4, 0.3, random);
 */
export function gaussianFactors(count: number, rate: number, random: Random): Float32Array {
  const stddev = Math.sqrt(rate / (1 - rate));
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = 1 + stddev * normalDraw(random);
  return out;
}

const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

/**
 * Keras `AlphaDropout`: dropped elements become SELU's negative saturation
 * `-alpha * scale`, then `a * x + b` keeps the mean and variance. Returns the
 * output and the factor `a * kept` the backward pass multiplies by.
 *
 * @example
 * const { output, factors } = alphaDropout(x, 0.1, random);
 */
export function alphaDropout(x: Tensor, rate: number, random: Random): { output: Tensor; factors: Float32Array } {
  const alphaP = -SELU_ALPHA * SELU_SCALE;
  const a = ((1 - rate) * (1 + rate * alphaP * alphaP)) ** -0.5;
  const b = -a * alphaP * rate;
  const out = new Float32Array(x.data.length);
  const factors = new Float32Array(x.data.length);
  for (let i = 0; i < out.length; i++) {
    const kept = random.next() >= rate;
    out[i] = a * (kept ? x.data[i] : alphaP) + b;
    factors[i] = kept ? a : 0;
  }
  return { output: { shape: [...x.shape], data: out }, factors };
}

/**
 * Factors broadcast from a smaller noise shape (spatial dropout's `[batch, 1, ..., channels]`):
 * `noise[k]` for every element whose index reduced to the noise shape is `k`.
 *
 * @example
 * broadcastFactors([2, 3, 4], [2, 1, 4], noise); // 24 factors
 */
export function broadcastFactors(shape: readonly number[], noiseShape: readonly number[], noise: Float32Array): Float32Array {
  const rank = shape.length;
  const strides = new Array<number>(rank).fill(0);
  let stride = 1;
  for (let d = rank - 1; d >= 0; d--) {
    strides[d] = noiseShape[d] === 1 ? 0 : stride;
    stride *= noiseShape[d];
  }
  const total = shape.reduce((p, d) => p * d, 1);
  const out = new Float32Array(total);
  const coord = new Array<number>(rank).fill(0);
  let at = 0;
  for (let i = 0; i < total; i++) {
    out[i] = noise[at];
    for (let d = rank - 1; d >= 0; d--) {
      at += strides[d];
      if (++coord[d] < shape[d]) break;
      at -= strides[d] * shape[d];
      coord[d] = 0;
    }
  }
  return out;
}

/**
 * `x * factors` element-wise: the training forward pass of the multiplicative
 * layers, and their backward pass on the output gradient.
 *
 * @example
 * const y = scaled(x, factors); const dx = scaled(dy, factors);
 */
export function scaled(x: Tensor, factors: Float32Array): Tensor {
  const out = new Float32Array(x.data.length);
  for (let i = 0; i < out.length; i++) out[i] = x.data[i] * factors[i];
  return { shape: [...x.shape], data: out };
}
