/**
 * Training throughput: Adam steps of shapewise against TensorFlow.js, side
 * by side, from the same initial weights on the same batch.
 *
 * Models: seed Model B at batch 64 on the first 64 mnist digits, VGG16
 * (224x224x3, 1,000 classes, `examples/vgg16.ts`) at batch 8 on random
 * images, and the text model of bench/forward (embedding 5,000 x 64,
 * LSTM(128), dense 1 sigmoid; 100 steps, binary crossentropy) at batch 32 on
 * random tokens and labels. Engines: shapewise on its fast kernels (one
 * thread, and two for Model B and the text model), TensorFlow.js 4.22 `cpu`
 * (plain JS; not VGG16, hours a step) and, for Model B, `wasm` (which has no
 * convolution gradient: its error is reported as the row).
 *
 * Each (engine, model) runs in its own child process, so peak memory (the
 * child's `process.resourceUsage().maxRSS`, model building included) belongs
 * to one engine. The shapewise child runs first and writes its initial
 * weights and the batch to `bench/train/out/`; the TF.js children start from
 * them, and the first step's loss of each engine is reported (they must
 * agree to 1e-4 relative, or the row says so).
 *
 * Timing: `trainOnBatch` after one warm-up step (its loss is the first-step
 * loss), repeated for about 5 s (at least 3 steps; 1 for TF.js cpu); the
 * median is reported. TF.js cpu on the text model takes minutes a step and
 * gigabytes (its tape keeps all 100 steps' tensors): its first step is the
 * one timed.
 *
 * Usage: npm run bench:train   (builds the WebAssembly kernels first)
 *        npx tsx bench/train/run.ts [B|VGG16 ...]
 * Writes bench/train/last-results.md when every model runs.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { inputData, median } from "../common.js";

const here = dirname(fileURLToPath(import.meta.url));
const outDir = join(here, "out");

type ModelName = "B" | "VGG16" | "LSTM";
type Engine = "shapewise" | "shapewise-2t" | "tfjs-cpu" | "tfjs-wasm";
const MODELS: ModelName[] = ["B", "VGG16", "LSTM"];
const ENGINES: Record<ModelName, Engine[]> = {
  B: ["shapewise", "shapewise-2t", "tfjs-cpu", "tfjs-wasm"],
  VGG16: ["shapewise"],
  LSTM: ["shapewise", "shapewise-2t", "tfjs-cpu"],
};
const BATCH: Record<ModelName, number> = { B: 64, VGG16: 8, LSTM: 32 };
const STEPS = 100;
const VOCAB = 5000;
const INPUT: Record<ModelName, number[]> = { B: [28, 28, 1], VGG16: [224, 224, 3], LSTM: [STEPS] };
/** What one item of a batch is, for the rate's unit. */
const ITEM: Record<ModelName, string> = { B: "images", VGG16: "images", LSTM: "sequences" };

interface ChildResult {
  engine: Engine;
  model: ModelName;
  batch: number;
  steps: number;
  medianMs: number | null;
  itemsPerSec: number | null;
  firstLoss: number | null;
  peakRssMB: number;
  note?: string;
}

/** One warm-up step (its loss returned), then steps for about `budgetMs`, at least `minSteps`; with none, the warm-up step's time is the one reported. */
async function timeSteps(step: () => Promise<number> | number, budgetMs: number, minSteps: number): Promise<{ firstLoss: number; times: number[] }> {
  const first = performance.now();
  const firstLoss = await step();
  if (minSteps === 0) return { firstLoss, times: [performance.now() - first] };
  const times: number[] = [];
  const start = performance.now();
  while (times.length < minSteps || performance.now() - start < budgetMs) {
    const t = performance.now();
    await step();
    times.push(performance.now() - t);
  }
  return { firstLoss, times };
}

const LOSS = { B: "sparseCategoricalCrossentropy", VGG16: "sparseCategoricalCrossentropy", LSTM: "binaryCrossentropy" } as const;
const LABELS: Record<ModelName, (batch: number) => number[]> = { B: (n) => [n], VGG16: (n) => [n], LSTM: (n) => [n, 1] };

const file = (model: ModelName, what: string) => join(outDir, `${model}-${what}.bin`);

function floats(path: string): Float32Array {
  const bytes = readFileSync(path);
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

async function runShapewise(model: ModelName, threads: number): Promise<ChildResult> {
  const sw = await import("../../src/node/index.js");
  if (!sw.kernelInfo().wasm) throw new Error(`the WebAssembly kernels did not load: ${sw.kernelInfo().reason}`);
  let m: import("../../src/node/index.js").Model;
  let x: Float32Array;
  let y: Float32Array;
  const batch = BATCH[model];
  if (model === "B") {
    const inputs = sw.input({ shape: [28, 28, 1] });
    const outputs = inputs
      .conv2d({ filters: 32, kernelSize: 3, activation: "relu", padding: "same" })
      .maxPooling2d({ poolSize: 2 })
      .conv2d({ filters: 64, kernelSize: 3, activation: "relu" })
      .maxPooling2d({ poolSize: 2 })
      .conv2d({ filters: 128, kernelSize: 3, activation: "relu" })
      .flatten()
      .dense({ units: 10, activation: "softmax" });
    m = sw.model({ inputs, outputs, seed: 42 }) as unknown as typeof m;
    const { train } = (await import("../../examples/mnist-digits.js")).mnistDigits();
    x = train.x.data.slice(0, batch * 784);
    y = Float32Array.from(train.y.data.slice(0, batch));
  } else if (model === "VGG16") {
    m = (await import("../../examples/vgg16.js")).vgg16 as unknown as typeof m;
    x = inputData(batch * 224 * 224 * 3, 7);
    y = Float32Array.from({ length: batch }, (_, i) => (i * 131) % 1000);
  } else {
    const inputs = sw.input({ shape: [STEPS], dtype: "int32" });
    const outputs = inputs.embedding({ inputDim: VOCAB, outputDim: 64 }).lstm({ units: 128 }).dense({ units: 1, activation: "sigmoid" });
    m = sw.model({ inputs, outputs, seed: 3 }) as unknown as typeof m;
    x = Float32Array.from(inputData(batch * STEPS, batch), (v) => Math.floor(v * VOCAB));
    y = Float32Array.from(inputData(batch, 11), (v) => (v < 0.5 ? 0 : 1));
  }
  mkdirSync(outDir, { recursive: true });
  if (threads === 1 && ENGINES[model].length > 1) {
    const weights = m.getWeights();
    const flat = new Float32Array(weights.reduce((n, w) => n + w.data.length, 0));
    let at = 0;
    for (const w of weights) {
      flat.set(w.data, at);
      at += w.data.length;
    }
    writeFileSync(file(model, "weights"), flat);
    writeFileSync(file(model, "x"), x);
    writeFileSync(file(model, "y"), y);
  }
  const c = m.compile({ optimizer: sw.optimizers.adam({ learningRate: 1e-3 }), loss: LOSS[model] });
  const xs = { shape: [batch, ...INPUT[model]], data: x };
  const ys = { shape: LABELS[model](batch), data: y };
  const { firstLoss, times } = await timeSteps(
    () => (c.trainOnBatch as (a: unknown, b: unknown, o: unknown) => { loss: number })(xs, ys, { threads }).loss,
    5000,
    3,
  );
  const ms = median(times);
  return {
    engine: threads === 1 ? "shapewise" : "shapewise-2t",
    model,
    batch,
    steps: times.length,
    medianMs: ms,
    itemsPerSec: (batch * 1000) / ms,
    firstLoss,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
  };
}

async function runTfjs(model: ModelName, backendName: "cpu" | "wasm"): Promise<ChildResult> {
  const tf = await import("@tensorflow/tfjs");
  if (backendName === "wasm") {
    const wasm = await import("@tensorflow/tfjs-backend-wasm");
    const { createRequire } = await import("node:module");
    wasm.setWasmPaths(`${dirname(createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm"))}/`);
  }
  await tf.setBackend(backendName);
  await tf.ready();
  const batch = BATCH[model];
  const m = tf.sequential({
    layers:
      model === "LSTM"
        ? [
            tf.layers.embedding({ inputShape: [STEPS], inputDim: VOCAB, outputDim: 64 }),
            tf.layers.lstm({ units: 128, recurrentActivation: "sigmoid" }),
            tf.layers.dense({ units: 1, activation: "sigmoid" }),
          ]
        : [
            tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, activation: "relu", padding: "same" }),
            tf.layers.maxPooling2d({ poolSize: 2 }),
            tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: "relu" }),
            tf.layers.maxPooling2d({ poolSize: 2 }),
            tf.layers.conv2d({ filters: 128, kernelSize: 3, activation: "relu" }),
            tf.layers.flatten(),
            tf.layers.dense({ units: 10, activation: "softmax" }),
          ],
  });
  const flat = floats(file(model, "weights"));
  let at = 0;
  m.setWeights(
    m.getWeights().map((w) => {
      const t = tf.tensor(flat.slice(at, at + w.size), w.shape);
      at += w.size;
      return t;
    }),
  );
  m.compile({ optimizer: tf.train.adam(1e-3), loss: LOSS[model] });
  const xs = tf.tensor(floats(file(model, "x")), [batch, ...INPUT[model]]);
  const ys = tf.tensor(floats(file(model, "y")), LABELS[model](batch));
  const engine: Engine = backendName === "cpu" ? "tfjs-cpu" : "tfjs-wasm";
  try {
    const { firstLoss, times } = await timeSteps(async () => (await m.trainOnBatch(xs, ys)) as number, 0, model === "LSTM" ? 0 : 1);
    const ms = median(times);
    return {
      engine,
      model,
      batch,
      steps: times.length,
      medianMs: ms,
      itemsPerSec: (batch * 1000) / ms,
      firstLoss,
      peakRssMB: process.resourceUsage().maxRSS / 1024,
    };
  } catch (e) {
    const message = (e instanceof Error ? e.message : String(e)).split("\n")[0];
    return {
      engine,
      model,
      batch,
      steps: 0,
      medianMs: null,
      itemsPerSec: null,
      firstLoss: null,
      peakRssMB: process.resourceUsage().maxRSS / 1024,
      note: message,
    };
  }
}

async function child(engine: Engine, model: ModelName): Promise<void> {
  const r = engine.startsWith("shapewise")
    ? await runShapewise(model, engine === "shapewise" ? 1 : 2)
    : await runTfjs(model, engine === "tfjs-cpu" ? "cpu" : "wasm");
  process.stdout.write(`\nRESULT ${JSON.stringify(r)}\n`);
}

function table(rows: ChildResult[]): string {
  const lines = [
    "| model | batch | engine | median ms / step | items/s | shapewise / engine | first-step loss | peak RSS |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const r of rows) {
    const ours = rows.find((o) => o.model === r.model && o.engine === "shapewise");
    const ratio = r.itemsPerSec === null || ours?.itemsPerSec == null ? "" : `${(ours.itemsPerSec / r.itemsPerSec).toFixed(1)}x`;
    const loss = r.firstLoss === null ? "" : r.firstLoss.toFixed(6);
    const speed = r.itemsPerSec === null ? `fails: ${r.note}` : `${r.itemsPerSec.toFixed(1)} ${ITEM[r.model]}`;
    lines.push(
      `| ${r.model} | ${r.batch} | ${r.engine} | ${r.medianMs === null ? "" : r.medianMs.toFixed(0)} | ${speed} | ${ratio} | ${loss} | ${r.peakRssMB.toFixed(0)} MB |`,
    );
  }
  return lines.join("\n");
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === "--child") return child(args[1] as Engine, args[2] as ModelName);
  const models = args.length > 0 ? (args as ModelName[]) : MODELS;
  const rows: ChildResult[] = [];
  for (const model of models) {
    for (const engine of ENGINES[model]) {
      const p = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), "--child", engine, model], {
        encoding: "utf8",
        maxBuffer: 1 << 26,
        env: { ...process.env, SHAPEWISE_KERNELS: "fast" },
      });
      const line = p.stdout.split("\n").find((l) => l.startsWith("RESULT "));
      if (line === undefined) throw new Error(`${engine} on ${model} gave no result:\n${p.stderr}`);
      const r = JSON.parse(line.slice(7)) as ChildResult;
      rows.push(r);
      console.log(
        `${model} ${engine}: ${r.itemsPerSec === null ? `fails: ${r.note}` : `${r.itemsPerSec.toFixed(1)} ${ITEM[model]}/s`}, first loss ${r.firstLoss}, peak RSS ${r.peakRssMB.toFixed(0)} MB`,
      );
    }
    const ours = rows.find((r) => r.model === model && r.engine === "shapewise")!;
    for (const r of rows.filter((o) => o.model === model && o.engine !== "shapewise" && o.firstLoss !== null)) {
      // Two threads split the same sums differently: float32 rounding, well inside 1e-4.
      const rel = Math.abs(r.firstLoss! - ours.firstLoss!) / Math.abs(ours.firstLoss!);
      if (rel > 1e-4)
        throw new Error(`${r.engine}'s first-step loss ${r.firstLoss} differs from shapewise's ${ours.firstLoss} by ${rel.toExponential(2)} relative`);
    }
  }
  const text = [
    `# bench/train, ${new Date().toISOString().slice(0, 10)}`,
    "",
    `Machine: ${os.cpus()[0]?.model ?? "unknown CPU"}, ${os.cpus().length} cores, load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(" / ")} at the end. Node ${process.version}.`,
    "",
    table(rows),
    "",
    "One Adam step (learning rate 1e-3; sparse categorical crossentropy, binary crossentropy for the text model) per `trainOnBatch`; median after one warm-up step. shapewise: fast kernels, one thread (shapewise-2t: `threads: 2`). TF.js: 4.22, `cpu` and `wasm` backends, from shapewise's initial weights on the same batch (first-step losses agree to 1e-4 relative). Peak RSS: the engine's child process's maximum resident set.",
  ].join("\n");
  console.log(`\n${text}`);
  if (models.length === MODELS.length) writeFileSync(join(here, "last-results.md"), `${text}\n`);
}

await main();
