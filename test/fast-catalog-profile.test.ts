/**
 * Which kernels every layer of the catalog runs in `predict`: generated
 * stacks over the whole registry (`test/support/catalog-generator.ts`, fixed
 * seed) are predicted with `{ profile: true }`, and every row of every
 * profile is checked. A layer that runs any part on the reference kernels
 * must say why (a fallback is never silent), and on the fast kernels a
 * layer may fall back entirely only if it is one of {@link STILL_REFERENCE},
 * each of which must still be seen falling back, so that the list shrinks
 * as kernels land and grows only by an edit here.
 */
import { describe, expect, it } from "vitest";
import { tensor } from "../src/index.js";
import { getKernelBackend, kernelInfo } from "../src/kernels/backend.js";
import type { LayerProfile } from "../src/kernels/profile.js";
import { createRandom } from "../src/kernels/random.js";
import { buildCatalogModel, generateCatalogStacks } from "./support/catalog-generator.js";

/**
 * Layers that run some of their forms wholly on the reference kernels in
 * `predict` today: none of the catalog's; a layer added without a
 * WebAssembly kernel must be listed here.
 */
const STILL_REFERENCE = new Set<string>([]);

describe("every layer of the catalog in a profiled predict", () => {
  const stacks = generateCatalogStacks({ seed: 5, count: 600, minLayers: 1, maxLayers: 4 });
  const rows: LayerProfile[] = [];
  const random = createRandom(1);
  for (const s of stacks) {
    const m = buildCatalogModel(s.inputShape, s.calls, 3);
    const shape = [2, ...s.inputShape.map((d) => d ?? 5)] as [number, ...number[]];
    const data = Float32Array.from({ length: shape.reduce((p, d) => p * d, 1) }, () =>
      s.indexBound === undefined ? 2 * random.next() - 1 : Math.floor(random.next() * s.indexBound),
    );
    m.predict(tensor(shape, data), { profile: true });
    rows.push(...kernelInfo().profile!);
  }

  it("names the reason for every part run on the reference kernels", () => {
    expect(rows.length).toBeGreaterThan(1000);
    for (const r of rows) {
      if (r.kernel === "reference" || r.kernel === "wasm+reference") expect(r.reason, `${r.className} ${r.layer}`).toMatch(/\S/);
      else expect(r.reason, `${r.className} ${r.layer}`).toBeUndefined();
    }
  });

  it("falls back wholly only for the layers listed, each of which still does", () => {
    const fellBack = new Set(rows.filter((r) => r.kernel === "reference").map((r) => r.className));
    if (getKernelBackend() === "reference") {
      expect(rows.every((r) => r.kernel !== "wasm" && r.kernel !== "wasm+reference")).toBe(true);
      return;
    }
    expect([...fellBack].filter((c) => !STILL_REFERENCE.has(c)).sort()).toEqual([]);
    expect([...STILL_REFERENCE].filter((c) => !fellBack.has(c)).sort()).toEqual([]);
    // The convolutions of every rank and kind, and pooling of every rank, are among those on WebAssembly.
    const onWasm = new Set(rows.filter((r) => r.kernel.startsWith("wasm")).map((r) => r.className));
    for (const c of [
      "Conv1D",
      "Conv2D",
      "Conv3D",
      "Conv1DTranspose",
      "Conv2DTranspose",
      "Conv3DTranspose",
      "DepthwiseConv1D",
      "MaxPooling1D",
      "AveragePooling3D",
    ]) {
      expect(onWasm, c).toContain(c);
    }
  });
});
