/**
 * Weights packed by the WebAssembly module (`src/kernels/packed-weights.ts`,
 * `asm/pack.ts`), block by block, hold exactly the bits of the plain
 * formulas: panels of 8 columns, k-major, zero-padded, and Winograd
 * F(2x2, 3x3) transforms computed in float64 and rounded once. Shapes reach
 * partial last panels, narrower-than-a-panel matrices, several row blocks
 * and a last short block; a training step's write is packed again in place.
 */
import { describe, expect, it } from "vitest";
import "../src/node/index.js";
import { kernelInfo } from "../src/kernels/backend.js";
import { packCounts, packPanels, packed, weightsWritten, winogradPacked } from "../src/kernels/packed-weights.js";
import { createRandom } from "../src/kernels/random.js";
import { wasmKernels } from "../src/kernels/wasm.js";

function values(n: number, seed: number): Float32Array {
  const r = createRandom(seed);
  return Float32Array.from({ length: n }, () => r.next() * 2 - 1);
}

/** The Winograd transforms of a `[3, 3, cin, cout]` kernel as the 16 packed matrices, by the textbook formula. */
function winogradByFormula(w: Float32Array, cin: number, cout: number, nr: number): Float32Array {
  const per = Math.ceil(cout / nr) * cin * nr;
  const out = new Float32Array(16 * per);
  const G = [
    [1, 0, 0],
    [0.5, 0.5, 0.5],
    [0.5, -0.5, 0.5],
    [0, 0, 1],
  ];
  for (let ci = 0; ci < cin; ci++) {
    for (let co = 0; co < cout; co++) {
      const o = Math.floor(co / nr) * cin * nr + ci * nr + (co % nr);
      for (let r = 0; r < 4; r++) {
        for (let c = 0; c < 4; c++) {
          let u = 0;
          for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) u += G[r][i] * w[((i * 3 + j) * cin + ci) * cout + co] * G[c][j];
          out[(4 * r + c) * per + o] = u;
        }
      }
    }
  }
  return out;
}

/** Positions where two arrays' bits differ (toEqual is too slow on millions of floats). */
function mismatches(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let bad = 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) bad++;
  return bad;
}

const k = kernelInfo().wasm ? wasmKernels() : null;

describe.skipIf(k === null)("weights packed by the WebAssembly module", () => {
  const kernels = k!;
  const nr = kernels.panelWidth;

  it.each([
    [1, 1],
    [5, 3],
    [7, 8],
    [33, 21],
    [2100, 1001], // two 1 Mi-float blocks and a short third, a partial last panel
  ])("a [%i, %i] matrix packs to the bits of packPanels, zero-padded", (kDim, n) => {
    const w = values(kDim * n, kDim * 31 + n);
    const expected = new Float32Array(Math.ceil(n / nr) * kDim * nr);
    packPanels(expected, w, kDim, n, nr);
    const p = packed(kernels, w, kDim, n, null);
    expect(mismatches(kernels.view(p.ptr, expected.length), expected)).toBe(0);
  });

  it("a weight written in place is packed again, once, into the same block", () => {
    const [kDim, n] = [40, 19];
    const w = values(kDim * n, 5);
    const first = packed(kernels, w, kDim, n, null).ptr;
    const before = packCounts().panels;
    packed(kernels, w, kDim, n, null);
    expect(packCounts().panels).toBe(before);
    w.fill(0.25);
    weightsWritten([w]);
    const again = packed(kernels, w, kDim, n, null);
    expect(packCounts().panels).toBe(before + 1);
    expect(again.ptr).toBe(first);
    const expected = new Float32Array(Math.ceil(n / nr) * kDim * nr);
    packPanels(expected, w, kDim, n, nr);
    expect(mismatches(kernels.view(again.ptr, expected.length), expected)).toBe(0);
  });

  it.each([
    [1, 1],
    [3, 5],
    [17, 9],
    [300, 130], // several blocks of input channels
  ])("a 3x3 kernel with %i input channels and %i filters packs to its Winograd transforms, rounded once", (cin, cout) => {
    const w = values(9 * cin * cout, cin * 7 + cout);
    const expected = winogradByFormula(w, cin, cout, nr);
    const ptr = winogradPacked(kernels, w, cin, cout);
    const got = kernels.view(ptr, expected.length);
    let worst = 0;
    for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(got[i] - expected[i]));
    // The formula sums in another order: float64 rounding differences, far below one float32 step.
    expect(worst).toBeLessThan(1e-6);
  });
});
