/**
 * Forward-pass throughput: shapewise against TensorFlow.js (`wasm` backend,
 * SIMD) and onnxruntime-node running shapewise's own ONNX export, in one
 * process, on the same weights and inputs, one thread each.
 *
 * Models (batch): seed Model B (64), VGG16 (1), ResNet50 (1 and 8),
 * MobileNetV2 (1) as `examples/` builds them, a transformer block (16
 * sequences of 64 steps of 128 features: multi-head attention 4 x 32, add,
 * layer normalisation, dense 256 relu, dense 128, add, layer normalisation)
 * and text models (16-bit token ids, 100 steps: embedding 5,000 x 64,
 * LSTM(128), GRU(128) or SimpleRNN(128), dense 1 sigmoid; batch 32). The
 * GRU resets before its recurrent product (`resetAfter: false`), the one
 * GRU TensorFlow.js has.
 *
 * TensorFlow.js loads the model from shapewise's TensorFlow.js artifacts;
 * TensorFlow.js has no MultiHeadAttention layer, so the transformer block is
 * written there in its operations (matMul, softmax, moments) over the same
 * weights. onnxruntime runs `toONNX(model)` with one intra-op and one
 * inter-op thread.
 *
 * Timing: after two warm-up calls each, rounds of one call per contender,
 * the order rotating every round, for about `budget` seconds (at least 5 and
 * at most 30 rounds); the median of each contender's calls. TensorFlow.js
 * calls include `await data()`; onnxruntime calls `await session.run`.
 * Outputs are compared with shapewise's (largest absolute difference,
 * target 1e-5; the run fails past it).
 *
 * Usage: npm run bench:forward            (every model; writes bench/forward/last-results.md)
 *        npx tsx bench/forward/run.ts [--quick] [--profile] [model ...]
 *        (model: B, VGG16, ResNet50, ResNet50x8, MobileNetV2, Transformer, LSTM, GRU, SimpleRNN)
 * --profile prints where shapewise's time goes, per layer class and kernel.
 */
import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type * as TF from "@tensorflow/tfjs";
import { inputData, median } from "../common.js";
import { mobilenetV2 } from "../../examples/mobilenetv2.js";
import { resnet50 } from "../../examples/resnet50.js";
import { vgg16 } from "../../examples/vgg16.js";
import { callMultiplyAdds } from "./products.js";
import type { CallMultiplyAdds } from "./products.js";
import { add, input, kernelInfo, model, modelToTfjsArtifacts, toONNX } from "../../src/node/index.js";
import type { LayerProfile, Model } from "../../src/node/index.js";

const here = dirname(fileURLToPath(import.meta.url));

type AnyModel = Model;
interface Batch {
  readonly shape: number[];
  readonly data: Float32Array;
  /** Whole-number token ids, for the text model. */
  readonly ints?: Int32Array;
}
interface Case {
  readonly name: string;
  readonly label: string;
  readonly batch: number;
  /** Seconds of alternating rounds. */
  readonly budget: number;
  build(): AnyModel;
  input(batch: number): Batch;
  /** TensorFlow.js's forward pass on the model's weights, when its layers model cannot load it. */
  tfjsOps?(tf: typeof TF, m: AnyModel): (x: TF.Tensor) => TF.Tensor;
  /** Whether the multiply-adds table leaves it out: an embedding-fed recurrent layer reads its input projections from a table projected once. */
  readonly folded?: true;
}

const images = (h: number, w: number, c: number) => (batch: number) => {
  const shape = [batch, h, w, c];
  return { shape, data: inputData(batch * h * w * c, batch) };
};

function modelB(): AnyModel {
  const inputs = input({ shape: [28, 28, 1] });
  const outputs = inputs
    .conv2d({ filters: 32, kernelSize: 3, activation: "relu", padding: "same" })
    .maxPooling2d({ poolSize: 2 })
    .conv2d({ filters: 64, kernelSize: 3, activation: "relu" })
    .maxPooling2d({ poolSize: 2 })
    .conv2d({ filters: 128, kernelSize: 3, activation: "relu" })
    .flatten()
    .dense({ units: 10, activation: "softmax" });
  return model({ inputs, outputs, seed: 42 }) as unknown as AnyModel;
}

const SEQ = 64;
const WIDTH = 128;
const HEADS = 4;
const KEY_DIM = 32;
const FF = 256;

function transformerBlock(): AnyModel {
  const inputs = input({ shape: [SEQ, WIDTH] });
  const attention = inputs.multiHeadAttention({ numHeads: HEADS, keyDim: KEY_DIM });
  const x1 = add([inputs, attention]).layerNormalization({ epsilon: 1e-6 });
  const ff = x1.dense({ units: FF, activation: "relu" }).dense({ units: WIDTH });
  const outputs = add([x1, ff]).layerNormalization({ epsilon: 1e-6 });
  return model({ inputs, outputs, seed: 7 }) as unknown as AnyModel;
}

/** The transformer block in TensorFlow.js operations, on shapewise's weights in Keras order. */
function transformerOps(tf: typeof TF, m: AnyModel): (x: TF.Tensor) => TF.Tensor {
  const w = m.getWeights().map((t) => tf.tensor(t.data, [...t.shape]));
  const [qk, qb, kk, kb, vk, vb, ok, ob, g1, b1, d1k, d1b, d2k, d2b, g2, b2] = w;
  const flat = (k: TF.Tensor) => k.reshape([WIDTH, HEADS * KEY_DIM]);
  const [qk2, kk2, vk2, ok2] = [flat(qk), flat(kk), flat(vk), ok.reshape([HEADS * KEY_DIM, WIDTH])];
  const [qb2, kb2, vb2] = [qb.reshape([HEADS * KEY_DIM]), kb.reshape([HEADS * KEY_DIM]), vb.reshape([HEADS * KEY_DIM])];
  const norm = (x: TF.Tensor, gamma: TF.Tensor, beta: TF.Tensor) => {
    const { mean, variance } = tf.moments(x, -1, true);
    return x.sub(mean).div(variance.add(1e-6).sqrt()).mul(gamma).add(beta);
  };
  return (x) =>
    tf.tidy(() => {
      const n = x.shape[0];
      const rows = x.reshape([n * SEQ, WIDTH]);
      const heads = (t: TF.Tensor) => t.reshape([n, SEQ, HEADS, KEY_DIM]).transpose([0, 2, 1, 3]);
      const q = heads(tf.matMul(rows, qk2).add(qb2)).mul(1 / Math.sqrt(KEY_DIM));
      const k = heads(tf.matMul(rows, kk2).add(kb2));
      const v = heads(tf.matMul(rows, vk2).add(vb2));
      const scores = tf.softmax(tf.matMul(q, k, false, true));
      const context = tf
        .matMul(scores, v)
        .transpose([0, 2, 1, 3])
        .reshape([n * SEQ, HEADS * KEY_DIM]);
      const attention = tf.matMul(context, ok2).add(ob);
      const x1 = norm(rows.add(attention), g1, b1);
      const ff = tf.matMul(tf.relu(tf.matMul(x1, d1k).add(d1b)), d2k).add(d2b);
      return norm(x1.add(ff), g2, b2).reshape([n, SEQ, WIDTH]);
    });
}

const STEPS = 100;
const VOCAB = 5000;

function textModel(cell: "lstm" | "gru" | "simpleRNN"): AnyModel {
  const inputs = input({ shape: [STEPS], dtype: "int32" });
  const embedded = inputs.embedding({ inputDim: VOCAB, outputDim: 64 });
  const recurrent =
    cell === "lstm" ? embedded.lstm({ units: 128 }) : cell === "gru" ? embedded.gru({ units: 128, resetAfter: false }) : embedded.simpleRNN({ units: 128 });
  const outputs = recurrent.dense({ units: 1, activation: "sigmoid" });
  return model({ inputs, outputs, seed: 3 }) as unknown as AnyModel;
}

function tokens(batch: number): Batch {
  const u = inputData(batch * STEPS, batch);
  const ints = Int32Array.from(u, (v) => Math.floor(v * VOCAB));
  return { shape: [batch, STEPS], data: Float32Array.from(ints), ints };
}

const CASES: Case[] = [
  { name: "B", label: "seed Model B", batch: 64, budget: 4, build: modelB, input: images(28, 28, 1) },
  { name: "VGG16", label: "VGG16", batch: 1, budget: 8, build: () => vgg16 as unknown as AnyModel, input: images(224, 224, 3) },
  { name: "ResNet50", label: "ResNet50", batch: 1, budget: 8, build: () => resnet50() as unknown as AnyModel, input: images(224, 224, 3) },
  { name: "ResNet50x8", label: "ResNet50", batch: 8, budget: 12, build: () => resnet50() as unknown as AnyModel, input: images(224, 224, 3) },
  {
    name: "MobileNetV2",
    label: "MobileNetV2",
    batch: 1,
    budget: 6,
    build: () => mobilenetV2() as unknown as AnyModel,
    input: images(224, 224, 3),
  },
  {
    name: "Transformer",
    label: `transformer block (${SEQ} x ${WIDTH}, MHA ${HEADS} x ${KEY_DIM}, LN, dense ${FF}/${WIDTH})`,
    batch: 16,
    budget: 6,
    build: transformerBlock,
    input: (batch) => ({ shape: [batch, SEQ, WIDTH], data: inputData(batch * SEQ * WIDTH, batch) }),
    tfjsOps: transformerOps,
  },
  { name: "LSTM", label: `embedding + LSTM(128), ${STEPS} steps`, batch: 32, budget: 6, build: () => textModel("lstm"), input: tokens, folded: true },
  { name: "GRU", label: `embedding + GRU(128), ${STEPS} steps`, batch: 32, budget: 6, build: () => textModel("gru"), input: tokens, folded: true },
  {
    name: "SimpleRNN",
    label: `embedding + SimpleRNN(128), ${STEPS} steps`,
    batch: 32,
    budget: 6,
    build: () => textModel("simpleRNN"),
    input: tokens,
    folded: true,
  },
];

type Contender = "shapewise" | "tfjs-wasm" | "onnxruntime";
const CONTENDERS: Contender[] = ["shapewise", "tfjs-wasm", "onnxruntime"];

interface Row {
  readonly name: string;
  readonly label: string;
  readonly batch: number;
  readonly ms: Record<Contender, number>;
  readonly rounds: number;
  readonly diff: { tfjs: number; ort: number };
  readonly profile?: string;
  /** The call's multiply-adds, written and as shapewise's products run them; absent for folded cases. */
  readonly multiplyAdds?: CallMultiplyAdds;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

/** Shapewise's time per layer class and kernel, largest first. */
function profileText(rows: readonly LayerProfile[]): string {
  const total = rows.reduce((s, r) => s + r.ms, 0);
  const by = new Map<string, { ms: number; calls: number }>();
  for (const r of rows) {
    const key = `${r.className} (${r.kernel})`;
    const e = by.get(key) ?? { ms: 0, calls: 0 };
    e.ms += r.ms;
    e.calls++;
    by.set(key, e);
  }
  return [...by]
    .sort((a, b) => b[1].ms - a[1].ms)
    .map(([k, e]) => `${k} ${e.calls}x ${e.ms.toFixed(1)} ms ${((100 * e.ms) / total).toFixed(0)}%`)
    .join(", ");
}

async function loadTfjs(): Promise<typeof TF> {
  const tf = await import("@tensorflow/tfjs");
  const wasm = await import("@tensorflow/tfjs-backend-wasm");
  // The .wasm files ship inside the npm package: load them from disk, offline.
  wasm.setWasmPaths(`${dirname(createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm"))}/`);
  await tf.setBackend("wasm");
  await tf.ready();
  return tf;
}

interface Ort {
  InferenceSession: {
    create(
      bytes: Uint8Array,
      options: Record<string, unknown>,
    ): Promise<{
      inputNames: readonly string[];
      outputNames: readonly string[];
      run(feeds: Record<string, unknown>): Promise<Record<string, { data: unknown }>>;
      release(): Promise<void>;
    }>;
  };
  Tensor: new (type: string, data: Float32Array | Int32Array, dims: readonly number[]) => unknown;
}

async function benchCase(c: Case, tf: typeof TF, ort: Ort, quick: boolean, profile: boolean): Promise<Row> {
  const m = c.build();
  const x = c.input(c.batch);
  const predict = (options?: object) =>
    (m.predict as unknown as (x: object, o?: object) => { data: Float32Array }).call(m, { shape: x.shape, data: x.ints ?? x.data }, options);
  // Shapewise first, so its weights are drawn before the exports read them.
  const ours = predict({ threads: 1 }).data;

  let tfModel: TF.LayersModel | undefined;
  let tfRun: (t: TF.Tensor) => TF.Tensor;
  if (c.tfjsOps === undefined) {
    tfModel = await tf.loadLayersModel(tf.io.fromMemory(modelToTfjsArtifacts(m as never) as never));
    tfRun = (t) => tfModel!.predict(t) as TF.Tensor;
  } else tfRun = c.tfjsOps(tf, m);
  const tfX = x.ints === undefined ? tf.tensor(x.data, x.shape) : tf.tensor(x.ints, x.shape, "int32");

  const session = await ort.InferenceSession.create(toONNX(m as never), {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: "sequential",
    graphOptimizationLevel: "all",
  });
  const feeds = { [session.inputNames[0]]: x.ints === undefined ? new ort.Tensor("float32", x.data, x.shape) : new ort.Tensor("int32", x.ints, x.shape) };

  const calls: Record<Contender, () => Promise<ArrayLike<number>>> = {
    shapewise: async () => predict({ threads: 1 }).data,
    "tfjs-wasm": async () => {
      const y = tfRun(tfX);
      const data = await y.data();
      y.dispose();
      return data as Float32Array;
    },
    onnxruntime: async () => (await session.run(feeds))[session.outputNames[0]].data as Float32Array,
  };
  const diff = { tfjs: maxDiff(ours, await calls["tfjs-wasm"]()), ort: maxDiff(ours, await calls.onnxruntime()) };
  for (const who of CONTENDERS) await calls[who]();

  const times: Record<Contender, number[]> = { shapewise: [], "tfjs-wasm": [], onnxruntime: [] };
  const start = performance.now();
  const [minRounds, maxRounds, budget] = quick ? [3, 5, c.budget / 3] : [5, 30, c.budget];
  let rounds = 0;
  while (rounds < minRounds || (rounds < maxRounds && performance.now() - start < budget * 1000)) {
    for (let i = 0; i < CONTENDERS.length; i++) {
      const who = CONTENDERS[(rounds + i) % CONTENDERS.length];
      const t = performance.now();
      await calls[who]();
      times[who].push(performance.now() - t);
    }
    rounds++;
  }
  let profileLine: string | undefined;
  if (profile) {
    predict({ threads: 1, profile: true });
    profileLine = profileText(kernelInfo().profile ?? []);
  }
  tfX.dispose();
  tfModel?.dispose();
  await session.release();
  return {
    name: c.name,
    label: c.label,
    batch: c.batch,
    ms: { shapewise: median(times.shapewise), "tfjs-wasm": median(times["tfjs-wasm"]), onnxruntime: median(times.onnxruntime) },
    rounds,
    diff,
    ...(profileLine === undefined ? {} : { profile: profileLine }),
    ...(c.folded ? {} : { multiplyAdds: callMultiplyAdds(m, c.batch) }),
  };
}

function fmt(n: number): string {
  const digits = n < 10 ? 2 : n < 100 ? 1 : 0;
  return n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function table(rows: readonly Row[]): string[] {
  const lines = [
    "| model, batch | shapewise | tfjs-wasm | onnxruntime | shapewise / tfjs | shapewise / ort | max diff vs tfjs / ort |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const r of rows) {
    const per = (c: Contender) => (r.batch * 1000) / r.ms[c];
    lines.push(
      `| ${r.label}, ${r.batch} | ${fmt(per("shapewise"))} | ${fmt(per("tfjs-wasm"))} | ${fmt(per("onnxruntime"))} | ${(per("shapewise") / per("tfjs-wasm")).toFixed(2)} | ${(per("shapewise") / per("onnxruntime")).toFixed(2)} | ${r.diff.tfjs.toExponential(1)} / ${r.diff.ort.toExponential(1)} |`,
    );
  }
  return lines;
}

/**
 * Each contender's multiply-adds per second: shapewise's on the products it
 * runs (Winograd's transformed products in place of a 3x3 layer's), the
 * peers' on the multiply-adds as written, which is what they compute
 * (neither uses Winograd on these models).
 */
function rateTable(rows: readonly Row[]): string[] {
  const lines = [
    "| model, batch | multiply-adds a call | as shapewise runs them | shapewise G/s | tfjs-wasm G/s | onnxruntime G/s |",
    "| --- | ---: | ---: | ---: | ---: | ---: |",
  ];
  const g = (v: number) => (v / 1e9).toFixed(v < 1e10 ? 2 : 1);
  for (const r of rows) {
    if (r.multiplyAdds === undefined) continue;
    const { direct, run } = r.multiplyAdds;
    const rate = (macs: number, ms: number) => g((macs * 1000) / ms);
    lines.push(
      `| ${r.label}, ${r.batch} | ${g(direct)} G | ${g(run)} G | ${rate(run, r.ms.shapewise)} | ${rate(direct, r.ms["tfjs-wasm"])} | ${rate(direct, r.ms.onnxruntime)} |`,
    );
  }
  return lines;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes("--quick");
  const profile = args.includes("--profile");
  const names = args.filter((a) => !a.startsWith("--"));
  const unknown = names.filter((n) => !CASES.some((c) => c.name === n));
  if (unknown.length > 0) throw new Error(`unknown model ${unknown.join(", ")}; choose from ${CASES.map((c) => c.name).join(", ")}`);
  const cases = CASES.filter((c) => names.length === 0 || names.includes(c.name));
  if (!kernelInfo().wasm) throw new Error(`the WebAssembly kernels did not load: ${kernelInfo().reason}`);
  const tf = await loadTfjs();
  const ortModule = (await import("onnxruntime-node")) as unknown as { default?: Ort } & Ort;
  const ort = ortModule.default ?? ortModule;
  const load = os.loadavg();
  const started = new Date();
  const rows: Row[] = [];
  for (const c of cases) {
    process.stderr.write(`${c.name} b${c.batch} ...`);
    const r = await benchCase(c, tf, ort, quick, profile);
    rows.push(r);
    process.stderr.write(` ${CONTENDERS.map((who) => `${who} ${fmt(r.ms[who])} ms`).join(", ")}\n`);
    if (r.profile !== undefined) process.stderr.write(`  shapewise profile: ${r.profile}\n`);
  }
  const end = os.loadavg();
  const text = [
    "# Forward-pass benchmark",
    "",
    `Generated by \`npm run bench:forward\` on ${started.toISOString().slice(0, 16).replace("T", " ")} UTC (Node ${process.version}, ${os.cpus().length} CPU(s) ${os.cpus()[0]?.model ?? "unknown CPU"}; load average ${load[0].toFixed(2)} at the start, ${end[0].toFixed(2)} at the end).`,
    "",
    "Items per second (images, sequences), one thread each, in one process: shapewise (WebAssembly SIMD kernels, `threads: 1`), TensorFlow.js 4.22 `wasm` (SIMD, XNNPACK), onnxruntime-node (shapewise's `toONNX` export, one intra-op thread). Median of alternating rounds after two warm-up calls; max diff = largest absolute difference of the outputs from shapewise's (target 1e-5).",
    "",
    ...table(rows),
    "",
    "Multiply-adds a second, in G (10^9), from the models' own cost rules (`summary` counts them the same way) over the medians above; the text models are left out, their input projections being read from a table projected once.",
    "",
    ...rateTable(rows),
    "",
  ].join("\n");
  console.log(text);
  if (!quick && names.length === 0) writeFileSync(join(here, "last-results.md"), text);
  const bad = rows.filter((r) => !(r.diff.tfjs <= 1e-5 && r.diff.ort <= 1e-5));
  if (bad.length > 0) {
    console.error(`outputs differ by more than 1e-5: ${bad.map((r) => `${r.name} tfjs ${r.diff.tfjs} ort ${r.diff.ort}`).join(", ")}`);
    process.exitCode = 1;
  }
}

await main();
