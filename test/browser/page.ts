/**
 * The page the browser test loads (bundled by esbuild for the browser from
 * the core entry, with no Node module in reach): it builds the seed models,
 * prints their summaries, predicts, loads a model from a URL, saves to and
 * reads from IndexedDB (with TensorFlow.js reading and writing the same
 * store when `globalThis.tf` is there) and draws the SVG plot, then hands
 * everything back to the test as data.
 */
import { clearSession, kernelInfo, loadKernels, loadModel, model, plotModel, tensor } from "../../src/index.js";
import type { KernelInfo, Model } from "../../src/index.js";
import { seedChain } from "../support/seed-models.js";
import { browserInput } from "./input.js";

/** What TensorFlow.js's bundle (`tfjs.ts`) exposes, as far as this page uses it. */
interface Tf {
  setBackend(name: string): Promise<boolean>;
  loadLayersModel(url: string): Promise<{ predict(x: unknown): { data(): Promise<Float32Array> }; save(url: string): Promise<unknown> }>;
  tensor(values: Float32Array, shape: number[]): unknown;
}

/**
 * Everything one run gives back.
 *
 * @example
 * const r: PageResult = await window.runShapewise(2);
 */
export interface PageResult {
  info: KernelInfo;
  summaries: string[];
  outputs: number[][];
  fromUrl: number[];
  fromIndexedDB: number[];
  tfjsReadsOurs: number[] | null;
  oursReadsTfjs: number[] | null;
  svg: string;
  timing: { batch: number; reps: number; medianMs: number };
}

function pageUrl(): string {
  return (globalThis as unknown as { location: { href: string } }).location.href;
}

function timeIt(m: Model, batch: number, threads: number, reps: number): number {
  const x = tensor([batch, 28, 28, 1], browserInput(batch));
  m.predict(x, { threads });
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    m.predict(x, { threads });
    times.push(performance.now() - t0);
  }
  times.sort((p, q) => p - q);
  return times[Math.floor(times.length / 2)];
}

async function runShapewise(threads: number, modelUrl: string, timingBatch: number, timingReps: number): Promise<PageResult> {
  await loadKernels({ threads });
  clearSession();
  const a = model({ ...seedChain("valid"), seed: 1 });
  const b = model({ ...seedChain("same"), seed: 2 });
  const summaries = [a, b].map((m) => m.summary({ printFn: () => undefined }));
  const x = tensor([4, 28, 28, 1], browserInput(4));
  const outputs = [a, b].map((m) => Array.from(m.predict(x, { threads }).data));
  const fromUrl = Array.from((await loadModel(new URL(modelUrl, pageUrl()))).predict(x, { threads }).data);
  const key = `indexeddb://seed-b-${threads}`;
  await b.save(key);
  const fromIndexedDB = Array.from((await loadModel(key)).predict(x, { threads }).data);
  const tf = (globalThis as { tf?: Tf }).tf;
  let tfjsReadsOurs: number[] | null = null;
  let oursReadsTfjs: number[] | null = null;
  if (tf !== undefined) {
    await tf.setBackend("cpu");
    const tx = tf.tensor(x.data, [...x.shape]);
    const theirs = await tf.loadLayersModel(key);
    tfjsReadsOurs = Array.from(await theirs.predict(tx).data());
    const fromTfjs = `indexeddb://from-tfjs-${threads}`;
    await (await tf.loadLayersModel(new URL(modelUrl, pageUrl()).href)).save(fromTfjs);
    oursReadsTfjs = Array.from((await loadModel(fromTfjs)).predict(x, { threads }).data);
  }
  const svg = plotModel(b as unknown as Model, { showShapes: true });
  const medianMs = timeIt(b as unknown as Model, timingBatch, threads, timingReps);
  return {
    info: kernelInfo(),
    summaries,
    outputs,
    fromUrl,
    fromIndexedDB,
    tfjsReadsOurs,
    oursReadsTfjs,
    svg,
    timing: { batch: timingBatch, reps: timingReps, medianMs },
  };
}

(globalThis as { runShapewise?: typeof runShapewise }).runShapewise = runShapewise;
