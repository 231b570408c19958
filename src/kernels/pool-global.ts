/**
 * Global pooling, channels-last: every spatial axis reduced at once,
 * `[n, ...spatial, c]` → `[n, c]`.
 */
import { checkTensor } from "./tensor.js";
import type { Tensor } from "./tensor.js";

/**
 * The maximum (`"max"`) or mean (`"avg"`) of each channel over all spatial
 * positions of each sample. A NaN makes its channel's maximum NaN, as
 * `ops.max` and TF.js `max` do; means are summed in float64.
 *
 * @example
 * ```ts
 * globalPool("avg", { shape: [1, 2, 3, 2], data }).shape; // [1, 2]
 * ```
 */
export function globalPool(kind: "max" | "avg", input: Tensor): Tensor {
  if (input.shape.length < 3) throw new RangeError(`globalPool: expected rank 3 or more, got shape [${input.shape.join(", ")}]`);
  checkTensor(input, "globalPool input");
  const n = input.shape[0];
  const c = input.shape[input.shape.length - 1];
  const positions = input.shape.slice(1, -1).reduce((p, d) => p * d, 1);
  const x = input.data;
  const out = new Float32Array(n * c);
  const acc = new Float64Array(c);
  for (let b = 0; b < n; b++) {
    acc.fill(kind === "max" ? -Infinity : 0);
    const base = b * positions * c;
    for (let p = 0; p < positions; p++) {
      const off = base + p * c;
      if (kind === "max") {
        for (let ch = 0; ch < c; ch++) {
          const v = x[off + ch];
          if (v > acc[ch] || Number.isNaN(v)) acc[ch] = v;
        }
      } else {
        for (let ch = 0; ch < c; ch++) acc[ch] += x[off + ch];
      }
    }
    for (let ch = 0; ch < c; ch++) out[b * c + ch] = kind === "max" ? acc[ch] : acc[ch] / positions;
  }
  return { shape: [n, c], data: out };
}
