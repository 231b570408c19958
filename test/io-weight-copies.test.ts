/**
 * Writers read a model's weights once, straight from its layers into the
 * file's bytes: neither TensorFlow.js artifacts nor Keras weight files go
 * through `getWeights`, whose copies would hold every weight twice while a
 * large model is saved. What they write still reads back to the same values.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { input, model } from "../src/node/index.js";
import { loadModel, modelToLegacyH5, modelToTfjsArtifacts, weightsToKerasFile } from "../src/node/index.js";

function small() {
  const inputs = input({ shape: [6] });
  const outputs = inputs.dense({ units: 5, activation: "relu" }).dense({ units: 3 });
  return model({ inputs, outputs, seed: 11 });
}

afterEach(() => vi.restoreAllMocks());

describe("writers copy each weight once", () => {
  it("TensorFlow.js artifacts hold the weights, read from the layers without getWeights's copies", () => {
    const m = small();
    const copies = vi.spyOn(m, "getWeights");
    const artifacts = modelToTfjsArtifacts(m);
    expect(copies).not.toHaveBeenCalled();
    copies.mockRestore();
    const written = new Float32Array(artifacts.weightData);
    expect(written).toEqual(Float32Array.from(m.getWeights().flatMap((w) => [...w.data])));
  });

  it("save to a directory reads back to the same weights, and draws a new model's weights on the way", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "shapewise-copies-"));
    try {
      const m = small();
      const copies = vi.spyOn(m, "getWeights");
      await m.save(dir);
      expect(copies).not.toHaveBeenCalled();
      copies.mockRestore();
      const back = await loadModel(dir);
      expect(back.getWeights()).toEqual(m.getWeights());
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("Keras weight files and legacy .h5 files read the layers' arrays too", async () => {
    const m = small();
    const copies = vi.spyOn(m, "getWeights");
    expect((await weightsToKerasFile(m)).byteLength).toBeGreaterThan(0);
    expect((await modelToLegacyH5(m)).byteLength).toBeGreaterThan(0);
    expect(copies).not.toHaveBeenCalled();
  });
});
