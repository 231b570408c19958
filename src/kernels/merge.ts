/**
 * The reference forward kernels of the merge layers: broadcast element-wise
 * merges, concatenation and the L2 normalisation of `Dot` (`normalize: true`).
 */
import { stridesOf } from "./reshape-ops.js";
import type { Tensor } from "./tensor.js";

/**
 * The element-wise merges, by their methods' names.
 *
 * @example
 * const kind: ElementwiseKind = "maximum";
 */
export type ElementwiseKind = "add" | "subtract" | "multiply" | "average" | "maximum" | "minimum";

/**
 * How to read an input while walking the output: the input's non-batch axes
 * are left-padded with 1s (Keras expands lower-rank inputs at axis 1), and an
 * axis of size 1 against a larger output size is read with stride 0.
 */
function broadcastStrides(shape: readonly number[], out: readonly number[]): number[] {
  const padded = [shape[0], ...new Array<number>(out.length - shape.length).fill(1), ...shape.slice(1)];
  const strides = stridesOf(padded);
  return padded.map((d, k) => (d === 1 && out[k] !== 1 ? 0 : strides[k]));
}

type Combine = (acc: number, x: number) => number;

const COMBINE: Readonly<Record<ElementwiseKind, Combine>> = {
  add: (a, x) => a + x,
  average: (a, x) => a + x,
  subtract: (a, x) => a - x,
  multiply: (a, x) => a * x,
  maximum: (a, x) => (a >= x || Number.isNaN(a) ? a : x),
  minimum: (a, x) => (a <= x || Number.isNaN(a) ? a : x),
};

/**
 * Folds the inputs element by element into the broadcast output shape,
 * rounding to float32 after every step as a float32 framework does when it
 * applies the binary op input by input (the reference forward pass of the
 * element-wise merges).
 *
 * @example
 * broadcastMerge("add", [a, b], [2, 4, 16]); // a + b, b's size-1 axis read with stride 0
 */
export function broadcastMerge(kind: ElementwiseKind, inputs: readonly Tensor[], outShape: readonly number[]): Tensor {
  const size = outShape.reduce((p, d) => p * d, 1);
  const out = new Float32Array(size);
  const strides = inputs.map((t) => broadcastStrides(t.shape, outShape));
  const offsets = new Array<number>(inputs.length).fill(0);
  const index = new Array<number>(outShape.length).fill(0);
  const combine = COMBINE[kind];
  const datas = inputs.map((t) => t.data);
  for (let o = 0; o < size; o++) {
    let acc = datas[0][offsets[0]];
    for (let k = 1; k < datas.length; k++) acc = Math.fround(combine(acc, datas[k][offsets[k]]));
    out[o] = kind === "average" ? acc / inputs.length : acc;
    // Odometer over the output index: advance the last axis, carry leftwards.
    for (let axis = outShape.length - 1; axis >= 0; axis--) {
      index[axis]++;
      for (let k = 0; k < offsets.length; k++) offsets[k] += strides[k][axis];
      if (index[axis] < outShape[axis]) break;
      for (let k = 0; k < offsets.length; k++) offsets[k] -= strides[k][axis] * outShape[axis];
      index[axis] = 0;
    }
  }
  return { shape: [...outShape], data: out };
}

/**
 * Keras 3 `ops.normalize(x, axis)` with order 2: `x * min(rsqrt(sum(x^2)), 1 / epsilon)`
 * with `epsilon = 1e-7`, i.e. `x / max(norm, 1e-7)`. TensorFlow.js divides
 * by `sqrt(max(sum(x^2), 1e-7))` instead, which differs only for norms below
 * about 3e-4; tf.keras 2 used `sqrt(max(sum(x^2), 1e-12))`.
 *
 * @example
 * l2Normalize(x, 1); // each row of x scaled to unit length
 */
export function l2Normalize(x: Tensor, axis: number): Tensor {
  const out = new Float32Array(x.data.length);
  forEachLine(x.shape, axis, (base, step, length) => {
    const scale = Math.fround(Math.min(1 / Math.sqrt(Math.fround(squaredSum(x.data, base, step, length))), 1e7));
    for (let k = 0; k < length; k++) out[base + k * step] = x.data[base + k * step] * scale;
  });
  return { shape: [...x.shape], data: out };
}

/**
 * Calls `visit` once per line of `shape` along `axis` (every other index
 * fixed), with the flat index of the line's first element, the distance
 * between its elements and its length: the walk of a normalisation over one
 * axis and of its gradient.
 *
 * @example
 * forEachLine([2, 3], 1, (base, step, length) => console.log(base, step, length)); // 0 1 3, then 3 1 3
 */
export function forEachLine(shape: readonly number[], axis: number, visit: (base: number, step: number, length: number) => void): void {
  const length = shape[axis];
  const inner = shape.slice(axis + 1).reduce((p, d) => p * d, 1);
  const outer = shape.slice(0, axis).reduce((p, d) => p * d, 1);
  for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) visit(o * length * inner + i, inner, length);
}

/**
 * The sum of squares of one line of `data` (see {@link forEachLine}), in float64.
 *
 * @example
 * squaredSum(Float32Array.of(3, 0, 4), 0, 2, 2); // 25
 */
export function squaredSum(data: Float32Array, base: number, step: number, length: number): number {
  let sum = 0;
  for (let k = 0; k < length; k++) sum += data[base + k * step] ** 2;
  return sum;
}

/**
 * Joins tensors along `axis` into `shape` (their checked output shape):
 * each input's block of one outer index follows the previous input's.
 *
 * @example
 * concatenateAlong([a, b], 1, [2, 8, 4]); // a [2, 3, 4] then b [2, 5, 4] along axis 1
 */
export function concatenateAlong(inputs: readonly Tensor[], axis: number, shape: readonly number[]): Tensor {
  const outer = shape.slice(0, axis).reduce((p, d) => p * d, 1);
  const chunks = inputs.map((t) => t.shape.slice(axis).reduce((p, d) => p * d, 1));
  const row = chunks.reduce((a, b) => a + b, 0);
  const out = new Float32Array(outer * row);
  for (let o = 0; o < outer; o++) {
    let at = o * row;
    inputs.forEach((t, k) => {
      out.set(t.data.subarray(o * chunks[k], (o + 1) * chunks[k]), at);
      at += chunks[k];
    });
  }
  return { shape: [...shape], data: out };
}
