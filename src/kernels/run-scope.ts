/**
 * The buffers and threads of one forward pass on the fast kernels: a
 * {@link RunScope} keeps kernel outputs in WebAssembly memory while later
 * layers read them, and the helpers below give each kernel call its input
 * addresses, its output block and its share of the threads.
 */
import { fast } from "./backend.js";
import { releaseCachesOverBudget } from "./packed-weights.js";
import { wasmLaunch } from "./profile.js";
import type { Tensor } from "./tensor.js";
import { runParallel } from "./threads.js";
import type { Job } from "./threads.js";
import type { WasmKernels } from "./wasm.js";

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

  /**
   * A tensor will not be read again; its block is freed once no other tensor needs it. A
   * caller's array (a model input) frees its copy here, so the copy does not outlive its last reader.
   */
  release(t: Tensor): void {
    const copy = this.copies.get(t.data);
    const b = this.blockOf(t) ?? (copy === undefined ? undefined : this.blocks.find((block) => block.ptr === copy));
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
  if (current === null) releaseCachesOverBudget();
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

/**
 * Thread `thread`'s scratch block of at least `floats` floats (the kernels'
 * packing buffers), grown on demand and kept for later calls.
 *
 * @example
 * ```ts
 * const args = [...head, r0, r1, scratchFor(k, t)];
 * ```
 */
export function scratchFor(k: WasmKernels, thread: number, floats = k.scratchFloats): number {
  const s = scratch[thread];
  if (s !== undefined && s.floats >= floats) return s.ptr;
  if (s !== undefined) k.free(s.ptr);
  scratch[thread] = { ptr: k.alloc(floats * 4), floats };
  return scratch[thread].ptr;
}

/**
 * Splits [0, total) into up to `parts` ranges whose starts are multiples of `align`.
 *
 * @example
 * ```ts
 * split(10, 2, 4); // [[0, 8], [8, 10]]
 * ```
 */
export function split(total: number, parts: number, align: number): [number, number][] {
  const chunk = Math.ceil(total / parts / align) * align;
  const out: [number, number][] = [];
  for (let s = 0; s < total; s += chunk) out.push([s, Math.min(total, s + chunk)]);
  return out;
}

/**
 * The threads a kernel call of `flops` floating-point operations uses in
 * the current run scope: one below {@link MIN_PARALLEL_FLOPS} or outside a
 * scope, else the scope's count.
 *
 * @example
 * ```ts
 * const threads = threadsFor(2 * rows * inDim * units);
 * ```
 */
export function threadsFor(flops: number): number {
  if (current === null || current.threads <= 1 || flops < MIN_PARALLEL_FLOPS) return 1;
  return current.threads;
}

/**
 * Runs one kernel's jobs, one per thread (on this thread when there is one
 * job), counted as a WebAssembly launch for a profile.
 *
 * @example
 * ```ts
 * run(k, split(rows, threads, 1).map(([r0, r1]) => ({ fn: "pool2d", args: [...head, r0, r1] })));
 * ```
 */
export function run(k: WasmKernels, jobs: Job[]): void {
  wasmLaunch();
  const local = (job: Job) => (k.exports[job.fn] as (...a: number[]) => void)(...job.args);
  if (jobs.length === 1) local(jobs[0]);
  else runParallel(jobs, local);
}

// ---------------------------------------------------------------------------
// Buffers for one kernel call
// ---------------------------------------------------------------------------

/** Where a kernel reads a tensor from: its own address, or a copy. */
export function addressIn(k: WasmKernels, data: Float32Array, temps: number[]): number {
  const at = k.addressOf(data);
  if (at >= 0) return at;
  if (current !== null) return current.copyIn(data);
  const ptr = k.alloc(data.length * 4);
  k.view(ptr, data.length).set(data);
  temps.push(ptr);
  return ptr;
}

/** A kernel output: a scope block, or (outside a scope) a temporary copied out by {@link finish}. */
export function outputOf(k: WasmKernels, floats: number, temps: number[]): number {
  if (current !== null) return current.alloc(floats);
  const ptr = k.alloc(floats * 4);
  temps.push(ptr);
  return ptr;
}

/**
 * A kernel's output as a tensor's data: a view into WebAssembly memory in a
 * run scope, a copy outside one; frees the call's temporaries.
 *
 * @example
 * ```ts
 * return { shape, data: finish(k, out, floats, temps) };
 * ```
 */
export function finish(k: WasmKernels, ptr: number, floats: number, temps: number[]): Float32Array {
  const view = k.view(ptr, floats);
  const data = current === null ? new Float32Array(view) : view;
  for (const t of temps) k.free(t);
  return data;
}
