import { checkTensor } from "./tensor.js";
import type { Tensor } from "./tensor.js";

/**
 * Moves the channel axis of a `[n, c, ...spatial]` tensor to the end:
 * `[n, ...spatial, c]`. Convolutions with `dataFormat: "channelsFirst"` run
 * their channels-last kernels between this and {@link channelsFirst}.
 *
 * @example
 * ```ts
 * channelsLast({ shape: [1, 2, 3], data: Float32Array.of(1, 2, 3, 4, 5, 6) });
 * // { shape: [1, 3, 2], data: [1, 4, 2, 5, 3, 6] }
 * ```
 */
export function channelsLast(t: Tensor): Tensor {
  checkTensor(t, "channelsLast input");
  if (t.shape.length < 3) throw new RangeError(`channelsLast: expected rank 3 or more, got shape [${t.shape.join(", ")}]`);
  const [n, c, ...spatial] = t.shape;
  const size = spatial.reduce((p, d) => p * d, 1);
  const out = new Float32Array(t.data.length);
  for (let b = 0; b < n; b++) {
    const base = b * c * size;
    for (let ch = 0; ch < c; ch++) {
      for (let i = 0; i < size; i++) out[base + i * c + ch] = t.data[base + ch * size + i];
    }
  }
  return { shape: [n, ...spatial, c], data: out };
}

/**
 * Moves the last (channel) axis of a `[n, ...spatial, c]` tensor to axis 1:
 * `[n, c, ...spatial]`; the inverse of {@link channelsLast}.
 *
 * @example
 * ```ts
 * channelsFirst({ shape: [1, 3, 2], data: Float32Array.of(1, 4, 2, 5, 3, 6) });
 * // { shape: [1, 2, 3], data: [1, 2, 3, 4, 5, 6] }
 * ```
 */
export function channelsFirst(t: Tensor): Tensor {
  checkTensor(t, "channelsFirst input");
  if (t.shape.length < 3) throw new RangeError(`channelsFirst: expected rank 3 or more, got shape [${t.shape.join(", ")}]`);
  const n = t.shape[0];
  const c = t.shape[t.shape.length - 1];
  const spatial = t.shape.slice(1, -1);
  const size = spatial.reduce((p, d) => p * d, 1);
  const out = new Float32Array(t.data.length);
  for (let b = 0; b < n; b++) {
    const base = b * c * size;
    for (let i = 0; i < size; i++) {
      for (let ch = 0; ch < c; ch++) out[base + ch * size + i] = t.data[base + i * c + ch];
    }
  }
  return { shape: [n, c, ...spatial], data: out };
}
