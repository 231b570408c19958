/**
 * The backward twin of {@link activateInto}: the gradient of each Keras 3
 * activation, from its input `z` and its output `y` (whichever is cheaper or
 * more accurate), in float64, rounded once.
 */
import { erfc, isActivationName } from "./activations.js";
import type { ActivationName } from "./activations.js";
import type { Tensor } from "./tensor.js";

const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

function sigmoid(v: number): number {
  return 1 / (1 + Math.exp(-v));
}

/** d activation / dz, element-wise, from z and y = activation(z). */
const SLOPE: Record<Exclude<ActivationName, "softmax" | "log_softmax">, (z: number, y: number) => number> = {
  linear: () => 1,
  relu: (z) => (z > 0 ? 1 : 0),
  relu6: (z) => (z > 0 && z < 6 ? 1 : 0),
  elu: (z, y) => (z > 0 ? 1 : y + 1),
  selu: (z) => (z > 0 ? SELU_SCALE : SELU_SCALE * SELU_ALPHA * Math.exp(z)),
  // d/dz 0.5 z erfc(-z/√2) = 0.5 erfc(-z/√2) + z φ(z)
  gelu: (z) => 0.5 * erfc(-z * Math.SQRT1_2) + (z * Math.exp(-0.5 * z * z)) / Math.sqrt(2 * Math.PI),
  swish: (z) => {
    const s = sigmoid(z);
    return s * (1 + z * (1 - s));
  },
  silu: (z) => {
    const s = sigmoid(z);
    return s * (1 + z * (1 - s));
  },
  sigmoid: (_, y) => y * (1 - y),
  hard_sigmoid: (z) => (z > -3 && z < 3 ? 1 / 6 : 0),
  tanh: (_, y) => 1 - y * y,
  softplus: (z) => sigmoid(z),
  softsign: (z) => 1 / (1 + Math.abs(z)) ** 2,
  exponential: (_, y) => y,
};

/**
 * The gradient with respect to the activation's input, given the input `z`,
 * the output `y` and the output's gradient `dy` (all of `shape`). Softmax and
 * log-softmax use their Jacobian over the last axis.
 *
 * @example
 * ```ts
 * const dz = activationBackward("relu", [1, 2], Float32Array.of(-1, 2), Float32Array.of(0, 2), Float32Array.of(5, 5));
 * // dz = [0, 5]
 * ```
 */
export function activationBackward(name: ActivationName, shape: readonly number[], z: Float32Array, y: Float32Array, dy: Float32Array): Float32Array {
  if (!isActivationName(name)) throw new TypeError(`activationBackward: unknown activation ${JSON.stringify(name)}`);
  const dz = new Float32Array(dy.length);
  if (name === "softmax" || name === "log_softmax") {
    const len = shape[shape.length - 1];
    for (let off = 0; off < dy.length; off += len) {
      if (name === "softmax") {
        let dot = 0;
        for (let i = 0; i < len; i++) dot += dy[off + i] * y[off + i];
        for (let i = 0; i < len; i++) dz[off + i] = y[off + i] * (dy[off + i] - dot);
      } else {
        let sum = 0;
        for (let i = 0; i < len; i++) sum += dy[off + i];
        for (let i = 0; i < len; i++) dz[off + i] = dy[off + i] - Math.exp(y[off + i]) * sum;
      }
    }
    return dz;
  }
  const slope = SLOPE[name];
  for (let i = 0; i < dy.length; i++) dz[i] = dy[i] * slope(z[i], y[i]);
  return dz;
}

/**
 * {@link activationBackward} on tensors: the gradient of a layer's
 * pre-activation `z` from its output `y` and the output's gradient `dy`
 * (`dy` itself for `linear`).
 *
 * @example
 * ```ts
 * const dz = activationGradient("relu", z, y, dy);
 * ```
 */
export function activationGradient(name: ActivationName, z: Tensor, y: Tensor, dy: Tensor): Tensor {
  if (name === "linear") return dy;
  return { shape: [...dy.shape], data: activationBackward(name, dy.shape, z.data, y.data, dy.data) };
}
