import { checkTensor } from "./tensor.js";
import type { Tensor } from "./tensor.js";
import { convOutputGeometry } from "../shape.js";
import { averagePool3d, maxPool3d } from "./pool-3d.js";

/**
 * Options of {@link maxPool2d} and {@link averagePool2d}; field names follow the
 * Keras layer config (`pool_size`, `strides`, `padding`).
 *
 * @example
 * ```ts
 * const opts: Pool2dOptions = { poolSize: [2, 2], strides: [2, 2], padding: "valid" };
 * ```
 */
export interface Pool2dOptions {
  readonly poolSize: readonly [number, number];
  readonly strides: readonly [number, number];
  readonly padding: "valid" | "same";
}

/**
 * Which reduction a pooling window does.
 *
 * @example
 * ```ts
 * const k: PoolKind = "avg";
 * ```
 */
export type PoolKind = "max" | "avg";

/**
 * The sizes of a pooling call, after checking the input (RangeError
 * otherwise). Shared by the reference and the fast kernels.
 *
 * @example
 * ```ts
 * pool2dGeometry("max", x, { poolSize: [2, 2], strides: [2, 2], padding: "valid" }).oh; // floor(h / 2)
 * ```
 */
export function pool2dGeometry(kind: PoolKind, input: Tensor, options: Pool2dOptions) {
  const what = kind === "max" ? "maxPool2d" : "averagePool2d";
  checkTensor(input, `${what} input`, 4);
  const [n, h, w, c] = input.shape;
  const [ph, pw] = options.poolSize;
  const [sh, sw] = options.strides;
  const gy = convOutputGeometry(h, ph, sh, 1, options.padding);
  const gx = convOutputGeometry(w, pw, sw, 1, options.padding);
  return { n, h, w, c, ph, pw, sh, sw, oh: gy.outputLength, ow: gx.outputLength, padTop: gy.padBefore, padLeft: gx.padBefore };
}

/** The 2-D windows are the 3-D kernel's with a depth of one: one loop nest, the same sums and comparisons. */
function pool2d(kind: PoolKind, input: Tensor, options: Pool2dOptions): Tensor<readonly [number, number, number, number]> {
  const { n, h, w, c, ph, pw, sh, sw, oh, ow } = pool2dGeometry(kind, input, options);
  const pool = kind === "max" ? maxPool3d : averagePool3d;
  const y = pool({ shape: [n, 1, h, w, c], data: input.data }, { poolSize: [1, ph, pw], strides: [1, sh, sw], padding: options.padding });
  return { shape: [n, oh, ow, c], data: y.data };
}

/**
 * 2-D max pooling, channels-last: `[n, h, w, c]` → `[n, oh, ow, c]`.
 * Padded cells are ignored (never treated as 0), as in Keras and TF.js.
 *
 * @example
 * ```ts
 * const y = maxPool2d(x, { poolSize: [2, 2], strides: [2, 2], padding: "valid" });
 * // [1, 28, 28, 32] → [1, 14, 14, 32]
 * ```
 */
export function maxPool2d(input: Tensor, options: Pool2dOptions): Tensor<readonly [number, number, number, number]> {
  return pool2d("max", input, options);
}

/**
 * 2-D average pooling, channels-last: `[n, h, w, c]` → `[n, oh, ow, c]`.
 * With `"same"` padding, border windows divide by the number of real
 * (non-padded) cells, as Keras 3 and TF.js do, not by `ph * pw`.
 *
 * @example
 * ```ts
 * const y = averagePool2d(x, { poolSize: [3, 3], strides: [1, 1], padding: "same" });
 * // corner output = mean of the 2x2 real cells under the window
 * ```
 */
export function averagePool2d(input: Tensor, options: Pool2dOptions): Tensor<readonly [number, number, number, number]> {
  return pool2d("avg", input, options);
}
