/**
 * Named sizes at run time: the layer rules compute the same symbolic sizes
 * as the types (`test-d/named-dims.test-d.ts`), a skip connection the size
 * algebra proves may differ throws the compile-time sentence, and Keras's
 * view (the summary) shows names as None.
 */
import { beforeEach, describe, expect, it } from "vitest";

import { add, clearSession, concatenate, input, model } from "../../src/index.js";

type Sized = { readonly sizes: readonly unknown[] };
const sizes = (t: unknown): readonly unknown[] => (t as Sized).sizes;

function unet(side: string) {
  // Typed as a concrete input: the sizes under test are the runtime's.
  const x = input({ shape: [side, side.replace("H", "W"), 3] as never }) as unknown as ReturnType<typeof input<[32, 32, 3]>>;
  const c1 = x.conv2d({ filters: 8, kernelSize: 3, padding: "same", activation: "relu" });
  const c2 = c1.maxPooling2d({ poolSize: 2 }).conv2d({ filters: 16, kernelSize: 3, padding: "same", activation: "relu" });
  const c3 = c2.maxPooling2d({ poolSize: 2 }).conv2d({ filters: 32, kernelSize: 3, padding: "same", activation: "relu" });
  const c4 = c3.maxPooling2d({ poolSize: 2 }).conv2d({ filters: 64, kernelSize: 3, padding: "same", activation: "relu" });
  const bottom = c4.maxPooling2d({ poolSize: 2 }).conv2d({ filters: 128, kernelSize: 3, padding: "same", activation: "relu" });
  const u4 = concatenate([c4, bottom.conv2dTranspose({ filters: 64, kernelSize: 2, strides: 2, padding: "same" })]).conv2d({
    filters: 64,
    kernelSize: 3,
    padding: "same",
  });
  const u3 = concatenate([c3, u4.upSampling2d({ size: 2 })]).conv2d({ filters: 32, kernelSize: 3, padding: "same" });
  const u2 = concatenate([c2, u3.upSampling2d({ size: 2 })]).conv2d({ filters: 16, kernelSize: 3, padding: "same" });
  const u1 = concatenate([c1, u2.upSampling2d({ size: 2 })]);
  const out = u1.conv2d({ filters: 1, kernelSize: 1, activation: "sigmoid" });
  return { x, bottom, u4, u3, u2, u1, out };
}

describe("named sizes through a U-Net", () => {
  beforeEach(() => clearSession());

  it("on sides stated as multiples of 16, every size is exact", () => {
    const n = unet("16*H");
    expect(sizes(n.bottom)).toEqual([null, "H", "W", 128]);
    expect(sizes(n.u4)).toEqual([null, "2*H", "2*W", 64]);
    expect(sizes(n.u3)).toEqual([null, "4*H", "4*W", 32]);
    expect(sizes(n.u2)).toEqual([null, "8*H", "8*W", 16]);
    expect(sizes(n.u1)).toEqual([null, "16*H", "16*W", 24]);
    expect(sizes(n.out)).toEqual([null, "16*H", "16*W", 1]);
    expect(n.out.shape).toEqual([null, null, null, 1]);
  });

  it("summaries show names as None", () => {
    const n = unet("16*H");
    const text = model({ inputs: n.x, outputs: n.out }).summary({ printFn: () => {} });
    expect(text).toContain("[(None, None, None,  0");
    expect(text).toContain("(None, None, None,   2");
    expect(text).not.toMatch(/\d\*H|floor/);
  });

  it("on any side, the first skip connection throws the sentence of the types", () => {
    expect(() => unet("H")).toThrow("shapewise: concatenate input 2 has height 2*floor(H/16), input 1 has floor(H/8): they differ when floor(H/8) is odd");
    const x = input({ shape: ["H", "W", 3] });
    const c1 = x.conv2d({ filters: 8, kernelSize: 3, padding: "same" });
    const up = c1.maxPooling2d({ poolSize: 2 }).upSampling2d({ size: 2 });
    expect(() => concatenate([c1, up] as never)).toThrow("shapewise: concatenate input 2 has height 2*floor(H/2), input 1 has H: they differ when H is odd");
  });

  it("on sides stated as multiples of 8, the deepest skip connection is the one that may differ", () => {
    expect(() => unet("8*H")).toThrow("shapewise: concatenate input 2 has height 2*floor(H/2), input 1 has H: they differ when H is odd");
  });

  it("concatenating along named axes adds the sizes; different names on another axis are an error", () => {
    const s = input({ shape: ["S", 8] });
    const t = input({ shape: ["T", 8] });
    expect(sizes(concatenate([s, t], { axis: 1 }))).toEqual([null, "S+T", 8]);
    expect(() => concatenate([s, t] as never)).toThrow("shapewise: concatenate input 2 has steps T, input 1 has S: they differ when S is not T");
  });

  it("a size the algebra cannot decide becomes unknown, never an error", () => {
    const row = input({ shape: ["H", 4] });
    const undecided = concatenate([row.maxPooling1d({ poolSize: 2 }), row.maxPooling1d({ poolSize: 2, padding: "same" })]);
    expect(sizes(undecided)).toEqual([null, null, 8]);
  });

  it("padding and cropping add and take away", () => {
    const img = input({ shape: ["H", "W", 3] });
    expect(sizes(img.zeroPadding2d({ padding: [1, 2] }))).toEqual([null, "H+2", "W+4", 3]);
    expect(
      sizes(
        img.cropping2d({
          cropping: [
            [1, 1],
            [0, 0],
          ],
        }),
      ),
    ).toEqual([null, "H-2", "W", 3]);
  });

  it("a transformer encoder keeps T; adding a sequence of length S to one of length T is the sentence of the types", () => {
    const seq = input({ shape: ["T", 512] });
    const attended = add([seq, seq.multiHeadAttention({ numHeads: 8, keyDim: 64, value: seq })]).layerNormalization();
    const encoded = add([attended, attended.dense({ units: 2048, activation: "relu" }).dropout({ rate: 0.1 }).dense({ units: 512 })]).layerNormalization();
    expect(sizes(encoded)).toEqual([null, "T", 512]);
    const memory = input({ shape: ["S", 512] });
    const crossed = encoded.multiHeadAttention({ numHeads: 8, keyDim: 64, value: memory });
    expect(sizes(add([encoded, crossed]))).toEqual([null, "T", 512]);
    expect(() => add([memory, crossed] as never)).toThrow(
      "shapewise: add input 2 of shape [null, T, 512] does not broadcast with [null, S, 512]: size T against S, they differ when S is not T",
    );
  });

  it("refuses a size that is not a name with an optional factor", () => {
    expect(() => input({ shape: ["H+1", 3] as never })).toThrow(
      "shapewise: input shape names must be a name or a factor times a name, like 'T' or '16*H', got ['H+1', 3]",
    );
  });
});
