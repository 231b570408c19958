/**
 * Models applied as layers train through their inner layers: gradients of
 * every trainable weight against TensorFlow.js's (`tf.variableGrads` on the
 * same model loaded from shapewise's artifacts, same weights and data) for a
 * model applied once, twice (gradients summed over the calls), two levels
 * deep, with two outputs, and frozen whole or in part; one step of a nested
 * model equals one step of the same layers written flat, batch
 * normalisation's moving statistics included.
 */
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { add, clearSession, concatenate, input, model, optimizers, tensor } from "../../src/node/index.js";
import type { Model, Tensor } from "../../src/index.js";
import type { AnyModel } from "../../src/io/file-graph.js";
import { createRandom } from "../../src/kernels/random.js";
import { GRADIENT_TOL } from "../support/gradient-check.js";
import { asTfjs, compareGradients } from "../support/model-gradients.js";

/** A nested model's output as these tests use it: its sizes are checked at run time. */
interface Sym {
  dense(config: object): Sym;
  flatten(config?: object): Sym;
}
const applied = (m: unknown, x: unknown): Sym => (m as { apply: (t: unknown) => Sym }).apply(x);

/** Weights that differ everywhere (zero biases become small numbers), so a gradient in the wrong place shows. */
function randomize(m: AnyModel, seed: number): void {
  const random = createRandom(seed);
  m.setWeights(m.getWeights().map((w) => ({ shape: w.shape, data: w.data.map((v) => (v === 0 ? 0.2 * (random.next() - 0.5) : v * (0.5 + random.next()))) })));
}

function randomTensor(shape: number[], seed: number): Tensor {
  const random = createRandom(seed);
  return tensor(
    shape,
    new Float32Array(shape.reduce((p, d) => p * d, 1)).map(() => 2 * random.next() - 1),
  ) as Tensor;
}

/** An encoder with a batch normalisation (trained on batch statistics): 6 features to 3. */
function encoder(): Model {
  const x = input({ shape: [6], name: "enc_in" });
  return model({
    inputs: x,
    outputs: x
      .dense({ units: 5, activation: "tanh", name: "enc_hidden" })
      .batchNormalization({ name: "enc_norm" })
      .dense({ units: 3, activation: "sigmoid", name: "enc_code" }),
    name: "encoder",
  }) as unknown as Model;
}

function siamese(): { m: AnyModel; enc: Model } {
  clearSession();
  const enc = encoder();
  const a = input({ shape: [6], name: "left" });
  const b = input({ shape: [6], name: "right" });
  const joined = concatenate([applied(enc, a), applied(enc, b)] as never, { name: "joined" }) as unknown as Sym;
  const m = model({ inputs: [a, b], outputs: joined.dense({ units: 2, name: "same" }) as never, name: "siamese" }) as unknown as AnyModel;
  return { m, enc };
}

interface Case {
  readonly name: string;
  readonly build: () => AnyModel;
  readonly inputs: number[][];
  readonly outputs: number[][];
  /** Freezes parts of both models the same way before the gradients are taken. */
  readonly freeze?: (m: AnyModel, tm: tf.LayersModel) => void;
}

const cases: Case[] = [
  {
    name: "an encoder applied once",
    build: () => {
      clearSession();
      const enc = encoder();
      const a = input({ shape: [6], name: "features" });
      return model({
        inputs: a,
        outputs: applied(enc, a.dense({ units: 6, name: "pre" })).dense({ units: 2, name: "head" }) as never,
        name: "one",
      }) as unknown as AnyModel;
    },
    inputs: [[8, 6]],
    outputs: [[8, 2]],
  },
  {
    name: "a siamese model applying the encoder twice",
    build: () => siamese().m,
    inputs: [
      [5, 6],
      [5, 6],
    ],
    outputs: [[5, 2]],
  },
  {
    name: "the siamese model with its encoder's first layer frozen",
    build: () => siamese().m,
    inputs: [
      [5, 6],
      [5, 6],
    ],
    outputs: [[5, 2]],
    freeze: (m, tm) => {
      const enc = m.layers.find((l) => l.name === "encoder") as unknown as { model: AnyModel };
      enc.model.layers.find((l) => l.name === "enc_hidden")!.trainable = false;
      (tm.getLayer("encoder") as tf.LayersModel).getLayer("enc_hidden").trainable = false;
    },
  },
  {
    name: "a convolutional feature model two levels deep, the middle one applied twice",
    build: () => {
      clearSession();
      const x = input({ shape: [6, 6, 2], name: "img" });
      const features = model({
        inputs: x,
        outputs: x.conv2d({ filters: 3, kernelSize: 3, padding: "same", activation: "relu", name: "conv" }).maxPooling2d({ poolSize: 2, name: "pool" }),
        name: "features",
      });
      const y = input({ shape: [6, 6, 2], name: "mid_in" });
      const mid = model({ inputs: y, outputs: applied(features, y).flatten({ name: "flat" }).dense({ units: 4, name: "mid_dense" }) as never, name: "mid" });
      const a = input({ shape: [6, 6, 2], name: "a" });
      const b = input({ shape: [6, 6, 2], name: "b" });
      const sum = add([applied(mid, a), applied(mid, b)] as never, { name: "sum" }) as unknown as Sym;
      return model({ inputs: [a, b], outputs: sum.dense({ units: 3, name: "out" }) as never, name: "deep" }) as unknown as AnyModel;
    },
    inputs: [
      [3, 6, 6, 2],
      [3, 6, 6, 2],
    ],
    outputs: [[3, 3]],
  },
  {
    name: "a nested model with two outputs, each read by its own head",
    build: () => {
      clearSession();
      const x = input({ shape: [4], name: "two_in" });
      const h = x.dense({ units: 5, activation: "relu", name: "shared" });
      const two = model({ inputs: x, outputs: [h.dense({ units: 3, name: "first" }), h.dense({ units: 2, activation: "tanh", name: "second" })], name: "two" });
      const a = input({ shape: [4], name: "data" });
      const [p, q] = applied(two, a) as unknown as [Sym, Sym];
      return model({ inputs: a, outputs: [p.dense({ units: 2, name: "head_p" }), q] as never, name: "heads" }) as unknown as AnyModel;
    },
    inputs: [[6, 4]],
    outputs: [
      [6, 2],
      [6, 2],
    ],
  },
];

beforeAll(async () => {
  await tf.setBackend("cpu");
});

const worst: { name: string; difference: number }[] = [];
afterAll(() => {
  console.log(
    `nested models, gradients against TF.js (scaled by the largest reference gradient):\n${worst.map((w) => `  ${w.name.padEnd(80)} ${w.difference.toExponential(2)}`).join("\n")}`,
  );
});

describe("nested models train through their inner layers", () => {
  it.each(cases)("$name: every trainable weight's gradient matches tf.variableGrads", async (c) => {
    const m = c.build();
    randomize(m, 11);
    const tm = await asTfjs(m);
    c.freeze?.(m, tm);
    const xs = c.inputs.map((s, i) => randomTensor(s, 100 + i));
    const ys = c.outputs.map((s, i) => randomTensor(s, 200 + i));
    const difference = compareGradients(m, tm, xs, ys, c.name);
    worst.push({ name: c.name, difference });
    expect(difference).toBeLessThan(GRADIENT_TOL);
    tm.dispose();
  });

  it("a frozen nested model keeps every weight, moving statistics included, and has no trainable weight in the gradients", async () => {
    const { m } = siamese();
    randomize(m, 5);
    const enc = m.layers.find((l) => l.name === "encoder")!;
    enc.trainable = false;
    const inner = (enc as unknown as { model: AnyModel }).model;
    expect(inner.layers.every((l) => !l.trainable)).toBe(true);
    const tm = await asTfjs(m);
    tm.getLayer("encoder").trainable = false;
    const xs = [randomTensor([5, 6], 1), randomTensor([5, 6], 2)];
    const ys = [randomTensor([5, 2], 3)];
    // Keras 3 runs a frozen batch normalisation in inference mode; TensorFlow.js keeps batch statistics: compare only the weights' count here.
    expect(tm.trainableWeights.length).toBe(2);
    const before = inner.getWeights().map((w) => w.data.slice());
    const c = (m as unknown as Model).compile({ optimizer: optimizers.sgd({ learningRate: 0.5 }), loss: "meanSquaredError" });
    await c.fit(xs as never, ys[0] as never, { epochs: 2, batchSize: 5, verbose: 0 });
    inner.getWeights().forEach((w, i) => expect(w.data, `inner weight ${i}`).toEqual(before[i]));
    enc.trainable = true;
    expect(inner.layers.every((l) => l.trainable)).toBe(true);
    tm.dispose();
  });

  it("one SGD step of a nested model gives the same weights as the same layers written flat", () => {
    const build = (nested: boolean): AnyModel => {
      clearSession();
      const a = input({ shape: [6], name: "x" });
      if (!nested) {
        const out = a
          .dense({ units: 6, name: "pre" })
          .dense({ units: 5, activation: "tanh", name: "enc_hidden" })
          .batchNormalization({ name: "enc_norm" })
          .dense({ units: 3, activation: "sigmoid", name: "enc_code" })
          .dense({ units: 2, name: "head" });
        return model({ inputs: a, outputs: out }) as unknown as AnyModel;
      }
      const enc = encoder();
      return model({ inputs: a, outputs: applied(enc, a.dense({ units: 6, name: "pre" })).dense({ units: 2, name: "head" }) as never }) as unknown as AnyModel;
    };
    const flat = build(false);
    const nested = build(true);
    randomize(flat, 9);
    nested.setWeights(flat.getWeights());
    const x = randomTensor([8, 6], 1);
    const y = randomTensor([8, 2], 2);
    for (const m of [flat, nested])
      (m as unknown as Model).compile({ optimizer: optimizers.sgd({ learningRate: 0.3 }), loss: "meanSquaredError" }).trainOnBatch(x as never, y as never);
    const after = flat.getWeights();
    nested.getWeights().forEach((w, i) => {
      expect(w.shape).toEqual(after[i].shape);
      for (let k = 0; k < w.data.length; k++) expect(Math.abs(w.data[k] - after[i].data[k]), `weight ${i}[${k}]`).toBeLessThan(1e-6);
    });
    // The moving statistics moved (index 4 is the batch normalisation's moving mean).
    expect(Array.from(after[4].data)).not.toEqual(Array.from(new Float32Array(5)));
  });
});
