/**
 * Image resizing and cropping on channels-last batches `[n, height, width,
 * channels]`, with Keras 3's semantics (`keras/src/backend/jax/image.py`
 * `resize`, which calls `jax.image.resize` without antialiasing, and
 * `keras/src/utils/image_utils.py` `smart_resize`).
 */
import { checkTensor } from "./tensor.js";
import type { Tensor } from "./tensor.js";

/**
 * How `resizeImages` samples: nearest pixel or bilinear, both with half-pixel centres.
 *
 * @example
 * const method: ResizeMethod = "nearest";
 */
export type ResizeMethod = "bilinear" | "nearest";

/** Taps of one output position along one axis: input indices and their weights. */
export interface Taps {
  readonly index: Int32Array;
  readonly weight: Float64Array;
  /** Start of output position `i`'s taps in `index` / `weight`; `start[out]` is the total. */
  readonly start: Int32Array;
}

/**
 * The sampling of one axis resized from `from` to `to` positions, as
 * `jax.image.resize` computes it: nearest takes `floor((i + 0.5) * from / to)`;
 * bilinear weighs inputs by the triangle kernel around
 * `(i + 0.5) * from / to - 0.5`, normalised to sum to 1 (which clamps at the
 * borders). An axis whose size does not change is copied. The backward
 * pass of a resize reads the same taps, transposed.
 *
 * @example
 * axisTaps(2, 4, "bilinear").weight; // [1, 0.75, 0.25, 0.25, 0.75, 1]
 */
export function axisTaps(from: number, to: number, method: ResizeMethod): Taps {
  const index: number[] = [];
  const weight: number[] = [];
  const start = new Int32Array(to + 1);
  for (let i = 0; i < to; i++) {
    start[i] = index.length;
    if (from === to) {
      index.push(i);
      weight.push(1);
    } else if (method === "nearest") {
      index.push(Math.min(from - 1, Math.floor(((i + 0.5) * from) / to)));
      weight.push(1);
    } else {
      const sample = ((i + 0.5) * from) / to - 0.5;
      const lo = Math.max(0, Math.floor(sample));
      const hi = Math.min(from - 1, Math.floor(sample) + 1);
      let total = 0;
      const taps: [number, number][] = [];
      for (let j = lo; j <= hi; j++) {
        const w = 1 - Math.abs(sample - j);
        if (w > 0) {
          taps.push([j, w]);
          total += w;
        }
      }
      for (const [j, w] of taps) {
        index.push(j);
        weight.push(w / total);
      }
    }
  }
  start[to] = index.length;
  return { index: Int32Array.from(index), weight: Float64Array.from(weight), start };
}

function checkImages(x: Tensor, what: string): void {
  checkTensor(x, what, 4);
  if (x.shape.some((d) => d <= 0)) throw new RangeError(`${what}: empty image batch [${x.shape.join(", ")}]`);
}

/**
 * Resizes a batch of images to `height` x `width` (Keras 3 `ops.image.resize`
 * with `antialias=False`). Float64 inside, float32 out.
 *
 * @example
 * ```ts
 * resizeImages({ shape: [1, 1, 2, 1], data: Float32Array.of(0, 1) }, 1, 4, "bilinear").data; // [0, 0.25, 0.75, 1]
 * ```
 */
export function resizeImages(x: Tensor, height: number, width: number, method: ResizeMethod): Tensor {
  checkImages(x, "resizeImages input");
  if (!Number.isSafeInteger(height) || !Number.isSafeInteger(width) || height <= 0 || width <= 0) {
    throw new RangeError(`resizeImages: target ${height} x ${width} must be positive integers`);
  }
  const [n, h, w, c] = x.shape;
  const rows = axisTaps(h, height, method);
  const cols = axisTaps(w, width, method);
  // Rows first into float64, then columns.
  const mid = new Float64Array(n * height * w * c);
  const src = x.data;
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < height; i++) {
      const dst = (b * height + i) * w * c;
      for (let t = rows.start[i]; t < rows.start[i + 1]; t++) {
        const from = (b * h + rows.index[t]) * w * c;
        const wt = rows.weight[t];
        for (let k = 0; k < w * c; k++) mid[dst + k] += wt * src[from + k];
      }
    }
  }
  const out = new Float32Array(n * height * width * c);
  for (let r = 0; r < n * height; r++) {
    for (let j = 0; j < width; j++) {
      const dst = (r * width + j) * c;
      for (let ch = 0; ch < c; ch++) {
        let sum = 0;
        for (let t = cols.start[j]; t < cols.start[j + 1]; t++) sum += cols.weight[t] * mid[(r * w + cols.index[t]) * c + ch];
        out[dst + ch] = sum;
      }
    }
  }
  return { shape: [n, height, width, c], data: out };
}

/**
 * Copies the window of `height` x `width` pixels starting at `top`, `left`.
 *
 * @example
 * ```ts
 * cropImages({ shape: [1, 2, 2, 1], data: Float32Array.of(1, 2, 3, 4) }, 1, 0, 1, 2).data; // [3, 4]
 * ```
 */
export function cropImages(x: Tensor, top: number, left: number, height: number, width: number): Tensor {
  checkImages(x, "cropImages input");
  const [n, h, w, c] = x.shape;
  if (top < 0 || left < 0 || height <= 0 || width <= 0 || top + height > h || left + width > w) {
    throw new RangeError(`cropImages: window ${height} x ${width} at (${top}, ${left}) is outside ${h} x ${w}`);
  }
  const out = new Float32Array(n * height * width * c);
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < height; i++) {
      const from = ((b * h + top + i) * w + left) * c;
      out.set(x.data.subarray(from, from + width * c), (b * height + i) * width * c);
    }
  }
  return { shape: [n, height, width, c], data: out };
}

/**
 * The largest centred window of an `h` x `w` image with the aspect ratio of
 * `height` x `width`, computed as Keras 3 does (`int(float(w * height) / width)`,
 * at least 1 pixel, offsets truncated).
 *
 * @example
 * ```ts
 * aspectWindow(340, 500, 200, 200); // { top: 0, left: 80, height: 340, width: 340 }
 * ```
 */
export function aspectWindow(h: number, w: number, height: number, width: number): { top: number; left: number; height: number; width: number } {
  const cropHeight = Math.max(Math.min(h, Math.trunc((w * height) / width)), 1);
  const cropWidth = Math.max(Math.min(w, Math.trunc((h * width) / height)), 1);
  return { top: Math.trunc((h - cropHeight) / 2), left: Math.trunc((w - cropWidth) / 2), height: cropHeight, width: cropWidth };
}

/**
 * Keras 3 `Resizing` with `crop_to_aspect_ratio=True` (and `smart_resize`):
 * crop the largest centred window of the target aspect ratio, then resize it.
 *
 * @example
 * ```ts
 * resizeToAspect(x, 64, 64, "bilinear"); // a centred square crop of x, resized to 64 x 64
 * ```
 */
export function resizeToAspect(x: Tensor, height: number, width: number, method: ResizeMethod): Tensor {
  checkImages(x, "resizeToAspect input");
  const win = aspectWindow(x.shape[1], x.shape[2], height, width);
  return resizeImages(cropImages(x, win.top, win.left, win.height, win.width), height, width, method);
}

/**
 * Keras 3 `CenterCrop`: the centred `height` x `width` window when the image
 * is at least that large along both axes (offsets `floor(difference / 2)`);
 * otherwise `smart_resize` (crop to the target aspect ratio, bilinear resize).
 *
 * @example
 * ```ts
 * centerCropImages({ shape: [1, 3, 3, 1], data: Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9) }, 1, 1).data; // [5]
 * ```
 */
export function centerCropImages(x: Tensor, height: number, width: number): Tensor {
  checkImages(x, "centerCropImages input");
  const [, h, w] = x.shape;
  if (h >= height && w >= width) return cropImages(x, Math.trunc((h - height) / 2), Math.trunc((w - width) / 2), height, width);
  return resizeToAspect(x, height, width, "bilinear");
}
