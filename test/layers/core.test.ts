/**
 * `embedding` against Keras 3.15.1 (`layer_case:embedding`,
 * `forward_case:embedding`, copied into `test/fixtures/keras-cases/embedding.json`)
 * and TensorFlow.js 4.22 (same table, random integer indices from a fixed
 * seed, exact equality: a lookup does no arithmetic). Indices arrive as
 * float32 values; anything but an integer in `[0, inputDim)` is a
 * `ShapeError` naming the value and its position, never a NaN row.
 */
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { ShapeError, clearSession, input, model, tensor } from "../../src/index.js";
import type { Tensor } from "../../src/index.js";
import { createRandom } from "../../src/kernels/random.js";
import { kerasCases, layerFamilyHarness, looseModel, run, sizeOf } from "../support/layer-harness.js";

layerFamilyHarness("layers/core.test.ts");

/** What a plain JavaScript caller holds. */
type Untyped = any;

const cases = kerasCases("embedding");
const caseNamed = (name: string) => cases.find((c) => c.name === name)!;

function randomIndices(shape: number[], rows: number, seed: number): Tensor {
  const random = createRandom(seed);
  const data = new Float32Array(sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = Math.floor(random.next() * rows);
  return { shape, data };
}

describe("Keras 3", () => {
  it("layer_case:embedding: shape, parameters and weights", () => {
    const c = caseNamed("layer_case:embedding");
    const { input_dim: inputDim, output_dim: outputDim } = c.layers[0].config;
    const x = input({ shape: [10] });
    const y = x.embedding({ inputDim: 1000, outputDim: 64 });
    expect([inputDim, outputDim]).toEqual([1000, 64]);
    expect(y.shape).toEqual(c.output_shape);
    const m = model({ inputs: x, outputs: y });
    expect(m.countParams()).toBe(c.total_params);
    expect(m.summaryData().trainableParams).toBe(c.trainable_params);
    expect(m.summaryData().nonTrainableParams).toBe(c.non_trainable_params);
    const layer = m.layers[1];
    expect(layer.weightSpecs().map((w) => ({ path: `${layer.name}/${w.name}`, shape: w.shape, trainable: w.trainable }))).toEqual(
      c.weights_keras3!.map((w) => ({ path: w.path, shape: w.shape, trainable: w.trainable })),
    );
  });

  it("forward_case:embedding", () => {
    const c = caseNamed("forward_case:embedding");
    const f = c.forward_keras3!;
    const { input_dim: inputDim, output_dim: outputDim } = c.layers[0].config;
    const x: Untyped = input({ shape: c.input_shape.slice(1) as number[] });
    const m = looseModel({ inputs: x, outputs: x.embedding({ inputDim, outputDim }) });
    m.setWeights(f.weights!.map((w) => ({ shape: w.shape, data: Float32Array.from(w.values) })));
    const y = run(m, { shape: c.input_shape as number[], data: Float32Array.from(f.inputs.flat()) });
    expect(y.shape).toEqual(c.output_shape);
    // A lookup copies float32 values; the stored outputs are those values rounded to 7 decimals.
    const worst = Math.max(...f.output.map((v, i) => Math.abs(v - y.data[i])));
    expect(worst).toBeLessThan(1e-7);
  });
});

describe("against TensorFlow.js", () => {
  it.each([
    ["rank 2 input", [12], 7, 3],
    ["rank 3 input", [3, 4], 5, 2],
    ["one row", [6], 1, 4],
  ] as const)("%s", (_label, sample, inputDim, outputDim) => {
    const x: Untyped = input({ shape: [...sample] });
    const m = looseModel({ inputs: x, outputs: x.embedding({ inputDim, outputDim }), seed: 3 });
    const batch = randomIndices([2, ...sample], inputDim, 17);
    const ours = run(m, batch);
    const tfModel = tf.sequential({ layers: [tf.layers.embedding({ inputDim, outputDim, inputShape: [...sample] })] });
    const [table] = m.getWeights();
    expect(tfModel.getWeights().map((w) => w.shape)).toEqual([table.shape]);
    tf.tidy(() => tfModel.setWeights([tf.tensor(table.data, [...table.shape])]));
    const expected = tf.tidy(() => Float32Array.from((tfModel.predict(tf.tensor(batch.data, [...batch.shape])) as tf.Tensor).dataSync()));
    tfModel.dispose();
    expect(ours.shape).toEqual([2, ...sample, outputDim]);
    expect(ours.data).toEqual(expected);
  });

  it("embedding into an lstm, as a text model starts", () => {
    const x: Untyped = input({ shape: [9] });
    const m = looseModel({ inputs: x, outputs: x.embedding({ inputDim: 20, outputDim: 4 }).lstm({ units: 3 }), seed: 5 });
    const batch = randomIndices([2, 9], 20, 4);
    const inp = tf.input({ shape: [9] });
    const out = tf.layers
      .lstm({ units: 3, recurrentActivation: "sigmoid" })
      .apply(tf.layers.embedding({ inputDim: 20, outputDim: 4 }).apply(inp)) as tf.SymbolicTensor;
    const tfModel = tf.model({ inputs: inp, outputs: out });
    tf.tidy(() => tfModel.setWeights(m.getWeights().map((w) => tf.tensor(w.data, [...w.shape]))));
    const expected = tf.tidy(() => Float32Array.from((tfModel.predict(tf.tensor(batch.data, [...batch.shape])) as tf.Tensor).dataSync()));
    tfModel.dispose();
    const y = run(m, batch);
    const worst = Math.max(...Array.from(expected, (e, i) => Math.abs(e - y.data[i])));
    expect(worst).toBeLessThan(1e-5);
  });
});

describe("shapes and weights", () => {
  it("a batch of single indices gives [batch, outputDim]", () => {
    const x = input({ shape: [] });
    const y = x.embedding({ inputDim: 3, outputDim: 2 });
    expect(y.shape).toEqual([null, 2]);
    const m = model({ inputs: x, outputs: y });
    m.setWeights([tensor([3, 2], [0, 1, 10, 11, 20, 21])]);
    expect(Array.from(m.predict(tensor([3], [2, 0, 1])).data)).toEqual([20, 21, 0, 1, 10, 11]);
  });

  it("unknown sizes pass through", () => {
    expect(input({ shape: [null, 4] }).embedding({ inputDim: 8, outputDim: 2 }).shape).toEqual([null, null, 4, 2]);
  });

  it("the table starts uniform in [-0.05, 0.05), reproducibly from the seed", () => {
    const build = (seed: number) => {
      clearSession();
      const x = input({ shape: [4] });
      return model({ inputs: x, outputs: x.embedding({ inputDim: 100, outputDim: 50 }), seed }).getWeights()[0].data;
    };
    const table = build(1);
    expect(table.every((v) => v >= -0.05 && v < 0.05)).toBe(true);
    expect(Math.min(...table)).toBeLessThan(-0.049);
    expect(Math.max(...table)).toBeGreaterThan(0.049);
    expect(build(1)).toEqual(table);
    expect(build(2)).not.toEqual(table);
  });

  it("the Keras 3 summary row names the class", () => {
    const x = input({ shape: [10] });
    const text = model({ inputs: x, outputs: x.embedding({ inputDim: 1000, outputDim: 64 }) }).summary({ style: "keras3", printFn: () => {} });
    expect(text).toContain("embedding (Embedding)");
    expect(text).toContain("64,000");
  });
});

describe("runtime errors", () => {
  const ids = (): Untyped => input({ shape: [4] });
  const configs: [string, () => unknown, string][] = [
    ["inputDim 0", () => ids().embedding({ inputDim: 0, outputDim: 4 }), "shapewise: embedding inputDim must be a positive integer, got 0"],
    ["negative outputDim", () => ids().embedding({ inputDim: 5, outputDim: -4 }), "shapewise: embedding outputDim must be a positive integer, got -4"],
    ["fractional inputDim", () => ids().embedding({ inputDim: 2.5, outputDim: 4 }), "shapewise: embedding inputDim must be a positive integer, got 2.5"],
    [
      "too large outputDim",
      () => ids().embedding({ inputDim: 5, outputDim: 2 ** 53 }),
      "shapewise: embedding outputDim must be a positive integer, got 9007199254740992",
    ],
    ["null inputDim", () => ids().embedding({ inputDim: null, outputDim: 4 }), "shapewise: embedding inputDim must be a positive integer, got null"],
    ["missing outputDim", () => ids().embedding({ inputDim: 5 }), "shapewise: embedding outputDim must be a positive integer, got undefined"],
    [
      "an unknown option",
      () => ids().embedding({ inputDim: 5, outputDim: 4, maskZero: true }),
      "shapewise: embedding has no option 'maskZero' (options: inputDim, outputDim, embeddingsRegularizer, activityRegularizer, name)",
    ],
    ["a null config", () => ids().embedding(null), "shapewise: embedding expects a config object, got null"],
  ];
  it.each(configs)("%s", (_label, build, message) => {
    expect(build).toThrow(ShapeError);
    expect(build).toThrow(message);
  });

  const m = () => {
    const x = input({ shape: [2, 3] });
    return model({ inputs: x, outputs: x.embedding({ inputDim: 5, outputDim: 2 }) });
  };
  it.each([
    ["an index equal to inputDim", [0, 1, 2, 3, 4, 5], "shapewise: embedding input 5 at position [0, 1, 2] is not an integer index in [0, 5) for inputDim 5"],
    [
      "a negative index",
      [0, 1, 2, 3, 4, 0, 0, -1, 0, 0, 0, 0],
      "shapewise: embedding input -1 at position [1, 0, 1] is not an integer index in [0, 5) for inputDim 5",
    ],
    ["a fractional index", [0.5, 1, 2, 3, 4, 0], "shapewise: embedding input 0.5 at position [0, 0, 0] is not an integer index in [0, 5) for inputDim 5"],
    ["NaN", [0, 1, 2, Number.NaN, 4, 0], "shapewise: embedding input NaN at position [0, 1, 0] is not an integer index in [0, 5) for inputDim 5"],
  ])("%s at predict time", (_label, values, message) => {
    const model = m();
    const x = tensor([values.length / 6, 2, 3], values);
    expect(() => model.predict(x)).toThrow(ShapeError);
    expect(() => model.predict(x)).toThrow(message);
  });
});
