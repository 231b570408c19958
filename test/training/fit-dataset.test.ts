import { beforeEach, describe, expect, it } from "vitest";
import { ShapeError, clearSession, input, model, optimizers, tensor } from "../../src/index.js";
import type { Tensor } from "../../src/index.js";
import { createRandom } from "../../src/kernels/random.js";
import { randomTensor } from "../support/layer-harness.js";

/** A small classifier and 16 samples in 4 batches of 4. */
function setup() {
  clearSession();
  const i = input({ shape: [5] });
  const m = model({ inputs: i, outputs: i.dense({ units: 8, activation: "relu" }).dense({ units: 3, activation: "softmax" }), seed: 7 });
  const x = randomTensor([16, 5], createRandom(3), -1, 1) as Tensor<[16, 5]>;
  const y = tensor(
    [16],
    Array.from({ length: 16 }, (_, k) => k % 3),
  );
  const batch = (b: number) => ({
    xs: tensor([4, 5], x.data.slice(b * 20, (b + 1) * 20)),
    ys: tensor([4], y.data.slice(b * 4, (b + 1) * 4)),
  });
  const batches = [0, 1, 2, 3].map(batch);
  return { m, x, y, batches };
}

const quiet = { verbose: 0 as const };

describe("fitDataset", () => {
  beforeEach(() => clearSession());

  it("over an array of batches trains exactly as fit does on the same batches in the same order", async () => {
    const a = setup();
    const ca = a.m.compile({ optimizer: optimizers.adam({ learningRate: 0.01 }), loss: "sparseCategoricalCrossentropy", metrics: ["accuracy"] });
    const ha = await ca.fit(a.x, a.y, { epochs: 3, batchSize: 4, shuffle: false, ...quiet });
    const b = setup();
    const cb = b.m.compile({ optimizer: optimizers.adam({ learningRate: 0.01 }), loss: "sparseCategoricalCrossentropy", metrics: ["accuracy"] });
    const hb = await cb.fitDataset(b.batches, { epochs: 3, ...quiet });
    expect(hb.history).toEqual(ha.history);
    expect(b.m.getWeights().map((w) => [...w.data])).toEqual(a.m.getWeights().map((w) => [...w.data]));
  });

  it("reads an async iterable anew each epoch and validates on tensors or on a dataset", async () => {
    const { m, x, y, batches } = setup();
    const c = m.compile({ optimizer: optimizers.sgd({ learningRate: 0.1 }), loss: "sparseCategoricalCrossentropy", metrics: ["accuracy"] });
    let opened = 0;
    const source = {
      async *[Symbol.asyncIterator]() {
        opened++;
        for (const b of batches) yield b;
      },
    };
    const h = await c.fitDataset(source, { epochs: 2, validationData: [x, y], ...quiet });
    expect(opened).toBe(2);
    expect(Object.keys(h.history)).toEqual(["accuracy", "loss", "val_accuracy", "val_loss"]);
    const h2 = await c.fitDataset(batches, { epochs: 1, validationData: batches, ...quiet });
    expect(h2.history.val_loss[0]).toBeCloseTo(c.evaluate(x, y, quiet).loss, 5);
  });

  it("takes a TensorFlow.js-style dataset (iterator() resolving to an iterator)", async () => {
    const { m, batches } = setup();
    const c = m.compile({ optimizer: "sgd", loss: "sparseCategoricalCrossentropy" });
    const dataset = {
      iterator: async () => {
        let k = 0;
        return { next: async () => (k < batches.length ? { value: batches[k++], done: false as const } : { value: undefined, done: true as const }) };
      },
    };
    const h = await c.fitDataset(dataset, { epochs: 2, ...quiet });
    expect(h.epoch).toEqual([0, 1]);
  });

  it("with batchesPerEpoch goes on where the previous epoch stopped, and says when the data runs out", async () => {
    const { m, batches } = setup();
    const c = m.compile({ optimizer: "sgd", loss: "sparseCategoricalCrossentropy" });
    function* once() {
      yield* batches;
    }
    const seen: number[] = [];
    const h = await c.fitDataset(once(), { epochs: 2, batchesPerEpoch: 2, callbacks: [{ onBatchEnd: (s) => void seen.push(s) }], ...quiet });
    expect(h.epoch).toEqual([0, 1]);
    expect(seen).toEqual([0, 1, 0, 1]);
    await expect(c.fitDataset(once(), { epochs: 2, batchesPerEpoch: 3, ...quiet })).rejects.toThrow(
      "shapewise: fitDataset batchesPerEpoch is 3 but the dataset ran out after 1 batches in epoch 2",
    );
  });

  it("refuses a generator object read for a second epoch, bad batches and bad sources, each with a sentence", async () => {
    const { m, batches } = setup();
    const c = m.compile({ optimizer: "sgd", loss: "sparseCategoricalCrossentropy" });
    function* once() {
      yield* batches;
    }
    await expect(c.fitDataset(once(), { epochs: 2, ...quiet })).rejects.toThrow(/^shapewise: fitDataset's dataset gave no batch in epoch 2: /);
    const wrong = [{ xs: tensor([4, 5]), ys: tensor([4, 3]) }];
    // @ts-expect-error the labels of a sparse loss are class ids
    await expect(c.fitDataset(wrong, quiet)).rejects.toThrow(
      "shapewise: fitDataset y for loss 'sparseCategoricalCrossentropy' must have shape [null] (class ids: the output's shape without its last axis), got [4, 3]",
    );
    // @ts-expect-error a batch is { xs, ys }
    await expect(c.fitDataset([{ x: tensor([4, 5]) }], quiet)).rejects.toThrow("shapewise: fitDataset batch 1 must be an object { xs, ys }");
    // @ts-expect-error not a dataset
    await expect(c.fitDataset(42, quiet)).rejects.toThrow(ShapeError);
    await expect(c.fitDataset(batches, { ...quiet, batchesPerEpoch: 0 })).rejects.toThrow(
      "shapewise: fitDataset batchesPerEpoch must be a positive integer, got 0",
    );
    const before = m.getWeights().map((w) => [...w.data]);
    const poisoned = [batches[0], { xs: tensor([4, 5], new Array(20).fill(Number.NaN)), ys: batches[1].ys }];
    await expect(c.fitDataset(poisoned, quiet)).rejects.toThrow("shapewise: fitDataset x holds NaN at sample 0: data must be finite numbers");
    expect(m.getWeights().map((w) => [...w.data])).not.toEqual(before);
  });

  it("prints Keras's bar with the steps unknown in the first epoch and known after", async () => {
    const { m, batches } = setup();
    const c = m.compile({ optimizer: "sgd", loss: "sparseCategoricalCrossentropy" });
    let text = "";
    await c.fitDataset(batches, { epochs: 2, verbose: 1, progressTo: { write: (t) => void (text += t) } });
    const lines = text.split("\n").filter((l) => l !== "");
    expect(lines[0]).toBe("Epoch 1/2");
    // Keras's bar for a dataset of unknown length: the count so far over "Unknown", then the length once known.
    expect(lines[1]).toMatch(/^ {6}4\/Unknown \d+m?s \d+[mu]?s\/step - loss: \d\.\d{4}$/);
    expect(lines[2]).toBe("Epoch 2/2");
    expect(lines[3]).toMatch(/^4\/4 ━{20} /);
  });
});
