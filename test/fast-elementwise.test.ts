/**
 * The elementwise WebAssembly kernels (activations, batch normalisation at
 * inference, element-wise merges) against the reference kernels they stand
 * for (batch normalisation within float32 rounding, the others the same bits) on generated tensors with NaN, infinities and values
 * past the exponential's range, and the module holding no data segment (a
 * segment would be written over the shared memory the kernels allocate from).
 * In the `reference` vitest project the comparisons still run: the backend
 * is switched per call.
 */
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { ACTIVATIONS, activate } from "../src/kernels/activations.js";
import { elu, kerasRelu, leakyRelu, prelu, softmaxAxes } from "../src/kernels/activations-layers.js";
import type { ActivationName } from "../src/kernels/activations.js";
import { getKernelBackend, kernelInfo, setKernelBackend } from "../src/kernels/backend.js";
import { depthwise2dLayer } from "../src/kernels/fast-conv.js";
import { activationOptionsLayer, preluLayer, softmaxLayer } from "../src/kernels/fast-activations.js";
import { activationLayer, batchNormLayer, elementwiseMergeLayer } from "../src/kernels/fast-elementwise.js";
import type { KernelBackend } from "../src/kernels/backend.js";
import type { FastMerge } from "../src/kernels/fast-elementwise.js";
import { batchNormInference } from "../src/kernels/norm-batch.js";
import { profileCall } from "../src/kernels/profile.js";
import type { LayerProfile } from "../src/kernels/profile.js";
import { createRandom } from "../src/kernels/random.js";
import type { Tensor } from "../src/kernels/tensor.js";

const initial: KernelBackend = getKernelBackend();
afterEach(() => setKernelBackend(initial));

function onFast<T>(f: () => T): T {
  setKernelBackend("fast");
  try {
    return f();
  } finally {
    setKernelBackend(initial);
  }
}

/** Runs `f` on the fast kernels, checking that it launched WebAssembly kernels only. */
function onWasm<T>(f: () => T): T {
  return onFast(() => {
    const rows: LayerProfile[] = [];
    const [out] = profileCall(rows, "f", "F", [], () => [f()] as unknown as readonly Tensor[]);
    expect(rows[0].kernel).toBe("wasm");
    return out as unknown as T;
  });
}

/** Values across the activations' ranges, with NaN, infinities and signed zeros sprinkled in. */
function values(n: number, seed: number): Float32Array {
  const r = createRandom(seed);
  const special = [Number.NaN, Infinity, -Infinity, 0, -0, 1e-30, -1e-30, 100, -800, 800];
  return Float32Array.from({ length: n }, () => {
    const u = r.next();
    if (u < 0.05) return special[Math.floor(r.next() * special.length)];
    return (r.next() * 2 - 1) * (u < 0.5 ? 3 : 40);
  });
}

function expectSameBits(actual: Float32Array, expected: Float32Array): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (Object.is(actual[i], expected[i]) || (Number.isNaN(actual[i]) && Number.isNaN(expected[i]))) continue;
    expect.fail(`element ${i}: ${actual[i]} instead of ${expected[i]}`);
  }
}

/** Within 1e-6 of the larger of 1 and the input's size, or equal (infinities, NaN). */
function expectClose(actual: Float32Array, expected: Float32Array, inputs: Float32Array): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (Object.is(actual[i], expected[i]) || (Number.isNaN(actual[i]) && Number.isNaN(expected[i]))) continue;
    const bound = 1e-6 * Math.max(1, Math.abs(expected[i]), 20 * Math.abs(inputs[i]));
    if (!(Math.abs(actual[i] - expected[i]) <= bound)) expect.fail(`element ${i}: ${actual[i]} instead of ${expected[i]}`);
  }
}

const shapes = fc.tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 37 }));

/** A depthwise convolution's draw: input and window sizes, multiplier, stride, dilation, padding, bias, activation. */
type DepthwiseCase = {
  n: number;
  h: number;
  w: number;
  c: number;
  kh: number;
  kw: number;
  m: number;
  s: number;
  d: number;
  same: boolean;
  bias: boolean;
  act: ActivationName;
  seed: number;
};

/** Runs the case on the fast kernels (through `fastRun`) and the reference ones; each value within 1e-5, relative past 1. */
function expectDepthwiseAgrees(p: DepthwiseCase, fastRun: (f: () => Tensor) => Tensor | null): void {
  const r = createRandom(p.seed);
  const draw = (len: number) => Float32Array.from({ length: len }, () => r.next() * 2 - 1);
  const x: Tensor = { shape: [p.n, p.h, p.w, p.c], data: draw(p.n * p.h * p.w * p.c) };
  const kernel: Tensor = { shape: [p.kh, p.kw, p.c, p.m], data: draw(p.kh * p.kw * p.c * p.m) };
  const b: Tensor | null = p.bias ? { shape: [p.c * p.m], data: draw(p.c * p.m) } : null;
  const options = {
    strides: [p.s, p.s] as [number, number],
    dilationRate: [p.d, p.d] as [number, number],
    padding: p.same ? ("same" as const) : ("valid" as const),
  };
  const fastOut = fastRun(() => depthwise2dLayer(x, kernel, b, options, p.act))!;
  setKernelBackend("reference");
  const expected = depthwise2dLayer(x, kernel, b, options, p.act);
  setKernelBackend(initial);
  expect(fastOut.shape).toEqual(expected.shape);
  for (let i = 0; i < expected.data.length; i++) {
    expect(Math.abs(fastOut.data[i] - expected.data[i]) / Math.max(1, Math.abs(expected.data[i]))).toBeLessThan(1e-5);
  }
}

describe("elementwise WebAssembly kernels", () => {
  it("the kernels are loaded in Node", () => {
    onFast(() => expect(kernelInfo().wasm).toBe(true));
  });

  it("the module has no data segment", () => {
    const bytes = readFileSync(new URL("../build/shapewise-kernels.wasm", import.meta.url));
    const sections: number[] = [];
    for (let i = 8; i < bytes.length; ) {
      const id = bytes[i];
      let size = 0;
      let shift = 0;
      let j = i + 1;
      let byte: number;
      do {
        byte = bytes[j++];
        size += (byte & 127) * 2 ** shift;
        shift += 7;
      } while (byte & 128);
      sections.push(id);
      i = j + size;
    }
    expect(sections).toContain(10);
    expect(sections).not.toContain(11);
  });

  const fastActivations: ActivationName[] = ACTIVATIONS.filter((a) => a !== "log_softmax");
  it.each(fastActivations)("%s runs on WebAssembly and gives the reference kernel's bits", (name) => {
    fc.assert(
      fc.property(shapes, fc.integer(), ([a, b, c], seed) => {
        const x: Tensor = { shape: [a, b, c], data: values(a * b * c, seed) };
        const copy = new Float32Array(x.data);
        expectSameBits(onWasm(() => activationLayer(name, x)).data, activate(name, x).data);
        expectSameBits(x.data, copy);
      }),
      { numRuns: 25 },
    );
  });

  it("log_softmax runs on WebAssembly within float64 rounding of the reference's log (the same bits but for ties)", () => {
    fc.assert(
      fc.property(shapes, fc.integer(), ([a, b, c], seed) => {
        const x: Tensor = { shape: [a, b, c], data: values(a * b * c, seed) };
        expectClose(onWasm(() => activationLayer("log_softmax", x)).data, activate("log_softmax", x).data, new Float32Array(x.data.length));
      }),
      { numRuns: 25 },
    );
  });

  it("ELU with alpha, leaky ReLU and Keras's relu with slope, ceiling and threshold give the reference kernels' bits", () => {
    fc.assert(
      fc.property(
        shapes,
        fc.integer(),
        fc.constantFrom(0, 0.1, 0.3, 1.5),
        fc.constantFrom(null, 0.5, 1, 6),
        fc.constantFrom(0, 0.5),
        ([a, b, c], seed, slope, maxValue, threshold) => {
          const x: Tensor = { shape: [a, b, c], data: values(a * b * c, seed) };
          expectSameBits(onWasm(() => activationOptionsLayer(x, { kind: "elu", alpha: slope + 0.5 }))!.data, elu(x, slope + 0.5).data);
          expectSameBits(onWasm(() => activationOptionsLayer(x, { kind: "leaky", alpha: slope }))!.data, leakyRelu(x, slope).data);
          const o = { negativeSlope: slope, maxValue, threshold };
          expectSameBits(onWasm(() => activationOptionsLayer(x, { kind: "relu", ...o }))!.data, kerasRelu(x, o).data);
        },
      ),
      { numRuns: 40 },
    );
  });

  it("PReLU with every choice of shared axes gives the reference kernel's bits", () => {
    fc.assert(
      fc.property(shapes, fc.integer(), fc.boolean(), fc.boolean(), ([a, b, c], seed, share1, share2) => {
        const x: Tensor = { shape: [a, b, c], data: values(a * b * c, seed) };
        const alphaShape = [share1 ? 1 : b, share2 ? 1 : c];
        const alpha: Tensor = { shape: alphaShape, data: values(alphaShape[0] * alphaShape[1], seed + 1) };
        expectSameBits(onWasm(() => preluLayer(x, alpha))!.data, prelu(x, alpha).data);
      }),
      { numRuns: 40 },
    );
  });

  it("softmax over any one axis or adjacent axes gives the reference kernel's bits; other axes are left to it", () => {
    fc.assert(
      fc.property(shapes, fc.integer(), fc.constantFrom([0], [1], [2], [0, 1], [1, 2], [0, 1, 2]), ([a, b, c], seed, axes) => {
        const x: Tensor = { shape: [a, b, c], data: values(a * b * c, seed) };
        expectSameBits(onWasm(() => softmaxLayer(x, axes))!.data, softmaxAxes(x, axes).data);
      }),
      { numRuns: 40 },
    );
    expect(onFast(() => softmaxLayer({ shape: [2, 2, 2], data: new Float32Array(8) }, [0, 2]))).toBeNull();
  });

  it("batch normalisation on the last axis is the reference kernel within float32 rounding, with and without gamma and beta", () => {
    fc.assert(
      fc.property(shapes, fc.integer(), fc.boolean(), fc.boolean(), ([a, b, c], seed, scale, center) => {
        const r = createRandom(seed ^ 0x5bd1);
        const x: Tensor = { shape: [a, b, c], data: values(a * b * c, seed) };
        const per = (lo: number, hi: number) => Float32Array.from({ length: c }, () => lo + (hi - lo) * r.next());
        const w = { gamma: scale ? per(-2, 2) : null, beta: center ? per(-1, 1) : null, movingMean: per(-1, 1), movingVariance: per(0, 3), epsilon: 1e-3 };
        // Folded to one multiply-add per value: float32 rounding of the scale and shift, relative to the values' size.
        expectClose(onFast(() => batchNormLayer(x, 2, w)).data, batchNormInference(x, 2, w).data, x.data);
        // Any other axis, the same folding along it, with and without an activation after.
        const along = (n: number) => ({
          gamma: scale ? Float32Array.from({ length: n }, () => 4 * r.next() - 2) : null,
          beta: center ? Float32Array.from({ length: n }, () => 2 * r.next() - 1) : null,
          movingMean: Float32Array.from({ length: n }, () => 2 * r.next() - 1),
          movingVariance: Float32Array.from({ length: n }, () => 3 * r.next()),
          epsilon: 1e-3,
        });
        for (const axis of [0, 1]) {
          const wa = along(x.shape[axis]);
          const reference = batchNormInference(x, axis, wa);
          expectClose(onWasm(() => batchNormLayer(x, axis, wa)).data, reference.data, x.data);
          expectClose(onWasm(() => batchNormLayer(x, axis, wa, "relu6")).data, activate("relu6", reference).data, x.data);
        }
      }),
      { numRuns: 40 },
    );
  });

  it("batch normalisation refuses statistics of the wrong length as the reference kernel does", () => {
    const x: Tensor = { shape: [1, 3], data: Float32Array.of(1, 2, 3) };
    const w = { gamma: null, beta: null, movingMean: Float32Array.of(0, 0), movingVariance: Float32Array.of(1, 1, 1), epsilon: 0 };
    expect(() => onFast(() => batchNormLayer(x, 1, w))).toThrow("batchNormInference: movingMean has 2 values for 3 channels");
  });

  const merges: FastMerge[] = ["add", "subtract", "multiply", "average", "maximum", "minimum"];
  it.each(merges)("%s of two or three same-shape inputs gives the reference merge's bits", (kind) => {
    fc.assert(
      fc.property(shapes, fc.integer(), fc.integer({ min: 2, max: 3 }), ([a, b, c], seed, count) => {
        const inputs: Tensor[] = Array.from({ length: count }, (_, i) => ({ shape: [a, b, c], data: values(a * b * c, seed + i) }));
        const fastOut = onFast(() => elementwiseMergeLayer(kind, inputs));
        expect(fastOut).not.toBeNull();
        // The reference fold, as src/layers/merging.ts writes it.
        const n = a * b * c;
        const expected = new Float32Array(n);
        for (let i = 0; i < n; i++) {
          let acc = inputs[0].data[i];
          for (let k = 1; k < count; k++) {
            const x = inputs[k].data[i];
            acc = Math.fround(
              kind === "add" || kind === "average"
                ? acc + x
                : kind === "subtract"
                  ? acc - x
                  : kind === "multiply"
                    ? acc * x
                    : kind === "maximum"
                      ? acc >= x || Number.isNaN(acc)
                        ? acc
                        : x
                      : acc <= x || Number.isNaN(acc)
                        ? acc
                        : x,
            );
          }
          expected[i] = kind === "average" ? acc / count : acc;
        }
        expectSameBits(fastOut!.data, expected);
      }),
      { numRuns: 25 },
    );
  });

  it("depthwise convolution agrees with the reference grouped convolution within 1e-5 (float32 sums), every stride, dilation, padding and multiplier", () => {
    fc.assert(
      fc.property(
        fc.record({
          n: fc.integer({ min: 1, max: 2 }),
          h: fc.integer({ min: 1, max: 9 }),
          w: fc.integer({ min: 1, max: 9 }),
          c: fc.integer({ min: 1, max: 13 }),
          kh: fc.integer({ min: 1, max: 3 }),
          kw: fc.integer({ min: 1, max: 3 }),
          m: fc.integer({ min: 1, max: 3 }),
          s: fc.integer({ min: 1, max: 2 }),
          d: fc.integer({ min: 1, max: 2 }),
          same: fc.boolean(),
          bias: fc.boolean(),
          act: fc.constantFrom<ActivationName>("linear", "relu", "relu6", "sigmoid", "elu"),
          seed: fc.integer(),
        }),
        (p) => {
          if (!p.same && (p.h < (p.kh - 1) * p.d + 1 || p.w < (p.kw - 1) * p.d + 1)) return;
          expectDepthwiseAgrees(p, onFast);
        },
      ),
      { numRuns: 80 },
    );
  });

  it("a 3x3 depthwise convolution with one filter per channel (weights in registers inside the image, a checked loop at its edges) agrees with the reference within 1e-5 for channel counts up to 44, rows up to 23 wide and any pads", () => {
    fc.assert(
      fc.property(
        fc.record({
          n: fc.integer({ min: 1, max: 2 }),
          h: fc.integer({ min: 1, max: 7 }),
          w: fc.integer({ min: 1, max: 23 }),
          c4: fc.integer({ min: 1, max: 11 }),
          s: fc.integer({ min: 1, max: 2 }),
          d: fc.integer({ min: 1, max: 2 }),
          same: fc.boolean(),
          bias: fc.boolean(),
          act: fc.constantFrom<ActivationName>("linear", "relu", "relu6"),
          seed: fc.integer(),
        }),
        ({ n, h, w, c4, s, d, same, bias, act, seed }) => {
          if (!same && (h < 2 * d + 1 || w < 2 * d + 1)) return;
          expectDepthwiseAgrees({ n, h, w, c: 4 * c4, kh: 3, kw: 3, m: 1, s, d, same, bias, act, seed }, onWasm);
        },
      ),
      { numRuns: 80 },
    );
  });

  it("a broadcasting merge is left to the reference merge", () => {
    const a: Tensor = { shape: [2, 3], data: new Float32Array(6) };
    const b: Tensor = { shape: [1, 3], data: new Float32Array(3) };
    expect(onFast(() => elementwiseMergeLayer("add", [a, b]))).toBeNull();
  });
});
