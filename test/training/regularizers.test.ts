/**
 * Weight and activity regularisers (Keras 3's `L1`, `L2`, `L1L2`): their
 * penalties join the training loss and their gradients the step, as
 * TensorFlow.js computes them from the same file; they survive TensorFlow.js
 * and Keras 3 files and generated source; bad factors are sentences.
 */
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import {
  ShapeError,
  clearSession,
  codegen,
  concatenate,
  input,
  model,
  modelFromKerasJSON,
  modelFromTfjsArtifacts,
  modelToTfjsArtifacts,
  optimizers,
  regularizers,
} from "../../src/index.js";
import type { Tensor } from "../../src/index.js";
import { createRandom } from "../../src/kernels/random.js";
import { randomTensor } from "../support/layer-harness.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
  await tf.ready();
});

function regularized() {
  clearSession();
  const i = input({ shape: [6] });
  const h = i.dense({ units: 5, activation: "tanh", kernelRegularizer: regularizers.l2(0.05), biasRegularizer: regularizers.l1(0.02) });
  return model({ inputs: i, outputs: h.dense({ units: 3, kernelRegularizer: regularizers.l1l2({ l1: 0.01, l2: 0.03 }), biasRegularizer: "l2" }), seed: 3 });
}

const x = randomTensor([8, 6], createRandom(4), -1, 1) as Tensor<[8, 6]>;
const y = randomTensor([8, 3], createRandom(5), -1, 1) as Tensor<[8, 3]>;

describe("regularisers in training", () => {
  it("one SGD step with L1, L2 and L1L2 penalties gives TensorFlow.js's loss and weights (cpu, same file) to 1e-5", async () => {
    const m = regularized();
    // Biases start at zero, where L1 has no slope: move them so every penalty acts.
    m.setWeights(m.getWeights().map((w, k) => (k % 2 === 1 ? { shape: w.shape, data: w.data.map((_, j) => 0.1 * (j + 1) * (k === 1 ? -1 : 1)) } : w)));
    const artifacts = modelToTfjsArtifacts(m);
    const theirs = await tf.loadLayersModel(tf.io.fromMemory(artifacts as unknown as tf.io.ModelArtifacts));
    expect(theirs.layers[1].getConfig().kernelRegularizer).toEqual({ className: "L1L2", config: { l1: 0, l2: 0.05 } });
    theirs.compile({ optimizer: tf.train.sgd(0.1), loss: "meanSquaredError" });
    const theirLoss = (await theirs.trainOnBatch(tf.tensor(x.data, x.shape), tf.tensor(y.data, y.shape))) as number;

    const ours = m.compile({ optimizer: optimizers.sgd({ learningRate: 0.1 }), loss: "meanSquaredError" }).trainOnBatch(x, y);
    expect(Math.abs(ours.loss - theirLoss)).toBeLessThan(1e-5);
    // The penalty is a real part of the loss here, not a rounding.
    const plain = regularizedWithout();
    expect(ours.loss - plain).toBeGreaterThan(0.05);

    const theirWeights = theirs.getWeights().map((w) => w.dataSync());
    const ourWeights = m.getWeights();
    expect(ourWeights.length).toBe(theirWeights.length);
    ourWeights.forEach((w, k) => {
      for (let j = 0; j < w.data.length; j++) expect(Math.abs(w.data[j] - theirWeights[k][j])).toBeLessThan(1e-5);
    });
  });

  it("adds the penalty in evaluate too, and a frozen layer's regulariser adds nothing", () => {
    const m = regularized();
    const c = m.compile({ optimizer: "sgd", loss: "meanSquaredError" });
    const withPenalty = c.evaluate(x, y, { verbose: 0 }).loss;
    const kernel = m.getWeights()[0].data;
    const penalty = 0.05 * kernel.reduce((s, v) => s + v * v, 0);
    m.layers[1].trainable = false;
    const frozen = m.compile({ optimizer: "sgd", loss: "meanSquaredError" }).evaluate(x, y, { verbose: 0 }).loss;
    expect(withPenalty - frozen).toBeCloseTo(penalty, 5);
  });

  it("an activity regulariser adds its penalty divided by the batch size, and its gradient reaches the weights", () => {
    clearSession();
    const i = input({ shape: [6] });
    const m = model({ inputs: i, outputs: i.dense({ units: 3, activityRegularizer: regularizers.l2(0.5) }), seed: 3 });
    const before = m.getWeights();
    const out = m.predict(x).data;
    const penalty = (0.5 * out.reduce((s, v) => s + v * v, 0)) / 8;
    const c = m.compile({ optimizer: optimizers.sgd({ learningRate: 0.1 }), loss: "meanSquaredError" });
    const loss = c.trainOnBatch(x, y).loss;
    let mse = 0;
    for (let k = 0; k < out.length; k++) mse += (out[k] - y.data[k]) ** 2;
    expect(loss).toBeCloseTo(mse / out.length + penalty, 5);
    // The bias gradient of the penalty: 2 * 0.5 * sum over the batch of the output / 8, plus the loss's own.
    const bias = m.getWeights()[1].data;
    for (let u = 0; u < 3; u++) {
      let g = 0;
      for (let b = 0; b < 8; b++) g += (2 * (out[b * 3 + u] - y.data[b * 3 + u])) / out.length + (2 * 0.5 * out[b * 3 + u]) / 8;
      expect(bias[u]).toBeCloseTo(before[1].data[u] - 0.1 * g, 5);
    }
  });

  it("a bidirectional's wrapped layer adds its activity penalty on each direction's output, in training and evaluate, as Keras 3 calls each copy", () => {
    const seq = randomTensor([4, 5, 3], createRandom(8), -1, 1) as Tensor<[4, 5, 3]>;
    const target = randomTensor([4, 2], createRandom(9), -1, 1) as Tensor<[4, 2]>;
    const build = (regularized: boolean) => {
      clearSession();
      const i = input({ shape: [5, 3] });
      const rnn = i.bidirectional((t) => t.lstm({ units: 4, ...(regularized ? { activityRegularizer: regularizers.l2(0.5) } : {}) }));
      // The concatenated output holds each direction's last output once: the same penalty on it is the same sum.
      const h = regularized ? rnn : rnn.activityRegularization({ l2: 0.5 });
      return { m: model({ inputs: i, outputs: h.dense({ units: 2 }), seed: 5 }), rnn: model({ inputs: i, outputs: rnn }) };
    };
    const a = build(true);
    const b = build(false);
    b.m.setWeights(a.m.getWeights());
    const merged = a.rnn.predict(seq).data;
    const out = a.m.predict(seq).data;
    let mse = 0;
    for (let k = 0; k < out.length; k++) mse += (out[k] - target.data[k]) ** 2;
    const penalty = (0.5 * merged.reduce((s, v) => s + v * v, 0)) / 4;
    expect(penalty).toBeGreaterThan(0.01);
    const ca = a.m.compile({ optimizer: optimizers.sgd({ learningRate: 0.5 }), loss: "meanSquaredError" });
    expect(ca.evaluate(seq, target, { verbose: 0 }).loss).toBeCloseTo(mse / out.length + penalty, 5);
    const la = ca.trainOnBatch(seq, target).loss;
    const lb = b.m.compile({ optimizer: optimizers.sgd({ learningRate: 0.5 }), loss: "meanSquaredError" }).trainOnBatch(seq, target).loss;
    expect(la).toBeCloseTo(mse / out.length + penalty, 5);
    expect(lb).toBeCloseTo(la, 5);
    // The penalty's gradient reaches both directions' weights as the explicit layer's does.
    const wb = b.m.getWeights();
    a.m.getWeights().forEach((w, k) => {
      for (let j = 0; j < w.data.length; j++) expect(Math.abs(w.data[j] - wb[k].data[j])).toBeLessThan(1e-6);
    });
  });

  it("a layer wrapped in timeDistributed adds no activity penalty, as Keras 3's TimeDistributed runs the layer's call without its regulariser", () => {
    const seq = randomTensor([2, 3, 6], createRandom(10), -1, 1) as Tensor<[2, 3, 6]>;
    const target = randomTensor([2, 3, 3], createRandom(11), -1, 1) as Tensor<[2, 3, 3]>;
    const losses = [true, false].map((regularized) => {
      clearSession();
      const i = input({ shape: [3, 6] });
      const o = i.timeDistributed((t) => t.dense({ units: 3, ...(regularized ? { activityRegularizer: regularizers.l2(0.5) } : {}) }));
      const m = model({ inputs: i, outputs: o, seed: 2 });
      const c = m.compile({ optimizer: optimizers.sgd({ learningRate: 0.1 }), loss: "meanSquaredError" });
      return [c.evaluate(seq, target, { verbose: 0 }).loss, c.trainOnBatch(seq, target).loss, ...m.getWeights()[0].data];
    });
    losses[0].forEach((v, k) => expect(v).toBe(losses[1][k]));
  });
});

/** The loss of the same weights and batch without the penalties. */
function regularizedWithout(): number {
  clearSession();
  const i = input({ shape: [6] });
  const m = model({ inputs: i, outputs: i.dense({ units: 5, activation: "tanh" }).dense({ units: 3 }), seed: 3 });
  const r = regularized();
  m.setWeights(r.getWeights().map((w, k) => (k % 2 === 1 ? { shape: w.shape, data: w.data.map((_, j) => 0.1 * (j + 1) * (k === 1 ? -1 : 1)) } : w)));
  return m.compile({ optimizer: "sgd", loss: "meanSquaredError" }).evaluate(x, y, { verbose: 0 }).loss;
}

describe("regularisers in files and source", () => {
  function everyKind() {
    clearSession();
    const i = input({ shape: [10, 4] });
    const e = input({ shape: [7] });
    const seq = i
      .conv1d({
        filters: 4,
        kernelSize: 3,
        kernelRegularizer: "l1",
        biasRegularizer: { l2: 0.002 },
        activityRegularizer: regularizers.l1l2({ l1: 1e-4, l2: 2e-4 }),
      })
      .batchNormalization({ gammaRegularizer: regularizers.l2(0.1), betaRegularizer: "l1l2" })
      .lstm({ units: 3, kernelRegularizer: regularizers.l2(0.003), recurrentRegularizer: regularizers.l1(0.004), biasRegularizer: "l2" });
    const emb = e.embedding({ inputDim: 20, outputDim: 3, embeddingsRegularizer: regularizers.l2(0.2) }).flatten();
    const out = concatenate([seq, emb]).dense({ units: 2, kernelRegularizer: regularizers.l2(1e-3) });
    return model({ inputs: [i, e], outputs: out, seed: 1 });
  }
  const configs = (m: { layers: readonly { className: string; getConfig(): Record<string, unknown> }[] }) =>
    m.layers.map((l) => Object.fromEntries(Object.entries(l.getConfig()).filter(([k]) => k.endsWith("Regularizer"))));

  it("survive a TensorFlow.js file (written as its L1L2 class) and a Keras 3 JSON (L1, L2, L1L2)", () => {
    const m = everyKind();
    const expected = configs(m);
    expect(expected.filter((c) => Object.keys(c).length > 0).length).toBe(5);
    const artifacts = modelToTfjsArtifacts(m);
    const topology = JSON.stringify(artifacts.modelTopology);
    expect(topology).toContain('"kernel_regularizer":{"class_name":"L1L2","config":{"l1":0,"l2":0.003}}');
    const fromTfjs = modelFromTfjsArtifacts(artifacts, artifacts.weightData);
    // TensorFlow.js writes both factors: a TF.js L2 reads back as L1L2 with l1 0, the same penalty.
    const norm = (cs: Record<string, unknown>[]) =>
      cs.map((c) => Object.fromEntries(Object.entries(c).map(([k, v]) => [k, { l1: 0, l2: 0, ...(v as object) }])));
    expect(norm(configs(fromTfjs))).toEqual(norm(expected));

    const json = m.toKerasJSON();
    expect(json).toContain('"kernel_regularizer": {"module": "keras.regularizers", "class_name": "L2", "config": {"l2": 0.003}, "registered_name": null}');
    expect(configs(modelFromKerasJSON(json))).toEqual(expected);
  });

  it("codegen writes them as plain factors", () => {
    const m = everyKind();
    const source = codegen(m);
    expect(source).toContain("kernelRegularizer: { l2: 0.003 }");
    expect(source).toContain("activityRegularizer: { l1: 0.0001, l2: 0.0002 }");
  });
});

describe("bad regularisers", () => {
  const i = () => {
    clearSession();
    return input({ shape: [4] });
  };
  it("a negative, NaN or infinite factor, an unknown name or key is a sentence naming the layer and the option", () => {
    const dense = (r: unknown) => () => (i().dense as (c: unknown) => unknown)({ units: 2, kernelRegularizer: r });
    expect(dense({ l2: -0.1 })).toThrow(new ShapeError("shapewise: dense kernelRegularizer l2 must be a finite number at least 0, got -0.1"));
    expect(dense({ l1: Number.NaN })).toThrow(new ShapeError("shapewise: dense kernelRegularizer l1 must be a finite number at least 0, got NaN"));
    expect(dense({ l2: Number.POSITIVE_INFINITY })).toThrow(/l2 must be a finite number at least 0, got Infinity/);
    expect(dense("l3")).toThrow(new ShapeError("shapewise: dense kernelRegularizer must be one of 'l1', 'l2', 'l1l2', 'l1_l2' or { l1, l2 }, got 'l3'"));
    expect(dense({ l3: 1 })).toThrow(new ShapeError("shapewise: dense kernelRegularizer has no factor 'l3' (factors: l1, l2)"));
    expect(dense({})).toThrow(/needs l1, l2 or both/);
    expect(() => (regularizers.l2 as (v: unknown) => unknown)(Number.NaN)).toThrow(
      new ShapeError("shapewise: regularizers.l2 l2 must be a finite number at least 0, got NaN"),
    );
    expect(() => (i().lstm as (c: unknown) => unknown)({ units: 2, recurrentRegularizer: { l1: -1 } })).toThrow(/lstm recurrentRegularizer l1 must be/);
  });

  it("a bad regulariser in a file is a sentence naming the layer and the key", () => {
    const m = regularized();
    const artifacts = modelToTfjsArtifacts(m);
    const text = JSON.stringify(artifacts).replace('"l2":0.05', '"l2":-0.05');
    expect(() => modelFromTfjsArtifacts(JSON.parse(text), artifacts.weightData)).toThrow(/kernel_regularizer l2 must be a finite number at least 0, got -0.05/);
    const other = JSON.stringify(artifacts).replace('"class_name":"L1L2","config":{"l1":0,"l2":0.05}', '"class_name":"OrthogonalRegularizer","config":{}');
    expect(() => modelFromTfjsArtifacts(JSON.parse(other), artifacts.weightData)).toThrow(/class 'OrthogonalRegularizer' is not supported/);
  });

  it("a regulariser shapewise's layer does not take (a PReLU's alpha, attention's kernel and bias) is refused, not read past", () => {
    clearSession();
    const x = input({ shape: [3, 4] });
    const artifacts = modelToTfjsArtifacts(model({ inputs: x, outputs: x.pReLU() }));
    const text = JSON.stringify(artifacts).replace('"alpha_regularizer":null', '"alpha_regularizer":{"class_name":"L1L2","config":{"l1":0,"l2":0.01}}');
    expect(() => modelFromTfjsArtifacts(JSON.parse(text), artifacts.weightData)).toThrow(
      new ShapeError(
        'shapewise: layer \'p_re_lu\' alpha_regularizer {"class_name":"L1L2","config":{"l1":0,"l2":0.01}} is not supported: shapewise\'s PReLU takes no alphaRegularizer, so training would leave its penalty out; save the model without it',
      ),
    );
    clearSession();
    const q = input({ shape: [3, 4] });
    const m = model({ inputs: q, outputs: q.pReLU().multiHeadAttention({ numHeads: 2, keyDim: 2, value: q }) });
    const json = JSON.parse(m.toKerasJSON()) as { config: { layers: { class_name: string; config: Record<string, unknown> }[] } };
    const attention = json.config.layers.find((l) => l.class_name === "MultiHeadAttention")!;
    const prelu2 = json.config.layers.find((l) => l.class_name === "PReLU")!;
    prelu2.config.alpha_regularizer = { module: "keras.regularizers", class_name: "L1", config: { l1: 0.01 }, registered_name: null };
    expect(() => modelFromKerasJSON(json)).toThrow(/alpha_regularizer .* is not supported: shapewise's PReLU takes no alphaRegularizer/);
    prelu2.config.alpha_regularizer = null;
    for (const key of ["kernel_regularizer", "bias_regularizer"]) {
      attention.config[key] = { module: "keras.regularizers", class_name: "L2", config: { l2: 0.01 }, registered_name: null };
      expect(() => modelFromKerasJSON(json)).toThrow(new RegExp(`'multi_head_attention' ${key} .* is not supported: shapewise's MultiHeadAttention takes no`));
      attention.config[key] = null;
    }
    expect(modelFromKerasJSON(json).countParams()).toBe(m.countParams());
  });
});
