/**
 * Data movement without arithmetic, for the reshaping layers (and the
 * channels-first paths of pooling): axis permutation, zero padding,
 * cropping and nearest-neighbour repetition, on row-major float32 tensors
 * of any rank.
 */
import { checkTensor, sizeOf } from "./tensor.js";
import type { Tensor } from "./tensor.js";

/**
 * Row-major strides of a shape: `strides[i]` is the distance between neighbours along axis `i`.
 *
 * @example
 * ```ts
 * stridesOf([2, 3, 4]); // [12, 4, 1]
 * ```
 */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

/**
 * Calls `visit(outIndex, inIndex)` for every output element, walking the
 * output in row-major order with an odometer; `inStep[i]` is how far the
 * input index moves when output axis `i` advances by one, `inStart` the input
 * index of output element 0. The innermost axis runs as a plain loop.
 */
function walk(outShape: readonly number[], inStep: readonly number[], inStart: number, visit: (o: number, i: number) => void): void {
  const rank = outShape.length;
  const total = sizeOf(outShape);
  if (total === 0) return;
  if (rank === 0) {
    visit(0, inStart);
    return;
  }
  const counter = new Array<number>(rank).fill(0);
  const inner = outShape[rank - 1];
  const innerStep = inStep[rank - 1];
  let base = inStart;
  for (let o = 0; o < total; o += inner) {
    let i = base;
    for (let k = 0; k < inner; k++, i += innerStep) visit(o + k, i);
    // Advance the odometer over the outer axes.
    for (let axis = rank - 2; axis >= 0; axis--) {
      counter[axis]++;
      base += inStep[axis];
      if (counter[axis] < outShape[axis]) break;
      base -= inStep[axis] * outShape[axis];
      counter[axis] = 0;
    }
  }
}

/**
 * Permutes the axes of a tensor: output axis `i` is input axis `perm[i]`
 * (`numpy.transpose` / `ops.transpose`).
 *
 * @example
 * ```ts
 * transpose({ shape: [1, 2, 3], data }, [0, 2, 1]).shape; // [1, 3, 2]
 * ```
 */
export function transpose(input: Tensor, perm: readonly number[]): Tensor {
  checkTensor(input, "transpose input", perm.length);
  const seen = new Set(perm);
  if (seen.size !== perm.length || perm.some((p) => !Number.isInteger(p) || p < 0 || p >= perm.length)) {
    throw new RangeError(`transpose: [${perm.join(", ")}] is not a permutation of 0..${perm.length - 1}`);
  }
  if (perm.every((p, i) => p === i)) return { shape: [...input.shape], data: new Float32Array(input.data) };
  const inStrides = stridesOf(input.shape);
  const outShape = perm.map((p) => input.shape[p]);
  const out = new Float32Array(input.data.length);
  const x = input.data;
  walk(
    outShape,
    perm.map((p) => inStrides[p]),
    0,
    (o, i) => {
      out[o] = x[i];
    },
  );
  return { shape: outShape, data: out };
}

/**
 * Adds `pads[i][0]` zeros before and `pads[i][1]` after axis `i` (Keras
 * `ops.pad` with constant 0).
 *
 * @example
 * ```ts
 * padZeros({ shape: [1, 2, 2, 1], data }, [[0, 0], [1, 1], [1, 1], [0, 0]]).shape; // [1, 4, 4, 1]
 * ```
 */
export function padZeros(input: Tensor, pads: readonly (readonly [number, number])[]): Tensor {
  checkTensor(input, "padZeros input", pads.length);
  if (pads.some(([a, b]) => !Number.isSafeInteger(a) || !Number.isSafeInteger(b) || a < 0 || b < 0)) {
    throw new RangeError(`padZeros: paddings must be non-negative integers, got ${JSON.stringify(pads)}`);
  }
  const outShape = input.shape.map((d, i) => d + pads[i][0] + pads[i][1]);
  const out = new Float32Array(sizeOf(outShape));
  const outStrides = stridesOf(outShape);
  const start = pads.reduce((s, [before], i) => s + before * outStrides[i], 0);
  const x = input.data;
  // Walk the input and scatter into the interior of the zero-filled output.
  walk(input.shape, outStrides, start, (i, o) => {
    out[o] = x[i];
  });
  return { shape: outShape, data: out };
}

/**
 * Removes `crops[i][0]` entries from the start and `crops[i][1]` from the end
 * of axis `i`; every axis must keep at least one entry.
 *
 * @example
 * ```ts
 * crop({ shape: [1, 28, 28, 3], data }, [[0, 0], [2, 2], [4, 4], [0, 0]]).shape; // [1, 24, 20, 3]
 * ```
 */
export function crop(input: Tensor, crops: readonly (readonly [number, number])[]): Tensor {
  checkTensor(input, "crop input", crops.length);
  const outShape = input.shape.map((d, i) => d - crops[i][0] - crops[i][1]);
  if (crops.some(([a, b]) => !Number.isSafeInteger(a) || !Number.isSafeInteger(b) || a < 0 || b < 0) || outShape.some((d) => d < 1)) {
    throw new RangeError(`crop: croppings ${JSON.stringify(crops)} do not fit shape [${input.shape.join(", ")}]`);
  }
  const inStrides = stridesOf(input.shape);
  const start = crops.reduce((s, [before], i) => s + before * inStrides[i], 0);
  const out = new Float32Array(sizeOf(outShape));
  const x = input.data;
  walk(outShape, inStrides, start, (o, i) => {
    out[o] = x[i];
  });
  return { shape: outShape, data: out };
}

/**
 * Repeats every entry `factors[i]` times along axis `i` (nearest-neighbour
 * up-sampling, Keras `ops.repeat` per axis).
 *
 * @example
 * ```ts
 * repeatEach({ shape: [1, 2, 2, 1], data: Float32Array.of(1, 2, 3, 4) }, [1, 2, 2, 1]).data;
 * // [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]
 * ```
 */
export function repeatEach(input: Tensor, factors: readonly number[]): Tensor {
  checkTensor(input, "repeatEach input", factors.length);
  if (factors.some((f) => !Number.isSafeInteger(f) || f < 1)) {
    throw new RangeError(`repeatEach: factors must be positive integers, got [${factors.join(", ")}]`);
  }
  const outShape = input.shape.map((d, i) => d * factors[i]);
  const inStrides = stridesOf(input.shape);
  const out = new Float32Array(sizeOf(outShape));
  const x = input.data;
  const rank = outShape.length;
  if (rank === 0) return { shape: [], data: new Float32Array(x) };
  // Output index along each axis maps to input index floor(o / factor); the
  // innermost axis is expanded per output row, outer axes by the odometer.
  const counter = new Array<number>(rank).fill(0);
  const inner = outShape[rank - 1];
  const innerFactor = factors[rank - 1];
  const innerStride = inStrides[rank - 1];
  const total = out.length;
  for (let o = 0; o < total; o += inner) {
    let base = 0;
    for (let axis = 0; axis < rank - 1; axis++) base += Math.floor(counter[axis] / factors[axis]) * inStrides[axis];
    for (let k = 0; k < inner; k++) out[o + k] = x[base + Math.floor(k / innerFactor) * innerStride];
    for (let axis = rank - 2; axis >= 0; axis--) {
      counter[axis]++;
      if (counter[axis] < outShape[axis]) break;
      counter[axis] = 0;
    }
  }
  return { shape: outShape, data: out };
}
