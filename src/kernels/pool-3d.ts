/**
 * 3-D max and average pooling, channels-last: `[n, d, h, w, c]` →
 * `[n, od, oh, ow, c]`, with the window geometry of {@link convOutputGeometry}
 * on each axis (the odd "same" pad goes after).
 */
import { checkTensor } from "./tensor.js";
import type { Tensor } from "./tensor.js";
import { poolWindows, walkWindows } from "./windows.js";

/**
 * Options of {@link maxPool3d} and {@link averagePool3d}, per axis `[depth, height, width]`.
 *
 * @example
 * ```ts
 * const opts: Pool3dOptions = { poolSize: [2, 2, 2], strides: [2, 2, 2], padding: "valid" };
 * ```
 */
export interface Pool3dOptions {
  readonly poolSize: readonly [number, number, number];
  readonly strides: readonly [number, number, number];
  readonly padding: "valid" | "same";
}

function pool3d(kind: "max" | "avg", input: Tensor, options: Pool3dOptions): Tensor {
  checkTensor(input, `${kind === "max" ? "maxPool3d" : "averagePool3d"} input`, 5);
  const [n, d, h, w, c] = input.shape;
  // Windows are clipped to the real cells: padding never takes part, so
  // "same" averages divide by the number of real cells (Keras
  // `window_counts`, TF.js `avgValue / count`).
  const windows = poolWindows([d, h, w], options.poolSize, options.strides, options.padding);
  const [od, oh, ow] = windows.map((a) => a.length);
  const x = input.data;
  const out = new Float32Array(n * od * oh * ow * c);
  const acc = new Float64Array(c);
  const isMax = kind === "max";
  let count = 0;
  walkWindows(
    n,
    windows,
    (_, q) => {
      const off = q * c;
      count++;
      if (isMax) {
        // `>` as in TF.js cpu: a NaN cell never wins.
        for (let ch = 0; ch < c; ch++) {
          const v = x[off + ch];
          if (v > acc[ch]) acc[ch] = v;
        }
      } else {
        for (let ch = 0; ch < c; ch++) acc[ch] += x[off + ch];
      }
    },
    () => {
      acc.fill(isMax ? -Infinity : 0);
      count = 0;
    },
    (p) => {
      const o = p * c;
      if (isMax) for (let ch = 0; ch < c; ch++) out[o + ch] = acc[ch];
      else for (let ch = 0; ch < c; ch++) out[o + ch] = acc[ch] / count;
    },
  );
  return { shape: [n, od, oh, ow, c], data: out };
}

/**
 * 3-D max pooling, channels-last; padded cells are ignored.
 *
 * @example
 * ```ts
 * maxPool3d(x, { poolSize: [2, 2, 2], strides: [2, 2, 2], padding: "valid" }).shape;
 * // [1, 8, 9, 10, 3] → [1, 4, 4, 5, 3]
 * ```
 */
export function maxPool3d(input: Tensor, options: Pool3dOptions): Tensor {
  return pool3d("max", input, options);
}

/**
 * 3-D average pooling, channels-last; with `"same"` padding border windows
 * divide by their number of real cells.
 *
 * @example
 * ```ts
 * averagePool3d(x, { poolSize: [2, 2, 2], strides: [2, 2, 2], padding: "same" }).shape;
 * // [1, 8, 9, 10, 3] → [1, 4, 5, 5, 3]
 * ```
 */
export function averagePool3d(input: Tensor, options: Pool3dOptions): Tensor {
  return pool3d("avg", input, options);
}
