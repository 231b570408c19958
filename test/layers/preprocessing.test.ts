/**
 * Preprocessing layers (rescaling, normalization, resizing, centerCrop)
 * against Keras 3 (the expected values of its own tests and docstrings,
 * copied into `fixtures/keras-cases/preprocessing.json`: keras-cases.json has
 * no preprocessing entries) and TensorFlow.js 4.22 (random inputs from a
 * fixed seed, 1e-5), plus their runtime errors, names and summaries.
 *
 * TF.js divergences, each with the rule applied where it is used:
 * - `tf.layers.resizing` samples with aligned corners (Keras 3: half-pixel
 *   centres), never crops for `cropToAspectRatio`, and its
 *   `computeOutputShape` drops the batch axis; the reference is
 *   `tf.image.resizeBilinear` / `resizeNearestNeighbor` with
 *   `halfPixelCenters` (and `tf.slice` for the aspect-ratio crop).
 * - `tf.layers.centerCrop` overwrites its input shape in `computeOutputShape`,
 *   so it cannot sit in a model: it is applied eagerly. It shifts the window
 *   by one column when the width shrinks by exactly 1, and resizes a too-small
 *   image whole with legacy pixel centres; those cases use `tf.slice` and the
 *   half-pixel resize instead.
 * - TF.js has no Normalization layer: the reference is the Keras 3 formula
 *   from core ops.
 */
import { readFileSync } from "node:fs";
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { ShapeError, sequential, tensor } from "../../src/index.js";
import type { Model, Tensor } from "../../src/index.js";
import { aspectWindow } from "../../src/kernels/preprocess-image.js";
import { createRandom } from "../../src/kernels/random.js";
import { looseInput as anyInput, layerFamilyHarness, looseModel, randomTensor as seededTensor, run } from "../support/layer-harness.js";
import type { Loose as AnyLoose, Dim } from "../support/layer-harness.js";

const expectClose = layerFamilyHarness("layers/preprocessing.test.ts");

/** Loosely typed layer calls for table-driven cases (the typed API is covered by test-d/preprocessing.test-d.ts). */
interface Loose extends AnyLoose {
  rescaling(config: object): Loose;
  normalization(config: object): Loose;
  resizing(config: object): Loose;
  centerCrop(config: object): Loose;
}
type Method = "rescaling" | "normalization" | "resizing" | "centerCrop";
const looseInput = (shape: readonly Dim[]): Loose => anyInput(shape) as Loose;
const looseSequential = sequential as unknown as (config: { inputs: Loose; outputs: Loose; seed?: number }) => Model;

/** Pixel-like values in [lo, hi), by default [0, 255), from a seed of their own. */
const randomTensor = (shape: readonly number[], seed: number, lo = 0, hi = 255): Tensor => seededTensor(shape, createRandom(seed), lo, hi);

/** A one-layer shapewise model on `x` (its sample shape, or `sample` when given, may hold nulls). */
function predictOne(method: Method, config: object, x: Tensor, sample: readonly Dim[] = x.shape.slice(1)): Tensor {
  const inputs = looseInput(sample);
  return run(looseModel({ inputs, outputs: inputs[method](config) }), x);
}

/** Runs a TF.js computation on `x` and returns its values, disposing every tensor. */
function tfjs(x: Tensor, f: (t: tf.Tensor4D) => tf.Tensor): Float32Array {
  return tf.tidy(() => Float32Array.from(f(tf.tensor4d(x.data, x.shape as [number, number, number, number])).dataSync()));
}

interface Fixture {
  keras_examples: { name: string; layer: Method; config: object; input_shape: number[]; input: number[]; output: number[] }[];
}
const fixture = JSON.parse(readFileSync(new URL("../fixtures/keras-cases/preprocessing.json", import.meta.url), "utf8")) as Fixture;

describe("Keras 3 (values from Keras' tests and docstrings)", () => {
  it("the fixture holds the four examples", () => {
    expect(fixture.keras_examples.map((e) => e.name)).toEqual([
      "resizing_down_sampling_nearest",
      "resizing_up_sampling_nearest",
      "resizing_crop_to_aspect_ratio_nearest",
      "normalization_docstring",
    ]);
  });

  it.each(fixture.keras_examples)("$name", (e) => {
    const y = predictOne(e.layer, e.config, { shape: e.input_shape, data: Float32Array.from(e.input) });
    expectClose(y.data, e.output, e.name, "Keras 3 examples", 1e-6);
  });

  it("the examples discriminate: aligned-corner sampling (TF.js' Resizing layer) gives other values", () => {
    const e = fixture.keras_examples[0];
    const x: Tensor = { shape: e.input_shape, data: Float32Array.from(e.input) };
    const aligned = tfjs(x, (t) => tf.image.resizeNearestNeighbor(t, [2, 2], true));
    expect(() => expectClose(aligned, e.output, "aligned corners")).toThrow();
    const layer = tf.tidy(() =>
      Float32Array.from(
        (tf.layers.resizing({ height: 2, width: 2, interpolation: "nearest" }).apply(tf.tensor4d(x.data, [1, 4, 4, 1])) as tf.Tensor).dataSync(),
      ),
    );
    expect([...layer]).toEqual([...aligned]);
  });

  it("CenterCrop of an image smaller than the target equals Resizing with cropToAspectRatio (Keras' own test)", () => {
    for (const [h, w] of [
      [15, 10],
      [10, 17],
      [5, 17],
      [5, 100],
    ]) {
      const x = randomTensor([2, 9, 11, 3], h * w, 0, 1);
      const a = predictOne("centerCrop", { height: h, width: w }, x);
      const b = predictOne("resizing", { height: h, width: w, cropToAspectRatio: true }, x);
      expect(a.shape).toEqual([2, h, w, 3]);
      expect(a.data).toEqual(b.data);
    }
  });

  it("CenterCrop of a large enough image is the slice at floor((size - target) / 2) (Keras' own test)", () => {
    for (const [h, w] of [
      [5, 7],
      [4, 9],
      [9, 4],
    ]) {
      const x = randomTensor([2, 9, 11, 3], h + w, 0, 1);
      const y = predictOne("centerCrop", { height: h, width: w }, x);
      const expected = tfjs(x, (t) => tf.slice(t, [0, Math.floor((9 - h) / 2), Math.floor((11 - w) / 2), 0], [2, h, w, 3]));
      expect(y.data).toEqual(expected);
    }
  });
});

describe("rescaling against TensorFlow.js", () => {
  it.each([{ scale: 1 / 255 }, { scale: 1 / 127.5, offset: -1 }, { scale: -2, offset: 0.5 }, { scale: 0 }])(
    "%o: float32 results equal TF.js' exactly",
    (config) => {
      const x = randomTensor([2, 5, 4, 3], 7);
      const ours = predictOne("rescaling", config, x);
      const tfLayer = tf.layers.rescaling(config);
      const theirs = tf.tidy(() => Float32Array.from((tfLayer.apply(tf.tensor4d(x.data, [2, 5, 4, 3])) as tf.Tensor).dataSync()));
      expect(ours.data).toEqual(theirs);
    },
  );
});

describe("normalization against the Keras 3 formula from TF.js ops", () => {
  const cases: { label: string; sample: number[]; config: { mean: number | number[]; variance: number | number[]; axis?: number | null; invert?: boolean } }[] =
    [
      { label: "per channel (axis -1)", sample: [4, 5, 3], config: { mean: [120, 110, 100], variance: [3000, 2500, 2000] } },
      { label: "per channel, invert", sample: [4, 5, 3], config: { mean: [120, 110, 100], variance: [3000, 2500, 2000], invert: true } },
      { label: "axis 1 of rank 3", sample: [4, 6], config: { mean: [1, 2, 3, 4], variance: [1, 4, 9, 16], axis: 1 } },
      { label: "scalars, axis null", sample: [6], config: { mean: 3, variance: 2, axis: null } },
      { label: "scalars on the default axis", sample: [6], config: { mean: 100, variance: 50 } },
      { label: "one value broadcast along the axis", sample: [2, 3], config: { mean: [50], variance: [25] } },
      { label: "zero variance: divided by 1e-7, as Keras' max(sqrt(variance), epsilon)", sample: [3], config: { mean: [1, 2, 3], variance: [0, 1, 0] } },
    ];
  it.each(cases)("$label", ({ label, sample, config }) => {
    const x = randomTensor([2, ...sample], sample.length, 0, 255);
    const ours = predictOne("normalization", config, x);
    const rank = sample.length + 1;
    const axis = config.axis === undefined ? rank - 1 : config.axis === null ? null : (config.axis + rank) % rank;
    const theirs = tf.tidy(() => {
      const t = tf.tensor(x.data, x.shape as number[]);
      const broadcast = Array.from({ length: rank }, (_, d) => (d === axis ? -1 : 1));
      const shape = (v: number | number[]) => tf.tensor(typeof v === "number" ? [v] : v).reshape(typeof v === "number" || axis === null ? [1] : broadcast);
      const denom = tf.maximum(tf.sqrt(shape(config.variance)), 1e-7);
      const mean = shape(config.mean);
      const y = config.invert ? tf.add(mean, tf.mul(t, denom)) : tf.div(tf.sub(t, mean), denom);
      return Float32Array.from(y.dataSync());
    });
    // expectClose is relative above 1: a zero variance scales values by 1e7.
    expectClose(ours.data, theirs, label, "TF.js");
  });

  it("normalization has no weights, as Keras 3 with a given mean and variance", () => {
    const inputs = looseInput([4, 3]);
    const m = looseModel({ inputs, outputs: inputs.normalization({ mean: [1, 2, 3], variance: [1, 1, 1] }) });
    expect(m.countParams()).toBe(0);
    expect(m.getWeights()).toEqual([]);
  });
});

describe("normalization's adaptable form (no mean or variance), as Keras 3 builds and adapts it", () => {
  const adaptModel = (sample: readonly Dim[], config: object) => {
    const inputs = looseInput(sample);
    return looseModel({ inputs, outputs: inputs.normalization({ name: "norm", ...config }) });
  };

  it("has non-trainable mean, variance (zeros and ones) and a scalar count: 2n + 1 parameters", () => {
    const m = adaptModel([5, 4], {});
    expect(m.countParams()).toBe(9);
    expect(m.getWeights().map((w) => [w.shape, Array.from(w.data)])).toEqual([
      [[4], [0, 0, 0, 0]],
      [[4], [1, 1, 1, 1]],
      [[], [0]],
    ]);
    expect(m.summary({ printFn: () => {} })).toContain("Non-trainable params: 9");
    expect(adaptModel([5, 4], { axis: 1 }).countParams()).toBe(11);
    expect(adaptModel([5, 4], { axis: null }).countParams()).toBe(3);
    expect(
      adaptModel([5, 4], { axis: null })
        .getWeights()
        .map((w) => w.shape),
    ).toEqual([[], [], []]);
  });

  it("adapts as Keras's docstring example does, and predicts with the adapted statistics", () => {
    // Keras 3's docstring: adapt to [[0,7,4],[2,9,6],[0,7,4],[2,9,6]], then [[0,7,4]] -> [-1,-1,-1]; invert maps [[1,2,3]] to [2,10,8].
    const data = tensor([4, 3], [0, 7, 4, 2, 9, 6, 0, 7, 4, 2, 9, 6]);
    const m = adaptModel([3], {});
    m.adapt("norm", data);
    expect(m.getWeights().map((w) => Array.from(w.data))).toEqual([[1, 8, 5], [1, 1, 1], [0]]);
    expect(Array.from(run(m, tensor([1, 3], [0, 7, 4])).data)).toEqual([-1, -1, -1]);
    const inverse = adaptModel([3], { invert: true });
    inverse.adapt("norm", data);
    expect(Array.from(run(inverse, tensor([1, 3], [1, 2, 3])).data)).toEqual([2, 10, 8]);
    // axis null, Keras's other docstring example: adapt to 1..5, then [1, 2, 3] -> [-1.4142135, -0.70710677, 0].
    const overall = adaptModel([1], { axis: null });
    overall.adapt("norm", tensor([5, 1], [1, 2, 3, 4, 5]));
    expect(Array.from(run(overall, tensor([3, 1], [1, 2, 3])).data)).toEqual([Math.fround(-Math.SQRT2), Math.fround(-Math.SQRT1_2), 0]);
  });

  it("reduces every axis but the kept one, the batch included, with the population variance (a hand computation)", () => {
    // [2, 2, 3] data, axis 1: position 0 holds 1,2,3,7,8,9 and position 1 holds 4,5,6,10,11,12.
    const data = tensor([2, 2, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    const m = adaptModel([2, 3], { axis: 1 });
    m.adapt("norm", data);
    const [mean, variance] = m.getWeights();
    expect(Array.from(mean.data)).toEqual([5, 8]);
    // ((1-5)^2 + (2-5)^2 + (3-5)^2 + (7-5)^2 + (8-5)^2 + (9-5)^2) / 6 = 58 / 6
    expect(Array.from(variance.data)).toEqual([Math.fround(58 / 6), Math.fround(58 / 6)]);
    // A list of batches gives the statistics of all of them together.
    const split = adaptModel([2, 3], { axis: 1 });
    split.adapt("norm", [tensor([1, 2, 3], [1, 2, 3, 4, 5, 6]), tensor([1, 2, 3], [7, 8, 9, 10, 11, 12])]);
    expect(split.getWeights()).toEqual(m.getWeights());
  });

  it("refuses what it cannot adapt with a sentence naming the layer", () => {
    const m = adaptModel([3], {});
    expect(() => m.adapt("norm", tensor([2, 4], [1, 2, 3, 4, 5, 6, 7, 8]))).toThrow(
      "shapewise: layer 'norm' (Normalization) adapts to data of its input shape [null, 3], got [2, 4]",
    );
    expect(() => m.adapt("norm", tensor([1, 3], [1, Number.NaN, 3]))).toThrow(
      "shapewise: layer 'norm' (Normalization) cannot adapt to data holding NaN (at index 1)",
    );
    expect(() => m.adapt("norm", [])).toThrow("shapewise: layer 'norm' (Normalization) cannot adapt to an empty list of batches");
    expect(() => m.adapt("other", tensor([1, 3], [1, 2, 3]))).toThrow(`shapewise: model '${m.name}' has no layer named 'other'`);
    const given = adaptModel([3], { mean: 1, variance: 1 });
    expect(() => given.adapt("norm", tensor([1, 3], [1, 2, 3]))).toThrow("shapewise: layer 'norm' (Normalization) has nothing to adapt");
    expect(() => looseInput([3]).normalization({ mean: 1 })).toThrow(
      "shapewise: normalization needs both mean and variance, or neither to adapt them from data, got mean alone",
    );
  });
});

describe("resizing against TensorFlow.js' half-pixel image ops", () => {
  const cases: { label: string; from: [number, number]; to: [number, number]; interpolation?: "bilinear" | "nearest"; crop?: boolean }[] = [
    { label: "bilinear up 4x5 -> 9x7", from: [4, 5], to: [9, 7] },
    { label: "bilinear down 12x10 -> 5x3", from: [12, 10], to: [5, 3] },
    { label: "bilinear mixed 6x6 -> 3x11", from: [6, 6], to: [3, 11] },
    { label: "bilinear same height 5x8 -> 5x3", from: [5, 8], to: [5, 3] },
    { label: "bilinear to 1x1", from: [7, 4], to: [1, 1] },
    { label: "nearest up 3x3 -> 7x8", from: [3, 3], to: [7, 8], interpolation: "nearest" },
    { label: "nearest down 9x7 -> 4x3", from: [9, 7], to: [4, 3], interpolation: "nearest" },
    { label: "bilinear, crop to aspect ratio 6x10 -> 4x4", from: [6, 10], to: [4, 4], crop: true },
    { label: "nearest, crop to aspect ratio 9x5 -> 3x6", from: [9, 5], to: [3, 6], interpolation: "nearest", crop: true },
    { label: "bilinear, crop to aspect ratio 4x4 -> 15x100 (a 1-pixel-high window)", from: [4, 4], to: [15, 100], crop: true },
  ];
  it.each(cases)("$label", ({ label, from, to, interpolation = "bilinear", crop = false }) => {
    const x = randomTensor([2, ...from, 3], from[0] * 7 + to[1], -1, 1);
    const ours = predictOne("resizing", { height: to[0], width: to[1], interpolation, cropToAspectRatio: crop }, x);
    expect(ours.shape).toEqual([2, ...to, 3]);
    const theirs = tfjs(x, (t) => {
      const win = crop ? aspectWindow(from[0], from[1], to[0], to[1]) : { top: 0, left: 0, height: from[0], width: from[1] };
      const cropped = tf.slice(t, [0, win.top, win.left, 0], [2, win.height, win.width, 3]);
      return interpolation === "bilinear" ? tf.image.resizeBilinear(cropped, to, false, true) : tf.image.resizeNearestNeighbor(cropped, to, false, true);
    });
    expectClose(ours.data, theirs, label, "TF.js");
  });

  it("the comparison discriminates: legacy pixel centres (TF.js' default) differ from Keras 3's half-pixel sampling", () => {
    const x = randomTensor([1, 4, 5, 1], 3, -1, 1);
    const ours = predictOne("resizing", { height: 9, width: 7 }, x);
    const legacy = tfjs(x, (t) => tf.image.resizeBilinear(t, [9, 7]));
    expect(() => expectClose(ours.data, legacy, "legacy")).toThrow();
  });

  it("the aspect window follows Keras 3: the largest centred window, truncated offsets, at least 1 pixel", () => {
    expect(aspectWindow(340, 500, 200, 200)).toEqual({ top: 0, left: 80, height: 340, width: 340 });
    expect(aspectWindow(4, 4, 4, 2)).toEqual({ top: 0, left: 1, height: 4, width: 2 });
    expect(aspectWindow(4, 4, 15, 100)).toEqual({ top: 1, left: 0, height: 1, width: 4 });
    expect(aspectWindow(1, 4, 100, 1)).toEqual({ top: 0, left: 1, height: 1, width: 1 });
  });

  it("unknown sizes at definition: any image size at predict", () => {
    const inputs = looseInput([null, null, 2]);
    const out = inputs.resizing({ height: 5, width: 4 }).centerCrop({ height: 3, width: 3 });
    expect(out.shape).toEqual([null, 3, 3, 2]);
    const m = looseModel({ inputs, outputs: out });
    for (const [h, w] of [
      [2, 9],
      [10, 3],
    ]) {
      const y = run(m, randomTensor([1, h, w, 2], h));
      expect(y.shape).toEqual([1, 3, 3, 2]);
      expect(y.data.every(Number.isFinite)).toBe(true);
    }
  });
});

describe("centerCrop against TensorFlow.js", () => {
  const cases: { from: [number, number]; to: [number, number] }[] = [
    { from: [6, 6], to: [4, 4] },
    { from: [7, 9], to: [3, 5] },
    { from: [8, 8], to: [7, 6] },
    { from: [5, 5], to: [5, 5] },
    { from: [9, 11], to: [5, 7] },
    // Width shrinks by exactly 1: TF.js starts the window at column 1, Keras 3 at floor(1 / 2) = 0.
    { from: [6, 7], to: [4, 6] },
    // Smaller than the target: Keras 3 crops to the aspect ratio and resizes with half-pixel centres.
    { from: [4, 6], to: [8, 8] },
    { from: [9, 11], to: [10, 17] },
  ];
  it.each(cases.map((c) => ({ ...c, label: `${c.from.join("x")} -> ${c.to.join("x")}` })))("$label", ({ label, from, to }) => {
    const x = randomTensor([2, ...from, 3], from[0] * from[1] + to[0], -1, 1);
    const ours = predictOne("centerCrop", { height: to[0], width: to[1] }, x);
    expect(ours.shape).toEqual([2, ...to, 3]);
    const fits = from[0] >= to[0] && from[1] >= to[1];
    const theirs = tfjs(x, (t) => {
      if (fits && from[1] - to[1] !== 1) return tf.layers.centerCrop({ height: to[0], width: to[1] }).apply(t) as tf.Tensor;
      if (fits) return tf.slice(t, [0, Math.floor((from[0] - to[0]) / 2), Math.floor((from[1] - to[1]) / 2), 0], [2, to[0], to[1], 3]);
      const win = aspectWindow(from[0], from[1], to[0], to[1]);
      return tf.image.resizeBilinear(tf.slice(t, [0, win.top, win.left, 0], [2, win.height, win.width, 3]), to, false, true);
    });
    expectClose(ours.data, theirs, label, "TF.js");
  });

  it("the divergence rule holds: TF.js' layer shifts the window when the width shrinks by 1", () => {
    const x: Tensor = { shape: [1, 6, 7, 1], data: Float32Array.from({ length: 42 }, (_, i) => i) };
    const layer = tfjs(x, (t) => tf.layers.centerCrop({ height: 4, width: 6 }).apply(t) as tf.Tensor);
    const ours = predictOne("centerCrop", { height: 4, width: 6 }, x);
    expect(ours.data[0]).toBe(7);
    expect(layer[0]).toBe(8);
  });
});

describe("runtime errors: ShapeError with the type level's sentence", () => {
  const cases: { label: string; shape: Dim[]; call: (x: Loose) => unknown; message: string }[] = [
    {
      label: "rescaling scale missing",
      shape: [3],
      call: (x) => x.rescaling({}),
      message: "shapewise: rescaling scale must be a finite number, got undefined",
    },
    {
      label: "rescaling scale NaN",
      shape: [3],
      call: (x) => x.rescaling({ scale: Number.NaN }),
      message: "shapewise: rescaling scale must be a finite number, got NaN",
    },
    {
      label: "rescaling offset a string",
      shape: [3],
      call: (x) => x.rescaling({ scale: 1, offset: "1" }),
      message: "shapewise: rescaling offset must be a finite number, got '1'",
    },
    {
      label: "normalization on rank 1 with the default axis",
      shape: [],
      call: (x) => x.normalization({ mean: 1, variance: 1 }),
      message: "shapewise: normalization expects input of rank 2 or more [batch, ..., features], got rank 1 [null]",
    },
    {
      label: "normalization axis out of range",
      shape: [28, 28, 3],
      call: (x) => x.normalization({ mean: 1, variance: 1, axis: 4 }),
      message: "shapewise: normalization axis 4 must name non-batch axes of input [null, 28, 28, 3]: 1 to 3 or -3 to -1",
    },
    {
      label: "normalization axis a list",
      shape: [28, 28, 3],
      call: (x) => x.normalization({ mean: 1, variance: 1, axis: [1, 2] }),
      message: "shapewise: normalization axis must be an integer or null, got [1, 2]",
    },
    {
      label: "normalization unknown size on the axis",
      shape: [28, null],
      call: (x) => x.normalization({ mean: 1, variance: 1 }),
      message: "shapewise: normalization needs a known size on axis 2 to broadcast its statistics, got [null, 28, null]",
    },
    {
      label: "normalization mean and variance of different shapes",
      shape: [28, 4],
      call: (x) => x.normalization({ mean: 1, variance: [1, 2, 3, 4] }),
      message: "shapewise: normalization mean and variance must have the same shape, got a number and 4 values",
    },
    {
      label: "normalization mean list with axis null",
      shape: [28, 4],
      call: (x) => x.normalization({ mean: [1, 2], variance: [1, 2], axis: null }),
      message: "shapewise: normalization mean must be a number when axis is null, got 2 values",
    },
    {
      label: "normalization mean list of the wrong length",
      shape: [28, 28, 4],
      call: (x) => x.normalization({ mean: [1, 2], variance: [1, 2] }),
      message: "shapewise: normalization mean has 2 values, but axis 3 of input [null, 28, 28, 4] has size 4",
    },
    {
      label: "normalization negative variance",
      shape: [28, 4],
      call: (x) => x.normalization({ mean: [1, 2, 3, 4], variance: [1, -2, 3, -4] }),
      message: "shapewise: normalization variance must not be negative, got -2",
    },
    {
      label: "normalization mean with a NaN",
      shape: [2],
      call: (x) => x.normalization({ mean: [1, Number.NaN], variance: [1, 1] }),
      message: "shapewise: normalization mean must be a finite number or a list of them, got [1, NaN]",
    },
    {
      label: "normalization variance missing",
      shape: [2],
      call: (x) => x.normalization({ mean: [1, 1] }),
      message: "shapewise: normalization needs both mean and variance, or neither to adapt them from data, got mean alone",
    },
    {
      label: "resizing on rank 3",
      shape: [28, 28],
      call: (x) => x.resizing({ height: 4, width: 4 }),
      message: "shapewise: resizing expects input of rank 4 [batch, height, width, channels], got rank 3 [null, 28, 28]",
    },
    {
      label: "resizing height zero",
      shape: [8, 8, 3],
      call: (x) => x.resizing({ height: 0, width: 4 }),
      message: "shapewise: resizing height must be a positive integer, got 0",
    },
    {
      label: "resizing width fractional",
      shape: [8, 8, 3],
      call: (x) => x.resizing({ height: 4, width: 2.5 }),
      message: "shapewise: resizing width must be a positive integer, got 2.5",
    },
    {
      label: "resizing width negative",
      shape: [8, 8, 3],
      call: (x) => x.resizing({ height: 4, width: -4 }),
      message: "shapewise: resizing width must be a positive integer, got -4",
    },
    {
      label: "resizing height too large",
      shape: [8, 8, 3],
      call: (x) => x.resizing({ height: 2 ** 53, width: 4 }),
      message: "shapewise: resizing height must be a positive integer, got 9007199254740992",
    },
    {
      label: "resizing height null",
      shape: [8, 8, 3],
      call: (x) => x.resizing({ height: null, width: 4 }),
      message: "shapewise: resizing height must be a positive integer, got null",
    },
    {
      label: "resizing bicubic (not implemented)",
      shape: [8, 8, 3],
      call: (x) => x.resizing({ height: 4, width: 4, interpolation: "bicubic" }),
      message: "shapewise: resizing interpolation must be one of 'bilinear', 'nearest', got 'bicubic'",
    },
    {
      label: "resizing padToAspectRatio (not implemented)",
      shape: [8, 8, 3],
      call: (x) => x.resizing({ height: 4, width: 4, padToAspectRatio: true }),
      message: "shapewise: resizing has no option 'padToAspectRatio' (options: height, width, interpolation, cropToAspectRatio, name)",
    },
    {
      label: "centerCrop on rank 2",
      shape: [28],
      call: (x) => x.centerCrop({ height: 4, width: 4 }),
      message: "shapewise: centerCrop expects input of rank 4 [batch, height, width, channels], got rank 2 [null, 28]",
    },
    {
      label: "centerCrop width zero",
      shape: [8, 8, 3],
      call: (x) => x.centerCrop({ height: 4, width: 0 }),
      message: "shapewise: centerCrop width must be a positive integer, got 0",
    },
    {
      label: "centerCrop: the rank is checked before the sizes",
      shape: [8, 8],
      call: (x) => x.centerCrop({ height: 0, width: 0 }),
      message: "shapewise: centerCrop expects input of rank 4 [batch, height, width, channels], got rank 3 [null, 8, 8]",
    },
  ];
  it.each(cases)("$label", ({ shape, call, message }) => {
    let error: unknown;
    try {
      call(looseInput(shape));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ShapeError);
    expect((error as Error).message).toBe(message);
  });
});

describe("names and summaries", () => {
  it("automatic names follow Keras and TF.js", () => {
    const x = looseInput([8, 8, 3]);
    const a = x.rescaling({ scale: 2 });
    const b = a.normalization({ mean: 0, variance: 1 });
    const c = b.resizing({ height: 4, width: 4 });
    const d = c.centerCrop({ height: 2, width: 2 });
    const e = d.centerCrop({ height: 1, width: 1 });
    expect([a, b, c, d, e].map((t) => t.layerName)).toEqual(["rescaling", "normalization", "resizing", "center_crop", "center_crop_1"]);
    const m = looseModel({ inputs: x, outputs: e });
    expect(m.layers.slice(1).map((l) => l.names.tfjs)).toEqual([
      "rescaling_Rescaling1",
      "normalization_Normalization1",
      "resizing_Resizing1",
      "center_crop_CenterCrop1",
      "center_crop_CenterCrop2",
    ]);
  });

  it.each([
    ["rescaling", { scale: 0.5 }, "│ rescaling (Rescaling)           │ (None, 8, 8, 3)        │             0 │"],
    ["normalization", { mean: 0, variance: 1 }, "│ normalization (Normalization)   │ (None, 8, 8, 3)        │             0 │"],
    ["resizing", { height: 4, width: 5 }, "│ resizing (Resizing)             │ (None, 4, 5, 3)        │             0 │"],
    ["centerCrop", { height: 4, width: 5 }, "│ center_crop (CenterCrop)        │ (None, 4, 5, 3)        │             0 │"],
  ] as const)("a one-layer %s model's keras3 row names the Keras class", (method, config, row) => {
    const x = looseInput([8, 8, 3]);
    const text = looseSequential({ inputs: x, outputs: x[method](config) }).summary({ style: "keras3", printFn: () => {} });
    expect(text).toContain(row);
  });
});
