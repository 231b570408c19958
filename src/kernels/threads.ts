/**
 * Worker threads for the fast kernels. Each worker instantiates the kernel
 * module over the same shared memory and waits on a shared control block;
 * the main thread hands it one kernel call (a function index and numeric
 * arguments), runs its own share of the work meanwhile, then waits for it.
 * A call therefore costs two atomic notifications (~10 µs), not a message.
 *
 * Workers are created lazily, on the first call that asks for more than one
 * thread: Node's `worker_threads` (`unref`ed, so a blocked worker never keeps
 * the process alive) or, in a cross-origin isolated page, Web Workers
 * (`src/platform.ts`). A browser's main thread may not block, so there it
 * spins until the workers are done, and a worker that has not started yet
 * (Web Workers start only once the page's event loop turns) has its share
 * done here instead: {@link startThreads} starts them ahead of time.
 */
import { canBlock, startWorker } from "../platform.js";
import type { KernelWorker } from "../platform.js";
import { WORKER_FUNCTIONS, wasmKernels } from "./wasm.js";
import type { WorkerFunction } from "./wasm.js";

/**
 * Control block layout: the Int32 slots (the call's sequence number, the
 * last one done, the function index, the argument count, whether it failed,
 * whether the worker has started), then the arguments as Float64 from byte
 * `ARGS_BYTE`.
 */
const CTRL = { seq: 0, done: 1, fn: 2, nargs: 3, failed: 4, ready: 5 } as const;
const ARGS_BYTE = 64;
const MAX_ARGS = 32;
/** How long to wait for a worker that has not started before doing its share here. */
const BOOT_TIMEOUT_MS = 10_000;

// Plain JavaScript so that it runs the same under tsx, vitest, the compiled
// package and a bundle, in Node's and the browser's workers; no file to
// resolve. The platform calls it once with the worker's data.
const WORKER_BODY = `({ module, memory, ctrl, names }) => {
const instance = new WebAssembly.Instance(module, { env: { memory } });
const fns = names.map((n) => instance.exports[n]);
const i32 = new Int32Array(ctrl);
const f64 = new Float64Array(ctrl, ${ARGS_BYTE}, ${MAX_ARGS});
Atomics.store(i32, ${CTRL.ready}, 1);
Atomics.notify(i32, ${CTRL.ready});
let seq = 0;
for (;;) {
  Atomics.wait(i32, ${CTRL.seq}, seq);
  seq = Atomics.load(i32, ${CTRL.seq});
  const fn = i32[${CTRL.fn}];
  if (fn < 0) break;
  const args = Array.from(f64.subarray(0, i32[${CTRL.nargs}]));
  try {
    fns[fn](...args);
    i32[${CTRL.failed}] = 0;
  } catch (e) {
    i32[${CTRL.failed}] = 1;
  }
  Atomics.store(i32, ${CTRL.done}, seq);
  Atomics.notify(i32, ${CTRL.done});
}
}`;

interface Slot {
  readonly worker: KernelWorker;
  readonly i32: Int32Array;
  readonly f64: Float64Array;
  seq: number;
}

/**
 * One kernel call: which export and its arguments.
 *
 * @example
 * ```ts
 * const job: Job = { fn: "pool2d", args: [0, x, 28, 28, 32, 2, 2, 2, 2, 0, 0, 14, 14, out, 0, 14] };
 * ```
 */
export interface Job {
  readonly fn: WorkerFunction;
  readonly args: readonly number[];
}

const slots: Slot[] = [];
let broken: string | undefined;

function spawn(): Slot {
  const kernels = wasmKernels();
  if (kernels === null) throw new Error("shapewise: worker threads need the fast kernels");
  const ctrl = new SharedArrayBuffer(ARGS_BYTE + 8 * MAX_ARGS);
  const worker = startWorker(WORKER_BODY, { module: kernels.module, memory: kernels.memory, ctrl, names: [...WORKER_FUNCTIONS] });
  worker.onError((message) => {
    broken = message;
  });
  return { worker, i32: new Int32Array(ctrl), f64: new Float64Array(ctrl, ARGS_BYTE, MAX_ARGS), seq: 0 };
}

/**
 * Runs `jobs[0]` on this thread and `jobs[1..]` on workers, in parallel, and
 * returns when all are done. A worker that failed to start or to run its
 * share has that share redone here, so the result is always complete.
 *
 * @example
 * ```ts
 * runParallel([jobA, jobB], (job) => exports[job.fn](...job.args)); // jobB on a worker
 * ```
 */
export function runParallel(jobs: readonly Job[], local: (job: Job) => void): void {
  const kernels = wasmKernels();
  const extra = jobs.length - 1;
  if (extra <= 0 || kernels === null || broken !== undefined) {
    for (const job of jobs) local(job);
    return;
  }
  try {
    while (slots.length < extra) slots.push(spawn());
  } catch (e) {
    broken = e instanceof Error ? e.message : String(e);
    for (const job of jobs) local(job);
    return;
  }
  const blocking = canBlock();
  // Where this thread cannot wait for a worker to start, only started ones get work.
  const sent = slots.slice(0, extra).map((slot) => blocking || Atomics.load(slot.i32, CTRL.ready) === 1);
  for (let i = 0; i < extra; i++) {
    if (!sent[i]) continue;
    const slot = slots[i];
    const job = jobs[i + 1];
    slot.f64.set(job.args);
    slot.i32[CTRL.fn] = WORKER_FUNCTIONS.indexOf(job.fn);
    slot.i32[CTRL.nargs] = job.args.length;
    slot.seq += 1;
    Atomics.store(slot.i32, CTRL.seq, slot.seq);
    Atomics.notify(slot.i32, CTRL.seq);
  }
  local(jobs[0]);
  for (let i = 0; i < extra; i++) if (!sent[i]) local(jobs[i + 1]);
  for (let i = 0; i < extra; i++) {
    if (!sent[i]) continue;
    const slot = slots[i];
    const start = Date.now();
    while (Atomics.load(slot.i32, CTRL.done) !== slot.seq) {
      if (blocking) Atomics.wait(slot.i32, CTRL.done, slot.seq - 1, 50);
      if (broken !== undefined || (Atomics.load(slot.i32, CTRL.ready) === 0 && Date.now() - start > BOOT_TIMEOUT_MS)) {
        broken ??= "a worker thread did not start";
        // A late start must not run this stale job over memory reused by then.
        void slot.worker.terminate();
        break;
      }
    }
    if (Atomics.load(slot.i32, CTRL.done) !== slot.seq || slot.i32[CTRL.failed] !== 0) local(jobs[i + 1]);
  }
}

/**
 * Starts workers until `threads - 1` are running beside this thread, and
 * resolves once every one has started (or failed to: the reason is then in
 * {@link threadsError}). Browsers start a Web Worker only after the page
 * yields to its event loop, so a page calls this (through `loadKernels`)
 * before a `predict` that asks for threads.
 *
 * @example
 * ```ts
 * await startThreads(2); // one worker ready beside the main thread
 * ```
 */
export async function startThreads(threads: number): Promise<void> {
  const kernels = wasmKernels();
  if (kernels === null || threads <= 1 || broken !== undefined) return;
  try {
    while (slots.length < threads - 1) slots.push(spawn());
  } catch (e) {
    broken = e instanceof Error ? e.message : String(e);
    return;
  }
  const start = Date.now();
  while (broken === undefined && slots.some((s) => Atomics.load(s.i32, CTRL.ready) === 0)) {
    if (Date.now() - start > BOOT_TIMEOUT_MS) {
      broken = "a worker thread did not start";
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * Why work is not split across threads, or undefined if nothing has gone
 * wrong (a worker that failed to start or to run, or no way to start one).
 *
 * @example
 * ```ts
 * threadsError(); // undefined
 * ```
 */
export function threadsError(): string | undefined {
  return broken;
}

/**
 * Workers running now beside the calling thread.
 *
 * @example
 * ```ts
 * runningWorkers(); // 1 after a predict with { threads: 2 }
 * ```
 */
export function runningWorkers(): number {
  return slots.filter((s) => Atomics.load(s.i32, CTRL.ready) === 1).length;
}

/**
 * Stops every worker thread (they are restarted on the next call that asks
 * for more than one thread). Workers never keep the process alive, so this
 * is only needed to release them early, e.g. at the end of a test file.
 *
 * @example
 * ```ts
 * m.predict(x, { threads: 2 });
 * await terminateThreads();
 * ```
 */
export async function terminateThreads(): Promise<void> {
  const all = slots.splice(0);
  for (const slot of all) {
    slot.i32[CTRL.fn] = -1;
    slot.seq += 1;
    Atomics.store(slot.i32, CTRL.seq, slot.seq);
    Atomics.notify(slot.i32, CTRL.seq);
  }
  await Promise.all(all.map((s) => s.worker.terminate()));
  broken = undefined;
}
