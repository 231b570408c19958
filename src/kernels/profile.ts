/**
 * Which kernels each layer of a profiled `predict` ran: the kernels count
 * their launches here, and {@link profileCall} reads the counts around each
 * layer call.
 */
import type { Tensor } from "./tensor.js";
import { getKernelBackend } from "./backend.js";
import { wasmKernels, wasmLoadError } from "./wasm.js";

/**
 * Which kernels ran a layer: `"wasm"` (WebAssembly SIMD only), `"reference"`
 * (the TypeScript kernels only), `"wasm+reference"` (part of each, such as a
 * matrix product on WebAssembly followed by an activation the kernels do not
 * fuse), `"view"` (no computation: the output is the input's data), or,
 * for a layer the forward pass's plan took into the product before it,
 * `"folded"` (a batch normalisation folded into its weights, or a zero
 * padding the convolution after it reads as its own padding) or `"fused"`
 * (an add, an activation or a 2x2 max pool done in its last step; see
 * `LayerProfile.into`).
 *
 * @example
 * ```ts
 * const k: LayerKernel = "wasm";
 * ```
 */
export type LayerKernel = "wasm" | "reference" | "wasm+reference" | "view" | "folded" | "fused";

/**
 * One layer call of a profiled `predict` (`predict(x, { profile: true })`),
 * in the order they ran, read back with `kernelInfo().profile`.
 *
 * @example
 * ```ts
 * const row: LayerProfile = { layer: "conv2d", className: "Conv2D", kernel: "wasm", ms: 0.41 };
 * ```
 */
export interface LayerProfile {
  /** The layer's name. */
  readonly layer: string;
  /** Its Keras class name. */
  readonly className: string;
  readonly kernel: LayerKernel;
  /** Wall-clock milliseconds of the call. */
  readonly ms: number;
  /** Why some or all of it ran on the reference kernels, so that no fallback is silent. */
  readonly reason?: string;
  /**
   * For a `"folded"` batch normalisation (its statistics folded into the
   * weights of the product before it) or zero padding (its zeros read as the
   * padding of the convolution after it), or a `"fused"` add, activation or 2x2
   * max pool (done in that product's last step): the layer whose kernel call did its work.
   */
  readonly into?: string;
}

/**
 * Kernel launches so far, per kind: a profiled `predict` reads them before
 * and after each layer to tell which kernels that layer ran.
 */
const launches = { wasm: 0, reference: 0, referenceWhat: "" };

/**
 * Counts one launch of a WebAssembly kernel (every `run` of the fast path).
 *
 * @example
 * ```ts
 * wasmLaunch();
 * ```
 */
export function wasmLaunch(): void {
  launches.wasm++;
}

/**
 * Counts one reference computation inside a layer that otherwise runs on
 * the fast kernels (an activation the fast kernels do not fuse), naming it.
 *
 * @example
 * ```ts
 * referenceLaunch("the gelu activation");
 * ```
 */
export function referenceLaunch(what: string): void {
  launches.reference++;
  launches.referenceWhat = what;
}

/**
 * Times one layer call and says which kernels it ran (see
 * {@link LayerProfile}). `args` are the tensors the layer read: an output
 * that shares their data is a view.
 *
 * @example
 * ```ts
 * const rows: LayerProfile[] = [];
 * const y = profileCall(rows, "dense", "Dense", [x], () => layer.call(x));
 * ```
 */
export function profileCall<R extends readonly Tensor[]>(rows: LayerProfile[], layer: string, className: string, args: readonly Tensor[], f: () => R): R {
  const wasm0 = launches.wasm;
  const ref0 = launches.reference;
  const t0 = performance.now();
  const results = f();
  const ms = performance.now() - t0;
  const wasm = launches.wasm > wasm0;
  const partly = launches.reference > ref0;
  const view = !wasm && args.length > 0 && results.every((r) => args.some((a) => a.data === r.data || sharesMemory(a.data, r.data)));
  let kernel: LayerKernel;
  let reason: string | undefined;
  if (wasm) {
    kernel = partly ? "wasm+reference" : "wasm";
    if (partly) reason = `${launches.referenceWhat} runs on the reference kernels`;
  } else if (view) {
    kernel = "view";
  } else {
    kernel = "reference";
    reason = partly ? `${launches.referenceWhat} runs on the reference kernels` : fallbackReason(className);
  }
  rows.push({ layer, className, kernel, ms, ...(reason === undefined ? {} : { reason }) });
  return results;
}

/** Whether `b` is a view into the same bytes as `a` (a reshape without a copy). */
function sharesMemory(a: Float32Array, b: Float32Array): boolean {
  return a.buffer === b.buffer && a.byteOffset === b.byteOffset && a.length === b.length;
}

/** Why a layer ran on the reference kernels. */
function fallbackReason(className: string): string {
  if (getKernelBackend() === "reference") return "the reference kernels are chosen (setKernelBackend or SHAPEWISE_KERNELS)";
  const error = wasmLoadError();
  if (wasmKernels() === null) return `the WebAssembly kernels are not loaded${error === undefined ? "" : `: ${error}`}`;
  return `no WebAssembly kernel for ${className} yet`;
}
