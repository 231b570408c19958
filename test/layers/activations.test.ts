/**
 * Activation layers (reLU, leakyReLU, pReLU / prelu, elu, softmax) against
 * Keras 3 (`layer_case:prelu` and the expected values written in Keras' own
 * tests and docstrings, copied into `fixtures/keras-cases/activations.json`)
 * and against TensorFlow.js 4.22 (same weights, random inputs from a fixed
 * seed, 1e-5), plus their runtime errors, names and summaries.
 */
import { readFileSync } from "node:fs";
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { ShapeError, sequential } from "../../src/index.js";
import type { Model, Tensor } from "../../src/index.js";
import { createRandom } from "../../src/kernels/random.js";
import { layerFamilyHarness, looseInput as anyInput, looseModel, randomData, run, sizeOf } from "../support/layer-harness.js";
import type { Dim, Loose as AnyLoose } from "../support/layer-harness.js";

const expectClose = layerFamilyHarness("layers/activations.test.ts");

/** Loosely typed layer calls for table-driven cases (the typed API is covered by test-d/activations.test-d.ts). */
interface Loose extends AnyLoose {
  reLU(config?: object): Loose;
  leakyReLU(config?: object): Loose;
  pReLU(config?: object): Loose;
  prelu(config?: object): Loose;
  elu(config?: object): Loose;
  softmax(config?: object): Loose;
  activation(config: string): Loose;
}
type Method = "reLU" | "leakyReLU" | "pReLU" | "prelu" | "elu" | "softmax";
const looseInput = (shape: readonly Dim[]): Loose => anyInput(shape) as Loose;
const looseSequential = sequential as unknown as (config: { inputs: Loose; outputs: Loose; seed?: number }) => Model;

/** How TF.js computes the reference: a one-layer model, or core ops where the layer lacks a Keras 3 option. */
type TfjsOracle = { readonly layer: (inputShape: number[]) => tf.layers.Layer } | { readonly ops: (x: tf.Tensor, weights: tf.Tensor[]) => tf.Tensor };

/** One layer in shapewise and in TF.js, same weights and inputs (fixed seed, values in [-3, 3] with exact zeros), outputs compared. */
function compareWithTfjs(label: string, sample: readonly number[], build: (x: Loose) => Loose, oracle: TfjsOracle, seed: number): void {
  const random = createRandom(seed);
  const inputs = looseInput(sample);
  const m = looseModel({ inputs, outputs: build(inputs), seed });
  const weights = m.getWeights().map((w) => ({ shape: w.shape, data: randomData(w.data.length, random, 0, 1) }));
  m.setWeights(weights);
  const data = randomData(3 * sizeOf(sample), random, -3, 3);
  data[0] = 0;
  const x: Tensor = { shape: [3, ...sample], data };
  const ours = run(m, x);
  expect(ours.shape).toEqual(x.shape);
  let theirs: Float32Array;
  if ("layer" in oracle) {
    const tfModel = tf.sequential({ layers: [oracle.layer([...sample])] });
    try {
      expect(
        tfModel.getWeights().map((w) => w.shape),
        `${label}: TF.js weight shapes`,
      ).toEqual(weights.map((w) => [...w.shape]));
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

interface Fixture {
  cases: {
    name: string;
    input_shape: Dim[];
    layers: { class_name: string; config: Record<string, unknown> }[];
    output_shape: Dim[];
    total_params: number;
    trainable_params: number;
    non_trainable_params: number;
    weights_keras3: { name: string; shape: number[]; trainable: boolean }[];
  }[];
  keras_examples: { name: string; layer: Method; config: object; input_shape: number[]; input: number[]; output: number[] }[];
}
const fixture = JSON.parse(readFileSync(new URL("../fixtures/keras-cases/activations.json", import.meta.url), "utf8")) as Fixture;

describe("Keras 3", () => {
  it("layer_case:prelu: shape, 300 trainable weights, alpha shaped like a sample", () => {
    const [c] = fixture.cases;
    expect(c.name).toBe("layer_case:prelu");
    const inputs = looseInput(c.input_shape.slice(1));
    const out = inputs.pReLU();
    expect(out.shape).toEqual(c.output_shape);
    const m = looseModel({ inputs, outputs: out });
    const data = m.summaryData();
    expect([m.countParams(), data.trainableParams, data.nonTrainableParams]).toEqual([c.total_params, c.trainable_params, c.non_trainable_params]);
    expect(m.layers[1].weightSpecs().map((s) => ({ name: s.name, shape: [...s.shape], trainable: s.trainable }))).toEqual(
      c.weights_keras3.map((w) => ({ name: w.name, shape: w.shape, trainable: w.trainable })),
    );
    // Keras' alpha_initializer is "Zeros": at first PReLU is relu.
    expect(m.getWeights()[0].data.every((v) => v === 0)).toBe(true);
  });

  it("layer_case:activation_relu: shape and no weights", () => {
    const c = fixture.cases.find((k) => k.name === "layer_case:activation_relu")!;
    expect(c.layers[0].class_name).toBe("Activation");
    const inputs = looseInput(c.input_shape.slice(1));
    const out = inputs.activation(c.layers[0].config.activation as string);
    expect(out.shape).toEqual(c.output_shape);
    const m = looseModel({ inputs, outputs: out });
    const data = m.summaryData();
    expect([m.countParams(), data.trainableParams, data.nonTrainableParams]).toEqual([c.total_params, c.trainable_params, c.non_trainable_params]);
    expect(m.layers[1].className).toBe("Activation");
  });

  it("the fixture holds the six examples from Keras' tests and docstrings", () => {
    expect(fixture.keras_examples.map((e) => e.name)).toEqual([
      "relu_max10_slope0",
      "relu_max10_slope0.5",
      "relu_max8_threshold5",
      "leaky_relu_docstring",
      "softmax_default_axis",
      "softmax_axis1",
    ]);
  });

  it.each(fixture.keras_examples)("$name", (e) => {
    const inputs = looseInput(e.input_shape.slice(1));
    const m = looseModel({ inputs, outputs: inputs[e.layer](e.config) });
    const y = run(m, { shape: e.input_shape, data: Float32Array.from(e.input) });
    expectClose(y.data, e.output, e.name, "Keras 3 examples", 1e-6);
  });

  it("the examples discriminate: threshold 4 instead of 5 changes the thresholded ReLU", () => {
    const e = fixture.keras_examples[2];
    const inputs = looseInput([5]);
    const y = run(looseModel({ inputs, outputs: inputs.reLU({ ...e.config, threshold: 4 }) }), { shape: [1, 5], data: Float32Array.from(e.input) });
    expect(() => expectClose(y.data, e.output, "threshold 4")).toThrow();
  });
});

describe("against TensorFlow.js", () => {
  const layerCases: { label: string; sample: number[]; build: (x: Loose) => Loose; oracle: TfjsOracle }[] = [
    { label: "reLU defaults", sample: [4, 5], build: (x) => x.reLU(), oracle: { layer: (inputShape) => tf.layers.reLU({ inputShape }) } },
    {
      label: "reLU maxValue 6",
      sample: [20],
      build: (x) => x.reLU({ maxValue: 6 }),
      oracle: { layer: (inputShape) => tf.layers.reLU({ inputShape, maxValue: 6 }) },
    },
    {
      label: "reLU maxValue 0.5",
      sample: [20],
      build: (x) => x.reLU({ maxValue: 0.5 }),
      oracle: { layer: (inputShape) => tf.layers.reLU({ inputShape, maxValue: 0.5 }) },
    },
    {
      label: "leakyReLU defaults (alpha 0.3)",
      sample: [3, 4],
      build: (x) => x.leakyReLU(),
      oracle: { layer: (inputShape) => tf.layers.leakyReLU({ inputShape }) },
    },
    {
      label: "leakyReLU alpha 0.1",
      sample: [3, 4],
      build: (x) => x.leakyReLU({ alpha: 0.1 }),
      oracle: { layer: (inputShape) => tf.layers.leakyReLU({ inputShape, alpha: 0.1 }) },
    },
    {
      label: "leakyReLU alpha 0",
      sample: [8],
      build: (x) => x.leakyReLU({ alpha: 0 }),
      oracle: { layer: (inputShape) => tf.layers.leakyReLU({ inputShape, alpha: 0 }) },
    },
    {
      label: "leakyReLU alpha 1.5",
      sample: [8],
      build: (x) => x.leakyReLU({ alpha: 1.5 }),
      oracle: { layer: (inputShape) => tf.layers.leakyReLU({ inputShape, alpha: 1.5 }) },
    },
    { label: "pReLU rank 2", sample: [6], build: (x) => x.pReLU(), oracle: { layer: (inputShape) => tf.layers.prelu({ inputShape }) } },
    { label: "pReLU rank 4", sample: [4, 5, 3], build: (x) => x.pReLU(), oracle: { layer: (inputShape) => tf.layers.prelu({ inputShape }) } },
    {
      label: "pReLU sharedAxes [1, 2]",
      sample: [4, 5, 3],
      build: (x) => x.pReLU({ sharedAxes: [1, 2] }),
      oracle: { layer: (inputShape) => tf.layers.prelu({ inputShape, sharedAxes: [1, 2] }) },
    },
    {
      label: "prelu (TF.js name) sharedAxes 1",
      sample: [4, 5],
      build: (x) => x.prelu({ sharedAxes: 1 }),
      oracle: { layer: (inputShape) => tf.layers.prelu({ inputShape, sharedAxes: 1 }) },
    },
    {
      label: "pReLU sharedAxes [3]",
      sample: [4, 5, 3],
      build: (x) => x.pReLU({ sharedAxes: [3] }),
      oracle: { layer: (inputShape) => tf.layers.prelu({ inputShape, sharedAxes: [3] }) },
    },
    { label: "elu defaults", sample: [4, 5], build: (x) => x.elu(), oracle: { layer: (inputShape) => tf.layers.elu({ inputShape }) } },
    { label: "elu alpha 1", sample: [10], build: (x) => x.elu({ alpha: 1 }), oracle: { layer: (inputShape) => tf.layers.elu({ inputShape, alpha: 1 }) } },
    // TF.js' Softmax layer defaults to axis 1, Keras 3 to -1: the axis is always passed to TF.js.
    {
      label: "softmax rank 2 defaults",
      sample: [7],
      build: (x) => x.softmax(),
      oracle: { layer: (inputShape) => tf.layers.softmax({ inputShape, axis: -1 }) },
    },
    {
      label: "softmax rank 3 defaults (last axis)",
      sample: [4, 6],
      build: (x) => x.softmax(),
      oracle: { layer: (inputShape) => tf.layers.softmax({ inputShape, axis: -1 }) },
    },
    {
      label: "softmax axis 2 of rank 3 (last)",
      sample: [4, 6],
      build: (x) => x.softmax({ axis: 2 }),
      oracle: { layer: (inputShape) => tf.layers.softmax({ inputShape, axis: 2 }) },
    },
    // TF.js' softmax op rejects a single axis other than the last ("Softmax along a non-last
    // dimension is not yet supported"): the reference is exp(x - logSumExp(x, axis)) from core ops.
    {
      label: "softmax axis 1 of rank 3",
      sample: [4, 6],
      build: (x) => x.softmax({ axis: 1 }),
      oracle: { ops: (x) => tf.exp(tf.sub(x, tf.logSumExp(x, 1, true))) },
    },
    {
      label: "softmax axis -2 of rank 4",
      sample: [3, 4, 5],
      build: (x) => x.softmax({ axis: -2 }),
      oracle: { ops: (x) => tf.exp(tf.sub(x, tf.logSumExp(x, 2, true))) },
    },
    {
      label: "softmax axis 0 (the batch)",
      sample: [5],
      build: (x) => x.softmax({ axis: 0 }),
      oracle: { ops: (x) => tf.exp(tf.sub(x, tf.logSumExp(x, 0, true))) },
    },
    {
      label: "softmax axes [1, 2] together",
      sample: [3, 4, 2],
      build: (x) => x.softmax({ axis: [1, 2] }),
      oracle: { layer: (inputShape) => tf.layers.softmax({ inputShape, axis: [1, 2] }) },
    },
    // Keras 3 options TF.js layers lack (ReLU negativeSlope / threshold, ELU alpha other than 1,
    // which TF.js rejects as not implemented): the Keras 3 formula from TF.js core ops.
    {
      label: "reLU negativeSlope 0.2 (Keras 3 only)",
      sample: [20],
      build: (x) => x.reLU({ negativeSlope: 0.2 }),
      oracle: { ops: (x) => tf.where(tf.greaterEqual(x, 0), x, tf.mul(x, 0.2)) },
    },
    {
      label: "reLU threshold 0.5, maxValue 2, negativeSlope 0.1 (Keras 3 only)",
      sample: [20],
      build: (x) => x.reLU({ threshold: 0.5, maxValue: 2, negativeSlope: 0.1 }),
      oracle: { ops: (x) => tf.where(tf.greater(x, 0.5), tf.minimum(x, 2), tf.mul(tf.sub(x, 0.5), 0.1)) },
    },
    {
      label: "reLU threshold 1 alone (Keras 3 only)",
      sample: [20],
      build: (x) => x.reLU({ threshold: 1 }),
      oracle: { ops: (x) => tf.where(tf.greater(x, 1), x, tf.zerosLike(x)) },
    },
    {
      label: "elu alpha 0.5 (Keras 3 only)",
      sample: [20],
      build: (x) => x.elu({ alpha: 0.5 }),
      oracle: { ops: (x) => tf.where(tf.greater(x, 0), x, tf.mul(tf.sub(tf.exp(x), 1), 0.5)) },
    },
  ];
  it.each(layerCases.map((c, i) => ({ ...c, seed: 100 + i })))("$label", ({ label, sample, build, oracle, seed }) => {
    compareWithTfjs(label, sample, build, oracle, seed);
  });

  it("the divergence rules hold: TF.js' Softmax layer defaults to axis 1 and cannot do a non-last single axis", () => {
    const tfModel = tf.sequential({ layers: [tf.layers.softmax({ inputShape: [2, 3] })] });
    expect(() => tf.tidy(() => tfModel.predict(tf.zeros([1, 2, 3])))).toThrow("Softmax along a non-last dimension is not yet supported");
    tfModel.dispose();
    const inputs = looseInput([2, 3]);
    const ours = run(looseModel({ inputs, outputs: inputs.softmax() }), { shape: [1, 2, 3], data: Float32Array.of(0, 0, 0, 1, 1, 1) });
    expectClose(ours.data, [1 / 3, 1 / 3, 1 / 3, 1 / 3, 1 / 3, 1 / 3], "Keras default axis", "Keras 3 examples", 1e-6);
  });

  it("the comparison discriminates: a perturbed PReLU alpha is caught", () => {
    const random = createRandom(9);
    const inputs = looseInput([6]);
    const m = looseModel({ inputs, outputs: inputs.pReLU() });
    m.setWeights([{ shape: [6], data: randomData(6, random, 0, 1) }]);
    const x: Tensor = { shape: [1, 6], data: Float32Array.of(-1, -1, -1, -1, -1, -1) };
    const ours = run(m, x);
    const changed = m.getWeights()[0].data.map((v, i) => (i === 2 ? v + 1e-4 : v));
    const theirs = tf.tidy(() => tf.prelu(tf.tensor(x.data, [1, 6]), tf.tensor(changed, [6])).dataSync());
    expect(() => expectClose(ours.data, theirs, "perturbed")).toThrow();
  });

  it("a layer method and the activation option of the same name do not clash: softmax() equals activation('softmax')", () => {
    const random = createRandom(4);
    const inputs = looseInput([3, 5]);
    const x: Tensor = { shape: [2, 3, 5], data: randomData(30, random, -2, 2) };
    const a = run(looseModel({ inputs, outputs: inputs.softmax() }), x);
    const b = run(looseModel({ inputs, outputs: inputs.activation("softmax") }), x);
    expectClose(a.data, b.data, "softmax layer vs activation", "within shapewise", 1e-7);
  });
});

describe("unknown sizes", () => {
  it("pReLU with a shared unknown axis sizes alpha from the known ones and runs on any length", () => {
    const inputs = looseInput([null, 3]);
    const out = inputs.pReLU({ sharedAxes: 1 });
    const m = looseModel({ inputs, outputs: out, seed: 1 });
    expect(m.getWeights()[0].shape).toEqual([1, 3]);
    m.setWeights([{ shape: [1, 3], data: Float32Array.of(0.1, 0.2, 0.3) }]);
    const y = run(m, { shape: [1, 2, 3], data: Float32Array.of(-1, -1, -1, 2, -2, 2) });
    expectClose(y.data, [-0.1, -0.2, -0.3, 2, -0.4, 2], "shared alpha", "exact values", 1e-7);
  });
});

describe("runtime errors: ShapeError with the type level's sentence", () => {
  const cases: { label: string; shape: Dim[]; call: (x: Loose) => unknown; message: string }[] = [
    { label: "reLU maxValue negative", shape: [3], call: (x) => x.reLU({ maxValue: -1 }), message: "shapewise: reLU maxValue must be at least 0, got -1" },
    {
      label: "reLU negativeSlope negative",
      shape: [3],
      call: (x) => x.reLU({ negativeSlope: -0.5 }),
      message: "shapewise: reLU negativeSlope must be at least 0, got -0.5",
    },
    { label: "reLU threshold negative", shape: [3], call: (x) => x.reLU({ threshold: -1 }), message: "shapewise: reLU threshold must be at least 0, got -1" },
    {
      label: "reLU maxValue NaN",
      shape: [3],
      call: (x) => x.reLU({ maxValue: Number.NaN }),
      message: "shapewise: reLU maxValue must be a finite number, got NaN",
    },
    { label: "reLU maxValue null", shape: [3], call: (x) => x.reLU({ maxValue: null }), message: "shapewise: reLU maxValue must be a finite number, got null" },
    {
      label: "reLU: the first bad option in order wins",
      shape: [3],
      call: (x) => x.reLU({ threshold: -1, maxValue: -2 }),
      message: "shapewise: reLU maxValue must be at least 0, got -2",
    },
    {
      label: "leakyReLU alpha negative",
      shape: [3],
      call: (x) => x.leakyReLU({ alpha: -0.1 }),
      message: "shapewise: leakyReLU alpha must be at least 0, got -0.1",
    },
    {
      label: "leakyReLU alpha a string",
      shape: [3],
      call: (x) => x.leakyReLU({ alpha: "0.2" }),
      message: "shapewise: leakyReLU alpha must be a finite number, got '0.2'",
    },
    {
      label: "leakyReLU with Keras 3's option name",
      shape: [3],
      call: (x) => x.leakyReLU({ negativeSlope: 0.2 }),
      message: "shapewise: leakyReLU has no option 'negativeSlope' (options: alpha, name)",
    },
    {
      label: "pReLU on rank 1",
      shape: [],
      call: (x) => x.pReLU(),
      message: "shapewise: pReLU expects input of rank 2 or more [batch, ..., features], got rank 1 [null]",
    },
    {
      label: "pReLU sharedAxes 0 (batch)",
      shape: [10, 10, 3],
      call: (x) => x.pReLU({ sharedAxes: [0] }),
      message: "shapewise: pReLU sharedAxes [0] must name non-batch axes of input [null, 10, 10, 3]: 1 to 3",
    },
    {
      label: "pReLU sharedAxes negative",
      shape: [10, 10, 3],
      call: (x) => x.pReLU({ sharedAxes: -1 }),
      message: "shapewise: pReLU sharedAxes -1 must name non-batch axes of input [null, 10, 10, 3]: 1 to 3",
    },
    {
      label: "pReLU sharedAxes too large",
      shape: [10, 10, 3],
      call: (x) => x.pReLU({ sharedAxes: [1, 4] }),
      message: "shapewise: pReLU sharedAxes [1, 4] must name non-batch axes of input [null, 10, 10, 3]: 1 to 3",
    },
    {
      label: "pReLU sharedAxes fractional",
      shape: [10, 10, 3],
      call: (x) => x.pReLU({ sharedAxes: 1.5 }),
      message: "shapewise: pReLU sharedAxes must be an integer or a list of integers, got 1.5",
    },
    {
      label: "pReLU unknown unshared size",
      shape: [null, 4],
      call: (x) => x.pReLU(),
      message: "shapewise: pReLU needs a known size on axis 1 to size its weights, got [null, null, 4]",
    },
    {
      label: "prelu alias: same sentences, under the Keras method name",
      shape: [null, 4],
      call: (x) => x.prelu({ sharedAxes: 2 }),
      message: "shapewise: pReLU needs a known size on axis 1 to size its weights, got [null, null, 4]",
    },
    { label: "elu alpha NaN", shape: [3], call: (x) => x.elu({ alpha: Number.NaN }), message: "shapewise: elu alpha must be a finite number, got NaN" },
    {
      label: "softmax axis out of range",
      shape: [5, 4],
      call: (x) => x.softmax({ axis: 3 }),
      message: "shapewise: softmax axis 3 must name axes of input [null, 5, 4]: -3 to 2",
    },
    {
      label: "softmax axis -4 out of range",
      shape: [5, 4],
      call: (x) => x.softmax({ axis: -4 }),
      message: "shapewise: softmax axis -4 must name axes of input [null, 5, 4]: -3 to 2",
    },
    {
      label: "softmax fractional axis",
      shape: [5, 4],
      call: (x) => x.softmax({ axis: 0.5 }),
      message: "shapewise: softmax axis must be an integer or a list of integers, got 0.5",
    },
    { label: "softmax no axes", shape: [5, 4], call: (x) => x.softmax({ axis: [] }), message: "shapewise: softmax axis must name at least one axis, got []" },
    { label: "softmax axis twice", shape: [5, 4], call: (x) => x.softmax({ axis: [1, -2] }), message: "shapewise: softmax axis [1, -2] names axis 1 twice" },
    {
      label: "softmax name with a slash",
      shape: [5, 4],
      call: (x) => x.softmax({ name: "a/b" }),
      message: "shapewise: softmax name must be a non-empty string without '/', got 'a/b'",
    },
  ];
  it.each(cases)("$label", ({ shape, call, message }) => {
    let error: unknown;
    try {
      call(looseInput(shape));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ShapeError);
    expect((error as Error).message).toBe(message);
  });
});

describe("names and summaries", () => {
  it("automatic names follow Keras (re_lu, leaky_re_lu, p_re_lu, elu, softmax) and TF.js (re_lu_ReLU1)", () => {
    const x = looseInput([4]);
    const a = x.reLU();
    const b = a.reLU();
    const layers = [a, b, b.leakyReLU(), b.pReLU(), b.prelu(), b.elu(), b.softmax()];
    expect(layers.map((t) => t.layerName)).toEqual(["re_lu", "re_lu_1", "leaky_re_lu", "p_re_lu", "p_re_lu_1", "elu", "softmax"]);
    const m = looseModel({ inputs: x, outputs: b });
    expect(m.layers.map((l) => l.names.tfjs)).toEqual(["input1", "re_lu_ReLU1", "re_lu_ReLU2"]);
  });

  it.each([
    ["reLU", "re_lu (ReLU)", "0"],
    ["leakyReLU", "leaky_re_lu (LeakyReLU)", "0"],
    ["pReLU", "p_re_lu (PReLU)", "8"],
    ["elu", "elu (ELU)", "0"],
    ["softmax", "softmax (Softmax)", "0"],
  ] as const)("a one-layer %s model's keras3 row reads %s", (method, cell, params) => {
    const x = looseInput([8]);
    const text = looseSequential({ inputs: x, outputs: x[method]() }).summary({ style: "keras3", printFn: () => {} });
    expect(text).toContain(`│ ${cell.padEnd(31)} │ ${"(None, 8)".padEnd(22)} │ ${params.padStart(13)} │`);
  });
});
