/**
 * The WebAssembly SIMD kernels (`asm/kernels.ts`, built by `npm run
 * build:wasm`) and the memory they work in.
 *
 * One shared `WebAssembly.Memory` holds packed weights, activations and
 * per-thread scratch; the module only does pointer arithmetic over it, so the
 * main thread and every worker instantiate the same module over the same
 * memory. This file allocates in that memory; it never frees anything on its
 * own (callers decide lifetimes: packed weights live as long as their
 * weights, activations as long as a `predict` needs them).
 */
import { envVariable, host } from "../platform.js";

// The ES2022 library has no WebAssembly types, and declaring the global
// namespace would clash with lib.dom for consumers that load it: these local
// shapes cover what this file uses.
interface WasmMemory {
  readonly buffer: ArrayBufferLike;
  grow(pages: number): number;
}
interface WasmInstance {
  readonly exports: Record<string, unknown>;
}
interface WasmApi {
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => WasmInstance;
  compile(bytes: ArrayBuffer | Uint8Array): Promise<object>;
  validate(bytes: Uint8Array): boolean;
}
/** The part of a fetch response read here. */
interface FetchResponse {
  readonly ok: boolean;
  readonly status: number;
  arrayBuffer(): Promise<ArrayBuffer>;
}

/**
 * Signatures of the module's exports (all sizes in elements, pointers in bytes).
 *
 * @example
 * ```ts
 * wasmKernels()?.exports.panelWidth(); // 8
 * ```
 */
export interface KernelExports {
  conv2d(...args: number[]): void;
  dense(...args: number[]): void;
  denseRowMajor(...args: number[]): void;
  pool2d(...args: number[]): void;
  winograd3x3(...args: number[]): void;
  winograd4x4(...args: number[]): void;
  activation(...args: number[]): void;
  channelAffine(...args: number[]): void;
  merge(...args: number[]): void;
  divide(...args: number[]): void;
  depthwise2d(...args: number[]): void;
  attention(...args: number[]): void;
  layerNormRows(...args: number[]): void;
  lstmSequence(...args: number[]): void;
  gruSequence(...args: number[]): void;
  gatherRows(...args: number[]): void;
  rowsOfTable(...args: number[]): number;
  padCopy(...args: number[]): void;
  globalPool(...args: number[]): void;
  channelScaleShift(...args: number[]): void;
  rnnSequence(...args: number[]): void;
  gruResetSequence(...args: number[]): void;
  unaryActivation(...args: number[]): void;
  softmaxStrided(...args: number[]): void;
  preluSamples(...args: number[]): void;
  axisScaleShift(...args: number[]): void;
  stridedCopy(...args: number[]): void;
  resizeRows(...args: number[]): void;
  resizeColumns(...args: number[]): void;
  axisSubtractDivide(...args: number[]): void;
  scratchFloats(): number;
  winogradScratchFloats(cout: number): number;
  winograd4ScratchFloats(cout: number): number;
  attentionScratchFloats(tv: number, kd: number, vd: number): number;
  winogradMaxChannels(): number;
  panelWidth(): number;
  relaxedSimd(): number;
  packPanelRows(...args: number[]): void;
  winogradPackChannels(...args: number[]): void;
  winograd4PackChannels(...args: number[]): void;
}

/**
 * Names of the exports a worker may be asked to run; workers receive the index.
 *
 * @example
 * ```ts
 * WORKER_FUNCTIONS.indexOf("dense"); // 1
 * ```
 */
export const WORKER_FUNCTIONS = [
  "conv2d",
  "dense",
  "pool2d",
  "winograd3x3",
  "activation",
  "channelAffine",
  "merge",
  "divide",
  "depthwise2d",
  "attention",
  "layerNormRows",
  "lstmSequence",
  "gruSequence",
  "gatherRows",
  "padCopy",
  "globalPool",
  "channelScaleShift",
  "rnnSequence",
  "gruResetSequence",
  "unaryActivation",
  "softmaxStrided",
  "preluSamples",
  "axisScaleShift",
  "stridedCopy",
  "resizeRows",
  "resizeColumns",
  "axisSubtractDivide",
  "denseRowMajor",
  "winograd4x4",
] as const;
/**
 * One of {@link WORKER_FUNCTIONS}.
 *
 * @example
 * ```ts
 * const fn: WorkerFunction = "conv2d";
 * ```
 */
export type WorkerFunction = (typeof WORKER_FUNCTIONS)[number];

const PAGE = 65536;
/** wasm32 addresses reach 4 GiB; shared memories must declare their maximum up front. */
const MAX_PAGES = 65536;

/**
 * The most bytes a forward pass may hold at once: the 4 GiB a wasm32 memory
 * addresses. The reference kernels are held to the same bound, so a model
 * runs on both backends or on neither.
 *
 * @example
 * ```ts
 * KERNEL_MEMORY_BYTES; // 4294967296
 * ```
 */
export const KERNEL_MEMORY_BYTES = MAX_PAGES * PAGE;
/** Every block starts on a cache line, so no two blocks share one between threads. */
const ALIGN = 64;
/** Address 0 stays unused: the kernels read a 0 bias pointer as "no bias". */
const FIRST = 1024;

/**
 * The loaded module, its memory and its allocator.
 *
 * @example
 * ```ts
 * const k = wasmKernels()!;
 * const p = k.alloc(64 * 4);
 * k.view(p, 64).fill(1);
 * k.free(p);
 * ```
 */
export interface WasmKernels {
  readonly exports: KernelExports;
  /** Which of the two builds this is (the module says so itself). */
  readonly build: KernelBuild;
  readonly module: object;
  readonly memory: WasmMemory;
  /** Floats of scratch each thread needs for conv2d and dense. */
  readonly scratchFloats: number;
  /** Columns per packed weight panel. */
  readonly panelWidth: number;
  /** A block of at least `bytes` bytes, 64-byte aligned. Throws a RangeError past 4 GiB. */
  alloc(bytes: number): number;
  free(ptr: number): void;
  /** A Float32Array over `[ptr, ptr + 4 * length)`. */
  view(ptr: number, length: number): Float32Array;
  /** The address of a Float32Array that lives in this memory, or -1. */
  addressOf(data: Float32Array): number;
  /** Bytes of wasm memory reserved so far (it never shrinks). */
  memoryBytes(): number;
}

/**
 * The two builds of the kernels from one source: `"relaxed-simd"` computes
 * the products' multiply-adds with relaxed SIMD's fused `f32x4.relaxed_madd`,
 * `"simd"` with a plain SIMD multiply and add (for engines without relaxed
 * SIMD: Node 20 without `--experimental-wasm-relaxed-simd`, Safari).
 *
 * @example
 * ```ts
 * const build: KernelBuild = kernelBuild(); // "relaxed-simd" in Chromium
 * ```
 */
export type KernelBuild = "simd" | "relaxed-simd";

/**
 * Where a page serves each build of the kernels, for the loader to fetch
 * the one the engine runs (see {@link kernelBuild}).
 *
 * @example
 * ```ts
 * const urls: KernelUrls = { simd: "/shapewise-kernels.wasm", "relaxed-simd": "/shapewise-kernels-relaxed.wasm" };
 * ```
 */
export interface KernelUrls {
  readonly simd: string | URL;
  readonly "relaxed-simd": string | URL;
}

/**
 * The smallest module that uses relaxed SIMD: one function returning
 * `f32x4.relaxed_madd(v, v, v)` of a zero local. An engine that validates it
 * runs the relaxed build.
 */
// biome-ignore format: one line per section of the module
const RELAXED_SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // "\0asm", version 1
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // types: () -> v128
  0x03, 0x02, 0x01, 0x00, // one function of type 0
  0x0a, 0x0f, 0x01, 0x0d, 0x01, 0x01, 0x7b, // code: one body, one v128 local
  0x20, 0x00, 0x20, 0x00, 0x20, 0x00, 0xfd, 0x85, 0x02, 0x0b, // local.get 0 (x3), f32x4.relaxed_madd, end
]);

/**
 * Whether this engine accepts relaxed SIMD, asked by validating a tiny
 * module that uses it (no code runs).
 *
 * @example
 * ```ts
 * relaxedSimdSupported(); // false in Node 20 without --experimental-wasm-relaxed-simd
 * ```
 */
export function relaxedSimdSupported(): boolean {
  const api = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
  try {
    return api?.validate(RELAXED_SIMD_PROBE) === true;
  } catch {
    return false;
  }
}

/**
 * The build the loader picks: the relaxed SIMD one where the engine accepts
 * relaxed SIMD, the plain SIMD one otherwise or when the environment
 * variable `SHAPEWISE_WASM_BUILD=simd` asks for it (to compare the two, or to
 * keep every product rounded exactly as on engines without fused
 * multiply-add).
 *
 * @example
 * ```ts
 * kernelBuild(); // "simd" under SHAPEWISE_WASM_BUILD=simd
 * ```
 */
export function kernelBuild(): KernelBuild {
  if (envVariable("SHAPEWISE_WASM_BUILD") === "simd") return "simd";
  return relaxedSimdSupported() ? "relaxed-simd" : "simd";
}

/**
 * Where a build of the module lives, next to this file's package: `build/`
 * at the repository root seen from `src/kernels/`, and `dist/build/` (where
 * `npm run build` copies both) seen from `dist/src/kernels/`. Written as
 * `new URL("...", import.meta.url)` so that bundlers (Vite, webpack, Parcel)
 * copy the files and rewrite the addresses.
 *
 * @example
 * ```ts
 * kernelsUrl("simd").href; // "file:///.../build/shapewise-kernels.wasm" in Node
 * ```
 */
export function kernelsUrl(build: KernelBuild = kernelBuild()): URL {
  return build === "relaxed-simd"
    ? new URL("../../build/shapewise-kernels-relaxed.wasm", import.meta.url)
    : new URL("../../build/shapewise-kernels.wasm", import.meta.url);
}

let loaded: WasmKernels | null | undefined;
let loadError: string | undefined;
/** The module compiled by {@link loadKernels}, where it is fetched rather than read. */
let compiled: object | undefined;
let pending: Promise<WasmKernels | null> | undefined;

function wasmApi(): WasmApi {
  const api = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
  if (api === undefined) throw new Error("WebAssembly is not available");
  return api;
}

/**
 * The fast kernels, loaded on first use; `null` if the module is not built
 * or this runtime cannot run it (no SIMD, no shared memory), and, where the
 * module is fetched by URL (browsers), until {@link loadKernels} has
 * finished (the first call starts it). The reason is kept for
 * {@link wasmLoadError}.
 *
 * @example
 * ```ts
 * if (wasmKernels() === null) console.warn(wasmLoadError());
 * ```
 */
export function wasmKernels(): WasmKernels | null {
  if (loaded !== undefined) return loaded;
  const read = host().readWasm;
  if (read === undefined && compiled === undefined) {
    if (pending === undefined) {
      loadError = "the WebAssembly kernels are still loading (await loadKernels() before the first predict)";
      void loadKernelModule();
    }
    return null;
  }
  try {
    loaded = instantiate(compiled ?? readModule(read!));
    loadError = undefined;
  } catch (e) {
    loaded = null;
    loadError = e instanceof Error ? e.message : String(e);
  }
  return loaded;
}

/** The picked build read and compiled; the plain one if the relaxed one is missing or does not compile. */
function readModule(read: (build: KernelBuild) => Uint8Array): object {
  const api = wasmApi();
  if (kernelBuild() === "relaxed-simd") {
    try {
      return new api.Module(read("relaxed-simd"));
    } catch {
      // The plain build runs on every engine that runs the relaxed one.
    }
  }
  return new api.Module(read("simd"));
}

/**
 * Loads the fast kernels and resolves once `predict` can run them (or
 * with `null`, the reason in {@link wasmLoadError}, if they cannot load).
 * In Node they are read from disk on first use and this only does it early;
 * in a browser the module is fetched from `url` (default: the build
 * {@link kernelBuild} picks, beside the package, see {@link kernelsUrl}, or
 * the plain one if that fetch fails) and compiled, and until then `predict`
 * runs the reference kernels.
 *
 * @example
 * ```ts
 * await loadKernelModule(); // then m.predict(x) runs WebAssembly SIMD
 * ```
 */
export function loadKernelModule(url?: string | URL | KernelUrls): Promise<WasmKernels | null> {
  if (loaded !== undefined) return Promise.resolve(loaded);
  if (host().readWasm !== undefined) return Promise.resolve(wasmKernels());
  pending ??= fetchPicked(url).then(
    (module) => {
      compiled = module;
      return wasmKernels();
    },
    (e: unknown) => {
      loaded = null;
      loadError = e instanceof Error ? e.message : String(e);
      return null;
    },
  );
  return pending;
}

/**
 * `url` if it is one address, else the picked build (from `url`'s addresses
 * or beside the package), falling back to the plain one where the relaxed
 * one cannot be fetched or compiled.
 */
function fetchPicked(url: string | URL | KernelUrls | undefined): Promise<object> {
  if (typeof url === "string" || url instanceof URL) return fetchModule(url);
  const where = (build: KernelBuild) => (url === undefined ? kernelsUrl(build) : url[build]);
  if (kernelBuild() === "simd") return fetchModule(where("simd"));
  return fetchModule(where("relaxed-simd")).catch(() => fetchModule(where("simd")));
}

async function fetchModule(url: string | URL): Promise<object> {
  const api = wasmApi();
  const get = (globalThis as unknown as { fetch?: (url: string) => Promise<FetchResponse> }).fetch;
  if (get === undefined) throw new Error("shapewise-kernels.wasm cannot be fetched: this platform has no fetch");
  const href = String(url);
  let response: FetchResponse;
  try {
    response = await get(href);
  } catch (e) {
    throw new Error(`shapewise-kernels.wasm could not be fetched from ${href}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!response.ok) throw new Error(`shapewise-kernels.wasm could not be fetched from ${href}: HTTP ${response.status}`);
  return api.compile(await response.arrayBuffer());
}

/**
 * Why {@link wasmKernels} returned `null`, if it did.
 *
 * @example
 * ```ts
 * wasmLoadError(); // undefined once the module has loaded
 * ```
 */
export function wasmLoadError(): string | undefined {
  wasmKernels();
  return loadError;
}

function instantiate(module: object): WasmKernels {
  const api = wasmApi();
  const memory = new api.Memory({ initial: 16, maximum: MAX_PAGES, shared: true });
  const instance = new api.Instance(module, { env: { memory } });
  const exports = instance.exports as unknown as KernelExports;
  return new Kernels(module, memory, exports);
}

class Kernels implements WasmKernels {
  readonly build: KernelBuild;
  readonly scratchFloats: number;
  readonly panelWidth: number;
  /** Free blocks, sorted by address, never adjacent (merged on free). */
  private readonly freeList: { ptr: number; size: number }[] = [];
  private readonly sizes = new Map<number, number>();
  private top = FIRST;
  private buffer: ArrayBufferLike;
  /** Every buffer object this memory has handed out (one per growth). */
  private readonly buffers = new WeakSet<ArrayBufferLike>();

  constructor(
    readonly module: object,
    readonly memory: WasmMemory,
    readonly exports: KernelExports,
  ) {
    this.build = exports.relaxedSimd() === 1 ? "relaxed-simd" : "simd";
    this.scratchFloats = exports.scratchFloats();
    this.panelWidth = exports.panelWidth();
    this.buffer = memory.buffer;
    this.buffers.add(this.buffer);
  }

  alloc(bytes: number): number {
    const size = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
    // Best fit keeps the big activation blocks of one predict reusable by the next.
    let best = -1;
    for (let i = 0; i < this.freeList.length; i++) {
      const f = this.freeList[i];
      if (f.size >= size && (best < 0 || f.size < this.freeList[best].size)) best = i;
    }
    if (best >= 0) {
      const f = this.freeList[best];
      const ptr = f.ptr;
      if (f.size === size) this.freeList.splice(best, 1);
      else {
        f.ptr += size;
        f.size -= size;
      }
      this.sizes.set(ptr, size);
      return ptr;
    }
    // Extend the free tail block, if there is one, rather than leave it stranded.
    const last = this.freeList[this.freeList.length - 1];
    let ptr = this.top;
    if (last !== undefined && last.ptr + last.size === this.top) {
      ptr = last.ptr;
      this.freeList.pop();
    }
    const end = ptr + size;
    if (end > MAX_PAGES * PAGE) {
      throw new RangeError(`shapewise: the fast kernels need ${end} bytes of WebAssembly memory, more than its 4 GiB limit`);
    }
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      // Grow by at least an eighth to keep the number of growths logarithmic.
      const need = Math.ceil((end - have) / PAGE);
      const pages = Math.min(Math.max(need, Math.ceil(have / PAGE / 8)), MAX_PAGES - have / PAGE);
      this.memory.grow(pages);
      this.buffer = this.memory.buffer;
      this.buffers.add(this.buffer);
    }
    this.top = Math.max(this.top, end);
    this.sizes.set(ptr, size);
    return ptr;
  }

  free(ptr: number): void {
    const size = this.sizes.get(ptr);
    if (size === undefined) return;
    this.sizes.delete(ptr);
    const list = this.freeList;
    let i = 0;
    while (i < list.length && list[i].ptr < ptr) i++;
    const prev = list[i - 1];
    const next = list[i];
    if (prev !== undefined && prev.ptr + prev.size === ptr) {
      prev.size += size;
      if (next !== undefined && prev.ptr + prev.size === next.ptr) {
        prev.size += next.size;
        list.splice(i, 1);
      }
    } else if (next !== undefined && ptr + size === next.ptr) {
      next.ptr = ptr;
      next.size += size;
    } else {
      list.splice(i, 0, { ptr, size });
    }
  }

  view(ptr: number, length: number): Float32Array {
    if (this.buffer.byteLength < this.memory.buffer.byteLength) {
      this.buffer = this.memory.buffer;
      this.buffers.add(this.buffer);
    }
    return new Float32Array(this.buffer, ptr, length);
  }

  addressOf(data: Float32Array): number {
    return this.buffers.has(data.buffer) ? data.byteOffset : -1;
  }

  memoryBytes(): number {
    return this.memory.buffer.byteLength;
  }
}
