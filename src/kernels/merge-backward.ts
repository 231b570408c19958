/**
 * The backward pass of the element-wise merges (Keras `Add`, `Subtract`,
 * `Multiply`, `Average`, `Maximum`, `Minimum`), broadcasting as their
 * forward pass does: a gradient read from a broadcast axis is summed back
 * into it. `Maximum` and `Minimum` fold the inputs in order as the forward
 * pass does, and each output's gradient goes to the input that won the fold
 * (ties to the earlier input, as TensorFlow's `maximum` gradient gives them
 * to its first argument).
 */
import { forEachLine, squaredSum } from "./merge.js";
import { stridesOf } from "./reshape-ops.js";
import type { Tensor } from "./tensor.js";

/** The element-wise merge kinds. */
export type ElementwiseKind = "add" | "subtract" | "multiply" | "average" | "maximum" | "minimum";

/** Strides that read an input while walking the output, 0 along broadcast axes (lower ranks are padded at axis 1). */
function readStrides(shape: readonly number[], out: readonly number[]): number[] {
  const padded = [shape[0], ...new Array<number>(out.length - shape.length).fill(1), ...shape.slice(1)];
  const strides = stridesOf(padded);
  return padded.map((d, k) => (d === 1 && out[k] !== 1 ? 0 : strides[k]));
}

/**
 * The gradient of every input of an element-wise merge, given the output's.
 *
 * @example
 * const [da, db] = elementwiseBackward("multiply", [a, b], dy);
 */
export function elementwiseBackward(kind: ElementwiseKind, inputs: readonly Tensor[], dOutput: Tensor): Tensor[] {
  const outShape = dOutput.shape;
  const size = dOutput.data.length;
  const n = inputs.length;
  const strides = inputs.map((t) => readStrides(t.shape, outShape));
  const grads = inputs.map((t) => new Float32Array(t.data.length));
  const datas = inputs.map((t) => t.data);
  const offsets = new Array<number>(n).fill(0);
  const index = new Array<number>(outShape.length).fill(0);
  const values = new Float64Array(n);
  const prefix = new Float64Array(n + 1);
  for (let o = 0; o < size; o++) {
    const d = dOutput.data[o];
    switch (kind) {
      case "add":
        for (let k = 0; k < n; k++) grads[k][offsets[k]] += d;
        break;
      case "average":
        for (let k = 0; k < n; k++) grads[k][offsets[k]] += d / n;
        break;
      case "subtract":
        grads[0][offsets[0]] += d;
        grads[1][offsets[1]] -= d;
        break;
      case "multiply": {
        for (let k = 0; k < n; k++) values[k] = datas[k][offsets[k]];
        prefix[0] = 1;
        for (let k = 0; k < n; k++) prefix[k + 1] = prefix[k] * values[k];
        let suffix = 1;
        for (let k = n - 1; k >= 0; k--) {
          grads[k][offsets[k]] += d * prefix[k] * suffix;
          suffix *= values[k];
        }
        break;
      }
      default: {
        let acc = datas[0][offsets[0]];
        let winner = 0;
        for (let k = 1; k < n; k++) {
          const x = datas[k][offsets[k]];
          const keep = kind === "maximum" ? acc >= x || Number.isNaN(acc) : acc <= x || Number.isNaN(acc);
          if (!keep) {
            acc = x;
            winner = k;
          }
        }
        grads[winner][offsets[winner]] += d;
      }
    }
    // Odometer over the output index: advance the last axis, carry leftwards.
    for (let axis = outShape.length - 1; axis >= 0; axis--) {
      index[axis]++;
      for (let k = 0; k < n; k++) offsets[k] += strides[k][axis];
      if (index[axis] < outShape[axis]) break;
      for (let k = 0; k < n; k++) offsets[k] -= strides[k][axis] * outShape[axis];
      index[axis] = 0;
    }
  }
  return grads.map((data, k) => ({ shape: [...inputs[k].shape], data }));
}

/**
 * The gradients of a batched matrix product `out[b] = x[b] (m×k) · y[b] (k×n)`
 * (flat, row-major), given `dOut` (`[batch, m, n]`).
 *
 * @example
 * const { dx, dy } = batchMatMulBackward(x, y, dOut, batch, m, k, n);
 */
export function batchMatMulBackward(
  x: Float32Array,
  y: Float32Array,
  dOut: Float32Array,
  batch: number,
  m: number,
  k: number,
  n: number,
): { dx: Float32Array; dy: Float32Array } {
  const dx = new Float32Array(batch * m * k);
  const dy = new Float32Array(batch * k * n);
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < m; i++) {
      for (let q = 0; q < k; q++) {
        let sum = 0;
        for (let j = 0; j < n; j++) sum += dOut[(b * m + i) * n + j] * y[(b * k + q) * n + j];
        dx[(b * m + i) * k + q] = sum;
      }
    }
    for (let q = 0; q < k; q++) {
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let i = 0; i < m; i++) sum += x[(b * m + i) * k + q] * dOut[(b * m + i) * n + j];
        dy[(b * k + q) * n + j] = sum;
      }
    }
  }
  return { dx, dy };
}

/**
 * The gradient of Keras 3's `normalize(x, axis)` (`x * min(1 / norm, 1e7)`)
 * from the input and the output's gradient.
 *
 * @example
 * const dx = l2NormalizeBackward(x, 1, dNormalised);
 */
export function l2NormalizeBackward(x: Tensor, axis: number, dOut: Tensor): Tensor {
  const dx = new Float32Array(x.data.length);
  forEachLine(x.shape, axis, (base, step, length) => {
    const inverse = 1 / Math.sqrt(squaredSum(x.data, base, step, length));
    if (!(inverse < 1e7)) {
      // The scale is clamped to the constant 1e7 there: the gradient is that constant times the output's.
      for (let q = 0; q < length; q++) dx[base + q * step] = 1e7 * dOut.data[base + q * step];
      return;
    }
    let dot = 0;
    for (let q = 0; q < length; q++) dot += dOut.data[base + q * step] * x.data[base + q * step] * inverse;
    for (let q = 0; q < length; q++) {
      const at = base + q * step;
      dx[at] = inverse * (dOut.data[at] - x.data[at] * inverse * dot);
    }
  });
  return { shape: [...x.shape], data: dx };
}
