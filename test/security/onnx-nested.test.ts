/**
 * ONNX export is linear in the number of layer calls: a nested model is
 * written once as an ONNX function and every call of it is one node, so a
 * model applying its inner model twice per level, 16 levels deep, is a few
 * kilobytes instead of 2^16 inlined copies. onnxruntime-node runs the
 * functions with `predict`'s outputs.
 */
import * as ort from "onnxruntime-node";
import { afterEach, describe, expect, it } from "vitest";
import { clearSession, input, model } from "../../src/index.js";
import type { Model, Tensor } from "../../src/index.js";
import { toONNX } from "../../src/io/onnx/export.js";
import { expectClose } from "../support/compare.js";

afterEach(() => clearSession());

/** A model of `depth` levels, each applying the level below twice in a row: 2^depth dense calls once expanded. */
function doubling(depth: number): Model {
  const x0 = input({ shape: [4], name: "x0" });
  let m = model({ inputs: x0, outputs: x0.dense({ units: 4, activation: "tanh", name: "d0" }), name: "m0" }) as unknown as Model;
  for (let i = 1; i <= depth; i++) {
    const x = input({ shape: [4], name: `x${i}` });
    const apply = (m.apply as unknown as (t: unknown) => unknown).bind(m);
    m = model({ inputs: x, outputs: apply(apply(x)) as never, name: `m${i}` }) as unknown as Model;
  }
  return m;
}

/** How many times a string occurs in the bytes (names are written as UTF-8 in the protobuf). */
function occurrences(bytes: Uint8Array, text: string): number {
  return Buffer.from(bytes).toString("latin1").split(text).length - 1;
}

describe("ONNX export of nested models", () => {
  it("writes each nested model once: the file grows linearly with the depth of a model applying its inner model twice per level", () => {
    const size = (depth: number) => toONNX(doubling(depth)).length;
    const [at8, at16] = [size(8), size(16)];
    // Inlined, 8 more levels would multiply the size by 2^8; as functions they add a few hundred bytes each.
    expect(at16).toBeLessThan(at8 + 8 * 600);
    expect(at16).toBeLessThan(8_000);
    // One kernel in the whole file, however many times it is applied.
    expect(occurrences(toONNX(doubling(16)), "d0/kernel/Constant")).toBe(1);
  });

  it("exports the documented nesting limit of 32 levels (2^32 calls once expanded)", () => {
    const bytes = toONNX(doubling(32));
    expect(bytes.length).toBeLessThan(16_000);
    expect(occurrences(bytes, "shapewise.models")).toBeGreaterThanOrEqual(33);
  });

  it("runs in onnxruntime-node with predict's outputs", async () => {
    const m = doubling(5);
    const x: Tensor = { shape: [3, 4], data: Float32Array.from({ length: 12 }, (_, i) => Math.sin(i) * 0.7) };
    const session = await ort.InferenceSession.create(toONNX(m));
    const out = await session.run({ [session.inputNames[0]]: new ort.Tensor("float32", x.data, x.shape) });
    const got = out[session.outputNames[0]];
    const want = (m.predict as unknown as (t: Tensor) => Tensor)(x);
    expect([...got.dims]).toEqual(want.shape);
    expectClose(got.data as Float32Array, want.data, "doubling depth 5", 1e-5);
  });
});
