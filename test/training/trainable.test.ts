/**
 * Keras's `trainable` flag and training-mode state: a frozen layer keeps its
 * weights through `fit` and counts as non-trainable in the summary; a frozen
 * batch normalisation runs in inference mode (moving statistics untouched),
 * a trained one moves them; an activity regulariser's loss is part of the
 * loss a step reports.
 */
import { describe, expect, it } from "vitest";
import { clearSession, input, model, optimizers } from "../../src/node/index.js";
import type { Model, Tensor } from "../../src/index.js";
import { createRandom } from "../../src/kernels/random.js";
import type { Layer } from "../../src/layers/layer.js";
import { randomTensor } from "../support/layer-harness.js";

function network(): Model {
  clearSession();
  const i = input({ shape: [4] });
  return model({ inputs: i, outputs: i.dense({ units: 5, activation: "relu" }).batchNormalization().dense({ units: 2 }), seed: 3 }) as unknown as Model;
}

const layersOf = (m: Model): Layer[] => (m as unknown as { layers: Layer[] }).layers;
const copy = (m: Model) => layersOf(m).map((l) => (l.weights ?? []).map((w) => w.data.slice()));

describe("trainable flags", () => {
  const x = randomTensor([16, 4], createRandom(1), -1, 1) as Tensor<[16, 4]>;
  const y = randomTensor([16, 2], createRandom(2), -1, 1) as Tensor<[16, 2]>;

  it("a frozen dense layer and a frozen batch normalisation keep every weight; the rest train; the summary counts follow", async () => {
    const m = network();
    const [, dense, bn] = layersOf(m);
    const before = m.summaryData();
    dense.trainable = false;
    bn.trainable = false;
    const after = m.summaryData();
    expect(before.trainableParams).toBe(25 + 10 + 12);
    expect(after.trainableParams).toBe(12);
    expect(after.nonTrainableParams).toBe(before.nonTrainableParams + 25 + 10);
    const start = copy(m);
    const c = m.compile({ optimizer: optimizers.sgd({ learningRate: 0.1 }), loss: "meanSquaredError" });
    await c.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0 });
    const end = copy(m);
    expect(end[1]).toEqual(start[1]);
    expect(end[2]).toEqual(start[2]);
    expect(end[3][0]).not.toEqual(start[3][0]);
  });

  it("a trained batch normalisation moves its moving statistics by 1 - momentum towards the batch's", async () => {
    const m = network();
    const [, dense, bn] = layersOf(m);
    dense.trainable = false;
    const start = copy(m);
    const c = m.compile({ optimizer: optimizers.sgd({ learningRate: 1e-3 }), loss: "meanSquaredError" });
    c.trainOnBatch(x, y);
    const h = dense.call(x);
    const channels = 5;
    for (let ch = 0; ch < channels; ch++) {
      let mean = 0;
      for (let b = 0; b < 16; b++) mean += h.data[b * channels + ch] / 16;
      let variance = 0;
      for (let b = 0; b < 16; b++) variance += (h.data[b * channels + ch] - mean) ** 2 / 16;
      expect(bn.weights![2].data[ch]).toBeCloseTo(0.99 * start[2][2][ch] + 0.01 * mean, 6);
      expect(bn.weights![3].data[ch]).toBeCloseTo(0.99 * start[2][3][ch] + 0.01 * variance, 6);
    }
  });

  it("an activity regulariser's loss is added to the loss a step reports", () => {
    const build = (l2: number) => {
      clearSession();
      const i = input({ shape: [4] });
      return model({ inputs: i, outputs: i.dense({ units: 2 }).activityRegularization({ l2 }), seed: 3 });
    };
    const plain = build(0).compile({ optimizer: optimizers.sgd({ learningRate: 1e-3 }), loss: "meanSquaredError" });
    const regularised = build(0.5);
    const out = regularised.predict(x).data;
    const penalty = 0.5 * out.reduce((s, v) => s + v * v, 0);
    const loss = regularised.compile({ optimizer: optimizers.sgd({ learningRate: 1e-3 }), loss: "meanSquaredError" }).trainOnBatch(x, y).loss;
    expect(loss).toBeCloseTo(plain.trainOnBatch(x, y).loss + penalty, 4);
  });
});
