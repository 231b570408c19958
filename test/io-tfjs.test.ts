/**
 * The TensorFlow.js layers-model format both ways, with TensorFlow.js itself
 * as the judge: shapewise writes a model, `tf.loadLayersModel` reads it and
 * predicts the same numbers; TensorFlow.js saves a model, shapewise reads it
 * with the same names and weights and predicts the same numbers, and writes
 * it back for TensorFlow.js again. Seed Model A's file is compared key for
 * key with the one TensorFlow.js 4.22 wrote.
 */
import path from "node:path";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";

import { add, clearSession, concatenate, input, model, sequential, tensor } from "../src/index.js";
import type { Tensor } from "../src/index.js";
import type { AnyModel as Model } from "../src/io/file-graph.js";
import { createRandom } from "../src/kernels/random.js";
import { modelFromTfjsArtifacts } from "../src/io/tfjs/read.js";
import { modelToTfjsArtifacts, tfjsModelJson } from "../src/io/tfjs/write.js";
import type { TfjsArtifacts } from "../src/io/tfjs/format.js";
import { expectClose } from "./support/compare.js";
import { seedModel } from "./support/seed-models.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const seedA = JSON.parse(readFileSync(path.join(here, "fixtures/io/seed-model-a.json"), "utf8"));

/**
 * Weights that differ everywhere: initial values scaled by 0.5 to 1.5 (so
 * sizes stay sane and variances positive) and zeros made small random
 * numbers, so a bias or a statistic in the wrong place shows.
 */
function randomize(m: Model, seed: number): void {
  const random = createRandom(seed);
  m.setWeights(m.getWeights().map((w) => ({ shape: w.shape, data: w.data.map((v) => (v === 0 ? 0.2 * (random.next() - 0.5) : v * (0.5 + random.next()))) })));
}

function randomInput(shape: readonly number[], seed: number, integersBelow?: number): Tensor {
  const random = createRandom(seed);
  const size = shape.reduce((p, d) => p * d, 1);
  const data = new Float32Array(size).map(() => (integersBelow === undefined ? 2 * random.next() - 1 : Math.floor(random.next() * integersBelow)));
  return tensor(shape as number[], data) as Tensor;
}

/** Batch shape of a model input with `null` sizes replaced. */
function concrete(shape: readonly (number | null)[], batch: number): number[] {
  return shape.map((d, i) => (i === 0 ? batch : (d ?? 4)));
}

async function tfjsFromArtifacts(a: TfjsArtifacts): Promise<tf.LayersModel> {
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: a.modelTopology, weightSpecs: a.weightSpecs, weightData: a.weightData }));
}

function tfjsPredict(m: tf.LayersModel, xs: Tensor[]): Float32Array[] {
  return tf.tidy(() => {
    const out = m.predict(xs.length === 1 ? tf.tensor(xs[0].data, [...xs[0].shape]) : xs.map((x) => tf.tensor(x.data, [...x.shape])));
    return (Array.isArray(out) ? out : [out]).map((t) => t.dataSync() as Float32Array);
  });
}

function shapewisePredict(m: Model, xs: Tensor[]): Float32Array[] {
  const y = (m.predict as unknown as (x: unknown) => unknown)(xs.length === 1 ? xs[0] : xs) as Tensor | Tensor[];
  return (Array.isArray(y) ? y : [y]).map((t) => t.data);
}

/** What TensorFlow.js hands a save handler. */
async function tfjsArtifacts(m: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let saved: tf.io.ModelArtifacts | undefined;
  await m.save(
    tf.io.withSaveHandler(async (a) => {
      saved = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
    }),
  );
  return saved!;
}

function weightBytes(a: tf.io.ModelArtifacts): Uint8Array {
  const d = a.weightData!;
  return new Uint8Array(Array.isArray(d) ? Buffer.concat(d.map((b) => Buffer.from(b))) : d);
}

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("shapewise -> TensorFlow.js", () => {
  it("writes seed Model A exactly as TensorFlow.js 4.22 does (key order included), names in the tfjs scheme", () => {
    clearSession();
    const m = seedModel("valid", "sequential");
    const a = modelToTfjsArtifacts(m, { names: "tfjs" });
    const json = tfjsModelJson(a, "./model.weights.bin");
    // Byte equality of the serialised text: same keys, same order, same values.
    expect(JSON.stringify(json)).toBe(JSON.stringify(seedA.tfjs_model_json));
    expect(a.weightData.byteLength).toBe(seedA.tfjs_weight_bytes);
  });

  const cases: { name: string; build: () => Model; indices?: number }[] = [
    {
      name: "seed Model B (functional, conv2d same, pooling, dense softmax)",
      build: () => {
        const x = input({ shape: [28, 28, 1] });
        const y = x
          .conv2d({ filters: 32, kernelSize: 3, activation: "relu", padding: "same" })
          .maxPooling2d({ poolSize: 2 })
          .conv2d({ filters: 64, kernelSize: 3, activation: "relu" })
          .maxPooling2d({ poolSize: 2 })
          .conv2d({ filters: 128, kernelSize: 3, activation: "relu" })
          .flatten()
          .dense({ units: 10, activation: "softmax" });
        return model({ inputs: x, outputs: y });
      },
    },
    {
      name: "1-D: conv1d dilated, pooling 1-D, global pooling, dense",
      build: () => {
        const x = input({ shape: [16, 3] });
        const y = x
          .conv1d({ filters: 4, kernelSize: 3, dilationRate: 2, padding: "same", activation: "elu" })
          .maxPooling1d({ poolSize: 2 })
          .averagePooling1d({ poolSize: 2, strides: 1, padding: "same" })
          .conv1d({ filters: 5, kernelSize: 2, strides: 2 })
          .globalMaxPooling1d();
        return model({ inputs: x, outputs: y });
      },
    },
    {
      name: "2-D catalog: separable (depthMultiplier 2), depthwise, batch norm, padding, cropping, up-sampling, transpose, global average",
      build: () => {
        const x = input({ shape: [9, 8, 3] });
        const y = x
          .separableConv2d({ filters: 4, kernelSize: 3, depthMultiplier: 2, padding: "same", activation: "relu6" })
          .depthwiseConv2d({ kernelSize: [2, 3], depthMultiplier: 2 })
          .batchNormalization({ epsilon: 0.01 })
          .zeroPadding2d({
            padding: [
              [1, 2],
              [0, 1],
            ],
          })
          .cropping2d({
            cropping: [
              [1, 0],
              [2, 1],
            ],
          })
          .upSampling2d({ size: [2, 1] })
          .averagePooling2d({ poolSize: 2, padding: "same" })
          .conv2dTranspose({ filters: 3, kernelSize: 3, strides: 2, padding: "same", activation: "sigmoid" })
          .globalAveragePooling2d();
        return model({ inputs: x, outputs: y });
      },
    },
    {
      name: "3-D: conv3d, pooling 3-D, conv3dTranspose, flatten, dense",
      build: () => {
        const x = input({ shape: [6, 6, 5, 2] });
        const y = x
          .conv3d({ filters: 3, kernelSize: 2, activation: "tanh" })
          .maxPooling3d({ poolSize: [2, 2, 1] })
          .averagePooling3d({ poolSize: 1 })
          .conv3dTranspose({ filters: 2, kernelSize: 2, strides: 2 })
          .flatten()
          .dense({ units: 3 });
        return model({ inputs: x, outputs: y });
      },
    },
    {
      name: "reshaping and activation layers: reshape -1, permute, repeatVector, reLU maxValue, leakyReLU, pReLU shared axes, softmax, layer norm",
      build: () => {
        const x = input({ shape: [4, 6] });
        const y = x
          .reshape({ targetShape: [-1, 3] })
          .permute({ dims: [2, 1] })
          .reLU({ maxValue: 0.4 })
          .leakyReLU({ alpha: 0.2 })
          .pReLU({ sharedAxes: [1] })
          .layerNormalization({ epsilon: 0.001 })
          .dense({ units: 5, activation: "swish" })
          .softmax()
          .flatten()
          .repeatVector({ n: 2 })
          .activation("softplus")
          .dropout({ rate: 0.3 })
          .gaussianNoise({ stddev: 0.1 })
          .gaussianDropout({ rate: 0.2 })
          .alphaDropout({ rate: 0.1 })
          .spatialDropout1d({ rate: 0.2 })
          .elu()
          .rescaling({ scale: 2, offset: -1 });
        return sequential({ inputs: x, outputs: y });
      },
    },
    {
      name: "recurrent: embedding, simpleRNN, lstm, gru (resetAfter false), bidirectional, timeDistributed",
      indices: 7,
      build: () => {
        const x = input({ shape: [5] });
        const y = x
          .embedding({ inputDim: 7, outputDim: 3 })
          .simpleRNN({ units: 4, returnSequences: true })
          .lstm({ units: 3, returnSequences: true })
          .bidirectional((t) => t.gru({ units: 2, returnSequences: true, resetAfter: false }), { mergeMode: "sum" })
          .timeDistributed((t) => t.dense({ units: 3, activation: "relu" }))
          .bidirectional((t) => t.lstm({ units: 2, returnSequences: true }))
          .gru({ units: 2, resetAfter: false, goBackwards: true });
        return model({ inputs: x, outputs: y });
      },
    },
    {
      name: "a graph with two inputs and two outputs, Add and Concatenate",
      build: () => {
        const a = input({ shape: [6] });
        const b = input({ shape: [6] });
        const left = a.dense({ units: 4, activation: "relu" });
        const d = b.dense({ units: 4 });
        const s = add([left, d]);
        const c = concatenate([s, b.dense({ units: 2 })]);
        return model({ inputs: [a, b], outputs: [c.dense({ units: 3 }), s] });
      },
    },
  ];

  for (const c of cases) {
    it(`${c.name}: tf.loadLayersModel predicts the same to 1e-5`, async () => {
      clearSession();
      const m = c.build();
      randomize(m, 7);
      const shapes = m.graph().inputs.map((r) => concrete(r.shape, 3));
      const xs = shapes.map((s, i) => randomInput(s, 11 + i, c.indices));
      const a = modelToTfjsArtifacts(m);
      const theirs = await tfjsFromArtifacts(a);
      expect(theirs.layers.map((l) => l.name)).toEqual(m.kind === "sequential" ? m.layers.slice(1).map((l) => l.name) : m.layers.map((l) => l.name));
      expect(theirs.countParams()).toBe(m.countParams());
      const ours = shapewisePredict(m, xs);
      const got = tfjsPredict(theirs, xs);
      expect(got.length).toBe(ours.length);
      got.forEach((g, i) => expectClose(g, ours[i], `${c.name} output ${i}`, 1e-5));
      // Back again: the file TensorFlow.js reads is the file shapewise reads.
      const back = modelFromTfjsArtifacts(tfjsModelJson(a), new Uint8Array(a.weightData));
      // A TensorFlow.js Sequential has no input layer: reading one names it after its first layer, as TensorFlow.js does.
      const names = m.layers.map((l) => l.name);
      if (m.kind === "sequential") names[0] = `${names[1]}_input`;
      expect(back.layers.map((l) => l.name)).toEqual(names);
      expect(back.kind).toBe(m.kind);
      expect(back.countParams()).toBe(m.countParams());
      shapewisePredict(back, xs).forEach((y, i) => expectClose(y, ours[i], `${c.name} reloaded output ${i}`, 1e-6));
      theirs.dispose();
    });
  }
});

describe("TensorFlow.js -> shapewise -> TensorFlow.js", () => {
  const L = tf.layers;
  const cases: { name: string; build: () => tf.LayersModel; indices?: number }[] = [
    {
      name: "a Sequential convnet (TensorFlow.js names, no input layer)",
      build: () =>
        tf.sequential({
          layers: [
            L.conv2d({ inputShape: [10, 10, 2], filters: 4, kernelSize: 3, activation: "relu", padding: "same" }),
            L.maxPooling2d({ poolSize: 2 }),
            L.batchNormalization({}),
            L.depthwiseConv2d({ kernelSize: 2, depthMultiplier: 2 }),
            L.flatten(),
            L.dropout({ rate: 0.5 }),
            L.dense({ units: 5, activation: "softmax" }),
          ],
        }),
    },
    {
      name: "a functional graph with two inputs, a shared layer and merges",
      build: () => {
        const a = tf.input({ shape: [6], name: "left" });
        const b = tf.input({ shape: [6], name: "right" });
        const shared = L.dense({ units: 4, activation: "tanh", name: "shared" });
        const sa = shared.apply(a) as tf.SymbolicTensor;
        const sb = shared.apply(b) as tf.SymbolicTensor;
        const sum = L.add().apply([sa, sb]) as tf.SymbolicTensor;
        const cat = L.concatenate({ axis: -1 }).apply([sum, L.multiply().apply([sa, sb]) as tf.SymbolicTensor]) as tf.SymbolicTensor;
        const dot = L.dot({ axes: 1, normalize: true }).apply([sa, sb]) as tf.SymbolicTensor;
        return tf.model({
          inputs: [a, b],
          outputs: [L.dense({ units: 3 }).apply(cat) as tf.SymbolicTensor, dot, L.maximum().apply([sa, sb]) as tf.SymbolicTensor],
        });
      },
    },
    {
      name: "recurrent layers with sigmoid gates, wrappers and an embedding",
      indices: 9,
      build: () => {
        const x = tf.input({ shape: [5] });
        let y = L.embedding({ inputDim: 9, outputDim: 4 }).apply(x) as tf.SymbolicTensor;
        y = L.lstm({ units: 3, recurrentActivation: "sigmoid", returnSequences: true }).apply(y) as tf.SymbolicTensor;
        y = L.bidirectional({ layer: L.gru({ units: 2, recurrentActivation: "sigmoid", returnSequences: true }) as never, mergeMode: "concat" }).apply(
          y,
        ) as tf.SymbolicTensor;
        y = L.timeDistributed({ layer: L.dense({ units: 2 }) }).apply(y) as tf.SymbolicTensor;
        y = L.simpleRNN({ units: 3 }).apply(y) as tf.SymbolicTensor;
        return tf.model({ inputs: x, outputs: y });
      },
    },
  ];

  for (const c of cases) {
    it(`${c.name}: same names, weights and predictions (1e-5), and back to TensorFlow.js`, async () => {
      const theirs = c.build();
      // Weights that differ everywhere, biases included.
      const random = createRandom(3);
      theirs.setWeights(
        theirs.getWeights().map((w) =>
          tf.tensor(
            (w.dataSync() as Float32Array).map((v) => (v === 0 ? 0.2 * (random.next() - 0.5) : v * (0.5 + random.next()))),
            w.shape,
          ),
        ),
      );
      const saved = await tfjsArtifacts(theirs);
      const ours = modelFromTfjsArtifacts({ modelTopology: saved.modelTopology, weightSpecs: saved.weightSpecs }, weightBytes(saved));
      const theirNames = theirs.layers.map((l) => l.name);
      const ourNames = ours.layers.map((l) => l.name).filter((_n, i) => !(theirs instanceof tf.Sequential && i === 0));
      expect(ourNames).toEqual(theirNames);
      expect(ours.countParams()).toBe(theirs.countParams());
      // TensorFlow.js lists trainable weights before the others; compare by name.
      const theirWeights = new Map(theirs.weights.map((w) => [w.originalName, Array.from(w.read().dataSync())]));
      const written = modelToTfjsArtifacts(ours);
      const values = new Float32Array(written.weightData);
      let offset = 0;
      expect(written.weightSpecs.map((w) => w.name).sort()).toEqual([...theirWeights.keys()].sort());
      for (const spec of written.weightSpecs) {
        const size = spec.shape.reduce((p, d) => p * d, 1);
        expect(Array.from(values.subarray(offset, offset + size)), spec.name).toEqual(theirWeights.get(spec.name));
        offset += size;
      }
      const xs = theirs.inputs.map((t, i) => randomInput(concrete(t.shape, 2), 21 + i, c.indices));
      const expected = tfjsPredict(theirs, xs);
      shapewisePredict(ours, xs).forEach((y, i) => expectClose(y, expected[i], `${c.name} output ${i}`, 1e-5));
      // And back: TensorFlow.js reads what shapewise writes, with the names it started with.
      const again = await tfjsFromArtifacts(written);
      expect(again.layers.map((l) => l.name)).toEqual(theirNames);
      tfjsPredict(again, xs).forEach((y, i) => expectClose(y, expected[i], `${c.name} round trip output ${i}`, 1e-6));
      theirs.dispose();
      again.dispose();
    });
  }

  it("refuses TensorFlow.js's hard_sigmoid (its formula is not Keras 3's) with a sentence naming the layer", async () => {
    const m = tf.sequential({ layers: [L.lstm({ inputShape: [3, 2], units: 2 })] });
    const saved = await tfjsArtifacts(m);
    expect(() => modelFromTfjsArtifacts({ modelTopology: saved.modelTopology, weightSpecs: saved.weightSpecs }, weightBytes(saved))).toThrow(
      /shapewise: layer 'lstm_LSTM\d+' recurrent_activation 'hard_sigmoid' is clip\(0\.2x \+ 0\.5\) in TensorFlow\.js but relu6\(x \+ 3\) \/ 6 in Keras 3/,
    );
  });

  it("refuses to write layers TensorFlow.js would compute differently, naming layer and reason", () => {
    clearSession();
    const x = input({ shape: [8, 8, 4] });
    const cases: [() => unknown, RegExp][] = [
      [
        () => model({ inputs: x, outputs: x.conv2d({ filters: 4, kernelSize: 3, groups: 2 }) }),
        /layer 'conv2d' \(Conv2D\) for TensorFlow\.js: TensorFlow\.js ignores groups \(got 2\)/,
      ],
      [() => model({ inputs: x, outputs: x.globalAveragePooling2d({ keepdims: true }) }), /has no keepdims/],
      [() => model({ inputs: x, outputs: x.resizing({ height: 4, width: 4 }) }), /TensorFlow\.js 4\.22 has no Resizing layer/],
      [() => model({ inputs: x, outputs: x.conv2d({ filters: 2, kernelSize: 1, activation: "hard_sigmoid" }) }), /'hard_sigmoid' is clip\(0\.2x \+ 0\.5\)/],
      [
        () =>
          model({
            inputs: x,
            outputs: x
              .reshape({ targetShape: [256] })
              .dense({ units: 2 })
              .reshape({ targetShape: [2, 1] })
              .gru({ units: 2 }),
          }),
        /no GRU with resetAfter true/,
      ],
      [() => model({ inputs: x, outputs: x.flatten().flatten() }), /flattens only inputs of rank 3 or more/],
    ];
    for (const [build, message] of cases) expect(() => modelToTfjsArtifacts(build() as Model)).toThrow(message);
  });
});
