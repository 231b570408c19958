/**
 * Normalisation on any axis on the WebAssembly kernels: a per-channel
 * multiply-add or subtract-and-divide along an axis with values after it
 * (batch normalisation at inference, `Rescaling`, `Normalization`), and
 * layer normalisation over any axes (the normalised axes moved last by a
 * copy when they are not already the trailing ones, and back after).
 */
import { fast } from "./backend.js";
import { copyBlock } from "./fast-copy.js";
import type { LayerNormWeights } from "./norm-layer.js";
import { cachedCopy } from "./packed-weights.js";
import { rescale, standardize } from "./preprocess-elementwise.js";
import type { Standardization } from "./preprocess-elementwise.js";
import { stridesOf } from "./reshape-ops.js";
import { addressIn, finish, outputOf, run, split, threadsFor } from "./run-scope.js";
import { checkTensor } from "./tensor.js";
import type { Tensor } from "./tensor.js";
import type { WasmKernels } from "./wasm.js";

/** Memory-bound: a second thread pays off only on large tensors. */
const FLOPS_PER_VALUE = 4;

/**
 * Applies `kernel` (`axisScaleShift` or `axisSubtractDivide`) with the
 * per-channel float32 pairs `first`, `second` along axis `axis` of `shape`,
 * from `src` to `dst`.
 *
 * @example
 * ```ts
 * axisAffineAt(k, "axisScaleShift", [2, 3, 4], 1, scale, shift, x, out);
 * ```
 */
export function axisAffineAt(
  k: WasmKernels,
  kernel: "axisScaleShift" | "axisSubtractDivide",
  shape: readonly number[],
  axis: number,
  first: Float32Array,
  second: Float32Array,
  src: number,
  dst: number,
): void {
  const floats = shape.reduce((p, d) => p * d, 1);
  if (floats === 0) return;
  const channels = axis < 0 ? 1 : shape[axis];
  const inner = axis < 0 ? (shape[shape.length - 1] ?? 1) : shape.slice(axis + 1).reduce((p, d) => p * d, 1);
  const params = k.alloc(Math.max(1, channels) * 8);
  try {
    k.view(params, channels).set(first);
    k.view(params + channels * 4, channels).set(second);
    const rows = floats / inner;
    run(
      k,
      split(rows, threadsFor(floats * FLOPS_PER_VALUE), 1).map(([r0, r1]) => ({
        fn: kernel,
        args: [src, dst, channels, inner, params, params + channels * 4, r0, r1],
      })),
    );
  } finally {
    k.free(params);
  }
}

/** One input mapped to an output of its shape by `apply` on the WebAssembly kernels. */
function mapped(k: WasmKernels, input: Tensor, what: string, apply: (x: number, out: number) => void): Tensor {
  checkTensor(input, what);
  const floats = input.data.length;
  const temps: number[] = [];
  const x = addressIn(k, input.data, temps);
  const out = outputOf(k, floats, temps);
  apply(x, out);
  return { shape: [...input.shape], data: finish(k, out, floats, temps) };
}

/**
 * {@link rescale} (`Rescaling`) on the WebAssembly kernels: a float32
 * multiply, then a float32 add, the reference's bits.
 *
 * @example
 * ```ts
 * const y = rescaleLayer(x, 1 / 255, 0);
 * ```
 */
export function rescaleLayer(x: Tensor, scale: number, offset: number): Tensor {
  const k = fast();
  if (k === null || x.data.length === 0 || x.shape.length === 0) return rescale(x, scale, offset);
  return mapped(k, x, "rescale input", (src, dst) => axisAffineAt(k, "axisScaleShift", x.shape, -1, Float32Array.of(scale), Float32Array.of(offset), src, dst));
}

/**
 * {@link standardize} (`Normalization` with given statistics) on the
 * WebAssembly kernels: `(x - mean) / denominator` as a float32 subtraction
 * and division, or the inverse as a float32 multiply and add, the
 * reference's bits.
 *
 * @example
 * ```ts
 * const y = standardizeLayer(x, { mean: [0.5], variance: [0.25], axis: null, invert: false });
 * ```
 */
export function standardizeLayer(x: Tensor, s: Standardization): Tensor {
  const k = fast();
  const rank = x.shape.length;
  const positions = s.axis === null ? 1 : x.shape[s.axis];
  const fits =
    rank > 0 &&
    (s.axis === null || (Number.isInteger(s.axis) && s.axis >= 0 && s.axis < rank)) &&
    [s.mean, s.variance].every((v) => v.length === 1 || v.length === positions);
  if (k === null || x.data.length === 0 || !fits) return standardize(x, s);
  const f32 = Math.fround;
  const eps = f32(1e-7);
  const mean = Float32Array.from({ length: positions }, (_, p) => s.mean[s.mean.length === 1 ? 0 : p]);
  const denom = Float32Array.from({ length: positions }, (_, p) => {
    const root = f32(Math.sqrt(f32(s.variance[s.variance.length === 1 ? 0 : p])));
    return Number.isNaN(root) ? root : Math.max(root, eps);
  });
  const axis = s.axis ?? -1;
  return mapped(k, x, "standardize input", (src, dst) =>
    s.invert
      ? axisAffineAt(k, "axisScaleShift", x.shape, axis, denom, mean, src, dst)
      : axisAffineAt(k, "axisSubtractDivide", x.shape, axis, mean, denom, src, dst),
  );
}

/**
 * Layer normalisation over any `axes` on the WebAssembly kernels: over the
 * trailing axes as rows, else with the normalised axes copied last (in
 * their order), normalised as rows and copied back, the reference's sums in
 * its order (the same bits). Null when the kernels are not chosen or the
 * weights do not fit, for the caller to run the reference kernel.
 *
 * @example
 * ```ts
 * const y = layerNormAxesLayer(x, [1, 3], { gamma, beta, epsilon: 1e-3 });
 * ```
 */
export function layerNormAxesLayer(input: Tensor, axes: readonly number[], w: LayerNormWeights): Tensor | null {
  const k = fast();
  const rank = input.shape.length;
  const listed = [...new Set(axes)].sort((a, b) => a - b);
  const floats = input.data.length;
  // Sixteen axes at most for the copies (a rank that no layer of the catalog reaches).
  if (k === null || floats === 0 || listed.length === 0 || rank > 16 || listed.some((a) => !Number.isInteger(a) || a < 0 || a >= rank)) return null;
  const width = listed.reduce((p, a) => p * input.shape[a], 1);
  if ((w.gamma !== null && w.gamma.length !== width) || (w.beta !== null && w.beta.length !== width)) return null;
  checkTensor(input, "layerNorm input");
  const perm = [...input.shape.keys()].filter((a) => !listed.includes(a)).concat(listed);
  const trailing = perm.every((p, i) => p === i);
  const temps: number[] = [];
  const x = addressIn(k, input.data, temps);
  const out = outputOf(k, floats, temps);
  const gamma = w.gamma === null ? 0 : cachedCopy(k, w.gamma, 0);
  const beta = w.beta === null ? 0 : cachedCopy(k, w.beta, 0);
  const rows = (src: number, dst: number) =>
    run(
      k,
      split(floats / width, threadsFor(floats * 8), 1).map(([r0, r1]) => ({ fn: "layerNormRows", args: [src, dst, width, gamma, beta, w.epsilon, r0, r1] })),
    );
  if (trailing) {
    rows(x, out);
    return { shape: [...input.shape], data: finish(k, out, floats, temps) };
  }
  const moved = k.alloc(floats * 4);
  try {
    const strides = stridesOf(input.shape);
    const movedShape = perm.map((p) => input.shape[p]);
    const movedStrides = stridesOf(movedShape);
    // Gather into the moved layout, normalise in place, scatter back.
    copyBlock(
      k,
      x,
      moved,
      movedShape,
      perm.map((p) => strides[p]),
      movedStrides,
    );
    rows(moved, moved);
    copyBlock(
      k,
      moved,
      out,
      movedShape,
      movedStrides,
      perm.map((p) => strides[p]),
    );
  } finally {
    k.free(moved);
  }
  return { shape: [...input.shape], data: finish(k, out, floats, temps) };
}
