/**
 * Where two named sizes must agree beyond concatenate and the element-wise
 * merges (dot's axes, attention's key and value lengths, reshape's element
 * count, a model applied to a tensor), a proven difference is the sentence
 * of the types, saying when; an undecided one is accepted.
 */
import { beforeEach, describe, expect, it } from "vitest";

import { clearSession, dot, input, model } from "../../src/index.js";
import { sizeAgreement } from "../../src/size.js";

type Sized = { readonly sizes: readonly unknown[] };
const sizes = (t: unknown): readonly unknown[] => (t as Sized).sizes;

describe("named sizes that must agree", () => {
  beforeEach(() => clearSession());

  it("dot keeps the names off its axes and says when its contracted sizes differ", () => {
    const a = input({ shape: ["S", 8] });
    const b = input({ shape: ["T", 8] });
    expect(sizes(dot([a, b], { axes: 2 }))).toEqual([null, "S", "T"]);
    expect(() => dot([a, b] as never, { axes: 1 })).toThrow(
      "shapewise: dot input 1 size S at axis 1 differs from input 2 size T at axis 1: they differ when S is not T",
    );
  });

  it("dot accepts contracted sizes the algebra cannot decide", () => {
    const row = input({ shape: ["H", 4] });
    const down = row.maxPooling1d({ poolSize: 2 });
    const up = row.maxPooling1d({ poolSize: 2, padding: "same" });
    expect(sizes(dot([down, up], { axes: 1 }))).toEqual([null, 4, 4]);
  });

  it("attention says when named key and value lengths differ; a cross-attention query keeps its own length", () => {
    const query = input({ shape: ["T", 16] });
    const value = input({ shape: ["S", 16] });
    const key = input({ shape: ["U", 16] });
    expect(() => query.multiHeadAttention({ numHeads: 2, keyDim: 8, value, key } as never)).toThrow(
      "shapewise: multiHeadAttention key shape [null, U, 16] and value shape [null, S, 16] must match in every dimension but the last: they differ when S is not U",
    );
    const memoryKey = value.dense({ units: 16 });
    expect(sizes(query.multiHeadAttention({ numHeads: 2, keyDim: 8, value, key: memoryKey }))).toEqual([null, "T", 16]);
  });

  it("a model on a named length applied to a tensor of length 37 takes it; outside the model the length is unknown", () => {
    const seq = input({ shape: ["T", 8] });
    const encoder = model({ inputs: seq, outputs: seq.dense({ units: 4 }) });
    const applied = encoder.apply(input({ shape: [37, 8] }));
    expect(sizes(applied)).toEqual([null, null, 4]);
    expect(applied.shape).toEqual([null, null, 4]);
  });

  it("reshape compares a named element count with its target's, saying when they differ", () => {
    const seq = input({ shape: ["T", 8] });
    expect(() => seq.reshape({ targetShape: [16, 4] } as never)).toThrow(
      "shapewise: reshape targetShape [16, 4] holds 64 values, input [T, 8] holds 8*T: they differ when 8*T is not 64",
    );
    expect(sizes(seq.reshape({ targetShape: [-1, 4] }))).toEqual([null, "2*T", 4]);
    expect(() => seq.reshape({ targetShape: [-1, 16] } as never)).toThrow(
      "shapewise: reshape targetShape [-1, 16] cannot hold input [T, 8]: 8*T values are not a multiple of 16 when T is odd",
    );
    expect(sizes(input({ shape: ["2*T", 8] }).reshape({ targetShape: [-1, 16] }))).toEqual([null, "T", 16]);
  });

  it("says a proven difference with positive terms on each side, never as a raw polynomial", () => {
    expect(sizeAgreement("H+W", "T")).toEqual({ differ: "H+W is not T" });
    expect(sizeAgreement("T", "H+W")).toEqual({ differ: "H+W is not T" });
    expect(sizeAgreement("2*H", "W+3")).toEqual({ differ: "2*H is not W+3" });
    expect(sizeAgreement("H*W", "4*T")).toEqual({ differ: "H*W is not 4*T" });
    expect(sizeAgreement("H+2", "H")).toEqual({ differ: "always" });
  });
});
