import { checkTensor } from "./tensor.js";
import type { Tensor } from "./tensor.js";
import { convOutputGeometry } from "../shape.js";

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

function pool2d(kind: PoolKind, input: Tensor, options: Pool2dOptions): Tensor<readonly [number, number, number, number]> {
  const { n, h, w, c, ph, pw, sh, sw, oh, ow, padTop, padLeft } = pool2dGeometry(kind, input, options);
  const x = input.data;
  const out = new Float32Array(n * oh * ow * c);
  const acc = new Float64Array(c);
  const isMax = kind === "max";

  let o = 0;
  for (let bi = 0; bi < n; bi++) {
    for (let oy = 0; oy < oh; oy++) {
      // Clip the window to the real rows: padded cells take no part in either
      // reduction, which is what makes "same" average pooling divide by the
      // number of real cells (TF.js `avgValue / count`, Keras `window_counts`).
      const yStart = oy * sh - padTop;
      const y0 = Math.max(yStart, 0);
      const y1 = Math.min(yStart + ph, h);
      for (let ox = 0; ox < ow; ox++) {
        const xStart = ox * sw - padLeft;
        const x0 = Math.max(xStart, 0);
        const x1 = Math.min(xStart + pw, w);
        acc.fill(isMax ? -Infinity : 0);
        for (let iy = y0; iy < y1; iy++) {
          const rowBase = (bi * h + iy) * w;
          for (let ix = x0; ix < x1; ix++) {
            const off = (rowBase + ix) * c;
            if (isMax) {
              // `>` (not Math.max) mirrors TF.js cpu: a NaN cell never wins.
              for (let ch = 0; ch < c; ch++) {
                const v = x[off + ch];
                if (v > acc[ch]) acc[ch] = v;
              }
            } else {
              for (let ch = 0; ch < c; ch++) acc[ch] += x[off + ch];
            }
          }
        }
        if (isMax) {
          for (let ch = 0; ch < c; ch++) out[o++] = acc[ch];
        } else {
          // Every window holds at least one real cell: "same" pads at most
          // poolSize - 1 in total and output windows start before the input ends.
          const count = (y1 - y0) * (x1 - x0);
          for (let ch = 0; ch < c; ch++) out[o++] = acc[ch] / count;
        }
      }
    }
  }
  return { shape: [n, oh, ow, c], data: out };
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
