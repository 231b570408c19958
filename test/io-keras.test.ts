/**
 * Keras 3 `to_json` both ways: seed Model A's text equals Keras 3.15.1's
 * byte for byte; every catalog family written and read back gives the same
 * layers (class, name, config), shapes, totals and predictions; Keras's own
 * text reads into the model it describes; bad documents are refused.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

import { ShapeError, add, clearSession, concatenate, dot, input, model, multiply, sequential, subtract, tensor } from "../src/index.js";
import type { Tensor } from "../src/index.js";
import type { AnyModel } from "../src/io/file-graph.js";
import { modelFromKerasJSON } from "../src/io/keras/json-read.js";
import { pythonFloat } from "../src/io/keras/json-writers.js";
import { toKerasJSON } from "../src/io/keras/json-write.js";
import { createRandom } from "../src/kernels/random.js";
import { expectClose } from "./support/compare.js";
import { seedModel } from "./support/seed-models.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const seedA = JSON.parse(readFileSync(path.join(here, "fixtures/io/seed-model-a.json"), "utf8"));

function predict(m: AnyModel, xs: Tensor[]): Float32Array[] {
  const y = (m.predict as unknown as (x: unknown) => Tensor | Tensor[] | Record<string, Tensor>)(xs.length === 1 ? xs[0] : xs);
  const list = Array.isArray(y) ? y : "data" in y ? [y as Tensor] : Object.values(y);
  return list.map((t) => t.data);
}

function randomInput(shape: readonly (number | null)[], seed: number, below?: number): Tensor {
  const random = createRandom(seed);
  const dims = shape.map((d, i) => (i === 0 ? 2 : (d ?? 3)));
  const size = dims.reduce((p, d) => p * d, 1);
  return tensor(
    dims,
    new Float32Array(size).map(() => (below === undefined ? 2 * random.next() - 1 : Math.floor(random.next() * below))),
  ) as Tensor;
}

describe("toKerasJSON", () => {
  it("writes seed Model A as Keras 3.15.1's model.to_json() text, byte for byte (Keras 3 names)", () => {
    clearSession();
    const m = seedModel("valid", "sequential");
    expect(toKerasJSON(m, { names: "keras3" })).toBe(seedA.keras3_to_json_text);
    // The method on Model is the same writer.
    expect(m.toKerasJSON({ names: "keras3" })).toBe(seedA.keras3_to_json_text);
  });

  it("spells floats as Python's repr does", () => {
    expect([1, 0.001, 1e-7, 0.99, 1e-5, 0.0001, 123456789012345680000, -2.5, 1e16, 0].map(pythonFloat)).toEqual([
      "1.0",
      "0.001",
      "1e-07",
      "0.99",
      "1e-05",
      "0.0001",
      "1.2345678901234568e+20",
      "-2.5",
      "1e+16",
      "0.0",
    ]);
  });
});

describe("modelFromKerasJSON", () => {
  it("reads Keras 3's own text of seed Model A into the model it describes", () => {
    const m = modelFromKerasJSON(seedA.keras3_to_json_text);
    expect(m.kind).toBe("sequential");
    expect(m.name).toBe("sequential");
    expect(m.layers.map((l) => `${l.name}:${l.className}`)).toEqual([
      "input_layer:InputLayer",
      "conv2d:Conv2D",
      "max_pooling2d:MaxPooling2D",
      "conv2d_1:Conv2D",
      "max_pooling2d_1:MaxPooling2D",
      "conv2d_2:Conv2D",
      "flatten:Flatten",
      "dense:Dense",
    ]);
    expect(m.countParams()).toBe(104202);
    expect(m.outputShape).toEqual([null, 10]);
  });

  const cases: { name: string; build: () => AnyModel; below?: number }[] = [
    {
      name: "convolutions of every kind",
      build: () => {
        const x = input({ shape: [10, 9, 4] });
        const y = x
          .conv2d({ filters: 4, kernelSize: 3, groups: 2, padding: "same", activation: "gelu" })
          .separableConv2d({ filters: 3, kernelSize: 2, depthMultiplier: 2 })
          .depthwiseConv2d({ kernelSize: 2, useBias: false })
          .conv2dTranspose({ filters: 2, kernelSize: 3, strides: 2, outputPadding: 1 })
          .conv2d({ filters: 2, kernelSize: 2, dataFormat: "channelsFirst" })
          .flatten();
        return model({ inputs: x, outputs: y });
      },
    },
    {
      name: "1-D and 3-D families",
      build: () => {
        const x = input({ shape: [12, 3] });
        const y = x
          .conv1d({ filters: 4, kernelSize: 3, padding: "causal", dilationRate: 2 })
          .separableConv1d({ filters: 3, kernelSize: 2 })
          .depthwiseConv1d({ kernelSize: 2 })
          .conv1dTranspose({ filters: 2, kernelSize: 2, strides: 2 })
          .zeroPadding1d({ padding: [1, 2] })
          .cropping1d({ cropping: [1, 1] })
          .upSampling1d({ size: 2 })
          .maxPooling1d()
          .averagePooling1d({ poolSize: 3, strides: 1 })
          .spatialDropout1d({ rate: 0.1 })
          .globalAveragePooling1d({ keepdims: true });
        return sequential({ inputs: x, outputs: y });
      },
    },
    {
      name: "3-D volumes",
      build: () => {
        const x = input({ shape: [6, 6, 6, 2] });
        const y = x
          .conv3d({ filters: 2, kernelSize: 2 })
          .zeroPadding3d()
          .cropping3d()
          .upSampling3d({ size: [1, 2, 1] })
          .maxPooling3d()
          .conv3dTranspose({ filters: 2, kernelSize: 2 })
          .averagePooling3d({ poolSize: 1 })
          .globalMaxPooling3d();
        return model({ inputs: x, outputs: y });
      },
    },
    {
      name: "normalisation, activations, preprocessing",
      build: () => {
        const x = input({ shape: [8, 6, 3] });
        const y = x
          .normalization({ mean: [0.5, 0.2, 0.1], variance: [1, 2, 0.5] })
          .rescaling({ scale: 0.5, offset: 0.25 })
          .resizing({ height: 6, width: 4, interpolation: "nearest" })
          .centerCrop({ height: 4, width: 4 })
          .batchNormalization({ momentum: 0.9, epsilon: 1e-5 })
          .layerNormalization({ axis: [-2, -1] })
          .reLU({ maxValue: 6, negativeSlope: 0.1, threshold: 0.05 })
          .leakyReLU({ alpha: 0.2 })
          .pReLU({ sharedAxes: [1, 2] })
          .elu({ alpha: 0.5 })
          .softmax({ axis: [1, 2] })
          .spatialDropout2d({ rate: 0.2, seed: 3 })
          .gaussianNoise({ stddev: 0.1 })
          .gaussianDropout({ rate: 0.2, seed: 4 })
          .alphaDropout({ rate: 0.1 })
          .activityRegularization({ l1: 0.01 })
          .globalAveragePooling2d()
          .dropout({ rate: 0.5 })
          .activation("hard_sigmoid");
        return model({ inputs: x, outputs: y });
      },
    },
    {
      name: "recurrent layers, wrappers, attention and an embedding",
      below: 6,
      build: () => {
        const x = input({ shape: [5] });
        const e = x.embedding({ inputDim: 6, outputDim: 4 });
        const s = e.lstm({ units: 4, returnSequences: true }).gru({ units: 4, returnSequences: true });
        const b = s.bidirectional((t) => t.simpleRNN({ units: 2, returnSequences: true }), { mergeMode: "ave" });
        const a = b.multiHeadAttention({ numHeads: 2, keyDim: 3, value: s });
        const y = a
          .timeDistributed((t) => t.dense({ units: 2 }))
          .reshape({ targetShape: [-1] })
          .repeatVector({ n: 2 })
          .permute({ dims: [2, 1] });
        return model({ inputs: x, outputs: y });
      },
    },
    {
      name: "a graph with three inputs, merges and a record of outputs",
      build: () => {
        const a = input({ shape: [4], name: "a" });
        const b = input({ shape: [4], name: "b" });
        const c = input({ shape: [4], name: "c" });
        const s = add([a, b, c]);
        const d = subtract([a, b]);
        const cat = concatenate([multiply([s, d]), c], { axis: -1 });
        return model({ inputs: [a, b, c], outputs: { sum: cat.dense({ units: 2 }), dot: dot([a, b], { axes: 1, normalize: true }) } });
      },
    },
  ];

  for (const c of cases) {
    it(`${c.name}: written and read back with the same layers, configs, totals and predictions`, () => {
      clearSession();
      const m = c.build();
      const text = toKerasJSON(m);
      const back = modelFromKerasJSON(text);
      expect(back.kind).toBe(m.kind);
      expect(back.name).toBe(m.name);
      expect(back.layers.map((l) => [l.className, l.name, l.getConfig()])).toEqual(m.layers.map((l) => [l.className, l.name, l.getConfig()]));
      expect(back.countParams()).toBe(m.countParams());
      expect(back.outputShape).toEqual(m.outputShape);
      expect(toKerasJSON(back)).toBe(text);
      back.setWeights(m.getWeights());
      const xs = m.graph().inputs.map((r, i) => randomInput(r.shape, 5 + i, c.below));
      const expected = predict(m, xs);
      predict(back, xs).forEach((y, i) => expectClose(y, expected[i], `${c.name} output ${i}`, 0));
    });
  }

  it("refuses unknown classes, prototype keys and bad shapes with a sentence", () => {
    const text: string = seedA.keras3_to_json_text;
    const refusals: [string, RegExp][] = [
      [text.replace('"class_name": "Flatten"', '"class_name": "Lambda"'), /unknown layer class 'Lambda'/],
      [text.replace('"units": 10', '"__proto__": {"x": 1}, "units": 10'), /forbidden key '__proto__'/],
      [
        text.replace('"batch_shape": [null, 28, 28, 1]', '"batch_shape": [null, 28, -28, 1]'),
        /input layer 'input_layer' shape sizes must be positive integers or null/,
      ],
      [text.replace('"filters": 32', '"filters": 1e12'), /layers hold \d+ parameters .* more than the limit/],
      [
        text.replace(
          '"kernel_size": [3, 3], "strides": [1, 1], "padding": "valid", "data_format": "channels_last", "dilation_rate": [1, 1], "groups": 1, "activation": "relu"',
          '"kernel_size": [30, 30]',
        ),
        /conv2d kernelSize 30 is larger than input height 28/,
      ],
      [text.replace('"units": 10', '"units": 10, "lora_rank": 4'), /lora_rank 4 is not supported/],
      ["[1, 2", /Keras JSON is not valid JSON/],
    ];
    for (const [bad, message] of refusals) {
      expect(() => modelFromKerasJSON(bad), String(message)).toThrow(ShapeError);
      expect(() => modelFromKerasJSON(bad)).toThrow(message);
    }
  });
});
