/**
 * The backward pass of an embedding lookup: each looked-up row's gradient is
 * added into the table row it came from (rows not looked up get zero, the
 * dense form of Keras's sparse gradient, which its optimizers apply alike).
 * The indices themselves have no gradient.
 */
import type { Tensor } from "./tensor.js";

/**
 * The gradient of the table of `embeddingLookup(indices, table)` for the
 * output gradient `dy` (`[...indices.shape, dim]`).
 *
 * @example
 * ```ts
 * embeddingBackward({ shape: [1, 2], data: Float32Array.of(1, 1) }, [3, 2], { shape: [1, 2, 2], data: Float32Array.of(1, 2, 3, 4) }).data;
 * // [0, 0, 4, 6, 0, 0]
 * ```
 */
export function embeddingBackward(indices: Tensor, tableShape: readonly number[], dy: Tensor): Tensor {
  const [rows, dim] = tableShape;
  const out = new Float32Array(rows * dim);
  for (let i = 0; i < indices.data.length; i++) {
    const row = indices.data[i];
    for (let k = 0; k < dim; k++) out[row * dim + k] += dy.data[i * dim + k];
  }
  return { shape: [rows, dim], data: out };
}
