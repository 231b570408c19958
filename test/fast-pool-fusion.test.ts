/**
 * A 2-D convolution that writes its following 2x2, stride-2, valid max
 * pool directly on the WebAssembly kernels (the im2col product's tiles and
 * both Winograd output transforms). Generated models run three ways: fused
 * on the fast kernels, unfused on the fast kernels (the pool's input is
 * also a model output, so the plan must leave it), and on the reference
 * kernels, which never fuse. Fused and unfused must agree bit for bit (the
 * pool's maximum is taken in the same order over the same values), both
 * must agree with the reference to float32 rounding, and the profile must
 * say which pools were fused into which convolution.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { input, model, tensor } from "../src/index.js";
import { kernelInfo } from "../src/kernels/backend.js";
import { conv2dGeometry } from "../src/kernels/conv2d.js";
import { K_BLOCK, winogradTile } from "../src/kernels/fast-conv.js";
import type { LayerProfile } from "../src/kernels/profile.js";
import { createRandom } from "../src/kernels/random.js";
import { wasmKernels } from "../src/kernels/wasm.js";
import { drawModelWeights, onBackend, restoreBackendAfterEach } from "./support/fast-kernels.js";
import { randomTensor } from "./support/layer-harness.js";

/** The functional API's tensors and models, as a plain JavaScript caller holds them. */
type Untyped = any;

restoreBackendAfterEach();

/** The tolerances test/fast-plan.test.ts holds the fast kernels to: Winograd F(4x4, 3x3) rounds more. */
const WINOGRAD_TOLERANCE = 1e-4;
const TOLERANCE = 2e-5;

function expectClose(actual: Float32Array, expected: Float32Array, tolerance: number): void {
  expect(actual.length).toBe(expected.length);
  let scale = 1;
  for (const v of expected) scale = Math.max(scale, Math.abs(v));
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(actual[i] - expected[i]) <= tolerance * scale)) expect.fail(`element ${i}: ${actual[i]} instead of ${expected[i]} (scale ${scale})`);
  }
}

function expectSameBits(actual: Float32Array, expected: Float32Array): void {
  expect(actual.length).toBe(expected.length);
  const a = new Uint32Array(actual.buffer, actual.byteOffset, actual.length);
  const e = new Uint32Array(expected.buffer, expected.byteOffset, expected.length);
  for (let i = 0; i < e.length; i++) {
    if (a[i] !== e[i]) expect.fail(`element ${i}: ${actual[i]} fused, ${expected[i]} unfused`);
  }
}

/** The activations drawn: those the product's last step applies, a monotonic one it does not, and a non-monotonic one. */
const ACTIVATIONS = ["linear", "relu", "relu6", "tanh", "gelu"] as const;
type Act = (typeof ACTIVATIONS)[number];
const FUSED_ACTIVATIONS: readonly Act[] = ["linear", "relu", "relu6"];

interface Case {
  h: number;
  w: number;
  c: number;
  filters: number;
  kernel: number;
  stride: number;
  same: boolean;
  useBias: boolean;
  batch: number;
  /** The convolution's own activation, or a normalisation and an activation layer after a linear one. */
  tail: "own" | "layers";
  act: Act;
  norm: boolean;
  /** A pool the kernels write (2x2, stride 2, valid), or one they leave. */
  pool: "pair" | "same" | "overlapping";
  seed: number;
}

/** Which path a case's convolution takes on the fast kernels: "im2col", "winograd2", "winograd4". */
function pathOf(p: Case): "im2col" | "winograd2" | "winograd4" {
  const winograd = p.kernel === 3 && p.stride === 1 && p.c % 4 === 0 && p.filters % 4 === 0 && p.c >= 16;
  if (!winograd) return "im2col";
  const x = { shape: [p.batch, p.h, p.w, p.c], data: new Float32Array(p.batch * p.h * p.w * p.c) };
  const k = { shape: [3, 3, p.c, p.filters], data: new Float32Array(9 * p.c * p.filters) };
  const g = conv2dGeometry(x, k, null, { strides: [1, 1], dilationRate: [1, 1], padding: p.same ? "same" : "valid" });
  return winogradTile(g) === 4 ? "winograd4" : "winograd2";
}

/** The convolution's output size along an axis of `length`. */
function outputLength(p: Case, length: number): number {
  return p.same ? Math.ceil(length / p.stride) : Math.floor((length - p.kernel) / p.stride) + 1;
}

/** Whether the plan and the kernels write the pool in the convolution: the rules of `conv2dWritesPool` and the plan, restated. */
function fuses(p: Case): boolean {
  const pooled = Math.floor(outputLength(p, p.h) / 2) * Math.floor(outputLength(p, p.w) / 2) > 0;
  const window = pathOf(p) !== "im2col" || p.kernel * p.kernel * p.c <= K_BLOCK;
  return p.pool === "pair" && FUSED_ACTIVATIONS.includes(p.act) && pooled && window;
}

/** The case's model: `conv` (its output feeding only the next layer), then optionally `norm` and `act`, then `pool`; and the same layers with the pool's input as a second output. */
function build(p: Case): { fused: Untyped; unfused: Untyped } {
  const x: Untyped = input({ shape: [p.h, p.w, p.c] });
  const own = p.tail === "own" ? p.act : "linear";
  let y = x.conv2d({
    filters: p.filters,
    kernelSize: p.kernel,
    strides: p.stride,
    padding: p.same ? "same" : "valid",
    useBias: p.useBias,
    activation: own,
    name: "conv",
  });
  if (p.tail === "layers" && p.norm) y = y.batchNormalization({ epsilon: 1e-3, name: "norm" });
  if (p.tail === "layers" && p.act !== "linear") y = y.activation({ activation: p.act, name: "act" });
  const pool = p.pool === "pair" ? { poolSize: 2 } : p.pool === "same" ? { poolSize: 2, padding: "same" } : { poolSize: 2, strides: 1 };
  const out = y.maxPooling2d({ ...pool, name: "pool" });
  return { fused: model({ inputs: x, outputs: out }), unfused: model({ inputs: x, outputs: [out, y] }) };
}

const others = {
  h: fc.integer({ min: 1, max: 13 }),
  w: fc.integer({ min: 1, max: 13 }),
  same: fc.boolean(),
  useBias: fc.boolean(),
  batch: fc.integer({ min: 1, max: 3 }),
  tail: fc.constantFrom("own" as const, "layers" as const),
  act: fc.constantFrom(...ACTIVATIONS),
  norm: fc.boolean(),
  pool: fc.constantFrom("pair" as const, "pair" as const, "pair" as const, "same" as const, "overlapping" as const),
  seed: fc.integer({ min: 1, max: 1e6 }),
};

/** Half the cases on the im2col product (any window, channels and filters), half on Winograd. */
const cases: fc.Arbitrary<Case> = fc.oneof(
  fc.record({
    ...others,
    c: fc.constantFrom(1, 3, 8, 16, 20, 32),
    filters: fc.constantFrom(1, 5, 8, 12, 13, 16),
    kernel: fc.constantFrom(1, 3, 5),
    stride: fc.constantFrom(1, 2),
  }),
  fc.record({ ...others, c: fc.constantFrom(16, 20, 32), filters: fc.constantFrom(4, 8, 12, 16), kernel: fc.constant(3), stride: fc.constant(1) }),
);

/** Runs a case three ways and checks outputs and profile; returns whether its pool was fused. */
function check(p: Case): boolean {
  const { fused, unfused } = build(p);
  drawModelWeights(fused, p.seed);
  const shape = [p.batch, p.h, p.w, p.c];
  const data = randomTensor(shape, createRandom(p.seed + 1)).data;
  const expected = onBackend("reference", () => fused.predict(tensor(shape, data)));
  const actual = onBackend("fast", () => fused.predict(tensor(shape, data), { profile: true }));
  const rows: readonly LayerProfile[] = onBackend("fast", () => kernelInfo().profile!);
  const apart = onBackend("fast", () => unfused.predict(tensor(shape, data), { profile: true }));
  const apartRows: readonly LayerProfile[] = onBackend("fast", () => kernelInfo().profile!);
  expectClose(actual.data, expected.data, pathOf(p) === "winograd4" ? WINOGRAD_TOLERANCE : TOLERANCE);
  expectSameBits(actual.data, apart[0].data);
  const pool = rows.find((r) => r.layer === "pool")!;
  const fusedHere = fuses(p);
  if (fusedHere) expect(pool).toMatchObject({ kernel: "fused", into: "conv", ms: 0 });
  else expect(pool.kernel).toBe("wasm");
  // A pool whose input someone else reads too is never fused.
  expect(apartRows.find((r) => r.layer === "pool")!.kernel).toBe("wasm");
  expect(rows.find((r) => r.layer === "conv")!.kernel).toBe("wasm");
  return fusedHere;
}

/** The fixed cases' starting point: an 8x8 image of 16 channels, a 3x3 "same" convolution with its own activation, then the pool. */
const FIXED: Case = {
  h: 8,
  w: 8,
  c: 16,
  filters: 16,
  kernel: 3,
  stride: 1,
  same: true,
  useBias: true,
  batch: 2,
  tail: "own",
  act: "relu",
  norm: false,
  pool: "pair",
  seed: 7,
};

describe("a convolution writes its 2x2 max pool on the WebAssembly kernels", () => {
  it("loads the WebAssembly kernels, whose K block is the one the fusion rule assumes", () => {
    onBackend("fast", () => expect(kernelInfo().wasm).toBe(true));
    expect(wasmKernels()!.exports.winogradMaxChannels()).toBe(K_BLOCK);
  });

  it("generated convolutions and pools: fused equals unfused bit for bit and agrees with the reference kernels", () => {
    const seen = { im2col: 0, winograd2: 0, winograd4: 0, left: 0 };
    fc.assert(
      fc.property(cases, (p) => {
        const fits = (length: number) => (p.same ? length >= 1 : length >= p.kernel);
        if (!fits(p.h) || !fits(p.w)) return;
        // A valid pool needs a whole window of the convolution's output.
        if (p.pool !== "same" && (outputLength(p, p.h) < 2 || outputLength(p, p.w) < 2)) return;
        if (check(p)) seen[pathOf(p)]++;
        else seen.left++;
      }),
      { numRuns: 200 },
    );
    // Every path was fused on some case, and some cases were left unfused.
    expect(seen.im2col).toBeGreaterThan(0);
    expect(seen.winograd2).toBeGreaterThan(0);
    expect(seen.winograd4).toBeGreaterThan(0);
    expect(seen.left).toBeGreaterThan(0);
  });

  it("fuses on each path at odd and even sizes, for every activation the product applies", () => {
    const base: Case = FIXED;
    const variants: Partial<Case>[] = [
      { c: 1, filters: 32 },
      { c: 1, filters: 13, h: 7, w: 9 },
      { c: 3, filters: 5, kernel: 5, same: false, h: 12, w: 11 },
      { c: 8, filters: 12, stride: 2, h: 13, w: 10 },
      { h: 4, w: 5, same: false },
      { h: 6, w: 6 },
      { h: 11, w: 9, act: "relu6" },
      { h: 15, w: 14, tail: "layers", norm: true, act: "relu" },
      { h: 9, w: 13, same: false, c: 20, filters: 8, act: "linear" },
      { c: 32, filters: 16, h: 14, w: 14, same: false, batch: 3 },
    ];
    const paths = new Set<string>();
    for (const v of variants) {
      const p = { ...base, ...v };
      expect(check(p)).toBe(true);
      paths.add(pathOf(p));
    }
    expect([...paths].sort()).toEqual(["im2col", "winograd2", "winograd4"]);
  });

  it("leaves the pool to itself when the activation is not the product's own or the window is too wide, still correct", () => {
    const base: Case = { ...FIXED, h: 9, act: "gelu", seed: 9 };
    for (const v of [{}, { act: "tanh" as const }, { tail: "layers" as const, act: "gelu" as const, norm: true }, { act: "relu" as const, c: 32, kernel: 5 }]) {
      expect(check({ ...base, ...v })).toBe(false);
    }
  });

  it("takes a zero padding before the convolution in too, and leaves it when the pool stays apart", () => {
    for (const activation of ["relu", "gelu"] as const) {
      const x: Untyped = input({ shape: [9, 10, 3] });
      const out = x
        .zeroPadding2d({ padding: [1, 2], name: "pad" })
        .conv2d({ filters: 6, kernelSize: 3, activation, name: "conv" })
        .maxPooling2d({ poolSize: 2, name: "pool" });
      const m: Untyped = model({ inputs: x, outputs: out });
      drawModelWeights(m, 41);
      const data = randomTensor([2, 9, 10, 3], createRandom(42)).data;
      const expected = onBackend("reference", () => m.predict(tensor([2, 9, 10, 3], data)));
      const actual = onBackend("fast", () => m.predict(tensor([2, 9, 10, 3], data), { profile: true }));
      expectClose(actual.data, expected.data, TOLERANCE);
      const rows: readonly LayerProfile[] = onBackend("fast", () => kernelInfo().profile!);
      const kernels = rows.map((r) => r.kernel);
      // gelu is applied after the product: the pool runs apart, and so does the padding, as without a pool.
      expect(kernels).toEqual(activation === "relu" ? ["folded", "wasm", "fused"] : ["wasm", "wasm", "wasm"]);
    }
  });

  it("does not fuse a pool whose input another layer reads too", () => {
    const x: Untyped = input({ shape: [10, 10, 4] });
    const y = x.conv2d({ filters: 8, kernelSize: 3, padding: "same", activation: "relu", name: "conv" });
    const pooled = y.maxPooling2d({ poolSize: 2, name: "pool" });
    const side = y.globalAveragePooling2d({ name: "side" });
    const m: Untyped = model({ inputs: x, outputs: [pooled, side] });
    drawModelWeights(m, 21);
    const data = randomTensor([3, 10, 10, 4], createRandom(22)).data;
    const expected = onBackend("reference", () => m.predict(tensor([3, 10, 10, 4], data)));
    const actual = onBackend("fast", () => m.predict(tensor([3, 10, 10, 4], data), { profile: true }));
    for (let i = 0; i < 2; i++) expectClose(actual[i].data, expected[i].data, TOLERANCE);
    const rows: readonly LayerProfile[] = onBackend("fast", () => kernelInfo().profile!);
    expect(rows.find((r) => r.layer === "pool")?.kernel).toBe("wasm");
  });

  it("seed Model B's two pools are fused into their convolutions", () => {
    const x: Untyped = input({ shape: [28, 28, 1] });
    const out = x
      .conv2d({ filters: 32, kernelSize: 3, activation: "relu", padding: "same", name: "c1" })
      .maxPooling2d({ poolSize: 2, name: "p1" })
      .conv2d({ filters: 64, kernelSize: 3, activation: "relu", name: "c2" })
      .maxPooling2d({ poolSize: 2, name: "p2" })
      .conv2d({ filters: 128, kernelSize: 3, activation: "relu", name: "c3" })
      .flatten()
      .dense({ units: 10, activation: "softmax" });
    const m: Untyped = model({ inputs: x, outputs: out });
    drawModelWeights(m, 31);
    const data = randomTensor([5, 28, 28, 1], createRandom(32)).data;
    const expected = onBackend("reference", () => m.predict(tensor([5, 28, 28, 1], data)));
    const actual = onBackend("fast", () => m.predict(tensor([5, 28, 28, 1], data), { profile: true }));
    expectClose(actual.data, expected.data, WINOGRAD_TOLERANCE);
    const rows: readonly LayerProfile[] = onBackend("fast", () => kernelInfo().profile!);
    expect(rows.find((r) => r.layer === "p1")).toMatchObject({ kernel: "fused", into: "c1", ms: 0 });
    expect(rows.find((r) => r.layer === "p2")).toMatchObject({ kernel: "fused", into: "c2", ms: 0 });
  });
});
