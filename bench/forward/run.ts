/**
 * Forward-pass throughput: shapewise against TensorFlow.js, side by side,
 * on the same weights and inputs.
 *
 * Models: seed Model A, seed Model B (batches 1, 64, 1024) and VGG16 at
 * 224x224x3 (batch 1; `examples/vgg16.ts`). Engines: shapewise (fast kernels,
 * 1 thread and 2 worker threads), TensorFlow.js 4.22 `wasm` (SIMD, XNNPACK;
 * single-threaded in Node) and `cpu` (plain JS; not run on VGG16, ~30 s an
 * image).
 *
 * Each (engine, model) runs in its own child process, so peak memory (the
 * child's maximum resident set, `process.resourceUsage().maxRSS`, which
 * includes building the model) belongs to one engine. The shapewise child
 * runs first and writes its weights and outputs to `bench/forward/out/`; the
 * TF.js children load those weights, run the same inputs, and report the
 * largest absolute difference from shapewise's outputs (target 1e-5).
 *
 * Timing: `predict` (TF.js: `predict` + `await data()`, whole batch at once)
 * after warm-up runs, repeated for about 3 s (at least 5 and at most 30 runs,
 * 3 for TF.js cpu at batch 1024 and VGG16); the median is reported.
 * GFLOP/s counts 2 x multiply-adds of the conv and dense layers.
 *
 * Usage: npm run bench:forward   (builds the WebAssembly kernels first)
 *        npx tsx bench/forward/run.ts [--quick] [A|B|VGG16 ...]
 * Writes bench/forward/last-results.md (full runs only).
 */
import { spawnSync } from "node:child_process";
import { closeSync, mkdirSync, openSync, readFileSync, readSync, writeFileSync, writeSync } from "node:fs";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { inputData, median } from "../common.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const outDir = join(here, "out");

type ModelName = "A" | "B" | "VGG16";
type Engine = "shapewise-1t" | "shapewise-2t" | "tfjs-wasm" | "tfjs-cpu";
const ENGINES: Engine[] = ["shapewise-1t", "shapewise-2t", "tfjs-wasm", "tfjs-cpu"];
const MODELS: ModelName[] = ["A", "B", "VGG16"];
const INPUT: Record<ModelName, [number, number, number]> = { A: [28, 28, 1], B: [28, 28, 1], VGG16: [224, 224, 3] };
/** The batch whose outputs are compared between engines. */
const COMPARE_BATCH: Record<ModelName, number> = { A: 64, B: 64, VGG16: 1 };

interface Timing {
  batch: number;
  runs: number;
  medianMs: number;
  imagesPerSec: number;
  gflops: number;
}
interface ChildResult {
  engine: Engine;
  model: ModelName;
  flopsPerImage: number;
  timings: Timing[];
  peakRssMB: number;
  /** WebAssembly memory of shapewise, or TF.js backend bytes. */
  engineMB: number;
  maxDiff: number | null;
  note?: string;
}

// ---------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------

function batchesFor(model: ModelName, quick: boolean): number[] {
  if (model === "VGG16") return [1];
  return quick ? [1, 64] : [1, 64, 1024];
}

/** Warm-up, then timed runs for about `budgetMs` (within [minRuns, maxRuns]); returns each run's ms. */
async function time(runOnce: () => Promise<void> | void, warmups: number, budgetMs: number, minRuns: number, maxRuns: number): Promise<number[]> {
  for (let i = 0; i < warmups; i++) await runOnce();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < minRuns || (times.length < maxRuns && performance.now() - start < budgetMs)) {
    const t = performance.now();
    await runOnce();
    times.push(performance.now() - t);
  }
  return times;
}

function weightsFile(model: ModelName): string {
  return join(outDir, `${model}-weights.bin`);
}
function outputsFile(model: ModelName): string {
  return join(outDir, `${model}-outputs.bin`);
}

// ---------------------------------------------------------------------------
// Children
// ---------------------------------------------------------------------------

async function shapewiseModel(model: ModelName) {
  const sw = await import("../../src/node/index.js");
  if (model === "VGG16") return (await import("../../examples/vgg16.js")).vgg16 as unknown as import("../../src/node/index.js").Model;
  const inputs = sw.input({ shape: [28, 28, 1] });
  const outputs = inputs
    .conv2d({ filters: 32, kernelSize: 3, activation: "relu", padding: model === "B" ? "same" : "valid" })
    .maxPooling2d({ poolSize: 2 })
    .conv2d({ filters: 64, kernelSize: 3, activation: "relu" })
    .maxPooling2d({ poolSize: 2 })
    .conv2d({ filters: 128, kernelSize: 3, activation: "relu" })
    .flatten()
    .dense({ units: 10, activation: "softmax" });
  return sw.model({ inputs, outputs, seed: 42 }) as unknown as import("../../src/node/index.js").Model;
}

/** 2 x multiply-adds of the conv and dense layers, per image. */
function flopsOf(m: import("../../src/node/index.js").Model): number {
  let macs = 0;
  for (const layer of m.layers) {
    const out = layer.outputShape;
    const kernel = layer.weightSpecs().find((s) => s.name === "kernel");
    if (out === undefined || kernel === undefined) continue;
    if (layer.className === "Conv2D") macs += (out[1] as number) * (out[2] as number) * kernel.shape.reduce((p, d) => p * d, 1);
    else if (layer.className === "Dense") macs += kernel.shape[0] * kernel.shape[1];
  }
  return 2 * macs;
}

async function runShapewise(model: ModelName, threads: number, quick: boolean): Promise<ChildResult> {
  const { kernelInfo } = await import("../../src/kernels/backend.js");
  const { terminateThreads } = await import("../../src/kernels/threads.js");
  const m = await shapewiseModel(model);
  const info = kernelInfo();
  if (!info.wasm) throw new Error(`the WebAssembly kernels did not load: ${info.reason}`);
  const flopsPerImage = flopsOf(m);
  const [h, w, c] = INPUT[model];
  const predict = m.predict as unknown as (x: { shape: number[]; data: Float32Array }, o: { threads: number }) => { data: Float32Array };
  const timings: Timing[] = [];
  for (const batch of batchesFor(model, quick)) {
    const x = { shape: [batch, h, w, c], data: inputData(batch * h * w * c, batch) };
    const times = await time(
      () => void predict.call(m, x, { threads }),
      model === "VGG16" ? 2 : 3,
      model === "VGG16" ? 6000 : 3000,
      model === "VGG16" ? 3 : 5,
      30,
    );
    const ms = median(times);
    timings.push({ batch, runs: times.length, medianMs: ms, imagesPerSec: (batch * 1000) / ms, gflops: (flopsPerImage * batch) / ms / 1e6 });
    if (threads === 1 && batch === COMPARE_BATCH[model]) {
      const y = predict.call(m, x, { threads });
      writeFileSync(outputsFile(model), y.data);
    }
  }
  const peakRssMB = process.resourceUsage().maxRSS / 1024;
  if (threads === 1) {
    // The weights for the TF.js children, one tensor after another in Keras
    // order, written from the layers' own arrays (getWeights would copy them).
    const fd = openSync(weightsFile(model), "w");
    for (const layer of m.layers) for (const wt of layer.weights ?? []) writeSync(fd, wt.data);
    closeSync(fd);
  }
  await terminateThreads();
  return {
    engine: threads === 1 ? "shapewise-1t" : "shapewise-2t",
    model,
    flopsPerImage,
    timings,
    peakRssMB,
    engineMB: kernelInfo().memoryBytes / 2 ** 20,
    maxDiff: null,
  };
}

async function runTfjs(model: ModelName, backendName: "wasm" | "cpu", quick: boolean): Promise<ChildResult> {
  const tf = await import("@tensorflow/tfjs");
  if (backendName === "wasm") {
    const wasm = await import("@tensorflow/tfjs-backend-wasm");
    const { createRequire } = await import("node:module");
    // The .wasm files ship inside the npm package: load them from disk, offline.
    wasm.setWasmPaths(`${dirname(createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm"))}/`);
  }
  await tf.setBackend(backendName);
  await tf.ready();
  const [h, w, c] = INPUT[model];
  const layers: import("@tensorflow/tfjs").layers.Layer[] = [];
  const conv = (filters: number, padding: "same" | "valid", first = false) =>
    tf.layers.conv2d({ filters, kernelSize: 3, activation: "relu", padding, ...(first ? { inputShape: [h, w, c] } : {}) });
  if (model === "VGG16") {
    let first = true;
    for (const [filters, count] of [
      [64, 2],
      [128, 2],
      [256, 3],
      [512, 3],
      [512, 3],
    ]) {
      for (let i = 0; i < count; i++) {
        layers.push(conv(filters, "same", first));
        first = false;
      }
      layers.push(tf.layers.maxPooling2d({ poolSize: 2 }));
    }
    layers.push(tf.layers.flatten(), tf.layers.dense({ units: 4096, activation: "relu" }), tf.layers.dense({ units: 4096, activation: "relu" }));
    layers.push(tf.layers.dense({ units: 1000, activation: "softmax" }));
  } else {
    layers.push(conv(32, model === "B" ? "same" : "valid", true), tf.layers.maxPooling2d({ poolSize: 2 }), conv(64, "valid"));
    layers.push(tf.layers.maxPooling2d({ poolSize: 2 }), conv(128, "valid"), tf.layers.flatten(), tf.layers.dense({ units: 10, activation: "softmax" }));
  }
  const m = tf.sequential({ layers });
  // Same weights as shapewise, read one tensor at a time.
  const fd = openSync(weightsFile(model), "r");
  const weights = m.weights.map((v) => {
    const data = new Float32Array((v.shape as number[]).reduce((p, d) => p * d, 1));
    readSync(fd, new Uint8Array(data.buffer));
    return tf.tensor(data, v.shape as number[]);
  });
  closeSync(fd);
  m.setWeights(weights);
  for (const t of weights) t.dispose();
  let flopsPerImage = 0;
  for (const layer of m.layers) {
    const k = layer.weights[0];
    const out = layer.outputShape as number[];
    if (k === undefined) continue;
    const size = (k.shape as number[]).reduce((p, d) => p * d, 1);
    flopsPerImage += 2 * size * (layer.getClassName() === "Conv2D" ? out[1] * out[2] : 1);
  }
  const timings: Timing[] = [];
  let maxDiff: number | null = null;
  for (const batch of batchesFor(model, quick)) {
    const x = tf.tensor4d(inputData(batch * h * w * c, batch), [batch, h, w, c]);
    const once = async () => {
      const y = m.predict(x, { batchSize: batch }) as import("@tensorflow/tfjs").Tensor;
      await y.data();
      y.dispose();
    };
    const slow = backendName === "cpu" && batch >= 1024;
    const times = await time(once, slow || model === "VGG16" ? 1 : 2, model === "VGG16" ? 6000 : 3000, slow || model === "VGG16" ? 3 : 5, 30);
    const ms = median(times);
    timings.push({ batch, runs: times.length, medianMs: ms, imagesPerSec: (batch * 1000) / ms, gflops: (flopsPerImage * batch) / ms / 1e6 });
    if (batch === COMPARE_BATCH[model]) {
      const y = m.predict(x, { batchSize: batch }) as import("@tensorflow/tfjs").Tensor;
      const theirs = await y.data();
      y.dispose();
      const ours = new Float32Array(new Uint8Array(readFileSync(outputsFile(model))).buffer);
      maxDiff = 0;
      for (let i = 0; i < ours.length; i++) maxDiff = Math.max(maxDiff, Math.abs(ours[i] - theirs[i]));
      if (ours.length !== theirs.length) maxDiff = Infinity;
    }
    x.dispose();
  }
  return {
    engine: backendName === "wasm" ? "tfjs-wasm" : "tfjs-cpu",
    model,
    flopsPerImage,
    timings,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
    engineMB: tf.memory().numBytes / 2 ** 20,
    maxDiff,
  };
}

async function child(engine: Engine, model: ModelName, quick: boolean): Promise<void> {
  const result =
    engine === "shapewise-1t"
      ? await runShapewise(model, 1, quick)
      : engine === "shapewise-2t"
        ? await runShapewise(model, 2, quick)
        : await runTfjs(model, engine === "tfjs-wasm" ? "wasm" : "cpu", quick);
  process.stdout.write(`\nRESULT ${JSON.stringify(result)}\n`);
}

// ---------------------------------------------------------------------------
// Orchestrator
// ---------------------------------------------------------------------------

function fmt(n: number, digits = 0): string {
  return n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function table(results: ChildResult[]): string[] {
  const lines = [
    "| model | batch | engine | median ms | images/s | GFLOP/s | shapewise / tfjs-wasm | peak RSS | engine memory | max abs diff vs shapewise |",
    "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const model of MODELS) {
    const rows = results.filter((r) => r.model === model);
    if (rows.length === 0) continue;
    const wasm = rows.find((r) => r.engine === "tfjs-wasm");
    const batches = [...new Set(rows.flatMap((r) => r.timings.map((t) => t.batch)))];
    for (const batch of batches) {
      for (const engine of ENGINES) {
        const r = rows.find((x) => x.engine === engine);
        const t = r?.timings.find((x) => x.batch === batch);
        if (r === undefined || t === undefined) continue;
        const base = wasm?.timings.find((x) => x.batch === batch);
        const ratio = engine.startsWith("shapewise") && base !== undefined ? `**${fmt(t.imagesPerSec / base.imagesPerSec, 2)}**` : "";
        const diff = r.maxDiff === null ? (engine === "shapewise-1t" ? "(reference)" : "") : r.maxDiff.toExponential(1);
        lines.push(
          `| ${model} | ${batch} | ${engine} | ${fmt(t.medianMs, t.medianMs < 10 ? 3 : 1)} | ${fmt(t.imagesPerSec, t.imagesPerSec < 10 ? 2 : 0)} | ${fmt(t.gflops, 1)} | ${ratio} | ${fmt(r.peakRssMB)} MB | ${fmt(r.engineMB, 1)} MB | ${diff} |`,
        );
      }
    }
  }
  return lines;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes("--quick");
  if (args[0] === "--child") {
    await child(args[1] as Engine, args[2] as ModelName, quick);
    return;
  }
  const models = MODELS.filter((m) => args.length === 0 || args.includes(m) || (args.length === 1 && quick));
  mkdirSync(outDir, { recursive: true });
  const results: ChildResult[] = [];
  const started = new Date();
  for (const model of models) {
    for (const engine of ENGINES) {
      if (engine === "tfjs-cpu" && model === "VGG16") continue;
      process.stderr.write(`${model} ${engine} ...`);
      const p = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), "--child", engine, model, ...(quick ? ["--quick"] : [])], {
        cwd: root,
        encoding: "utf8",
        maxBuffer: 64 * 2 ** 20,
        stdio: ["ignore", "pipe", "inherit"],
      });
      const line = p.stdout.split("\n").find((l) => l.startsWith("RESULT "));
      if (p.status !== 0 || line === undefined) throw new Error(`child ${engine} ${model} failed (exit ${p.status}):\n${p.stdout}`);
      const r = JSON.parse(line.slice(7)) as ChildResult;
      results.push(r);
      process.stderr.write(` ${r.timings.map((t) => `b${t.batch} ${fmt(t.imagesPerSec, 1)} img/s`).join(", ")}\n`);
    }
  }
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  const lines = [
    "# Forward-pass benchmark",
    "",
    `Generated by \`npm run bench:forward\` on ${started.toISOString().slice(0, 10)} (Node ${process.version}, ${os.cpus().length} CPU(s) ${cpu}, load average at start ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}).`,
    "shapewise-1t / -2t: fast kernels (WebAssembly SIMD) with `threads: 1` / `threads: 2`; tfjs-wasm: TensorFlow.js 4.22 `wasm` backend (SIMD, XNNPACK, one thread in Node); tfjs-cpu: its `cpu` backend (not run on VGG16).",
    "Median of timed runs after warm-up; GFLOP/s = 2 x multiply-adds of conv and dense layers per image x images/s; ratio = images/s over tfjs-wasm's at the same batch; peak RSS = the engine's child process's maximum resident set (model construction included); engine memory = shapewise's WebAssembly memory (packed weights, activations, scratch) or TF.js' tensor bytes; max abs diff = TF.js outputs against shapewise's (batch 64, VGG16 batch 1; target 1e-5).",
    "",
    ...table(results),
    "",
  ];
  const text = lines.join("\n");
  console.log(text);
  if (!quick && args.length === 0) writeFileSync(join(here, "last-results.md"), text);
  const bad = results.filter((r) => r.maxDiff !== null && !(r.maxDiff <= 1e-5));
  if (bad.length > 0) {
    console.error(`outputs differ by more than 1e-5: ${bad.map((r) => `${r.model} ${r.engine} ${r.maxDiff}`).join(", ")}`);
    process.exitCode = 1;
  }
}

await main();
