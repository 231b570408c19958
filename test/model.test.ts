/**
 * Models built through the public API: names, shapes, parameter counts and
 * every summary text of the references, byte for byte.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { clearSession, input, model, sequential } from "../src/index.js";
import type { SummaryOptions } from "../src/index.js";
import { repoRoot } from "./support/tsc.js";
import { seedChain } from "./support/seed-models.js";

function fixture(name: string): string {
  return readFileSync(path.join(repoRoot, "test/fixtures/summaries", `${name}.txt`), "utf8");
}

const silent: SummaryOptions = { printFn: () => {} };

function mnistConvnet() {
  const inputs = input({ shape: [28, 28, 1] });
  const outputs = inputs
    .conv2d({ filters: 32, kernelSize: [3, 3], activation: "relu" })
    .maxPooling2d({ poolSize: [2, 2] })
    .conv2d({ filters: 64, kernelSize: [3, 3], activation: "relu" })
    .maxPooling2d({ poolSize: [2, 2] })
    .flatten()
    .dropout({ rate: 0.5 })
    .dense({ units: 10, activation: "softmax" });
  return { inputs, outputs };
}

function lenet5() {
  const inputs = input({ shape: [32, 32, 1] });
  const outputs = inputs
    .conv2d({ filters: 6, kernelSize: 5, activation: "tanh" })
    .averagePooling2d({ poolSize: 2 })
    .conv2d({ filters: 16, kernelSize: 5, activation: "tanh" })
    .averagePooling2d({ poolSize: 2 })
    .flatten()
    .dense({ units: 120, activation: "tanh" })
    .dense({ units: 84, activation: "tanh" })
    .dense({ units: 10, activation: "softmax" });
  return { inputs, outputs };
}

function functionalMnist() {
  const inputs = input({ shape: [784] });
  const outputs = inputs.dense({ units: 64, activation: "relu" }).dense({ units: 64, activation: "relu" }).dense({ units: 10 });
  return { inputs, outputs };
}

const styles: [string, SummaryOptions][] = [
  ["keras2-2.12", {}],
  ["keras2-2.6", { keras2Era: "2.6" }],
  ["keras2-2.15", { keras2Era: "2.15" }],
  ["keras3-76", { style: "keras3" }],
  ["tfjs", { style: "tfjs" }],
];

beforeEach(() => clearSession());

describe("the seed models", () => {
  it("Model B, built after Model A in one process, prints the expected tf.keras 2 table", () => {
    const a = seedChain("valid");
    const modelA = model(a);
    const b = seedChain("same");
    const modelB = model(b);
    const printed: string[] = [];
    const text = modelB.summary({ printFn: (line) => printed.push(line) });
    const expected = [
      'Model: "model_1"',
      "_________________________________________________________________",
      " Layer (type)                Output Shape              Param #   ",
      "=================================================================",
      " input_2 (InputLayer)        [(None, 28, 28, 1)]       0         ",
      "                                                                 ",
      " conv2d_3 (Conv2D)           (None, 28, 28, 32)        320       ",
      "                                                                 ",
      " max_pooling2d_2 (MaxPooling  (None, 14, 14, 32)       0         ",
      " 2D)                                                             ",
      "                                                                 ",
      " conv2d_4 (Conv2D)           (None, 12, 12, 64)        18496     ",
      "                                                                 ",
      " max_pooling2d_3 (MaxPooling  (None, 6, 6, 64)         0         ",
      " 2D)                                                             ",
      "                                                                 ",
      " conv2d_5 (Conv2D)           (None, 4, 4, 128)         73856     ",
      "                                                                 ",
      " flatten_1 (Flatten)         (None, 2048)              0         ",
      "                                                                 ",
      " dense_1 (Dense)             (None, 10)                20490     ",
      "                                                                 ",
      "=================================================================",
      "Total params: 113,162",
      "Trainable params: 113,162",
      "Non-trainable params: 0",
      "_________________________________________________________________",
    ];
    expect(printed).toEqual(expected);
    expect(text).toBe(`${expected.join("\n")}\n`);
    expect(modelA.name).toBe("model");
    expect(modelB.name).toBe("model_1");
    expect(modelA.countParams()).toBe(104202);
    expect(modelB.countParams()).toBe(113162);
    expect(modelA.outputShape).toEqual([null, 10]);
    expect(modelB.inputShape).toEqual([null, 28, 28, 1]);
    expect(modelA.layers.map((l) => l.name)).toEqual(["input_1", "conv2d", "max_pooling2d", "conv2d_1", "max_pooling2d_1", "conv2d_2", "flatten", "dense"]);
  });

  it("Model A prints its own table in the same layout", () => {
    const text = model(seedChain("valid")).summary(silent);
    expect(text).toContain(" input_1 (InputLayer)        [(None, 28, 28, 1)]       0         \n");
    expect(text).toContain(
      " max_pooling2d (MaxPooling2D  (None, 13, 13, 32)       0         \n )                                                               \n",
    );
    expect(text).toContain("Total params: 104,202\n");
  });

  it.each(["A", "B"] as const)("Model %s as a Sequential reproduces every reference style", (which) => {
    for (const [style, options] of styles.concat([["keras3-wide", { style: "keras3", lineLength: 88 }]])) {
      clearSession();
      const m = sequential(seedChain(which === "A" ? "valid" : "same"));
      expect(m.summary({ ...options, ...silent }), style).toBe(fixture(`seed_model_${which}.${style}`));
    }
  });
});

describe("reference models", () => {
  it.each(styles.concat([["keras3-wide", { style: "keras3", lineLength: 88 }]]))("the Keras MNIST convnet, %s", (style, options) => {
    const m = sequential(mnistConvnet());
    expect(m.countParams()).toBe(34826);
    expect(m.summary({ ...options, ...silent })).toBe(fixture(`keras_io_mnist_convnet.${style}`));
  });

  it.each(styles)("LeNet-5 with average pooling, %s", (style, options) => {
    const m = sequential({ ...lenet5(), name: style === "keras3-76" ? "lenet5" : undefined });
    expect(m.countParams()).toBe(61706);
    expect(m.summary({ ...options, ...silent })).toBe(fixture(`lenet5_keras_variant.${style}`));
  });

  it.each(styles.concat([["keras3-wide", { style: "keras3", lineLength: 88 }]]))("the functional MNIST model with its input row, %s", (style, options) => {
    const m = model({ ...functionalMnist(), name: "mnist_model" });
    expect(m.countParams()).toBe(55050);
    expect(m.summary({ ...options, ...silent })).toBe(fixture(`keras_io_functional_mnist_model.${style}`));
  });
});

describe("names", () => {
  it("follow tf.keras 2 counters per class, and clearSession resets them", () => {
    const a = input({ shape: [4] });
    const b = input({ shape: [4] });
    expect([a.layerName, b.layerName]).toEqual(["input_1", "input_2"]);
    expect(a.dense({ units: 2 }).layerName).toBe("dense");
    expect(a.dense({ units: 2 }).layerName).toBe("dense_1");
    expect(a.dense({ units: 2, name: "head" }).layerName).toBe("head");
    expect(a.dense({ units: 2 }).layerName).toBe("dense_2");
    clearSession();
    expect(input({ shape: [4] }).dense({ units: 1 }).layerName).toBe("dense");
    expect(input({ shape: [4] }).layerName).toBe("input_2");
  });

  it("models count model and sequential separately", () => {
    expect(model(functionalMnist()).name).toBe("model");
    expect(sequential(functionalMnist()).name).toBe("sequential");
    expect(model(functionalMnist()).name).toBe("model_1");
    expect(model({ ...functionalMnist(), name: "mine" }).name).toBe("mine");
  });

  it("rejects two layers of one model with the same name", () => {
    const x = input({ shape: [4] });
    const y = x.dense({ units: 2, name: "same" }).dense({ units: 2, name: "same" });
    expect(() => model({ inputs: x, outputs: y })).toThrow("shapewise: model layer names must be unique, 'same' is used twice");
  });
});

describe("summary data first", () => {
  it("rows carry names, shapes and counts as data", () => {
    const m = model(seedChain("same"));
    const data = m.summaryData();
    expect(data.rows).toHaveLength(8);
    expect(data.rows[1]).toMatchObject({ className: "Conv2D", outputShape: [null, 28, 28, 32], params: 320, inputShapes: [[null, 28, 28, 1]] });
    expect(data.rows[1].names).toEqual({ keras2: "conv2d", keras3: "conv2d", tfjs: "conv2d_Conv2D1" });
    expect(data.rows[0].names).toEqual({ keras2: "input_1", keras3: "input_layer", tfjs: "input1" });
    expect(data.totalParams).toBe(113162);
    expect(data.sequentialLike).toBe(true);
  });

  it("summary options are checked", () => {
    const m = model(functionalMnist());
    expect(() => m.summary({ style: "keras4" as never })).toThrow('style must be one of "keras2", "keras3", "tfjs", got \'keras4\'');
    expect(() => m.summary({ lineLength: 0 })).toThrow("lineLength must be a positive integer, got 0");
    expect(() => m.summary({ positions: [0.5, 0.2, 1] })).toThrow("strictly increasing");
    expect(m.summary({ lineLength: 80, positions: [0.5, 0.8, 1], printFn: () => {} }).split("\n")[1]).toHaveLength(80);
  });
});
