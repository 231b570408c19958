/**
 * The backward twin of {@link dense}: `dx = dy · Wᵀ`, `dW = xᵀ · dy`,
 * `db = Σ dy`, over the same rows; float64 sums rounded once.
 */
import { denseGeometry } from "./dense.js";
import { denseBackwardFast } from "./fast-backward.js";
import type { Tensor } from "./tensor.js";

/** Gradients of a dense layer with respect to its input, kernel and bias. */
export interface DenseGradients {
  readonly input: Tensor;
  readonly kernel: Tensor;
  readonly bias: Tensor;
}

/**
 * Gradients of `dense(input, kernel, bias)` given the gradient of its output.
 *
 * @example
 * ```ts
 * const g = denseBackward(x, w, dy); // g.kernel.shape equals w.shape
 * ```
 */
export function denseBackward(input: Tensor, kernel: Tensor, dOut: Tensor): DenseGradients {
  const { rows, inDim, units } = denseGeometry(input, kernel, null);
  if (dOut.data.length !== rows * units) {
    throw new RangeError(`dense backward: output gradient of ${dOut.data.length} values for ${rows} rows of ${units} units`);
  }
  const quick = denseBackwardFast(input, kernel, dOut);
  if (quick !== null) return quick;
  const x = input.data;
  const wData = kernel.data;
  const dy = dOut.data;
  const dx = new Float32Array(x.length);
  const dw = new Float64Array(wData.length);
  const db = new Float64Array(units);
  for (let r = 0; r < rows; r++) {
    const yOff = r * units;
    const xOff = r * inDim;
    for (let j = 0; j < units; j++) db[j] += dy[yOff + j];
    for (let i = 0; i < inDim; i++) {
      const v = x[xOff + i];
      const wOff = i * units;
      let sum = 0;
      for (let j = 0; j < units; j++) {
        sum += dy[yOff + j] * wData[wOff + j];
        dw[wOff + j] += v * dy[yOff + j];
      }
      dx[xOff + i] = sum;
    }
  }
  return {
    input: { shape: [...input.shape], data: dx },
    kernel: { shape: [...kernel.shape], data: Float32Array.from(dw) },
    bias: { shape: [units], data: Float32Array.from(db) },
  };
}
