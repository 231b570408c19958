import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { getKernelBackend, kernelInfo, setKernelBackend } from "../../src/kernels/backend.js";
import { conv2dBackward } from "../../src/kernels/conv2d-backward.js";
import { denseBackward } from "../../src/kernels/dense-backward.js";
import { conv2dBackwardFast, denseBackwardFast } from "../../src/kernels/fast-backward.js";
import { createRandom } from "../../src/kernels/random.js";
import type { Tensor } from "../../src/kernels/tensor.js";
import { clearSession, optimizers, tensor } from "../../src/index.js";
import { randomTensor } from "../support/layer-harness.js";
import { seedModel } from "../support/seed-models.js";
import { scaledDifference } from "../support/compare.js";

/**
 * The matrix-product backward passes on the WebAssembly kernels against the
 * reference loops (float64 sums) on generated geometries: every gradient
 * within float32 rounding of the reference, and the fast path taken.
 */
const fastProject = getKernelBackend() === "fast";
const tensorOf = (shape: number[], seed: number): Tensor => randomTensor(shape, createRandom(seed), -1, 1);

describe.runIf(fastProject)("backward passes on the fast kernels", () => {
  afterEach(() => setKernelBackend("fast"));

  it("the WebAssembly kernels are loaded", () => {
    expect(kernelInfo().wasm).toBe(true);
  });

  it("conv2d: input, kernel and bias gradients equal the reference loop's", () => {
    let worst = 0;
    fc.assert(
      fc.property(
        fc.record({
          n: fc.integer({ min: 1, max: 3 }),
          h: fc.integer({ min: 1, max: 9 }),
          w: fc.integer({ min: 1, max: 9 }),
          cin: fc.integer({ min: 1, max: 9 }),
          cout: fc.integer({ min: 1, max: 11 }),
          kh: fc.integer({ min: 1, max: 4 }),
          kw: fc.integer({ min: 1, max: 4 }),
          sh: fc.integer({ min: 1, max: 3 }),
          sw: fc.integer({ min: 1, max: 3 }),
          dh: fc.integer({ min: 1, max: 2 }),
          dw: fc.integer({ min: 1, max: 2 }),
          padding: fc.constantFrom("valid" as const, "same" as const),
          seed: fc.integer({ min: 0, max: 1e6 }),
        }),
        (g) => {
          const spanH = g.dh * (g.kh - 1) + 1;
          const spanW = g.dw * (g.kw - 1) + 1;
          fc.pre(g.padding === "same" || (spanH <= g.h && spanW <= g.w));
          const options = { strides: [g.sh, g.sw] as [number, number], dilationRate: [g.dh, g.dw] as [number, number], padding: g.padding };
          const oh = g.padding === "same" ? Math.ceil(g.h / g.sh) : Math.floor((g.h - spanH) / g.sh) + 1;
          const ow = g.padding === "same" ? Math.ceil(g.w / g.sw) : Math.floor((g.w - spanW) / g.sw) + 1;
          const x = tensorOf([g.n, g.h, g.w, g.cin], g.seed);
          const k = tensorOf([g.kh, g.kw, g.cin, g.cout], g.seed + 1);
          const dy = tensorOf([g.n, oh, ow, g.cout], g.seed + 2);
          const fast = conv2dBackwardFast(x, k, dy, options);
          expect(fast).not.toBeNull();
          setKernelBackend("reference");
          const reference = conv2dBackward(x, k, dy, options);
          setKernelBackend("fast");
          for (const part of ["input", "kernel", "bias"] as const) {
            expect(fast![part].shape).toEqual(reference[part].shape);
            worst = Math.max(worst, scaledDifference(fast![part].data, reference[part].data));
          }
          expect(worst).toBeLessThan(1e-5);
        },
      ),
      { numRuns: 150, seed: 12 },
    );
    console.log(`conv2d backward, fast against reference: largest scaled difference ${worst.toExponential(2)}`);
  });

  it("conv2d: a layer whose unrolled input spans several blocks gives the reference's gradients", () => {
    // 4 images of 64x64x32 under a 3x3 window unroll to 16,384 pixels x 288 = 4.7 million floats, past the 4-million block.
    const x = tensorOf([4, 64, 64, 32], 21);
    const k = tensorOf([3, 3, 32, 8], 22);
    const dy = tensorOf([4, 64, 64, 8], 23);
    const options = { strides: [1, 1] as [number, number], dilationRate: [1, 1] as [number, number], padding: "same" as const };
    const fast = conv2dBackwardFast(x, k, dy, options)!;
    setKernelBackend("reference");
    const reference = conv2dBackward(x, k, dy, options);
    setKernelBackend("fast");
    for (const part of ["input", "kernel", "bias"] as const) expect(scaledDifference(fast[part].data, reference[part].data)).toBeLessThan(1e-5);
  });

  it("dense: input, kernel and bias gradients equal the reference loop's", () => {
    let worst = 0;
    fc.assert(
      fc.property(
        fc.record({
          rows: fc.integer({ min: 1, max: 70 }),
          inDim: fc.integer({ min: 1, max: 40 }),
          units: fc.integer({ min: 1, max: 20 }),
          seed: fc.integer({ min: 0, max: 1e6 }),
        }),
        (g) => {
          const x = tensorOf([g.rows, g.inDim], g.seed);
          const k = tensorOf([g.inDim, g.units], g.seed + 1);
          const dy = tensorOf([g.rows, g.units], g.seed + 2);
          const fast = denseBackwardFast(x, k, dy);
          expect(fast).not.toBeNull();
          setKernelBackend("reference");
          const reference = denseBackward(x, k, dy);
          setKernelBackend("fast");
          for (const part of ["input", "kernel", "bias"] as const) worst = Math.max(worst, scaledDifference(fast![part].data, reference[part].data));
          expect(worst).toBeLessThan(1e-5);
        },
      ),
      { numRuns: 100, seed: 13 },
    );
    console.log(`dense backward, fast against reference: largest scaled difference ${worst.toExponential(2)}`);
  });

  it("a training step split over two threads gives the one-thread step's weights, and a bad count is refused", () => {
    const weightsAfter = (threads: number) => {
      clearSession();
      const m = seedModel("same", "model");
      const c = m.compile({ optimizer: optimizers.adam(), loss: "sparseCategoricalCrossentropy" });
      const x = tensorOf([8, 28, 28, 1], 31);
      const y = tensor([8], [0, 1, 2, 3, 4, 5, 6, 7]);
      c.trainOnBatch(x as Tensor<[8, 28, 28, 1]>, y, { threads });
      return m.getWeights();
    };
    const one = weightsAfter(1);
    const two = weightsAfter(2);
    one.forEach((w, i) => expect(scaledDifference(two[i].data, w.data)).toBeLessThan(1e-5));
    const c = seedModel("same", "model").compile({ optimizer: "sgd", loss: "sparseCategoricalCrossentropy" });
    expect(() => c.trainOnBatch(tensorOf([1, 28, 28, 1], 1) as Tensor<[1, 28, 28, 1]>, tensor([1]), { threads: 0 })).toThrow(
      'shapewise: trainOnBatch threads must be a positive integer or "auto", got 0',
    );
  });

  it("on the reference kernels the fast twins step aside", () => {
    setKernelBackend("reference");
    const x = tensorOf([1, 3, 3, 1], 1);
    const k = tensorOf([2, 2, 1, 1], 2);
    expect(conv2dBackwardFast(x, k, tensorOf([1, 2, 2, 1], 3), { strides: [1, 1], dilationRate: [1, 1], padding: "valid" })).toBeNull();
    expect(denseBackwardFast(tensorOf([2, 3], 4), tensorOf([3, 2], 5), tensorOf([2, 2], 6))).toBeNull();
  });
});
