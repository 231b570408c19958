import { checkTensor, sizeOf } from "./tensor.js";
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
  checkLayoutInput(t, "channelsLast");
  const [n, c, ...spatial] = t.shape;
  return { shape: [n, ...spatial, c], data: transposeBlocks(t.data, n, c, sizeOf(spatial)) };
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
  checkLayoutInput(t, "channelsFirst");
  const n = t.shape[0];
  const c = t.shape[t.shape.length - 1];
  const spatial = t.shape.slice(1, -1);
  return { shape: [n, c, ...spatial], data: transposeBlocks(t.data, n, sizeOf(spatial), c) };
}

function checkLayoutInput(t: Tensor, what: string): void {
  checkTensor(t, `${what} input`);
  if (t.shape.length < 3) throw new RangeError(`${what}: expected rank 3 or more, got shape [${t.shape.join(", ")}]`);
}

/** Each of `n` consecutive `rows x cols` blocks of `data`, transposed to `cols x rows`. */
function transposeBlocks(data: Float32Array, n: number, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let b = 0; b < n; b++) {
    const base = b * rows * cols;
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < cols; j++) out[base + j * rows + r] = data[base + r * cols + j];
    }
  }
  return out;
}
