/** A dense float32 tensor, row-major, channels-last; declared once in `types/tensor.ts`. */
import type { Tensor } from "../../types/tensor.js";
export type { Tensor };

/**
 * Number of elements of a tensor with the given shape (1 for rank 0).
 *
 * Throws a RangeError for a dimension that is not a non-negative safe
 * integer, because a silently fractional or negative size would later surface
 * as a confusing out-of-bounds read far from its cause.
 *
 * @example
 * ```ts
 * sizeOf([64, 28, 28, 1]); // 50176
 * sizeOf([]);              // 1
 * ```
 */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) {
      throw new RangeError(`sizeOf: invalid dimension ${String(d)} in shape [${shape.join(", ")}]`);
    }
    n *= d;
  }
  return n;
}

/**
 * Throws a RangeError unless `t.data.length` equals the product of `t.shape`
 * and the rank is `rank` (when given). Internal to the kernels: it makes a
 * malformed tensor fail at the kernel boundary instead of producing NaNs from
 * typed-array reads past the end.
 *
 * @example
 * ```ts
 * checkTensor({ shape: [2, 2], data: new Float32Array(3) }, "dense input", 2); // throws RangeError
 * ```
 */
export function checkTensor(t: Tensor, what: string, rank?: number): void {
  if (rank !== undefined && t.shape.length !== rank) {
    throw new RangeError(`${what}: expected rank ${rank}, got shape [${t.shape.join(", ")}]`);
  }
  const n = sizeOf(t.shape);
  if (t.data.length !== n) {
    throw new RangeError(`${what}: data length ${t.data.length} does not match shape [${t.shape.join(", ")}] (${n} elements)`);
  }
}

/**
 * Checks a layer kernel's optional bias: a rank-1 tensor with one entry per
 * output (`outputs` counted in `unit`: filters, units), RangeError otherwise.
 *
 * @example
 * ```ts
 * checkBias(bias, 32, "conv2d", "filters"); // throws unless bias is null or [32]
 * ```
 */
export function checkBias(bias: Tensor | null, outputs: number, what: string, unit: string): void {
  if (bias === null) return;
  checkTensor(bias, `${what} bias`, 1);
  if (bias.shape[0] !== outputs) throw new RangeError(`${what}: bias has ${bias.shape[0]} entries, kernel has ${outputs} ${unit}`);
}

/**
 * The shape check every backward kernel starts with, after its forward
 * twin's geometry: the output gradient must have exactly the shape of the
 * forward output (RangeError otherwise), so a misrouted gradient fails here
 * instead of reading past the end or summing the wrong cells.
 *
 * @example
 * ```ts
 * checkOutputGradient(dy, [n, oh, ow, cout], "conv2d"); // throws unless dy.shape is [n, oh, ow, cout]
 * ```
 */
export function checkOutputGradient(dOut: Tensor, expected: readonly number[], what: string): void {
  checkTensor(dOut, `${what} output gradient`, expected.length);
  if (dOut.shape.some((d, i) => d !== expected[i])) {
    throw new RangeError(`${what} backward: output gradient of shape [${dOut.shape.join(", ")}] for an output of [${expected.join(", ")}]`);
  }
}
