/**
 * Regularisation layers (dropout, spatialDropout1d, spatialDropout2d,
 * gaussianNoise, activityRegularization): the identity at inference, which
 * is what `predict` runs, checked against Keras 3 (`layer_case:dropout`) and
 * TensorFlow.js 4.22 where it has the layer; their option checks; names and
 * summaries.
 */
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { ShapeError, clearSession, sequential } from "../../src/index.js";
import type { Model, Tensor } from "../../src/index.js";
import { createRandom } from "../../src/kernels/random.js";
import { looseInput as anyInput, kerasCases, layerFamilyHarness, looseModel, randomTensor as drawTensor, run } from "../support/layer-harness.js";
import type { Loose as AnyLoose, Dim } from "../support/layer-harness.js";

layerFamilyHarness("layers/regularization.test.ts");

/** Loosely typed layer calls for table-driven cases (the typed API is covered by test-d/regularization.test-d.ts). */
interface Loose extends AnyLoose {
  dropout(config: object): Loose;
  spatialDropout1d(config: object): Loose;
  spatialDropout2d(config: object): Loose;
  spatialDropout3d(config: object): Loose;
  gaussianDropout(config: object): Loose;
  alphaDropout(config: object): Loose;
  gaussianNoise(config: object): Loose;
  activityRegularization(config?: object): Loose;
  dense(config: object): Loose;
}
type Method =
  | "dropout"
  | "spatialDropout1d"
  | "spatialDropout2d"
  | "spatialDropout3d"
  | "gaussianNoise"
  | "gaussianDropout"
  | "alphaDropout"
  | "activityRegularization";
const looseInput = (shape: readonly Dim[]): Loose => anyInput(shape) as Loose;
const looseSequential = sequential as unknown as (config: { inputs: Loose; outputs: Loose; seed?: number }) => Model;

/** Values in [-2, 2) from a seed of their own. */
const randomTensor = (shape: readonly number[], seed: number): Tensor => drawTensor(shape, createRandom(seed));

interface LayerCase {
  name: string;
  input_shape: Dim[];
  layers: { class_name: string; config: { rate: number } }[];
  output_shape: Dim[];
  total_params: number;
  trainable_params: number;
  non_trainable_params: number;
  weights_keras3: unknown[];
}
const fixture = { cases: kerasCases("regularization") as LayerCase[] };

describe("Keras 3", () => {
  it("layer_case:dropout: shape kept, no weights", () => {
    const [c] = fixture.cases;
    expect(c.name).toBe("layer_case:dropout");
    const inputs = looseInput(c.input_shape.slice(1));
    const out = inputs.dropout({ rate: c.layers[0].config.rate });
    expect(out.shape).toEqual(c.output_shape);
    const m = looseModel({ inputs, outputs: out });
    const data = m.summaryData();
    expect([m.countParams(), data.trainableParams, data.nonTrainableParams]).toEqual([c.total_params, c.trainable_params, c.non_trainable_params]);
    expect(m.getWeights()).toEqual(c.weights_keras3);
  });
});

describe("identity at inference", () => {
  const cases: { label: string; sample: number[]; method: Method; config?: object; tfjs?: (inputShape: number[]) => tf.layers.Layer }[] = [
    { label: "dropout", sample: [6, 5], method: "dropout", config: { rate: 0.5 }, tfjs: (inputShape) => tf.layers.dropout({ inputShape, rate: 0.5 }) },
    {
      label: "spatialDropout1d",
      sample: [6, 5],
      method: "spatialDropout1d",
      config: { rate: 0.3, seed: 7 },
      tfjs: (inputShape) => tf.layers.spatialDropout1d({ inputShape, rate: 0.3, seed: 7 }),
    },
    // No SpatialDropout2D or ActivityRegularization in TF.js 4.22: the reference is the input itself.
    { label: "spatialDropout2d", sample: [4, 4, 3], method: "spatialDropout2d", config: { rate: 0.4 } },
    { label: "spatialDropout2d channelsFirst", sample: [3, 4, 4], method: "spatialDropout2d", config: { rate: 0.4, dataFormat: "channelsFirst" } },
    {
      label: "gaussianNoise",
      sample: [10],
      method: "gaussianNoise",
      config: { stddev: 0.5, seed: 3 },
      tfjs: (inputShape) => tf.layers.gaussianNoise({ inputShape, stddev: 0.5 }),
    },
    { label: "activityRegularization", sample: [10], method: "activityRegularization", config: { l1: 0.01, l2: 0.1 } },
    {
      label: "gaussianDropout",
      sample: [4, 5],
      method: "gaussianDropout",
      config: { rate: 0.4 },
      tfjs: (inputShape) => tf.layers.gaussianDropout({ inputShape, rate: 0.4 }),
    },
    {
      label: "gaussianDropout seeded",
      sample: [7],
      method: "gaussianDropout",
      config: { rate: 0.9, seed: 2 },
      tfjs: (inputShape) => tf.layers.gaussianDropout({ inputShape, rate: 0.9 }),
    },
    {
      label: "alphaDropout",
      sample: [3, 2, 4],
      method: "alphaDropout",
      config: { rate: 0.1, seed: 5 },
      tfjs: (inputShape) => tf.layers.alphaDropout({ inputShape, rate: 0.1 }),
    },
    // No SpatialDropout3D in TF.js 4.22: Keras 3 returns the input itself when not training.
    { label: "spatialDropout3d", sample: [2, 3, 3, 4], method: "spatialDropout3d", config: { rate: 0.5 } },
    { label: "spatialDropout3d channelsFirst", sample: [4, 2, 3, 3], method: "spatialDropout3d", config: { rate: 0.5, dataFormat: "channelsFirst", seed: 9 } },
    { label: "activityRegularization defaults", sample: [2, 3], method: "activityRegularization" },
  ];
  it.each(cases.map((c, i) => ({ ...c, seed: 10 + i })))(
    "$label passes its input through, as TF.js does",
    ({ sample, method, config, tfjs: tfLayer, seed }) => {
      const inputs = looseInput(sample);
      const out = inputs[method](config as object);
      expect(out.shape).toEqual([null, ...sample]);
      const m = looseModel({ inputs, outputs: out });
      expect(m.countParams()).toBe(0);
      const x = randomTensor([2, ...sample], seed);
      const y = run(m, x);
      expect(y.shape).toEqual(x.shape);
      expect(y.data).toEqual(x.data);
      // predict never hands back the caller's own buffer.
      expect(y.data).not.toBe(x.data);
      if (tfLayer !== undefined) {
        const tfModel = tf.sequential({ layers: [tfLayer(sample)] });
        const theirs = tf.tidy(() => (tfModel.predict(tf.tensor(x.data, [...x.shape])) as tf.Tensor).dataSync());
        tfModel.dispose();
        expect(Float32Array.from(theirs)).toEqual(y.data);
      }
    },
  );

  it("between dense layers they change nothing: the output equals the model without them", () => {
    const inputs = looseInput([6]);
    const x = randomTensor([3, 6], 1);
    const plain = looseModel({ inputs, outputs: inputs.dense({ units: 4 }), seed: 5 });
    clearSession();
    const inputs2 = looseInput([6]);
    const noisy = looseModel({
      inputs: inputs2,
      outputs: inputs2.gaussianNoise({ stddev: 1 }).activityRegularization({ l2: 1 }).dense({ units: 4 }),
      seed: 5,
    });
    expect(run(noisy, x).data).toEqual(run(plain, x).data);
  });
});

describe("runtime errors: ShapeError with the type level's sentence", () => {
  const cases: { label: string; shape: Dim[]; call: (x: Loose) => unknown; message: string }[] = [
    {
      label: "spatialDropout1d on rank 2",
      shape: [10],
      call: (x) => x.spatialDropout1d({ rate: 0.2 }),
      message: "shapewise: spatialDropout1d expects input of rank 3 [batch, steps, channels], got rank 2 [null, 10]",
    },
    {
      label: "spatialDropout1d: the rank is checked before the rate",
      shape: [28, 28, 3],
      call: (x) => x.spatialDropout1d({ rate: 2 }),
      message: "shapewise: spatialDropout1d expects input of rank 3 [batch, steps, channels], got rank 4 [null, 28, 28, 3]",
    },
    {
      label: "spatialDropout1d rate 1",
      shape: [5, 2],
      call: (x) => x.spatialDropout1d({ rate: 1 }),
      message: "shapewise: spatialDropout1d rate must be at least 0 and below 1, got 1",
    },
    {
      label: "spatialDropout1d rate negative",
      shape: [5, 2],
      call: (x) => x.spatialDropout1d({ rate: -0.1 }),
      message: "shapewise: spatialDropout1d rate must be at least 0 and below 1, got -0.1",
    },
    {
      label: "spatialDropout1d rate missing",
      shape: [5, 2],
      call: (x) => x.spatialDropout1d({}),
      message: "shapewise: spatialDropout1d rate must be at least 0 and below 1, got undefined",
    },
    {
      label: "spatialDropout1d seed fractional",
      shape: [5, 2],
      call: (x) => x.spatialDropout1d({ rate: 0.1, seed: 0.5 }),
      message: "shapewise: spatialDropout1d seed must be an integer, got 0.5",
    },
    {
      label: "spatialDropout2d on rank 3",
      shape: [5, 2],
      call: (x) => x.spatialDropout2d({ rate: 0.2 }),
      message:
        "shapewise: spatialDropout2d expects input of rank 4 [batch, height, width, channels] or [batch, channels, height, width], got rank 3 [null, 5, 2]",
    },
    {
      label: "spatialDropout2d bad dataFormat",
      shape: [4, 4, 2],
      call: (x) => x.spatialDropout2d({ rate: 0.2, dataFormat: "channels_first" }),
      message: "shapewise: spatialDropout2d dataFormat must be one of 'channelsLast', 'channelsFirst', got 'channels_first'",
    },
    {
      label: "gaussianNoise stddev above 1",
      shape: [4],
      call: (x) => x.gaussianNoise({ stddev: 2 }),
      message: "shapewise: gaussianNoise stddev must be at least 0 and at most 1, got 2",
    },
    {
      label: "gaussianNoise stddev negative",
      shape: [4],
      call: (x) => x.gaussianNoise({ stddev: -0.5 }),
      message: "shapewise: gaussianNoise stddev must be at least 0 and at most 1, got -0.5",
    },
    {
      label: "gaussianNoise stddev missing",
      shape: [4],
      call: (x) => x.gaussianNoise({}),
      message: "shapewise: gaussianNoise stddev must be a finite number, got undefined",
    },
    {
      label: "gaussianNoise seed fractional",
      shape: [4],
      call: (x) => x.gaussianNoise({ stddev: 0.1, seed: 1.5 }),
      message: "shapewise: gaussianNoise seed must be an integer, got 1.5",
    },
    {
      label: "activityRegularization l1 negative",
      shape: [4],
      call: (x) => x.activityRegularization({ l1: -1 }),
      message: "shapewise: activityRegularization l1 must be at least 0, got -1",
    },
    {
      label: "activityRegularization l2 negative",
      shape: [4],
      call: (x) => x.activityRegularization({ l2: -0.01 }),
      message: "shapewise: activityRegularization l2 must be at least 0, got -0.01",
    },
    {
      label: "activityRegularization l1 infinite",
      shape: [4],
      call: (x) => x.activityRegularization({ l1: Number.POSITIVE_INFINITY }),
      message: "shapewise: activityRegularization l1 must be a finite number, got Infinity",
    },
    {
      label: "activityRegularization unknown option",
      shape: [4],
      call: (x) => x.activityRegularization({ l3: 1 }),
      message: "shapewise: activityRegularization has no option 'l3' (options: l1, l2, name)",
    },
    {
      label: "spatialDropout3d on rank 4",
      shape: [8, 8, 4],
      call: (x) => x.spatialDropout3d({ rate: 0.2 }),
      message:
        "shapewise: spatialDropout3d expects input of rank 5 [batch, depth, height, width, channels] or [batch, channels, depth, height, width], got rank 4 [null, 8, 8, 4]",
    },
    {
      label: "spatialDropout3d rate above 1",
      shape: [2, 2, 2, 2],
      call: (x) => x.spatialDropout3d({ rate: 1.5 }),
      message: "shapewise: spatialDropout3d rate must be at least 0 and below 1, got 1.5",
    },
    {
      label: "spatialDropout3d bad dataFormat",
      shape: [2, 2, 2, 2],
      call: (x) => x.spatialDropout3d({ rate: 0.2, dataFormat: "channels_last" }),
      message: "shapewise: spatialDropout3d dataFormat must be one of 'channelsLast', 'channelsFirst', got 'channels_last'",
    },
    {
      label: "gaussianDropout rate 1 (infinite noise)",
      shape: [4],
      call: (x) => x.gaussianDropout({ rate: 1 }),
      message: "shapewise: gaussianDropout rate must be at least 0 and below 1, got 1",
    },
    {
      label: "gaussianDropout rate NaN",
      shape: [4],
      call: (x) => x.gaussianDropout({ rate: Number.NaN }),
      message: "shapewise: gaussianDropout rate must be at least 0 and below 1, got NaN",
    },
    {
      label: "gaussianDropout seed fractional",
      shape: [4],
      call: (x) => x.gaussianDropout({ rate: 0.1, seed: 0.5 }),
      message: "shapewise: gaussianDropout seed must be an integer, got 0.5",
    },
    {
      label: "alphaDropout rate negative",
      shape: [4],
      call: (x) => x.alphaDropout({ rate: -0.1 }),
      message: "shapewise: alphaDropout rate must be at least 0 and below 1, got -0.1",
    },
    {
      label: "alphaDropout rate missing",
      shape: [4],
      call: (x) => x.alphaDropout({}),
      message: "shapewise: alphaDropout rate must be at least 0 and below 1, got undefined",
    },
    {
      label: "alphaDropout noiseShape (read from files only at its default)",
      shape: [4],
      call: (x) => x.alphaDropout({ rate: 0.1, noiseShape: [1, 4] }),
      message: "shapewise: alphaDropout has no option 'noiseShape' (options: rate, seed, name)",
    },
    {
      label: "dropout rate 1 (unchanged rule)",
      shape: [4],
      call: (x) => x.dropout({ rate: 1 }),
      message: "shapewise: dropout rate must be at least 0 and below 1, got 1",
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
  it("automatic names follow Keras and TF.js", () => {
    const x = looseInput([6, 4]);
    const a = x.spatialDropout1d({ rate: 0.1 });
    const b = a.gaussianNoise({ stddev: 0.1 });
    const c = b.activityRegularization();
    const d = c.spatialDropout1d({ rate: 0.1 });
    expect([a, b, c, d].map((t) => t.layerName)).toEqual(["spatial_dropout1d", "gaussian_noise", "activity_regularization", "spatial_dropout1d_1"]);
    const m = looseModel({ inputs: x, outputs: d });
    expect(m.layers.slice(1).map((l) => l.names.tfjs)).toEqual([
      "spatial_dropout1d_SpatialDropout1D1",
      "gaussian_noise_GaussianNoise1",
      "activity_regularization_ActivityRegularization1",
      "spatial_dropout1d_SpatialDropout1D2",
    ]);
  });

  it("the new dropouts are named as Keras and TF.js 4.22 name them", () => {
    const x = looseInput([2, 3, 3, 4]);
    const a = x.gaussianDropout({ rate: 0.1 });
    const b = a.alphaDropout({ rate: 0.1 });
    const c = b.spatialDropout3d({ rate: 0.1 });
    const d = c.gaussianDropout({ rate: 0.2 });
    expect([a, b, c, d].map((t) => t.layerName)).toEqual(["gaussian_dropout", "alpha_dropout", "spatial_dropout3d", "gaussian_dropout_1"]);
    const m = looseModel({ inputs: x, outputs: d });
    expect(m.layers.slice(1).map((l) => l.className)).toEqual(["GaussianDropout", "AlphaDropout", "SpatialDropout3D", "GaussianDropout"]);
    expect(m.layers.slice(1, 3).map((l) => l.names.tfjs)).toEqual(["gaussian_dropout_GaussianDropout1", "alpha_dropout_AlphaDropout1"]);
  });

  it("their configs: rate and seed as given, and spatialDropout3d's data format", () => {
    const x = looseInput([2, 3, 3, 4]);
    const m = looseModel({
      inputs: x,
      outputs: x.gaussianDropout({ rate: 0.3, seed: 1 }).alphaDropout({ rate: 0.2 }).spatialDropout3d({ rate: 0.1, dataFormat: "channelsFirst" }),
    });
    expect(m.layers.slice(1).map((l) => l.getConfig())).toEqual([
      { rate: 0.3, seed: 1, name: "gaussian_dropout" },
      { rate: 0.2, name: "alpha_dropout" },
      { rate: 0.1, dataFormat: "channelsFirst", name: "spatial_dropout3d" },
    ]);
  });

  it.each([
    [
      "spatialDropout1d",
      [6, 4],
      { rate: 0.1 },
      "│ spatial_dropout1d               │ (None, 6, 4)           │             0 │\n│ (SpatialDropout1D)              │",
    ],
    [
      "spatialDropout2d",
      [6, 6, 4],
      { rate: 0.1 },
      "│ spatial_dropout2d               │ (None, 6, 6, 4)        │             0 │\n│ (SpatialDropout2D)              │",
    ],
    ["gaussianNoise", [4], { stddev: 0.1 }, "│ gaussian_noise (GaussianNoise)  │ (None, 4)              │             0 │"],
    ["activityRegularization", [4], {}, "│ activity_regularization         │ (None, 4)              │             0 │\n│ (ActivityRegularization)        │"],
  ] as const)("a one-layer %s model's keras3 row names the Keras class", (method, sample, config, row) => {
    const x = looseInput(sample);
    const text = looseSequential({ inputs: x, outputs: x[method](config) }).summary({ style: "keras3", printFn: () => {} });
    expect(text).toContain(row);
  });
});
