/**
 * Forward pass of whole models, layer by layer, against two oracles:
 *
 * - TensorFlow.js 4.22 (cpu backend): the same architecture built with
 *   `tf.layers.*`, given shapewise's own weights through `setWeights`, run on
 *   random inputs from a fixed seed. Agreement: 1e-5 (absolute, relative once
 *   |expected| > 1).
 * - Keras 3.15.1 (JAX) numbers stored in `test/fixtures/forward/` (copied from
 *   the reference `keras-cases.json`, §6): the seed models' logits and softmax
 *   for weights and inputs from documented formulas, and the single-layer
 *   `forward_case:*` entries. Agreement: 2e-6, room for the 7-decimal rounding
 *   of the stored outputs plus float32 summation-order differences.
 *
 * Every comparison goes through `expectClose`, which fails with the largest
 * difference and its index; the "controls" block shows that it does fail on a
 * perturbation just above the tolerance, and the maxima per group are printed
 * after the run.
 */
import { readFileSync } from "node:fs";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Model, ShapeError, clearSession, input, model, sequential, tensor } from "../src/index.js";
import type { ActivationName, Tensor } from "../src/index.js";
import { createRandom } from "../src/kernels/random.js";
import type { Random } from "../src/kernels/random.js";

// ---------------------------------------------------------------------------
// Comparison helper and per-group maxima
// ---------------------------------------------------------------------------

const TFJS_TOL = 1e-5;
const KERAS_TOL = 2e-6;

interface GroupStats {
  abs: number;
  scaled: number;
  comparisons: number;
  values: number;
}
const stats = new Map<string, GroupStats>();

/**
 * Fails unless every `|actual[i] - expected[i]| <= tol * max(1, |expected[i]|)`,
 * naming the worst element. Returns the largest scaled difference. A NaN on
 * one side only counts as an infinite difference. With a `group`, the maxima
 * are recorded for the summary printed after the run.
 */
function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, label: string, tol: number, group?: string): number {
  if (actual.length !== expected.length) {
    expect.fail(`${label}: ${actual.length} values, expected ${expected.length}`);
  }
  let worstScaled = 0;
  let worstAbs = 0;
  let at = -1;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (a === e || (Number.isNaN(a) && Number.isNaN(e))) continue;
    const d = Math.abs(a - e);
    const abs = Number.isNaN(d) ? Infinity : d;
    const scaled = abs / Math.max(1, Math.abs(e));
    if (abs > worstAbs) worstAbs = abs;
    if (scaled > worstScaled || at === -1) {
      worstScaled = scaled;
      at = i;
    }
  }
  if (group !== undefined) {
    const s = stats.get(group) ?? { abs: 0, scaled: 0, comparisons: 0, values: 0 };
    s.abs = Math.max(s.abs, worstAbs);
    s.scaled = Math.max(s.scaled, worstScaled);
    s.comparisons += 1;
    s.values += expected.length;
    stats.set(group, s);
  }
  if (!(worstScaled <= tol)) {
    expect.fail(
      `${label}: max difference ${worstScaled.toExponential(3)} > ${tol} at index ${at} of ${expected.length}: got ${actual[at]}, expected ${expected[at]}`,
    );
  }
  return worstScaled;
}

// ---------------------------------------------------------------------------
// Loosely typed access for table-driven cases. The typed API is exercised by
// the seed-model and weights tests, whose shapes and totals the type checker
// verifies below; tables of configs would only widen to `number` there.
// ---------------------------------------------------------------------------

type Dim = number | null;
interface Loose {
  readonly shape: readonly Dim[];
  readonly layerName: string;
  conv2d(config: object): Loose;
  maxPooling2d(config?: object): Loose;
  maxPool2d(config?: object): Loose;
  averagePooling2d(config?: object): Loose;
  flatten(): Loose;
  dense(config: object): Loose;
  dropout(config: object): Loose;
  activation(config: string | object): Loose;
}
const looseInput = (shape: readonly number[]): Loose => input({ shape: [...shape] }) as unknown as Loose;
const looseModel = model as unknown as (config: { inputs: Loose; outputs: Loose; seed?: number; name?: string }) => Model;
const looseSequential = sequential as unknown as (config: { inputs: Loose; outputs: Loose; seed?: number }) => Model;
/** `predict` without the static batch-shape check (the tables build shapes at run time). */
const run = (m: Model, x: Tensor): Tensor => (m.predict as unknown as (x: Tensor) => Tensor).call(m, x);

const sizeOf = (shape: readonly number[]): number => shape.reduce((p, d) => p * d, 1);

function randomData(n: number, random: Random, lo: number, hi: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * random.next();
  return out;
}
const randomTensor = (shape: readonly number[], random: Random, lo = -1, hi = 1): Tensor => ({
  shape: [...shape],
  data: randomData(sizeOf(shape), random, lo, hi),
});

/** Replaces every bias (rank-1 weight) with random values, so that biases take part in the comparison. */
function randomizeBiases(m: Model, random: Random): void {
  m.setWeights(m.getWeights().map((w) => (w.shape.length === 1 ? { shape: w.shape, data: randomData(w.data.length, random, -0.5, 0.5) } : w)));
}

// ---------------------------------------------------------------------------
// TensorFlow.js side
// ---------------------------------------------------------------------------

/**
 * TF.js spelling of each Keras 3 activation, or `null` where TF.js layers have
 * no equivalent: those run TF.js with `linear` and apply {@link KERAS_FORMULA}.
 */
const TFJS_ACTIVATION: Record<ActivationName, string | null> = {
  linear: "linear",
  relu: "relu",
  relu6: "relu6",
  elu: "elu",
  selu: "selu",
  gelu: "gelu",
  swish: "swish",
  silu: "swish", // Keras 3 silu is swish: x * sigmoid(x)
  sigmoid: "sigmoid",
  // Keras 3 hard_sigmoid is relu6(x + 3) / 6; TF.js `hardSigmoid` is
  // clip(0.2 x + 0.5, 0, 1) (the tf.keras 2 definition), up to ~0.033 away.
  // It is therefore checked against the Keras 3 formula applied to TF.js'
  // linear output, not against TF.js.
  hard_sigmoid: null,
  tanh: "tanh",
  softplus: "softplus",
  softsign: "softsign",
  softmax: "softmax",
  log_softmax: "logSoftmax",
  // No `exponential` activation in TF.js layers: exp of TF.js' linear output.
  exponential: null,
};
const KERAS_FORMULA: Partial<Record<ActivationName, (v: number) => number>> = {
  hard_sigmoid: (v) => Math.min(Math.max(v + 3, 0), 6) / 6,
  exponential: Math.exp,
};
const ALL_ACTIVATIONS = Object.keys(TFJS_ACTIVATION) as ActivationName[];

/** The TF.js `activation` option and the post-processing a Keras 3 activation needs. */
function tfjsActivation(name: ActivationName | undefined): { activation: string | undefined; post?: (v: number) => number } {
  if (name === undefined) return { activation: undefined };
  const tfName = TFJS_ACTIVATION[name];
  return tfName === null ? { activation: "linear", post: KERAS_FORMULA[name] } : { activation: tfName };
}

/** Copies weights into a TF.js model after checking that TF.js expects exactly these shapes, in this order. */
function copyWeightsToTfjs(tfModel: tf.LayersModel, weights: readonly Tensor[]): void {
  expect(
    tfModel.getWeights().map((w) => w.shape),
    "TF.js weight shapes in Keras order",
  ).toEqual(weights.map((w) => [...w.shape]));
  tf.tidy(() => tfModel.setWeights(weights.map((w) => tf.tensor(w.data, [...w.shape]))));
}

/** Runs a TF.js model (one or more outputs) and returns every output as a flat array with its shape. */
function tfjsPredict(tfModel: tf.LayersModel, x: Tensor): { shape: number[]; data: Float32Array }[] {
  return tf.tidy(() => {
    const out = tfModel.predict(tf.tensor(x.data, [...x.shape]));
    const list = Array.isArray(out) ? out : [out];
    return list.map((t) => ({ shape: t.shape, data: Float32Array.from(t.dataSync()) }));
  });
}

const tfjsLayer = {
  conv2d: (c: object) => tf.layers.conv2d(c as Parameters<typeof tf.layers.conv2d>[0]),
  maxPooling2d: (c: object) => tf.layers.maxPooling2d(c as Parameters<typeof tf.layers.maxPooling2d>[0]),
  averagePooling2d: (c: object) => tf.layers.averagePooling2d(c as Parameters<typeof tf.layers.averagePooling2d>[0]),
  dense: (c: object) => tf.layers.dense(c as Parameters<typeof tf.layers.dense>[0]),
  activation: (c: object) => tf.layers.activation(c as Parameters<typeof tf.layers.activation>[0]),
  flatten: (c: object) => tf.layers.flatten(c as Parameters<typeof tf.layers.flatten>[0]),
  dropout: (c: object) => tf.layers.dropout(c as Parameters<typeof tf.layers.dropout>[0]),
};

interface TfjsCase {
  label: string;
  group: string;
  /** Sample shape (without batch). */
  inShape: readonly number[];
  /** The shapewise layers after the input. */
  build: (x: Loose) => Loose;
  /** The same layers for TF.js; the first gets `inputShape`. */
  tfLayers: () => { make: (c: object) => tf.layers.Layer; config: object }[];
  /** Elementwise Keras 3 formula applied to TF.js' output (activations TF.js lacks). */
  post?: (v: number) => number;
  seed: number;
  inputRange?: [number, number];
}

/**
 * Builds the case with shapewise (seeded glorot kernels, random biases) and
 * with TF.js, copies the weights over, and compares output shape, parameter
 * count and the outputs for batches of 1 and 4.
 */
function compareWithTfjs(c: TfjsCase): void {
  const random = createRandom(c.seed);
  const x = looseInput(c.inShape);
  const m = looseModel({ inputs: x, outputs: c.build(x), seed: c.seed });
  randomizeBiases(m, random);
  const specs = c.tfLayers();
  const tfModel = tf.sequential({
    layers: specs.map((s, i) => s.make(i === 0 ? { ...s.config, inputShape: [...c.inShape] } : s.config)),
  });
  try {
    copyWeightsToTfjs(tfModel, m.getWeights());
    expect(m.countParams(), `${c.label}: countParams`).toBe(tfModel.countParams());
    expect(m.outputShape, `${c.label}: output shape`).toEqual(tfModel.outputs[0].shape.map((d) => d ?? null));
    const [lo, hi] = c.inputRange ?? [-2, 2];
    for (const batch of [1, 4]) {
      const xb = randomTensor([batch, ...c.inShape], random, lo, hi);
      const ours = run(m, xb);
      const [theirs] = tfjsPredict(tfModel, xb);
      expect(ours.shape, `${c.label} batch ${batch}: shape`).toEqual(theirs.shape);
      const expected = c.post === undefined ? theirs.data : theirs.data.map(c.post);
      expectClose(ours.data, expected, `${c.label} batch ${batch}`, TFJS_TOL, c.group);
    }
  } finally {
    tfModel.dispose();
  }
}

// ---------------------------------------------------------------------------
// Keras 3 fixtures and formulas
// ---------------------------------------------------------------------------

interface KerasLayer {
  class_name: string;
  config: Record<string, unknown>;
}
interface ForwardCase {
  name: string;
  input_shape: number[];
  layers: KerasLayer[];
  output_shape: number[];
  total_params: number;
  forward_keras3: {
    inputs: number[][];
    weights: { path: string; shape: number[]; values: number[] }[];
    output: number[];
    weight_formula: string;
    input_formula: string;
  };
}
interface SeedFixture {
  name: string;
  total_params: number;
  weights_keras3: { path: string; shape: number[] }[];
  forward_keras3: {
    output_softmax: number[];
    logits_pre_softmax: number[];
    weight_formula: string;
    input_formula: string;
    input_shape: number[];
  };
}
const fixture = <T>(file: string): T => JSON.parse(readFileSync(new URL(`./fixtures/forward/${file}`, import.meta.url), "utf8")) as T;
const forwardCases = fixture<{ cases: ForwardCase[] }>("keras3-cases.json").cases;
const seedFixtures = fixture<{ models: SeedFixture[] }>("keras3-seed-models.json").models;

/** Reference input formula: flattened index i over the whole batch, float32(0.5 + 0.5 sin(0.11 i)). */
const formulaInput = (shape: readonly number[]): Tensor => ({
  shape: [...shape],
  data: Float32Array.from({ length: sizeOf(shape) }, (_, i) => 0.5 + 0.5 * Math.sin(0.11 * i)),
});
/**
 * Reference weight formula: k-th weight tensor, flattened index i, float32(scale sin(0.37 i + 1.3 k + 1)).
 * For the seed models k runs over the whole model's weight list (`model.weights`:
 * conv2d/kernel 0, conv2d/bias 1, conv2d_1/kernel 2, ...): that reading
 * reproduces the stored logits, counting k per layer does not (tested below).
 */
const formulaWeight = (shape: readonly number[], k: number, scale: number): Tensor => ({
  shape: [...shape],
  data: Float32Array.from({ length: sizeOf(shape) }, (_, i) => scale * Math.sin(0.37 * i + 1.3 * k + 1.0)),
});
/** Formula weights for a whole model, k counted over the model's weights in Keras order. */
const formulaWeights = (m: Model, scale: number): Tensor[] => m.getWeights().map((w, k) => formulaWeight(w.shape, k, scale));

/** Keras config (snake_case) to shapewise options (TF.js camelCase). */
function camelConfig(config: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(config).map(([k, v]) => [k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()), v]));
}
function applyKerasLayer(x: Loose, layer: KerasLayer): Loose {
  const cfg = camelConfig(layer.config);
  switch (layer.class_name) {
    case "Conv2D":
      return x.conv2d(cfg);
    case "MaxPooling2D":
      return x.maxPooling2d(cfg);
    case "AveragePooling2D":
      return x.averagePooling2d(cfg);
    case "Dense":
      return x.dense(cfg);
    default:
      throw new Error(`no shapewise layer for ${layer.class_name}`);
  }
}

// ---------------------------------------------------------------------------
// Seed models
// ---------------------------------------------------------------------------

type SeedKind = "A" | "B";

/** Seed model A (all `valid`) or B (first conv `same`); returns the model and every tensor, input first. */
function buildSeed(kind: SeedKind, last: ActivationName = "softmax", seed?: number): { m: Model; tensors: Loose[] } {
  const tensors: Loose[] = [looseInput([28, 28, 1])];
  const add = (f: (t: Loose) => Loose) => tensors.push(f(tensors[tensors.length - 1]));
  add((t) => t.conv2d({ filters: 32, kernelSize: 3, activation: "relu", padding: kind === "B" ? "same" : "valid" }));
  add((t) => t.maxPooling2d({ poolSize: 2 }));
  add((t) => t.conv2d({ filters: 64, kernelSize: 3, activation: "relu" }));
  add((t) => t.maxPooling2d({ poolSize: 2 }));
  add((t) => t.conv2d({ filters: 128, kernelSize: 3, activation: "relu" }));
  add((t) => t.flatten());
  add((t) => t.dense({ units: 10, activation: last }));
  return { m: looseModel({ inputs: tensors[0], outputs: tensors[tensors.length - 1], seed }), tensors };
}

function tfjsSeed(kind: SeedKind, last: ActivationName = "softmax"): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, activation: "relu", padding: kind === "B" ? "same" : "valid" }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: "relu" }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 128, kernelSize: 3, activation: "relu" }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 10, activation: TFJS_ACTIVATION[last] as "softmax" }),
    ],
  });
}

const SEED_PARAMS: Record<SeedKind, number> = { A: 104202, B: 113162 };

// ---------------------------------------------------------------------------

beforeAll(async () => {
  await tf.setBackend("cpu");
  await tf.ready();
});

beforeEach(() => {
  clearSession();
});

afterAll(() => {
  const rows = [...stats.entries()].map(
    ([g, s]) => `  ${g.padEnd(44)} abs ${s.abs.toExponential(2)}  scaled ${s.scaled.toExponential(2)}  (${s.comparisons} comparisons, ${s.values} values)`,
  );
  console.log(`forward.test.ts: max difference per group\n${rows.join("\n")}`);
  // Every TF.js model is disposed after use; nothing should be left over.
  console.log(`forward.test.ts: TF.js tensors still allocated: ${tf.memory().numTensors}`);
});

describe("controls: the comparisons can fail", () => {
  it("expectClose reports the worst element and its index", () => {
    const expected = Float32Array.from([0.5, -1, 3, 0.25]);
    const near = Float32Array.from(expected);
    near[2] += 2.9e-5; // scaled 2.9e-5 / 3 < 1e-5
    expect(expectClose(near, expected, "near", TFJS_TOL)).toBeLessThan(TFJS_TOL);
    const off = Float32Array.from(expected);
    off[3] += 2e-5;
    expect(() => expectClose(off, expected, "off", TFJS_TOL)).toThrow(/max difference 2\.\d+e-5 > 0\.00001 at index 3 of 4/);
    expect(() => expectClose(Float32Array.of(NaN), Float32Array.of(1), "nan", TFJS_TOL)).toThrow(/index 0/);
    expect(() => expectClose(Float32Array.of(1, 2), Float32Array.of(1), "len", TFJS_TOL)).toThrow(/2 values, expected 1/);
  });

  it("a bias off by 1e-4 in the TF.js copy of seed model B is caught", () => {
    const { m } = buildSeed("B", "linear", 11);
    randomizeBiases(m, createRandom(11));
    const tfModel = tfjsSeed("B", "linear");
    try {
      const weights = m.getWeights();
      weights[7].data[3] += 1e-4; // dense/bias, logit 3
      copyWeightsToTfjs(tfModel, weights);
      const x = randomTensor([2, 28, 28, 1], createRandom(1), 0, 1);
      const [theirs] = tfjsPredict(tfModel, x);
      expect(() => expectClose(run(m, x).data, theirs.data, "perturbed", TFJS_TOL)).toThrow(/at index (3|13) of 20/);
    } finally {
      tfModel.dispose();
    }
  });

  it("TF.js hardSigmoid (0.2x + 0.5) differs from the Keras 3 formula beyond the tolerance", () => {
    const values = Float32Array.from([-2.5, -1, 0.5, 2.5]);
    const theirs = tf.tidy(() => (tf.layers.activation({ activation: "hardSigmoid" }).apply(tf.tensor2d(values, [1, 4])) as tf.Tensor).dataSync());
    const x = looseInput([4]);
    const ours = run(looseModel({ inputs: x, outputs: x.activation("hard_sigmoid") }), { shape: [1, 4], data: values });
    expect(() => expectClose(ours.data, theirs, "hard_sigmoid vs TF.js", TFJS_TOL)).toThrow(/max difference/);
    expectClose(ours.data, values.map(KERAS_FORMULA.hard_sigmoid!), "hard_sigmoid vs Keras 3 formula", TFJS_TOL);
  });
});

describe("seed models A and B against TensorFlow.js", () => {
  for (const kind of ["A", "B"] as const) {
    it(`seed model ${kind}: every layer's output, output shape and countParams match tf.sequential`, () => {
      const { m, tensors } = buildSeed(kind);
      const tfModel = tfjsSeed(kind);
      // Every intermediate output: shapewise sub-models share the layers (and
      // weights) of `m`; TF.js exposes each layer's symbolic output.
      const tfAll = tf.model({ inputs: tfModel.inputs, outputs: tfModel.layers.map((l) => l.output as tf.SymbolicTensor) });
      try {
        expect(m.countParams()).toBe(SEED_PARAMS[kind]);
        expect(tfModel.countParams()).toBe(SEED_PARAMS[kind]);
        expect(m.outputShape).toEqual([null, 10]);
        expect(tfModel.outputs[0].shape).toEqual([null, 10]);
        copyWeightsToTfjs(tfModel, m.getWeights());
        const x = randomTensor([3, 28, 28, 1], createRandom(kind === "A" ? 101 : 102), 0, 1);
        const theirs = tfjsPredict(tfAll, x);
        expect(theirs).toHaveLength(tensors.length - 1);
        for (let i = 1; i < tensors.length; i++) {
          const sub = i === tensors.length - 1 ? m : looseModel({ inputs: tensors[0], outputs: tensors[i] });
          const ours = run(sub, x);
          const label = `seed ${kind} ${tensors[i].layerName}`;
          expect(ours.shape, `${label}: shape`).toEqual(theirs[i - 1].shape);
          expectClose(ours.data, theirs[i - 1].data, label, TFJS_TOL, "seed models vs TF.js (initial weights)");
        }
        // The softmax output is a proper distribution per sample.
        const y = run(m, x);
        for (let b = 0; b < 3; b++) expect(y.data.slice(b * 10, b * 10 + 10).reduce((s, v) => s + v, 0)).toBeCloseTo(1, 6);
      } finally {
        tfModel.dispose();
      }
    });

    it(`seed model ${kind}: logits with random biases and sequential() agree with TF.js`, () => {
      const { m, tensors } = buildSeed(kind, "linear", 5);
      randomizeBiases(m, createRandom(5));
      const s = looseSequential({ inputs: tensors[0], outputs: tensors[tensors.length - 1] });
      const tfModel = tfjsSeed(kind, "linear");
      try {
        copyWeightsToTfjs(tfModel, m.getWeights());
        const x = randomTensor([3, 28, 28, 1], createRandom(7), 0, 1);
        const [theirs] = tfjsPredict(tfModel, x);
        expectClose(run(m, x).data, theirs.data, `seed ${kind} logits`, TFJS_TOL, "seed models vs TF.js (random biases, logits)");
        expect(run(s, x).data).toEqual(run(m, x).data);
      } finally {
        tfModel.dispose();
      }
    });
  }
});

describe("seed models A and B against Keras 3 (documented weight and input formulas)", () => {
  for (const f of seedFixtures) {
    const kind: SeedKind = f.name === "seed_model_A" ? "A" : "B";
    const k3 = f.forward_keras3;

    it(`${f.name}: softmax output and pre-softmax logits`, () => {
      expect(k3.weight_formula).toContain("float32(scale*sin(0.37*i + 1.3*k + 1.0)); scale=0.05");
      expect(k3.input_formula).toContain("float32(0.5 + 0.5*sin(0.11*i))");
      const { m } = buildSeed(kind, "softmax");
      const { m: logitsModel } = buildSeed(kind, "linear");
      expect(m.countParams()).toBe(f.total_params);
      expect(m.getWeights().map((w) => w.shape)).toEqual(f.weights_keras3.map((w) => w.shape));
      const weights = formulaWeights(m, 0.05);
      m.setWeights(weights);
      logitsModel.setWeights(weights);
      const x = formulaInput(k3.input_shape);
      const probs = run(m, x);
      const logits = run(logitsModel, x);
      expect(probs.shape).toEqual([1, 10]);
      expectClose(probs.data, k3.output_softmax, `${f.name} softmax`, KERAS_TOL, "seed models vs Keras 3 (softmax)");
      expectClose(logits.data, k3.logits_pre_softmax, `${f.name} logits`, KERAS_TOL, "seed models vs Keras 3 (logits)");
    });

    it(`${f.name}: counting k per layer instead of across the model does not match (the check discriminates)`, () => {
      const { m } = buildSeed(kind, "linear");
      m.setWeights(m.layers.flatMap((layer) => layer.weightSpecs().map((spec, k) => formulaWeight(spec.shape, k, 0.05))));
      const logits = run(m, formulaInput(k3.input_shape));
      expect(() => expectClose(logits.data, k3.logits_pre_softmax, "per-layer k", KERAS_TOL)).toThrow(/max difference/);
    });
  }
});

describe("conv2d against TensorFlow.js", () => {
  // Odd and even, square and non-square inputs with 1 to 3 channels.
  const sizes: [number, number, number][] = [
    [7, 9, 2],
    [8, 6, 3],
  ];
  const kernels: (number | [number, number])[] = [1, 2, 3, 5, [2, 3], [3, 1]];
  const strides: (number | [number, number])[] = [1, 2, 3, [1, 2], [3, 2]];
  const paddings = ["valid", "same"] as const;
  const cases: { label: string; inShape: number[]; cfg: Record<string, unknown> }[] = [];
  for (const inShape of sizes) {
    for (const kernelSize of kernels) {
      for (const s of strides) {
        for (const padding of paddings) {
          cases.push({ label: `[${inShape}] k${kernelSize} s${s} ${padding}`, inShape, cfg: { filters: 4, kernelSize, strides: s, padding } });
        }
      }
    }
  }
  // Dilation (stride 1): square and pair rates, both paddings.
  for (const inShape of sizes) {
    for (const [kernelSize, dilationRate] of [
      [3, 2],
      [2, 3],
      [3, [2, 1]],
      [
        [2, 3],
        [1, 2],
      ],
      [[3, 2], 2],
    ] as const) {
      for (const padding of paddings) {
        cases.push({
          label: `[${inShape}] k${kernelSize} d${dilationRate} ${padding}`,
          inShape,
          cfg: { filters: 3, kernelSize, dilationRate, padding },
        });
      }
    }
  }
  // No bias; one filter; many channels; a 1x1 input with 'same'.
  cases.push({ label: "[7,9,2] k3 useBias false", inShape: [7, 9, 2], cfg: { filters: 5, kernelSize: 3, useBias: false } });
  cases.push({
    label: "[8,6,3] k2 s2 same useBias false",
    inShape: [8, 6, 3],
    cfg: { filters: 2, kernelSize: 2, strides: 2, padding: "same", useBias: false },
  });
  cases.push({ label: "[5,5,1] k3 filters 1", inShape: [5, 5, 1], cfg: { filters: 1, kernelSize: 3 } });
  cases.push({ label: "[6,5,16] k3 same filters 8", inShape: [6, 5, 16], cfg: { filters: 8, kernelSize: 3, padding: "same" } });
  cases.push({ label: "[1,1,3] k3 s2 same", inShape: [1, 1, 3], cfg: { filters: 2, kernelSize: 3, strides: 2, padding: "same" } });
  // Every activation, on a 'same' conv with values on both sides of every kink.
  for (const activation of ALL_ACTIVATIONS) {
    cases.push({ label: `[6,7,3] k3 same ${activation}`, inShape: [6, 7, 3], cfg: { filters: 4, kernelSize: 3, padding: "same", activation } });
  }

  cases.forEach((c, i) => {
    it(c.label, () => {
      const { activation, post } = tfjsActivation(c.cfg.activation as ActivationName | undefined);
      compareWithTfjs({
        label: `conv2d ${c.label}`,
        group: c.cfg.activation === undefined ? "conv2d vs TF.js" : "conv2d + activation vs TF.js",
        inShape: c.inShape,
        build: (x) => x.conv2d(c.cfg),
        tfLayers: () => [{ make: tfjsLayer.conv2d, config: activation === undefined ? c.cfg : { ...c.cfg, activation } }],
        post,
        seed: 1000 + i,
        inputRange: c.cfg.activation === undefined ? [-1, 1] : [-3, 3],
      });
    });
  });
});

describe("maxPooling2d / averagePooling2d against TensorFlow.js", () => {
  const sizes: [number, number, number][] = [
    [7, 9, 2],
    [8, 6, 3],
  ];
  const pools: (number | [number, number] | undefined)[] = [undefined, 2, 3, [2, 3], [3, 1]];
  const strides: (number | [number, number] | undefined)[] = [undefined, 1, 2, [1, 2], 3];
  const paddings = ["valid", "same"] as const;
  let i = 0;
  for (const kind of ["maxPooling2d", "averagePooling2d"] as const) {
    for (const inShape of sizes) {
      for (const poolSize of pools) {
        for (const s of strides) {
          for (const padding of paddings) {
            const cfg: Record<string, unknown> = { padding };
            if (poolSize !== undefined) cfg.poolSize = poolSize;
            if (s !== undefined) cfg.strides = s;
            const label = `${kind} [${inShape}] pool ${poolSize ?? "default"} strides ${s ?? "default"} ${padding}`;
            const seed = 2000 + i++;
            it(label, () => {
              compareWithTfjs({
                label,
                group: `${kind} vs TF.js`,
                inShape,
                build: (x) => x[kind](cfg),
                tfLayers: () => [{ make: tfjsLayer[kind], config: cfg }],
                seed,
              });
            });
          }
        }
      }
    }
  }

  it("maxPool2d is the same layer as maxPooling2d", () => {
    const x = looseInput([7, 9, 2]);
    const a = x.maxPool2d({ poolSize: [2, 3], strides: [1, 2], padding: "same" });
    const b = x.maxPooling2d({ poolSize: [2, 3], strides: [1, 2], padding: "same" });
    expect(a.shape).toEqual(b.shape);
    const data = randomTensor([4, 7, 9, 2], createRandom(3));
    expect(run(looseModel({ inputs: x, outputs: a }), data).data).toEqual(run(looseModel({ inputs: x, outputs: b }), data).data);
    expect(a.layerName).toBe("max_pooling2d");
  });
});

describe("dense against TensorFlow.js", () => {
  const shapes = [[6], [3, 6], [2, 3, 6]];
  let i = 0;
  for (const inShape of shapes) {
    for (const useBias of [true, false]) {
      for (const act of ALL_ACTIVATIONS) {
        const cfg = { units: 5, useBias, activation: act };
        const label = `dense rank ${inShape.length + 1} [${inShape}] ${useBias ? "bias" : "no bias"} ${act}`;
        const seed = 3000 + i++;
        it(label, () => {
          const { activation, post } = tfjsActivation(act);
          compareWithTfjs({
            label,
            group: "dense vs TF.js",
            inShape,
            build: (x) => x.dense(cfg),
            tfLayers: () => [{ make: tfjsLayer.dense, config: { ...cfg, activation } }],
            post,
            seed,
            inputRange: [-3, 3],
          });
        });
      }
    }
  }
});

describe("activation layer against TensorFlow.js", () => {
  let i = 0;
  for (const act of ALL_ACTIVATIONS) {
    // String form on rank 2, object form on rank 4 (softmax over the channels).
    for (const [form, inShape] of [
      ["string", [7]],
      ["object", [3, 4, 5]],
    ] as const) {
      const label = `activation(${form === "string" ? `"${act}"` : `{ activation: "${act}" }`}) on [${inShape}]`;
      const seed = 4000 + i++;
      it(label, () => {
        const { activation, post } = tfjsActivation(act);
        compareWithTfjs({
          label,
          group: "activation layer vs TF.js",
          inShape,
          build: (x) => x.activation(form === "string" ? act : { activation: act }),
          tfLayers: () => [{ make: tfjsLayer.activation, config: { activation } }],
          post,
          seed,
          inputRange: [-6, 6],
        });
      });
    }
  }
});

describe("flatten and dropout against TensorFlow.js", () => {
  it("flatten of rank 4 and rank 3 inputs (row-major, channels last), then dense", () => {
    for (const [j, inShape] of [
      [4, 5, 3],
      [6, 2],
    ].entries()) {
      compareWithTfjs({
        label: `flatten [${inShape}]`,
        group: "flatten / dropout vs TF.js",
        inShape,
        build: (x) => x.flatten(),
        tfLayers: () => [{ make: tfjsLayer.flatten, config: {} }],
        seed: 5000 + j,
      });
      compareWithTfjs({
        label: `flatten [${inShape}] + dense`,
        group: "flatten / dropout vs TF.js",
        inShape,
        build: (x) => x.flatten().dense({ units: 7, activation: "tanh" }),
        tfLayers: () => [
          { make: tfjsLayer.flatten, config: {} },
          { make: tfjsLayer.dense, config: { units: 7, activation: "tanh" } },
        ],
        seed: 5010 + j,
      });
    }
  });

  it("flatten of a rank-2 input is the identity (TF.js Flatten needs rank 3)", () => {
    const x = looseInput([5]);
    const y = x.flatten();
    expect(y.shape).toEqual([null, 5]);
    const data = randomTensor([4, 5], createRandom(5));
    const out = run(looseModel({ inputs: x, outputs: y }), data);
    expect(out.shape).toEqual([4, 5]);
    expectClose(out.data, data.data, "flatten rank 2", 0, "flatten / dropout vs TF.js");
  });

  it("dropout is the identity at inference, alone and between layers", () => {
    for (const rate of [0, 0.5, 0.9]) {
      compareWithTfjs({
        label: `dropout ${rate}`,
        group: "flatten / dropout vs TF.js",
        inShape: [4, 5, 3],
        build: (x) => x.dropout({ rate }),
        tfLayers: () => [{ make: tfjsLayer.dropout, config: { rate } }],
        seed: 5100,
      });
    }
    const x = looseInput([4, 5, 3]);
    const data = randomTensor([4, 4, 5, 3], createRandom(9));
    expectClose(run(looseModel({ inputs: x, outputs: x.dropout({ rate: 0.5 }) }), data).data, data.data, "dropout identity", 0);
    compareWithTfjs({
      label: "conv2d, dropout, flatten, dropout, dense",
      group: "flatten / dropout vs TF.js",
      inShape: [6, 6, 2],
      build: (t) => t.conv2d({ filters: 3, kernelSize: 3, activation: "relu" }).dropout({ rate: 0.3 }).flatten().dropout({ rate: 0.5 }).dense({ units: 4 }),
      tfLayers: () => [
        { make: tfjsLayer.conv2d, config: { filters: 3, kernelSize: 3, activation: "relu" } },
        { make: tfjsLayer.dropout, config: { rate: 0.3 } },
        { make: tfjsLayer.flatten, config: {} },
        { make: tfjsLayer.dropout, config: { rate: 0.5 } },
        { make: tfjsLayer.dense, config: { units: 4 } },
      ],
      seed: 5101,
    });
  });
});

describe("Keras 3 forward_case:* entries (Conv2D, MaxPooling2D, AveragePooling2D, Dense)", () => {
  it("the fixture holds the ten cases for these layers", () => {
    expect(forwardCases.map((c) => c.name)).toEqual([
      "forward_case:conv2d_valid",
      "forward_case:conv2d_same_stride2_odd",
      "forward_case:conv2d_same_stride2_even",
      "forward_case:conv2d_same_k4_even",
      "forward_case:conv2d_dilation2_same",
      "forward_case:maxpool2d_same",
      "forward_case:avgpool2d_same",
      "forward_case:avgpool2d_3_s1_same",
      "forward_case:dense_rank3",
      "forward_case:dense_softmax",
    ]);
  });

  for (const c of forwardCases) {
    it(c.name, () => {
      const k3 = c.forward_keras3;
      const x = looseInput(c.input_shape.slice(1));
      const m = looseModel({ inputs: x, outputs: c.layers.reduce(applyKerasLayer, x) });
      expect(m.countParams()).toBe(c.total_params);
      expect(m.outputShape).toEqual([null, ...c.output_shape.slice(1)]);
      expect(m.getWeights().map((w) => w.shape)).toEqual(k3.weights.map((w) => w.shape));
      // The stored values are the documented formulas (scale 0.5), bit for bit.
      k3.weights.forEach((w, k) => expect(Float32Array.from(w.values)).toEqual(formulaWeight(w.shape, k, 0.5).data));
      expect(Float32Array.from(k3.inputs[0])).toEqual(formulaInput(c.input_shape).data);
      m.setWeights(k3.weights.map((w) => ({ shape: w.shape, data: Float32Array.from(w.values) })));
      const y = run(m, { shape: c.input_shape, data: Float32Array.from(k3.inputs[0]) });
      expect(y.shape).toEqual(c.output_shape);
      expectClose(y.data, k3.output, c.name, KERAS_TOL, `forward_case:* vs Keras 3 (${c.layers[0].class_name})`);
    });
  }
});

describe("weights API", () => {
  it("getWeights returns Keras order and layout (seed B), typed model", () => {
    const inputs = input({ shape: [28, 28, 1] });
    const outputs = inputs
      .conv2d({ filters: 32, kernelSize: 3, activation: "relu", padding: "same" })
      .maxPooling2d({ poolSize: 2 })
      .conv2d({ filters: 64, kernelSize: 3, activation: "relu" })
      .maxPooling2d({ poolSize: 2 })
      .conv2d({ filters: 128, kernelSize: 3, activation: "relu" })
      .flatten()
      .dense({ units: 10, activation: "softmax" });
    const m = model({ inputs, outputs });
    // Checked by the type checker: exact output shape and parameter total.
    const shape: readonly [null, 10] = m.outputShape;
    const params: 113162 = m.countParams();
    expect(shape).toEqual([null, 10]);
    expect(params).toBe(113162);
    const weights = m.getWeights();
    expect(weights.map((w) => w.shape)).toEqual([[3, 3, 1, 32], [32], [3, 3, 32, 64], [64], [3, 3, 64, 128], [128], [2048, 10], [10]]);
    for (const w of weights) {
      expect(w.data).toBeInstanceOf(Float32Array);
      expect(w.data.length).toBe(sizeOf(w.shape));
    }
    expect(weights.reduce((s, w) => s + w.data.length, 0)).toBe(113162);
    // A typed batch of 2 gives a typed [2, 10] result.
    const y = m.predict(tensor([2, 28, 28, 1]));
    const yShape: [2, 10] = y.shape;
    expect(yShape).toEqual([2, 10]);
  });

  it("getWeights of seed A matches the Keras 3 weight list", () => {
    const { m } = buildSeed("A");
    const f = seedFixtures.find((s) => s.name === "seed_model_A")!;
    expect(m.getWeights().map((w) => w.shape)).toEqual(f.weights_keras3.map((w) => w.shape));
    expect(m.layers.flatMap((l) => l.weightSpecs().map((s) => `${l.name}/${s.name}`))).toEqual(
      f.weights_keras3.map((w) => w.path.replace(/^sequential\//, "")),
    );
  });

  it("kernels are glorot_uniform within sqrt(6 / (fan_in + fan_out)) and use most of that range; biases are zero", () => {
    for (const kind of ["A", "B"] as const) {
      const { m } = buildSeed(kind, "softmax", 3);
      for (const w of m.getWeights()) {
        if (w.shape.length === 1) {
          expect(
            w.data.every((v) => v === 0),
            `bias ${w.shape}`,
          ).toBe(true);
          continue;
        }
        const rf = w.shape.slice(0, -2).reduce((p, d) => p * d, 1);
        const fanIn = w.shape[w.shape.length - 2] * rf;
        const fanOut = w.shape[w.shape.length - 1] * rf;
        const limit = Math.sqrt(6 / (fanIn + fanOut));
        let max = 0;
        let sum = 0;
        for (const v of w.data) {
          max = Math.max(max, Math.abs(v));
          sum += v;
        }
        expect(max, `kernel ${w.shape}: max |w| vs limit ${limit}`).toBeLessThanOrEqual(Math.fround(limit));
        expect(max, `kernel ${w.shape}: range used`).toBeGreaterThan(0.95 * limit);
        // Mean of a uniform(-limit, limit) sample: standard error limit / sqrt(3n).
        expect(Math.abs(sum / w.data.length), `kernel ${w.shape}: mean`).toBeLessThan((5 * limit) / Math.sqrt(3 * w.data.length));
      }
    }
    // Reference examples (§5.5): Conv2D(32, 3) on 1 channel 0.14213, Dense 1152 -> 10 0.07186.
    expect(Math.sqrt(6 / (9 + 288))).toBeCloseTo(0.14213, 5);
    expect(Math.sqrt(6 / 1162)).toBeCloseTo(0.07186, 5);
  });

  it("the same seed gives identical weights, different seeds different ones; unseeded models restart with clearSession", () => {
    const w7a = buildSeed("B", "softmax", 7).m.getWeights();
    const w7b = buildSeed("B", "softmax", 7).m.getWeights();
    const w8 = buildSeed("B", "softmax", 8).m.getWeights();
    expect(w7b).toEqual(w7a);
    for (const k of [0, 2, 4, 6]) expect(w8[k].data, `kernel ${k}`).not.toEqual(w7a[k].data);
    clearSession();
    const u1 = buildSeed("B").m.getWeights();
    const u2 = buildSeed("B").m.getWeights();
    clearSession();
    const u3 = buildSeed("B").m.getWeights();
    expect(u2[0].data).not.toEqual(u1[0].data); // the session generator moves on
    expect(u3).toEqual(u1); // and clearSession restarts it
  });

  it("getWeights returns copies and setWeights copies its input", () => {
    const { m } = buildSeed("A", "softmax", 1);
    const x = randomTensor([1, 28, 28, 1], createRandom(2), 0, 1);
    const before = run(m, x).data;
    const weights = m.getWeights();
    weights[0].data.fill(0);
    expect(m.getWeights()[0].data).not.toEqual(weights[0].data);
    expect(run(m, x).data).toEqual(before);
    const fresh = m.getWeights();
    m.setWeights(fresh);
    fresh[6].data.fill(1);
    expect(run(m, x).data).toEqual(before);
    // Plain number arrays are accepted too.
    m.setWeights(m.getWeights().map((w) => ({ shape: w.shape, data: Array.from(w.data) as unknown as Float32Array })));
    expect(run(m, x).data).toEqual(before);
  });

  it("setWeights rejects a wrong count, shape or data length with a ShapeError naming the weight, and changes nothing", () => {
    const { m } = buildSeed("B", "softmax", 1);
    const good = m.getWeights();
    const x = randomTensor([1, 28, 28, 1], createRandom(4), 0, 1);
    const before = run(m, x).data;
    const attempt = (weights: Tensor[]): ShapeError => {
      try {
        m.setWeights(weights);
      } catch (e) {
        expect(e).toBeInstanceOf(ShapeError);
        return e as ShapeError;
      }
      return expect.fail("setWeights did not throw");
    };
    expect(attempt(good.slice(0, 7)).message).toMatch(/setWeights expects 8 tensors in Keras order, got 7/);
    expect(attempt([...good, good[7]]).message).toMatch(/expects 8 tensors.*got 9/);

    const badShape = [...good];
    badShape[0] = { shape: [3, 3, 32, 1], data: good[0].data };
    const shapeMsg = attempt(badShape).message;
    expect(shapeMsg).toContain("conv2d/kernel");
    expect(shapeMsg).toContain("[3, 3, 1, 32]");
    expect(shapeMsg).toContain("[3, 3, 32, 1]");

    const badRank = [...good];
    badRank[3] = { shape: [1, 64], data: good[3].data };
    const rankMsg = attempt(badRank).message;
    expect(rankMsg).toContain("conv2d_1/bias");
    expect(rankMsg).toContain("[64]");

    const badLength = [...good];
    badLength[6] = { shape: [2048, 10], data: good[6].data.slice(1) };
    const lengthMsg = attempt(badLength).message;
    expect(lengthMsg).toContain("dense/kernel");
    expect(lengthMsg).toMatch(/20480 values, got 20479/);

    // A fault in the last weight leaves the earlier ones untouched.
    const late = good.map((w) => ({ shape: w.shape, data: new Float32Array(w.data.length) }));
    late[7] = { shape: [11], data: new Float32Array(11) };
    expect(attempt(late).message).toContain("dense/bias");
    expect(m.getWeights()).toEqual(good);
    expect(run(m, x).data).toEqual(before);
  });

  it("predict rejects a wrong input shape or data length with a ShapeError", () => {
    const { m } = buildSeed("A", "softmax", 1);
    const bad: [string, unknown, RegExp][] = [
      ["channels", { shape: [1, 28, 28, 2], data: new Float32Array(1568) }, /predict expects a tensor of shape \[null, 28, 28, 1\], got \[1, 28, 28, 2\]/],
      ["rank", { shape: [1, 28, 28], data: new Float32Array(784) }, /got \[1, 28, 28\]/],
      ["empty batch", { shape: [0, 28, 28, 1], data: new Float32Array(0) }, /got \[0, 28, 28, 1\]/],
      ["length", { shape: [2, 28, 28, 1], data: new Float32Array(784) }, /predict input of shape \[2, 28, 28, 1\] must hold 1568 values, got 784/],
      [
        "plain array of strings",
        { shape: [1, 28, 28, 1], data: Array.from({ length: 784 }, () => "0") },
        /predict input must hold numbers, got '0' at index 0/,
      ],
      ["Float64Array", { shape: [1, 28, 28, 1], data: new Float64Array(784) }, /predict input must be a Float32Array or an array of numbers, got Float64Array/],
      ["no tensor", undefined, /predict expects a tensor of shape/],
    ];
    for (const [what, x, message] of bad) {
      expect(() => run(m, x as Tensor), what).toThrow(ShapeError);
      expect(() => run(m, x as Tensor), what).toThrow(message);
    }
    // A plain array of numbers from JavaScript is the same batch as its Float32Array.
    const values = Array.from({ length: 784 }, (_, i) => (i % 7) / 7);
    expect(run(m, { shape: [1, 28, 28, 1], data: values as unknown as Float32Array }).data).toEqual(run(m, tensor([1, 28, 28, 1], values)).data);
  });

  it("tensor() rejects bad shapes and data lengths with a ShapeError", () => {
    expect(tensor([2, 3]).data).toEqual(new Float32Array(6));
    expect(tensor([2, 2], [1, 2, 3, 4]).data).toEqual(Float32Array.of(1, 2, 3, 4));
    const bad: [string, () => unknown, RegExp][] = [
      ["zero size", () => tensor([0, 2]), /tensor shape sizes must be positive integers, got \[0, 2\]/],
      ["negative", () => tensor([-1]), /positive integers/],
      ["fraction", () => tensor([1.5, 2]), /positive integers/],
      ["NaN", () => tensor([2, Number.NaN]), /positive integers/],
      ["not an array", () => tensor(3 as unknown as number[]), /positive integers/],
      ["short data", () => tensor([2, 3], [1, 2, 3]), /tensor of shape \[2, 3\] needs 6 values, got 3/],
      ["long data", () => tensor([2], new Float32Array(3)), /needs 2 values, got 3/],
      ["non-numbers", () => tensor([2], ["a", 1] as unknown as number[]), /must be numbers, got 'a' at index 0/],
      ["not array-like", () => tensor([1], 5 as unknown as number[]), /tensor data must be an array of numbers/],
    ];
    for (const [what, f, message] of bad) {
      expect(f, what).toThrow(ShapeError);
      expect(f, what).toThrow(message);
    }
  });
});
