/**
 * The backward pass of the element-wise merges (Keras `Add`, `Subtract`,
 * `Multiply`, `Average`, `Maximum`, `Minimum`), broadcasting as their
 * forward pass does: a gradient read from a broadcast axis is summed back
 * into it. `Maximum` and `Minimum` fold the inputs in order as the forward
 * pass does, and each output's gradient goes to the input that won the fold
 * (ties to the earlier input, as TensorFlow's `maximum` gradient gives them
 * to its first argument).
 */
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
