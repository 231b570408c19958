/**
 * The backward twin of {@link dense}: `dx = dy · Wᵀ`, `dW = xᵀ · dy`,
 * `db = Σ dy`, over the same rows; float64 sums rounded once.
 */
import { denseGeometry } from "./dense.js";
import { denseBackwardFast } from "./fast-backward.js";
import { UNIT_AXIS } from "./conv-nd.js";
import { convNdBackward, reshapedGradients } from "./conv-nd-backward.js";
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
  // A dense layer is a convolution of one tap over rows of one position: the N-D reference's sums, in the same order.
  const g = convNdBackward(
    { shape: [rows, 1, 1, 1, inDim], data: input.data },
    { shape: [1, 1, 1, inDim, units], data: kernel.data },
    { shape: [rows, 1, 1, 1, units], data: dOut.data },
    [UNIT_AXIS, UNIT_AXIS, UNIT_AXIS],
    1,
  );
  return reshapedGradients(g, input, kernel);
}
