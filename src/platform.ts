/**
 * What the runtime asks of the platform it runs on, in one place, so that
 * the core (layers, models, summaries, predict, model files in memory)
 * imports no Node module and bundles for the browser as it is.
 *
 * The core works from web platform globals alone: the WebAssembly kernels
 * are fetched by URL, extra threads are Web Workers over shared memory when
 * the page is cross-origin isolated, and there is no file system. The Node
 * entry (`shapewise/node`, which `import "shapewise"` resolves to in Node)
 * installs {@link NodeHost} hooks: the kernels read from disk synchronously,
 * `worker_threads`, the core count, environment variables and model files by
 * path.
 */

import type { AnyModel, LoadLimits } from "./io/file-graph.js";
import type { SaveResult } from "./io/tfjs/save.js";
import type { TfjsWriteOptions } from "./io/tfjs/format.js";
import type { Model } from "./model.js";

/**
 * A started worker thread, as the kernels' thread pool sees it.
 *
 * @example
 * ```ts
 * const w: KernelWorker = { terminate: () => Promise.resolve(), onError: () => undefined };
 * ```
 */
export interface KernelWorker {
  /** Stops the worker. */
  terminate(): Promise<unknown> | undefined;
  /** Calls `listener` with the message of an uncaught error in the worker. */
  onError(listener: (message: string) => void): void;
}

/**
 * The hooks a platform entry installs; every one is optional.
 *
 * @example
 * ```ts
 * installHost({ availableParallelism: () => 4 });
 * ```
 */
export interface Host {
  /** Which platform installed the hooks, for `kernelInfo()`. */
  readonly name?: string;
  /** One build of the kernel module's bytes, read synchronously; throws an Error saying where it looked. */
  readonly readWasm?: (build: "simd" | "relaxed-simd") => Uint8Array;
  /**
   * Starts a worker running `body`, the source of a JavaScript function of
   * one argument, called once with `data` (a compiled module, a shared memory
   * and shared buffers: all of them structured-cloneable).
   */
  readonly startWorker?: (body: string, data: object) => KernelWorker;
  /** Whether this thread may block in `Atomics.wait` (not a browser's main thread). */
  readonly canBlock?: boolean;
  /** Logical cores this process may run threads on. */
  readonly availableParallelism?: () => number;
  /** The machine's memory in bytes (the bound on a model's weights). */
  readonly totalMemory?: () => number;
  /** An environment variable, or undefined. */
  readonly env?: (name: string) => string | undefined;
  /** Reads a TensorFlow.js layers model from a file path (its `model.json` or directory). */
  readonly loadPath?: (path: string, options?: LoadLimits) => Promise<Model>;
  /** Writes a TensorFlow.js layers model into a directory. */
  readonly savePath?: (m: AnyModel, dir: string, options?: TfjsWriteOptions) => Promise<SaveResult>;
  /** The Keras file functions by path (`.keras`, `.h5`, `.weights.h5`), loaded on first use. */
  readonly kerasFiles?: () => Promise<typeof import("./io/keras/files.js")>;
}

let installed: Host = {};

/**
 * Adds platform hooks (the Node entry calls this once on import).
 *
 * @example
 * ```ts
 * installHost({ env: (name) => process.env[name] });
 * ```
 */
export function installHost(hooks: Host): void {
  installed = { ...installed, ...hooks };
}

/**
 * The hooks installed so far.
 *
 * @example
 * ```ts
 * host().readWasm === undefined; // true in a browser: the kernels load by URL
 * ```
 */
export function host(): Host {
  return installed;
}

/** The global object's parts this file reads; typed here so the core needs no DOM or Node types. */
interface WebGlobals {
  readonly navigator?: { readonly hardwareConcurrency?: number };
  readonly crossOriginIsolated?: boolean;
  readonly Worker?: new (
    url: string,
  ) => { postMessage(data: unknown): void; terminate(): void; addEventListener(type: "error", listener: (e: { message?: string }) => void): void };
  readonly Blob?: new (parts: string[], options: { type: string }) => object;
  readonly URL: { createObjectURL?(blob: object): string; revokeObjectURL?(url: string): void };
}

const web = globalThis as unknown as WebGlobals;

/**
 * Logical cores for threads: the host's count, else the browser's
 * `navigator.hardwareConcurrency`; 1 where threads cannot share memory (a
 * page that is not cross-origin isolated).
 *
 * @example
 * ```ts
 * availableParallelism(); // 2 on a two-core machine
 * ```
 */
export function availableParallelism(): number {
  const count = installed.availableParallelism?.() ?? (webThreadsReason() === undefined ? (web.navigator?.hardwareConcurrency ?? 1) : 1);
  return Number.isSafeInteger(count) && count >= 1 ? count : 1;
}

/**
 * An environment variable where the platform has them (Node), else undefined.
 *
 * @example
 * ```ts
 * envVariable("SHAPEWISE_KERNELS"); // "reference" when set so
 * ```
 */
export function envVariable(name: string): string | undefined {
  return installed.env?.(name);
}

/**
 * Why Web Workers cannot share the kernels' memory here, or undefined if
 * they can: they need `Worker`, `Blob` URLs and a cross-origin isolated
 * page (served with `Cross-Origin-Opener-Policy: same-origin` and
 * `Cross-Origin-Embedder-Policy: require-corp`).
 *
 * @example
 * ```ts
 * webThreadsReason(); // "the page is not cross-origin isolated ..." on a plain page
 * ```
 */
export function webThreadsReason(): string | undefined {
  if (web.Worker === undefined || web.Blob === undefined || web.URL.createObjectURL === undefined) return "this platform has no Web Workers";
  if (web.crossOriginIsolated !== true) {
    return "the page is not cross-origin isolated (serve it with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp), so workers cannot share memory";
  }
  return undefined;
}

/**
 * Starts a worker thread: the host's kind (Node's `worker_threads`) if one
 * is installed, else a Web Worker from a Blob URL, handed `data` by message.
 *
 * @example
 * ```ts
 * startWorker("(data) => { console.log(data.n); }", { n: 1 });
 * ```
 */
export function startWorker(body: string, data: object): KernelWorker {
  if (installed.startWorker !== undefined) return installed.startWorker(body, data);
  const why = webThreadsReason();
  if (why !== undefined) throw new Error(`shapewise: no worker threads: ${why}`);
  const source = `self.onmessage = (event) => { self.onmessage = null; (${body})(event.data); };`;
  const url = web.URL.createObjectURL!(new web.Blob!([source], { type: "text/javascript" }));
  const worker = new web.Worker!(url);
  worker.postMessage(data);
  const listeners: ((message: string) => void)[] = [];
  worker.addEventListener("error", (e) => {
    for (const l of listeners) l(e.message ?? "a worker failed");
  });
  return {
    terminate: () => {
      worker.terminate();
      web.URL.revokeObjectURL?.(url);
      return undefined;
    },
    onError: (listener) => void listeners.push(listener),
  };
}

/**
 * Whether this thread may wait with `Atomics.wait`: a browser's main thread
 * may not (it spins on `Atomics.load` instead while workers finish).
 *
 * @example
 * ```ts
 * if (!canBlock()) console.log("spinning, not waiting");
 * ```
 */
export function canBlock(): boolean {
  if (installed.canBlock !== undefined) return installed.canBlock;
  // A dedicated worker's global has importScripts; a window's does not.
  return typeof (globalThis as { importScripts?: unknown }).importScripts === "function";
}
