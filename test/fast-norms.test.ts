/**
 * Normalisation on any axis on the WebAssembly kernels against the
 * reference kernels: `Rescaling` and `Normalization` (the same bits, float32
 * steps as Keras takes them) and layer normalisation over any axes (float32
 * SIMD, within 1e-5 scaled by max(1, |reference|)), on generated shapes with odd sizes and batches above 1, each
 * call launching WebAssembly kernels only.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { rescaleLayer, standardizeLayer } from "../src/kernels/fast-norms.js";
import { layerNormLayer } from "../src/kernels/fast-sequence.js";
import { layerNorm } from "../src/kernels/norm-layer.js";
import { rescale, standardize } from "../src/kernels/preprocess-elementwise.js";
import { createRandom } from "../src/kernels/random.js";
import type { Tensor } from "../src/kernels/tensor.js";
import { drawTensor, onWasm, restoreBackendAfterEach } from "./support/fast-kernels.js";

restoreBackendAfterEach();

function expectSameBits(actual: Tensor, expected: Tensor): void {
  expect(actual.shape).toEqual(expected.shape);
  for (let i = 0; i < expected.data.length; i++) {
    if (!Object.is(actual.data[i], expected.data[i]) && !(Number.isNaN(actual.data[i]) && Number.isNaN(expected.data[i]))) {
      expect.fail(`element ${i}: ${actual.data[i]} instead of ${expected.data[i]}`);
    }
  }
}

function draw(shape: readonly number[], seed: number): Tensor {
  return drawTensor(shape, seed, 300);
}

const shapes = fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 2, maxLength: 5 });

describe("normalisation kernels on WebAssembly", () => {
  it("Rescaling gives the reference bits", () => {
    fc.assert(
      fc.property(shapes, fc.integer(), fc.constantFrom(0.5, 1 / 255, 2, -1, 1 / 127.5), fc.constantFrom(0, -1, 0.5, 0.1), (shape, seed, scale, offset) => {
        const x = draw(shape, seed);
        expectSameBits(
          onWasm(() => rescaleLayer(x, scale, offset)),
          rescale(x, scale, offset),
        );
      }),
      { numRuns: 40 },
    );
  });

  it("Normalization, per position of any axis or overall, and its inverse, gives the reference bits", () => {
    fc.assert(
      fc.property(shapes, fc.integer(), fc.integer({ min: 0, max: 4 }), fc.boolean(), fc.boolean(), (shape, seed, pick, overall, invert) => {
        const x = draw(shape, seed);
        const axis = overall ? null : pick % shape.length;
        const n = axis === null ? 1 : shape[axis];
        const r = createRandom(seed ^ 7);
        const s = {
          mean: Array.from({ length: n }, () => r.next() * 2 - 1),
          variance: Array.from({ length: n }, () => (r.next() < 0.1 ? 0 : r.next() * 3)),
          axis,
          invert,
        };
        expectSameBits(
          onWasm(() => standardizeLayer(x, s)),
          standardize(x, s),
        );
      }),
      { numRuns: 60 },
    );
  });

  it("layer normalisation over any axes agrees with the reference kernel to 1e-5", () => {
    fc.assert(
      fc.property(shapes, fc.integer(), fc.integer({ min: 1, max: 31 }), fc.boolean(), fc.boolean(), (shape, seed, mask, scale, center) => {
        const x = draw(shape, seed);
        const axes = shape.map((_, i) => i).filter((i) => i > 0 && (mask >> (i - 1)) & 1);
        if (axes.length === 0) axes.push(shape.length - 1);
        const width = axes.reduce((p, a) => p * shape[a], 1);
        const r = createRandom(seed ^ 11);
        const w = {
          gamma: scale ? Float32Array.from({ length: width }, () => r.next() * 2 - 1) : null,
          beta: center ? Float32Array.from({ length: width }, () => r.next() * 2 - 1) : null,
          epsilon: 1e-3,
        };
        const fast = onWasm(() => layerNormLayer(x, axes, w));
        const reference = layerNorm(x, axes, w);
        expect(fast.shape).toEqual(reference.shape);
        for (let i = 0; i < reference.data.length; i++) {
          const d = Math.abs(fast.data[i] - reference.data[i]) / Math.max(1, Math.abs(reference.data[i]));
          if (!(d <= 1e-5)) expect.fail(`element ${i}: ${fast.data[i]} instead of ${reference.data[i]}`);
        }
      }),
      { numRuns: 80 },
    );
  });
});
