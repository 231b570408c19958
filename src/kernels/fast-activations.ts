/**
 * The activation layers' options on the WebAssembly kernels: every
 * elementwise activation by one code (`asm/math.ts` `unary64`), ELU with
 * its alpha, leaky ReLU, Keras's relu with slope, ceiling and threshold,
 * PReLU, and softmax or log-softmax over any one axis (or adjacent axes),
 * each the reference kernel's float64 formula rounded once.
 */
import type { ActivationName } from "./activations.js";
import { fast } from "./backend.js";
import { cachedCopy, derivedWeights } from "./packed-weights.js";
import { referenceLaunch } from "./profile.js";
import { addressIn, finish, outputOf, run, split, threadsFor } from "./run-scope.js";
import { checkTensor } from "./tensor.js";
import type { Tensor } from "./tensor.js";
import type { WasmKernels } from "./wasm.js";

/** Codes of `unary64` in `asm/math.ts`. */
const UNARY_CODES: Readonly<Record<Exclude<ActivationName, "softmax" | "log_softmax">, number>> = {
  linear: 0,
  relu: 1,
  relu6: 2,
  sigmoid: 3,
  tanh: 4,
  silu: 5,
  swish: 5,
  hard_sigmoid: 6,
  elu: 7,
  selu: 8,
  gelu: 9,
  softplus: 10,
  softsign: 11,
  exponential: 12,
};
const LEAKY = 13;
const KERAS_RELU = 14;

/** Transcendental activations cost tens of operations per value; a second thread pays off sooner. */
const FLOPS_PER_VALUE = 20;

/**
 * An elementwise activation and its parameters as `unaryActivation` takes
 * them, or undefined for softmax and log-softmax (which normalise along an
 * axis) and unknown names.
 *
 * @example
 * ```ts
 * unaryCode("gelu"); // 9
 * ```
 */
export function unaryCode(name: ActivationName): number | undefined {
  return Object.hasOwn(UNARY_CODES, name) ? UNARY_CODES[name as keyof typeof UNARY_CODES] : undefined;
}

/**
 * Applies the elementwise activation `code` (with `a`, `b`, `c` its
 * parameters) to the `floats` values at `src`, writing them at `dst`
 * (which may be `src`).
 *
 * @example
 * ```ts
 * unaryAt(k, unaryCode("elu")!, x, x, n, 1); // ELU in place
 * ```
 */
export function unaryAt(k: WasmKernels, code: number, src: number, dst: number, floats: number, a = 0, b = 0, c = 0): void {
  if (floats === 0) return;
  run(
    k,
    split(floats, threadsFor(floats * FLOPS_PER_VALUE), 16).map(([s0, s1]) => ({ fn: "unaryActivation", args: [code, src, dst, a, b, c, s0, s1] })),
  );
}

/**
 * Softmax (or log-softmax) over axis `axis` of `shape` for the values at
 * `src`, written at `dst` (which may be `src`).
 *
 * @example
 * ```ts
 * softmaxAt(k, [2, 5], 1, x, out, false);
 * ```
 */
export function softmaxAt(k: WasmKernels, shape: readonly number[], axis: number, src: number, dst: number, log: boolean): void {
  const len = shape[axis];
  const inner = shape.slice(axis + 1).reduce((p, d) => p * d, 1);
  const floats = shape.reduce((p, d) => p * d, 1);
  if (floats === 0) return;
  const groups = floats / len;
  run(
    k,
    split(groups, threadsFor(floats * FLOPS_PER_VALUE), 1).map(([g0, g1]) => ({
      fn: "softmaxStrided",
      args: [src, dst, len, inner, log ? 1 : 0, g0, g1],
    })),
  );
}

/** One input mapped to an output of its shape by `apply`, on the WebAssembly kernels. */
function mapped(k: WasmKernels, input: Tensor, what: string, apply: (x: number, out: number, floats: number) => void): Tensor {
  checkTensor(input, what);
  const floats = input.data.length;
  const temps: number[] = [];
  const x = addressIn(k, input.data, temps);
  const out = outputOf(k, floats, temps);
  apply(x, out, floats);
  return { shape: [...input.shape], data: finish(k, out, floats, temps) };
}

/**
 * An elementwise activation layer on the WebAssembly kernels, or `null`
 * when they are not chosen or the tensor is empty, for the caller to run
 * the reference kernel: `"elu"` takes `alpha`, `"leaky"` takes the slope
 * `alpha`, `"relu"` takes Keras's `negativeSlope`, `maxValue` (null for
 * none) and `threshold`.
 *
 * @example
 * ```ts
 * const y = activationOptionsLayer(x, { kind: "elu", alpha: 0.5 }) ?? elu(x, 0.5);
 * ```
 */
export function activationOptionsLayer(
  input: Tensor,
  o:
    | { readonly kind: "elu"; readonly alpha: number }
    | { readonly kind: "leaky"; readonly alpha: number }
    | { readonly kind: "relu"; readonly negativeSlope: number; readonly maxValue: number | null; readonly threshold: number },
): Tensor | null {
  const k = fast();
  if (k === null || input.data.length === 0) return null;
  const [code, a, b, c] =
    o.kind === "elu"
      ? [UNARY_CODES.elu, o.alpha, 0, 0]
      : o.kind === "leaky"
        ? [LEAKY, o.alpha, 0, 0]
        : // Keras's relu with a slope and neither ceiling nor threshold is its leaky relu.
          o.negativeSlope !== 0 && o.maxValue === null && o.threshold === 0
          ? [LEAKY, o.negativeSlope, 0, 0]
          : [KERAS_RELU, o.negativeSlope, o.maxValue ?? Infinity, o.threshold];
  return mapped(k, input, `${o.kind} input`, (x, out, floats) => unaryAt(k, code, x, out, floats, a, b, c));
}

/**
 * PReLU on the WebAssembly kernels: the slopes broadcast along the shared
 * axes to one per value of a sample (made once per weight array and kept
 * in WebAssembly memory), then `x < 0 ? alpha * x : x` in float32, the
 * reference's bits; `null` when the kernels are not chosen, the tensor is
 * empty or the slopes do not fit, for the caller to run the reference
 * kernel (which names the misfit).
 *
 * @example
 * ```ts
 * const y = preluLayer(x, alpha) ?? prelu(x, alpha);
 * ```
 */
export function preluLayer(input: Tensor, alpha: Tensor): Tensor | null {
  const k = fast();
  const rank = input.shape.length;
  if (k === null || input.data.length === 0 || alpha.shape.length !== rank - 1) return null;
  if (alpha.shape.some((a, i) => a !== 1 && a !== input.shape[i + 1])) return null;
  checkTensor(alpha, "prelu alpha");
  const sample = input.shape.slice(1);
  const per = sample.reduce((p, d) => p * d, 1);
  const full = derivedWeights(alpha.data, `prelu slopes for [${sample.join(", ")}]`, () => broadcastSlopes(alpha, sample));
  const slopes = cachedCopy(k, full, 0);
  return mapped(k, input, "prelu input", (x, out, floats) => {
    const samples = floats / per;
    run(
      k,
      split(samples, threadsFor(floats * 2), 1).map(([s0, s1]) => ({ fn: "preluSamples", args: [x, slopes, out, per, s0, s1] })),
    );
  });
}

/** PReLU's slopes, `[1, ...]` along shared axes, broadcast to one per value of a `sample`-shaped input. */
function broadcastSlopes(alpha: Tensor, sample: readonly number[]): Float32Array {
  const rank = sample.length;
  const strides = new Array<number>(rank).fill(0);
  let stride = 1;
  for (let d = rank - 1; d >= 0; d--) {
    strides[d] = alpha.shape[d] === 1 ? 0 : stride;
    stride *= alpha.shape[d];
  }
  const per = sample.reduce((p, d) => p * d, 1);
  const out = new Float32Array(per);
  const coord = new Array<number>(rank).fill(0);
  for (let i = 0; i < per; i++) {
    let a = 0;
    for (let d = 0; d < rank; d++) a += coord[d] * strides[d];
    out[i] = alpha.data[a];
    for (let d = rank - 1; d >= 0; d--) {
      if (++coord[d] < sample[d]) break;
      coord[d] = 0;
    }
  }
  return out;
}

/**
 * Softmax over `axes` on the WebAssembly kernels when they are one axis or
 * adjacent ones (taken together as one), else `null`, for the caller to run
 * the reference kernel (named for a profile); the reference's arithmetic (float64 exponentials
 * summed in the axis's order).
 *
 * @example
 * ```ts
 * const y = softmaxLayer(x, [1]) ?? softmaxAxes(x, [1]);
 * ```
 */
export function softmaxLayer(input: Tensor, axes: readonly number[]): Tensor | null {
  const k = fast();
  const rank = input.shape.length;
  const sorted = [...new Set(axes)].sort((a, b) => a - b);
  const adjacent = sorted.length > 0 && sorted.every((a, i) => Number.isInteger(a) && a >= 0 && a < rank && (i === 0 || a === sorted[i - 1] + 1));
  if (k === null || input.data.length === 0) return null;
  if (!adjacent) {
    referenceLaunch(`softmax over the axes [${axes.join(", ")}], not adjacent,`);
    return null;
  }
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  const shape = [...input.shape.slice(0, first), input.shape.slice(first, last + 1).reduce((p, d) => p * d, 1), ...input.shape.slice(last + 1)];
  return mapped(k, input, "softmaxAxes input", (x, out) => softmaxAt(k, shape, first, x, out, false));
}
