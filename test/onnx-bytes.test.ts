/**
 * The ONNX export writes weights in ONNX's axis order straight into the
 * final buffer (`PermutedFloats`, `ProtoWriter.deferredBytes`), with no
 * array of their own in between. These tests pin that to what the export
 * wrote before it did: small models cover every rearranged weight, and their
 * bytes must equal the files in `test/fixtures/onnx/`, written by the
 * earlier exporter (which transposed each kernel into an array, then
 * copied it). When a change of bytes is intended, write the new export of
 * each model of `test/support/onnx-byte-models.ts` to its file.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

import { PermutedFloats } from "../src/io/onnx/builder.js";
import { toONNX } from "../src/io/onnx/export.js";
import { ProtoWriter } from "../src/io/protobuf.js";
import { transpose } from "../src/kernels/reshape-ops.js";
import { PINNED_MODELS } from "./support/onnx-byte-models.js";
import { repoRoot } from "./support/tsc.js";

/** The first offset where two byte arrays differ, or -1. */
function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

/** The little-endian float32 bytes of a permuted tensor, as `transpose` computes it. */
function transposedBytes(shape: number[], data: Float32Array, perm: number[]): Uint8Array {
  const t = transpose({ shape, data }, perm).data;
  return new Uint8Array(t.buffer, t.byteOffset, t.byteLength);
}

describe("weights written into the final buffer", () => {
  for (const pinned of PINNED_MODELS) {
    it(`${pinned.name}: the same bytes as the export before`, () => {
      const expected = new Uint8Array(readFileSync(path.join(repoRoot, "test/fixtures/onnx", `${pinned.name}.onnx`)));
      const bytes = toONNX(pinned.build());
      expect({ length: bytes.length, firstDifference: firstDifference(bytes, expected) }).toEqual({ length: expected.length, firstDifference: -1 });
    });
  }

  it("a permuted weight writes what transpose computes, for every rank, across chunk boundaries, at any byte offset", () => {
    const cases: [number[], number[]][] = [
      [[], []],
      [[5], [0]],
      [
        [3, 4],
        [1, 0],
      ],
      [
        [3, 3, 5, 7],
        [3, 2, 0, 1],
      ],
      [
        [3, 2, 4],
        [2, 0, 1],
      ],
      [
        [2, 3, 3, 4, 6],
        [4, 3, 0, 1, 2],
      ],
      // More floats than one chunk holds (16,384), with rows that straddle its end.
      [
        [3, 3, 67, 131],
        [3, 2, 0, 1],
      ],
      [
        [7, 3001],
        [1, 0],
      ],
      [
        [2, 0, 3],
        [2, 1, 0],
      ],
    ];
    for (const [shape, perm] of cases) {
      const n = shape.reduce((p, d) => p * d, 1);
      const data = Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 1000 + i / 7);
      const w = new PermutedFloats(data, shape, perm);
      expect(w.dims).toEqual(perm.map((p) => shape[p]));
      expect(w.byteLength).toBe(4 * n);
      const out = new Uint8Array(w.byteLength + 3).fill(0xee);
      w.writeInto(out, 1);
      expect([out[0], out[out.length - 2], out[out.length - 1]], `${shape} ${perm}`).toEqual([0xee, 0xee, 0xee]);
      expect(firstDifference(out.subarray(1, 1 + w.byteLength), transposedBytes(shape, data, perm)), `${shape} ${perm}`).toBe(-1);
      expect([...w.values()]).toEqual([...transpose({ shape, data }, perm).data]);
    }
  });

  it("a permuted weight refuses a permutation that is not one of its axes, and values that do not fill its shape", () => {
    expect(() => new PermutedFloats(new Float32Array(6), [2, 3], [0, 0])).toThrow(/not a permutation/);
    expect(() => new PermutedFloats(new Float32Array(6), [2, 3], [1])).toThrow(/not a permutation/);
    expect(() => new PermutedFloats(new Float32Array(5), [2, 3], [1, 0])).toThrow(/5 values do not fill \[2, 3\]/);
  });

  it("a permuted weight is the same as another when the values agree, whatever holds them", () => {
    const data = Float32Array.of(1, 2, 3, 4, 5, 6);
    const w = new PermutedFloats(data, [2, 3], [1, 0]);
    expect(w.sameAs(new PermutedFloats(data, [2, 3], [1, 0]))).toBe(true);
    expect(w.sameAs(Float32Array.of(1, 4, 2, 5, 3, 6))).toBe(true);
    expect(w.sameAs(new PermutedFloats(Float32Array.of(1, 4, 2, 5, 3, 6), [3, 2], [0, 1]))).toBe(true);
    expect(w.sameAs(Float32Array.of(1, 2, 3, 4, 5, 6))).toBe(false);
    expect(w.sameAs(new PermutedFloats(data, [6], [0]))).toBe(false);
  });
});

describe("protobuf writer: deferred bytes", () => {
  it("writes a field's bytes from their owner at finish, in place, nested at any depth", () => {
    let calls = 0;
    const three = {
      byteLength: 3,
      writeInto: (out: Uint8Array, at: number) => {
        calls++;
        out.set([7, 8, 9], at);
      },
    };
    const inner = new ProtoWriter().uint(1, 1).deferredBytes(2, three);
    const bytes = new ProtoWriter().string(1, "a").message(2, inner).finish();
    expect([...bytes]).toEqual([0x0a, 0x01, 0x61, 0x12, 0x07, 0x08, 0x01, 0x12, 0x03, 7, 8, 9]);
    expect(calls).toBe(1);
    expect([...new ProtoWriter().deferredBytes(1, { byteLength: 0, writeInto: () => {} }).finish()]).toEqual([0x0a, 0x00]);
  });

  it("refuses a length the wire format cannot hold, and a writer that writes past its length", () => {
    expect(() => new ProtoWriter().deferredBytes(1, { byteLength: -1, writeInto: () => {} })).toThrow(RangeError);
    expect(() => new ProtoWriter().deferredBytes(1, { byteLength: 1.5, writeInto: () => {} })).toThrow(RangeError);
    const greedy = new ProtoWriter().deferredBytes(1, { byteLength: 2, writeInto: (out, at) => out.set([1, 2, 3], at) }).uint(2, 5);
    expect(() => greedy.finish()).toThrow(RangeError);
  });
});
