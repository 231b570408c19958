/**
 * Backward passes of the image resizes in preprocess-image.ts. A resize is
 * linear in its input, each output a weighted sum of input pixels (the taps
 * of `axisTaps`, rows then columns), so its backward pass is the transpose:
 * every output gradient goes back to the pixels it was read from, scaled by
 * the same weights, columns first, then rows, summed in float64. A crop's
 * backward pass writes the window's gradient into zeros.
 */
import { aspectWindow, axisTaps } from "./preprocess-image.js";
import type { ResizeMethod, Taps } from "./preprocess-image.js";
import type { Tensor } from "./tensor.js";

function checkGradient(dOutput: Tensor, expected: readonly number[], what: string): void {
  if (dOutput.shape.length !== 4 || dOutput.shape.some((d, i) => d !== expected[i])) {
    throw new RangeError(`${what}: output gradient of shape [${dOutput.shape.join(", ")}], expected [${expected.join(", ")}]`);
  }
}

/**
 * The gradient of `resizeImages(x, height, width, method)` with respect to
 * `x` (of shape `inputShape`), given the gradient of its output.
 *
 * @example
 * ```ts
 * resizeImagesBackward({ shape: [1, 1, 4, 1], data: Float32Array.of(1, 1, 1, 1) }, [1, 1, 2, 1], "bilinear").data; // [2, 2]
 * ```
 */
export function resizeImagesBackward(dOutput: Tensor, inputShape: readonly number[], method: ResizeMethod): Tensor {
  const [n, h, w, c] = inputShape;
  const [, height, width] = dOutput.shape;
  checkGradient(dOutput, [n, height, width, c], "resizeImagesBackward");
  const rows = axisTaps(h, height, method);
  const cols = axisTaps(w, width, method);
  // Columns back first: [n, height, w, c]; then rows: [n, h, w, c].
  const mid = scatterBack(dOutput.data, n * height, width, w, c, cols);
  const dx = scatterBack(mid, n, height, h, w * c, rows);
  return { shape: [n, h, w, c], data: Float32Array.from(dx) };
}

/**
 * The transpose of resizing one axis: `from` holds `outer` blocks of
 * `length` items of `inner` values each; every item goes back, scaled by
 * each tap's weight, to the `inputLength` items it was read from.
 */
function scatterBack(from: Float32Array | Float64Array, outer: number, length: number, inputLength: number, inner: number, taps: Taps): Float64Array {
  const to = new Float64Array(outer * inputLength * inner);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < length; j++) {
      const src = (o * length + j) * inner;
      for (let t = taps.start[j]; t < taps.start[j + 1]; t++) {
        const dst = (o * inputLength + taps.index[t]) * inner;
        const wt = taps.weight[t];
        for (let k = 0; k < inner; k++) to[dst + k] += wt * from[src + k];
      }
    }
  }
  return to;
}

/**
 * The gradient of `cropImages(x, top, left, ...)` with respect to `x` (of
 * shape `inputShape`): the window's gradient in place, zeros around it.
 *
 * @example
 * ```ts
 * cropImagesBackward({ shape: [1, 1, 2, 1], data: Float32Array.of(5, 6) }, [1, 2, 2, 1], 1, 0).data; // [0, 0, 5, 6]
 * ```
 */
export function cropImagesBackward(dOutput: Tensor, inputShape: readonly number[], top: number, left: number): Tensor {
  const [n, h, w, c] = inputShape;
  const [, height, width] = dOutput.shape;
  checkGradient(dOutput, [n, height, width, c], "cropImagesBackward");
  if (top < 0 || left < 0 || top + height > h || left + width > w) {
    throw new RangeError(`cropImagesBackward: window ${height} x ${width} at (${top}, ${left}) is outside ${h} x ${w}`);
  }
  const dx = new Float32Array(n * h * w * c);
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < height; i++) {
      const from = (b * height + i) * width * c;
      dx.set(dOutput.data.subarray(from, from + width * c), ((b * h + top + i) * w + left) * c);
    }
  }
  return { shape: [n, h, w, c], data: dx };
}

/**
 * The gradient of `resizeToAspect(x, height, width, method)` (Keras's
 * `crop_to_aspect_ratio`, and `centerCrop` of an image smaller than the
 * crop) with respect to `x`: the resize's transpose, then the crop's.
 *
 * @example
 * ```ts
 * resizeToAspectBackward(dy, [8, 30, 40, 3], "bilinear").shape; // [8, 30, 40, 3] for dy of shape [8, 20, 20, 3]
 * ```
 */
export function resizeToAspectBackward(dOutput: Tensor, inputShape: readonly number[], method: ResizeMethod): Tensor {
  const [n, h, w, c] = inputShape;
  const [, height, width] = dOutput.shape;
  const win = aspectWindow(h, w, height, width);
  const dWindow = resizeImagesBackward(dOutput, [n, win.height, win.width, c], method);
  return cropImagesBackward(dWindow, inputShape, win.top, win.left);
}
