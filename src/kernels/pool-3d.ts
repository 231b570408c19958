/**
 * 3-D max and average pooling, channels-last: `[n, d, h, w, c]` →
 * `[n, od, oh, ow, c]`, with the window geometry of {@link convOutputGeometry}
 * on each axis (the odd "same" pad goes after).
 */
import { checkTensor } from "./tensor.js";
import type { Tensor } from "./tensor.js";
import { convOutputGeometry } from "../shape.js";

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
  const [pd, ph, pw] = options.poolSize;
  const [sd, sh, sw] = options.strides;
  const gz = convOutputGeometry(d, pd, sd, 1, options.padding);
  const gy = convOutputGeometry(h, ph, sh, 1, options.padding);
  const gx = convOutputGeometry(w, pw, sw, 1, options.padding);
  const od = gz.outputLength;
  const oh = gy.outputLength;
  const ow = gx.outputLength;
  const x = input.data;
  const out = new Float32Array(n * od * oh * ow * c);
  const acc = new Float64Array(c);
  const isMax = kind === "max";
  let o = 0;
  for (let bi = 0; bi < n; bi++) {
    for (let oz = 0; oz < od; oz++) {
      // Windows are clipped to the real cells: padding never takes part, so
      // "same" averages divide by the number of real cells (Keras
      // `window_counts`, TF.js `avgValue / count`).
      const zStart = oz * sd - gz.padBefore;
      const z0 = Math.max(zStart, 0);
      const z1 = Math.min(zStart + pd, d);
      for (let oy = 0; oy < oh; oy++) {
        const yStart = oy * sh - gy.padBefore;
        const y0 = Math.max(yStart, 0);
        const y1 = Math.min(yStart + ph, h);
        for (let ox = 0; ox < ow; ox++) {
          const xStart = ox * sw - gx.padBefore;
          const x0 = Math.max(xStart, 0);
          const x1 = Math.min(xStart + pw, w);
          acc.fill(isMax ? -Infinity : 0);
          for (let iz = z0; iz < z1; iz++) {
            for (let iy = y0; iy < y1; iy++) {
              const rowBase = ((bi * d + iz) * h + iy) * w;
              for (let ix = x0; ix < x1; ix++) {
                const off = (rowBase + ix) * c;
                if (isMax) {
                  // `>` as in the 2-D kernel and TF.js cpu: a NaN cell never wins.
                  for (let ch = 0; ch < c; ch++) {
                    const v = x[off + ch];
                    if (v > acc[ch]) acc[ch] = v;
                  }
                } else {
                  for (let ch = 0; ch < c; ch++) acc[ch] += x[off + ch];
                }
              }
            }
          }
          if (isMax) {
            for (let ch = 0; ch < c; ch++) out[o++] = acc[ch];
          } else {
            const count = (z1 - z0) * (y1 - y0) * (x1 - x0);
            for (let ch = 0; ch < c; ch++) out[o++] = acc[ch] / count;
          }
        }
      }
    }
  }
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
