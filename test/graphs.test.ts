/**
 * Functional graphs at run time: the toy ResNet and ResNet50 examples
 * (totals, Keras summaries byte for byte, forward pass against TensorFlow.js),
 * models with several inputs and outputs, models applied as layers, merges
 * with a named shared ancestor, and the sentences for graphs that cannot work.
 */
import { readFileSync } from "node:fs";
import * as tf from "@tensorflow/tfjs";
import { beforeEach, describe, expect, it } from "vitest";
import { add, clearSession, concatenate, input, layers, model, multiply, ShapeError, subtract, tensor } from "../src/index.js";
import type { Tensor } from "../src/index.js";
import { toyResnet } from "../examples/toy-resnet.js";
import { resnet50 } from "../examples/resnet50.js";
import { expectClose } from "./support/compare.js";

const fixture = (file: string): string => readFileSync(new URL(`./fixtures/summaries/${file}.txt`, import.meta.url), "utf8");
const silent = { printFn: () => {} };

function random(shape: readonly number[], seed: number): Tensor {
  let s = seed >>> 0;
  const size = shape.reduce((p, d) => p * d, 1);
  const data = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[i] = s / 2 ** 32 - 0.5;
  }
  return { shape: [...shape], data };
}

/** Random biases too (zero biases would hide a bias added to the wrong place). */
function randomiseBiases(m: { getWeights(): Tensor[]; setWeights(w: Tensor[]): void }): void {
  m.setWeights(m.getWeights().map((w, i) => (w.shape.length === 1 ? random(w.shape, 100 + i) : w)));
}

function tfPredict(tfModel: tf.LayersModel, weights: Tensor[], inputs: Tensor[]): Float32Array[] {
  tf.tidy(() => tfModel.setWeights(weights.map((w) => tf.tensor(w.data, [...w.shape]))));
  return tf.tidy(() => {
    const out = tfModel.predict(inputs.map((x) => tf.tensor(x.data, [...x.shape])));
    return (Array.isArray(out) ? out : [out]).map((t) => t.dataSync() as Float32Array);
  });
}

beforeEach(() => clearSession());

describe("the Keras toy ResNet", () => {
  it("has the guide's total, shapes and Keras 3 / TensorFlow.js summaries byte for byte", () => {
    const m = toyResnet();
    expect(m.countParams()).toBe(223242);
    expect(m.outputShape).toEqual([null, 10]);
    expect(m.summary({ ...silent, style: "keras3" })).toBe(fixture("keras_io_toy_resnet.keras3-76"));
    expect(m.summary({ ...silent, style: "keras3", lineLength: 108 })).toBe(fixture("keras_io_toy_resnet.keras3-wide"));
    expect(m.summary({ ...silent, style: "tfjs" })).toBe(fixture("keras_io_toy_resnet.tfjs"));
  });

  it("prints the guide's tf.keras 2 tables once earlier cells have used the name counters", () => {
    // The guide built 8 convolutions, 2 poolings and 6 dense layers before this model.
    const earlier = input({ shape: [64, 64, 1] });
    for (let i = 0; i < 8; i++) earlier.conv2d({ filters: 1, kernelSize: 1 });
    for (let i = 0; i < 2; i++) earlier.maxPooling2d({ poolSize: 2 });
    const vector = input({ shape: [2] });
    for (let i = 0; i < 6; i++) vector.dense({ units: 1 });
    const m = toyResnet();
    for (const era of ["2.6", "2.12", "2.15"] as const) {
      expect(m.summary({ ...silent, keras2Era: era })).toBe(fixture(`keras_io_toy_resnet.keras2-${era}`));
    }
  });

  it("runs each layer once and agrees with the same graph in TensorFlow.js", () => {
    const m = toyResnet();
    randomiseBiases(m);
    const x = random([2, 32, 32, 3], 7);
    const y = m.predict(tensor([2, 32, 32, 3], x.data));
    const inputs = tf.input({ shape: [32, 32, 3] });
    let h = tf.layers.conv2d({ filters: 32, kernelSize: 3, activation: "relu" }).apply(inputs) as tf.SymbolicTensor;
    h = tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: "relu" }).apply(h) as tf.SymbolicTensor;
    let block = tf.layers.maxPooling2d({ poolSize: 3 }).apply(h) as tf.SymbolicTensor;
    for (let i = 0; i < 2; i++) {
      let b = tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: "relu", padding: "same" }).apply(block) as tf.SymbolicTensor;
      b = tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: "relu", padding: "same" }).apply(b) as tf.SymbolicTensor;
      block = tf.layers.add().apply([b, block]) as tf.SymbolicTensor;
    }
    h = tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: "relu" }).apply(block) as tf.SymbolicTensor;
    h = tf.layers.globalAveragePooling2d({}).apply(h) as tf.SymbolicTensor;
    h = tf.layers.dense({ units: 256, activation: "relu" }).apply(h) as tf.SymbolicTensor;
    h = tf.layers.dropout({ rate: 0.5 }).apply(h) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 10 }).apply(h) as tf.SymbolicTensor;
    const tfModel = tf.model({ inputs, outputs: out });
    expect(tfModel.countParams()).toBe(223242);
    const [expected] = tfPredict(tfModel, m.getWeights(), [x]);
    expect(y.shape).toEqual([2, 10]);
    expectClose(y.data, expected, "toy ResNet vs TF.js", 1e-5);
    tfModel.dispose();
  });
});

describe("ResNet50", () => {
  it("has Keras applications' total, split, layer count and names", () => {
    const m = resnet50();
    const data = m.summaryData();
    expect(m.countParams()).toBe(25636712);
    expect(data.trainableParams).toBe(25583592);
    expect(data.nonTrainableParams).toBe(53120);
    expect(m.layers.length).toBe(177);
    expect(m.outputShape).toEqual([null, 1000]);
    expect(m.layers.slice(0, 4).map((l) => l.name)).toEqual(["input_layer", "conv1_pad", "conv1_conv", "conv1_bn"]);
    // Keras lists a block's shortcut projection before its main branch at the same depth.
    const names = m.layers.map((l) => l.name);
    expect(names.indexOf("conv2_block1_0_conv")).toBeLessThan(names.indexOf("conv2_block1_3_conv"));
    const add = data.rows.find((r) => r.names.keras2 === "conv2_block1_add")!;
    expect(add.inbound.map((c) => c.layer.keras2)).toEqual(["conv2_block1_0_bn", "conv2_block1_3_bn"]);
  });
});

describe("models with several inputs and outputs", () => {
  function twoByTwo() {
    const image = input({ shape: [6, 6, 2], name: "image" });
    const meta = input({ shape: [3], name: "meta" });
    const trunk = image.conv2d({ filters: 4, kernelSize: 3 }).flatten();
    const joined = concatenate([trunk, meta.dense({ units: 5 })]);
    const label = joined.dense({ units: 3, activation: "softmax", name: "label" });
    const score = joined.dense({ units: 1, name: "score" });
    return { image, meta, joined, label, score };
  }

  it("takes and gives tuples, with the exact total when the shared trunk is named", () => {
    const { image, meta, joined, label, score } = twoByTwo();
    const m = model({ inputs: [image, meta], outputs: [label, score], shared: joined });
    const conv = 3 * 3 * 2 * 4 + 4;
    const total = conv + (3 * 5 + 5) + (69 * 3 + 3) + (69 + 1); // 4x4x4 flattened plus 5 features
    expect(m.countParams()).toBe(total);
    expect(m.inputShape).toEqual([
      [null, 6, 6, 2],
      [null, 3],
    ]);
    expect(m.outputShape).toEqual([
      [null, 3],
      [null, 1],
    ]);
    randomiseBiases(m);
    const x1 = random([2, 6, 6, 2], 1);
    const x2 = random([2, 3], 2);
    const [a, b] = m.predict([tensor([2, 6, 6, 2], x1.data), tensor([2, 3], x2.data)]);
    expect(a.shape).toEqual([2, 3]);
    expect(b.shape).toEqual([2, 1]);

    const ti = tf.input({ shape: [6, 6, 2] });
    const tm = tf.input({ shape: [3] });
    const tt = tf.layers.flatten().apply(tf.layers.conv2d({ filters: 4, kernelSize: 3 }).apply(ti)) as tf.SymbolicTensor;
    const tj = tf.layers.concatenate().apply([tt, tf.layers.dense({ units: 5 }).apply(tm) as tf.SymbolicTensor]) as tf.SymbolicTensor;
    const tl = tf.layers.dense({ units: 3, activation: "softmax" }).apply(tj) as tf.SymbolicTensor;
    const ts = tf.layers.dense({ units: 1 }).apply(tj) as tf.SymbolicTensor;
    const tfModel = tf.model({ inputs: [ti, tm], outputs: [tl, ts] });
    expect(tfModel.countParams()).toBe(total);
    const [ea, eb] = tfPredict(tfModel, m.getWeights(), [x1, x2]);
    expectClose(a.data, ea, "label vs TF.js");
    expectClose(b.data, eb, "score vs TF.js");
    tfModel.dispose();
  });

  it("takes and gives records keyed as defined", () => {
    const { image, meta, joined, label, score } = twoByTwo();
    const m = model({ inputs: { image, meta }, outputs: { label, score }, shared: joined });
    expect(m.inputLayout).toEqual({ keys: ["image", "meta"] });
    const y = m.predict({ image: tensor([1, 6, 6, 2]), meta: tensor([1, 3]) });
    expect(Object.keys(y)).toEqual(["label", "score"]);
    expect(y.label.shape).toEqual([1, 3]);
    expect(() => m.predict({ image: tensor([1, 6, 6, 2]) } as never)).toThrow(
      "shapewise: predict expects a record of tensors with keys image, meta, got keys image",
    );
    expect(() => m.predict({ image: tensor([1, 6, 6, 2]), meta: tensor([2, 3]) })).toThrow(
      "shapewise: predict inputs must share one batch size, got 1 for image and 2 for meta",
    );
  });

  it("lists every layer once in Keras order with its connections", () => {
    const { image, meta, label, score } = twoByTwo();
    const m = model({ inputs: [image, meta], outputs: [label, score] });
    const rows = m.summaryData().rows;
    expect(rows.map((r) => r.names.keras2)).toEqual(["image", "conv2d", "meta", "flatten", "dense", "concatenate", "label", "score"]);
    expect(rows.find((r) => r.className === "Concatenate")!.inbound.map((c) => c.layer.keras2)).toEqual(["flatten", "dense"]);
    expect(m.summaryData().sequentialLike).toBe(false);
    const graph = m.graph();
    expect(graph.inputs.map((r) => r.layer.name)).toEqual(["image", "meta"]);
    expect(graph.outputs.map((r) => r.layer.name)).toEqual(["label", "score"]);
    expect(graph.nodes.length).toBe(8);
  });

  it("refuses a shared tensor the outputs do not meet in, and inputs that lead nowhere", () => {
    const { image, meta, label, score } = twoByTwo();
    expect(() => model({ inputs: [image, meta], outputs: [label, score], shared: "none" })).toThrow(
      /shapewise: model inputs 1 and 2 share layer (conv2d|dense|concatenate|dense_1)/,
    );
    const lonely = input({ shape: [2] });
    expect(() => model({ inputs: [image, lonely], outputs: label })).toThrow(
      /shapewise: model (outputs do not come from its inputs \(they reach input 'meta'\)|input 'input_\d+' does not lead to any output)/,
    );
    expect(() => model({ inputs: [image, meta, lonely], outputs: [label] })).toThrow(/shapewise: model input 'input_\d+' does not lead to any output/);
  });
});

describe("merges and combinators", () => {
  it("a named shared ancestor is checked: the operands must meet only in it", () => {
    const x = input({ shape: [4] });
    const trunk = x.dense({ units: 4 });
    const a = trunk.dense({ units: 4 });
    const b = trunk.dense({ units: 4 });
    expect(add([a, b], { shared: trunk }).shape).toEqual([null, 4]);
    expect(() => add([a, b], { shared: "none" })).toThrow("shapewise: add inputs 1 and 2 share layer dense, so its parameters would count twice");
    expect(() => add([a, x.dense({ units: 4 })], { shared: trunk })).toThrow("shapewise: add input 2 does not descend from the shared tensor of dense");
  });

  it("residual and branches run the branches once and merge them", () => {
    const x = input({ shape: [5, 5, 3] });
    const y = x
      .residual((b) => b.conv2d({ filters: 3, kernelSize: 3, padding: "same" }))
      .branches([(b) => b.conv2d({ filters: 2, kernelSize: 1 }), (b) => b.maxPooling2d({ poolSize: 1 })], { merge: "concatenate" });
    const m = model({ inputs: x, outputs: y });
    expect(m.outputShape).toEqual([null, 5, 5, 5]);
    expect(m.countParams()).toBe(84 + 8);
    expect(m.layers.map((l) => l.className)).toEqual(["InputLayer", "Conv2D", "Add", "Conv2D", "MaxPooling2D", "Concatenate"]);
    randomiseBiases(m);
    const input5 = random([1, 5, 5, 3], 3);
    const out = m.predict(tensor([1, 5, 5, 3], input5.data));
    const ti = tf.input({ shape: [5, 5, 3] });
    const r = tf.layers.add().apply([tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: "same" }).apply(ti) as tf.SymbolicTensor, ti]) as tf.SymbolicTensor;
    const c = tf.layers
      .concatenate()
      .apply([
        tf.layers.conv2d({ filters: 2, kernelSize: 1 }).apply(r) as tf.SymbolicTensor,
        tf.layers.maxPooling2d({ poolSize: 1 }).apply(r) as tf.SymbolicTensor,
      ]) as tf.SymbolicTensor;
    const tfModel = tf.model({ inputs: ti, outputs: c });
    const [expected] = tfPredict(tfModel, m.getWeights(), [input5]);
    expectClose(out.data, expected, "residual + branches vs TF.js");
    tfModel.dispose();
  });

  it("a branch that reaches outside its start is refused, since its total would be wrong", () => {
    const x = input({ shape: [4] }).dense({ units: 4, name: "trunk" });
    const outside = input({ shape: [4] }).dense({ units: 4 });
    expect(() => x.branches([(b) => b.dense({ units: 4 }), () => outside], { merge: "add" })).toThrow(
      "shapewise: branches input 2 does not descend from the shared tensor of trunk",
    );
    expect(() => x.residual(() => 3 as never)).toThrow("shapewise: residual main branch must return a symbolic tensor, got 3");
    // A model already applied before the start, applied again inside a branch, would count twice.
    const i = input({ shape: [4] });
    const inner = model({ inputs: i, outputs: i.dense({ units: 4 }) });
    const once = inner.apply(input({ shape: [4] }));
    expect(() => once.residual((b) => inner.apply(b))).toThrow(
      "shapewise: residual main branch applies layer model again, which comes before its start: its weights would count twice",
    );
  });

  it("plain JavaScript callers get sentences", () => {
    const x = input({ shape: [4] });
    expect(() => (add as (a: unknown) => unknown)(x)).toThrow(/shapewise: add expects a list of symbolic tensors, got/);
    expect(() => (add as (a: unknown) => unknown)([x, 3])).toThrow("shapewise: add input 2 must be a symbolic tensor, got 3");
    expect(() => subtract([x, x, x] as never)).toThrow("shapewise: subtract takes exactly 2 inputs, got 3");
    expect(() => multiply([x] as never)).toThrow("shapewise: multiply needs at least 2 inputs, got 1");
    expect(() => add([x, x], { shared: 5 } as never)).toThrow('shapewise: add shared must be a symbolic tensor or "none", got 5');
  });
});

describe("models applied as layers", () => {
  it("share their weights across calls, count them once, and compute the inner graph", () => {
    const i = input({ shape: [3] });
    const encoder = model({ inputs: i, outputs: i.dense({ units: 2, activation: "tanh" }), name: "encoder" });
    const a = input({ shape: [3] });
    const b = input({ shape: [3] });
    const siamese = model({ inputs: [a, b], outputs: subtract([encoder.apply(a), encoder.apply(b)]) });
    expect(siamese.countParams()).toBe(8);
    const rows = siamese.summaryData().rows;
    expect(rows.map((r) => `${r.names.keras2} (${r.className})`)).toEqual([
      "input_2 (InputLayer)",
      "input_3 (InputLayer)",
      "encoder (Functional)",
      "subtract (Subtract)",
    ]);
    expect(rows[2].inbound.map((c) => `${c.layer.keras2}[${c.nodeIndex}][${c.tensorIndex}]`)).toEqual(["input_2[0][0]", "input_3[0][0]"]);
    const x1 = random([2, 3], 5);
    const x2 = random([2, 3], 6);
    const [d] = [siamese.predict([tensor([2, 3], x1.data), tensor([2, 3], x2.data)])];
    const e1 = encoder.predict(tensor([2, 3], x1.data));
    const e2 = encoder.predict(tensor([2, 3], x2.data));
    expectClose(
      d.data,
      e1.data.map((v, k) => v - e2.data[k]),
      "siamese difference",
    );
    // Weights set on the outer model reach the inner one at once, as Keras shares them.
    siamese.setWeights(siamese.getWeights().map((w) => ({ shape: w.shape, data: new Float32Array(w.data.length).fill(0) })));
    expect(encoder.getWeights().every((w) => w.data.every((v) => v === 0))).toBe(true);
    // ...and the inner model's weights reach the outer one.
    encoder.setWeights(encoder.getWeights().map((w) => ({ shape: w.shape, data: new Float32Array(w.data.length).fill(0.5) })));
    expect(siamese.getWeights().every((w) => w.data.every((v) => v === 0.5))).toBe(true);
    expect([...siamese.predict([tensor([1, 3], [1, 2, 3]), tensor([1, 3], [3, 2, 1])]).data]).toEqual([0, 0]);
  });

  it("check the wrapped model's rules again for sizes it left unknown", () => {
    // Each case wraps a model of its own: a model applied again must take its first call's shapes.
    const features = () => {
      const images = input({ shape: [null, null, 1] });
      return model({ inputs: images, outputs: images.conv2d({ filters: 2, kernelSize: 3 }).globalMaxPooling2d() });
    };
    const x = input({ shape: [8, 8, 1] });
    const outer = model({ inputs: x, outputs: features().apply(x).dense({ units: 1 }) });
    expect(outer.summaryData().rows[1].outputShape).toEqual([null, 2]);
    // While defining, a nested model's outputs keep its own shapes (its type says the same).
    const spatial = () => {
      const images = input({ shape: [null, null, 1] });
      return model({ inputs: images, outputs: images.conv2d({ filters: 2, kernelSize: 3 }) });
    };
    const y = spatial().apply(x);
    expect(y.shape).toEqual([null, null, null, 2]);
    // When data arrives, the sizes flow on: a too-small image is refused by the layer after the nested model.
    const small = input({ shape: [null, null, 1] });
    const chained = model({ inputs: small, outputs: spatial().apply(small).conv2d({ filters: 1, kernelSize: 3 }) });
    expect(chained.predict(tensor([1, 5, 5, 1])).shape).toEqual([1, 1, 1, 1]);
    expect(() => chained.predict(tensor([1, 4, 4, 1]))).toThrow("shapewise: conv2d kernelSize 3 is larger than input height 2 with padding 'valid'");
    expect(outer.predict(tensor([1, 8, 8, 1])).shape).toEqual([1, 1]);
    expect(() => features().apply(input({ shape: [2, 2, 1] }))).toThrow("shapewise: conv2d kernelSize 3 is larger than input height 2 with padding 'valid'");
    const loose = input({ shape: [null, null, 1] });
    const anySize = model({ inputs: loose, outputs: features().apply(loose) });
    expect(() => anySize.predict(tensor([1, 2, 2, 1]))).toThrow("shapewise: conv2d kernelSize 3 is larger than input height 2 with padding 'valid'");
  });

  it("refuses tensors of another shape", () => {
    const i = input({ shape: [3] });
    const inner = model({ inputs: i, outputs: i.dense({ units: 2 }) });
    expect(() => inner.apply(input({ shape: [4] }) as never)).toThrow("shapewise: a model applied as a layer expects input shape [null, 3], got [null, 4]");
    expect(() => inner.apply(3 as never)).toThrow(ShapeError);
  });
});

describe("layers as values", () => {
  it("one layer applied twice: one set of weights, counted once, two connections; same numbers as TensorFlow.js", () => {
    const a = input({ shape: [8] });
    const b = input({ shape: [8] });
    const shared = layers.dense({ units: 4, activation: "tanh" });
    const m = model({ inputs: [a, b], outputs: concatenate([shared.apply(a), shared.apply(b)]) });
    expect(m.countParams()).toBe(36);
    expect(m.layers.map((l) => l.name)).toEqual(["input_1", "input_2", "dense", "concatenate"]);
    const dense = m.summaryData().rows[2];
    expect(dense.inbound.map((c) => `${c.layer.keras2}[${c.nodeIndex}][${c.tensorIndex}]`)).toEqual(["input_1[0][0]", "input_2[0][0]"]);
    expect(m.summaryData().rows[3].inbound.map((c) => `${c.layer.keras2}[${c.nodeIndex}]`)).toEqual(["dense[0]", "dense[1]"]);
    randomiseBiases(m);
    const x1 = random([3, 8], 11);
    const x2 = random([3, 8], 12);
    const y = m.predict([tensor([3, 8], x1.data), tensor([3, 8], x2.data)]);
    const ta = tf.input({ shape: [8] });
    const tb = tf.input({ shape: [8] });
    const td = tf.layers.dense({ units: 4, activation: "tanh" });
    const tfModel = tf.model({
      inputs: [ta, tb],
      outputs: tf.layers.concatenate().apply([td.apply(ta), td.apply(tb)] as tf.SymbolicTensor[]) as tf.SymbolicTensor,
    });
    expect(tfModel.countParams()).toBe(36);
    const [expected] = tfPredict(tfModel, m.getWeights(), [x1, x2]);
    expectClose(y.data, expected, "shared dense vs TF.js");
    tfModel.dispose();
  });

  it("a recurrent value gives its states on every call, and a later call must bring the first call's shape", () => {
    const lstm = layers.lstm({ units: 3, returnState: true });
    const first = lstm.apply(input({ shape: [5, 2] }));
    const second = lstm.apply(input({ shape: [5, 2] }));
    expect(Array.isArray(first) && Array.isArray(second) && second.length).toBe(3);
    const shared = layers.dense({ units: 2 });
    shared.apply(input({ shape: [8] }));
    expect(() => shared.apply(input({ shape: [9] }))).toThrow(
      "shapewise: shared layer dense was first applied to [null, 8] and takes the same shapes again, got [null, 9]",
    );
    expect(() => layers.dense({ units: 2 }).apply(3 as never)).toThrow("shapewise: layers.dense(...).apply expects a symbolic tensor, got 3");
    expect(() => layers.dense({ units: 0 }).apply(input({ shape: [2] }))).toThrow("shapewise: dense units must be a positive integer, got 0");
  });
});

describe("the functional API guide's other models, through the model API", () => {
  it("mnist_model prints every reference style byte for byte", () => {
    const inputs = input({ shape: [784] });
    const outputs = inputs.dense({ units: 64, activation: "relu" }).dense({ units: 64, activation: "relu" }).dense({ units: 10 });
    const m = model({ inputs, outputs, name: "mnist_model" });
    for (const era of ["2.6", "2.12", "2.15"] as const) {
      expect(m.summary({ ...silent, keras2Era: era })).toBe(fixture(`keras_io_functional_mnist_model.keras2-${era}`));
    }
    expect(m.summary({ ...silent, style: "keras3" })).toBe(fixture("keras_io_functional_mnist_model.keras3-76"));
    expect(m.summary({ ...silent, style: "keras3", lineLength: 88 })).toBe(fixture("keras_io_functional_mnist_model.keras3-wide"));
    expect(m.summary({ ...silent, style: "tfjs" })).toBe(fixture("keras_io_functional_mnist_model.tfjs"));
  });

  it("the encoder and the autoencoder share their first layers and print the Keras 3 tables", () => {
    const encoderInput = input({ shape: [28, 28, 1], name: "img" });
    const encoderOutput = encoderInput
      .conv2d({ filters: 16, kernelSize: 3, activation: "relu" })
      .conv2d({ filters: 32, kernelSize: 3, activation: "relu" })
      .maxPooling2d({ poolSize: 3 })
      .conv2d({ filters: 32, kernelSize: 3, activation: "relu" })
      .conv2d({ filters: 16, kernelSize: 3, activation: "relu" })
      .globalMaxPooling2d();
    const encoder = model({ inputs: encoderInput, outputs: encoderOutput, name: "encoder" });
    const decoderOutput = encoderOutput
      .reshape({ targetShape: [4, 4, 1] })
      .conv2dTranspose({ filters: 16, kernelSize: 3, activation: "relu" })
      .conv2dTranspose({ filters: 32, kernelSize: 3, activation: "relu" })
      .upSampling2d({ size: 3 })
      .conv2dTranspose({ filters: 16, kernelSize: 3, activation: "relu" })
      .conv2dTranspose({ filters: 1, kernelSize: 3, activation: "relu" });
    const autoencoder = model({ inputs: encoderInput, outputs: decoderOutput, name: "autoencoder" });
    expect(encoder.summary({ ...silent, style: "keras3" })).toBe(fixture("keras_io_encoder.keras3-76"));
    expect(autoencoder.summary({ ...silent, style: "keras3" })).toBe(fixture("keras_io_autoencoder.keras3-76"));
  });
});

describe("layers with several outputs in summaries", () => {
  it("print the list of their output shapes, as each framework prints a list", () => {
    const x = input({ shape: [5, 2] });
    const [o, h, c] = x.lstm({ units: 3, returnState: true });
    const m = model({ inputs: x, outputs: [o, h, c], shared: o });
    expect(m.countParams()).toBe(72);
    expect(m.summaryData().rows[1].outputShapes).toEqual([
      [null, 3],
      [null, 3],
      [null, 3],
    ]);
    expect(m.summary({ ...silent, style: "keras3" })).toContain("│ lstm (LSTM)                     │ [(None, 3), (None, 3), │            72 │");
    expect(m.summary({ ...silent })).toContain(" lstm (LSTM)                 [(None, 3),               72");
    expect(m.summary({ ...silent, style: "tfjs" })).toContain("[[null,3],[null,3],[null,");
  });
});
