import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { mnistDigits } from "../../examples/mnist-digits.js";
import { clearSession, optimizers, tensor } from "../../src/index.js";
import { seedModel } from "../support/seed-models.js";

/**
 * Keras 3 (JAX) trained seed Model B with Adam(1e-3) on consecutive
 * batches of 64 of the same digits, from stored initial weights: the first
 * 20 losses and the weights after them must come out the same here.
 */
interface Reference {
  trainingCount: number;
  firstLabels: number[];
  initialWeights: unknown[];
  weightOrder: string[];
  losses: number[];
  weightsAfter20: { sumAbs: number[]; first8: number[][] };
}
const reference = JSON.parse(readFileSync(new URL("../fixtures/training/keras3-model-b-adam-20-steps.json", import.meta.url), "utf8")) as Reference;

describe("seed Model B trained as Keras 3 trains it", () => {
  it("the split and order of the digits are the reference's", () => {
    const { train, test } = mnistDigits();
    expect(train.x.shape).toEqual([reference.trainingCount, 28, 28, 1]);
    expect(test.x.shape[0]).toBe(1996);
    expect([...train.y.data.slice(0, 128)]).toEqual(reference.firstLabels);
  });

  it("20 Adam steps give Keras's losses to 1e-4 relative and its weights", () => {
    clearSession();
    const m = seedModel("same", "model");
    m.setWeights(m.getWeights().map((w, i) => ({ shape: w.shape, data: Float32Array.from((reference.initialWeights[i] as unknown[]).flat(4) as number[]) })));
    const c = m.compile({ optimizer: optimizers.adam({ learningRate: 1e-3 }), loss: "sparseCategoricalCrossentropy" });
    const { train } = mnistDigits();
    const losses: number[] = [];
    for (let s = 0; s < 20; s++) {
      const x = tensor([64, 28, 28, 1], train.x.data.slice(s * 64 * 784, (s + 1) * 64 * 784));
      const y = { shape: [64] as const, data: train.y.data.slice(s * 64, (s + 1) * 64) };
      losses.push(c.trainOnBatch(x, y).loss);
    }
    const worst = Math.max(...losses.map((l, i) => Math.abs(l - reference.losses[i]) / reference.losses[i]));
    console.log(
      `Model B, 20 Adam steps: losses ${losses[0].toFixed(4)} ... ${losses[19].toFixed(4)}; largest relative difference from Keras 3 ${worst.toExponential(2)}`,
    );
    expect(worst).toBeLessThan(1e-4);
    // Adam moves a weight by about the learning rate whatever its gradient's size, so a bias whose
    // gradient is near zero takes float32-rounding-sized detours: the digest is held to 1e-3.
    const after = m.getWeights();
    after.forEach((w, i) => {
      let sumAbs = 0;
      for (const v of w.data) sumAbs += Math.abs(v);
      expect(Math.abs(sumAbs - reference.weightsAfter20.sumAbs[i]) / reference.weightsAfter20.sumAbs[i], reference.weightOrder[i]).toBeLessThan(1e-3);
      reference.weightsAfter20.first8[i].forEach((v, j) => expect(Math.abs(w.data[j] - v), `${reference.weightOrder[i]}[${j}]`).toBeLessThan(1e-4));
    });
  }, 600_000);
});
