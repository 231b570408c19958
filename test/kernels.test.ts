import * as tf from "@tensorflow/tfjs";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACTIVATIONS, activate, erf, erfc, isActivationName } from "../src/kernels/activations.js";
import type { ActivationName } from "../src/kernels/activations.js";
import { conv2d } from "../src/kernels/conv2d.js";
import { dense } from "../src/kernels/dense.js";
import { averagePool2d, maxPool2d } from "../src/kernels/pooling.js";
import { createRandom, glorotUniform, ones, zeros } from "../src/kernels/random.js";
import type { Random } from "../src/kernels/random.js";
import { sizeOf } from "../src/kernels/tensor.js";
import type { Tensor } from "../src/kernels/tensor.js";
import { convOutputGeometry } from "../src/shape.js";

// Agreement target with TF.js: 1e-5 absolute, relative once |expected| > 1.
const TOL = 1e-5;

// Largest absolute and scaled (|d| / max(1, |expected|)) differences seen per
// kernel, printed at the end so the margin to the tolerance is visible.
const maxAbsDiff = new Map<string, number>();
const maxScaledDiff = new Map<string, number>();

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, kernel: string, tol = TOL): void {
  expect(actual.length, `${kernel}: length`).toBe(expected.length);
  let worst = 0;
  let worstScaled = 0;
  let worstAt = -1;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    if (a === e) continue; // also covers matching infinities
    const d = Math.abs(a - e);
    const scaled = d / Math.max(1, Math.abs(e));
    if (d > worst || Number.isNaN(d)) worst = Number.isNaN(d) ? Infinity : d;
    if (!(scaled <= worstScaled)) {
      worstScaled = Number.isNaN(scaled) ? Infinity : scaled;
      worstAt = i;
    }
  }
  maxAbsDiff.set(kernel, Math.max(maxAbsDiff.get(kernel) ?? 0, worst));
  maxScaledDiff.set(kernel, Math.max(maxScaledDiff.get(kernel) ?? 0, worstScaled));
  if (worstScaled > tol) {
    expect.fail(`${kernel}: element ${worstAt} is ${actual[worstAt]}, expected ${expected[worstAt]} (scaled error ${worstScaled} > ${tol})`);
  }
}

function randomTensor(shape: readonly number[], random: Random, scale = 1): Tensor {
  const data = new Float32Array(sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = scale * (2 * random.next() - 1);
  return { shape, data };
}

function tfData(make: () => tf.Tensor): Float32Array {
  const t = tf.tidy(make);
  const d = Float32Array.from(t.dataSync());
  t.dispose();
  return d;
}

function tf4(t: Tensor): tf.Tensor4D {
  return tf.tensor4d(t.data, t.shape as [number, number, number, number]);
}

beforeAll(async () => {
  await tf.setBackend("cpu");
  await tf.ready();
});

afterAll(() => {
  const rows = [...maxAbsDiff.entries()].map(([k, v]) => `  ${k.padEnd(30)} abs ${v.toExponential(2)}  scaled ${(maxScaledDiff.get(k) ?? 0).toExponential(2)}`);
  console.log(`max difference from the reference per kernel:\n${rows.join("\n")}`);
});

describe("sizeOf", () => {
  it("multiplies dimensions and rejects invalid ones", () => {
    expect(sizeOf([64, 28, 28, 1])).toBe(50176);
    expect(sizeOf([])).toBe(1);
    expect(sizeOf([3, 0, 2])).toBe(0);
    expect(() => sizeOf([2, -1])).toThrow(RangeError);
    expect(() => sizeOf([2.5])).toThrow(RangeError);
  });
});

describe("createRandom (mulberry32)", () => {
  it("reproduces the C reference implementation", () => {
    // First outputs of Tommy Ettinger's C mulberry32 (`a += 0x6D2B79F5; ...`),
    // compiled with gcc and run for these seeds.
    const reference: Record<number, number[]> = {
      0: [1144304738, 1416247, 958946056, 627933444, 2007157716],
      42: [2581720956, 1925393290, 3661312704, 2876485805, 750819978],
      4294967295: [3850105811, 813802916, 3073704848, 4054706436, 3630262831],
    };
    for (const [seed, words] of Object.entries(reference)) {
      const r = createRandom(Number(seed));
      expect(words.map(() => r.next() * 2 ** 32)).toEqual(words);
    }
    // Seeds are taken modulo 2^32.
    const a = createRandom(-1);
    expect(a.next() * 2 ** 32).toBe(reference[4294967295][0]);
  });

  it("stays in [0, 1) and rejects non-integer seeds", () => {
    const r = createRandom(123);
    let lo = 1;
    let hi = 0;
    for (let i = 0; i < 100_000; i++) {
      const u = r.next();
      lo = Math.min(lo, u);
      hi = Math.max(hi, u);
    }
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThan(1);
    expect(lo).toBeLessThan(1e-3);
    expect(hi).toBeGreaterThan(1 - 1e-3);
    expect(() => createRandom(1.5)).toThrow(RangeError);
    expect(() => createRandom(Number.NaN)).toThrow(RangeError);
  });
});

describe("glorotUniform", () => {
  const constant = (u: number): Random => ({ next: () => u });

  it("uses Keras fans for every rank", () => {
    // A generator stuck at 0 yields exactly -limit, isolating the fan formula.
    const cases: [number[], number][] = [
      [[], Math.sqrt(3)], // fan_in = fan_out = 1 → sqrt(6/2)
      [[10], Math.sqrt(6 / 20)],
      [[1152, 10], Math.sqrt(6 / 1162)], // reference §5.5: 0.07186
      [[5, 4, 6], Math.sqrt(6 / (4 * 5 + 6 * 5))],
      [[3, 3, 1, 32], Math.sqrt(6 / (9 + 288))], // reference §5.5: 0.14213
      [[3, 3, 32, 64], Math.sqrt(6 / (9 * 32 + 9 * 64))],
      [[2, 3, 3, 4, 8], Math.sqrt(6 / (18 * 4 + 18 * 8))],
    ];
    for (const [shape, limit] of cases) {
      const w = glorotUniform(shape, constant(0));
      expect(w.length).toBe(sizeOf(shape));
      expect(w[0]).toBe(Math.fround(-limit));
    }
    expect(Math.sqrt(6 / 1162)).toBeCloseTo(0.07186, 5);
    expect(Math.sqrt(6 / 297)).toBeCloseTo(0.14213, 5);
    expect(glorotUniform([4, 4], constant(0.5))).toEqual(new Float32Array(16));
  });

  it("is bounded, uniform-looking and deterministic per seed", () => {
    const shape = [3, 3, 32, 64];
    const limit = Math.sqrt(6 / (9 * 32 + 9 * 64));
    const a = glorotUniform(shape, createRandom(2024));
    const b = glorotUniform(shape, createRandom(2024));
    const c = glorotUniform(shape, createRandom(2025));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    let sumSq = 0;
    for (const v of a) {
      min = Math.min(min, v);
      max = Math.max(max, v);
      sum += v;
      sumSq += v * v;
    }
    expect(min).toBeGreaterThanOrEqual(Math.fround(-limit));
    expect(max).toBeLessThanOrEqual(Math.fround(limit));
    // 18432 draws: the extremes come within 0.1% of the bounds, the mean is ~0
    // and the variance is limit^2 / 3 (fixed seed, so this cannot flake).
    expect(min).toBeLessThan(-0.999 * limit);
    expect(max).toBeGreaterThan(0.999 * limit);
    const mean = sum / a.length;
    const variance = sumSq / a.length - mean * mean;
    expect(Math.abs(mean)).toBeLessThan(0.02 * limit);
    expect(variance / ((limit * limit) / 3)).toBeGreaterThan(0.97);
    expect(variance / ((limit * limit) / 3)).toBeLessThan(1.03);
  });

  it("zeros and ones", () => {
    expect(zeros([2, 3])).toEqual(new Float32Array(6));
    expect(ones([3])).toEqual(Float32Array.of(1, 1, 1));
    expect(ones([0, 4]).length).toBe(0);
  });
});

describe("convOutputGeometry", () => {
  it("matches the reference formulas on worked examples", () => {
    expect(convOutputGeometry(28, 3, 1, 1, "valid")).toEqual({ outputLength: 26, padBefore: 0, padAfter: 0 });
    expect(convOutputGeometry(5, 3, 2, 1, "same")).toEqual({ outputLength: 3, padBefore: 1, padAfter: 1 });
    expect(convOutputGeometry(6, 3, 2, 1, "same")).toEqual({ outputLength: 3, padBefore: 0, padAfter: 1 });
    expect(convOutputGeometry(5, 4, 1, 1, "same")).toEqual({ outputLength: 5, padBefore: 1, padAfter: 2 });
    expect(convOutputGeometry(6, 3, 1, 2, "same")).toEqual({ outputLength: 6, padBefore: 2, padAfter: 2 });
    expect(convOutputGeometry(7, 3, 1, 3, "valid")).toEqual({ outputLength: 1, padBefore: 0, padAfter: 0 });
    // Stride larger than the window: "same" never pads negatively.
    expect(convOutputGeometry(5, 1, 3, 1, "same")).toEqual({ outputLength: 2, padBefore: 0, padAfter: 0 });
  });

  it("agrees with the formulas and with TF.js computeConv2DInfo on random geometry", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
        fc.constantFrom("valid" as const, "same" as const),
        (L, k, s, d, padding) => {
          const dk = d * (k - 1) + 1;
          if (padding === "valid" && L < dk) {
            expect(() => convOutputGeometry(L, k, s, d, padding)).toThrow(RangeError);
            return;
          }
          const g = convOutputGeometry(L, k, s, d, padding);
          const out = padding === "same" ? Math.ceil(L / s) : Math.floor((L - dk) / s) + 1;
          const total = padding === "same" ? Math.max((out - 1) * s + dk - L, 0) : 0;
          expect(g).toEqual({ outputLength: out, padBefore: Math.floor(total / 2), padAfter: total - Math.floor(total / 2) });
          // TF.js only allows dilation with stride 1 (per axis pair it checks both).
          if (s === 1 || d === 1) {
            const info = tf.backend_util.computeConv2DInfo([1, L, 1, 1], [k, 1, 1, 1], [s, 1], [d, 1], padding);
            expect(info.outHeight).toBe(g.outputLength);
            expect(info.padInfo.top).toBe(g.padBefore);
            expect(info.padInfo.bottom).toBe(g.padAfter);
          }
        },
      ),
      { seed: 1701, numRuns: 2000 },
    );
  });

  it("throws RangeError instead of returning an empty axis", () => {
    expect(() => convOutputGeometry(2, 3, 1, 1, "valid")).toThrow(RangeError);
    expect(() => convOutputGeometry(4, 3, 1, 2, "valid")).toThrow(RangeError);
    expect(() => convOutputGeometry(0, 1, 1, 1, "same")).toThrow(RangeError);
    expect(() => convOutputGeometry(5, 0, 1, 1, "same")).toThrow(RangeError);
    expect(() => convOutputGeometry(5, 3, 0, 1, "same")).toThrow(RangeError);
  });
});

interface ConvCase {
  batch: number;
  h: number;
  w: number;
  cin: number;
  cout: number;
  kh: number;
  kw: number;
  strides: [number, number];
  dilations: [number, number];
  padding: "valid" | "same";
  useBias: boolean;
  seed: number;
}

function checkConvAgainstTf(c: ConvCase): void {
  const r = createRandom(c.seed);
  const x = randomTensor([c.batch, c.h, c.w, c.cin], r);
  const k = randomTensor([c.kh, c.kw, c.cin, c.cout], r);
  const b = c.useBias ? randomTensor([c.cout], r) : null;
  const ours = conv2d(x, k, b, { strides: c.strides, dilationRate: c.dilations, padding: c.padding });
  const ref = tfData(() => {
    const y = tf.conv2d(tf4(x), tf4(k), c.strides, c.padding, "NHWC", c.dilations);
    return b === null ? y : tf.add(y, tf.tensor1d(b.data));
  });
  const oh = convOutputGeometry(c.h, c.kh, c.strides[0], c.dilations[0], c.padding).outputLength;
  const ow = convOutputGeometry(c.w, c.kw, c.strides[1], c.dilations[1], c.padding).outputLength;
  expect(ours.shape).toEqual([c.batch, oh, ow, c.cout]);
  expectClose(ours.data, ref, "conv2d vs tf.conv2d");
}

describe("conv2d", () => {
  it("matches tf.conv2d on a grid: kernels 1..5 (square and rectangular), strides, dilations, both paddings", () => {
    // Strides and dilations are never both > 1: TF.js refuses that combination.
    const modes: { strides: [number, number]; dilations: [number, number] }[] = [
      { strides: [1, 1], dilations: [1, 1] },
      { strides: [2, 3], dilations: [1, 1] },
      { strides: [3, 2], dilations: [1, 1] },
      { strides: [1, 1], dilations: [2, 3] },
      { strides: [1, 1], dilations: [3, 1] },
    ];
    let n = 0;
    for (let kh = 1; kh <= 5; kh++) {
      for (let kw = 1; kw <= 5; kw++) {
        for (const padding of ["valid", "same"] as const) {
          for (const { strides, dilations } of modes) {
            const dkh = dilations[0] * (kh - 1) + 1;
            const dkw = dilations[1] * (kw - 1) + 1;
            checkConvAgainstTf({
              batch: 1 + (n % 3),
              // n % 4 alternates odd and even sizes on each axis.
              h: dkh + (n % 4),
              w: dkw + ((n + 1) % 4),
              cin: 1 + (n % 5),
              cout: 1 + ((n * 3) % 5),
              kh,
              kw,
              strides,
              dilations,
              padding,
              useBias: n % 2 === 0,
              seed: n,
            });
            n++;
          }
        }
      }
    }
    expect(n).toBe(250);
  }, 60_000);

  it("matches tf.conv2d on random configurations (fast-check)", () => {
    fc.assert(
      fc.property(
        fc.record({
          batch: fc.integer({ min: 1, max: 3 }),
          cin: fc.integer({ min: 1, max: 5 }),
          cout: fc.integer({ min: 1, max: 5 }),
          kh: fc.integer({ min: 1, max: 5 }),
          kw: fc.integer({ min: 1, max: 5 }),
          mode: fc.constantFrom("plain", "strided", "dilated"),
          s: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
          d: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
          padding: fc.constantFrom("valid" as const, "same" as const),
          // Negative extra sizes exercise "same" inputs smaller than the window.
          extraH: fc.integer({ min: -4, max: 7 }),
          extraW: fc.integer({ min: -4, max: 7 }),
          useBias: fc.boolean(),
          seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        }),
        (p) => {
          const strides: [number, number] = p.mode === "strided" ? p.s : [1, 1];
          const dilations: [number, number] = p.mode === "dilated" ? p.d : [1, 1];
          const dkh = dilations[0] * (p.kh - 1) + 1;
          const dkw = dilations[1] * (p.kw - 1) + 1;
          const size = (dk: number, extra: number) => (p.padding === "valid" ? dk + Math.max(extra, 0) : Math.max(1, dk + extra));
          checkConvAgainstTf({
            batch: p.batch,
            h: size(dkh, p.extraH),
            w: size(dkw, p.extraW),
            cin: p.cin,
            cout: p.cout,
            kh: p.kh,
            kw: p.kw,
            strides,
            dilations,
            padding: p.padding,
            useBias: p.useBias,
            seed: p.seed,
          });
        },
      ),
      { seed: 4242, numRuns: 300 },
    );
  }, 60_000);

  it("puts the odd 'same' pad pixel bottom/right: the swapped split is far outside the tolerance", () => {
    // k = 4 on L = 7: pad_total 3, split 1 before / 2 after.
    const r = createRandom(99);
    const x = randomTensor([2, 7, 7, 3], r);
    const k = randomTensor([4, 4, 3, 2], r);
    const ours = conv2d(x, k, null, { strides: [1, 1], dilationRate: [1, 1], padding: "same" });
    const explicit = (before: number, after: number) =>
      tfData(() =>
        tf.conv2d(tf4(x), tf4(k), 1, [
          [0, 0],
          [before, after],
          [before, after],
          [0, 0],
        ]),
      );
    expectClose(ours.data, explicit(1, 2), "conv2d vs tf.conv2d");
    const swapped = explicit(2, 1);
    let worst = 0;
    for (let i = 0; i < swapped.length; i++) worst = Math.max(worst, Math.abs(swapped[i] - ours.data[i]));
    expect(worst).toBeGreaterThan(1000 * TOL);
  });

  it("validates shapes", () => {
    const x = { shape: [1, 4, 4, 2], data: new Float32Array(32) };
    const opts = { strides: [1, 1], dilationRate: [1, 1], padding: "valid" } as const;
    expect(() => conv2d(x, { shape: [3, 3, 3, 1], data: new Float32Array(27) }, null, opts)).toThrow(/input channels/);
    expect(() => conv2d(x, { shape: [3, 3, 2, 1], data: new Float32Array(18) }, { shape: [2], data: new Float32Array(2) }, opts)).toThrow(/bias/);
    expect(() => conv2d({ shape: [1, 4, 4, 2], data: new Float32Array(31) }, { shape: [3, 3, 2, 1], data: new Float32Array(18) }, null, opts)).toThrow(
      RangeError,
    );
    expect(() => conv2d(x, { shape: [5, 5, 2, 1], data: new Float32Array(50) }, null, opts)).toThrow(RangeError);
  });
});

describe("pooling", () => {
  it("matches tf.maxPool and tf.avgPool for pool sizes 1..3, strides 1..3, both paddings", () => {
    let n = 0;
    for (let ph = 1; ph <= 3; ph++) {
      for (let pw = 1; pw <= 3; pw++) {
        for (let sh = 1; sh <= 3; sh++) {
          for (let sw = 1; sw <= 3; sw++) {
            for (const padding of ["valid", "same"] as const) {
              const r = createRandom(1000 + n);
              const x = randomTensor([1 + (n % 3), ph + (n % 5), pw + ((n + 2) % 5), 1 + (n % 4)], r, 3);
              const options = { poolSize: [ph, pw], strides: [sh, sw], padding } as const;
              const mx = maxPool2d(x, options);
              const av = averagePool2d(x, options);
              const refMax = tf.tidy(() => tf.maxPool(tf4(x), [ph, pw], [sh, sw], padding));
              const refAvg = tf.tidy(() => tf.avgPool(tf4(x), [ph, pw], [sh, sw], padding));
              expect(mx.shape).toEqual(refMax.shape);
              expect(av.shape).toEqual(refAvg.shape);
              expectClose(mx.data, refMax.dataSync(), "maxPool2d vs tf.maxPool");
              expectClose(av.data, refAvg.dataSync(), "averagePool2d vs tf.avgPool");
              refMax.dispose();
              refAvg.dispose();
              n++;
            }
          }
        }
      }
    }
    expect(n).toBe(162);
  });

  it("'same' average pooling divides border windows by the number of real cells", () => {
    // 3x3 input 1..9, pool 2, stride 2, "same": pad 0 before / 1 after.
    const x = { shape: [1, 3, 3, 1], data: Float32Array.from({ length: 9 }, (_, i) => i + 1) };
    const av = averagePool2d(x, { poolSize: [2, 2], strides: [2, 2], padding: "same" });
    expect([...av.data]).toEqual([3, 4.5, 7.5, 9]);
    const mx = maxPool2d({ shape: x.shape, data: x.data.map((v) => -v) }, { poolSize: [2, 2], strides: [2, 2], padding: "same" });
    // Padded cells are not zeros: the max of an all-negative border window stays negative.
    expect([...mx.data]).toEqual([-1, -3, -7, -9]);

    // Pool 3, stride 1, "same" on 6x6: a full-window divisor (9) would be far off at every border.
    const r = createRandom(5);
    const y = randomTensor([2, 6, 6, 3], r, 2);
    const ours = averagePool2d(y, { poolSize: [3, 3], strides: [1, 1], padding: "same" });
    const zeroPadded = tfData(() =>
      tf.avgPool(
        tf.pad(tf4(y), [
          [0, 0],
          [1, 1],
          [1, 1],
          [0, 0],
        ]),
        3,
        1,
        "valid",
      ),
    );
    expectClose(
      ours.data,
      tfData(() => tf.avgPool(tf4(y), 3, 1, "same")),
      "averagePool2d vs tf.avgPool",
    );
    let worst = 0;
    for (let i = 0; i < ours.data.length; i++) worst = Math.max(worst, Math.abs(ours.data[i] - zeroPadded[i]));
    expect(worst).toBeGreaterThan(1000 * TOL);
  });
});

describe("dense", () => {
  for (const shape of [
    [7, 5],
    [3, 4, 6],
    [2, 3, 4, 5],
    [1, 1],
    [9, 33],
  ]) {
    for (const useBias of [true, false]) {
      it(`matches tf.matMul for input [${shape.join(", ")}]${useBias ? " with bias" : ""}`, () => {
        const r = createRandom(shape.length * 31 + shape[shape.length - 1] + (useBias ? 1 : 0));
        const inDim = shape[shape.length - 1];
        const units = 3 + (shape.length % 4);
        const x = randomTensor(shape, r, 2);
        const k = randomTensor([inDim, units], r);
        const b = useBias ? randomTensor([units], r) : null;
        const ours = dense(x, k, b);
        expect(ours.shape).toEqual([...shape.slice(0, -1), units]);
        const ref = tfData(() => {
          const y = tf.matMul(tf.tensor2d(x.data, [x.data.length / inDim, inDim]), tf.tensor2d(k.data, [inDim, units]));
          return b === null ? y : tf.add(y, tf.tensor1d(b.data));
        });
        expectClose(ours.data, ref, "dense vs tf.matMul");
        if (shape.length === 2) {
          const viaDot = tfData(() => {
            const y = tf.dot(tf.tensor2d(x.data, [shape[0], inDim]), tf.tensor2d(k.data, [inDim, units]));
            return b === null ? y : tf.add(y, tf.tensor1d(b.data));
          });
          expectClose(ours.data, viaDot, "dense vs tf.matMul");
        }
      });
    }
  }

  it("validates shapes", () => {
    const k = { shape: [3, 2], data: new Float32Array(6) };
    expect(() => dense({ shape: [3], data: new Float32Array(3) }, k, null)).toThrow(/rank >= 2/);
    expect(() => dense({ shape: [1, 4], data: new Float32Array(4) }, k, null)).toThrow(/input features/);
    expect(() => dense({ shape: [1, 3], data: new Float32Array(3) }, k, { shape: [3], data: new Float32Array(3) })).toThrow(/bias/);
  });
});

describe("activations", () => {
  // Float64 Keras 3 formulas for the activations whose TF.js op is missing or differs.
  const hardSigmoidKeras3 = (v: number) => Math.min(Math.max(v + 3, 0), 6) / 6;

  const references: Record<ActivationName, (x: tf.Tensor) => tf.Tensor> = {
    linear: (x) => tf.clone(x),
    relu: (x) => tf.relu(x),
    relu6: (x) => tf.relu6(x),
    elu: (x) => tf.elu(x),
    selu: (x) => tf.selu(x),
    gelu: (x) => tf.layers.activation({ activation: "gelu" }).apply(x) as tf.Tensor,
    swish: (x) => tf.layers.activation({ activation: "swish" }).apply(x) as tf.Tensor,
    silu: (x) => tf.mul(x, tf.sigmoid(x)),
    sigmoid: (x) => tf.sigmoid(x),
    hard_sigmoid: (x) => tf.tensor(Float32Array.from(x.dataSync(), hardSigmoidKeras3), x.shape),
    tanh: (x) => tf.tanh(x),
    softplus: (x) => tf.softplus(x),
    softsign: (x) => tf.layers.activation({ activation: "softsign" }).apply(x) as tf.Tensor,
    softmax: (x) => tf.softmax(x),
    log_softmax: (x) => tf.logSoftmax(x),
    exponential: (x) => tf.exp(x),
  };

  it("lists the Keras 3 names and guards them", () => {
    expect(ACTIVATIONS.length).toBe(16);
    expect(Object.keys(references).sort()).toEqual([...ACTIVATIONS].sort());
    for (const a of ACTIVATIONS) expect(isActivationName(a)).toBe(true);
    for (const bad of ["hardSigmoid", "logSoftmax", "Relu", "", "constructor", 3, null, undefined]) {
      expect(isActivationName(bad)).toBe(false);
    }
    expect(() => activate("constructor" as ActivationName, { shape: [1], data: new Float32Array(1) })).toThrow(TypeError);
  });

  for (const name of ACTIVATIONS) {
    it(`${name} matches TF.js / the Keras 3 formula on rank 3 input`, () => {
      const r = createRandom(name.length * 7919);
      const shape = [3, 4, 17];
      const x = randomTensor(shape, r, 12);
      // Edge values: zero, exact kink points, large magnitudes for overflow-prone formulas.
      const edges = [0, -0, 1e-7, -1e-7, 3, -3, 6, -6, 20, -20, 40, -40, 80, -80];
      x.data.set(edges, 0);
      const before = Float32Array.from(x.data);
      const ours = activate(name, x);
      expect(ours.shape).toEqual(shape);
      expect(ours.data).not.toBe(x.data);
      expect(x.data).toEqual(before);
      const ref = tfData(() => references[name](tf.tensor(x.data, shape)));
      expectClose(ours.data, ref, `${name}`);
    });
  }

  it("elementwise formulas TF.js evaluates the same way agree to a few float32 ulps", () => {
    // The 1e-5 target cannot see a slightly wrong constant (e.g. SELU scale
    // 1.0507 is off by 8.6e-7 relative); TF.js cpu evaluates these in float64
    // per element too, so the results must agree to ~1 ulp, not just 1e-5.
    // softplus is left out: TF.js returns x itself for x > ~13.9, dropping a
    // log1p(e^-x) term worth up to ~5e-7 relative that we keep.
    const names = ["relu", "relu6", "elu", "selu", "sigmoid", "tanh", "softsign", "exponential"] as const;
    const r = createRandom(77);
    const x = randomTensor([4096], r, 15);
    for (const name of names) {
      const ours = activate(name, x).data;
      const ref = tfData(() => references[name](tf.tensor1d(x.data)));
      let worst = 0;
      for (let i = 0; i < ref.length; i++) {
        worst = Math.max(worst, Math.abs(ours[i] - ref[i]) / Math.max(Math.abs(ref[i]), 1e-30));
      }
      expect(worst, name).toBeLessThan(3e-7);
    }
  });

  it("softmax and log_softmax are stable for huge logits and normalise the last axis", () => {
    const x = { shape: [2, 3], data: Float32Array.of(1000, 1001, 1002, -1000, -1000, -3e38) };
    const s = activate("softmax", x);
    const ls = activate("log_softmax", x);
    expect([...s.data].every(Number.isFinite)).toBe(true);
    expect([...ls.data].every(Number.isFinite)).toBe(true);
    expect(s.data[0] + s.data[1] + s.data[2]).toBeCloseTo(1, 6);
    expectClose(
      s.data,
      tfData(() => tf.softmax(tf.tensor2d(x.data, [2, 3]))),
      "softmax",
    );
    expectClose(
      ls.data,
      tfData(() => tf.logSoftmax(tf.tensor2d(x.data, [2, 3]))),
      "log_softmax",
    );
    // Rank 1 is one row; rank 0 has no last axis.
    expectClose(activate("softmax", { shape: [3], data: Float32Array.of(1, 2, 3) }).data, [0.09003057, 0.24472847, 0.66524096], "softmax");
    expect(() => activate("softmax", { shape: [], data: Float32Array.of(1) })).toThrow(RangeError);
  });

  it("hard_sigmoid follows Keras 3 (slope 1/6), not TF.js (slope 0.2)", () => {
    const xs = Float32Array.of(-4, -3, -1.5, 0, 1.5, 2.5, 3, 4);
    const ours = activate("hard_sigmoid", { shape: [8], data: xs });
    expectClose(ours.data, [0, 0, 0.25, 0.5, 0.75, 11 / 12, 1, 1], "hard_sigmoid");
    const tfjs = tfData(() => tf.layers.activation({ activation: "hardSigmoid" }).apply(tf.tensor1d(xs)) as tf.Tensor);
    expect(Math.abs(tfjs[5] - ours.data[5])).toBeGreaterThan(0.08);
  });

  it("erf and erfc agree with CPython's math.erf / math.erfc to float64 precision", () => {
    // [x, math.erf(x), math.erfc(x)] printed by CPython 3.11.
    const table: [number, number, number][] = [
      [0.1, 0.1124629160182849, 0.8875370839817152],
      [0.5, 0.5204998778130465, 0.4795001221869535],
      [0.84375, 0.7672256612323416, 0.23277433876765835],
      [1, 0.8427007929497149, 0.15729920705028513],
      [1.25, 0.9229001282564582, 0.07709987174354177],
      [2, 0.9953222650189527, 0.004677734981047265],
      [3, 0.9999779095030014, 2.2090496998585438e-5],
      [5, 0.9999999999984626, 1.5374597944280351e-12],
      [10, 1, 2.088487583762545e-45],
      [-0.5, -0.5204998778130465, 1.5204998778130465],
      [-2, -0.9953222650189527, 1.9953222650189528],
    ];
    for (const [x, e, ec] of table) {
      expect(Math.abs(erf(x) - e)).toBeLessThanOrEqual(2 * Number.EPSILON * Math.abs(e));
      expect(Math.abs(erfc(x) - ec)).toBeLessThanOrEqual(4 * Number.EPSILON * Math.abs(ec));
    }
    expect(Number.isNaN(erf(Number.NaN))).toBe(true);
    expect(erf(Infinity)).toBe(1);
    expect(erfc(-Infinity)).toBe(2);
    // gelu keeps relative precision deep in the negative tail: CPython gives
    // -5 * math.erfc(10 / sqrt(2)) = -7.619853024160593e-23, while the naive
    // 0.5 * x * (1 + erf(x / sqrt(2))) cancels to -0.
    const g = activate("gelu", { shape: [1], data: Float32Array.of(-10) }).data[0];
    expect(Math.abs(g / -7.619853024160593e-23 - 1)).toBeLessThan(1e-7);
  });
});

describe("Keras 3 forward cases (reference §6, keras 3.15.1 JAX, outputs rounded to 7 decimals)", () => {
  // Inputs and weights are regenerated from the documented formulas; the
  // formulas reproduce the stored float32 values bit for bit.
  const input = (shape: number[]): Tensor => ({
    shape,
    data: Float32Array.from({ length: sizeOf(shape) }, (_, i) => 0.5 + 0.5 * Math.sin(0.11 * i)),
  });
  const weight = (shape: number[], k: number): Tensor => ({
    shape,
    data: Float32Array.from({ length: sizeOf(shape) }, (_, i) => 0.5 * Math.sin(0.37 * i + 1.3 * k + 1.0)),
  });
  const KERAS_TOL = 1e-6;

  const convCases: [string, number[], [number, number, number], Parameters<typeof conv2d>[3], boolean, number[]][] = [
    [
      "conv2d_valid",
      [1, 5, 5, 2],
      [3, 3, 3],
      { strides: [1, 1], dilationRate: [1, 1], padding: "valid" },
      false,
      [
        0.5955544, 0.503643, 0.3435662, 0.6217652, 0.5134479, 0.3356378, 0.6463517, 0.5214792, 0.3260269, 0.6992414, 0.5315964, 0.2920021, 0.7070771, 0.5297669,
        0.2807552, 0.7091762, 0.5253775, 0.2704715, 0.6814393, 0.4995158, 0.249985, 0.6623371, 0.4880514, 0.2477103, 0.6396548, 0.476038, 0.2479917,
      ],
    ],
    [
      "conv2d_same_stride2_odd",
      [1, 5, 5, 2],
      [3, 3, 2],
      { strides: [2, 2], dilationRate: [1, 1], padding: "same" },
      false,
      [
        1.0429634, 1.2556008, 0.3387031, 0.5607492, -0.5889181, -0.2724739, 0.8053017, 0.3110791, 0.9850906, 0.6346265, 1.5339626, 1.3304714, 0.2531815,
        -0.0466138, 0.6247391, 0.394793, 0.56199, 0.4239445,
      ],
    ],
    [
      "conv2d_same_stride2_even",
      [1, 6, 6, 1],
      [3, 3, 1],
      { strides: [2, 2], dilationRate: [1, 1], padding: "same" },
      false,
      [1.2699507, 1.4853284, 1.4981011, 2.1835699, 2.1998956, 1.7430049, 1.6766217, 1.4382656, 0.9766331],
    ],
    [
      "conv2d_same_k4_even",
      [1, 5, 5, 1],
      [4, 4, 1],
      { strides: [1, 1], dilationRate: [1, 1], padding: "same" },
      false,
      [
        -0.9982208, -1.5450149, -1.6151655, -1.1978178, -0.6696855, -0.4865337, -0.7108914, -0.6217983, -0.2956987, 0.0068216, -0.166082, -0.1752982, -0.047896,
        0.2259906, 0.3986378, 0.3851759, 0.8428326, 0.9438218, 1.1304877, 1.0793407, 1.6859728, 2.3713934, 2.3373294, 2.0535462, 1.582098,
      ],
    ],
    [
      "conv2d_dilation2_same (relu)",
      [1, 6, 6, 1],
      [3, 3, 1],
      { strides: [1, 1], dilationRate: [2, 2], padding: "same" },
      true,
      [
        0.0356824, 0.0583158, 0.2599388, 0.3114163, 0.5992283, 0.6397215, 0.209985, 0.2454463, 0.590171, 0.6454667, 0.8278136, 0.8593665, 0.9703962, 1.0567598,
        1.7437238, 1.8524696, 1.5717771, 1.6270978, 1.4225018, 1.4762303, 2.2559724, 2.3017824, 1.7920163, 1.7998655, 1.6671711, 1.6488252, 2.3555551,
        2.3072224, 1.7162626, 1.6693208, 1.4629309, 1.410073, 1.937398, 1.8440747, 1.3624496, 1.2918489,
      ],
    ],
  ];
  for (const [name, inShape, [kh, kw, filters], options, relu, expected] of convCases) {
    it(name, () => {
      const x = input(inShape);
      const cin = inShape[3];
      let y: Tensor = conv2d(x, weight([kh, kw, cin, filters], 0), weight([filters], 1), options);
      if (relu) y = activate("relu", y);
      expectClose(y.data, expected, "conv2d vs Keras 3", KERAS_TOL);
    });
  }

  it("maxpool2d_same / avgpool2d_same / avgpool2d_3_s1_same", () => {
    const x = input([1, 5, 5, 2]);
    const opts = { poolSize: [2, 2], strides: [2, 2], padding: "same" } as const;
    expectClose(
      maxPool2d(x, opts).data,
      [
        0.9843575, 0.9950523, 0.9997629, 0.9984325, 0.958719, 0.9341073, 0.9042482, 0.8695027, 0.7404113, 0.6908305, 0.5307769, 0.4758058, 0.024199, 0.0102054,
        0.0299054, 0.0514447, 0.0784061, 0.1104637,
      ],
      "maxPool2d vs Keras 3",
      KERAS_TOL,
    );
    expectClose(
      averagePool2d(x, opts).data,
      [
        0.759769, 0.7949427, 0.877592, 0.8964074, 0.9220442, 0.9260601, 0.6177363, 0.5723451, 0.4331653, 0.3876401, 0.2999892, 0.2598749, 0.0131657, 0.0051415,
        0.0169855, 0.0327466, 0.0784061, 0.1104637,
      ],
      "averagePool2d vs Keras 3",
      KERAS_TOL,
    );
    expectClose(
      averagePool2d(input([1, 4, 4, 1]), { poolSize: [3, 3], strides: [1, 1], padding: "same" }).data,
      [
        0.6323006, 0.6574793, 0.7069991, 0.7314405, 0.7220975, 0.7437625, 0.7859355, 0.806529, 0.8761842, 0.8898923, 0.9156269, 0.9277055, 0.9456981, 0.9546931,
        0.9707788, 0.9779018,
      ],
      "averagePool2d vs Keras 3",
      KERAS_TOL,
    );
  });

  it("dense_rank3 / dense_softmax", () => {
    const y3 = dense(input([1, 2, 3]), weight([3, 2], 0), weight([2], 1));
    expect(y3.shape).toEqual([1, 2, 2]);
    expectClose(y3.data, [1.043815, 0.7977635, 1.2366575, 0.9668537], "dense vs Keras 3", KERAS_TOL);
    const ys = activate("softmax", dense(input([2, 3]), weight([3, 4], 0), weight([4], 1)));
    expectClose(ys.data, [0.3615651, 0.2782277, 0.2064349, 0.1537722, 0.374718, 0.2799186, 0.20076, 0.1446034], "dense vs Keras 3", KERAS_TOL);
  });
});
