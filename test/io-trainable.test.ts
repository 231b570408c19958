/**
 * A layer's `trainable` flag survives the files: TensorFlow.js artifacts, Keras
 * JSON and `.keras` files write each layer's flag (a frozen nested model's
 * too), and reading one makes the layer frozen again, so `fit` after a load
 * leaves it as it was and a saved optimizer state (slots for the trainable
 * weights only) resumes. TensorFlow.js reads the same flag from our file.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  clearSession,
  input,
  loadModel,
  model,
  modelFromKerasFile,
  modelFromKerasJSON,
  modelFromTfjsArtifacts,
  modelToKerasFile,
  modelToTfjsArtifacts,
  optimizers,
  toKerasJSON,
} from "../src/node/index.js";
import type { Model, Tensor } from "../src/index.js";
import { createRandom } from "../src/kernels/random.js";
import type { Layer } from "../src/layers/layer.js";
import { tfjsModelJson } from "../src/io/tfjs/write.js";
import { randomTensor } from "./support/layer-harness.js";

const dir = mkdtempSync(join(tmpdir(), "shapewise-trainable-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  await tf.setBackend("cpu");
});

const layersOf = (m: Model): Layer[] => (m as unknown as { layers: Layer[] }).layers;
const byName = (m: Model, name: string): Layer => layersOf(m).find((l) => l.name === name)!;

/** input -> dense 'frozen' (frozen) -> nested 'inner' (frozen whole) -> bidirectional LSTM over a repeat (its LSTM frozen) -> dense 'head'. */
function frozenNet(): Model {
  clearSession();
  const ii = input({ shape: [6] });
  const inner = model({ inputs: ii, outputs: ii.dense({ units: 5, activation: "tanh", name: "inner_dense" }), seed: 1, name: "inner" });
  const i = input({ shape: [4] });
  const h = inner.apply(i.dense({ units: 6, activation: "relu", name: "frozen" }));
  const seq = h.repeatVector({ n: 3 }).bidirectional((t) => t.lstm({ units: 2 }), { name: "bi" });
  const m = model({ inputs: i, outputs: seq.dense({ units: 3, name: "head" }), seed: 2 }) as unknown as Model;
  byName(m, "frozen").trainable = false;
  byName(m, "inner").trainable = false;
  byName(m, "bi").trainable = false;
  return m;
}

const x = randomTensor([8, 4], createRandom(3), -1, 1) as Tensor<[8, 4]>;
const y = randomTensor([8, 3], createRandom(4), -1, 1) as Tensor<[8, 3]>;
const weightsOf = (m: Model) => m.getWeights().map((w) => w.data.slice());

function expectFrozenAsSaved(back: Model) {
  expect(byName(back, "frozen").trainable).toBe(false);
  expect(byName(back, "inner").trainable).toBe(false);
  expect(byName(back, "bi").trainable).toBe(false);
  expect(byName(back, "head").trainable).toBe(true);
  // Frozen: dense 4x6+6, inner dense 6x5+5, bidirectional LSTM 2 x (5x8 + 2x8 + 8); trainable: head 4x3+3.
  expect([back.summaryData().trainableParams, back.summaryData().nonTrainableParams]).toEqual([15, 30 + 35 + 128]);
  const before = weightsOf(back);
  back.compile({ optimizer: optimizers.sgd({ learningRate: 0.1 }), loss: "meanSquaredError" }).trainOnBatch(x, y);
  const after = weightsOf(back);
  // Only the head's kernel and bias (the last two arrays) move.
  after.forEach((w, k) => (k < after.length - 2 ? expect(w).toEqual(before[k]) : expect(w).not.toEqual(before[k])));
}

describe("trainable flags in model files", () => {
  it("TensorFlow.js artifacts keep every frozen layer frozen", () => {
    const a = modelToTfjsArtifacts(frozenNet());
    expectFrozenAsSaved(modelFromTfjsArtifacts(tfjsModelJson(a), new Uint8Array(a.weightData)));
  });

  it("tf.loadLayersModel reads the same flags from our file", async () => {
    const a = modelToTfjsArtifacts(frozenNet());
    const t = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: a.modelTopology, weightSpecs: a.weightSpecs, weightData: a.weightData }));
    const flags = Object.fromEntries(t.layers.map((l) => [l.name, l.trainable]));
    // TensorFlow.js reads no flag for a nested model or a bidirectional wrapper from a file; the
    // plain layers' flags it reads, those inside the nested model too (written frozen as the model is).
    expect(flags).toMatchObject({ frozen: false, head: true });
    expect((t.getLayer("inner") as unknown as tf.LayersModel).getLayer("inner_dense").trainable).toBe(false);
  });

  it("Keras JSON and a .keras file keep every frozen layer frozen", async () => {
    const m = frozenNet();
    const json = JSON.parse(toKerasJSON(m));
    const entry = (name: string) => json.config.layers.find((l: { config: { name: string } }) => l.config.name === name);
    expect([entry("frozen").config.trainable, entry("inner").config.trainable, entry("head").config.trainable]).toEqual([false, false, true]);
    expectFrozenAsSaved(modelFromKerasJSON(toKerasJSON(m)));
    expectFrozenAsSaved(await modelFromKerasFile(await modelToKerasFile(m)));
  });

  it("a wrapped layer written frozen freezes its wrapper", () => {
    const a = modelToTfjsArtifacts(frozenNet());
    const json = tfjsModelJson(a) as { modelTopology: { config: { layers: { class_name: string; config: Record<string, unknown> }[] } } };
    const bi = json.modelTopology.config.layers.find((l) => l.class_name === "Bidirectional")!;
    bi.config.trainable = true;
    (bi.config.layer as { config: Record<string, unknown> }).config.trainable = false;
    expect(byName(modelFromTfjsArtifacts(json, new Uint8Array(a.weightData)), "bi").trainable).toBe(false);
  });

  it("a trainable flag that is not a boolean is refused with a sentence", () => {
    const a = modelToTfjsArtifacts(frozenNet());
    const json = tfjsModelJson(a) as { modelTopology: { config: { layers: { config: Record<string, unknown> }[] } } };
    json.modelTopology.config.layers.find((l) => l.config.name === "head")!.config.trainable = "no";
    expect(() => modelFromTfjsArtifacts(json, new Uint8Array(a.weightData))).toThrow(/shapewise: layer 'head' has trainable 'no'; it must be true or false/);
  });

  it("saved with its optimizer, a model with frozen layers resumes where it stopped", async () => {
    const batches = Array.from({ length: 3 }, (_, k) => ({
      x: randomTensor([8, 4], createRandom(10 + k), -1, 1) as Tensor<[8, 4]>,
      y: randomTensor([8, 3], createRandom(20 + k), -1, 1) as Tensor<[8, 3]>,
    }));
    const straight = frozenNet().compile({ optimizer: optimizers.adam({ learningRate: 0.05 }), loss: "meanSquaredError" });
    for (const b of batches) straight.trainOnBatch(b.x, b.y);
    const first = frozenNet().compile({ optimizer: optimizers.adam({ learningRate: 0.05 }), loss: "meanSquaredError" });
    for (const b of batches.slice(0, 2)) first.trainOnBatch(b.x, b.y);
    await first.save(join(dir, "frozen"), { includeOptimizer: true });
    const back = await loadModel(join(dir, "frozen"));
    const resumed = back.compile({ optimizer: back.savedTraining!.optimizer, loss: "meanSquaredError" });
    resumed.trainOnBatch(batches[2].x, batches[2].y);
    const expected = weightsOf(straight.model);
    weightsOf(back).forEach((w, k) => w.forEach((v, j) => expect(Math.abs(v - expected[k][j])).toBeLessThan(1e-6)));
  });
});
