/**
 * The backward twin of 2-D pooling: the same windows, clipped to real cells.
 * Max pooling sends each output's gradient to the cell that won the forward
 * comparison (the first maximum in window order, since `>` keeps the
 * earlier of equals); average pooling spreads it evenly over the real cells.
 */
import { pool2dGeometry } from "./pooling.js";
import type { Pool2dOptions, PoolKind } from "./pooling.js";
import type { Pool3dOptions } from "./pool-3d.js";
import type { Tensor } from "./tensor.js";
import { convOutputGeometry } from "../shape.js";

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

/**
 * Gradient of `maxPool3d` or `averagePool3d` (channels-last) with respect to
 * the input: the 3-D windows of the forward pass, clipped to real cells.
 *
 * @example
 * ```ts
 * const dx = pool3dBackward("avg", x, dy, { poolSize: [2, 2, 2], strides: [2, 2, 2], padding: "same" });
 * ```
 */
export function pool3dBackward(kind: PoolKind, input: Tensor, dOut: Tensor, options: Pool3dOptions): Tensor {
  const [n, d, h, w, c] = input.shape;
  const [pd, ph, pw] = options.poolSize;
  const [sd, sh, sw] = options.strides;
  const gz = convOutputGeometry(d, pd, sd, 1, options.padding);
  const gy = convOutputGeometry(h, ph, sh, 1, options.padding);
  const gx = convOutputGeometry(w, pw, sw, 1, options.padding);
  const [od, oh, ow] = [gz.outputLength, gy.outputLength, gx.outputLength];
  const x = input.data;
  const dx = new Float32Array(x.length);
  const best = new Float64Array(c);
  const at = new Int32Array(c);
  let o = 0;
  for (let bi = 0; bi < n; bi++) {
    for (let oz = 0; oz < od; oz++) {
      const zStart = oz * sd - gz.padBefore;
      const [z0, z1] = [Math.max(zStart, 0), Math.min(zStart + pd, d)];
      for (let oy = 0; oy < oh; oy++) {
        const yStart = oy * sh - gy.padBefore;
        const [y0, y1] = [Math.max(yStart, 0), Math.min(yStart + ph, h)];
        for (let ox = 0; ox < ow; ox++, o += c) {
          const xStart = ox * sw - gx.padBefore;
          const [x0, x1] = [Math.max(xStart, 0), Math.min(xStart + pw, w)];
          const count = (z1 - z0) * (y1 - y0) * (x1 - x0);
          best.fill(-Infinity);
          at.fill(-1);
          for (let iz = z0; iz < z1; iz++) {
            for (let iy = y0; iy < y1; iy++) {
              const rowBase = ((bi * d + iz) * h + iy) * w;
              for (let ix = x0; ix < x1; ix++) {
                const off = (rowBase + ix) * c;
                for (let ch = 0; ch < c; ch++) {
                  if (kind === "avg") dx[off + ch] += dOut.data[o + ch] / count;
                  else if (x[off + ch] > best[ch]) {
                    best[ch] = x[off + ch];
                    at[ch] = off + ch;
                  }
                }
              }
            }
          }
          if (kind === "max") for (let ch = 0; ch < c; ch++) if (at[ch] >= 0) dx[at[ch]] += dOut.data[o + ch];
        }
      }
    }
  }
  return { shape: [...input.shape], data: dx };
}

/**
 * Gradient of `globalPool` (channels-last, any rank) with respect to the
 * input: spread evenly over every position (average), or to the position
 * that won the forward comparison (max; the first of equals).
 *
 * @example
 * ```ts
 * const dx = globalPoolBackward("max", x, dy); // dy: [n, c]
 * ```
 */
export function globalPoolBackward(kind: PoolKind, input: Tensor, dOut: Tensor): Tensor {
  const n = input.shape[0];
  const c = input.shape[input.shape.length - 1];
  const positions = input.shape.slice(1, -1).reduce((p, d) => p * d, 1);
  const x = input.data;
  const dx = new Float32Array(x.length);
  const best = new Float64Array(c);
  const at = new Int32Array(c);
  for (let b = 0; b < n; b++) {
    const base = b * positions * c;
    if (kind === "avg") {
      for (let p = 0; p < positions; p++) for (let ch = 0; ch < c; ch++) dx[base + p * c + ch] = dOut.data[b * c + ch] / positions;
      continue;
    }
    best.fill(-Infinity);
    at.fill(-1);
    for (let p = 0; p < positions; p++) {
      for (let ch = 0; ch < c; ch++) {
        const v = x[base + p * c + ch];
        if (v > best[ch] || (Number.isNaN(v) && at[ch] < 0)) {
          best[ch] = v;
          at[ch] = base + p * c + ch;
        }
      }
    }
    for (let ch = 0; ch < c; ch++) if (at[ch] >= 0) dx[at[ch]] += dOut.data[b * c + ch];
  }
  return { shape: [...input.shape], data: dx };
}
