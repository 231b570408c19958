import { describe, expect, it } from "vitest";
import { clearSession, input, model, regularizers, tensor } from "../../src/node/index.js";
import type { Tensor } from "../../src/index.js";
import { createRandom } from "../../src/kernels/random.js";
import { randomTensor } from "../support/layer-harness.js";

/** Keras 3's evaluate adds the activity regularisers' penalties of the inference pass, as it adds the weights'. */
const x = randomTensor([8, 4], createRandom(4), -1, 1) as Tensor<[8, 4]>;
const y = tensor(
  [8, 2],
  Array.from({ length: 16 }, (_, k) => ((k * 7) % 5) / 5),
);

function mse(pred: Float32Array): number {
  let s = 0;
  for (let k = 0; k < pred.length; k++) s += (pred[k] - y.data[k]) ** 2;
  return s / pred.length;
}

describe("evaluate with activity regularisers", () => {
  it("adds l1 * sum|h| / batch of the hidden layer and l2 * sum(w^2) of the kernel to the loss", () => {
    clearSession();
    const i = input({ shape: [4] });
    const hidden = i.dense({ units: 3, activation: "tanh", activityRegularizer: regularizers.l1(0.05), name: "hidden" });
    const m = model({ inputs: i, outputs: hidden.dense({ units: 2, kernelRegularizer: regularizers.l2(0.02) }), seed: 7 });
    const [w1, b1, w2] = m.getWeights().map((w) => w.data);
    let activity = 0;
    for (let b = 0; b < 8; b++)
      for (let u = 0; u < 3; u++) {
        let h = b1[u];
        for (let k = 0; k < 4; k++) h += x.data[b * 4 + k] * w1[k * 3 + u];
        activity += Math.abs(Math.tanh(h));
      }
    const expected = mse(m.predict(x).data) + (0.05 * activity) / 8 + 0.02 * w2.reduce((s, v) => s + v * v, 0);
    const loss = m.compile({ optimizer: "sgd", loss: "meanSquaredError" }).evaluate(x, y, { verbose: 0 }).loss;
    expect(Math.abs(loss - expected)).toBeLessThan(1e-6);
  });

  it("counts a regulariser inside a nested model, per batch of evaluate", () => {
    clearSession();
    const ii = input({ shape: [4] });
    const inner = model({ inputs: ii, outputs: ii.dense({ units: 2, activityRegularizer: regularizers.l2(0.3) }), name: "inner", seed: 2 });
    const i = input({ shape: [4] });
    // A nested model's output: its shape is checked at run time here.
    const nestedOut = (inner as unknown as { apply(t: unknown): unknown }).apply(i);
    const m = model({ inputs: i, outputs: nestedOut as never, seed: 2 }) as unknown as {
      predict(t: unknown): Tensor;
      compile(c: object): { evaluate(x: unknown, y: unknown, o: object): { loss: number } };
    };
    const out = m.predict(x).data;
    // Batches of 3, 3 and 2: each penalty divided by its own batch size, then averaged over samples as Keras's evaluate does.
    let expected = 0;
    for (const [start, size] of [
      [0, 3],
      [3, 3],
      [6, 2],
    ]) {
      let mseB = 0;
      let sq = 0;
      for (let k = start * 2; k < (start + size) * 2; k++) {
        mseB += (out[k] - y.data[k]) ** 2;
        sq += out[k] * out[k];
      }
      expected += (mseB / (size * 2) + (0.3 * sq) / size) * size;
    }
    expected /= 8;
    const loss = m.compile({ optimizer: "sgd", loss: "meanSquaredError" }).evaluate(x, y, { batchSize: 3, verbose: 0 }).loss;
    expect(Math.abs(loss - expected)).toBeLessThan(1e-6);
  });
});
