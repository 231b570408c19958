/**
 * The backward twin of 2-D pooling: the same windows, clipped to real cells.
 * Max pooling sends each output's gradient to the cell that won the forward
 * comparison (the first maximum in window order, since `>` keeps the
 * earlier of equals); average pooling spreads it evenly over the real cells.
 */
import { pool2dGeometry } from "./pooling.js";
import type { Pool2dOptions, PoolKind } from "./pooling.js";
import type { Pool3dOptions } from "./pool-3d.js";
import { checkOutputGradient, checkTensor } from "./tensor.js";
import type { Tensor } from "./tensor.js";
import { poolWindows, walkWindows } from "./windows.js";
import type { WindowAxes } from "./windows.js";

/**
 * Gradient of `maxPool2d` or `averagePool2d` with respect to the input.
 *
 * @example
 * ```ts
 * const dx = pool2dBackward("max", x, dy, { poolSize: [2, 2], strides: [2, 2], padding: "valid" });
 * ```
 */
export function pool2dBackward(kind: PoolKind, input: Tensor, dOut: Tensor, options: Pool2dOptions): Tensor {
  const { n, h, w, c, ph, pw, sh, sw, oh, ow } = pool2dGeometry(kind, input, options);
  checkOutputGradient(dOut, [n, oh, ow, c], "pool2d");
  // The 2-D windows are the 3-D ones with a depth of one, as in the forward pass.
  const dx = windowPoolBackward(kind, input.data, dOut.data, n, c, poolWindows([1, h, w], [1, ph, pw], [1, sh, sw], options.padding));
  return { shape: [...input.shape], data: dx };
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
  checkTensor(input, `${kind === "max" ? "maxPool3d" : "averagePool3d"} input`, 5);
  const [n, d, h, w, c] = input.shape;
  const windows = poolWindows([d, h, w], options.poolSize, options.strides, options.padding);
  checkOutputGradient(dOut, [n, ...windows.map((a) => a.length), c], "pool3d");
  return { shape: [...input.shape], data: windowPoolBackward(kind, input.data, dOut.data, n, c, windows) };
}

/**
 * Both pooling gradients over the forward pass's windows: max sends each
 * output's gradient to the first cell holding the window's maximum, average
 * spreads it evenly over the window's real cells; float64 sums rounded once.
 */
function windowPoolBackward(kind: PoolKind, x: Float32Array, dy: Float32Array, n: number, c: number, windows: WindowAxes): Float32Array {
  const dx = new Float64Array(x.length);
  const best = new Float64Array(c);
  const at = new Int32Array(c);
  const cells = new Int32Array(windows[0].taps * windows[1].taps * windows[2].taps);
  let count = 0;
  walkWindows(
    n,
    windows,
    (_, q) => {
      const off = q * c;
      cells[count++] = off;
      if (kind === "avg") return;
      for (let ch = 0; ch < c; ch++) {
        if (x[off + ch] > best[ch]) {
          best[ch] = x[off + ch];
          at[ch] = off + ch;
        }
      }
    },
    () => {
      count = 0;
      best.fill(-Infinity);
      at.fill(-1);
    },
    (p) => {
      const o = p * c;
      if (kind === "max") {
        for (let ch = 0; ch < c; ch++) if (at[ch] >= 0) dx[at[ch]] += dy[o + ch];
        return;
      }
      const share = 1 / count;
      for (let i = 0; i < count; i++) for (let ch = 0; ch < c; ch++) dx[cells[i] + ch] += dy[o + ch] * share;
    },
  );
  return Float32Array.from(dx);
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
