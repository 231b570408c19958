/**
 * The convolutions outside the tuned 2-D kernel (`src/kernels/fast-conv-nd.ts`:
 * grouped, causal, dilated and 3-D convolutions, depthwise ones with one
 * group per channel, transposed convolutions) on the fast kernels against
 * the reference kernels, on generated shapes: every axis's stride,
 * dilation and padding, groups, biases, fused and unfused activations,
 * blocks of windows past one chunk, NaN inputs and the same rejections.
 *
 * In the `reference` vitest project the comparisons still run:
 * `setKernelBackend` switches per call.
 */
import fc from "fast-check";
import { input, model, tensor } from "../src/index.js";
import { afterEach, describe, expect, it } from "vitest";
import type { ActivationName } from "../src/kernels/activations.js";
import { activate } from "../src/kernels/activations.js";
import { getKernelBackend, setKernelBackend } from "../src/kernels/backend.js";
import type { KernelBackend } from "../src/kernels/backend.js";
import { convNd } from "../src/kernels/conv-nd.js";
import type { ConvAxis } from "../src/kernels/conv-nd.js";
import { convTransposeNd } from "../src/kernels/conv-transpose.js";
import { convNdLayer, convTransposeNdLayer } from "../src/kernels/fast-conv-nd.js";
import { createRandom } from "../src/kernels/random.js";
import type { Tensor } from "../src/kernels/tensor.js";
import { convOutputGeometry, transposeAxis } from "../src/shape.js";
import type { TransposeAxis } from "../src/shape.js";
import { maxScaledDiff } from "./support/scaled-diff.js";
import { onBoth } from "./support/fast-kernels.js";

const TOL = 2e-5;
const initial: KernelBackend = getKernelBackend();
afterEach(() => setKernelBackend(initial));

function randomTensor(shape: number[], seed: number): Tensor {
  const r = createRandom(seed);
  const n = shape.reduce((p, d) => p * d, 1);
  return { shape, data: Float32Array.from({ length: n }, () => 2 * r.next() - 1) };
}

const ACTIVATIONS: ActivationName[] = ["linear", "relu", "relu6", "sigmoid", "elu"];

/** The output length and front padding of one axis, or length 0 when the window does not fit. */
function windowOf(length: number, k: number, stride: number, dilation: number, padding: "valid" | "same") {
  try {
    return convOutputGeometry(length, k, stride, dilation, padding);
  } catch {
    return { outputLength: 0, padBefore: 0 };
  }
}

const axisArb = fc.record({
  length: fc.integer({ min: 1, max: 7 }),
  k: fc.integer({ min: 1, max: 3 }),
  stride: fc.integer({ min: 1, max: 3 }),
  dilation: fc.integer({ min: 1, max: 2 }),
  padding: fc.constantFrom("valid", "same", "causal"),
});

describe("convNdLayer: fast kernels against the reference convNd", () => {
  it("generated ranks, groups, strides, dilations, paddings (causal too), biases and activations", () => {
    fc.assert(
      fc.property(
        fc.array(axisArb, { minLength: 3, maxLength: 3 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 3 }),
        fc.boolean(),
        fc.constantFrom(...ACTIVATIONS),
        fc.integer({ min: 0, max: 1000 }),
        (spec, n, cinG, coutG, groups, withBias, activation, seed) => {
          // Causal padding is a 1-D form: only the last axis takes it.
          const axes = spec.map((a, i): ConvAxis => {
            const padding = a.padding === "causal" && i < 2 ? "valid" : a.padding;
            if (padding === "causal")
              return { outputLength: Math.ceil(a.length / a.stride), padBefore: a.dilation * (a.k - 1), stride: a.stride, dilation: a.dilation };
            const g = windowOf(a.length, a.k, a.stride, a.dilation, padding as "valid" | "same");
            return { outputLength: g.outputLength, padBefore: g.padBefore, stride: a.stride, dilation: a.dilation };
          }) as [ConvAxis, ConvAxis, ConvAxis];
          fc.pre(axes.every((a) => a.outputLength >= 1));
          const x = randomTensor([n, ...spec.map((a) => a.length), cinG * groups], seed);
          const kernel = randomTensor([...spec.map((a) => a.k), cinG, coutG * groups], seed + 1);
          const bias = withBias ? randomTensor([coutG * groups], seed + 2) : null;
          const r = onBoth(() => convNdLayer(x, kernel, bias, axes, groups, activation));
          const expected = convNd(x, kernel, bias, axes, groups);
          const e = activation === "linear" ? expected : activate(activation, expected);
          expect(r.fast.shape).toEqual(e.shape);
          expect(r.reference.data).toEqual(e.data);
          expect(maxScaledDiff(r.fast.data, e.data)).toBeLessThan(TOL);
        },
      ),
      { numRuns: 150, seed: 20261207 },
    );
  });

  it("a depthwise kernel as one group per channel, and windows past one block of 16 MB", () => {
    const x = randomTensor([2, 1, 1, 9, 6], 3);
    const depthwise = randomTensor([1, 1, 3, 6, 2], 4);
    const grouped = { shape: [1, 1, 3, 1, 12], data: depthwise.data };
    const unit = { outputLength: 1, padBefore: 0, stride: 1, dilation: 1 };
    const axes: [ConvAxis, ConvAxis, ConvAxis] = [unit, unit, { outputLength: 9, padBefore: 2, stride: 1, dilation: 1 }];
    const r = onBoth(() => convNdLayer(x, grouped, null, axes, 6, "linear"));
    expect(maxScaledDiff(r.fast.data, r.reference.data)).toBeLessThan(TOL);
    // 3x3x3 taps over 160 channels: 4,320 values per window, 1,000 windows are past 2^22 floats.
    const big = randomTensor([1, 10, 10, 10, 160], 5);
    // Weights at the scale an initialiser gives (1 / sqrt(taps)), so that sums stay near 1 as in a model.
    const k3 = randomTensor([3, 3, 3, 160, 2], 6);
    k3.data.forEach((v, i) => {
      k3.data[i] = v / Math.sqrt(27 * 160);
    });
    const same = (length: number): ConvAxis => ({ outputLength: length, padBefore: 1, stride: 1, dilation: 1 });
    const r3 = onBoth(() => convNdLayer(big, k3, null, [same(10), same(10), same(10)], 1, "relu"));
    expect(maxScaledDiff(r3.fast.data, r3.reference.data)).toBeLessThan(TOL);
  });

  it("NaN in the input stays in the outputs its windows reach", () => {
    const x = randomTensor([1, 1, 1, 8, 2], 9);
    x.data[7] = Number.NaN;
    const kernel = randomTensor([1, 1, 3, 2, 4], 10);
    const unit = { outputLength: 1, padBefore: 0, stride: 1, dilation: 1 };
    const axes: [ConvAxis, ConvAxis, ConvAxis] = [unit, unit, { outputLength: 8, padBefore: 2, stride: 1, dilation: 1 }];
    const r = onBoth(() => convNdLayer(x, kernel, null, axes, 1, "linear"));
    expect(Array.from(r.fast.data, Number.isNaN)).toEqual(Array.from(r.reference.data, Number.isNaN));
    expect(r.fast.data.some(Number.isNaN)).toBe(true);
  });

  it("rejects the same malformed calls with the same messages", () => {
    const x = randomTensor([1, 1, 1, 4, 6], 1);
    const unit = { outputLength: 1, padBefore: 0, stride: 1, dilation: 1 };
    const axes: [ConvAxis, ConvAxis, ConvAxis] = [unit, unit, { outputLength: 2, padBefore: 0, stride: 1, dilation: 1 }];
    for (const backend of ["fast", "reference"] as const) {
      setKernelBackend(backend);
      expect(() => convNdLayer(x, randomTensor([1, 1, 3, 4, 4], 2), null, axes, 2, "linear")).toThrow(
        "convNd: kernel [1, 1, 3, 4, 4] with 2 group(s) does not fit 6 input channels",
      );
      expect(() => convNdLayer(x, randomTensor([1, 1, 3, 3, 4], 2), randomTensor([3], 3), axes, 2, "linear")).toThrow(
        "convNd: bias has 3 entries, kernel has 4 filters",
      );
    }
  });
});

describe("convTransposeNdLayer: fast kernels against the reference convTransposeNd", () => {
  it("generated ranks, strides, dilations, paddings, output paddings, biases and activations", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            length: fc.integer({ min: 1, max: 5 }),
            k: fc.integer({ min: 1, max: 4 }),
            stride: fc.integer({ min: 1, max: 3 }),
            dilation: fc.integer({ min: 1, max: 2 }),
            padding: fc.constantFrom("valid" as const, "same" as const),
            outputPadding: fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }),
          }),
          { minLength: 3, maxLength: 3 },
        ),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 6 }),
        fc.boolean(),
        fc.constantFrom(...ACTIVATIONS),
        fc.integer({ min: 0, max: 1000 }),
        (spec, n, cin, cout, withBias, activation, seed) => {
          // Keras accepts an output padding below the stride (and below the dilation when both are 1).
          fc.pre(
            spec.every((a) => a.outputPadding === undefined || (a.outputPadding < a.stride && (a.dilation === 1 || a.stride === 1 || a.outputPadding === 0))),
          );
          let axes: TransposeAxis[];
          try {
            axes = spec.map((a) => transposeAxis(a.length, a.k, a.stride, a.dilation, a.padding, a.outputPadding));
          } catch {
            return;
          }
          fc.pre(axes.every((a) => a.outputLength >= 1));
          const full = axes as [TransposeAxis, TransposeAxis, TransposeAxis];
          const x = randomTensor([n, ...spec.map((a) => a.length), cin], seed);
          const kernel = randomTensor([...spec.map((a) => a.k), cout, cin], seed + 1);
          const bias = withBias ? randomTensor([cout], seed + 2) : null;
          const r = onBoth(() => convTransposeNdLayer(x, kernel, bias, full, activation));
          const expected = convTransposeNd(x, kernel, bias, full);
          const e = activation === "linear" ? expected : activate(activation, expected);
          expect(r.fast.shape).toEqual(e.shape);
          expect(r.reference.data).toEqual(e.data);
          expect(maxScaledDiff(r.fast.data, e.data)).toBeLessThan(TOL);
        },
      ),
      { numRuns: 150, seed: 20261208 },
    );
  });

  it("rejects the same malformed calls with the same messages", () => {
    const x = randomTensor([1, 1, 1, 4, 6], 1);
    const axes: [TransposeAxis, TransposeAxis, TransposeAxis] = [
      transposeAxis(1, 1, 1, 1, "valid", undefined),
      transposeAxis(1, 1, 1, 1, "valid", undefined),
      transposeAxis(4, 3, 2, 1, "same", undefined),
    ];
    for (const backend of ["fast", "reference"] as const) {
      setKernelBackend(backend);
      expect(() => convTransposeNdLayer(x, randomTensor([1, 1, 3, 2, 5], 2), null, axes, "linear")).toThrow(
        "convTransposeNd: kernel expects 5 input channels, input has 6",
      );
    }
  });
});

describe("1-D and 3-D pooling on the 2-D pooling kernel", () => {
  it("generated windows, strides and paddings, with NaN cells, equal the reference kernels", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ length: fc.integer({ min: 1, max: 6 }), pool: fc.integer({ min: 1, max: 3 }), stride: fc.integer({ min: 1, max: 3 }) }), {
          minLength: 3,
          maxLength: 3,
        }),
        fc.constantFrom("valid" as const, "same" as const),
        fc.constantFrom("max" as const, "avg" as const),
        fc.boolean(),
        fc.integer({ min: 0, max: 1000 }),
        (axes, padding, kind, oneD, seed) => {
          const used = oneD ? axes.slice(2) : axes;
          fc.pre(padding === "same" || used.every((a) => a.length >= a.pool));
          const shape = [...used.map((a) => a.length), 3];
          const x = input({ shape });
          const config = { poolSize: used.map((a) => a.pool), strides: used.map((a) => a.stride), padding };
          const method = `${kind === "max" ? "maxPooling" : "averagePooling"}${oneD ? 1 : 3}d`;
          const y = (x as unknown as Record<string, (c: unknown) => typeof x>)[method](config);
          const m = model({ inputs: x, outputs: y });
          const data = randomTensor([2, ...shape], seed).data;
          data[seed % data.length] = Number.NaN;
          const r = onBoth(() => m.predict(tensor([2, ...shape] as [number, ...number[]], data)));
          expect(r.fast.shape).toEqual(r.reference.shape);
          expect(maxScaledDiff(r.fast.data, r.reference.data)).toBeLessThan(TOL);
        },
      ),
      { numRuns: 120, seed: 20261209 },
    );
  });
});
