/**
 * Weights packed by the WebAssembly module (`src/kernels/packed-weights.ts`,
 * `asm/pack.ts`), block by block, hold exactly the bits of the plain
 * formulas: panels of 8 columns, k-major, zero-padded, and Winograd
 * F(2x2, 3x3) and F(4x4, 3x3) transforms computed in float64 and rounded once. Shapes reach
 * partial last panels, narrower-than-a-panel matrices, several row blocks
 * and a last short block; a training step's write is packed again in place.
 * Weights drawn into WebAssembly memory are read where they lie: packed and
 * transformed to the same bits, and at one row of input the dense product
 * streams them unpacked, to the bits of the packed product.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import "../src/node/index.js";
import { input, loadModel, model, modelFromTfjsArtifacts, modelToTfjsArtifacts, optimizers, tensor } from "../src/index.js";
import type { Tensor } from "../src/index.js";
import { getKernelBackend, kernelInfo, setKernelBackend } from "../src/kernels/backend.js";
import { denseLayer } from "../src/kernels/fast-dense.js";
import { cachedCopy, packCounts, packPanels, packed, weightArray, weightBudgets, weightsWritten, winogradPacked } from "../src/kernels/packed-weights.js";
import { createRandom } from "../src/kernels/random.js";
import { wasmKernels } from "../src/kernels/wasm.js";

function values(n: number, seed: number): Float32Array {
  const r = createRandom(seed);
  return Float32Array.from({ length: n }, () => r.next() * 2 - 1);
}

/** `G` of Winograd F(2x2, 3x3) (points 0, 1, -1, infinity) and F(4x4, 3x3) (points 0, 1, -1, 1/2, -2, infinity). */
const WINOGRAD_G = {
  2: [
    [1, 0, 0],
    [0.5, 0.5, 0.5],
    [0.5, -0.5, 0.5],
    [0, 0, 1],
  ],
  4: [
    [1, 0, 0],
    [1 / 3, 1 / 3, 1 / 3],
    [-1 / 3, 1 / 3, -1 / 3],
    [-16 / 15, -8 / 15, -4 / 15],
    [1 / 15, -2 / 15, 4 / 15],
    [0, 0, 1],
  ],
} as const;

/** The Winograd transforms of a `[3, 3, cin, cout]` kernel as the `(tile + 2)^2` packed matrices, by the textbook formula. */
function winogradByFormula(w: Float32Array, cin: number, cout: number, nr: number, tile: 2 | 4 = 2): Float32Array {
  const per = Math.ceil(cout / nr) * cin * nr;
  const a = tile + 2;
  const out = new Float32Array(a * a * per);
  const G = WINOGRAD_G[tile];
  for (let ci = 0; ci < cin; ci++) {
    for (let co = 0; co < cout; co++) {
      const o = Math.floor(co / nr) * cin * nr + ci * nr + (co % nr);
      for (let r = 0; r < a; r++) {
        for (let c = 0; c < a; c++) {
          let u = 0;
          for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) u += G[r][i] * w[((i * 3 + j) * cin + ci) * cout + co] * G[c][j];
          out[(a * r + c) * per + o] = u;
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

  it.each([
    [1, 1],
    [3, 5],
    [17, 9],
    [300, 130],
  ])(
    "a 3x3 kernel with %i input channels and %i filters packs to its Winograd F(4x4, 3x3) transforms, rounded once, apart from its F(2x2, 3x3) ones",
    (cin, cout) => {
      const w = values(9 * cin * cout, cin * 11 + cout);
      const expected = winogradByFormula(w, cin, cout, nr, 4);
      const small = winogradPacked(kernels, w, cin, cout, 2);
      const ptr = winogradPacked(kernels, w, cin, cout, 4);
      expect(ptr).not.toBe(small);
      expect(winogradPacked(kernels, w, cin, cout, 4)).toBe(ptr);
      const got = kernels.view(ptr, expected.length);
      let worst = 0;
      for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(got[i] - expected[i]));
      // The formula sums in another order: float64 rounding differences, far below one float32 step.
      expect(worst).toBeLessThan(1e-6);
    },
  );

  it("a 3x3 kernel written in place has both its Winograd transforms made again, once, into their blocks", () => {
    const [cin, cout] = [12, 10];
    const w = values(9 * cin * cout, 3);
    const small = winogradPacked(kernels, w, cin, cout, 2);
    const large = winogradPacked(kernels, w, cin, cout, 4);
    const before = packCounts().winograd;
    winogradPacked(kernels, w, cin, cout, 4);
    expect(packCounts().winograd).toBe(before);
    w.fill(-0.5);
    weightsWritten([w]);
    expect(winogradPacked(kernels, w, cin, cout, 4)).toBe(large);
    expect(winogradPacked(kernels, w, cin, cout, 2)).toBe(small);
    expect(packCounts().winograd).toBe(before + 2);
    for (const tile of [2, 4] as const) {
      const expected = winogradByFormula(w, cin, cout, nr, tile);
      const got = kernels.view(tile === 2 ? small : large, expected.length);
      let worst = 0;
      for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(got[i] - expected[i]));
      expect(worst, `F(${tile}x${tile}, 3x3)`).toBeLessThan(1e-6);
    }
  });
});

/** `values` copied into an array of the kernels' memory, as a drawn weight is held. */
function resident(v: Float32Array): Float32Array {
  const a = weightArray(v.length, false);
  a.set(v);
  return a;
}

describe.skipIf(k === null)("weights held in WebAssembly memory", () => {
  const kernels = k!;
  const nr = kernels.panelWidth;
  const initial = getKernelBackend();

  it.each([
    [70, 64], // whole panels: the transform writes every float of a block that may hold old values
    [33, 21],
  ])("a [%i, %i] matrix and a 3x3 kernel are packed and transformed in place, to the bits of a plain array's", (cin, cout) => {
    setKernelBackend("fast");
    try {
      const w = values(9 * cin * cout, cin + cout);
      const inPlace = resident(w);
      expect(kernels.addressOf(inPlace)).toBeGreaterThan(0);
      expect(kernels.addressOf(w)).toBe(-1);
      // A block that held other values, so that a float left unwritten would show.
      const dirty = kernels.alloc(36 * Math.ceil(cout / nr) * cin * nr * 4);
      kernels.view(dirty, 36 * Math.ceil(cout / nr) * cin * nr).fill(Number.NaN);
      kernels.free(dirty);
      for (const tile of [2, 4] as const) {
        const per = (tile + 2) ** 2 * Math.ceil(cout / nr) * cin * nr;
        const a = kernels.view(winogradPacked(kernels, inPlace, cin, cout, tile), per).slice();
        const b = kernels.view(winogradPacked(kernels, w, cin, cout, tile), per);
        expect(mismatches(a, b), `F(${tile}x${tile}, 3x3)`).toBe(0);
      }
      const expected = new Float32Array(Math.ceil(cout / nr) * 9 * cin * nr);
      packPanels(expected, w, 9 * cin, cout, nr);
      expect(mismatches(kernels.view(packed(kernels, inPlace, 9 * cin, cout, null).ptr, expected.length), expected)).toBe(0);
    } finally {
      setKernelBackend(initial);
    }
  });

  it.each([
    [1, 1, "linear"],
    [37, 13, "relu"],
    [130, 67, "relu6"],
    [1024, 1001, "linear"],
  ] as const)("a dense layer at batch 1 (%i -> %i, %s, residual) reads the weights unpacked, to the bits of the packed product", (inDim, units, activation) => {
    setKernelBackend("fast");
    try {
      const w = values(inDim * units, inDim * 3 + units);
      const bias = values(units, units);
      const row = values(inDim, inDim);
      const residual = values(units, 7);
      const kernel = { shape: [inDim, units], data: w };
      const biasT = { shape: [units], data: bias };
      const before = packCounts().panels;
      const one = denseLayer({ shape: [1, inDim], data: row }, kernel, biasT, activation, { shape: [1, units], data: residual });
      // Unpacked: a weight of the engine's heap is copied as it is; one held in WebAssembly memory not even that.
      const inPlace = denseLayer({ shape: [1, inDim], data: row }, { shape: [inDim, units], data: resident(w) }, biasT, activation, {
        shape: [1, units],
        data: residual,
      });
      expect(packCounts().panels).toBe(before);
      const two = new Float32Array(2 * inDim);
      two.set(row);
      two.set(row, inDim);
      const twice = new Float32Array(2 * units);
      twice.set(residual);
      twice.set(residual, units);
      const packedRows = denseLayer({ shape: [2, inDim], data: two }, kernel, biasT, activation, { shape: [2, units], data: twice });
      expect(packCounts().panels).toBe(before + 1);
      expect(mismatches(one.data, packedRows.data.subarray(0, units))).toBe(0);
      expect(mismatches(inPlace.data, one.data)).toBe(0);
    } finally {
      setKernelBackend(initial);
    }
  });

  it("a model's initial weights are drawn into WebAssembly memory, to the values a plain array gets, and training writes them there", async () => {
    const build = () => {
      const i = input({ shape: [64] });
      return model({ inputs: i, outputs: i.dense({ units: 80, activation: "relu" }).dense({ units: 3 }), seed: 11 });
    };
    setKernelBackend("reference");
    const plain = build().getWeights();
    setKernelBackend("fast");
    try {
      const m = build();
      const kernel = m.layers[1].weights![0].data;
      expect(kernels.addressOf(kernel)).toBeGreaterThan(0);
      const drawn = m.getWeights();
      for (let j = 0; j < plain.length; j++) expect(mismatches(drawn[j].data, plain[j].data)).toBe(0);
      const x = tensor([6, 64], Array.from(values(6 * 64, 3))) as Tensor<[6, 64]>;
      const y = tensor([6, 3], Array.from(values(18, 4))) as Tensor<[6, 3]>;
      const c = m.compile({ optimizer: optimizers.sgd({ learningRate: 0.1 }), loss: "meanSquaredError" });
      await c.fit(x, y, { epochs: 2, batchSize: 3, verbose: 0 });
      // The optimizer wrote the array in place: the batch-1 product reads the new values.
      expect(m.layers[1].weights![0].data).toBe(kernel);
      expect(mismatches(kernel, plain[0].data)).toBeGreaterThan(0);
      const row = tensor([1, 64], Array.from(x.data.subarray(0, 64))) as Tensor<[1, 64]>;
      const got = (m.predict as (t: unknown) => Tensor)(row).data;
      setKernelBackend("reference");
      const fresh = build();
      fresh.setWeights(m.getWeights());
      const expected = (fresh.predict as (t: unknown) => Tensor)(row).data;
      for (let j = 0; j < expected.length; j++) expect(Math.abs(got[j] - expected[j])).toBeLessThan(1e-5);
    } finally {
      setKernelBackend(initial);
    }
  });

  it("a model read from files or from a caller's bytes holds its weights in WebAssembly memory, to the bits of the file; past the weights budget in plain arrays", async () => {
    setKernelBackend("fast");
    const dir = mkdtempSync(join(os.tmpdir(), "shapewise-resident-"));
    try {
      const i = input({ shape: [64] });
      const m = model({ inputs: i, outputs: i.dense({ units: 80, activation: "relu" }).dense({ units: 3 }), seed: 5 });
      const x = tensor([1, 64], Array.from(values(64, 8))) as Tensor<[1, 64]>;
      const run = (n: unknown) => (n as { predict(t: unknown): Tensor }).predict(x).data;
      const expected = run(m);
      await m.save(dir);
      const kernelOf = (n: unknown) => (n as { layers: { weights: Tensor[] }[] }).layers[1].weights[0].data;
      const loaded = await loadModel(dir);
      // Read where the kernels read it: the first predict copies nothing in.
      expect(kernels.addressOf(kernelOf(loaded))).toBeGreaterThan(0);
      expect(mismatches(kernelOf(loaded), kernelOf(m))).toBe(0);
      expect(mismatches(run(loaded), expected)).toBe(0);
      const artifacts = modelToTfjsArtifacts(m);
      const bytes = new Uint8Array(artifacts.weightData);
      const fromBytes = modelFromTfjsArtifacts(artifacts, bytes);
      expect(kernels.addressOf(kernelOf(fromBytes))).toBeGreaterThan(0);
      // The caller's bytes were copied: writing them changes nothing.
      bytes.fill(0);
      expect(mismatches(run(fromBytes), expected)).toBe(0);
      const before = weightBudgets({ weights: 0 });
      try {
        const plain = await loadModel(dir);
        expect(kernels.addressOf(kernelOf(plain))).toBe(-1);
        expect(mismatches(run(plain), expected)).toBe(0);
      } finally {
        weightBudgets(before);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
      setKernelBackend(initial);
    }
  });

  it("weights set from a caller's arrays are copied into WebAssembly memory, to the same bits, and later writes to the caller's arrays change nothing", () => {
    setKernelBackend("fast");
    try {
      const build = (seed: number) => {
        const i = input({ shape: [64] });
        return model({ inputs: i, outputs: i.dense({ units: 80, activation: "relu" }).dense({ units: 3 }), seed });
      };
      const source = build(3).getWeights();
      const m = build(4);
      m.setWeights(source);
      const kernel = m.layers[1].weights![0].data;
      expect(kernels.addressOf(kernel)).toBeGreaterThan(0);
      expect(kernels.addressOf(source[0].data)).toBe(-1);
      expect(mismatches(kernel, source[0].data)).toBe(0);
      const x = tensor([1, 64], Array.from(values(64, 6))) as Tensor<[1, 64]>;
      const before = Float32Array.from((m.predict as (t: unknown) => Tensor)(x).data);
      source[0].data.fill(0);
      expect(mismatches((m.predict as (t: unknown) => Tensor)(x).data, before)).toBe(0);
    } finally {
      setKernelBackend(initial);
    }
  });

  it("a copy padded to whole blocks reads 0 past the array even in a block that held other values", () => {
    const dirty = kernels.alloc(64 * 4);
    kernels.view(dirty, 64).fill(Number.NaN);
    kernels.free(dirty);
    const data = values(61, 2);
    const copy = kernels.view(cachedCopy(kernels, data, 64), 64);
    expect(mismatches(copy.subarray(0, 61), data)).toBe(0);
    expect(Array.from(copy.subarray(61))).toEqual([0, 0, 0]);
  });

  it("a loop that builds model after model keeps WebAssembly memory within the budgets, and a model still in use packs again to the same outputs", () => {
    // The collector never runs in this synchronous loop, so without the budgets every model's weights and
    // packed copies would stay: 24 models of 2 x 16 MiB would grow the memory by 768 MiB.
    const before = weightBudgets({ caches: 40 * 2 ** 20, weights: 40 * 2 ** 20 });
    setKernelBackend("fast");
    try {
      const build = (seed: number) => {
        const i = input({ shape: [2048] });
        return model({ inputs: i, outputs: i.dense({ units: 2048 }).dense({ units: 8 }), seed });
      };
      const x = tensor([2, 2048], Array.from(values(2 * 2048, 9))) as Tensor<[2, 2048]>;
      const run = (m: ReturnType<typeof build>) => Float32Array.from((m.predict as (t: unknown) => Tensor)(x).data);
      const kept = build(1);
      const first = run(kept);
      const start = kernels.memoryBytes();
      for (let seed = 2; seed < 26; seed++) run(build(seed));
      expect(kernels.memoryBytes() - start).toBeLessThan(300 * 2 ** 20);
      expect(mismatches(run(kept), first)).toBe(0);
    } finally {
      weightBudgets(before);
      setKernelBackend(initial);
    }
  });
});
