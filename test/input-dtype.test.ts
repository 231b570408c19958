/**
 * `input({ dtype: "int32", batchSize })`, Keras's `Input(dtype=..., batch_size=...)`:
 * ids reach an embedding as an `Int32Array`, non-integers are refused with a
 * sentence naming the input, a fixed batch size shows in every shape and the
 * summary, and both survive every file format shapewise writes.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
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
  tensor,
} from "../src/node/index.js";

const scratch = mkdtempSync(path.join(tmpdir(), "shapewise-input-dtype-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function idsModel(batchSize?: number) {
  clearSession();
  const ids = input({ shape: [4], dtype: "int32", name: "ids", ...(batchSize === undefined ? {} : { batchSize }) });
  return model({ inputs: ids, outputs: ids.embedding({ inputDim: 10, outputDim: 3 }).flatten().dense({ units: 2 }), seed: 5 });
}

const asAny = (m: unknown) => m as { predict(x: unknown): { shape: number[]; data: Float32Array } };

describe("int32 inputs", () => {
  it("predict takes an Int32Array of ids, and whole numbers in a Float32Array or an array, with the same result", () => {
    const m = idsModel();
    const a = m.predict({ shape: [2, 4], data: Int32Array.of(1, 2, 3, 9, 0, 0, 5, 7) } as never);
    const b = m.predict(tensor([2, 4], [1, 2, 3, 9, 0, 0, 5, 7]));
    expect(a.shape).toEqual([2, 2]);
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
  });

  it("refuses fractions, NaN and infinities with a sentence naming the input", () => {
    const m = idsModel();
    expect(() => m.predict(tensor([1, 4], [1, 2.5, 3, 4]))).toThrow(
      "shapewise: input 'ids' has dtype int32, but predict input holds 2.5 at index 1; pass an Int32Array or whole numbers",
    );
    expect(() => m.predict(tensor([1, 4], [1, 2, Number.NaN, 4]))).toThrow("shapewise: input 'ids' has dtype int32, but predict input holds NaN at index 2");
    expect(() => m.predict(tensor([1, 4], [1, 2, 3, Number.POSITIVE_INFINITY]))).toThrow("holds Infinity at index 3");
  });

  it("a float32 input still refuses an Int32Array", () => {
    clearSession();
    const x = input({ shape: [2] });
    const m = model({ inputs: x, outputs: x.dense({ units: 1 }) });
    expect(() => asAny(m).predict({ shape: [1, 2], data: Int32Array.of(1, 2) })).toThrow("must be a Float32Array or an array of numbers, got Int32Array");
  });

  it("input refuses other dtypes and batch sizes that are not positive integers", () => {
    const loose = input as unknown as (config: object) => unknown;
    expect(() => loose({ shape: [2], dtype: "int64" })).toThrow("shapewise: input dtype must be 'float32' or 'int32', got 'int64'");
    expect(() => loose({ shape: [2], batchSize: 0 })).toThrow("shapewise: input batchSize must be a positive integer, got 0");
    expect(() => loose({ shape: [2], batchSize: 2.5 })).toThrow("shapewise: input batchSize must be a positive integer, got 2.5");
  });
});

describe("a fixed batch size", () => {
  it("is the first dimension of every shape, of the summary, and predict requires it", () => {
    const m = idsModel(8);
    expect(m.outputShape).toEqual([8, 2]);
    const summary = m.summary({ printFn: () => {} });
    expect(summary).toContain("(8, 4)");
    expect(summary).toContain("(8, 4, 3)");
    expect(summary).toContain("(8, 2)");
    expect(() => m.predict(tensor([2, 4], [1, 2, 3, 4, 5, 6, 7, 8]) as never)).toThrow("shapewise: predict expects a tensor of shape [8, 4], got [2, 4]");
    expect(m.predict(tensor([8, 4], new Array(32).fill(1))).shape).toEqual([8, 2]);
  });
});

describe("dtype and batch size through the files", () => {
  const x = { shape: [8, 4], data: Int32Array.from({ length: 32 }, (_, i) => i % 10) };
  const expectSame = (back: unknown, m: ReturnType<typeof idsModel>) => {
    const layer = (back as { layers: { className: string; getConfig(): Record<string, unknown> }[] }).layers[0];
    expect(layer.getConfig()).toMatchObject({ shape: [4], batchSize: 8, dtype: "int32" });
    expect(asAny(back).predict(x)).toEqual(asAny(m).predict(x));
  };

  it("Keras JSON writes batch_shape and dtype, and reads them back", () => {
    const m = idsModel(8);
    const json = JSON.parse(m.toKerasJSON());
    expect(json.config.layers[0].config).toMatchObject({ batch_shape: [8, 4], dtype: "int32" });
    expect(json.config.layers[1].inbound_nodes[0].args[0].config.dtype).toBe("int32");
    const back = modelFromKerasJSON(m.toKerasJSON());
    back.setWeights(m.getWeights());
    expectSame(back, m);
  });

  it("TensorFlow.js model.json writes batch_input_shape and dtype, and reads them back", () => {
    const m = idsModel(8);
    const artifacts = modelToTfjsArtifacts(m);
    const layers = (artifacts.modelTopology as { config: { layers: { config: Record<string, unknown> }[] } }).config.layers;
    expect(layers[0].config).toMatchObject({ batch_input_shape: [8, 4], dtype: "int32" });
    expectSame(modelFromTfjsArtifacts(artifacts, artifacts.weightData), m);
  });

  it(".keras and legacy .h5 keep them", async () => {
    const m = idsModel(8);
    expectSame(await modelFromKerasFile(await modelToKerasFile(m)), m);
    const file = path.join(scratch, "ids.h5") as `${string}.h5`;
    await m.save(file);
    expectSame(await loadModel(file), m);
  });

  it("a file's other dtypes are refused with a sentence naming the layer", () => {
    const m = idsModel();
    const text = m.toKerasJSON().replace('"dtype": "int32", "sparse"', '"dtype": "int64", "sparse"');
    expect(() => modelFromKerasJSON(text)).toThrow("shapewise: input layer 'ids' has dtype 'int64'; shapewise reads float32 and int32 inputs");
  });

  it("ONNX declares the input int32, and onnxruntime agrees with predict", async () => {
    const m = idsModel();
    const ids = { shape: [2, 4], data: Int32Array.of(1, 2, 3, 9, 0, 0, 5, 7) };
    const ours = asAny(m).predict(ids);
    const theirs = await (m as unknown as { predictAsync(x: unknown, o: object): Promise<{ data: Float32Array }> }).predictAsync(ids, {
      backend: "onnxruntime",
    });
    const worst = ours.data.reduce((w, v, i) => Math.max(w, Math.abs(v - theirs.data[i])), 0);
    expect(worst).toBeLessThanOrEqual(1e-5);
  });
});
