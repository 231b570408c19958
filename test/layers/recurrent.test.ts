/**
 * Recurrent layers and wrappers (`simpleRNN`, `lstm`, `gru`, `bidirectional`,
 * `timeDistributed`) against two oracles:
 *
 * - Keras 3.15.1: every `layer_case:*` of the family (output shape, total /
 *   trainable / non-trainable parameters, weight names, shapes and order)
 *   and every `forward_case:*` (inputs, weights, outputs), copied into
 *   `test/fixtures/keras-cases/recurrent.json`.
 * - TensorFlow.js 4.22 (cpu): the same layer with the same weights on random
 *   inputs from a fixed seed, within 1e-5, for every option TF.js shares.
 *
 * TF.js divergences, each skipped for that case only:
 * - GRU `resetAfter: true` (the Keras 3 default): TF.js has no `resetAfter`
 *   (semantics §1.5), so TF.js runs `resetAfter: false` and `resetAfter: true`
 *   is checked against Keras (`forward_case:gru_reset_after`, `layer_case:gru_reset_after`).
 * - `recurrentActivation`: TF.js defaults to `hardSigmoid` (and its hard
 *   sigmoid is not Keras 3's), so the TF.js layer is always given ours explicitly.
 */
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { ShapeError, clearSession, input, model } from "../../src/index.js";
import type { Model, Tensor } from "../../src/index.js";
import { createRandom } from "../../src/kernels/random.js";
import type { Random } from "../../src/kernels/random.js";
import { orthogonal, standardNormal } from "../../src/kernels/rnn-init.js";
import { kerasCases, layerFamilyHarness, looseModel, randomTensor, run } from "../support/layer-harness.js";

/** What a plain JavaScript caller holds. */
type Untyped = any;

const cases = kerasCases("recurrent");
const layerCases = cases.filter((c) => c.name.startsWith("layer_case:"));
const forwardCases = cases.filter((c) => c.name.startsWith("forward_case:"));

const expectClose = layerFamilyHarness("layers/recurrent.test.ts");

/** Keras weight path without the RNN cell segment: `lstm/lstm_cell/kernel` is our `lstm/kernel`. */
const withoutCell = (path: string) => path.replace(/\/[a-z_]+_cell\//, "/");

// ---------------------------------------------------------------------------
// Keras layer configs to shapewise calls
// ---------------------------------------------------------------------------

const METHOD: Record<string, string> = { SimpleRNN: "simpleRNN", LSTM: "lstm", GRU: "gru" };

function recurrentOptions(config: Record<string, unknown>): Record<string, unknown> {
  const options: Record<string, unknown> = { units: config.units };
  if (config.return_sequences !== undefined) options.returnSequences = config.return_sequences;
  if (config.reset_after !== undefined) options.resetAfter = config.reset_after;
  return options;
}

function applyKerasLayer(x: Untyped, layer: { class_name: string; config: Record<string, unknown> }): Untyped {
  const { class_name: cls, config } = layer;
  if (METHOD[cls] !== undefined) return x[METHOD[cls]](recurrentOptions(config));
  const inner = config.layer as { class_name: string; config: Record<string, unknown> };
  if (cls === "Bidirectional") {
    const options = config.merge_mode === undefined ? undefined : { mergeMode: config.merge_mode };
    return x.bidirectional((t: Untyped) => t[METHOD[inner.class_name]](recurrentOptions(inner.config)), options);
  }
  if (cls === "TimeDistributed" && inner.class_name === "Dense") return x.timeDistributed((t: Untyped) => t.dense({ units: inner.config.units }));
  throw new Error(`no mapping for ${cls}`);
}

describe("Keras 3 layer cases", () => {
  it.each(layerCases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const x: Untyped = input({ shape: c.input_shape.slice(1) as number[] });
    const y = applyKerasLayer(x, c.layers[0]);
    expect(y.shape).toEqual(c.output_shape);
    const m = looseModel({ inputs: x, outputs: y, seed: 1 });
    expect(m.countParams()).toBe(c.total_params);
    const data = m.summaryData();
    expect(data.trainableParams).toBe(c.trainable_params);
    expect(data.nonTrainableParams).toBe(c.non_trainable_params);
    const layer = m.layers[1];
    const ours = layer.weightSpecs().map((w) => ({ path: `${layer.name}/${w.name}`, shape: [...w.shape], trainable: w.trainable }));
    expect(ours).toEqual(c.weights_keras3!.map((w) => ({ path: withoutCell(w.path!), shape: w.shape, trainable: w.trainable })));
    expect(m.getWeights().map((w) => w.shape)).toEqual(c.weights_keras3!.map((w) => w.shape));
  });
});

describe("Keras 3 forward cases", () => {
  it.each(forwardCases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const f = c.forward_keras3!;
    const x: Untyped = input({ shape: c.input_shape.slice(1) as number[] });
    const m = looseModel({ inputs: x, outputs: applyKerasLayer(x, c.layers[0]) });
    expect(m.countParams()).toBe(c.total_params);
    m.setWeights(f.weights!.map((w) => ({ shape: w.shape, data: Float32Array.from(w.values) })));
    const y = run(m, { shape: c.input_shape as number[], data: Float32Array.from(f.inputs.flat()) });
    expect(y.shape).toEqual(c.output_shape);
    expectClose(y.data, f.output, c.name, "Keras 3");
  });
});

// ---------------------------------------------------------------------------
// TensorFlow.js
// ---------------------------------------------------------------------------

type Kind = "simpleRNN" | "lstm" | "gru";
const TFJS_LAYER: Record<Kind, (c: object) => tf.layers.Layer> = {
  simpleRNN: (c) => tf.layers.simpleRNN(c as Parameters<typeof tf.layers.simpleRNN>[0]),
  lstm: (c) => tf.layers.lstm(c as Parameters<typeof tf.layers.lstm>[0]),
  gru: (c) => tf.layers.gru(c as Parameters<typeof tf.layers.gru>[0]),
};

/** The TF.js config for our options: the gate activation is always spelled out (TF.js defaults to hardSigmoid). */
function tfjsConfig(kind: Kind, options: Record<string, unknown>): Record<string, unknown> {
  const { resetAfter, ...rest } = options;
  // Rule: TF.js has no resetAfter; only resetAfter false is compared with it.
  expect(kind !== "gru" || resetAfter === false).toBe(true);
  const config: Record<string, unknown> = { activation: "tanh", ...rest };
  if (kind !== "simpleRNN") config.recurrentActivation = options.recurrentActivation ?? "sigmoid";
  return config;
}

/** Random weights for every slot (biases included), so that every weight takes part. */
function randomizeWeights(m: Model, random: Random): void {
  m.setWeights(m.getWeights().map((w) => randomTensor(w.shape, random, -0.6, 0.6)));
}

/** Runs a TF.js layer (one or several outputs) on `x` with the given weights. */
function tfjsOutputs(layer: tf.layers.Layer, sample: readonly (number | null)[], weights: readonly Tensor[], x: Tensor): Tensor[] {
  const inp = tf.input({ shape: [...sample] });
  const out = layer.apply(inp) as tf.SymbolicTensor | tf.SymbolicTensor[];
  const tfModel = tf.model({ inputs: inp, outputs: out });
  expect(
    tfModel.getWeights().map((w) => w.shape),
    "TF.js weight shapes in Keras order",
  ).toEqual(weights.map((w) => [...w.shape]));
  tf.tidy(() => tfModel.setWeights(weights.map((w) => tf.tensor(w.data, [...w.shape]))));
  const result = tf.tidy(() => {
    const y = tfModel.predict(tf.tensor(x.data, [...x.shape])) as tf.Tensor | tf.Tensor[];
    return (Array.isArray(y) ? y : [y]).map((t) => ({ shape: t.shape, data: Float32Array.from(t.dataSync()) }));
  });
  tfModel.dispose();
  return result;
}

/** Our outputs, one model per output over the same layer (they share its weights). */
function ourOutputs(x: Untyped, outputs: Untyped, random: Random, batch: Tensor): { weights: Tensor[]; results: Tensor[] } {
  const list: Untyped[] = Array.isArray(outputs) ? outputs : [outputs];
  const models = list.map((o, i) => looseModel({ inputs: x, outputs: o, seed: 7 + i }));
  randomizeWeights(models[0], random);
  return { weights: models[0].getWeights(), results: models.map((m) => run(m, batch)) };
}

interface RecurrentCase {
  label: string;
  kind: Kind;
  options: Record<string, unknown>;
  sample: readonly (number | null)[];
  steps?: number;
  batch?: number;
}

const RECURRENT_CASES: RecurrentCase[] = (["simpleRNN", "lstm", "gru"] as const).flatMap((kind) => {
  const base = kind === "gru" ? { resetAfter: false } : {};
  const cases: RecurrentCase[] = [
    { label: "defaults", kind, options: { units: 5, ...base }, sample: [6, 3] },
    { label: "returnSequences", kind, options: { units: 4, returnSequences: true, ...base }, sample: [5, 3], batch: 3 },
    { label: "goBackwards", kind, options: { units: 4, goBackwards: true, ...base }, sample: [5, 2] },
    { label: "goBackwards with returnSequences", kind, options: { units: 3, goBackwards: true, returnSequences: true, ...base }, sample: [4, 2] },
    { label: "useBias false", kind, options: { units: 4, useBias: false, ...base }, sample: [5, 3] },
    { label: "relu activation", kind, options: { units: 3, activation: "relu", ...base }, sample: [4, 3] },
    { label: "returnState", kind, options: { units: 3, returnState: true, ...base }, sample: [4, 2], batch: 2 },
    { label: "returnState with returnSequences", kind, options: { units: 3, returnState: true, returnSequences: true, ...base }, sample: [4, 2] },
    { label: "steps unknown until predict", kind, options: { units: 4, returnSequences: true, ...base }, sample: [null, 3], steps: 7 },
    { label: "one step, one feature", kind, options: { units: 2, ...base }, sample: [1, 1] },
  ];
  if (kind !== "simpleRNN") {
    cases.push({ label: "tanh gates", kind, options: { units: 3, recurrentActivation: "tanh", ...base }, sample: [4, 2] });
  }
  return cases;
});

describe("against TensorFlow.js", () => {
  it.each(RECURRENT_CASES.map((c) => [`${c.kind} ${c.label}`, c] as const))("%s", (_label, c) => {
    const random = createRandom(42);
    const x: Untyped = input({ shape: [...c.sample] });
    const outputs = x[c.kind](c.options);
    const batchShape = [c.batch ?? 2, ...c.sample.map((d) => d ?? c.steps!)];
    const batch = randomTensor(batchShape, random, -1, 1);
    const ours = ourOutputs(x, outputs, random, batch);
    const theirs = tfjsOutputs(TFJS_LAYER[c.kind](tfjsConfig(c.kind, c.options)), c.sample, ours.weights, batch);
    expect(ours.results.length).toBe(theirs.length);
    ours.results.forEach((r, i) => {
      expect(r.shape).toEqual(theirs[i].shape);
      expectClose(r.data, theirs[i].data, `${c.kind} ${c.label} output ${i}`, "TF.js");
    });
  });

  const BIDIRECTIONAL: [string, Kind, Record<string, unknown>, string | null | undefined][] = [
    ["lstm concat", "lstm", { units: 4 }, undefined],
    ["lstm concat returnSequences", "lstm", { units: 3, returnSequences: true }, "concat"],
    ["gru sum", "gru", { units: 4, resetAfter: false }, "sum"],
    ["gru mul returnSequences", "gru", { units: 3, resetAfter: false, returnSequences: true }, "mul"],
    ["simpleRNN ave", "simpleRNN", { units: 4 }, "ave"],
    ["lstm null (both outputs)", "lstm", { units: 3, returnSequences: true }, null],
  ];
  it.each(BIDIRECTIONAL)("bidirectional %s", (_label, kind, options, mergeMode) => {
    const random = createRandom(5);
    const x: Untyped = input({ shape: [5, 3] });
    const outputs = x.bidirectional((t: Untyped) => t[kind](options), mergeMode === undefined ? undefined : { mergeMode });
    const batch = randomTensor([2, 5, 3], random, -1, 1);
    const ours = ourOutputs(x, outputs, random, batch);
    const config: Record<string, unknown> = { layer: TFJS_LAYER[kind](tfjsConfig(kind, options)) };
    if (mergeMode !== undefined) config.mergeMode = mergeMode;
    const theirs = tfjsOutputs(tf.layers.bidirectional(config as unknown as Parameters<typeof tf.layers.bidirectional>[0]), [5, 3], ours.weights, batch);
    expect(ours.results.length).toBe(theirs.length);
    ours.results.forEach((r, i) => {
      expect(r.shape).toEqual(theirs[i].shape);
      expectClose(r.data, theirs[i].data, `bidirectional ${_label} output ${i}`, "TF.js");
    });
  });

  it("timeDistributed dense", () => {
    const random = createRandom(9);
    const x: Untyped = input({ shape: [6, 5] });
    const y = x.timeDistributed((t: Untyped) => t.dense({ units: 4, activation: "relu" }));
    const batch = randomTensor([3, 6, 5], random, -1, 1);
    const ours = ourOutputs(x, y, random, batch);
    const theirs = tfjsOutputs(tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 4, activation: "relu" }) }), [6, 5], ours.weights, batch);
    expect(ours.results[0].shape).toEqual([3, 6, 4]);
    expectClose(ours.results[0].data, theirs[0].data, "timeDistributed dense", "TF.js");
  });

  it("timeDistributed conv2d over a sequence of images", () => {
    const random = createRandom(10);
    const x: Untyped = input({ shape: [3, 6, 6, 2] });
    const y = x.timeDistributed((t: Untyped) => t.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: "same" }));
    expect(y.shape).toEqual([null, 3, 3, 3, 4]);
    const batch = randomTensor([2, 3, 6, 6, 2], random, -1, 1);
    const ours = ourOutputs(x, y, random, batch);
    const conv = tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: "same" });
    const theirs = tfjsOutputs(tf.layers.timeDistributed({ layer: conv }), [3, 6, 6, 2], ours.weights, batch);
    expectClose(ours.results[0].data, theirs[0].data, "timeDistributed conv2d", "TF.js");
  });

  it("a stack: lstm sequences into a bidirectional gru into a timeDistributed-free dense", () => {
    const random = createRandom(11);
    const x: Untyped = input({ shape: [7, 4] });
    const y = x
      .lstm({ units: 5, returnSequences: true })
      .bidirectional((t: Untyped) => t.gru({ units: 3, resetAfter: false }))
      .dense({ units: 2 });
    const batch = randomTensor([2, 7, 4], random, -1, 1);
    const ours = ourOutputs(x, y, random, batch);
    const inp = tf.input({ shape: [7, 4] });
    const out = tf.layers
      .dense({ units: 2 })
      .apply(
        tf.layers
          .bidirectional({ layer: tf.layers.gru({ units: 3, recurrentActivation: "sigmoid" }) as tf.RNN })
          .apply(tf.layers.lstm({ units: 5, returnSequences: true, recurrentActivation: "sigmoid" }).apply(inp)),
      ) as tf.SymbolicTensor;
    const tfModel = tf.model({ inputs: inp, outputs: out });
    tf.tidy(() => tfModel.setWeights(ours.weights.map((w) => tf.tensor(w.data, [...w.shape]))));
    const expected = tf.tidy(() => Float32Array.from((tfModel.predict(tf.tensor(batch.data, [...batch.shape])) as tf.Tensor).dataSync()));
    expectClose(ours.results[0].data, expected, "stack", "TF.js");
  });
});

// ---------------------------------------------------------------------------
// Keras 3 semantics TF.js lacks: GRU resetAfter true
// ---------------------------------------------------------------------------

describe("GRU resetAfter (Keras 3 default), against the Keras cell equations", () => {
  it("matches a direct float64 transcription of keras GRUCell.call for several steps and a batch", () => {
    const random = createRandom(3);
    const x: Untyped = input({ shape: [6, 3] });
    const m = looseModel({ inputs: x, outputs: x.gru({ units: 4, returnSequences: true }), seed: 2 });
    randomizeWeights(m, random);
    const [kernel, rec, bias] = m.getWeights();
    expect(bias.shape).toEqual([2, 12]);
    const batch = randomTensor([2, 6, 3], random, -1, 1);
    const y = run(m, batch);
    const u = 4;
    const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
    const expected: number[] = [];
    for (let b = 0; b < 2; b++) {
      let h = new Array<number>(u).fill(0);
      for (let t = 0; t < 6; t++) {
        const mx = new Array<number>(3 * u).fill(0);
        const mi = new Array<number>(3 * u).fill(0);
        for (let j = 0; j < 3 * u; j++) {
          mx[j] = bias.data[j];
          for (let k = 0; k < 3; k++) mx[j] += batch.data[(b * 6 + t) * 3 + k] * kernel.data[k * 3 * u + j];
          mi[j] = bias.data[3 * u + j];
          for (let k = 0; k < u; k++) mi[j] += h[k] * rec.data[k * 3 * u + j];
        }
        const next = h.map((hp, j) => {
          const z = sigmoid(mx[j] + mi[j]);
          const r = sigmoid(mx[u + j] + mi[u + j]);
          const hh = Math.tanh(mx[2 * u + j] + r * mi[2 * u + j]);
          return z * hp + (1 - z) * hh;
        });
        h = next;
        expected.push(...h);
      }
    }
    expectClose(y.data, expected, "gru resetAfter", "Keras 3");
  });
});

// ---------------------------------------------------------------------------
// Initialisers
// ---------------------------------------------------------------------------

describe("initial weights", () => {
  it.each([[[4, 12]], [[12, 4]], [[32, 32]], [[2, 3, 5]]])("orthogonal %j has orthonormal rows or columns", (shape) => {
    const w = orthogonal(shape, createRandom(8));
    const cols = shape[shape.length - 1];
    const rows = w.length / cols;
    const n = Math.min(rows, cols);
    // Q (rows >= cols) has orthonormal columns; its transpose has orthonormal rows.
    for (let a = 0; a < n; a++) {
      for (let b = 0; b < n; b++) {
        let dot = 0;
        for (let i = 0; i < Math.max(rows, cols); i++) {
          dot += rows >= cols ? w[i * cols + a] * w[i * cols + b] : w[a * cols + i] * w[b * cols + i];
        }
        expect(Math.abs(dot - (a === b ? 1 : 0))).toBeLessThan(1e-6);
      }
    }
  });

  it("orthogonal is the sign-corrected Q of a normal matrix: for a 1 x n kernel, the normalised draw", () => {
    const random = createRandom(21);
    const draws = Array.from({ length: 5 }, () => standardNormal(random));
    const norm = Math.hypot(...draws);
    // QR of the 5 x 1 column a gives Q = a / r with |r| = |a|; the sign correction makes it a / |a|, transposed to 1 x 5.
    expectClose(
      orthogonal([1, 5], createRandom(21)),
      draws.map((d) => d / norm),
      "orthogonal 1x5",
      "Keras 3",
    );
  });

  it("standard normal draws have mean 0 and variance 1", () => {
    const random = createRandom(4);
    const n = 20000;
    let sum = 0;
    let sq = 0;
    for (let i = 0; i < n; i++) {
      const z = standardNormal(random);
      sum += z;
      sq += z * z;
    }
    expect(Math.abs(sum / n)).toBeLessThan(0.03);
    expect(Math.abs(sq / n - 1)).toBeLessThan(0.05);
  });

  it("lstm: glorot kernel, orthogonal recurrent kernel, forget-gate bias of ones; gru and simpleRNN biases zero", () => {
    const x: Untyped = input({ shape: [5, 3] });
    const lstm = looseModel({ inputs: x, outputs: x.lstm({ units: 2 }), seed: 3 });
    const [k, r, b] = lstm.getWeights();
    const limit = Math.sqrt(6 / (3 + 8));
    expect(k.data.every((v) => Math.abs(v) <= limit + 1e-7)).toBe(true);
    expect(Array.from(b.data)).toEqual([0, 0, 1, 1, 0, 0, 0, 0]);
    expect(Array.from(r.data)).toEqual(Array.from(orthogonal([2, 8], createRandomAfter(3, 24))));
    const gru = looseModel({ inputs: x, outputs: x.gru({ units: 2 }), seed: 3 });
    expect(Array.from(gru.getWeights()[2].data)).toEqual(new Array(12).fill(0));
    const rnn = looseModel({ inputs: x, outputs: x.simpleRNN({ units: 2 }), seed: 3 });
    expect(Array.from(rnn.getWeights()[2].data)).toEqual([0, 0]);
  });

  it("the same seed gives the same weights; another seed others", () => {
    const build = (seed: number) => {
      clearSession();
      const x: Untyped = input({ shape: [4, 2] });
      return looseModel({ inputs: x, outputs: x.bidirectional((t: Untyped) => t.lstm({ units: 3 })), seed }).getWeights();
    };
    expect(build(1)).toEqual(build(1));
    expect(build(1)[1].data).not.toEqual(build(2)[1].data);
  });
});

/** The generator of a model seeded with `seed` after `draws` uniform draws (the weights before). */
function createRandomAfter(seed: number, draws: number): Random {
  const r = createRandom(seed);
  for (let i = 0; i < draws; i++) r.next();
  return r;
}

// ---------------------------------------------------------------------------
// Several outputs, naming and summaries
// ---------------------------------------------------------------------------

describe("returnState, names and summaries", () => {
  it("returnState gives [output, h] and [output, h, c]; the model counts the layer once", () => {
    const x = input({ shape: [5, 3] });
    const [out, h, c] = x.lstm({ units: 4, returnState: true, returnSequences: true });
    expect([out.shape, h.shape, c.shape]).toEqual([
      [null, 5, 4],
      [null, 4],
      [null, 4],
    ]);
    const merged = c.dense({ units: 2 });
    const m = model({ inputs: x, outputs: merged });
    expect(m.countParams()).toBe(4 * (4 * (3 + 4) + 4) + 10);
    expect(m.layers.map((l) => l.name)).toEqual(["input_1", "lstm", "dense"]);
    const row = m.summaryData().rows[2];
    expect(row.inbound[0].tensorIndex).toBe(2);
    const [seq, state] = x.gru({ units: 2, returnState: true });
    expect([seq.shape, state.shape]).toEqual([
      [null, 2],
      [null, 2],
    ]);
  });

  it("the last state of a returnState layer equals its output without returnSequences", () => {
    const random = createRandom(12);
    const x: Untyped = input({ shape: [4, 2] });
    const [out, h] = x.simpleRNN({ units: 3, returnState: true });
    const m1 = looseModel({ inputs: x, outputs: out, seed: 1 });
    const m2 = looseModel({ inputs: x, outputs: h });
    const batch = randomTensor([2, 4, 2], random, -1, 1);
    expect(run(m1, batch)).toEqual(run(m2, batch));
  });

  it.each([
    ["simpleRNN", (x: Untyped) => x.simpleRNN({ units: 2 }), "simple_rnn (SimpleRNN)"],
    ["lstm", (x: Untyped) => x.lstm({ units: 2 }), "lstm (LSTM)"],
    ["gru", (x: Untyped) => x.gru({ units: 2 }), "gru (GRU)"],
    ["bidirectional", (x: Untyped) => x.bidirectional((t: Untyped) => t.lstm({ units: 2 })), "bidirectional (Bidirectional)"],
    ["timeDistributed", (x: Untyped) => x.timeDistributed((t: Untyped) => t.dense({ units: 2 })), "time_distributed (TimeDistributed)"],
  ])("%s: the Keras 3 summary row names the class", (_m, build, row) => {
    const x: Untyped = input({ shape: [5, 3] });
    const text = looseModel({ inputs: x, outputs: build(x) }).summary({ style: "keras3", lineLength: 120, printFn: () => {} });
    expect(text).toContain(row);
  });

  it("bidirectional names its copies forward_/backward_ under every scheme and keeps the inner layer's counter", () => {
    const x: Untyped = input({ shape: [5, 3] });
    x.lstm({ units: 2 });
    const m = looseModel({ inputs: x, outputs: x.bidirectional((t: Untyped) => t.lstm({ units: 2 })) });
    const layer = m.layers[1] as Untyped;
    expect(layer.forward.names).toEqual({ keras2: "forward_lstm_1", keras3: "forward_lstm_1", tfjs: "forward_lstm_LSTM2" });
    expect(layer.backward.names.tfjs).toBe("backward_lstm_LSTM2");
    expect(layer.weightSpecs().map((w: Untyped) => w.name)).toEqual([
      "forward_lstm_1/kernel",
      "forward_lstm_1/recurrent_kernel",
      "forward_lstm_1/bias",
      "backward_lstm_1/kernel",
      "backward_lstm_1/recurrent_kernel",
      "backward_lstm_1/bias",
    ]);
  });

  it("a bidirectional wrapper with mergeMode null gives two tensors of one layer", () => {
    const x = input({ shape: [5, 3] });
    const [fwd, bwd] = x.bidirectional((t) => t.gru({ units: 2 }), { mergeMode: null });
    expect(fwd.layerName).toBe(bwd.layerName);
    const m = model({ inputs: x, outputs: bwd });
    expect(m.countParams()).toBe(2 * (3 * 2 * (3 + 2) + 12));
  });

  it("unknown steps are checked again once data arrives", () => {
    const x: Untyped = input({ shape: [null, 3] });
    const m = looseModel({ inputs: x, outputs: x.lstm({ units: 2, returnSequences: true }).timeDistributed((t: Untyped) => t.dense({ units: 1 })) });
    expect(run(m, { shape: [1, 9, 3], data: new Float32Array(27) }).shape).toEqual([1, 9, 1]);
  });
});

// ---------------------------------------------------------------------------
// Runtime errors
// ---------------------------------------------------------------------------

describe("runtime errors", () => {
  const seq = (): Untyped => input({ shape: [10, 8] });
  const cases: [string, () => unknown, string][] = [
    ["units 0", () => seq().lstm({ units: 0 }), "shapewise: lstm units must be a positive integer, got 0"],
    ["negative units", () => seq().gru({ units: -3 }), "shapewise: gru units must be a positive integer, got -3"],
    ["fractional units", () => seq().simpleRNN({ units: 2.5 }), "shapewise: simpleRNN units must be a positive integer, got 2.5"],
    ["too large units", () => seq().lstm({ units: 2 ** 60 }), "shapewise: lstm units must be a positive integer, got 1152921504606847000"],
    ["null units", () => seq().lstm({ units: null }), "shapewise: lstm units must be a positive integer, got null"],
    ["missing units", () => seq().gru({}), "shapewise: gru units must be a positive integer, got undefined"],
    ["a null config", () => seq().lstm(null), "shapewise: lstm expects a config object, got null"],
    ["a number config", () => seq().simpleRNN(4), "shapewise: simpleRNN expects a config object, got 4"],
    [
      "an unknown option",
      () => seq().lstm({ units: 4, return_sequences: true }),
      "shapewise: lstm has no option 'return_sequences' (options: units, activation, recurrentActivation, useBias, returnSequences, returnState, goBackwards, kernelRegularizer, recurrentRegularizer, biasRegularizer, activityRegularizer, name)",
    ],
    [
      "resetAfter on lstm",
      () => seq().lstm({ units: 4, resetAfter: true }),
      "shapewise: lstm has no option 'resetAfter' (options: units, activation, recurrentActivation, useBias, returnSequences, returnState, goBackwards, kernelRegularizer, recurrentRegularizer, biasRegularizer, activityRegularizer, name)",
    ],
    [
      "recurrentActivation on simpleRNN",
      () => seq().simpleRNN({ units: 4, recurrentActivation: "relu" }),
      "shapewise: simpleRNN has no option 'recurrentActivation'",
    ],
    [
      "rank 2",
      () => input({ shape: [8] } as Untyped).lstm({ units: 4 } as Untyped),
      "shapewise: lstm expects input of rank 3 [batch, steps, features], got rank 2 [null, 8]",
    ],
    [
      "rank 4",
      () => (input({ shape: [4, 4, 3] }) as Untyped).gru({ units: 4 }),
      "shapewise: gru expects input of rank 3 [batch, steps, features], got rank 4 [null, 4, 4, 3]",
    ],
    [
      "unknown features",
      () => (input({ shape: [10, null] }) as Untyped).simpleRNN({ units: 4 }),
      "shapewise: simpleRNN needs a known last dimension to size its weights, got [null, 10, null]",
    ],
    ["an unknown activation", () => seq().lstm({ units: 4, activation: "leaky" }), "shapewise: lstm activation must be one of 'linear', 'relu'"],
    [
      "an unknown gate activation",
      () => seq().gru({ units: 4, recurrentActivation: "hardSigmoid" }),
      "shapewise: gru recurrentActivation must be one of 'linear'",
    ],
    ["a string returnSequences", () => seq().lstm({ units: 4, returnSequences: "yes" }), "shapewise: lstm returnSequences must be true or false, got 'yes'"],
    ["a null resetAfter", () => seq().gru({ units: 4, resetAfter: null }), "shapewise: gru resetAfter must be true or false, got null"],
    ["a name with a slash", () => seq().lstm({ units: 4, name: "a/b" }), "shapewise: lstm name must be a non-empty string without '/', got 'a/b'"],
    // Wrappers.
    [
      "bidirectional without a function",
      () => seq().bidirectional({ units: 4 }),
      'shapewise: bidirectional expects a function that makes one simpleRNN, lstm or gru call on its argument, got {"units":4}',
    ],
    [
      "bidirectional returning its argument",
      () => seq().bidirectional((t: Untyped) => t),
      "shapewise: bidirectional callback must return the output of exactly one simpleRNN, lstm or gru call on its argument, got its argument itself",
    ],
    [
      "bidirectional with two calls",
      () => seq().bidirectional((t: Untyped) => t.lstm({ units: 4, returnSequences: true }).lstm({ units: 4 })),
      "shapewise: bidirectional callback must return the output of exactly one simpleRNN, lstm or gru call on its argument, got a tensor of LSTM not called on the argument",
    ],
    [
      "bidirectional around dense",
      () => seq().bidirectional((t: Untyped) => t.dense({ units: 4 })),
      "shapewise: bidirectional callback must return the output of exactly one simpleRNN, lstm or gru call on its argument, got a tensor of Dense",
    ],
    [
      "bidirectional with goBackwards",
      () => seq().bidirectional((t: Untyped) => t.lstm({ units: 4, goBackwards: true })),
      "shapewise: bidirectional lstm goBackwards must be false: the backward copy reads the sequence in reverse",
    ],
    [
      "bidirectional with returnState",
      () => seq().bidirectional((t: Untyped) => t.gru({ units: 4, returnState: true })),
      "shapewise: bidirectional gru returnState is not supported: use the merged output, or mergeMode null for both",
    ],
    [
      "bidirectional with a bad mergeMode",
      () => seq().bidirectional((t: Untyped) => t.lstm({ units: 4 }), { mergeMode: "max" }),
      "shapewise: bidirectional mergeMode must be one of 'concat', 'sum', 'mul', 'ave', null, got 'max'",
    ],
    [
      "bidirectional with an unknown option",
      () => seq().bidirectional((t: Untyped) => t.lstm({ units: 4 }), { merge: "sum" }),
      "shapewise: bidirectional has no option 'merge' (options: mergeMode, name)",
    ],
    [
      "bidirectional on rank 2",
      () => (input({ shape: [8] }) as Untyped).bidirectional((t: Untyped) => t.lstm({ units: 4 })),
      "shapewise: lstm expects input of rank 3 [batch, steps, features], got rank 2 [null, 8]",
    ],
    ["bidirectional with units 0", () => seq().bidirectional((t: Untyped) => t.gru({ units: 0 })), "shapewise: gru units must be a positive integer, got 0"],
    [
      "timeDistributed on rank 2",
      () => (input({ shape: [8] }) as Untyped).timeDistributed((t: Untyped) => t.dense({ units: 2 })),
      "shapewise: timeDistributed expects input of rank 3 or more [batch, steps, ...], got rank 2 [null, 8]",
    ],
    [
      "timeDistributed without a function",
      () => seq().timeDistributed(null),
      "shapewise: timeDistributed expects a function that makes one layer call on its argument, got null",
    ],
    [
      "timeDistributed with no call",
      () => seq().timeDistributed((t: Untyped) => t),
      "shapewise: timeDistributed callback must return the output of exactly one layer call on its argument, got its argument itself",
    ],
    [
      "timeDistributed with two calls",
      () => seq().timeDistributed((t: Untyped) => t.dense({ units: 4 }).dense({ units: 2 })),
      "shapewise: timeDistributed callback must return the output of exactly one layer call on its argument, got a tensor of Dense not called on the argument",
    ],
    [
      "timeDistributed around returnState",
      () => (input({ shape: [3, 10, 8] }) as Untyped).timeDistributed((t: Untyped) => t.simpleRNN({ units: 2, returnState: true })),
      "shapewise: timeDistributed callback must return the output of exactly one layer call on its argument, got an array of 2",
    ],
    [
      "timeDistributed with a bad inner layer",
      () => seq().timeDistributed((t: Untyped) => t.dense({ units: 0 })),
      "shapewise: dense units must be a positive integer, got 0",
    ],
    [
      "timeDistributed with an unknown option",
      () => seq().timeDistributed((t: Untyped) => t.dense({ units: 1 }), { layer: 1 }),
      "shapewise: timeDistributed has no option 'layer' (options: name)",
    ],
  ];

  it.each(cases)("%s", (_label, build, message) => {
    expect(build).toThrow(ShapeError);
    expect(build).toThrow(message);
  });

  it("a misfit of unknown steps at predict time never reaches the kernel", () => {
    const x: Untyped = input({ shape: [null, 3] });
    const m = looseModel({ inputs: x, outputs: x.gru({ units: 2 }) });
    expect(() => run(m, { shape: [1, 4, 2], data: new Float32Array(8) })).toThrow(
      "shapewise: predict expects a tensor of shape [null, null, 3], got [1, 4, 2]",
    );
  });
});
