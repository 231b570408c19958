/**
 * Which kernels the layers run, and what a caller can learn about them.
 *
 * Two backends compute the same layers:
 *
 * - `"reference"`: the plain TypeScript kernels of this folder (float64
 *   accumulation, one allocation per layer), kept as the specification and
 *   as the fallback;
 * - `"fast"` (the default): the WebAssembly SIMD kernels of `asm/kernels.ts`
 *   (Winograd F(2x2, 3x3) for 3x3 stride-1 convolutions, packed im2col
 *   otherwise, both feeding a cache-blocked 4x8 matrix product with fused
 *   bias and relu/relu6; dense as the same product; pooling straight into its
 *   output), with weights packed once per weight array (`packed-weights.ts`),
 *   activations in reused buffers of one shared memory (`run-scope.ts`) and
 *   the batch split across worker threads when asked. The layers call them
 *   through `fast-conv.ts`, `fast-dense.ts`, `fast-elementwise.ts` and
 *   `fast-sequence.ts`, each falling back to the reference kernel.
 *
 * If the WebAssembly module is not built or cannot load, `"fast"` silently
 * runs the reference kernels; {@link kernelInfo} says which ran and why.
 * Float32 accumulation makes the two differ by float32 rounding only (about
 * 1e-6 relative on the seed models), well inside the 1e-5 agreement with
 * TensorFlow.js that the tests hold both to.
 */
import { fail, isPositiveInteger, valueText } from "../checks.js";
import { availableParallelism, envVariable, host, webThreadsReason } from "../platform.js";
import type { LayerProfile } from "./profile.js";
import { startThreads, threadsError } from "./threads.js";
import { loadKernelModule, wasmKernels, wasmLoadError } from "./wasm.js";
import type { KernelBuild, KernelUrls, WasmKernels } from "./wasm.js";

/**
 * The kernels layers run: `"fast"` (WebAssembly SIMD, falling back to the
 * reference kernels when the module cannot load) or `"reference"`.
 *
 * @example
 * ```ts
 * const b: KernelBackend = "reference";
 * ```
 */
export type KernelBackend = "fast" | "reference";

// Read on first use, not on import, so that a platform entry imported later still supplies the variable.
let chosen: KernelBackend | undefined;

/**
 * Chooses the kernels every layer runs from now on, process-wide. The
 * default is `"fast"`, or `"reference"` when the environment variable
 * `SHAPEWISE_KERNELS=reference` is set (the test suite runs once that way).
 *
 * @example
 * ```ts
 * setKernelBackend("reference");
 * const exact = m.predict(x); // float64-accumulated reference kernels
 * setKernelBackend("fast");
 * ```
 */
export function setKernelBackend(name: KernelBackend): void {
  if (name !== "fast" && name !== "reference") throw new TypeError(`shapewise: unknown kernel backend ${JSON.stringify(name)} (use "fast" or "reference")`);
  chosen = name;
}

/**
 * The backend chosen with {@link setKernelBackend}.
 *
 * @example
 * ```ts
 * getKernelBackend(); // "fast"
 * ```
 */
export function getKernelBackend(): KernelBackend {
  chosen ??= envVariable("SHAPEWISE_KERNELS") === "reference" ? "reference" : "fast";
  return chosen;
}

/**
 * How `predict` can split work across threads: `"worker_threads"` (Node),
 * `"web-workers"` (a cross-origin isolated page) or `"single"` (one thread,
 * with the reason in `kernelInfo().threadsReason`).
 *
 * @example
 * ```ts
 * const t: ThreadMode = "web-workers";
 * ```
 */
export type ThreadMode = "worker_threads" | "web-workers" | "single";

/**
 * What {@link kernelInfo} reports.
 *
 * @example
 * ```ts
 * const info: KernelInfo = kernelInfo();
 * ```
 */
export interface KernelInfo {
  /** The backend chosen with {@link setKernelBackend}. */
  backend: KernelBackend;
  /** Whether the WebAssembly kernels are loaded. */
  wasm: boolean;
  /** Why they are not, if they are not. */
  reason?: string;
  /**
   * Which build of them runs, when they are loaded: `"relaxed-simd"` (fused
   * multiply-add in the products, where the engine accepts relaxed SIMD) or
   * `"simd"` (the plain build; `SHAPEWISE_WASM_BUILD=simd` forces it).
   */
  build?: KernelBuild;
  /** Bytes of WebAssembly memory in use (packed weights, activation buffers and scratch; it grows, never shrinks). */
  memoryBytes: number;
  /** How work is split across threads. */
  threads: ThreadMode;
  /** The most threads a forward pass uses; a larger `threads` option is capped here. */
  maxThreads: number;
  /** Why there is only one thread, or why threads stopped being used. */
  threadsReason?: string;
  /** Per layer, the kernels the last `predict(x, { profile: true })` ran and their time. */
  profile?: readonly LayerProfile[];
}

let lastProfile: readonly LayerProfile[] | undefined;

/**
 * Keeps the rows of a profiled `predict` for {@link kernelInfo}.
 *
 * @example
 * ```ts
 * recordProfile(rows);
 * kernelInfo().profile; // rows
 * ```
 */
export function recordProfile(rows: readonly LayerProfile[]): void {
  lastProfile = rows;
}

/**
 * What actually runs: the chosen backend, whether the WebAssembly kernels
 * loaded (and why not), the bytes of WebAssembly memory in use, whether work
 * can be split across threads (and why not), and the most threads a forward
 * pass uses (a larger `threads` option is capped there).
 *
 * @example
 * ```ts
 * kernelInfo(); // { backend: "fast", wasm: true, build: "simd", memoryBytes: 9437184, threads: "worker_threads", maxThreads: 2 }
 * ```
 */
export function kernelInfo(): KernelInfo {
  const k = wasmKernels();
  const reason = wasmLoadError();
  const threadsReason =
    k === null ? "the WebAssembly kernels are not loaded" : (threadsError() ?? (host().startWorker === undefined ? webThreadsReason() : undefined));
  const threads: ThreadMode = threadsReason !== undefined ? "single" : host().startWorker !== undefined ? "worker_threads" : "web-workers";
  return {
    backend: getKernelBackend(),
    wasm: k !== null,
    ...(reason === undefined ? {} : { reason }),
    ...(k === null ? {} : { build: k.build }),
    memoryBytes: k === null ? 0 : k.memoryBytes(),
    threads,
    maxThreads: maxThreads(),
    ...(threadsReason === undefined ? {} : { threadsReason }),
    ...(lastProfile === undefined ? {} : { profile: lastProfile }),
  };
}

/**
 * Options of {@link loadKernels}.
 *
 * @example
 * ```ts
 * const options: LoadKernelsOptions = { url: "/assets/shapewise-kernels.wasm", threads: 2 };
 * ```
 */
export interface LoadKernelsOptions {
  /**
   * Where to fetch `shapewise-kernels.wasm` from in a browser; by default
   * the file beside the package (`new URL(..., import.meta.url)`, which
   * Vite, webpack and Parcel rewrite). Give it where the bundler does not
   * copy the file (esbuild): one address, or both builds' addresses
   * (`{ simd, "relaxed-simd" }`) so that the loader fetches the relaxed SIMD
   * build where the engine validates it and the plain one elsewhere.
   */
  url?: string | URL | KernelUrls;
  /** Start workers so that a `predict` with this many threads finds them running. */
  threads?: number;
}

/**
 * Loads the WebAssembly kernels (and, with `threads`, starts the workers)
 * before the first `predict`; resolves with {@link kernelInfo}. In Node the
 * kernels load on first use anyway; in a browser they are fetched and
 * compiled asynchronously, and a `predict` before that runs the reference
 * kernels (the same numbers, slower), so a page awaits this once.
 *
 * @example
 * ```ts
 * const info = await loadKernels({ threads: 2 }); // { backend: "fast", wasm: true, threads: "web-workers", ... }
 * m.predict(x, { threads: 2 });
 * ```
 */
export async function loadKernels(options: LoadKernelsOptions = {}): Promise<KernelInfo> {
  if (options === null || typeof options !== "object") throw new TypeError(`shapewise: loadKernels expects an options object, got ${String(options)}`);
  const { url, threads } = options;
  const address = (u: unknown) => typeof u === "string" || u instanceof URL;
  const both = typeof url === "object" && url !== null && !(url instanceof URL) && address(url.simd) && address(url["relaxed-simd"]);
  if (url !== undefined && !address(url) && !both)
    throw new TypeError(
      `shapewise: loadKernels url must be a string, a URL or { simd, "relaxed-simd" } holding one each, got ${typeof url === "object" && url !== null ? JSON.stringify(url) : String(url)}`,
    );
  if (threads !== undefined && (!Number.isSafeInteger(threads) || threads < 1))
    throw new RangeError(`shapewise: loadKernels threads must be a positive integer, got ${String(threads)}`);
  await loadKernelModule(url);
  if (threads !== undefined && threads > 1) await startThreads(Math.min(threads, maxThreads()));
  return kernelInfo();
}

/**
 * The fast kernels if they are chosen and loaded, else `null` (the caller
 * runs the reference kernel).
 *
 * @example
 * ```ts
 * const k = fast();
 * if (k === null) return conv2d(input, kernel, bias, options);
 * ```
 */
export function fast(): WasmKernels | null {
  return getKernelBackend() === "fast" ? wasmKernels() : null;
}

/**
 * Threads option of `Model.predict`: a count, or `"auto"` (the default).
 * `"auto"` uses one thread, except for batches of at least
 * {@link AUTO_THREADS_MIN_BATCH} images, which are split over every core
 * (`os.availableParallelism()`): below that the hand-off costs more than a
 * second core saves, and on a busy machine a second thread can be slower.
 * A count above the cores is capped at them ({@link maxThreads}).
 *
 * @example
 * ```ts
 * const t: ThreadsOption = 2;
 * ```
 */
export type ThreadsOption = number | "auto";

/**
 * Smallest batch that `threads: "auto"` splits across cores.
 *
 * @example
 * ```ts
 * resolveThreads("auto", AUTO_THREADS_MIN_BATCH); // os.availableParallelism()
 * ```
 */
export const AUTO_THREADS_MIN_BATCH = 64;

/**
 * The most threads a forward pass uses: the cores this process may run on
 * (Node's `os.availableParallelism()`, a browser's `navigator.hardwareConcurrency`, 1 in a page that is not cross-origin isolated). A larger `threads` count is capped here,
 * since threads beyond the cores only wait for one another and each costs a
 * worker with its own copy of the kernel module.
 *
 * @example
 * ```ts
 * maxThreads(); // 2 on a two-core machine
 * ```
 */
export function maxThreads(): number {
  return Math.max(1, availableParallelism());
}

/**
 * The thread count a `threads` option means for a batch: `"auto"` (or
 * nothing) as {@link ThreadsOption} says, a count capped at
 * {@link maxThreads}; a `ShapeError` naming the value for anything else.
 *
 * @example
 * ```ts
 * resolveThreads("auto", 1); // 1
 * resolveThreads(2, 1);      // 2
 * resolveThreads(1000, 1);   // maxThreads()
 * ```
 */
export function resolveThreads(option: unknown, batch: number, method = "predict"): number {
  if (option === undefined || option === "auto") return batch >= AUTO_THREADS_MIN_BATCH ? maxThreads() : 1;
  if (!isPositiveInteger(option)) fail(`shapewise: ${method} threads must be a positive integer or "auto", got ${valueText(option)}`);
  return Math.min(option, maxThreads());
}
