/**
 * Embedding lookup: each index of the input picks one row of the table.
 */
import { checkTensor } from "./tensor.js";
import type { Tensor } from "./tensor.js";

/**
 * The first input value that is not an integer index into a table of `rows`
 * rows, with its flat position; `undefined` when every value is one.
 *
 * @example
 * ```ts
 * invalidIndex(Float32Array.of(0, 3, 9), 5); // { index: 2, value: 9 }
 * ```
 */
export function invalidIndex(indices: Float32Array, rows: number): { index: number; value: number } | undefined {
  for (let i = 0; i < indices.length; i++) {
    const v = indices[i];
    if (!(Number.isInteger(v) && v >= 0 && v < rows)) return { index: i, value: v };
  }
  return undefined;
}

/**
 * Looks up rows of `table` (`[rows, dim]`) for every value of `input`, which
 * must hold integer indices in `[0, rows)` (check with {@link invalidIndex}
 * first); returns `[...input.shape, dim]`.
 *
 * @example
 * ```ts
 * const table = { shape: [3, 2], data: Float32Array.of(0, 0, 1, 1, 2, 2) };
 * embeddingLookup({ shape: [1, 2], data: Float32Array.of(2, 1) }, table).data; // [2, 2, 1, 1]
 * ```
 */
export function embeddingLookup(input: Tensor, table: Tensor): Tensor {
  checkTensor(input, "embedding input");
  checkTensor(table, "embedding table", 2);
  const [rows, dim] = table.shape;
  const bad = invalidIndex(input.data, rows);
  if (bad !== undefined) throw new RangeError(`embedding: value ${bad.value} at flat position ${bad.index} is not an index into ${rows} rows`);
  const out = new Float32Array(input.data.length * dim);
  for (let i = 0; i < input.data.length; i++) {
    const row = input.data[i];
    out.set(table.data.subarray(row * dim, (row + 1) * dim), i * dim);
  }
  return { shape: [...input.shape, dim], data: out };
}
