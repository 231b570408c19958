/**
 * Keras's `trainable` flag and training-mode state: a frozen layer keeps its
 * weights through `fit` and counts as non-trainable in the summary; a frozen
 * batch normalisation runs in inference mode (moving statistics untouched),
 * a trained one moves them, once per call when it is called twice in a step;
 * a frozen layer inside a nested model counts as non-trainable in the outer
 * summary; an activity regulariser's loss is part of the loss a step reports.
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
  it("a nested model's row counts a frozen inner layer's weights as non-trainable, as Keras 3 does", () => {
    clearSession();
    const ii = input({ shape: [4] });
    const inner = model({ inputs: ii, outputs: ii.dense({ units: 5, name: "frozen_inner" }).dense({ units: 3 }), seed: 1, name: "inner" });
    const i = input({ shape: [4] });
    const outer = model({ inputs: i, outputs: inner.apply(i).dense({ units: 2 }), seed: 2 }) as unknown as Model;
    layersOf(inner as unknown as Model)[1].trainable = false;
    const data = outer.summaryData();
    const row = data.rows.find((r) => r.className === "Functional")!;
    expect([row.trainableParams, row.nonTrainableParams]).toEqual([18, 25]);
    expect([data.trainableParams, data.nonTrainableParams]).toEqual([18 + 8, 25]);
    // A frozen nested model freezes every layer inside it.
    (layersOf(outer)[1] as Layer).trainable = false;
    expect([outer.summaryData().trainableParams, outer.summaryData().nonTrainableParams]).toEqual([8, 43]);
  });

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
    // Divided by the batch of 16, as Keras 3 divides any activity regulariser's penalty.
    const penalty = (0.5 * out.reduce((s, v) => s + v * v, 0)) / 16;
    expect(penalty).toBeGreaterThan(1e-3);
    const compiled = regularised.compile({ optimizer: optimizers.sgd({ learningRate: 1e-3 }), loss: "meanSquaredError" });
    expect(compiled.evaluate(x, y, { verbose: 0 }).loss).toBeCloseTo(plain.evaluate(x, y, { verbose: 0 }).loss + penalty, 5);
    const loss = compiled.trainOnBatch(x, y).loss;
    expect(loss).toBeCloseTo(plain.trainOnBatch(x, y).loss + penalty, 5);
  });
});

describe("batch normalisation called twice in one step", () => {
  it("moves its statistics once per call, the second from the first's result, as Keras 3 assigns them", async () => {
    clearSession();
    const { layers } = await import("../../src/index.js");
    const i = input({ shape: [3] });
    const bn = layers.batchNormalization({ momentum: 0.5 });
    const m = model({ inputs: i, outputs: bn.apply(bn.apply(i)).dense({ units: 1 }), seed: 4 }) as unknown as Model;
    const x = randomTensor([6, 3], createRandom(7), -2, 3) as Tensor<[6, 3]>;
    const y = randomTensor([6, 1], createRandom(8), -1, 1) as Tensor<[6, 1]>;
    const norm = layersOf(m).find((l) => l.className === "BatchNormalization")!;
    const stats = (data: ArrayLike<number>) => {
      const mean = [0, 1, 2].map((c) => [0, 1, 2, 3, 4, 5].reduce((s, b) => s + data[b * 3 + c], 0) / 6);
      const variance = [0, 1, 2].map((c) => [0, 1, 2, 3, 4, 5].reduce((s, b) => s + (data[b * 3 + c] - mean[c]) ** 2, 0) / 6);
      return { mean, variance };
    };
    const first = stats(x.data);
    // The first call's output in training mode (gamma 1, beta 0), which the second call normalises.
    const y1 = Array.from(x.data, (v, k) => (v - first.mean[k % 3]) / Math.sqrt(first.variance[k % 3] + 1e-3));
    const second = stats(y1);
    m.compile({ optimizer: optimizers.sgd({ learningRate: 0.1 }), loss: "meanSquaredError" }).trainOnBatch(x, y);
    const [, , movingMean, movingVariance] = norm.weights!;
    for (let c = 0; c < 3; c++) {
      const mean1 = 0.5 * 0 + 0.5 * first.mean[c];
      const variance1 = 0.5 * 1 + 0.5 * first.variance[c];
      expect(movingMean.data[c]).toBeCloseTo(0.5 * mean1 + 0.5 * second.mean[c], 5);
      expect(movingVariance.data[c]).toBeCloseTo(0.5 * variance1 + 0.5 * second.variance[c], 5);
    }
  });
});
