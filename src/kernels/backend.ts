/**
 * Which kernels the layers run, and the fast path itself.
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
 *   output), with weights packed once per weight array, activations in
 *   reused buffers of one shared memory and the batch split across worker
 *   threads when asked.
 *
 * If the WebAssembly module is not built or cannot load, `"fast"` silently
 * runs the reference kernels; {@link kernelInfo} says which ran and why.
 * Float32 accumulation makes the two differ by float32 rounding only (about
 * 1e-6 relative on the seed models), well inside the 1e-5 agreement with
 * TensorFlow.js that the tests hold both to.
 */
import { fail, isPositiveInteger, valueText } from "../checks.js";
import { availableParallelism, envVariable, host, webThreadsReason } from "../platform.js";
import { activate, activateInto } from "./activations.js";
import type { ActivationName } from "./activations.js";
import { conv2d, conv2dGeometry } from "./conv2d.js";
import type { Conv2dOptions } from "./conv2d.js";
import { dense, denseGeometry } from "./dense.js";
import { convOutputGeometry } from "../shape.js";
import { UNIT_AXIS, convNd } from "./conv-nd.js";
import { multiHeadAttention } from "./attention-mha.js";
import type { AttentionWeights } from "./attention-mha.js";
import { embeddingLookup, invalidIndex } from "./embedding.js";
import { batchNormInference } from "./norm-batch.js";
import { layerNorm } from "./norm-layer.js";
import type { LayerNormWeights } from "./norm-layer.js";
import { GATES, recurrentPass } from "./rnn-cells.js";
import type { CellKind, RecurrentPassOptions, RecurrentPassResult } from "./rnn-cells.js";
import type { BatchNormWeights } from "./norm-batch.js";
import { averagePool2d, maxPool2d, pool2dGeometry } from "./pooling.js";
import type { Pool2dOptions, PoolKind } from "./pooling.js";
import { globalPool } from "./pool-global.js";
import { padZeros } from "./reshape-ops.js";
import { checkTensor } from "./tensor.js";
import type { Tensor } from "./tensor.js";
import { runParallel, startThreads, threadsError } from "./threads.js";
import type { Job } from "./threads.js";
import { loadKernelModule, wasmKernels, wasmLoadError } from "./wasm.js";
import type { WasmKernels } from "./wasm.js";

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

/**
 * Which kernels ran a layer: `"wasm"` (WebAssembly SIMD only), `"reference"`
 * (the TypeScript kernels only), `"wasm+reference"` (part of each, such as a
 * matrix product on WebAssembly followed by an activation the kernels do not
 * fuse) or `"view"` (no computation: the output is the input's data).
 *
 * @example
 * ```ts
 * const k: LayerKernel = "wasm";
 * ```
 */
export type LayerKernel = "wasm" | "reference" | "wasm+reference" | "view";

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
}

/**
 * Kernel launches so far, per kind: a profiled `predict` reads them before
 * and after each layer to tell which kernels that layer ran.
 */
const launches = { wasm: 0, reference: 0, referenceWhat: "" };
let lastProfile: readonly LayerProfile[] | undefined;

/**
 * Counts one reference computation inside a layer that otherwise runs on
 * the fast kernels (an activation the fast kernels do not fuse), naming it.
 */
function referenceLaunch(what: string): void {
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
    reason = fallbackReason(className);
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
 * kernelInfo(); // { backend: "fast", wasm: true, memoryBytes: 9437184, threads: "worker_threads", maxThreads: 2 }
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
   * copy the file (esbuild).
   */
  url?: string | URL;
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
  if (url !== undefined && typeof url !== "string" && !(url instanceof URL))
    throw new TypeError(`shapewise: loadKernels url must be a string or a URL, got ${String(url)}`);
  if (threads !== undefined && (!Number.isSafeInteger(threads) || threads < 1))
    throw new RangeError(`shapewise: loadKernels threads must be a positive integer, got ${String(threads)}`);
  await loadKernelModule(url);
  if (threads !== undefined && threads > 1) await startThreads(Math.min(threads, maxThreads()));
  return kernelInfo();
}

/** The fast kernels if they are chosen and loaded. */
function fast(): WasmKernels | null {
  return getKernelBackend() === "fast" ? wasmKernels() : null;
}

// ---------------------------------------------------------------------------
// Run scopes: the buffers of one predict
// ---------------------------------------------------------------------------

interface Block {
  readonly ptr: number;
  readonly bytes: number;
  refs: number;
}

/**
 * The buffers of one forward pass. Kernel outputs are allocated here and
 * stay in WebAssembly memory while later layers read them; `release` frees a
 * block once no tensor still being read lives in it, so the next layer
 * reuses it, and `end` frees everything. Outside a scope the fast kernels
 * return ordinary arrays.
 *
 * @example
 * ```ts
 * const scope = beginRun(1);
 * try {
 *   const y = conv2dLayer(x, k, b, opts, "relu"); // y.data lives in WebAssembly memory
 *   return scope === null ? y : scope.result(y);
 * } finally {
 *   scope?.end();
 * }
 * ```
 */
export class RunScope {
  /** Threads a kernel may use. */
  readonly threads: number;
  private readonly blocks: Block[] = [];
  /** Caller arrays already copied in, so a tensor read by two layers is copied once. */
  private readonly copies = new Map<Float32Array, number>();
  private readonly previous: RunScope | null;
  private readonly kernels: WasmKernels;

  constructor(kernels: WasmKernels, threads: number, previous: RunScope | null) {
    this.kernels = kernels;
    this.threads = threads;
    this.previous = previous;
  }

  /** A new block of `floats` floats, not yet retained by any tensor. */
  alloc(floats: number): number {
    const bytes = floats * 4;
    const ptr = this.kernels.alloc(bytes);
    this.blocks.push({ ptr, bytes, refs: 0 });
    return ptr;
  }

  /** The address of a caller array, copied in once per scope. */
  copyIn(data: Float32Array): number {
    let ptr = this.copies.get(data);
    if (ptr === undefined) {
      ptr = this.alloc(data.length);
      this.kernels.view(ptr, data.length).set(data);
      this.copies.set(data, ptr);
    }
    return ptr;
  }

  private blockOf(t: Tensor): Block | undefined {
    const at = this.kernels.addressOf(t.data);
    if (at < 0) return undefined;
    return this.blocks.find((b) => at >= b.ptr && at < b.ptr + b.bytes);
  }

  /** One more tensor is read from the block `t` lives in. */
  retain(t: Tensor): void {
    const b = this.blockOf(t);
    if (b !== undefined) b.refs++;
  }

  /** A tensor will not be read again; its block is freed once no other tensor needs it. */
  release(t: Tensor): void {
    const b = this.blockOf(t);
    if (b === undefined) return;
    b.refs--;
    if (b.refs <= 0) {
      this.kernels.free(b.ptr);
      this.blocks.splice(this.blocks.indexOf(b), 1);
      for (const [data, ptr] of this.copies) if (ptr === b.ptr) this.copies.delete(data);
    }
  }

  /** `t` as the caller may keep it: copied out of WebAssembly memory if it lives there. */
  result<T extends Tensor>(t: T): T {
    return this.kernels.addressOf(t.data) < 0 ? t : ({ ...t, data: new Float32Array(t.data) } as T);
  }

  /** Frees every block and makes the enclosing scope current again. */
  end(): void {
    for (const b of this.blocks) this.kernels.free(b.ptr);
    this.blocks.length = 0;
    this.copies.clear();
    if (current === this) current = this.previous;
  }
}

let current: RunScope | null = null;

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

/**
 * Starts the buffers of one forward pass (see {@link RunScope}); `null`
 * when the reference kernels run, which need no scope. Callers must `end()`
 * it, in a `finally`.
 *
 * @example
 * ```ts
 * const scope = beginRun(2); // kernels may split work over 2 threads until scope.end()
 * ```
 */
export function beginRun(threads: number): RunScope | null {
  const k = fast();
  if (k === null) return null;
  current = new RunScope(k, threads, current);
  return current;
}

// ---------------------------------------------------------------------------
// Work splitting
// ---------------------------------------------------------------------------

/** Below this many FLOPs a call runs on one thread: a hand-off costs ~10-20 µs. */
const MIN_PARALLEL_FLOPS = 4e6;
/** Each thread's scratch block, grown (never shrunk) to the largest request. */
const scratch: { ptr: number; floats: number }[] = [];

function scratchFor(k: WasmKernels, thread: number, floats = k.scratchFloats): number {
  const s = scratch[thread];
  if (s !== undefined && s.floats >= floats) return s.ptr;
  if (s !== undefined) k.free(s.ptr);
  scratch[thread] = { ptr: k.alloc(floats * 4), floats };
  return scratch[thread].ptr;
}

/** Splits [0, total) into up to `parts` ranges whose starts are multiples of `align`. */
function split(total: number, parts: number, align: number): [number, number][] {
  const chunk = Math.ceil(total / parts / align) * align;
  const out: [number, number][] = [];
  for (let s = 0; s < total; s += chunk) out.push([s, Math.min(total, s + chunk)]);
  return out;
}

function threadsFor(flops: number): number {
  if (current === null || current.threads <= 1 || flops < MIN_PARALLEL_FLOPS) return 1;
  return current.threads;
}

function run(k: WasmKernels, jobs: Job[]): void {
  launches.wasm++;
  const local = (job: Job) => (k.exports[job.fn] as (...a: number[]) => void)(...job.args);
  if (jobs.length === 1) local(jobs[0]);
  else runParallel(jobs, local);
}

// ---------------------------------------------------------------------------
// Buffers for one kernel call
// ---------------------------------------------------------------------------

/** Where a kernel reads a tensor from: its own address, or a copy. */
function addressIn(k: WasmKernels, data: Float32Array, temps: number[]): number {
  const at = k.addressOf(data);
  if (at >= 0) return at;
  if (current !== null) return current.copyIn(data);
  const ptr = k.alloc(data.length * 4);
  k.view(ptr, data.length).set(data);
  temps.push(ptr);
  return ptr;
}

/** A kernel output: a scope block, or (outside a scope) a temporary copied out by {@link finish}. */
function outputOf(k: WasmKernels, floats: number, temps: number[]): number {
  if (current !== null) return current.alloc(floats);
  const ptr = k.alloc(floats * 4);
  temps.push(ptr);
  return ptr;
}

function finish(k: WasmKernels, ptr: number, floats: number, temps: number[]): Float32Array {
  const view = k.view(ptr, floats);
  const data = current === null ? new Float32Array(view) : view;
  for (const t of temps) k.free(t);
  return data;
}

// ---------------------------------------------------------------------------
// Packed weights
// ---------------------------------------------------------------------------

interface Packed {
  /** The packed matrix, 0 until a kernel needs it (the Winograd path never does). */
  ptr: number;
  /** The weights were written in place since they were packed: pack again, into the same block. */
  stale: boolean;
  readonly biasPtr: number;
  bias: Float32Array | null;
}

/** Packed copies, keyed by the weight array they were made from. */
const packedWeights = new WeakMap<Float32Array, Packed>();
/** The packed copy each bias array was copied into, so an in-place bias update is seen. */
const packedByBias = new WeakMap<Float32Array, Packed>();
/** Winograd transforms whose kernel was written in place since. */
const staleWinograd = new WeakSet<Float32Array>();

/**
 * Says that weight arrays were written in place (an optimizer step does):
 * their packed copies are made again, in the blocks they already hold, the
 * next time a kernel reads them. Arrays never packed are ignored.
 *
 * @example
 * ```ts
 * optimizer.applyGradients(weights, grads);
 * weightsWritten(weights);
 * ```
 */
export function weightsWritten(arrays: readonly Float32Array[]): void {
  for (const a of arrays) {
    const p = packedWeights.get(a);
    if (p !== undefined) p.stale = true;
    const owner = packedByBias.get(a);
    if (owner !== undefined) owner.bias = null;
    if (winogradWeights.has(a)) staleWinograd.add(a);
    if (copiedWeights.has(a)) staleCopies.add(a);
    // A GRU's two biases are packed from slices of its one bias array.
    for (const slice of biasSlices.get(a)?.values() ?? []) {
      const sliceOwner = packedByBias.get(slice);
      if (sliceOwner !== undefined) sliceOwner.bias = null;
    }
  }
}
const unpack = new FinalizationRegistry<{ k: WasmKernels; ptrs: number[] }>(({ k, ptrs }) => {
  for (const p of ptrs) k.free(p);
});

/** Writes the `[K, N]` matrix `weights` into `dst` as the kernels read it: panels of `nr` columns, k-major, zero-padded. */
function packPanels(dst: Float32Array, weights: Float32Array, kDim: number, n: number, nr: number): void {
  const panels = Math.ceil(n / nr);
  for (let panel = 0; panel < panels; panel++) {
    const c0 = panel * nr;
    const width = Math.min(nr, n - c0);
    let o = panel * kDim * nr;
    for (let r = 0; r < kDim; r++, o += nr) {
      const s = r * n + c0;
      for (let j = 0; j < width; j++) dst[o + j] = weights[s + j];
      for (let j = width; j < nr; j++) dst[o + j] = 0;
    }
  }
}

/**
 * The bias padded to whole panels and, with `matrix`, the `[K, N]` weight
 * matrix in panels of `panelWidth` columns (k-major, zero-padded), packed on
 * first use of this weight array. Weight arrays are never written in place
 * once a layer has run (`setWeights` installs new arrays) except by a
 * training step, which says so through {@link weightsWritten}; the packed
 * copy is freed with the array.
 */
function packed(k: WasmKernels, weights: Float32Array, kDim: number, n: number, bias: Float32Array | null, matrix = true): Packed {
  const nr = k.panelWidth;
  const panels = Math.ceil(n / nr);
  let p = packedWeights.get(weights);
  if (p === undefined) {
    const biasPtr = k.alloc(panels * nr * 4);
    k.view(biasPtr, panels * nr).fill(0);
    p = { ptr: 0, stale: false, biasPtr, bias: null };
    packedWeights.set(weights, p);
    const ptrs = [biasPtr];
    unpack.register(weights, { k, ptrs });
  }
  if (matrix && (p.ptr === 0 || p.stale)) {
    const fresh = p.ptr === 0;
    const ptr = fresh ? k.alloc(panels * kDim * nr * 4) : p.ptr;
    packPanels(k.view(ptr, panels * kDim * nr), weights, kDim, n, nr);
    p.stale = false;
    if (fresh) {
      p.ptr = ptr;
      unpack.register(weights, { k, ptrs: [ptr] });
    }
  }
  if (bias !== p.bias) {
    const b = k.view(p.biasPtr, panels * nr);
    b.fill(0);
    if (bias !== null) {
      b.set(bias);
      packedByBias.set(bias, p);
    }
    p.bias = bias;
  }
  return p;
}

/** Winograd F(2x2, 3x3) transforms of 3x3 kernels, keyed like {@link packedWeights}. */
const winogradWeights = new WeakMap<Float32Array, number>();

/**
 * `U = G g Gt` for every (input channel, filter) pair of a 3x3 kernel: 16
 * `[cin, cout]` matrices, each packed in panels like {@link packed}. Computed
 * in float64 and rounded once.
 */
function winogradPacked(k: WasmKernels, weights: Float32Array, cin: number, cout: number): number {
  const known = winogradWeights.get(weights);
  if (known !== undefined && !staleWinograd.has(weights)) return known;
  staleWinograd.delete(weights);
  const nr = k.panelWidth;
  const panels = Math.ceil(cout / nr);
  const per = panels * cin * nr;
  const ptr = known ?? k.alloc(16 * per * 4);
  const dst = k.view(ptr, 16 * per);
  dst.fill(0);
  const g = new Float64Array(9);
  const gg = new Float64Array(12);
  for (let ci = 0; ci < cin; ci++) {
    for (let co = 0; co < cout; co++) {
      for (let t = 0; t < 9; t++) g[t] = weights[(t * cin + ci) * cout + co];
      // G g: rows g0, (g0 + g1 + g2) / 2, (g0 - g1 + g2) / 2, g2.
      for (let c = 0; c < 3; c++) {
        const a = g[c],
          b = g[3 + c],
          d = g[6 + c];
        gg[c] = a;
        gg[3 + c] = (a + b + d) / 2;
        gg[6 + c] = (a - b + d) / 2;
        gg[9 + c] = d;
      }
      const o = Math.floor(co / nr) * cin * nr + ci * nr + (co % nr);
      // (G g) Gt: the same on the columns.
      for (let r = 0; r < 4; r++) {
        const a = gg[3 * r],
          b = gg[3 * r + 1],
          d = gg[3 * r + 2];
        dst[4 * r * per + o] = a;
        dst[(4 * r + 1) * per + o] = (a + b + d) / 2;
        dst[(4 * r + 2) * per + o] = (a - b + d) / 2;
        dst[(4 * r + 3) * per + o] = d;
      }
    }
  }
  if (known === undefined) {
    winogradWeights.set(weights, ptr);
    unpack.register(weights, { k, ptrs: [ptr] });
  }
  return ptr;
}

/** Activations the kernels apply in their epilogue (codes of `asm/kernels.ts`). */
function fusedCode(activation: ActivationName): number {
  return activation === "relu" ? 1 : activation === "relu6" ? 2 : 0;
}

/**
 * Codes of the activations `asm/kernels.ts` `activation` computes (0-2 are
 * also fused into the products' epilogue); the others run on the reference
 * kernels, which a profile names.
 */
const ACTIVATION_CODES: Partial<Record<ActivationName, number>> = {
  linear: 0,
  relu: 1,
  relu6: 2,
  sigmoid: 3,
  tanh: 4,
  silu: 5,
  swish: 5,
  hard_sigmoid: 6,
  softmax: 7,
};

/** The code of an activation the WebAssembly kernels compute, or undefined (own keys only: names come from untyped callers too). */
function activationCode(name: ActivationName): number | undefined {
  return Object.hasOwn(ACTIVATION_CODES, name) ? ACTIVATION_CODES[name] : undefined;
}

/** Elementwise kernels are bound by memory: a second thread pays off only on large tensors. */
const ELEMENTWISE_FLOPS_PER_FLOAT = 4;

/**
 * Applies `activation` to the `floats` values at `src` (shape `shape`),
 * writing them at `dst`, which may be `src`: on the WebAssembly kernels
 * when they compute it, else on the reference kernels, named for a profile.
 */
function activateAt(k: WasmKernels, activation: ActivationName, shape: readonly number[], src: number, dst: number, floats: number): void {
  const code = activationCode(activation);
  if (floats === 0 || (code === 0 && src === dst)) return;
  if (code === undefined) {
    referenceLaunch(`the ${activation} activation`);
    activateInto(activation, shape, k.view(src, floats), k.view(dst, floats));
    return;
  }
  if (activation === "softmax") {
    const rowLen = shape[shape.length - 1];
    const rows = floats / rowLen;
    run(
      k,
      split(rows, threadsFor(floats * 20), 1).map(([r0, r1]) => ({ fn: "activation", args: [code, src, dst, rowLen, r0, r1] })),
    );
    return;
  }
  const perFloat = code <= 2 ? ELEMENTWISE_FLOPS_PER_FLOAT : 20;
  run(
    k,
    split(floats, threadsFor(floats * perFloat), 16).map(([s0, s1]) => ({ fn: "activation", args: [code, src, dst, 0, s0, s1] })),
  );
}

/** The activation a product's epilogue did not fuse, applied to its output before it leaves WebAssembly memory. */
function applyRest(k: WasmKernels, activation: ActivationName, shape: readonly number[], ptr: number, floats: number): void {
  if (activation !== "linear" && fusedCode(activation) === 0) activateAt(k, activation, shape, ptr, ptr, floats);
}

// ---------------------------------------------------------------------------
// The kernels layers call
// ---------------------------------------------------------------------------

/**
 * Whether a convolution takes the Winograd path: 3x3 window, unit strides
 * and dilation, channel and filter counts that fill whole SIMD vectors, at
 * least 16 channels (below that the transforms cost more than they save)
 * and at most one K block of channels.
 */
function useWinograd(k: WasmKernels, g: ReturnType<typeof conv2dGeometry>): boolean {
  return (
    g.kh === 3 &&
    g.kw === 3 &&
    g.sh === 1 &&
    g.sw === 1 &&
    g.dh === 1 &&
    g.dw === 1 &&
    g.cin % 4 === 0 &&
    g.cout % 4 === 0 &&
    g.cin >= 16 &&
    g.cin <= k.exports.winogradMaxChannels()
  );
}

/**
 * A Conv2D layer's computation: convolution, bias and activation. Runs the
 * fast kernels when they are chosen and loaded, else {@link conv2d} then
 * {@link activate}; both reject malformed inputs with the same RangeError.
 *
 * @example
 * ```ts
 * const y = conv2dLayer(x, kernel, bias, { strides: [1, 1], dilationRate: [1, 1], padding: "same" }, "relu");
 * ```
 */
export function conv2dLayer(input: Tensor, kernel: Tensor, bias: Tensor | null, options: Conv2dOptions, activation: ActivationName): Tensor {
  const k = fast();
  const g = conv2dGeometry(input, kernel, bias, options);
  const rows = g.n * g.oh * g.ow;
  const kDim = g.kh * g.kw * g.cin;
  if (k === null || rows === 0 || kDim === 0 || g.cout === 0) {
    const out = conv2d(input, kernel, bias, options);
    return activation === "linear" ? out : activate(activation, out);
  }
  const temps: number[] = [];
  const x = addressIn(k, input.data, temps);
  const winograd = useWinograd(k, g);
  const w = packed(k, kernel.data, kDim, g.cout, bias === null ? null : bias.data, !winograd);
  const floats = rows * g.cout;
  const out = outputOf(k, floats, temps);
  const panels = Math.ceil(g.cout / k.panelWidth);
  const threads = threadsFor(2 * rows * kDim * g.cout);
  if (winograd) {
    // 3x3, stride 1: Winograd F(2x2, 3x3), 2.25x fewer multiply-adds; tiles of 2x2 outputs split across threads.
    const tiles = g.n * Math.ceil(g.oh / 2) * Math.ceil(g.ow / 2);
    const u = winogradPacked(k, kernel.data, g.cin, g.cout);
    const head = [x, g.h, g.w, g.cin, g.padTop, g.padLeft, g.oh, g.ow, g.cout, u, bias === null ? 0 : w.biasPtr, out, fusedCode(activation)];
    const need = k.exports.winogradScratchFloats(panels * k.panelWidth);
    run(
      k,
      split(tiles, threads, 4).map(([t0, t1], t) => ({ fn: "winograd3x3", args: [...head, t0, t1, scratchFor(k, t, need)] })),
    );
  } else {
    const head = [
      x,
      g.h,
      g.w,
      g.cin,
      g.kh,
      g.kw,
      g.sh,
      g.sw,
      g.dh,
      g.dw,
      g.padTop,
      g.padLeft,
      g.oh,
      g.ow,
      g.cout,
      w.ptr,
      bias === null ? 0 : w.biasPtr,
      out,
      fusedCode(activation),
    ];
    // Rows (output pixels over the batch) split evenly; a layer with fewer
    // rows than threads (late layers at batch 1) splits its filters instead.
    const jobs: Job[] =
      rows >= 16 * threads || panels < threads
        ? split(rows, threads, 4).map(([r0, r1], t) => ({ fn: "conv2d", args: [...head, r0, r1, 0, panels, scratchFor(k, t)] }))
        : split(panels, threads, 1).map(([p0, p1], t) => ({ fn: "conv2d", args: [...head, 0, rows, p0, p1, scratchFor(k, t)] }));
    run(k, jobs);
  }
  const shape = [g.n, g.oh, g.ow, g.cout] as const;
  applyRest(k, activation, shape, out, floats);
  return { shape, data: finish(k, out, floats, temps) };
}

/**
 * A Dense layer's computation: matrix product, bias and activation, on the
 * last axis (fast kernels when chosen and loaded, else {@link dense} then
 * {@link activate}).
 *
 * @example
 * ```ts
 * const y = denseLayer({ shape: [64, 2048], data }, kernel, bias, "softmax"); // [64, 10]
 * ```
 */
export function denseLayer(input: Tensor, kernel: Tensor, bias: Tensor | null, activation: ActivationName): Tensor {
  const k = fast();
  const { rows, inDim, units } = denseGeometry(input, kernel, bias);
  if (k === null || rows === 0 || inDim === 0 || units === 0) {
    const out = dense(input, kernel, bias);
    return activation === "linear" ? out : activate(activation, out);
  }
  const temps: number[] = [];
  const x = addressIn(k, input.data, temps);
  const w = packed(k, kernel.data, inDim, units, bias === null ? null : bias.data);
  const floats = rows * units;
  const out = outputOf(k, floats, temps);
  const panels = Math.ceil(units / k.panelWidth);
  const threads = threadsFor(2 * rows * inDim * units);
  const head = [x, inDim, units, w.ptr, bias === null ? 0 : w.biasPtr, out, fusedCode(activation)];
  // Few rows (batch 1) make dense a matrix-vector product bound by reading
  // the weights: split the panels, so each thread reads half of them.
  const jobs: Job[] =
    rows >= 16 * threads || panels < threads
      ? split(rows, threads, 4).map(([r0, r1], t) => ({ fn: "dense", args: [...head, r0, r1, 0, panels, scratchFor(k, t)] }))
      : split(panels, threads, 1).map(([p0, p1], t) => ({ fn: "dense", args: [...head, 0, rows, p0, p1, scratchFor(k, t)] }));
  run(k, jobs);
  const shape = [...input.shape.slice(0, -1), units];
  applyRest(k, activation, shape, out, floats);
  return { shape, data: finish(k, out, floats, temps) };
}

/**
 * A pooling layer's computation (fast kernels when chosen and loaded, else
 * {@link maxPool2d} / {@link averagePool2d}).
 *
 * @example
 * ```ts
 * const y = pool2dLayer("max", x, { poolSize: [2, 2], strides: [2, 2], padding: "valid" });
 * ```
 */
export function pool2dLayer(kind: PoolKind, input: Tensor, options: Pool2dOptions): Tensor {
  const k = fast();
  const g = pool2dGeometry(kind, input, options);
  const rows = g.n * g.oh;
  const floats = rows * g.ow * g.c;
  if (k === null || floats === 0) return kind === "max" ? maxPool2d(input, options) : averagePool2d(input, options);
  const temps: number[] = [];
  const x = addressIn(k, input.data, temps);
  const out = outputOf(k, floats, temps);
  const threads = threadsFor(floats * g.ph * g.pw * 4);
  const head = [kind === "max" ? 0 : 1, x, g.h, g.w, g.c, g.ph, g.pw, g.sh, g.sw, g.padTop, g.padLeft, g.oh, g.ow, out];
  run(
    k,
    split(rows, threads, 1).map(([r0, r1]) => ({ fn: "pool2d", args: [...head, r0, r1] })),
  );
  return { shape: [g.n, g.oh, g.ow, g.c], data: finish(k, out, floats, temps) };
}

/**
 * The matrix product `a[m, kDim] · b[kDim, n]` on the fast kernels, or
 * `null` when they are not chosen or not loaded. Backward passes are such
 * products over arrays made for one step, so `b` is packed into a block
 * freed at once rather than into the per-weight cache `predict` keeps.
 *
 * @example
 * ```ts
 * const c = matmul(a, b, 64, 288, 32); // Float32Array(64 * 32), or null on the reference kernels
 * ```
 */
export function matmul(a: Float32Array, b: Float32Array, m: number, kDim: number, n: number): Float32Array | null {
  const k = fast();
  if (k === null || m === 0 || kDim === 0 || n === 0) return null;
  if (a.length !== m * kDim || b.length !== kDim * n) {
    throw new RangeError(`matmul: [${m}, ${kDim}] x [${kDim}, ${n}] needs ${m * kDim} and ${kDim * n} values, got ${a.length} and ${b.length}`);
  }
  // Every block here is freed on return, inside a run scope too: a training step makes many such
  // products, and a scope would keep each one's blocks until the step ends.
  const nr = k.panelWidth;
  const panels = Math.ceil(n / nr);
  const x = k.alloc(a.length * 4);
  const wp = k.alloc(panels * kDim * nr * 4);
  const out = k.alloc(m * n * 4);
  try {
    k.view(x, a.length).set(a);
    packPanels(k.view(wp, panels * kDim * nr), b, kDim, n, nr);
    const threads = threadsFor(2 * m * kDim * n);
    const head = [x, kDim, n, wp, 0, out, 0];
    run(
      k,
      split(m, threads, 4).map(([r0, r1], t) => ({ fn: "dense", args: [...head, r0, r1, 0, panels, scratchFor(k, t)] })),
    );
    return new Float32Array(k.view(out, m * n));
  } finally {
    k.free(out);
    k.free(wp);
    k.free(x);
  }
}

/**
 * An activation layer's computation: the WebAssembly kernels for the
 * activations they compute (relu, relu6, sigmoid, tanh, silu/swish,
 * hard_sigmoid, softmax on the last axis), reading the input where the
 * previous layer left it in WebAssembly memory; {@link activate} otherwise.
 *
 * @example
 * ```ts
 * const y = activationLayer("relu6", x);
 * ```
 */
export function activationLayer(activation: ActivationName, input: Tensor): Tensor {
  const k = fast();
  if (k === null || activationCode(activation) === undefined) return activate(activation, input);
  checkTensor(input, `activate(${activation})`);
  const floats = input.data.length;
  if (floats === 0 || (activation === "softmax" && input.shape.length === 0)) return activate(activation, input);
  const temps: number[] = [];
  const x = addressIn(k, input.data, temps);
  const out = outputOf(k, floats, temps);
  activateAt(k, activation, input.shape, x, out, floats);
  return { shape: [...input.shape], data: finish(k, out, floats, temps) };
}

/**
 * A batch normalisation's inference computation, with an optional fused
 * relu or relu6: on the WebAssembly kernels when it normalises the last
 * axis (channels last, as every convolution here writes), folded to one
 * float32 multiply-add per value (the statistics folded in float64 and
 * rounded once; within float32 rounding of the reference);
 * {@link batchNormInference} otherwise.
 *
 * @example
 * ```ts
 * const y = batchNormLayer(x, 3, { gamma, beta, movingMean, movingVariance, epsilon: 1e-3 });
 * ```
 */
export function batchNormLayer(input: Tensor, axis: number, w: BatchNormWeights, activation: "linear" | "relu" | "relu6" = "linear"): Tensor {
  const k = fast();
  const rank = input.shape.length;
  const floats = input.data.length;
  if (k === null || floats === 0 || axis !== rank - 1) {
    const out = batchNormInference(input, axis, w);
    return activation === "linear" ? out : activate(activation, out);
  }
  const channels = input.shape[axis];
  // The checks of the reference kernel, with its messages.
  for (const [what, v] of [
    ["gamma", w.gamma],
    ["beta", w.beta],
    ["movingMean", w.movingMean],
    ["movingVariance", w.movingVariance],
  ] as const) {
    if (v !== null && v.length !== channels) throw new RangeError(`batchNormInference: ${what} has ${v.length} values for ${channels} channels`);
  }
  const temps: number[] = [];
  const x = addressIn(k, input.data, temps);
  // Folded once per call in float64 and rounded: scale = gamma / sqrt(variance + epsilon), shift = beta - mean * scale.
  const params = k.alloc(channels * 8);
  temps.push(params);
  const f32 = k.view(params, 2 * channels);
  for (let c = 0; c < channels; c++) {
    const scale = (w.gamma === null ? 1 : w.gamma[c]) / Math.sqrt(w.movingVariance[c] + w.epsilon);
    f32[c] = scale;
    f32[channels + c] = (w.beta === null ? 0 : w.beta[c]) - w.movingMean[c] * scale;
  }
  const out = outputOf(k, floats, temps);
  const pixels = floats / channels;
  const head = [x, out, channels, params, params + channels * 4, fusedCode(activation)];
  run(
    k,
    split(pixels, threadsFor(floats * ELEMENTWISE_FLOPS_PER_FLOAT), 1).map(([p0, p1]) => ({ fn: "channelScaleShift", args: [...head, p0, p1] })),
  );
  return { shape: [...input.shape], data: finish(k, out, floats, temps) };
}

/**
 * The element-wise merges the WebAssembly kernels compute.
 *
 * @example
 * ```ts
 * const kind: FastMerge = "add";
 * ```
 */
export type FastMerge = "add" | "subtract" | "multiply" | "average" | "maximum" | "minimum";

const MERGE_CODES: Readonly<Record<FastMerge, number>> = { add: 0, average: 0, subtract: 1, multiply: 2, maximum: 3, minimum: 4 };

/**
 * An element-wise merge of inputs of one shape on the WebAssembly kernels,
 * folding left in float32 as the reference merge does (the same bits), or
 * `null` when they are not chosen or the inputs broadcast, for the caller to
 * run the reference merge.
 *
 * @example
 * ```ts
 * const y = elementwiseMergeLayer("add", [a, b]) ?? referenceMerge("add", [a, b]);
 * ```
 */
export function elementwiseMergeLayer(kind: FastMerge, inputs: readonly Tensor[]): Tensor | null {
  const k = fast();
  const first = inputs[0];
  const floats = first.data.length;
  if (k === null || floats === 0 || inputs.length < 2) return null;
  const shape = first.shape;
  if (inputs.some((t) => t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i]) || t.data.length !== floats)) return null;
  const temps: number[] = [];
  const ptrs = inputs.map((t) => addressIn(k, t.data, temps));
  const out = outputOf(k, floats, temps);
  const ranges = split(floats, threadsFor(floats * ELEMENTWISE_FLOPS_PER_FLOAT * (inputs.length - 1)), 16);
  for (let i = 1; i < inputs.length; i++) {
    const a = i === 1 ? ptrs[0] : out;
    run(
      k,
      ranges.map(([s0, s1]) => ({ fn: "merge", args: [MERGE_CODES[kind], a, ptrs[i], out, 0, s0, s1] })),
    );
  }
  if (kind === "average") {
    run(
      k,
      ranges.map(([s0, s1]) => ({ fn: "divide", args: [out, out, inputs.length, s0, s1] })),
    );
  }
  return { shape: [...shape], data: finish(k, out, floats, temps) };
}

/** Weight arrays copied as they are into WebAssembly memory (depthwise kernels and biases), keyed by the array. */
const copiedWeights = new WeakMap<Float32Array, number>();
/** Copies whose array was written in place since. */
const staleCopies = new WeakSet<Float32Array>();

/**
 * A DepthwiseConv2D layer's computation, channels last: kernel
 * `[kh, kw, channels, depthMultiplier]` as Keras stores it, bias
 * `[channels * depthMultiplier]` or `null`, relu or relu6 fused and any other
 * activation after it. The WebAssembly kernel when chosen and loaded (four
 * channels per SIMD vector when the multiplier is 1), else the reference
 * grouped convolution.
 *
 * @example
 * ```ts
 * const y = depthwise2dLayer(x, kernel, null, { strides: [1, 1], dilationRate: [1, 1], padding: "same" }, "relu6");
 * ```
 */
export function depthwise2dLayer(input: Tensor, kernel: Tensor, bias: Tensor | null, options: Conv2dOptions, activation: ActivationName): Tensor {
  checkTensor(input, "depthwise2d input", 4);
  checkTensor(kernel, "depthwise2d kernel", 4);
  const [n, h, w, c] = input.shape;
  const [kh, kw, kc, m] = kernel.shape;
  if (kc !== c) throw new RangeError(`depthwise2d: kernel expects ${kc} input channels, input has ${c}`);
  const cout = c * m;
  if (bias !== null && (bias.shape.length !== 1 || bias.shape[0] !== cout)) {
    throw new RangeError(`depthwise2d: bias has shape [${bias.shape.join(", ")}], the layer has ${cout} output channels`);
  }
  const [sh, sw] = options.strides;
  const [dh, dw] = options.dilationRate;
  const gy = convOutputGeometry(h, kh, sh, dh, options.padding);
  const gx = convOutputGeometry(w, kw, sw, dw, options.padding);
  const oh = gy.outputLength;
  const ow = gx.outputLength;
  const floats = n * oh * ow * cout;
  const k = fast();
  if (k === null || floats === 0) {
    // `[kh, kw, c, m]` and `[kh, kw, 1, c * m]` are the same array: one group per channel.
    const grouped = { shape: [1, kh, kw, 1, cout], data: kernel.data };
    const axes = [
      UNIT_AXIS,
      { outputLength: oh, padBefore: gy.padBefore, stride: sh, dilation: dh },
      { outputLength: ow, padBefore: gx.padBefore, stride: sw, dilation: dw },
    ] as const;
    const y = convNd({ shape: [n, 1, h, w, c], data: input.data }, grouped, bias, axes, c);
    const out = { shape: [n, oh, ow, cout], data: y.data };
    return activation === "linear" ? out : activate(activation, out);
  }
  const temps: number[] = [];
  const x = addressIn(k, input.data, temps);
  // Weights stay where they are for the whole model's life: copied in once per array.
  const kp = cachedCopy(k, kernel.data, 0);
  const bp = bias === null ? 0 : cachedCopy(k, bias.data, 4);
  const out = outputOf(k, floats, temps);
  const rows = n * oh;
  const head = [x, h, w, c, kh, kw, sh, sw, dh, dw, gy.padBefore, gx.padBefore, oh, ow, m, kp, bp, out, fusedCode(activation)];
  run(
    k,
    split(rows, threadsFor(2 * floats * kh * kw), 1).map(([r0, r1]) => ({ fn: "depthwise2d", args: [...head, r0, r1] })),
  );
  const shape = [n, oh, ow, cout];
  applyRest(k, activation, shape, out, floats);
  return { shape, data: finish(k, out, floats, temps) };
}

/**
 * A weight array copied into WebAssembly memory once (zero-padded to a
 * multiple of `pad` floats), freed with the array; a training step's
 * {@link weightsWritten} has it copied again.
 */
function cachedCopy(k: WasmKernels, data: Float32Array, pad: number): number {
  const known = copiedWeights.get(data);
  const fresh = known === undefined;
  if (!fresh && !staleCopies.has(data)) return known;
  staleCopies.delete(data);
  const floats = pad > 0 ? Math.ceil(data.length / pad) * pad : data.length;
  const ptr = known ?? k.alloc(Math.max(1, floats) * 4);
  const view = k.view(ptr, floats);
  view.fill(0);
  view.set(data);
  if (fresh) {
    copiedWeights.set(data, ptr);
    unpack.register(data, { k, ptrs: [ptr] });
  }
  return ptr;
}

// ---------------------------------------------------------------------------
// Sequence layers: attention, layer normalisation, recurrent cells, embedding
// ---------------------------------------------------------------------------

/**
 * `out[rows, units] = x[rows, inDim] · weights + bias` with a fused relu or
 * relu6, on the packed copy of `weights` (packed once per array), split
 * across threads as {@link denseLayer} splits it.
 */
function productAt(
  k: WasmKernels,
  x: number,
  rows: number,
  inDim: number,
  units: number,
  weights: Float32Array,
  bias: Float32Array | null,
  out: number,
  act: number,
): void {
  const w = packed(k, weights, inDim, units, bias);
  const panels = Math.ceil(units / k.panelWidth);
  const threads = threadsFor(2 * rows * inDim * units);
  const head = [x, inDim, units, w.ptr, bias === null ? 0 : w.biasPtr, out, act];
  const jobs: Job[] =
    rows >= 16 * threads || panels < threads
      ? split(rows, threads, 4).map(([r0, r1], t) => ({ fn: "dense", args: [...head, r0, r1, 0, panels, scratchFor(k, t)] }))
      : split(panels, threads, 1).map(([p0, p1], t) => ({ fn: "dense", args: [...head, 0, rows, p0, p1, scratchFor(k, t)] }));
  run(k, jobs);
}

/**
 * A MultiHeadAttention layer's inference computation: the query, key and
 * value projections and the output projection as matrix products on the
 * packed weights, and between them one kernel per (sample, head, query
 * step) that takes the scaled scores, their softmax and the weighted sum of
 * the values without leaving WebAssembly memory. The reference
 * {@link multiHeadAttention} when the fast kernels are not chosen.
 *
 * @example
 * ```ts
 * const y = attentionLayer(x, x, x, weights, { numHeads: 4, keyDim: 32, valueDim: 32 });
 * ```
 */
export function attentionLayer(
  query: Tensor,
  value: Tensor,
  key: Tensor,
  weights: AttentionWeights,
  options: { readonly numHeads: number; readonly keyDim: number; readonly valueDim: number },
): Tensor {
  const k = fast();
  const { numHeads: heads, keyDim: kd, valueDim: vd } = options;
  const out = weights.outputKernel;
  const [batch, tq, dq] = query.shape;
  const tv = value.shape[1];
  const dOut = out.shape[2];
  const fits =
    query.shape.length === 3 &&
    value.shape.length === 3 &&
    key.shape.length === 3 &&
    key.shape[0] === batch &&
    value.shape[0] === batch &&
    key.shape[1] === tv &&
    weights.queryKernel.shape[0] === dq &&
    weights.keyKernel.shape[0] === key.shape[2] &&
    weights.valueKernel.shape[0] === value.shape[2] &&
    out.shape.length === 3;
  if (k === null || !fits || batch * tq * tv * heads * kd * vd * dOut === 0) return multiHeadAttention(query, value, key, weights, options);
  const temps: number[] = [];
  const scratchBlocks: number[] = [];
  try {
    const xq = addressIn(k, query.data, temps);
    const xk = addressIn(k, key.data, temps);
    const xv = addressIn(k, value.data, temps);
    const qRows = batch * tq;
    const vRows = batch * tv;
    const q = k.alloc(qRows * heads * kd * 4);
    const kp = k.alloc(vRows * heads * kd * 4);
    const v = k.alloc(vRows * heads * vd * 4);
    const context = k.alloc(qRows * heads * vd * 4);
    scratchBlocks.push(q, kp, v, context);
    productAt(k, xq, qRows, dq, heads * kd, weights.queryKernel.data, weights.queryBias?.data ?? null, q, 0);
    productAt(k, xk, vRows, key.shape[2], heads * kd, weights.keyKernel.data, weights.keyBias?.data ?? null, kp, 0);
    productAt(k, xv, vRows, value.shape[2], heads * vd, weights.valueKernel.data, weights.valueBias?.data ?? null, v, 0);
    const rows = batch * heads * tq;
    const head = [q, kp, v, context, tq, tv, heads, kd, vd, Math.fround(1 / Math.sqrt(kd))];
    run(
      k,
      split(rows, threadsFor(2 * rows * tv * (kd + vd)), 1).map(([r0, r1], t) => ({
        fn: "attention",
        args: [...head, r0, r1, scratchFor(k, t, Math.max(k.scratchFloats, tv))],
      })),
    );
    const floats = qRows * dOut;
    const y = outputOf(k, floats, temps);
    productAt(k, context, qRows, heads * vd, dOut, out.data, weights.outputBias?.data ?? null, y, 0);
    return { shape: [batch, tq, dOut], data: finish(k, y, floats, temps) };
  } finally {
    for (const p of scratchBlocks) k.free(p);
  }
}

/**
 * A LayerNormalization layer's computation: on the WebAssembly kernels when
 * it normalises the last axis alone (the transformer's case), the reference
 * arithmetic to the bit; {@link layerNorm} otherwise.
 *
 * @example
 * ```ts
 * const y = layerNormLayer(x, [2], { gamma, beta, epsilon: 1e-6 });
 * ```
 */
export function layerNormLayer(input: Tensor, axes: readonly number[], w: LayerNormWeights): Tensor {
  const k = fast();
  const rank = input.shape.length;
  const floats = input.data.length;
  if (k === null || floats === 0 || axes.length !== 1 || axes[0] !== rank - 1) return layerNorm(input, axes, w);
  checkTensor(input, "layerNorm input");
  const width = input.shape[rank - 1];
  for (const [what, v] of [
    ["gamma", w.gamma],
    ["beta", w.beta],
  ] as const) {
    if (v !== null && v.length !== width) throw new RangeError(`layerNorm: ${what} has ${v.length} values for ${width} positions`);
  }
  const temps: number[] = [];
  const x = addressIn(k, input.data, temps);
  const gamma = w.gamma === null ? 0 : cachedCopy(k, w.gamma, 0);
  const beta = w.beta === null ? 0 : cachedCopy(k, w.beta, 0);
  const out = outputOf(k, floats, temps);
  run(
    k,
    split(floats / width, threadsFor(floats * 8), 1).map(([r0, r1]) => ({ fn: "layerNormRows", args: [x, out, width, gamma, beta, w.epsilon, r0, r1] })),
  );
  return { shape: [...input.shape], data: finish(k, out, floats, temps) };
}

/**
 * A SimpleRNN, LSTM or GRU layer's computation. LSTM and GRU (Keras 3's
 * `resetAfter`) with activations the WebAssembly kernels compute run there:
 * the input projection of every step is one matrix product, then each step
 * is the recurrent product on the packed recurrent kernel and one kernel for
 * the gates and states. Other cells run {@link recurrentPass}.
 *
 * @example
 * ```ts
 * const { output, states } = recurrentLayer("lstm", x, { kernel, recurrentKernel, bias }, options);
 * ```
 */
export function recurrentLayer(
  kind: CellKind,
  input: Tensor,
  weights: { readonly kernel: Tensor; readonly recurrentKernel: Tensor; readonly bias: Tensor | null },
  options: RecurrentPassOptions,
): RecurrentPassResult {
  const k = fast();
  const actCode = activationCode(options.activation);
  const recCode = activationCode(options.recurrentActivation);
  const u = options.units;
  const g = GATES[kind];
  const width = g * u;
  const [batch, steps, features] = input.shape;
  const biasLength = kind === "gru" && options.resetAfter ? 2 * width : width;
  const fits =
    input.shape.length === 3 &&
    weights.kernel.shape.length === 2 &&
    weights.kernel.shape[0] === features &&
    weights.kernel.shape[1] === width &&
    weights.recurrentKernel.shape.length === 2 &&
    weights.recurrentKernel.shape[0] === u &&
    weights.recurrentKernel.shape[1] === width &&
    (weights.bias === null || weights.bias.data.length === biasLength);
  if (
    k === null ||
    !fits ||
    (kind !== "lstm" && !(kind === "gru" && options.resetAfter)) ||
    actCode === undefined ||
    recCode === undefined ||
    options.activation === "softmax" ||
    options.recurrentActivation === "softmax" ||
    batch * steps * u === 0 ||
    features === 0
  ) {
    return recurrentPass(kind, input, weights, options);
  }
  checkTensor(input, `${kind} input`, 3);
  const temps: number[] = [];
  const own: number[] = [];
  try {
    const x = addressIn(k, input.data, temps);
    const bias = weights.bias?.data ?? null;
    const inputBias = bias === null ? null : kind === "gru" ? biasSlice(bias, 0, width) : bias;
    const recurrentBias = bias !== null && kind === "gru" ? biasSlice(bias, width, width) : null;
    // The input projections of every step at once: [batch * steps, width].
    const xw = k.alloc(batch * steps * width * 4);
    const hw = k.alloc(batch * width * 4);
    own.push(xw, hw);
    productAt(k, x, batch * steps, features, width, weights.kernel.data, inputBias, xw, 0);
    const h = outputOf(k, batch * u, temps);
    k.view(h, batch * u).fill(0);
    const c = kind === "lstm" ? outputOf(k, batch * u, temps) : 0;
    if (c !== 0) k.view(c, batch * u).fill(0);
    const seqFloats = batch * steps * u;
    const seq = options.returnSequences ? outputOf(k, seqFloats, temps) : 0;
    const rows = split(batch, threadsFor(batch * width * 40), 1);
    for (let s = 0; s < steps; s++) {
      const t = options.goBackwards ? steps - 1 - s : s;
      productAt(k, h, batch, u, width, weights.recurrentKernel.data, recurrentBias, hw, 0);
      const stepIn = xw + t * width * 4;
      const stepOut = seq === 0 ? 0 : seq + s * u * 4;
      run(
        k,
        rows.map(([b0, b1]) => ({
          fn: kind === "lstm" ? "lstmStep" : "gruStep",
          args:
            kind === "lstm"
              ? [stepIn, steps * width * 4, hw, c, h, u, actCode, recCode, stepOut, steps * u * 4, b0, b1]
              : [stepIn, steps * width * 4, hw, h, u, actCode, recCode, stepOut, steps * u * 4, b0, b1],
        })),
      );
    }
    const last = outputOf(k, batch * u, temps);
    k.view(last, batch * u).set(k.view(h, batch * u));
    const states: Tensor[] = [{ shape: [batch, u], data: finish(k, h, batch * u, []) }];
    if (c !== 0) states.push({ shape: [batch, u], data: finish(k, c, batch * u, []) });
    const output = seq === 0 ? { shape: [batch, u], data: finish(k, last, batch * u, []) } : { shape: [batch, steps, u], data: finish(k, seq, seqFloats, []) };
    for (const p of temps) k.free(p);
    temps.length = 0;
    return { output, states };
  } finally {
    for (const p of own) k.free(p);
    for (const p of temps) k.free(p);
  }
}

/** Sub-arrays of a bias, kept per array so that their packed copies are made once. */
const biasSlices = new WeakMap<Float32Array, Map<number, Float32Array>>();

function biasSlice(bias: Float32Array, from: number, count: number): Float32Array {
  let slices = biasSlices.get(bias);
  if (slices === undefined) {
    slices = new Map();
    biasSlices.set(bias, slices);
  }
  let s = slices.get(from);
  if (s === undefined) {
    s = bias.subarray(from, from + count);
    slices.set(from, s);
  }
  return s;
}

/**
 * An Embedding layer's lookup on the WebAssembly kernels (indices already
 * checked against the table by the layer), writing the rows where the next
 * layer reads them; {@link embeddingLookup} otherwise.
 *
 * @example
 * ```ts
 * const y = embeddingLayer({ shape: [1, 2], data: Float32Array.of(2, 1) }, table); // [1, 2, dim]
 * ```
 */
export function embeddingLayer(input: Tensor, table: Tensor): Tensor {
  const k = fast();
  const dim = table.shape[1];
  const floats = input.data.length * dim;
  if (k === null || table.shape.length !== 2 || floats === 0) return embeddingLookup(input, table);
  checkTensor(input, "embedding input");
  const bad = invalidIndex(input.data, table.shape[0]);
  if (bad !== undefined) return embeddingLookup(input, table);
  const temps: number[] = [];
  const idx = addressIn(k, input.data, temps);
  const tp = cachedCopy(k, table.data, 0);
  const out = outputOf(k, floats, temps);
  run(
    k,
    split(input.data.length, threadsFor(floats), 1).map(([s0, s1]) => ({ fn: "gatherRows", args: [idx, tp, dim, out, s0, s1] })),
  );
  return { shape: [...input.shape, dim], data: finish(k, out, floats, temps) };
}

/**
 * Zero padding on the WebAssembly kernels: the output zero-filled, then the
 * input copied into its interior in runs as long as the unpadded trailing
 * axes allow (whole rows of pixels for a channels-last 2-D padding), so that
 * the next convolution reads it where it lies; {@link padZeros} when the
 * fast kernels are not chosen or the runs are indexed by more than three
 * outer axes.
 *
 * @example
 * ```ts
 * const y = padLayer(x, [[0, 0], [0, 1], [0, 1], [0, 0]]); // MobileNetV2's strided blocks
 * ```
 */
export function padLayer(input: Tensor, pads: readonly (readonly [number, number])[]): Tensor {
  const k = fast();
  const rank = input.shape.length;
  const valid = pads.length === rank && pads.every(([a, b]) => Number.isSafeInteger(a) && Number.isSafeInteger(b) && a >= 0 && b >= 0);
  let last = rank - 1;
  while (last > 0 && valid && pads[last][0] === 0 && pads[last][1] === 0) last--;
  if (k === null || !valid || last > 3 || input.data.length === 0) return padZeros(input, pads);
  checkTensor(input, "padZeros input", rank);
  const outShape = input.shape.map((d, i) => d + pads[i][0] + pads[i][1]);
  const outStrides = outShape.map((_, i) => outShape.slice(i + 1).reduce((p, d) => p * d, 1));
  const runFloats = input.shape.slice(last).reduce((p, d) => p * d, 1);
  const start = pads.reduce((s, [before], i) => s + before * outStrides[i], 0);
  // Up to three outer axes index the runs; absent ones have size 1.
  const outer = input.shape.slice(0, last);
  const strides = outStrides.slice(0, last);
  while (outer.length < 3) {
    outer.unshift(1);
    strides.unshift(0);
  }
  const floats = outShape.reduce((p, d) => p * d, 1);
  const temps: number[] = [];
  const x = addressIn(k, input.data, temps);
  const out = outputOf(k, floats, temps);
  run(k, [{ fn: "padCopy", args: [x, out, floats, runFloats, ...outer, ...strides, start] }]);
  return { shape: outShape, data: finish(k, out, floats, temps) };
}

/**
 * Global max or average pooling, channels last (`[n, ...spatial, c]` to
 * `[n, c]`), on the WebAssembly kernels with the reference kernel's bits;
 * {@link globalPool} when they are not chosen.
 *
 * @example
 * ```ts
 * const y = globalPoolLayer("avg", x); // [n, c]
 * ```
 */
export function globalPoolLayer(kind: "max" | "avg", input: Tensor): Tensor {
  const k = fast();
  const rank = input.shape.length;
  if (k === null || rank < 3 || input.data.length === 0) return globalPool(kind, input);
  checkTensor(input, "globalPool input");
  const n = input.shape[0];
  const c = input.shape[rank - 1];
  const positions = input.data.length / (n * c);
  const temps: number[] = [];
  const x = addressIn(k, input.data, temps);
  const out = outputOf(k, n * c, temps);
  run(
    k,
    split(n, threadsFor(input.data.length * 2), 1).map(([b0, b1]) => ({ fn: "globalPool", args: [kind === "max" ? 0 : 1, x, out, positions, c, b0, b1] })),
  );
  return { shape: [n, c], data: finish(k, out, n * c, temps) };
}
