import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ShapeError, clearSession, input, loadModel, model, optimizers, tensor } from "../../src/node/index.js";
import type { Tensor } from "../../src/index.js";
import { createRandom } from "../../src/kernels/random.js";
import { randomTensor } from "../support/layer-harness.js";

/** After training, the model itself predicts and saves with the trained weights. */
const dir = mkdtempSync(join(tmpdir(), "shapewise-trained-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function classifier() {
  clearSession();
  const i = input({ shape: [6, 6, 1] });
  return model({
    inputs: i,
    outputs: i.conv2d({ filters: 4, kernelSize: 3, activation: "relu" }).flatten().dense({ units: 3, activation: "softmax" }),
    seed: 5,
  });
}

describe("a trained model", () => {
  const x = randomTensor([12, 6, 6, 1], createRandom(9), 0, 1) as Tensor<[12, 6, 6, 1]>;
  const y = tensor(
    [12],
    Array.from({ length: 12 }, (_, k) => k % 3),
  );

  it("predicts with the trained weights (the fast kernels' packed copies follow the optimizer's writes)", async () => {
    const m = classifier();
    const before = m.predict(x).data.slice();
    const c = m.compile({ optimizer: optimizers.adam({ learningRate: 0.05 }), loss: "sparseCategoricalCrossentropy" });
    const h = await c.fit(x, y, { epochs: 5, batchSize: 4, verbose: 0 });
    const after = m.predict(x).data;
    expect(after).not.toEqual(before);
    // The model's own predictions score as evaluate does.
    expect(c.evaluate(x, y, { verbose: 0 }).loss).toBeLessThan(h.history.loss[0]);
    const fresh = classifier();
    fresh.setWeights(m.getWeights());
    const expected = fresh.predict(x).data;
    for (let k = 0; k < after.length; k++) expect(Math.abs(after[k] - expected[k])).toBeLessThan(1e-6);
  });

  it("saves what it learned: TensorFlow.js files load back with the same predictions", async () => {
    const m = classifier();
    const c = m.compile({ optimizer: "adam", loss: "sparseCategoricalCrossentropy" });
    await c.fit(x, y, { epochs: 3, batchSize: 4, verbose: 0 });
    await m.save(join(dir, "trained"));
    const back = await loadModel(join(dir, "trained"));
    const p = (back.predict as (t: unknown) => Tensor)(x).data;
    const q = m.predict(x).data;
    for (let k = 0; k < q.length; k++) expect(Math.abs(p[k] - q[k])).toBeLessThan(1e-6);
  });

  it("refuses to train before compile, with the sentence the types show", () => {
    const m = classifier();
    const call = m.fit as unknown as (...a: unknown[]) => unknown;
    expect(() => call.call(m, x, y)).toThrow(ShapeError);
    expect(() => call.call(m, x, y)).toThrow("shapewise: fit needs a compiled model: call compile({ optimizer, loss }) and fit the model it returns");
    expect(() => (m.evaluate as unknown as (...a: unknown[]) => unknown).call(m, x, y)).toThrow("shapewise: evaluate needs a compiled model");
  });
});
