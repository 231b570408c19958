/**
 * The backward twin of 2-D pooling: the same windows, clipped to real cells.
 * Max pooling sends each output's gradient to the cell that won the forward
 * comparison (the first maximum in window order, since `>` keeps the
 * earlier of equals); average pooling spreads it evenly over the real cells.
 */
import { pool2dGeometry } from "./pooling.js";
import type { Pool2dOptions, PoolKind } from "./pooling.js";
import type { Tensor } from "./tensor.js";

/**
 * Gradient of `maxPool2d` or `averagePool2d` with respect to the input.
 *
 * @example
 * ```ts
 * const dx = pool2dBackward("max", x, dy, { poolSize: [2, 2], strides: [2, 2], padding: "valid" });
 * ```
 */
export function pool2dBackward(kind: PoolKind, input: Tensor, dOut: Tensor, options: Pool2dOptions): Tensor {
  const { n, h, w, c, ph, pw, sh, sw, oh, ow, padTop, padLeft } = pool2dGeometry(kind, input, options);
  if (dOut.data.length !== n * oh * ow * c) {
    throw new RangeError(`pool2d backward: output gradient of ${dOut.data.length} values for an output of [${[n, oh, ow, c].join(", ")}]`);
  }
  const x = input.data;
  const dy = dOut.data;
  const dx = new Float64Array(x.length);
  const best = new Float64Array(c);
  const at = new Int32Array(c);
  let o = 0;
  for (let bi = 0; bi < n; bi++) {
    for (let oy = 0; oy < oh; oy++) {
      const yStart = oy * sh - padTop;
      const y0 = Math.max(yStart, 0);
      const y1 = Math.min(yStart + ph, h);
      for (let ox = 0; ox < ow; ox++, o += c) {
        const xStart = ox * sw - padLeft;
        const x0 = Math.max(xStart, 0);
        const x1 = Math.min(xStart + pw, w);
        if (kind === "avg") {
          const share = 1 / ((y1 - y0) * (x1 - x0));
          for (let iy = y0; iy < y1; iy++) {
            for (let ix = x0; ix < x1; ix++) {
              const off = ((bi * h + iy) * w + ix) * c;
              for (let ch = 0; ch < c; ch++) dx[off + ch] += dy[o + ch] * share;
            }
          }
          continue;
        }
        best.fill(-Infinity);
        at.fill(-1);
        for (let iy = y0; iy < y1; iy++) {
          for (let ix = x0; ix < x1; ix++) {
            const off = ((bi * h + iy) * w + ix) * c;
            for (let ch = 0; ch < c; ch++) {
              if (x[off + ch] > best[ch]) {
                best[ch] = x[off + ch];
                at[ch] = off + ch;
              }
            }
          }
        }
        for (let ch = 0; ch < c; ch++) if (at[ch] >= 0) dx[at[ch]] += dy[o + ch];
      }
    }
  }
  return { shape: [...input.shape], data: Float32Array.from(dx) };
}
