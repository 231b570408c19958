/**
 * batchNormalization and layerNormalization against Keras 3 (the
 * `layer_case:batchnorm_*`, `layer_case:layernorm` and `forward_case:*`
 * entries copied into `fixtures/keras-cases/normalization.json`) and against
 * TensorFlow.js 4.22 (same weights, random inputs from a fixed seed, 1e-5),
 * plus their runtime errors and summaries.
 */
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { ShapeError, sequential } from "../../src/index.js";
import type { Model, Tensor } from "../../src/index.js";
import { createRandom } from "../../src/kernels/random.js";
import type { Random } from "../../src/kernels/random.js";
import { looseInput as anyInput, kerasCases, layerFamilyHarness, looseModel, randomData, run, sizeOf } from "../support/layer-harness.js";
import type { Loose as AnyLoose, Dim } from "../support/layer-harness.js";

const expectClose = layerFamilyHarness("layers/normalization.test.ts");

/** Loosely typed layer calls for table-driven cases (the typed API is covered by test-d/normalization.test-d.ts). */
interface Loose extends AnyLoose {
  batchNormalization(config?: object): Loose;
  layerNormalization(config?: object): Loose;
  conv2d(config: object): Loose;
  flatten(): Loose;
  dense(config: object): Loose;
}
const looseInput = (shape: readonly Dim[]): Loose => anyInput(shape) as Loose;
const looseSequential = sequential as unknown as (config: { inputs: Loose; outputs: Loose; seed?: number }) => Model;

/** How TF.js computes the reference: a one-layer model, or core ops on the same weights where the layer departs from Keras 3. */
type TfjsOracle = { readonly layer: (inputShape: number[]) => tf.layers.Layer } | { readonly ops: (x: tf.Tensor, weights: tf.Tensor[]) => tf.Tensor };

/** One layer in a shapewise model and in TF.js, same weights and input (a fixed seed), outputs compared. */
function compareWithTfjs(
  label: string,
  sample: readonly number[],
  build: (x: Loose) => Loose,
  oracle: TfjsOracle,
  weightValues: (shape: readonly number[], name: string, random: Random) => Float32Array,
  seed: number,
): void {
  const random = createRandom(seed);
  const inputs = looseInput(sample);
  const m = looseModel({ inputs, outputs: build(inputs), seed });
  const specs = m.layers[1].weightSpecs();
  const weights = m.getWeights().map((w, i) => ({ shape: w.shape, data: weightValues(w.shape, specs[i].name, random) }));
  m.setWeights(weights);
  const x: Tensor = { shape: [3, ...sample], data: randomData(3 * sizeOf(sample), random, -2, 2) };
  const ours = run(m, x);
  expect(ours.shape).toEqual(x.shape);
  let theirs: Float32Array;
  if ("layer" in oracle) {
    const tfModel = tf.sequential({ layers: [oracle.layer([...sample])] });
    try {
      expect(
        tfModel.layers[0].weights.map((w) => w.name.split("/").pop()),
        `${label}: TF.js weight names in order`,
      ).toEqual(specs.map((s) => s.name));
      expect(tfModel.getWeights().map((w) => w.shape)).toEqual(weights.map((w) => [...w.shape]));
      tf.tidy(() => tfModel.setWeights(weights.map((w) => tf.tensor(w.data, [...w.shape]))));
      theirs = tf.tidy(() => (tfModel.predict(tf.tensor(x.data, [...x.shape])) as tf.Tensor).dataSync() as Float32Array);
    } finally {
      tfModel.dispose();
    }
  } else {
    theirs = tf.tidy(
      () =>
        oracle
          .ops(
            tf.tensor(x.data, [...x.shape]),
            weights.map((w) => tf.tensor(w.data, [...w.shape])),
          )
          .dataSync() as Float32Array,
    );
  }
  expectClose(ours.data, theirs, label, "TF.js");
}

/**
 * Batch normalisation from TF.js elementwise ops, statistics reshaped onto
 * `axis`. Divergence rule: the TF.js 4.22 BatchNormalization layer applies its
 * statistics along the last axis whatever `axis` says (its cpu `batchNorm`
 * kernel indexes them by flat position modulo their length; checked below),
 * so for any other axis the reference is `(x - mean) * gamma / sqrt(variance
 * + epsilon) + beta` from broadcasting `sub`, `mul`, `rsqrt`, `add`.
 */
function batchNormOps(rank: number, axis: number, center: boolean, scale: boolean, epsilon: number) {
  return (x: tf.Tensor, w: tf.Tensor[]): tf.Tensor => {
    const broadcast = Array.from({ length: rank }, (_, d) => (d === (axis + rank) % rank ? -1 : 1));
    const list = [...w];
    const gamma = scale ? list.shift()!.reshape(broadcast) : undefined;
    const beta = center ? list.shift()!.reshape(broadcast) : undefined;
    const [mean, variance] = list.map((t) => t.reshape(broadcast));
    const inv = tf.rsqrt(tf.add(variance, epsilon));
    const scaled = tf.mul(tf.sub(x, mean), gamma === undefined ? inv : tf.mul(gamma, inv));
    return beta === undefined ? scaled : tf.add(scaled, beta);
  };
}

/** Weight values for normalisation layers: variances positive, everything else around 0. */
function statsValues(shape: readonly number[], name: string, random: Random): Float32Array {
  const n = sizeOf(shape);
  return name === "moving_variance" ? randomData(n, random, 0.2, 2) : randomData(n, random, -1, 1);
}

// ---------------------------------------------------------------------------
// Keras 3 fixtures
// ---------------------------------------------------------------------------

interface LayerCase {
  name: string;
  input_shape: Dim[];
  layers: { class_name: string; config: Record<string, unknown> }[];
  output_shape: Dim[];
  total_params: number;
  trainable_params: number;
  non_trainable_params: number;
  weights_keras3: { name: string; shape: number[]; trainable: boolean }[];
  forward_keras3?: { inputs: number[][]; weights: { path: string; shape: number[]; values: number[] }[]; output: number[] };
}
const fixture = { cases: kerasCases("normalization") as LayerCase[] };

/** The shapewise call for a Keras layer config of this family. */
function applyKeras(x: Loose, layer: LayerCase["layers"][number]): Loose {
  const { axis, center, scale, epsilon } = layer.config as Record<string, number & boolean>;
  const config = Object.fromEntries(Object.entries({ axis, center, scale, epsilon }).filter(([, v]) => v !== undefined));
  if (layer.class_name === "BatchNormalization") return x.batchNormalization(config);
  if (layer.class_name === "LayerNormalization") return x.layerNormalization(config);
  throw new Error(`unexpected layer ${layer.class_name}`);
}

describe("Keras 3 layer cases", () => {
  const cases = fixture.cases.filter((c) => c.name.startsWith("layer_case:"));
  it("the fixture holds the five normalisation layer cases", () => {
    expect(cases.map((c) => c.name)).toEqual([
      "layer_case:batchnorm_4d",
      "layer_case:batchnorm_2d",
      "layer_case:batchnorm_axis1",
      "layer_case:batchnorm_no_scale",
      "layer_case:layernorm",
    ]);
  });

  it.each(cases)("$name: shape, totals, trainable split, weights in order", (c) => {
    const inputs = looseInput(c.input_shape.slice(1));
    const out = applyKeras(inputs, c.layers[0]);
    expect(out.shape).toEqual(c.output_shape);
    const m = looseModel({ inputs, outputs: out });
    expect(m.countParams()).toBe(c.total_params);
    const data = m.summaryData();
    expect([data.totalParams, data.trainableParams, data.nonTrainableParams]).toEqual([c.total_params, c.trainable_params, c.non_trainable_params]);
    const specs = m.layers[1].weightSpecs();
    expect(specs.map((s) => ({ name: s.name, shape: [...s.shape], trainable: s.trainable }))).toEqual(
      c.weights_keras3.map((w) => ({ name: w.name, shape: w.shape, trainable: w.trainable })),
    );
    expect(m.getWeights().map((w) => w.shape)).toEqual(c.weights_keras3.map((w) => w.shape));
  });
});

describe("Keras 3 forward cases", () => {
  const cases = fixture.cases.filter((c) => c.name.startsWith("forward_case:"));
  it("the fixture holds batchnorm_inference and layernorm", () => {
    expect(cases.map((c) => c.name)).toEqual(["forward_case:batchnorm_inference", "forward_case:layernorm"]);
  });

  it.each(cases)("$name: output within 1e-5 of Keras 3", (c) => {
    const f = c.forward_keras3!;
    const inputs = looseInput(c.input_shape.slice(1));
    const m = looseModel({ inputs, outputs: applyKeras(inputs, c.layers[0]) });
    m.setWeights(f.weights.map((w) => ({ shape: w.shape, data: Float32Array.from(w.values) })));
    expect(m.layers[1].weightSpecs().map((s) => `${m.layers[1].name}/${s.name}`)).toEqual(f.weights.map((w) => w.path));
    const y = run(m, { shape: c.input_shape as number[], data: Float32Array.from(f.inputs.flat()) });
    expect(y.shape).toEqual(c.output_shape);
    expectClose(y.data, f.output, c.name, "Keras 3");
  });

  it("the Keras check discriminates: epsilon 1e-5 instead of 1e-3 moves the batchnorm output past the tolerance", () => {
    const c = cases[0];
    const f = c.forward_keras3!;
    const inputs = looseInput(c.input_shape.slice(1));
    const m = looseModel({ inputs, outputs: inputs.batchNormalization({ epsilon: 1e-5 }) });
    m.setWeights(f.weights.map((w) => ({ shape: w.shape, data: Float32Array.from(w.values) })));
    const y = run(m, { shape: c.input_shape as number[], data: Float32Array.from(f.inputs.flat()) });
    expect(() => expectClose(y.data, f.output, "epsilon 1e-5")).toThrow();
  });
});

// ---------------------------------------------------------------------------
// TensorFlow.js
// ---------------------------------------------------------------------------

describe("batchNormalization against TensorFlow.js", () => {
  const cases: { label: string; sample: number[]; config: { axis?: number; center?: boolean; scale?: boolean; epsilon?: number; momentum?: number } }[] = [
    { label: "rank 2, defaults", sample: [10], config: {} },
    { label: "rank 4, defaults", sample: [5, 6, 4], config: {} },
    { label: "rank 4, axis 3", sample: [5, 6, 4], config: { axis: 3 } },
    { label: "rank 4, axis 1 (channels first)", sample: [4, 5, 6], config: { axis: 1 } },
    { label: "rank 4, axis 2", sample: [3, 5, 2], config: { axis: 2 } },
    { label: "rank 4, axis -3", sample: [4, 5, 6], config: { axis: -3 } },
    { label: "rank 3, axis 1", sample: [4, 3], config: { axis: 1 } },
    { label: "rank 3, scale false", sample: [7, 5], config: { scale: false } },
    { label: "rank 3, center false", sample: [7, 5], config: { center: false } },
    { label: "rank 3, neither center nor scale", sample: [7, 5], config: { center: false, scale: false } },
    { label: "epsilon 0.1, momentum 0.5", sample: [6], config: { epsilon: 0.1, momentum: 0.5 } },
  ];
  it.each(cases)("$label", ({ label, sample, config }) => {
    const rank = sample.length + 1;
    const axis = config.axis ?? -1;
    const lastAxis = (axis + rank) % rank === rank - 1;
    compareWithTfjs(
      label,
      sample,
      (x) => x.batchNormalization(config),
      lastAxis
        ? { layer: (inputShape) => tf.layers.batchNormalization({ inputShape, ...config }) }
        : { ops: batchNormOps(rank, axis, config.center ?? true, config.scale ?? true, config.epsilon ?? 1e-3) },
      statsValues,
      sample.length * 31 + Object.keys(config).length,
    );
  });

  it("the divergence rule holds: the TF.js layer with axis 1 does not normalise along axis 1", () => {
    const tfModel = tf.sequential({ layers: [tf.layers.batchNormalization({ inputShape: [2, 3], axis: 1 })] });
    tf.tidy(() => tfModel.setWeights([tf.ones([2]), tf.zeros([2]), tf.tensor([10, 20]), tf.ones([2])]));
    const out = tf.tidy(() => (tfModel.predict(tf.zeros([1, 2, 3])) as tf.Tensor).dataSync());
    tfModel.dispose();
    // Keras 3: row 0 gets mean 10, row 1 mean 20 (all -9.995 then all -19.99); TF.js cycles along the last axis.
    expect(Math.abs(out[1] - out[0])).toBeGreaterThan(5);
    const ops = tf.tidy(() =>
      batchNormOps(3, 1, true, true, 1e-3)(tf.zeros([1, 2, 3]), [tf.ones([2]), tf.zeros([2]), tf.tensor([10, 20]), tf.ones([2])]).dataSync(),
    );
    expectClose(ops, [-9.995004, -9.995004, -9.995004, -19.990007, -19.990007, -19.990007], "elementwise ops oracle", "exact values");
  });
});

describe("layerNormalization against TensorFlow.js", () => {
  const cases: { label: string; sample: number[]; config: Record<string, unknown> }[] = [
    { label: "rank 2, defaults", sample: [10], config: {} },
    { label: "rank 3, defaults", sample: [4, 8], config: {} },
    { label: "rank 3, axis [1, 2]", sample: [4, 8], config: { axis: [1, 2] } },
    { label: "rank 4, axis 1", sample: [3, 4, 5], config: { axis: 1 } },
    { label: "rank 4, axis [-1, 1] (gamma read row-major in ascending axis order)", sample: [3, 4, 5], config: { axis: [-1, 1] } },
    { label: "rank 4, axis [2, 3]", sample: [3, 4, 5], config: { axis: [2, 3] } },
    { label: "center false, epsilon 0.01", sample: [4, 8], config: { center: false, epsilon: 0.01 } },
    { label: "scale false", sample: [4, 8], config: { scale: false } },
  ];
  it.each(cases)("$label", ({ label, sample, config }) => {
    compareWithTfjs(
      label,
      sample,
      (x) => x.layerNormalization(config),
      { layer: (inputShape) => tf.layers.layerNormalization({ inputShape, ...(config as object) }) },
      statsValues,
      sample.length * 17 + Object.keys(config).length,
    );
  });

  it("the TF.js check discriminates: a perturbed gamma is caught", () => {
    const random = createRandom(5);
    const inputs = looseInput([4, 8]);
    const m = looseModel({ inputs, outputs: inputs.layerNormalization() });
    const weights = m.getWeights().map((w) => ({ shape: w.shape, data: randomData(w.data.length, random, -1, 1) }));
    m.setWeights(weights);
    const x: Tensor = { shape: [2, 4, 8], data: randomData(64, random, -2, 2) };
    const ours = run(m, x);
    const tfModel = tf.sequential({ layers: [tf.layers.layerNormalization({ inputShape: [4, 8] })] });
    const changed = weights.map((w, i) => (i === 0 ? { shape: w.shape, data: w.data.map((v, j) => (j === 3 ? v + 1e-3 : v)) } : w));
    tf.tidy(() => tfModel.setWeights(changed.map((w) => tf.tensor(w.data, [...w.shape]))));
    const theirs = tf.tidy(() => (tfModel.predict(tf.tensor(x.data, [...x.shape])) as tf.Tensor).dataSync());
    tfModel.dispose();
    expect(() => expectClose(ours.data, theirs, "perturbed")).toThrow();
  });
});

describe("unknown sizes off the normalised axes", () => {
  it("batchNormalization and layerNormalization accept null sizes elsewhere and check them at predict", () => {
    const inputs = looseInput([null, 3]);
    const out = inputs.batchNormalization().layerNormalization();
    expect(out.shape).toEqual([null, null, 3]);
    const m = looseModel({ inputs, outputs: out, seed: 1 });
    expect(m.countParams()).toBe(12 + 6);
    const y = run(m, { shape: [2, 4, 3], data: randomData(24, createRandom(2), -1, 1) });
    expect(y.shape).toEqual([2, 4, 3]);
    expect(y.data.every(Number.isFinite)).toBe(true);
  });

  it("initial weights are Keras' initialisers: gamma and moving_variance ones, beta and moving_mean zeros", () => {
    const inputs = looseInput([4]);
    const m = looseModel({ inputs, outputs: inputs.batchNormalization().layerNormalization(), seed: 3 });
    expect(m.getWeights().map((w) => [...w.data])).toEqual([
      [1, 1, 1, 1],
      [0, 0, 0, 0],
      [0, 0, 0, 0],
      [1, 1, 1, 1],
      [1, 1, 1, 1],
      [0, 0, 0, 0],
    ]);
  });
});

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

describe("runtime errors: ShapeError with the type level's sentence", () => {
  const cases: { label: string; shape: Dim[]; call: (x: Loose) => unknown; message: string }[] = [
    {
      label: "batchNormalization on rank 1",
      shape: [],
      call: (x) => x.batchNormalization(),
      message: "shapewise: batchNormalization expects input of rank 2 or more [batch, ..., features], got rank 1 [null]",
    },
    {
      label: "batchNormalization axis fractional",
      shape: [4, 4],
      call: (x) => x.batchNormalization({ axis: 1.5 }),
      message: "shapewise: batchNormalization axis must be an integer, got 1.5",
    },
    {
      label: "batchNormalization axis list",
      shape: [4, 4],
      call: (x) => x.batchNormalization({ axis: [1] }),
      message: "shapewise: batchNormalization axis must be an integer, got [1]",
    },
    {
      label: "batchNormalization axis null",
      shape: [4, 4],
      call: (x) => x.batchNormalization({ axis: null }),
      message: "shapewise: batchNormalization axis must be an integer, got null",
    },
    {
      label: "batchNormalization axis too large",
      shape: [28, 28, 4],
      call: (x) => x.batchNormalization({ axis: 4 }),
      message: "shapewise: batchNormalization axis 4 must name non-batch axes of input [null, 28, 28, 4]: 1 to 3 or -3 to -1",
    },
    {
      label: "batchNormalization axis 0 (batch)",
      shape: [28, 28, 4],
      call: (x) => x.batchNormalization({ axis: 0 }),
      message: "shapewise: batchNormalization axis 0 must name non-batch axes of input [null, 28, 28, 4]: 1 to 3 or -3 to -1",
    },
    {
      label: "batchNormalization axis -4 (batch)",
      shape: [28, 28, 4],
      call: (x) => x.batchNormalization({ axis: -4 }),
      message: "shapewise: batchNormalization axis -4 must name non-batch axes of input [null, 28, 28, 4]: 1 to 3 or -3 to -1",
    },
    {
      label: "batchNormalization unknown channels",
      shape: [28, 28, null],
      call: (x) => x.batchNormalization(),
      message: "shapewise: batchNormalization needs a known size on axis 3 to size its weights, got [null, 28, 28, null]",
    },
    {
      label: "batchNormalization momentum above 1",
      shape: [4],
      call: (x) => x.batchNormalization({ momentum: 1.5 }),
      message: "shapewise: batchNormalization momentum must be at least 0 and at most 1, got 1.5",
    },
    {
      label: "batchNormalization momentum negative",
      shape: [4],
      call: (x) => x.batchNormalization({ momentum: -0.1 }),
      message: "shapewise: batchNormalization momentum must be at least 0 and at most 1, got -0.1",
    },
    {
      label: "batchNormalization epsilon zero",
      shape: [4],
      call: (x) => x.batchNormalization({ epsilon: 0 }),
      message: "shapewise: batchNormalization epsilon must be positive, got 0",
    },
    {
      label: "batchNormalization epsilon negative",
      shape: [4],
      call: (x) => x.batchNormalization({ epsilon: -1e-3 }),
      message: "shapewise: batchNormalization epsilon must be positive, got -0.001",
    },
    {
      label: "batchNormalization epsilon NaN",
      shape: [4],
      call: (x) => x.batchNormalization({ epsilon: Number.NaN }),
      message: "shapewise: batchNormalization epsilon must be a finite number, got NaN",
    },
    {
      label: "batchNormalization epsilon null",
      shape: [4],
      call: (x) => x.batchNormalization({ epsilon: null }),
      message: "shapewise: batchNormalization epsilon must be a finite number, got null",
    },
    {
      label: "batchNormalization center not boolean",
      shape: [4],
      call: (x) => x.batchNormalization({ center: 1 }),
      message: "shapewise: batchNormalization center must be true or false, got 1",
    },
    {
      label: "batchNormalization unknown option",
      shape: [4],
      call: (x) => x.batchNormalization({ renorm: true }),
      message:
        "shapewise: batchNormalization has no option 'renorm' (options: axis, momentum, epsilon, center, scale, betaRegularizer, gammaRegularizer, name)",
    },
    {
      label: "layerNormalization on rank 1",
      shape: [],
      call: (x) => x.layerNormalization(),
      message: "shapewise: layerNormalization expects input of rank 2 or more [batch, ..., features], got rank 1 [null]",
    },
    {
      label: "layerNormalization fractional axis in a list",
      shape: [10, 64],
      call: (x) => x.layerNormalization({ axis: [1, 1.5] }),
      message: "shapewise: layerNormalization axis must be an integer or a list of integers, got [1, 1.5]",
    },
    {
      label: "layerNormalization empty axis list",
      shape: [10, 64],
      call: (x) => x.layerNormalization({ axis: [] }),
      message: "shapewise: layerNormalization axis must name at least one axis, got []",
    },
    {
      label: "layerNormalization axis out of range",
      shape: [10, 64],
      call: (x) => x.layerNormalization({ axis: [1, 5] }),
      message: "shapewise: layerNormalization axis [1, 5] must name non-batch axes of input [null, 10, 64]: 1 to 2 or -2 to -1",
    },
    {
      label: "layerNormalization axis named twice",
      shape: [10, 64],
      call: (x) => x.layerNormalization({ axis: [2, -1] }),
      message: "shapewise: layerNormalization axis [2, -1] names axis 2 twice",
    },
    {
      label: "layerNormalization unknown size on a listed axis",
      shape: [null, 64],
      call: (x) => x.layerNormalization({ axis: [2, 1] }),
      message: "shapewise: layerNormalization needs a known size on axis 1 to size its weights, got [null, null, 64]",
    },
    {
      label: "layerNormalization epsilon zero",
      shape: [10, 64],
      call: (x) => x.layerNormalization({ epsilon: 0 }),
      message: "shapewise: layerNormalization epsilon must be positive, got 0",
    },
    {
      label: "layerNormalization config not an object",
      shape: [10, 64],
      call: (x) => x.layerNormalization(3 as unknown as object),
      message: "shapewise: layerNormalization expects a config object, got 3",
    },
  ];
  it.each(cases)("$label", ({ shape, call, message }) => {
    const x = looseInput(shape);
    let error: unknown;
    try {
      call(x);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ShapeError);
    expect((error as Error).message).toBe(message);
  });

  it("a fault is checked before later options: a bad axis wins over a bad epsilon", () => {
    expect(() => looseInput([4]).batchNormalization({ axis: 5, epsilon: 0 })).toThrow("batchNormalization axis 5 must name");
  });
});

// ---------------------------------------------------------------------------
// Summaries
// ---------------------------------------------------------------------------

describe("summaries", () => {
  it.each([
    ["batchNormalization", "│ batch_normalization             │ (None, 8, 4)           │            16 │\n│ (BatchNormalization)            │"],
    ["layerNormalization", "│ layer_normalization             │ (None, 8, 4)           │             8 │\n│ (LayerNormalization)            │"],
  ] as const)("a one-layer %s model's keras3 row names the Keras class", (method, row) => {
    const a = looseInput([8, 4]);
    const m = looseSequential({ inputs: a, outputs: a[method]() });
    expect(m.summary({ style: "keras3", printFn: () => {} })).toContain(row);
  });

  /** conv2d 896 + batch normalisation 128 (64 of them moving statistics) + dense 11530. */
  function bnModel(): Model {
    const inputs = looseInput([8, 8, 3]);
    const outputs = inputs.conv2d({ filters: 32, kernelSize: 3 }).batchNormalization().flatten().dense({ units: 10 });
    return looseSequential({ inputs, outputs });
  }

  it("keras2 (tf.keras 2.7-2.12 layout): the non-trainable moving statistics are split out of the totals", () => {
    const row = (a: string, b: string, c: string) => `${` ${a}`.padEnd(29)}${b.padEnd(26)}${c.padEnd(10)}`;
    const blank = " ".repeat(65);
    const expected = [
      'Model: "sequential"',
      "_".repeat(65),
      row("Layer (type)", "Output Shape", "Param #"),
      "=".repeat(65),
      row("conv2d (Conv2D)", "(None, 6, 6, 32)", "896"),
      blank,
      // 27 characters fit the first column; the wrapping printer then overflows it by one.
      `${" batch_normalization (BatchN  (None, 6, 6, 32)".padEnd(55)}${"128".padEnd(10)}`,
      " ormalization)".padEnd(65),
      blank,
      row("flatten (Flatten)", "(None, 1152)", "0"),
      blank,
      row("dense (Dense)", "(None, 10)", "11530"),
      blank,
      "=".repeat(65),
      "Total params: 12,554",
      "Trainable params: 12,490",
      "Non-trainable params: 64",
      "_".repeat(65),
    ];
    expect(bnModel().summary({ printFn: () => {} })).toBe(`${expected.join("\n")}\n`);
  });

  it("keras3: totals with memory sizes", () => {
    const text = bnModel().summary({ style: "keras3", printFn: () => {} });
    expect(text).toContain("│ batch_normalization             │ (None, 6, 6, 32)       │           128 │\n│ (BatchNormalization)            │");
    expect(text.endsWith(" Total params: 12,554 (49.04 KB)\n Trainable params: 12,490 (48.79 KB)\n Non-trainable params: 64 (256.00 B)\n")).toBe(true);
  });

  it("tfjs: totals without separators", () => {
    const text = bnModel().summary({ style: "tfjs", printFn: () => {} });
    expect(text).toContain("batch_normalization_BatchNo [[null,6,6,32]]           [null,6,6,32]             128       ");
    expect(text.endsWith(`Total params: 12554\nTrainable params: 12490\nNon-trainable params: 64\n${"_".repeat(90)}\n`)).toBe(true);
  });
});
