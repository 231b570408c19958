/**
 * Kernels of the activation layers whose options the plain `activation`
 * kernels do not cover: ReLU with slope, threshold and ceiling, LeakyReLU,
 * PReLU, ELU with `alpha`, softmax over any axes. Formulas follow Keras 3
 * (`keras/src/activations/activations.py`, `keras/src/layers/activations/`).
 */
import { axisGroups } from "./norm-layer.js";
import { checkTensor } from "./tensor.js";
import type { Tensor } from "./tensor.js";

/**
 * The options of Keras 3 `relu`.
 *
 * @example
 * const relu6: ReluOptions = { negativeSlope: 0, maxValue: 6, threshold: 0 };
 */
export interface ReluOptions {
  readonly negativeSlope: number;
  /** `null` for no ceiling. */
  readonly maxValue: number | null;
  readonly threshold: number;
}

function map(x: Tensor, what: string, f: (v: number) => number): Tensor {
  checkTensor(x, what);
  const src = x.data;
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = f(src[i]);
  return { shape: [...x.shape], data: out };
}

/**
 * Keras 3 `relu(x, negative_slope, max_value, threshold)`: values above
 * `threshold` pass (capped at `maxValue`), others become
 * `negativeSlope * (x - threshold)`. With a slope and neither ceiling nor
 * threshold it is `leaky_relu`, as in Keras.
 *
 * @example
 * ```ts
 * kerasRelu({ shape: [3], data: Float32Array.of(-10, 5, 10) }, { negativeSlope: 0.5, maxValue: 6, threshold: 0 }).data; // [-5, 5, 6]
 * ```
 */
export function kerasRelu(x: Tensor, o: ReluOptions): Tensor {
  const { negativeSlope: slope, maxValue, threshold } = o;
  if (slope !== 0 && maxValue === null && threshold === 0) return leakyRelu(x, slope);
  return map(x, "kerasRelu input", (v) => {
    // `v > threshold ? v : 0`, as Keras' `x * (x > threshold)`; `v < 0 ? 0 : v` keeps NaN, as relu does.
    let y = threshold !== 0 ? (v > threshold ? v : 0) : v < 0 ? 0 : v;
    if (maxValue !== null) y = y > maxValue ? maxValue : y;
    if (slope !== 0) {
      const below = threshold - v;
      y -= slope * (below > 0 ? below : 0);
    }
    return y;
  });
}

/**
 * `x` for `x >= 0`, `alpha * x` below (Keras `LeakyReLU`, TF.js `leakyRelu`).
 *
 * @example
 * ```ts
 * leakyRelu({ shape: [2], data: Float32Array.of(-2, 3) }, 0.3).data; // [-0.6, 3]
 * ```
 */
export function leakyRelu(x: Tensor, alpha: number): Tensor {
  return map(x, "leakyRelu input", (v) => (v >= 0 ? v : alpha * v));
}

/**
 * `x` for `x > 0`, `alpha * (exp(x) - 1)` otherwise (Keras `ELU`).
 *
 * @example
 * ```ts
 * elu({ shape: [2], data: Float32Array.of(-1, 2) }, 0.5).data; // [-0.316, 2]
 * ```
 */
export function elu(x: Tensor, alpha: number): Tensor {
  return map(x, "elu input", (v) => (v > 0 ? v : alpha * Math.expm1(v)));
}

/**
 * Parametric ReLU (Keras `PReLU`): `relu(x) - alpha * relu(-x)`, `alpha`
 * shaped like one sample with size 1 along shared axes and broadcast there.
 *
 * @example
 * ```ts
 * prelu({ shape: [1, 2], data: Float32Array.of(-2, 3) }, { shape: [2], data: Float32Array.of(0.5, 0.5) }).data; // [-1, 3]
 * ```
 */
export function prelu(x: Tensor, alpha: Tensor): Tensor {
  checkTensor(x, "prelu input");
  checkTensor(alpha, "prelu alpha");
  const rank = x.shape.length;
  if (alpha.shape.length !== rank - 1) throw new RangeError(`prelu: alpha shape [${alpha.shape.join(", ")}] does not fit input [${x.shape.join(", ")}]`);
  for (let d = 1; d < rank; d++) {
    const a = alpha.shape[d - 1];
    if (a !== 1 && a !== x.shape[d]) throw new RangeError(`prelu: alpha shape [${alpha.shape.join(", ")}] does not fit input [${x.shape.join(", ")}]`);
  }
  // Strides into alpha, 0 along broadcast (shared) axes.
  const strides = new Array<number>(rank).fill(0);
  let stride = 1;
  for (let d = rank - 1; d >= 1; d--) {
    strides[d] = alpha.shape[d - 1] === 1 ? 0 : stride;
    stride *= alpha.shape[d - 1];
  }
  const src = x.data;
  const out = new Float32Array(src.length);
  const coord = new Array<number>(rank).fill(0);
  for (let i = 0; i < src.length; i++) {
    const v = src[i];
    if (v < 0) {
      let a = 0;
      for (let d = 1; d < rank; d++) a += coord[d] * strides[d];
      out[i] = alpha.data[a] * v;
    } else {
      out[i] = v;
    }
    for (let d = rank - 1; d >= 0; d--) {
      if (++coord[d] < x.shape[d]) break;
      coord[d] = 0;
    }
  }
  return { shape: [...x.shape], data: out };
}

/**
 * Softmax over one or more axes (Keras `Softmax`): `exp(x - max) / sum(exp(x - max))`
 * within each group of the other axes. Float64 inside, float32 out.
 *
 * @example
 * ```ts
 * softmaxAxes({ shape: [2, 2], data: Float32Array.of(0, 0, 1, 1) }, [0]).data; // [0.269, 0.269, 0.731, 0.731]
 * ```
 */
export function softmaxAxes(x: Tensor, axes: readonly number[]): Tensor {
  checkTensor(x, "softmaxAxes input");
  const { groups, group } = axisGroups(x.shape, axes);
  const src = x.data;
  const max = new Float64Array(groups).fill(-Infinity);
  for (let i = 0; i < src.length; i++) if (src[i] > max[group[i]]) max[group[i]] = src[i];
  const sum = new Float64Array(groups);
  const e = new Float64Array(src.length);
  for (let i = 0; i < src.length; i++) {
    e[i] = Math.exp(src[i] - max[group[i]]);
    sum[group[i]] += e[i];
  }
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = e[i] / sum[group[i]];
  return { shape: [...x.shape], data: out };
}
