/**
 * Concrete tensors at run time (type twin: `types/tensor.ts`).
 */
import type { Tensor } from "../types/tensor.js";
import { exactProduct, fail, isPositiveInteger, valueText } from "./checks.js";

/**
 * A concrete tensor from a shape and its values (row-major); zeros without values.
 *
 * @example
 * const x = tensor([2, 3], [1, 2, 3, 4, 5, 6]); // Tensor<[2, 3]>
 */
export function tensor<const S extends readonly number[]>(shape: S, data?: ArrayLike<number>): Tensor<[...S]> {
  if (!Array.isArray(shape) || !shape.every(isPositiveInteger)) {
    fail(`shapewise: tensor shape sizes must be positive integers, got ${valueText(shape)}`);
  }
  const size = exactProduct("tensor", "size", shape);
  if (data === undefined) return { shape: [...shape] as [...S], data: new Float32Array(size) };
  if (typeof data !== "object" || data === null || typeof data.length !== "number") {
    fail(`shapewise: tensor data must be an array of numbers, got ${valueText(data)}`);
  }
  if (data.length !== size) fail(`shapewise: tensor of shape ${valueText(shape)} needs ${size} values, got ${data.length}`);
  const values = Float32Array.from(data);
  for (let i = 0; i < values.length; i++) {
    if (typeof data[i] !== "number") fail(`shapewise: tensor data must be numbers, got ${valueText(data[i])} at index ${i}`);
  }
  return { shape: [...shape] as [...S], data: values };
}
