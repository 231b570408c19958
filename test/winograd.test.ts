/**
 * The Winograd convolutions (`asm/kernels.ts` winograd3x3 and winograd4x4,
 * chosen per layer by `winogradTile` in `src/kernels/fast-conv.ts`) against
 * the float64 reference convolution: generated sizes, paddings, channels,
 * filters, batches, activations, biases and residuals, with partial edge
 * tiles on both tile sizes; the error on realistic (Glorot-scaled, 512
 * channel) layers; and NaN and infinities staying in their own example.
 *
 * In the `reference` vitest project (SHAPEWISE_KERNELS=reference) the
 * comparisons still run: `setKernelBackend` switches per call.
 */
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import "../src/node/index.js";
import type { ActivationName } from "../src/kernels/activations.js";
import { getKernelBackend, setKernelBackend } from "../src/kernels/backend.js";
import { conv2dGeometry } from "../src/kernels/conv2d.js";
import { conv2dLayer, winogradTile, withTrainingPrecision } from "../src/kernels/fast-conv.js";
import type { KernelBackend } from "../src/kernels/backend.js";
import { createRandom } from "../src/kernels/random.js";
import type { Tensor } from "../src/kernels/tensor.js";
import { wasmKernels } from "../src/kernels/wasm.js";
import { maxScaledDiff } from "./support/scaled-diff.js";
import { onBoth } from "./support/fast-kernels.js";

const TOL = 1e-5;
const initial: KernelBackend = getKernelBackend();
const k = wasmKernels();
afterEach(() => setKernelBackend(initial));

function randomTensor(shape: readonly number[], seed: number, scale = 1): Tensor {
  const r = createRandom(seed);
  const n = shape.reduce((p, d) => p * d, 1);
  return { shape: [...shape], data: Float32Array.from({ length: n }, () => (2 * r.next() - 1) * scale) };
}

/** Uniform Glorot scale of a 3x3 kernel. */
const glorot = (cin: number, cout: number) => Math.sqrt(6 / (9 * cin + 9 * cout));

const same1 = (padding: "valid" | "same") => ({ strides: [1, 1] as [number, number], dilationRate: [1, 1] as [number, number], padding });

function tileOf(h: number, w: number, cin: number, cout: number, padding: "valid" | "same", n = 1): 2 | 4 {
  return winogradTile(
    conv2dGeometry(
      { shape: [n, h, w, cin], data: new Float32Array(n * h * w * cin) },
      { shape: [3, 3, cin, cout], data: new Float32Array(9 * cin * cout) },
      null,
      same1(padding),
    ),
  );
}

describe.skipIf(k === null)("Winograd convolutions against the float64 reference", () => {
  it("F(4x4, 3x3) where its whole tiles cost fewer multiply-adds, F(2x2, 3x3) where they do not", () => {
    expect(tileOf(14, 14, 512, 512, "same")).toBe(4); // VGG16 block 5
    expect(tileOf(224, 224, 64, 64, "same")).toBe(4); // VGG16 block 1
    expect(tileOf(14, 14, 32, 64, "valid")).toBe(4); // Model B: 12x12, 3x3 tiles
    expect(tileOf(6, 6, 64, 128, "valid", 64)).toBe(4); // Model B at batch 64: 4x4, one tile per image
    expect(tileOf(6, 6, 64, 128, "valid")).toBe(2); // one image: one 6x6 tile where the micro-kernel computes four
    expect(tileOf(7, 7, 512, 512, "same")).toBe(4); // ResNet50 stage 5
    expect(tileOf(4, 4, 64, 64, "valid")).toBe(2); // 2x2 outputs: a 6x6 tile would compute 16 for 4
    expect(tileOf(3, 3, 64, 64, "same")).toBe(2); // 3x3 outputs: four 2x2 tiles against four 4x4 tiles
  });

  it("a training step holds every layer to F(2x2, 3x3), and the tile choice comes back after it, even when the step throws", () => {
    expect(withTrainingPrecision(() => [tileOf(14, 14, 512, 512, "same"), tileOf(224, 224, 64, 64, "same"), tileOf(14, 14, 32, 64, "valid")])).toEqual([
      2, 2, 2,
    ]);
    expect(tileOf(14, 14, 512, 512, "same")).toBe(4);
    expect(() =>
      withTrainingPrecision(() => {
        throw new Error("step failed");
      }),
    ).toThrow("step failed");
    expect(tileOf(14, 14, 512, 512, "same")).toBe(4);
  });

  it("generated layers: sizes, paddings, channels, filters, batch, activation, bias and residual, partial edge tiles", () => {
    let seed = 0;
    const tiles = new Set<number>();
    fc.assert(
      fc.property(
        fc.record({
          h: fc.integer({ min: 3, max: 17 }),
          w: fc.integer({ min: 3, max: 17 }),
          cin: fc.integer({ min: 4, max: 24 }).map((c) => 4 * c),
          cout: fc.integer({ min: 1, max: 12 }).map((c) => 4 * c),
          n: fc.integer({ min: 1, max: 3 }),
          padding: fc.constantFrom("valid" as const, "same" as const),
          activation: fc.constantFrom<ActivationName>("linear", "relu", "relu6", "elu"),
          bias: fc.boolean(),
          residual: fc.boolean(),
        }),
        ({ h, w, cin, cout, n, padding, activation, bias, residual }) => {
          seed += 4;
          const x = randomTensor([n, h, w, cin], seed);
          const kernel = randomTensor([3, 3, cin, cout], seed + 1, glorot(cin, cout));
          const b = bias ? randomTensor([cout], seed + 2) : null;
          const [oh, ow] = padding === "same" ? [h, w] : [h - 2, w - 2];
          const r = residual ? randomTensor([n, oh, ow, cout], seed + 3) : null;
          tiles.add(tileOf(h, w, cin, cout, padding, n));
          const { fast, reference } = onBoth(() => conv2dLayer(x, kernel, b, same1(padding), activation, r));
          expect(fast.shape).toEqual(reference.shape);
          expect(maxScaledDiff(fast.data, reference.data)).toBeLessThanOrEqual(TOL);
        },
      ),
      { numRuns: 60, seed: 43 },
    );
    expect([...tiles].sort()).toEqual([2, 4]);
  });

  it.each([
    [14, 512, 512],
    [28, 256, 512],
    [56, 128, 128],
  ])(
    "a %i-pixel square layer of %i -> %i channels, Glorot-scaled, is about as close to the float64 reference as a float32 direct convolution",
    (size, cin, cout) => {
      // Inputs like a ReLU network's (non-negative, mean 1); outputs of about 1, so the scaled error is the absolute one.
      // The direct (im2col) path on these layers measures max 1.4e-5 / 9.2e-6 / 6.5e-6 and rms 1.3e-6 / 7.6e-7 / 7.5e-7;
      // F(4x4, 3x3) max 1.7e-5 / 1.4e-5 / 1.0e-5 and rms 1.6e-6 / 9.9e-7 / 9.0e-7; F(2x2, 3x3) about a third of those.
      const r = createRandom(size + cin);
      const x = { shape: [1, size, size, cin], data: Float32Array.from({ length: size * size * cin }, () => 2 * r.next()) };
      const kernel = randomTensor([3, 3, cin, cout], cin + cout, glorot(cin, cout));
      expect(tileOf(size, size, cin, cout, "same")).toBe(4);
      const { fast, reference } = onBoth(() => conv2dLayer(x, kernel, null, same1("same"), "linear"));
      let squares = 0;
      for (let i = 0; i < fast.data.length; i++) squares += (fast.data[i] - reference.data[i]) ** 2;
      expect(maxScaledDiff(fast.data, reference.data)).toBeLessThan(3e-5);
      expect(Math.sqrt(squares / fast.data.length)).toBeLessThan(3e-6);
    },
  );

  it.each([Number.NaN, Number.POSITIVE_INFINITY])("%d in one example's input stays in that example, on both tile sizes", (bad) => {
    for (const [h, padding] of [
      [13, "same"],
      [4, "valid"],
    ] as const) {
      const cin = 16;
      const cout = 8;
      const per = h * h * cin;
      const x = randomTensor([3, h, h, cin], h);
      x.data[per + Math.floor(per / 2)] = bad;
      const kernel = randomTensor([3, 3, cin, cout], 5, glorot(cin, cout));
      setKernelBackend("fast");
      const all = conv2dLayer(x, kernel, null, same1(padding), "relu");
      const out = all.data.length / 3;
      const alone = (i: number) =>
        conv2dLayer({ shape: [1, h, h, cin], data: x.data.slice(i * per, (i + 1) * per) }, kernel, null, same1(padding), "relu").data;
      expect(
        all.data.slice(out, 2 * out).some((v) => !Number.isFinite(v)),
        `${h} ${padding}`,
      ).toBe(true);
      expect(all.data.slice(0, out)).toEqual(alone(0));
      expect(all.data.slice(2 * out)).toEqual(alone(2));
    }
  });
});
