/**
 * Copies on the WebAssembly kernels, staying in WebAssembly memory:
 * permutes, cropping, zero padding of any axes, nearest upsampling and
 * repeats (copies whose source stride is 0 along the repeated axis), and
 * image resizing and centre cropping by per-axis taps, each the reference
 * kernels' result (the same bits).
 */
import { fast } from "./backend.js";
import { aspectWindow, axisTaps, centerCropImages, cropImages, resizeImages, resizeToAspect } from "./preprocess-image.js";
import type { ResizeMethod } from "./preprocess-image.js";
import { referenceLaunch } from "./profile.js";
import { crop, padZeros, repeatEach, stridesOf, transpose } from "./reshape-ops.js";
import { addressIn, finish, outputOf, run, split, threadsFor } from "./run-scope.js";
import { checkTensor } from "./tensor.js";
import type { Tensor } from "./tensor.js";
import type { WasmKernels } from "./wasm.js";

/** Axes a copy takes at most (a repeat splits each axis in two: 10 for a 3-D volume's upsampling). */
const MAX_AXES = 16;

/**
 * Copies the block of `sizes` from `src` (strides `from`, floats) to `dst`
 * (strides `to`) on the WebAssembly kernels: adjacent axes that are
 * contiguous on both sides are taken together first. False (nothing
 * copied) when more than sixteen axes remain.
 *
 * @example
 * ```ts
 * copyBlock(k, x, out, [2, 3], [1, 2], [3, 1]); // a [3, 2] matrix transposed
 * ```
 */
export function copyBlock(k: WasmKernels, src: number, dst: number, sizes: readonly number[], from: readonly number[], to: readonly number[]): boolean {
  const s: number[] = [];
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < sizes.length; i++) {
    if (sizes[i] === 1) continue;
    const n = s.length;
    if (n > 0 && a[n - 1] === from[i] * sizes[i] && b[n - 1] === to[i] * sizes[i]) {
      s[n - 1] *= sizes[i];
      a[n - 1] = from[i];
      b[n - 1] = to[i];
    } else {
      s.push(sizes[i]);
      a.push(from[i]);
      b.push(to[i]);
    }
  }
  if (s.length === 0) {
    // One value: a block of one axis.
    s.push(1);
    a.push(1);
    b.push(1);
  }
  if (s.length > MAX_AXES) return false;
  const rank = s.length;
  const meta = k.alloc(rank * 12);
  try {
    const view = new Int32Array(k.view(meta, rank * 3).buffer, meta, rank * 3);
    view.set(s, 0);
    view.set(a, rank);
    view.set(b, 2 * rank);
    const rows = s.slice(0, -1).reduce((p, d) => p * d, 1);
    const floats = rows * s[rank - 1];
    run(
      k,
      split(rows, threadsFor(floats), 1).map(([r0, r1]) => ({ fn: "stridedCopy", args: [src, dst, meta, rank, r0, r1] })),
    );
  } finally {
    k.free(meta);
  }
  return true;
}

/**
 * A gathering copy into a new output of `outShape`: output element at
 * coordinate `i` reads the input at `offset + sum(i[d] * from[d])`. Null when
 * the fast kernels are not chosen, the output is empty or the axes do not
 * fit, for the caller to run the reference kernel.
 */
function gather(input: Tensor, outShape: readonly number[], from: readonly number[], offset: number): Tensor | null {
  const k = fast();
  const floats = outShape.reduce((p, d) => p * d, 1);
  if (k === null || floats === 0 || input.data.length === 0) return null;
  const temps: number[] = [];
  const x = addressIn(k, input.data, temps);
  const out = outputOf(k, floats, temps);
  if (!copyBlock(k, x + offset * 4, out, outShape, from, stridesOf(outShape))) {
    for (const t of temps) k.free(t);
    referenceLaunch(`a copy over ${outShape.length} axes`);
    return null;
  }
  return { shape: [...outShape], data: finish(k, out, floats, temps) };
}

/**
 * Whether permuting the axes of `shape` by `perm` moves no value: the axes
 * longer than 1 (or of unknown length) keep their order, so the permuted
 * tensor is the same data under a new shape.
 *
 * @example
 * ```ts
 * permutationKeepsOrder([8, 1, 64], [0, 2, 1]); // true
 * permutationKeepsOrder([8, 3, 64], [0, 2, 1]); // false
 * ```
 */
export function permutationKeepsOrder(shape: readonly (number | null)[], perm: readonly number[]): boolean {
  const moved = perm.filter((p) => shape[p] !== 1);
  return moved.every((p, i) => i === 0 || moved[i - 1] < p);
}

/**
 * {@link transpose} (a Permute layer) on the WebAssembly kernels; a view
 * of the input's data when the permutation moves no value
 * ({@link permutationKeepsOrder}), on either kernels.
 *
 * @example
 * ```ts
 * const y = transposeLayer(x, [0, 2, 1]);
 * ```
 */
export function transposeLayer(input: Tensor, perm: readonly number[]): Tensor {
  const rank = input.shape.length;
  const valid = perm.length === rank && new Set(perm).size === rank && perm.every((p) => Number.isInteger(p) && p >= 0 && p < rank);
  if (valid && permutationKeepsOrder(input.shape, perm)) {
    checkTensor(input, "transpose input", rank);
    return { shape: perm.map((p) => input.shape[p]), data: input.data };
  }
  if (!valid || fast() === null) return transpose(input, perm);
  checkTensor(input, "transpose input", rank);
  const strides = stridesOf(input.shape);
  return (
    gather(
      input,
      perm.map((p) => input.shape[p]),
      perm.map((p) => strides[p]),
      0,
    ) ?? transpose(input, perm)
  );
}

/**
 * {@link crop} (the Cropping layers) on the WebAssembly kernels.
 *
 * @example
 * ```ts
 * const y = cropLayer(x, [[0, 0], [2, 2], [4, 4], [0, 0]]);
 * ```
 */
export function cropLayer(input: Tensor, crops: readonly (readonly [number, number])[]): Tensor {
  const rank = input.shape.length;
  const outShape = input.shape.map((d, i) => d - (crops[i]?.[0] ?? 0) - (crops[i]?.[1] ?? 0));
  const valid =
    crops.length === rank && crops.every(([a, b]) => Number.isSafeInteger(a) && Number.isSafeInteger(b) && a >= 0 && b >= 0) && outShape.every((d) => d >= 1);
  if (!valid || fast() === null) return crop(input, crops);
  checkTensor(input, "crop input", rank);
  const strides = stridesOf(input.shape);
  const offset = crops.reduce((s, [before], i) => s + before * strides[i], 0);
  return gather(input, outShape, strides, offset) ?? crop(input, crops);
}

/**
 * {@link repeatEach} (nearest upsampling, RepeatVector) on the WebAssembly
 * kernels: each axis split in two, the input's axis and the repeat with
 * stride 0.
 *
 * @example
 * ```ts
 * const y = repeatLayer(x, [1, 2, 2, 1]); // UpSampling2D({ size: 2 })
 * ```
 */
export function repeatLayer(input: Tensor, factors: readonly number[]): Tensor {
  const rank = input.shape.length;
  if (factors.length !== rank || rank === 0 || factors.some((f) => !Number.isSafeInteger(f) || f < 1) || fast() === null) return repeatEach(input, factors);
  checkTensor(input, "repeatEach input", rank);
  const strides = stridesOf(input.shape);
  const sizes = input.shape.flatMap((d, i) => [d, factors[i]]);
  const from = strides.flatMap((s) => [s, 0]);
  const out = gather(input, sizes, from, 0);
  return out === null ? repeatEach(input, factors) : { shape: input.shape.map((d, i) => d * factors[i]), data: out.data };
}

/**
 * {@link padZeros} on the WebAssembly kernels for any padded axes: the
 * output zero-filled, then the input copied into its interior.
 *
 * @example
 * ```ts
 * const y = padAnyLayer(x, [[0, 0], [0, 0], [1, 1], [1, 1], [1, 1]]); // channels-first 3-D padding
 * ```
 */
export function padAnyLayer(input: Tensor, pads: readonly (readonly [number, number])[]): Tensor {
  const k = fast();
  const rank = input.shape.length;
  const valid = pads.length === rank && pads.every(([a, b]) => Number.isSafeInteger(a) && Number.isSafeInteger(b) && a >= 0 && b >= 0);
  if (k === null || !valid || input.data.length === 0) return padZeros(input, pads);
  checkTensor(input, "padZeros input", rank);
  const outShape = input.shape.map((d, i) => d + pads[i][0] + pads[i][1]);
  const outStrides = stridesOf(outShape);
  const start = pads.reduce((s, [before], i) => s + before * outStrides[i], 0);
  const floats = outShape.reduce((p, d) => p * d, 1);
  const temps: number[] = [];
  const x = addressIn(k, input.data, temps);
  const out = outputOf(k, floats, temps);
  k.view(out, floats).fill(0);
  if (!copyBlock(k, x, out + start * 4, input.shape, stridesOf(input.shape), outStrides)) {
    for (const t of temps) k.free(t);
    referenceLaunch(`a padding over ${rank} axes`);
    return padZeros(input, pads);
  }
  return { shape: outShape, data: finish(k, out, floats, temps) };
}

/** One axis's taps in WebAssembly memory: index (i32), weight (f64), start (i32). */
function tapsIn(k: WasmKernels, from: number, to: number, method: ResizeMethod, blocks: number[]): [number, number, number] {
  const t = axisTaps(from, to, method);
  const put = (bytes: Uint8Array) => {
    const p = k.alloc(Math.max(8, bytes.length));
    blocks.push(p);
    new Uint8Array(k.view(p, 0).buffer, p, bytes.length).set(bytes);
    return p;
  };
  const bytesOf = (a: Int32Array | Float64Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  return [put(bytesOf(t.index)), put(bytesOf(t.weight)), put(bytesOf(t.start))];
}

/**
 * {@link resizeImages} on the WebAssembly kernels: rows resampled into a
 * float64 buffer, then columns, the reference's sums in its order.
 *
 * @example
 * ```ts
 * const y = resizeLayer(x, 64, 64, "bilinear");
 * ```
 */
export function resizeLayer(x: Tensor, height: number, width: number, method: ResizeMethod): Tensor {
  const k = fast();
  const ok =
    x.shape.length === 4 &&
    x.shape.every((d) => Number.isSafeInteger(d) && d > 0) &&
    Number.isSafeInteger(height) &&
    Number.isSafeInteger(width) &&
    height > 0 &&
    width > 0;
  if (k === null || !ok) return resizeImages(x, height, width, method);
  checkTensor(x, "resizeImages input", 4);
  const [n, h, w, c] = x.shape;
  const blocks: number[] = [];
  const temps: number[] = [];
  try {
    const [ri, rw, rs] = tapsIn(k, h, height, method, blocks);
    const [ci, cw, cs] = tapsIn(k, w, width, method, blocks);
    const mid = k.alloc(n * height * w * c * 8);
    blocks.push(mid);
    const src = addressIn(k, x.data, temps);
    const floats = n * height * width * c;
    const out = outputOf(k, floats, temps);
    const rows = n * height;
    run(
      k,
      split(rows, threadsFor(rows * w * c * 4), 1).map(([r0, r1]) => ({ fn: "resizeRows", args: [src, mid, h, height, w * c, ri, rw, rs, r0, r1] })),
    );
    run(
      k,
      split(rows, threadsFor(floats * 4), 1).map(([r0, r1]) => ({ fn: "resizeColumns", args: [mid, out, w, c, width, ci, cw, cs, r0, r1] })),
    );
    const data = finish(k, out, floats, temps);
    temps.length = 0;
    return { shape: [n, height, width, c], data };
  } finally {
    for (const p of blocks) k.free(p);
    for (const p of temps) k.free(p);
  }
}

/**
 * {@link cropImages} on the WebAssembly kernels (a window of whole pixel runs).
 *
 * @example
 * ```ts
 * const y = cropImagesLayer(x, 1, 1, 4, 4);
 * ```
 */
export function cropImagesLayer(x: Tensor, top: number, left: number, height: number, width: number): Tensor {
  if (x.shape.length !== 4 || x.shape.some((d) => d <= 0)) return cropImages(x, top, left, height, width);
  const [, h, w] = x.shape;
  if (top < 0 || left < 0 || height <= 0 || width <= 0 || top + height > h || left + width > w) return cropImages(x, top, left, height, width);
  return cropLayer(x, [
    [0, 0],
    [top, h - top - height],
    [left, w - left - width],
    [0, 0],
  ]);
}

/**
 * {@link resizeToAspect} (Resizing with `cropToAspectRatio`) on the WebAssembly kernels.
 *
 * @example
 * ```ts
 * const y = resizeToAspectLayer(x, 64, 64, "bilinear");
 * ```
 */
export function resizeToAspectLayer(x: Tensor, height: number, width: number, method: ResizeMethod): Tensor {
  if (x.shape.length !== 4 || x.shape.some((d) => d <= 0) || fast() === null) return resizeToAspect(x, height, width, method);
  const win = aspectWindow(x.shape[1], x.shape[2], height, width);
  return resizeLayer(cropImagesLayer(x, win.top, win.left, win.height, win.width), height, width, method);
}

/**
 * {@link centerCropImages} (CenterCrop) on the WebAssembly kernels.
 *
 * @example
 * ```ts
 * const y = centerCropLayer(x, 24, 24);
 * ```
 */
export function centerCropLayer(x: Tensor, height: number, width: number): Tensor {
  if (x.shape.length !== 4 || x.shape.some((d) => d <= 0) || fast() === null) return centerCropImages(x, height, width);
  const [, h, w] = x.shape;
  if (h >= height && w >= width) return cropImagesLayer(x, Math.trunc((h - height) / 2), Math.trunc((w - width) / 2), height, width);
  return resizeToAspectLayer(x, height, width, "bilinear");
}
