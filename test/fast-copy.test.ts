/**
 * The copy kernels (permute, cropping, zero padding of any axes, nearest
 * upsampling and repeats, image resizing and centre cropping) against the
 * reference kernels they stand for: the same bits, on generated shapes with
 * odd sizes and batches above 1, each call launching WebAssembly kernels
 * only.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  centerCropLayer,
  cropLayer,
  padAnyLayer,
  permutationKeepsOrder,
  repeatLayer,
  resizeLayer,
  resizeToAspectLayer,
  transposeLayer,
} from "../src/kernels/fast-copy.js";
import { centerCropImages, resizeImages, resizeToAspect } from "../src/kernels/preprocess-image.js";
import { createRandom } from "../src/kernels/random.js";
import { crop, padZeros, repeatEach, transpose } from "../src/kernels/reshape-ops.js";
import type { Tensor } from "../src/kernels/tensor.js";
import { drawTensor, onReference, onWasm, restoreBackendAfterEach } from "./support/fast-kernels.js";

restoreBackendAfterEach();

function expectSame(actual: Tensor, expected: Tensor): void {
  expect(actual.shape).toEqual(expected.shape);
  expect(Array.from(actual.data)).toEqual(Array.from(expected.data));
}

function draw(shape: readonly number[], seed: number): Tensor {
  return drawTensor(shape, seed);
}

const shapes = fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 2, maxLength: 5 });

describe("copy kernels on WebAssembly", () => {
  it("permutes every axis order", () => {
    fc.assert(
      fc.property(shapes, fc.integer(), fc.integer(), (shape, seed, pick) => {
        const x = draw(shape, seed);
        const perm = shape.map((_, i) => i);
        const r = createRandom(pick);
        for (let i = perm.length - 1; i > 0; i--) {
          const j = Math.floor(r.next() * (i + 1));
          [perm[i], perm[j]] = [perm[j], perm[i]];
        }
        // A permutation that only moves axes of length 1 is a view of the input's data, computed by no kernel.
        const view = permutationKeepsOrder(shape, perm);
        const y = view ? transposeLayer(x, perm) : onWasm(() => transposeLayer(x, perm));
        expect(y.data === x.data).toBe(view);
        expectSame(y, transpose(x, perm));
      }),
      { numRuns: 60 },
    );
  });

  it("crops and zero-pads any axes", () => {
    fc.assert(
      fc.property(
        shapes,
        fc.integer(),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })), { minLength: 5, maxLength: 5 }),
        (shape, seed, pairs) => {
          const x = draw(shape, seed);
          const pads = shape.map((_, i) => pairs[i] as readonly [number, number]);
          expectSame(
            onWasm(() => padAnyLayer(x, pads)),
            padZeros(x, pads),
          );
          const crops = shape.map((d, i) => [Math.min(pairs[i][0], d - 1), Math.min(pairs[i][1], d - 1 - Math.min(pairs[i][0], d - 1))] as const);
          expectSame(
            onWasm(() => cropLayer(x, crops)),
            crop(x, crops),
          );
        },
      ),
      { numRuns: 60 },
    );
  });

  it("repeats every entry along any axes (nearest upsampling, RepeatVector)", () => {
    fc.assert(
      fc.property(shapes, fc.integer(), fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 5, maxLength: 5 }), (shape, seed, f) => {
        const x = draw(shape, seed);
        const factors = shape.map((_, i) => f[i]);
        expectSame(
          onWasm(() => repeatLayer(x, factors)),
          repeatEach(x, factors),
        );
      }),
      { numRuns: 60 },
    );
  });

  it("resizes images (nearest and bilinear, up and down, cropped to the aspect ratio or not) and crops their centre", () => {
    fc.assert(
      fc.property(
        fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 4 })),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 9 }),
        fc.constantFrom("nearest" as const, "bilinear" as const),
        fc.integer(),
        (shape, height, width, method, seed) => {
          const x = draw(shape, seed);
          expectSame(
            onWasm(() => resizeLayer(x, height, width, method)),
            onReference(() => resizeImages(x, height, width, method)),
          );
          expectSame(
            onWasm(() => resizeToAspectLayer(x, height, width, method)),
            onReference(() => resizeToAspect(x, height, width, method)),
          );
          expectSame(
            onWasm(() => centerCropLayer(x, height, width)),
            onReference(() => centerCropImages(x, height, width)),
          );
        },
      ),
      { numRuns: 80 },
    );
  });
});
