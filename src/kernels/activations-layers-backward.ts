/**
 * The backward twins of the activation layers' kernels
 * (`activations-layers.ts`): Keras `ReLU` with its options, `LeakyReLU`,
 * `ELU`, `PReLU` (input and `alpha`) and `Softmax` over any axes. At a kink
 * the slope is the one TensorFlow's gradients take (the left one at 0 for
 * relu, the right one for a leaky slope's `x > 0`).
 */
import type { ReluOptions } from "./activations-layers.js";
import { axisGroups } from "./norm-layer.js";
import type { Tensor } from "./tensor.js";

function mapGradient(x: Tensor, dy: Tensor, slope: (v: number, i: number) => number): Tensor {
  const out = new Float32Array(dy.data.length);
  for (let i = 0; i < out.length; i++) out[i] = dy.data[i] * slope(x.data[i], i);
  return { shape: [...dy.shape], data: out };
}

/**
 * The gradient of Keras `ReLU` (`maxValue`, `negativeSlope`, `threshold`) at input `x`.
 *
 * @example
 * reluLayerBackward(x, { maxValue: 6, negativeSlope: 0, threshold: 0 }, dy);
 */
export function reluLayerBackward(x: Tensor, o: ReluOptions, dy: Tensor): Tensor {
  const { negativeSlope: slope, maxValue, threshold } = o;
  return mapGradient(x, dy, (v) => {
    if (v > threshold) return maxValue !== null && v >= maxValue ? 0 : 1;
    return v < threshold ? slope : 0;
  });
}

/**
 * The gradient of `LeakyReLU`: 1 above zero, `alpha` elsewhere.
 *
 * @example
 * leakyReluBackward(x, 0.3, dy);
 */
export function leakyReluBackward(x: Tensor, alpha: number, dy: Tensor): Tensor {
  return mapGradient(x, dy, (v) => (v > 0 ? 1 : alpha));
}

/**
 * The gradient of `ELU` from its input and output: 1 above zero, `y + alpha` elsewhere.
 *
 * @example
 * eluBackward(x, y, 1, dy);
 */
export function eluBackward(x: Tensor, y: Tensor, alpha: number, dy: Tensor): Tensor {
  return mapGradient(x, dy, (v, i) => (v > 0 ? 1 : y.data[i] + alpha));
}

/**
 * The gradients of `PReLU`: the input's (`alpha` below zero, 1 above) and
 * `alpha`'s (the input below zero, summed over the batch and shared axes).
 *
 * @example
 * const { input, alpha: dAlpha } = preluBackward(x, alpha, dy);
 */
export function preluBackward(x: Tensor, alpha: Tensor, dy: Tensor): { input: Tensor; alpha: Tensor } {
  const rank = x.shape.length;
  const strides = new Array<number>(rank).fill(0);
  let stride = 1;
  for (let d = rank - 1; d >= 1; d--) {
    strides[d] = alpha.shape[d - 1] === 1 ? 0 : stride;
    stride *= alpha.shape[d - 1];
  }
  const dx = new Float32Array(x.data.length);
  const da = new Float64Array(alpha.data.length);
  const coord = new Array<number>(rank).fill(0);
  for (let i = 0; i < dx.length; i++) {
    const v = x.data[i];
    if (v > 0) dx[i] = dy.data[i];
    else {
      let a = 0;
      for (let d = 1; d < rank; d++) a += coord[d] * strides[d];
      dx[i] = alpha.data[a] * dy.data[i];
      da[a] += v * dy.data[i];
    }
    for (let d = rank - 1; d >= 0; d--) {
      if (++coord[d] < x.shape[d]) break;
      coord[d] = 0;
    }
  }
  return { input: { shape: [...x.shape], data: dx }, alpha: { shape: [...alpha.shape], data: Float32Array.from(da) } };
}

/**
 * The gradient of a softmax over `axes` from its output `y`: `y * (dy - sum(dy * y))` per group.
 *
 * @example
 * softmaxAxesBackward(y, [1], dy);
 */
export function softmaxAxesBackward(y: Tensor, axes: readonly number[], dy: Tensor): Tensor {
  const { groups, group } = axisGroups(y.shape, axes);
  const dot = new Float64Array(groups);
  for (let i = 0; i < y.data.length; i++) dot[group[i]] += dy.data[i] * y.data[i];
  const out = new Float32Array(y.data.length);
  for (let i = 0; i < out.length; i++) out[i] = y.data[i] * (dy.data[i] - dot[group[i]]);
  return { shape: [...y.shape], data: out };
}
