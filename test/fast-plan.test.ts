/**
 * The forward pass's plan on the WebAssembly kernels: batch normalisation
 * folded into the convolution or dense layer before it, and a residual add
 * and an activation fused into that product's last step. Generated models
 * (1-D and 2-D convolutions through the im2col and Winograd paths, dense
 * layers on rank 2 and 3) run on the fast kernels and on the reference
 * kernels, which never fold or fuse: the outputs must agree to float32
 * rounding, and the profile must name what was folded and fused into what.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { add, input, model, tensor } from "../src/index.js";
import { kernelInfo } from "../src/kernels/backend.js";
import { weightsWritten } from "../src/kernels/packed-weights.js";
import type { LayerProfile } from "../src/kernels/profile.js";
import { createRandom } from "../src/kernels/random.js";
import type { Tensor } from "../src/kernels/tensor.js";
import { drawModelWeights, onBackend, restoreBackendAfterEach } from "./support/fast-kernels.js";
import { randomTensor } from "./support/layer-harness.js";
import { maxScaledDiff } from "./support/scaled-diff.js";

/** The functional API's tensors and models, as a plain JavaScript caller holds them. */
type Untyped = any;

restoreBackendAfterEach();

/**
 * Largest difference allowed, scaled by the output's largest magnitude, when the model has a convolution the fast
 * kernels run as Winograd F(4x4, 3x3) (3x3, unit strides and dilation, 16+ channels): its transforms mix neighbouring
 * outputs and round to about 2e-6 of the largest pre-activation (these unit-scale weights times a folded
 * normalisation's scale give pre-activations of tens, 3.6e-5 seen after a tanh). Other models keep 2e-5.
 */
const WINOGRAD_TOLERANCE = 1e-4;

/** Whether `m` has a 2-D convolution the fast kernels may run as Winograd. */
function hasWinograd(m: Untyped): boolean {
  const all = (values: readonly number[], v: number) => values.every((x) => x === v);
  return m.layers.some((l: Untyped) => {
    const s = l.className === "Conv2D" ? l.settings : undefined;
    return s !== undefined && s.channels >= 16 && all(s.kernelSize, 3) && all(s.strides, 1) && all(s.dilationRate, 1);
  });
}

function expectClose(actual: Float32Array, expected: Float32Array, tolerance = 2e-5): void {
  expect(actual.length).toBe(expected.length);
  let scale = 1;
  for (const v of expected) scale = Math.max(scale, Math.abs(v));
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(actual[i] - expected[i]) <= tolerance * scale)) expect.fail(`element ${i}: ${actual[i]} instead of ${expected[i]} (scale ${scale})`);
  }
}

type Tail = { norm: boolean; add: "none" | "shortcut" | "identity"; shortcutFirst: boolean; act: "none" | "relu" | "relu6" | "sigmoid" | "tanh" | "ReLU" };

/** Appends batch normalisation, a residual add and an activation after `main`, as the tail says. */
function tail(main: Untyped, shortcut: Untyped, t: Tail): Untyped {
  let y = main;
  if (t.norm) y = y.batchNormalization({ name: "norm", epsilon: 1e-3 });
  if (t.add !== "none") y = (add as Untyped)(t.shortcutFirst ? [shortcut, y] : [y, shortcut], { name: "sum" });
  if (t.act === "ReLU") y = y.reLU({ name: "act" });
  else if (t.act !== "none") y = y.activation({ activation: t.act, name: "act" });
  return y;
}

const tails: fc.Arbitrary<Tail> = fc.record({
  norm: fc.boolean(),
  add: fc.constantFrom("none" as const, "shortcut" as const, "identity" as const),
  shortcutFirst: fc.boolean(),
  act: fc.constantFrom("none" as const, "relu" as const, "relu6" as const, "sigmoid" as const, "tanh" as const, "ReLU" as const),
});

/** Runs `m` on both backends (profiled on the fast one) and compares; returns the fast profile. */
function compare(m: Untyped, shape: number[], seed: number): readonly LayerProfile[] {
  const x = randomTensor(shape, createRandom(seed));
  const expected = onBackend("reference", () => m.predict(tensor(shape, x.data)));
  const actual = onBackend("fast", () => m.predict(tensor(shape, x.data), { profile: true }));
  expectClose(actual.data, expected.data, hasWinograd(m) ? WINOGRAD_TOLERANCE : 2e-5);
  return onBackend("fast", () => kernelInfo().profile!);
}

/**
 * The rows the plan must have written for this tail after the product
 * `main`: the add and what follows it are fused into the product that runs
 * last of the two it adds (its other operand is ready then), or into `main`
 * when the other operand is the input. Rows are in the order the calls ran.
 */
function expectPlan(rows: readonly LayerProfile[], t: Tail): void {
  const at = (name: string) => rows.findIndex((r) => r.layer === name);
  const row = (name: string) => rows[at(name)];
  if (t.norm) expect(row("norm")).toMatchObject({ kernel: "folded", into: "main" });
  const last = at("short") > at("main") ? "short" : "main";
  if (t.add !== "none") expect(row("sum")).toMatchObject({ kernel: "fused", into: last });
  if (t.act !== "none") expect(row("act")).toMatchObject({ kernel: "fused", into: t.add === "none" ? "main" : last });
  expect(row("main").kernel).toBe("wasm");
}

/** A convolution's window, stride, padding, bias, batch and weight seed, as the generated cases below draw them. */
const convolutionDraws = {
  kernel: fc.constantFrom(1, 3),
  stride: fc.constantFrom(1, 2),
  same: fc.boolean(),
  useBias: fc.boolean(),
  batch: fc.integer({ min: 1, max: 3 }),
  seed: fc.integer({ min: 1, max: 1e6 }),
};

describe("the forward pass's plan folds and fuses on the WebAssembly kernels", () => {
  it("loads the WebAssembly kernels", () => {
    onBackend("fast", () => expect(kernelInfo().wasm).toBe(true));
  });

  it("2-D convolutions (im2col and Winograd) agree with the reference kernels", () => {
    fc.assert(
      fc.property(
        fc.record({
          h: fc.integer({ min: 1, max: 9 }),
          w: fc.integer({ min: 1, max: 9 }),
          c: fc.constantFrom(1, 3, 8, 16, 20),
          ...convolutionDraws,
        }),
        tails,
        (p, t) => {
          const padding = p.same ? "same" : "valid";
          if (!p.same && (p.h < p.kernel || p.w < p.kernel)) return;
          // The identity shortcut needs the convolution to keep the shape.
          const identity = t.add === "identity" && p.stride === 1 && p.same;
          const filters = identity ? p.c : p.c === 20 ? 16 : p.c + 1;
          const x: Untyped = input({ shape: [p.h, p.w, p.c] });
          const conv = { filters, kernelSize: p.kernel, strides: p.stride, padding, useBias: p.useBias };
          const earlier = t.add === "shortcut" && t.shortcutFirst ? x.conv2d({ ...conv, name: "short" }) : null;
          const main = x.conv2d({ ...conv, name: "main" });
          const shortcut = t.add === "none" ? null : identity ? x : (earlier ?? x.conv2d({ ...conv, name: "short" }));
          const eff: Tail = shortcut === null ? { ...t, add: "none" } : t;
          const m: Untyped = model({ inputs: x, outputs: tail(main, shortcut, eff) });
          drawModelWeights(m, p.seed);
          const rows = compare(m, [p.batch, p.h, p.w, p.c], p.seed + 1);
          expectPlan(rows, eff);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("1-D convolutions and dense layers on rank 2 and 3 agree with the reference kernels", () => {
    fc.assert(
      fc.property(
        fc.record({
          kind: fc.constantFrom("conv1d" as const, "dense" as const, "dense3" as const),
          steps: fc.integer({ min: 3, max: 8 }),
          c: fc.integer({ min: 1, max: 12 }),
          units: fc.integer({ min: 1, max: 12 }),
          useBias: fc.boolean(),
          batch: fc.integer({ min: 1, max: 5 }),
          seed: fc.integer({ min: 1, max: 1e6 }),
        }),
        tails,
        (p, t) => {
          const shape = p.kind === "dense" ? [p.c] : [p.steps, p.c];
          const identity = t.add === "identity";
          const units = identity ? p.c : p.units;
          const x: Untyped = input({ shape });
          const layer = (from: Untyped, name: string) =>
            p.kind === "conv1d"
              ? from.conv1d({ filters: units, kernelSize: name === "short" ? 1 : 3, padding: "same", useBias: p.useBias, name })
              : from.dense({ units, useBias: p.useBias, name });
          const earlier = t.add === "shortcut" && t.shortcutFirst ? layer(x, "short") : null;
          const main = layer(x, "main");
          const shortcut = t.add === "none" ? null : identity ? x : (earlier ?? layer(x, "short"));
          const m: Untyped = model({ inputs: x, outputs: tail(main, shortcut, t) });
          drawModelWeights(m, p.seed);
          const rows = compare(m, [p.batch, ...shape], p.seed + 1);
          expectPlan(rows, t);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("depthwise convolutions fold a normalisation and fuse an activation, but leave an add to run on its own", () => {
    fc.assert(
      fc.property(
        fc.record({
          h: fc.integer({ min: 1, max: 9 }),
          w: fc.integer({ min: 1, max: 9 }),
          c: fc.constantFrom(1, 4, 7, 8, 12),
          multiplier: fc.constantFrom(1, 2),
          ...convolutionDraws,
          dilation: fc.constantFrom(1, 2),
        }),
        tails,
        (p, t) => {
          const padding = p.same ? "same" : "valid";
          const stride = p.dilation > 1 ? 1 : p.stride;
          if (!p.same && (p.h < (p.kernel - 1) * p.dilation + 1 || p.w < (p.kernel - 1) * p.dilation + 1)) return;
          const x: Untyped = input({ shape: [p.h, p.w, p.c] });
          const options = { kernelSize: p.kernel, depthMultiplier: p.multiplier, strides: stride, dilationRate: p.dilation, padding, useBias: p.useBias };
          const main = x.depthwiseConv2d({ ...options, name: "main" });
          const shortcut = t.add === "none" ? null : x.depthwiseConv2d({ ...options, name: "short" });
          const m: Untyped = model({ inputs: x, outputs: tail(main, shortcut, t) });
          drawModelWeights(m, p.seed);
          const rows = compare(m, [p.batch, p.h, p.w, p.c], p.seed + 1);
          const row = (name: string) => rows.find((r) => r.layer === name);
          expect(row("main")?.kernel).toBe("wasm");
          if (t.norm) expect(row("norm")).toMatchObject({ kernel: "folded", into: "main" });
          if (t.add !== "none") expect(row("sum")?.kernel).not.toBe("fused");
          if (t.act !== "none" && t.add === "none") expect(row("act")).toMatchObject({ kernel: "fused", into: "main" });
        },
      ),
      { numRuns: 60 },
    );
  });

  it("leaves a tensor that another layer or the caller reads", () => {
    const x: Untyped = input({ shape: [5, 5, 4] });
    const bn = x.conv2d({ filters: 4, kernelSize: 3, padding: "same", name: "main" }).batchNormalization({ name: "norm" });
    const out = bn.activation({ activation: "relu", name: "act" });
    const m: Untyped = model({ inputs: x, outputs: [out, bn] });
    drawModelWeights(m, 3);
    const data = randomTensor([2, 5, 5, 4], createRandom(4)).data;
    const expected = onBackend("reference", () => m.predict(tensor([2, 5, 5, 4], data)));
    const actual = onBackend("fast", () => m.predict(tensor([2, 5, 5, 4], data), { profile: true }));
    for (let i = 0; i < 2; i++) expectClose(actual[i].data, expected[i].data);
    const rows = onBackend("fast", () => kernelInfo().profile!);
    // The normalised tensor is an output: it is computed, and the activation reads it.
    expect(rows.find((r) => r.layer === "norm")?.kernel).toBe("folded");
    expect(rows.find((r) => r.layer === "act")?.kernel).toBe("wasm");
  });

  it("folds again when the statistics are replaced or written in place", () => {
    const x: Untyped = input({ shape: [6] });
    const m: Untyped = model({
      inputs: x,
      outputs: x.dense({ units: 5, name: "main" }).batchNormalization({ name: "norm" }).activation({ activation: "relu", name: "act" }),
    });
    drawModelWeights(m, 11);
    const data = randomTensor([3, 6], createRandom(12)).data;
    const both = () => [onBackend("reference", () => m.predict(tensor([3, 6], data)).data), onBackend("fast", () => m.predict(tensor([3, 6], data)).data)];
    const [ref0, fast0] = both();
    expectClose(fast0, ref0);
    drawModelWeights(m, 13);
    const [ref1, fast1] = both();
    expect(Array.from(ref1)).not.toEqual(Array.from(ref0));
    expectClose(fast1, ref1);
    // An optimizer step writes arrays in place and says so.
    const norm = m.layers.find((l: Untyped) => l.name === "norm");
    const gamma: Float32Array = norm.weights[0].data;
    for (let i = 0; i < gamma.length; i++) gamma[i] *= -2;
    weightsWritten([gamma]);
    const [ref2, fast2] = both();
    expect(Array.from(ref2)).not.toEqual(Array.from(ref1));
    expectClose(fast2, ref2);
  });
});

/**
 * Runs `m` on both backends (profiled on the fast one); the outputs must agree to 1e-5 of their largest magnitude
 * (Winograd's tolerance where `m` may run it). Returns the fast profile.
 */
function compareScaled(m: Untyped, shape: number[], seed: number): readonly LayerProfile[] {
  const x = randomTensor(shape, createRandom(seed));
  const expected = onBackend("reference", () => m.predict(tensor(shape, x.data)));
  const actual = onBackend("fast", () => m.predict(tensor(shape, x.data), { profile: true }));
  const [e, a]: Tensor[][] = Array.isArray(expected) ? [expected, actual] : [[expected], [actual]];
  e.forEach((t, i) => {
    let scale = 1;
    for (const v of t.data) scale = Math.max(scale, Math.abs(v));
    const scaled = (d: ArrayLike<number>) => Float64Array.from(d, (v) => v / scale);
    expect(maxScaledDiff(scaled(a[i].data), scaled(t.data))).toBeLessThanOrEqual(hasWinograd(m) ? WINOGRAD_TOLERANCE : 1e-5);
  });
  return onBackend("fast", () => kernelInfo().profile!);
}

describe("a zero padding read only by a 2-D convolution is that convolution's own padding", () => {
  const pads = fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }));

  it("agrees with the reference kernels for any pads before a convolution or depthwise convolution, 'valid' or 'same'", () => {
    fc.assert(
      fc.property(
        fc.record({
          kind: fc.constantFrom("conv2d" as const, "depthwiseConv2d" as const),
          top: pads,
          left: pads,
          h: fc.integer({ min: 1, max: 8 }),
          w: fc.integer({ min: 1, max: 8 }),
          c: fc.constantFrom(1, 4, 7, 16),
          ...convolutionDraws,
        }),
        fc.boolean(),
        fc.constantFrom("none" as const, "relu" as const, "relu6" as const, "tanh" as const),
        (p, norm, act) => {
          const padded = [p.h + p.top[0] + p.top[1], p.w + p.left[0] + p.left[1]];
          if (!p.same && (padded[0] < p.kernel || padded[1] < p.kernel)) return;
          const x: Untyped = input({ shape: [p.h, p.w, p.c] });
          const options = { kernelSize: p.kernel, strides: p.stride, padding: p.same ? "same" : "valid", useBias: p.useBias, name: "main" };
          let y = x.zeroPadding2d({ padding: [p.top, p.left], name: "pad" });
          y = p.kind === "conv2d" ? y.conv2d({ ...options, filters: p.c === 16 ? 16 : p.c + 2 }) : y.depthwiseConv2d(options);
          y = tail(y, null, { norm, add: "none", shortcutFirst: false, act });
          const m: Untyped = model({ inputs: x, outputs: y });
          drawModelWeights(m, p.seed);
          const rows = compareScaled(m, [p.batch, p.h, p.w, p.c], p.seed + 1);
          const row = (name: string) => rows.find((r) => r.layer === name);
          expect(row("pad")).toMatchObject({ kernel: "folded", into: "main" });
          expect(row("main")?.kernel).toBe("wasm");
          if (norm) expect(row("norm")).toMatchObject({ kernel: "folded", into: "main" });
          if (act !== "none") expect(row("act")).toMatchObject({ kernel: "fused", into: "main" });
          // The rows keep the graph's order.
          expect(rows.findIndex((r) => r.layer === "pad")).toBeLessThan(rows.findIndex((r) => r.layer === "main"));
        },
      ),
      { numRuns: 80 },
    );
  });

  it("keeps a padding that two layers read, or that the caller reads", () => {
    const x: Untyped = input({ shape: [7, 6, 4] });
    const padded = x.zeroPadding2d({
      padding: [
        [1, 2],
        [0, 3],
      ],
      name: "pad",
    });
    const a = padded.depthwiseConv2d({ kernelSize: 3, strides: 2, name: "a" });
    const b = padded.conv2d({ filters: 5, kernelSize: 3, padding: "same", name: "b" });
    const two: Untyped = model({ inputs: x, outputs: [a, b] });
    drawModelWeights(two, 21);
    const rows = compareScaled(two, [2, 7, 6, 4], 22);
    expect(rows.find((r) => r.layer === "pad")?.kernel).toBe("wasm");
    expect(rows.filter((r) => r.kernel === "folded")).toEqual([]);

    const y: Untyped = input({ shape: [5, 5, 3] });
    const shown = y.zeroPadding2d({ padding: 1, name: "pad" });
    const kept: Untyped = model({ inputs: y, outputs: [shown, shown.conv2d({ filters: 2, kernelSize: 3, name: "c" })] });
    drawModelWeights(kept, 23);
    const rows2 = compareScaled(kept, [1, 5, 5, 3], 24);
    expect(rows2.find((r) => r.layer === "pad")?.kernel).toBe("wasm");
  });

  it("folds MobileNetV2's strided blocks and a padding before a 'same' convolution with a residual add", () => {
    const x: Untyped = input({ shape: [9, 9, 8] });
    const block = x
      .conv2d({ filters: 16, kernelSize: 1, useBias: false, name: "expand" })
      .reLU({ maxValue: 6, name: "expand_relu" })
      .zeroPadding2d({
        padding: [
          [0, 1],
          [0, 1],
        ],
        name: "pad",
      })
      .depthwiseConv2d({ kernelSize: 3, strides: 2, useBias: false, name: "main" })
      .batchNormalization({ name: "norm" })
      .reLU({ maxValue: 6, name: "act" });
    const same = x
      .zeroPadding2d({
        padding: [
          [2, 0],
          [1, 3],
        ],
        name: "pad_same",
      })
      .conv2d({ filters: 8, kernelSize: 3, padding: "same", strides: 1, name: "conv_same" });
    const trimmed = same.cropping2d({
      cropping: [
        [2, 0],
        [1, 3],
      ],
      name: "crop",
    });
    const sum = (add as Untyped)([trimmed, x.conv2d({ filters: 8, kernelSize: 1, name: "short" })], { name: "sum" });
    const m: Untyped = model({ inputs: x, outputs: [block, sum] });
    drawModelWeights(m, 31);
    const rows = compareScaled(m, [2, 9, 9, 8], 32);
    const row = (name: string) => rows.find((r) => r.layer === name);
    expect(row("pad")).toMatchObject({ kernel: "folded", into: "main" });
    expect(row("pad_same")).toMatchObject({ kernel: "folded", into: "conv_same" });
    expect(row("expand_relu")).toMatchObject({ kernel: "fused", into: "expand" });
  });
});
