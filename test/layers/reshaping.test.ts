/**
 * The reshaping family: flatten, reshape, permute, repeatVector, and zero
 * padding, cropping and nearest up-sampling in 1, 2 and 3 dimensions, against
 *
 * - the Keras 3.15.1 `layer_case:*` and `forward_case:upsampling2d_nearest`
 *   entries copied into `test/fixtures/keras-cases/reshaping.json`;
 * - TensorFlow.js 4.22 (cpu backend) layers, or TF.js ops where TF.js has no
 *   such layer or departs from Keras 3 (rules marked `TF.js divergence`), on
 *   random inputs from fixed seeds, within 1e-5;
 * - the exact `ShapeError` sentences of invalid configs;
 * - the class names a Keras 3 summary prints.
 */
import * as tf from "@tensorflow/tfjs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ShapeError, clearSession, tensor } from "../../src/index.js";
import { createRandom } from "../../src/kernels/random.js";
import { call, kerasCases as loadKerasCases, layerFamilyHarness, looseInput, looseModel, randomTensor, run, sizeOf } from "../support/layer-harness.js";

const TOL = 1e-5;
const expectClose = layerFamilyHarness("layers/reshaping.test.ts", TOL, 52);
const kerasCases = loadKerasCases("reshaping");

const METHOD_OF: Record<string, string> = {
  Flatten: "flatten",
  Reshape: "reshape",
  Permute: "permute",
  RepeatVector: "repeatVector",
  ZeroPadding1D: "zeroPadding1d",
  ZeroPadding2D: "zeroPadding2d",
  ZeroPadding3D: "zeroPadding3d",
  Cropping1D: "cropping1d",
  Cropping2D: "cropping2d",
  Cropping3D: "cropping3d",
  UpSampling1D: "upSampling1d",
  UpSampling2D: "upSampling2d",
  UpSampling3D: "upSampling3d",
};

/** Keras config (snake_case) to shapewise options (TF.js camelCase). */
function camelConfig(config: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(config).map(([k, v]) => [
      k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()),
      typeof v === "string" ? v.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()) : v,
    ]),
  );
}

/** Our sentence for each Keras 3 error case. */
const OUR_ERRORS: Record<string, string> = {
  "layer_case:reshape_error": "shapewise: reshape targetShape [5, 5] holds 25 values, input [28, 28, 1] holds 784",
};

/** Cases where TF.js 4.22 departs from Keras 3, and why (reference §1.5). */
const TFJS_DIVERGES: Record<string, string> = {
  "layer_case:flatten_1d": "TF.js Flatten needs rank 3 or more",
  "layer_case:reshape_minus1": "TF.js leaves -1 unresolved at definition time",
  "layer_case:reshape_error": "TF.js does not check sizes at definition time",
  "layer_case:upsampling2d": "TF.js upSampling2d needs an array size",
};

describe("Keras 3 layer cases", () => {
  const layerCases = kerasCases.filter((c) => c.name.startsWith("layer_case:"));

  it("the fixture holds every reshaping layer case", () => {
    expect(layerCases).toHaveLength(18);
  });

  it.each(layerCases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const [layer] = c.layers;
    const x = looseInput(c.input_shape.slice(1));
    const build = () => call(x, METHOD_OF[layer.class_name], camelConfig(layer.config));
    if (c.keras3_error !== undefined) {
      expect(c.output_shape).toBeNull();
      expect(build).toThrow(ShapeError);
      expect(build).toThrow(OUR_ERRORS[c.name]);
      return;
    }
    const y = build();
    expect(y.shape).toEqual(c.output_shape);
    const m = looseModel({ inputs: x, outputs: y });
    const data = m.summaryData();
    expect([m.countParams(), data.trainableParams, data.nonTrainableParams]).toEqual([c.total_params, c.trainable_params, c.non_trainable_params]);
    expect(m.layers.flatMap((l) => l.weightSpecs().map((w) => ({ name: w.name, shape: w.shape, trainable: w.trainable })))).toEqual(c.weights_keras3);
    expect(m.layers.at(-1)!.className).toBe(layer.class_name);
    const tfjs = c["tfjs_4.22"];
    expect(tfjs?.differs_from_keras3 === true, `${c.name}: TF.js divergence flag`).toBe(c.name in TFJS_DIVERGES);
    if (tfjs?.output_shape !== undefined && tfjs.differs_from_keras3 !== true) expect(y.shape).toEqual(tfjs.output_shape);
  });

  it("forward_case:upsampling2d_nearest repeats rows and columns as Keras 3 does", () => {
    const c = kerasCases.find((k) => k.name === "forward_case:upsampling2d_nearest")!;
    const shape = c.input_shape as number[];
    const x = looseInput(shape.slice(1));
    const m = looseModel({ inputs: x, outputs: call(x, "upSampling2d", camelConfig(c.layers[0].config)) });
    const y = run(m, tensor(shape, Float32Array.from(c.forward_keras3!.inputs[0])));
    expect(y.shape).toEqual(c.output_shape);
    expectClose(y.data, c.forward_keras3!.output, c.name, "Keras 3 forward cases");
  });
});

// ---------------------------------------------------------------------------
// TensorFlow.js
// ---------------------------------------------------------------------------

type TfLayerFactory = (config: object) => tf.layers.Layer;
const tfLayers = tf.layers as unknown as Record<string, TfLayerFactory>;

interface OracleCase {
  label: string;
  group: string;
  inShape: number[];
  method: string;
  config: unknown;
  /** A TF.js layer and its config, or a function of the TF.js input where TF.js has no such layer. */
  oracle: { layer: string; config: Record<string, unknown> } | ((x: tf.Tensor) => tf.Tensor);
  /** TF.js divergence rule 1: TF.js leaves `-1` unknown (`null`) in the symbolic shape; only concrete shapes compare. */
  symbolicShapeDiffers?: boolean;
  seed: number;
}

function compareWithTfjs(c: OracleCase): void {
  const random = createRandom(c.seed);
  const x = looseInput(c.inShape);
  const m = looseModel({ inputs: x, outputs: call(x, c.method, c.config) });
  expect(m.countParams()).toBe(0);
  let tfModel: tf.LayersModel | undefined;
  if (typeof c.oracle !== "function") {
    tfModel = tf.sequential({ layers: [tfLayers[c.oracle.layer]({ ...c.oracle.config, inputShape: c.inShape })] });
    expect(tfModel.countParams()).toBe(0);
    const theirs = tfModel.outputs[0].shape.map((d) => d ?? null);
    if (c.symbolicShapeDiffers === true) {
      expect(
        theirs.slice(1).some((d) => d === null),
        `${c.label}: TF.js leaves a size unknown`,
      ).toBe(true);
      expect(m.outputShape.slice(1).every((d) => d !== null)).toBe(true);
    } else {
      expect(m.outputShape, `${c.label}: symbolic output shape`).toEqual(theirs);
    }
  }
  try {
    for (const batch of [1, 3]) {
      const xb = randomTensor([batch, ...c.inShape], random);
      const ours = run(m, xb);
      const theirs = tf.tidy(() => {
        const t = tf.tensor(xb.data, xb.shape as number[]);
        const out = (typeof c.oracle === "function" ? c.oracle(t) : tfModel!.predict(t)) as tf.Tensor;
        return { shape: out.shape, data: out.dataSync().slice() };
      });
      expect(ours.shape, `${c.label} batch ${batch}: shape`).toEqual(theirs.shape);
      expectClose(ours.data, theirs.data, `${c.label} batch ${batch}`, c.group);
    }
  } finally {
    tfModel?.dispose();
  }
}

const spec = (v: unknown): string => JSON.stringify(v) ?? "-";

/** `[before, after]` per spatial axis of a padding or cropping option, as Keras reads it. */
function pairsOf(value: unknown, n: number): [number, number][] {
  if (typeof value === "number") return Array.from({ length: n }, (): [number, number] => [value, value]);
  const list = value as unknown[];
  if (n === 1) return [[list[0] as number, list[1] as number]];
  return list.map((v): [number, number] => (typeof v === "number" ? [v, v] : [(v as number[])[0], (v as number[])[1]]));
}

/** The `[before, after]` of every axis of a TF.js tensor, zero off the spatial ones. */
function allAxes(rank: number, spatialFirst: number, pairs: [number, number][]): [number, number][] {
  const all = Array.from({ length: rank }, (): [number, number] => [0, 0]);
  pairs.forEach((p, i) => (all[spatialFirst + i] = p));
  return all;
}

/** Nearest up-sampling in TF.js ops: each axis repeated by expand, tile and reshape. */
function tfRepeat(t: tf.Tensor, axis: number, k: number): tf.Tensor {
  const expanded = t.expandDims(axis + 1);
  const reps = expanded.shape.map((_, i) => (i === axis + 1 ? k : 1));
  const shape = t.shape.map((d, i) => (i === axis ? d * k : d));
  return expanded.tile(reps).reshape(shape);
}

describe("flatten, reshape, permute and repeatVector against TensorFlow.js", () => {
  const cases: OracleCase[] = [];
  let seed = 1;
  for (const inShape of [
    [3, 4, 5],
    [6, 2],
    [2, 3, 2, 2],
  ]) {
    for (const dataFormat of [undefined, "channelsLast", "channelsFirst"]) {
      cases.push({
        label: `flatten [${inShape}] ${dataFormat}`,
        group: "flatten vs TF.js",
        inShape,
        method: "flatten",
        config: dataFormat === undefined ? undefined : { dataFormat },
        oracle: { layer: "flatten", config: dataFormat === undefined ? {} : { dataFormat } },
        seed: seed++,
      });
    }
  }
  // TF.js divergence rule 2: TF.js Flatten needs rank 3 or more (Keras 3:
  // rank 1); rank-2 inputs compare with TF.js `reshape` to [batch, features].
  for (const inShape of [[7], []]) {
    cases.push({
      label: `flatten [${inShape}] (rank ${inShape.length + 1})`,
      group: "flatten vs TF.js (ops)",
      inShape,
      method: "flatten",
      config: undefined,
      oracle: (t) => t.reshape([t.shape[0], -1]),
      seed: seed++,
    });
  }
  for (const [inShape, targetShape] of [
    [[12], [3, 4]],
    [[12], [-1, 2, 2]],
    [[3, 4, 2], [24]],
    [
      [3, 4, 2],
      [2, -1],
    ],
    [
      [3, 4, 2],
      [4, 3, 2],
    ],
    [
      [3, 4, 2],
      [1, 1, -1, 1],
    ],
    [
      [28, 28, 1],
      [-1, 16],
    ],
    [[784], [7, 7, 16]],
  ]) {
    cases.push({
      label: `reshape [${inShape}] to [${targetShape}]`,
      group: "reshape vs TF.js",
      inShape,
      method: "reshape",
      config: { targetShape },
      // A copy: TF.js rewrites -1 to null in the array it is given.
      oracle: { layer: "reshape", config: { targetShape: [...targetShape] } },
      symbolicShapeDiffers: targetShape.includes(-1),
      seed: seed++,
    });
  }
  for (const [inShape, dims] of [
    [
      [10, 6],
      [2, 1],
    ],
    [
      [10, 6],
      [1, 2],
    ],
    [
      [4, 5, 6],
      [3, 1, 2],
    ],
    [
      [4, 5, 6],
      [2, 3, 1],
    ],
    [
      [2, 3, 4, 5],
      [4, 2, 1, 3],
    ],
  ]) {
    cases.push({
      label: `permute [${inShape}] by [${dims}]`,
      group: "permute vs TF.js",
      inShape,
      method: "permute",
      config: { dims },
      oracle: { layer: "permute", config: { dims: [...dims] } },
      seed: seed++,
    });
  }
  for (const n of [1, 3]) {
    cases.push({
      label: `repeatVector [5] n ${n}`,
      group: "repeatVector vs TF.js",
      inShape: [5],
      method: "repeatVector",
      config: { n },
      oracle: { layer: "repeatVector", config: { n } },
      seed: seed++,
    });
  }
  it.each(cases.map((c) => [c.label, c] as const))("%s", (_label, c) => compareWithTfjs(c));
});

describe("padding, cropping and up-sampling against TensorFlow.js", () => {
  const cases: OracleCase[] = [];
  let seed = 100;
  const formats = ["channelsLast", "channelsFirst"] as const;

  // 2-D: TF.js has all three layers; TF.js takes only the explicit forms, so
  // its config is the per-axis pairs of ours (a mixed [[1, 2], 3] included).
  for (const dataFormat of formats) {
    const inShape = dataFormat === "channelsLast" ? [5, 6, 2] : [2, 5, 6];
    for (const padding of [
      undefined,
      0,
      2,
      [1, 2],
      [
        [1, 2],
        [3, 0],
      ],
      [[0, 2], 1],
    ]) {
      const pairs = pairsOf(padding === undefined ? 1 : padding, 2);
      cases.push({
        label: `zeroPadding2d [${inShape}] ${spec(padding)} ${dataFormat}`,
        group: "zeroPadding2d vs TF.js",
        inShape,
        method: "zeroPadding2d",
        config: { padding, dataFormat },
        oracle: { layer: "zeroPadding2d", config: { padding: pairs, dataFormat } },
        seed: seed++,
      });
    }
    for (const [method, cropping] of [
      ["cropping2d", undefined],
      ["cropping2d", 1],
      ["cropping2D", [2, 1]],
      [
        "cropping2d",
        [
          [1, 2],
          [0, 3],
        ],
      ],
      ["cropping2D", [[0, 0], 2]],
    ] as const) {
      const pairs = pairsOf(cropping === undefined ? 0 : cropping, 2);
      cases.push({
        label: `${method} [${inShape}] ${spec(cropping)} ${dataFormat}`,
        group: "cropping2d vs TF.js",
        inShape,
        method,
        config: { cropping, dataFormat },
        oracle: { layer: "cropping2D", config: { cropping: pairs, dataFormat } },
        seed: seed++,
      });
    }
    for (const size of [undefined, 1, 3, [2, 3]]) {
      // TF.js divergence rule 3: TF.js upSampling2d needs an array size (a
      // number silently gives null sizes), so it gets the pair of ours.
      const pair = size === undefined ? [2, 2] : typeof size === "number" ? [size, size] : size;
      cases.push({
        label: `upSampling2d [${inShape}] ${spec(size)} ${dataFormat}`,
        group: "upSampling2d vs TF.js",
        inShape,
        method: "upSampling2d",
        config: { size, dataFormat, interpolation: "nearest" },
        oracle: { layer: "upSampling2d", config: { size: pair, dataFormat, interpolation: "nearest" } },
        seed: seed++,
      });
    }
  }

  // TF.js divergence rule 4: TF.js 4.22 has no ZeroPadding1D/3D, Cropping1D/3D
  // or UpSampling1D/3D layers; those compare with TF.js `pad`, `slice` and
  // expand-tile-reshape ops, which hold Keras' definitions.
  for (const [n, inShape, spatialFirst, dataFormat] of [
    [1, [7, 3], 1, undefined],
    [3, [4, 5, 3, 2], 1, "channelsLast"],
    [3, [2, 4, 5, 3], 2, "channelsFirst"],
  ] as const) {
    const method = (base: string) => `${base}${n}d`;
    const padForms = n === 1 ? [undefined, 0, 2, [1, 3]] : [undefined, 2, [1, 0, 2], [[1, 2], [0, 1], 3]];
    for (const padding of padForms) {
      const pairs = allAxes(inShape.length + 1, spatialFirst, pairsOf(padding === undefined ? 1 : padding, n));
      cases.push({
        label: `${method("zeroPadding")} [${inShape}] ${spec(padding)} ${dataFormat}`,
        group: `${method("zeroPadding")} vs TF.js (ops)`,
        inShape: [...inShape],
        method: method("zeroPadding"),
        config: dataFormat === undefined ? { padding } : { padding, dataFormat },
        oracle: (t) => tf.pad(t, pairs),
        seed: seed++,
      });
    }
    const cropForms = n === 1 ? [undefined, 0, 2, [1, 4]] : [undefined, 0, [1, 0, 1], [[1, 2], [0, 1], 1]];
    for (const cropping of cropForms) {
      const pairs = allAxes(inShape.length + 1, spatialFirst, pairsOf(cropping === undefined ? 1 : cropping, n));
      cases.push({
        label: `${method("cropping")} [${inShape}] ${spec(cropping)} ${dataFormat}`,
        group: `${method("cropping")} vs TF.js (ops)`,
        inShape: [...inShape],
        method: method("cropping"),
        config: dataFormat === undefined ? { cropping } : { cropping, dataFormat },
        oracle: (t) => {
          const begin = pairs.map(([b]) => b);
          const size = t.shape.map((d, i) => d - pairs[i][0] - pairs[i][1]);
          return tf.slice(t, begin, size);
        },
        seed: seed++,
      });
    }
    const sizeForms = n === 1 ? [undefined, 1, 3] : [undefined, 1, [1, 2, 3]];
    for (const size of sizeForms) {
      const factors = size === undefined ? new Array<number>(n).fill(2) : typeof size === "number" ? new Array<number>(n).fill(size) : size;
      cases.push({
        label: `${method("upSampling")} [${inShape}] ${spec(size)} ${dataFormat}`,
        group: `${method("upSampling")} vs TF.js (ops)`,
        inShape: [...inShape],
        method: method("upSampling"),
        config: dataFormat === undefined ? { size } : { size, dataFormat },
        oracle: (t) => factors.reduce((acc: tf.Tensor, k, i) => tfRepeat(acc, spatialFirst + i, k), t),
        seed: seed++,
      });
    }
  }

  it.each(cases.map((c) => [c.label, c] as const))("%s", (_label, c) => compareWithTfjs(c));
});

// ---------------------------------------------------------------------------
// Shapes, unknown sizes and data movement
// ---------------------------------------------------------------------------

describe("reshape", () => {
  it("resolves -1 exactly and keeps the values in order", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 4 }), fc.integer({ min: 0, max: 3 }), (dims, at) => {
        clearSession();
        const size = sizeOf(dims);
        const divisors = Array.from({ length: size }, (_, i) => i + 1).filter((d) => size % d === 0);
        const known = divisors[at % divisors.length];
        const x = looseInput(dims);
        const y = call(x, "reshape", { targetShape: [known, -1] });
        expect(y.shape).toEqual([null, known, size / known]);
        const data = Float32Array.from({ length: size }, (_, i) => i);
        expect(Array.from(run(looseModel({ inputs: x, outputs: y }), tensor([1, ...dims], data)).data)).toEqual(Array.from(data));
      }),
      { seed: 9, numRuns: 100 },
    );
  });

  it("gives null for -1 when an input size is unknown, and checks sizes when data arrives", () => {
    const x = looseInput([null, 28, 1]);
    const y = call(x, "reshape", { targetShape: [-1, 4, 7] });
    expect(y.shape).toEqual([null, null, 4, 7]);
    const m = looseModel({ inputs: x, outputs: y });
    expect(run(m, randomTensor([2, 3, 28, 1], createRandom(3))).shape).toEqual([2, 3, 4, 7]);
    const seq = looseInput([null, 4]);
    const fixed = call(seq, "reshape", { targetShape: [2, 4] });
    expect(fixed.shape).toEqual([null, 2, 4]);
    const fm = looseModel({ inputs: seq, outputs: fixed });
    expect(run(fm, randomTensor([3, 2, 4], createRandom(4))).shape).toEqual([3, 2, 4]);
    expect(() => run(fm, randomTensor([1, 3, 4], createRandom(4)))).toThrow("shapewise: reshape targetShape [2, 4] holds 8 values, input [3, 4] holds 12");
  });
});

describe("configs are copied", () => {
  it("changing an array after the call does not change the layer (TF.js rewrites -1 in place)", () => {
    const targetShape = [-1, 16];
    const x = looseInput([28, 28, 1]);
    const m = looseModel({ inputs: x, outputs: call(x, "reshape", { targetShape }) });
    tf.layers.reshape({ targetShape: targetShape as number[], inputShape: [28, 28, 1] });
    expect(targetShape).toEqual([null, 16]);
    expect(run(m, randomTensor([1, 28, 28, 1], createRandom(2))).shape).toEqual([1, 49, 16]);
  });
});

describe("unknown sizes", () => {
  it("stay null through padding, cropping, up-sampling and permute, and are checked when data arrives", () => {
    const x = looseInput([null, 5, 2]);
    expect(
      call(x, "zeroPadding2d", {
        padding: [
          [1, 2],
          [3, 4],
        ],
      }).shape,
    ).toEqual([null, null, 12, 2]);
    expect(call(x, "upSampling2d", { size: [2, 3] }).shape).toEqual([null, null, 15, 2]);
    expect(call(x, "permute", { dims: [3, 1, 2] }).shape).toEqual([null, 2, null, 5]);
    const cropped = call(x, "cropping2d", { cropping: [[2, 1], 1] });
    expect(cropped.shape).toEqual([null, null, 3, 2]);
    const m = looseModel({ inputs: x, outputs: cropped });
    expect(run(m, randomTensor([1, 4, 5, 2], createRandom(5))).shape).toEqual([1, 1, 3, 2]);
    expect(() => run(m, randomTensor([1, 3, 5, 2], createRandom(5)))).toThrow(
      "shapewise: cropping2d cropping [[2, 1], 1] removes 3 from input height 3, which leaves nothing",
    );
  });
});

describe("invalid configs give the exact ShapeError sentence", () => {
  const image = () => looseInput([28, 28, 1]);
  const seq = () => looseInput([10, 4]);
  const volume = () => looseInput([4, 4, 4, 2]);
  const cases: [string, () => unknown, string][] = [
    [
      "reshape size mismatch",
      () => call(image(), "reshape", { targetShape: [5, 5] }),
      "shapewise: reshape targetShape [5, 5] holds 25 values, input [28, 28, 1] holds 784",
    ],
    [
      "reshape -1 not a divisor",
      () => call(image(), "reshape", { targetShape: [-1, 15] }),
      "shapewise: reshape targetShape [-1, 15] cannot hold input [28, 28, 1]: 784 values are not a multiple of 15",
    ],
    ["reshape two -1", () => call(image(), "reshape", { targetShape: [-1, -1] }), "shapewise: reshape targetShape may hold at most one -1, got [-1, -1]"],
    [
      "reshape zero size",
      () => call(image(), "reshape", { targetShape: [0, 784] }),
      "shapewise: reshape targetShape must hold positive integers or -1, got [0, 784]",
    ],
    [
      "reshape -2",
      () => call(image(), "reshape", { targetShape: [-2, 392] }),
      "shapewise: reshape targetShape must hold positive integers or -1, got [-2, 392]",
    ],
    [
      "reshape fractional",
      () => call(image(), "reshape", { targetShape: [1.5, 2] }),
      "shapewise: reshape targetShape must hold positive integers or -1, got [1.5, 2]",
    ],
    ["reshape not a list", () => call(image(), "reshape", { targetShape: 784 }), "shapewise: reshape targetShape must hold positive integers or -1, got 784"],
    ["reshape without config", () => call(image(), "reshape"), "shapewise: reshape targetShape must hold positive integers or -1, got undefined"],
    [
      "reshape unknown option",
      () => call(image(), "reshape", { target_shape: [784] }),
      "shapewise: reshape has no option 'target_shape' (options: targetShape, name)",
    ],
    [
      "permute repeated axis",
      () => call(image(), "permute", { dims: [3, 1, 1] }),
      "shapewise: permute dims must list each axis from 1 to 3 once, got [3, 1, 1]",
    ],
    ["permute axis 0", () => call(image(), "permute", { dims: [0, 1, 2] }), "shapewise: permute dims must list each axis from 1 to 3 once, got [0, 1, 2]"],
    [
      "permute wrong rank",
      () => call(image(), "permute", { dims: [2, 1] }),
      "shapewise: permute dims [2, 1] need input of rank 3, got rank 4 [null, 28, 28, 1]",
    ],
    ["permute not a list", () => call(image(), "permute", { dims: 2 }), "shapewise: permute dims must be a list of axes, got 2"],
    [
      "repeatVector wrong rank",
      () => call(seq(), "repeatVector", { n: 2 }),
      "shapewise: repeatVector expects input of rank 2 [batch, features], got rank 3 [null, 10, 4]",
    ],
    ["repeatVector n 0", () => call(looseInput([4]), "repeatVector", { n: 0 }), "shapewise: repeatVector n must be a positive integer, got 0"],
    ["repeatVector n missing", () => call(looseInput([4]), "repeatVector", {}), "shapewise: repeatVector n must be a positive integer, got undefined"],
    [
      "zeroPadding1d negative",
      () => call(seq(), "zeroPadding1d", { padding: -1 }),
      "shapewise: zeroPadding1d padding must be a non-negative integer or a pair of them, got -1",
    ],
    [
      "zeroPadding1d triple",
      () => call(seq(), "zeroPadding1d", { padding: [1, 2, 3] }),
      "shapewise: zeroPadding1d padding must be a non-negative integer or a pair of them, got [1, 2, 3]",
    ],
    [
      "zeroPadding1d wrong rank",
      () => call(image(), "zeroPadding1d"),
      "shapewise: zeroPadding1d expects input of rank 3 [batch, steps, channels], got rank 4 [null, 28, 28, 1]",
    ],
    [
      "zeroPadding2d negative pair",
      () => call(image(), "zeroPadding2d", { padding: [[1, -2], 3] }),
      "shapewise: zeroPadding2d padding must be a non-negative integer, a pair of them, or a pair of pairs, got [[1, -2], 3]",
    ],
    [
      "zeroPadding2d fractional",
      () => call(image(), "zeroPadding2d", { padding: 0.5 }),
      "shapewise: zeroPadding2d padding must be a non-negative integer, a pair of them, or a pair of pairs, got 0.5",
    ],
    [
      "zeroPadding2d channels-first wrong rank",
      () => call(seq(), "zeroPadding2d", { dataFormat: "channelsFirst" }),
      "shapewise: zeroPadding2d expects input of rank 4 [batch, channels, height, width], got rank 3 [null, 10, 4]",
    ],
    [
      "zeroPadding1d has no dataFormat",
      () => call(seq(), "zeroPadding1d", { dataFormat: "channelsLast" }),
      "shapewise: zeroPadding1d has no option 'dataFormat' (options: padding, name)",
    ],
    [
      "zeroPadding3d pair",
      () => call(volume(), "zeroPadding3d", { padding: [1, 2] }),
      "shapewise: zeroPadding3d padding must be a non-negative integer, a triple of them, or a triple of pairs, got [1, 2]",
    ],
    [
      "cropping1d too much",
      () => call(seq(), "cropping1d", { cropping: [4, 6] }),
      "shapewise: cropping1d cropping [4, 6] removes 10 from input steps 10, which leaves nothing",
    ],
    [
      "cropping1d default on 2 steps",
      () => call(looseInput([2, 3]), "cropping1d"),
      "shapewise: cropping1d cropping 1 removes 2 from input steps 2, which leaves nothing",
    ],
    [
      "cropping2d width",
      () =>
        call(image(), "cropping2d", {
          cropping: [
            [2, 2],
            [14, 14],
          ],
        }),
      "shapewise: cropping2d cropping [[2, 2], [14, 14]] removes 28 from input width 28, which leaves nothing",
    ],
    [
      "cropping2D alias negative",
      () => call(image(), "cropping2D", { cropping: -1 }),
      "shapewise: cropping2d cropping must be a non-negative integer, a pair of them, or a pair of pairs, got -1",
    ],
    [
      "cropping3d default on depth 2",
      () => call(looseInput([2, 4, 4, 1]), "cropping3d"),
      "shapewise: cropping3d cropping 1 removes 2 from input depth 2, which leaves nothing",
    ],
    [
      "cropping3d channels-first",
      () => call(volume(), "cropping3d", { cropping: [0, 0, 1], dataFormat: "channelsFirst" }),
      "shapewise: cropping3d cropping [0, 0, 1] removes 2 from input width 2, which leaves nothing",
    ],
    ["upSampling1d size 0", () => call(seq(), "upSampling1d", { size: 0 }), "shapewise: upSampling1d size must be a positive integer, got 0"],
    ["upSampling1d size list", () => call(seq(), "upSampling1d", { size: [2] }), "shapewise: upSampling1d size must be a positive integer, got [2]"],
    [
      "upSampling2d size fractional",
      () => call(image(), "upSampling2d", { size: [2, 1.5] }),
      "shapewise: upSampling2d size must be a positive integer or a pair of them, got [2, 1.5]",
    ],
    [
      "upSampling2d bilinear",
      () => call(image(), "upSampling2d", { interpolation: "bilinear" }),
      "shapewise: upSampling2d interpolation must be one of 'nearest', got 'bilinear'",
    ],
    [
      "upSampling3d size negative",
      () => call(volume(), "upSampling3d", { size: -2 }),
      "shapewise: upSampling3d size must be a positive integer or a triple of them, got -2",
    ],
    [
      "upSampling3d wrong rank",
      () => call(image(), "upSampling3d"),
      "shapewise: upSampling3d expects input of rank 5 [batch, depth, height, width, channels], got rank 4 [null, 28, 28, 1]",
    ],
    [
      "flatten dataFormat",
      () => call(image(), "flatten", { dataFormat: "channels_last" }),
      "shapewise: flatten dataFormat must be one of 'channelsLast', 'channelsFirst', got 'channels_last'",
    ],
    [
      "flatten unknown option",
      () => call(image(), "flatten", { data_format: "channels_last" }),
      "shapewise: flatten has no option 'data_format' (options: dataFormat, name)",
    ],
  ];

  it.each(cases)("%s", (_label, build, message) => {
    expect(build).toThrow(ShapeError);
    try {
      build();
    } catch (e) {
      expect((e as Error).message).toBe(message);
    }
  });

  it("bad amounts and factors are ShapeErrors, never NaN or sizes below 1", () => {
    const bad = fc.oneof(
      fc.integer({ min: -50, max: -1 }),
      fc.double({ min: 0.01, max: 50, noNaN: true }).filter((v) => !Number.isInteger(v)),
      fc.constantFrom(Number.NaN, Infinity, 2 ** 60, "2", null, true, {}, [], [1, 2, 3, 4]),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(
          "zeroPadding1d",
          "zeroPadding2d",
          "zeroPadding3d",
          "cropping1d",
          "cropping2d",
          "cropping3d",
          "upSampling1d",
          "upSampling2d",
          "upSampling3d",
        ),
        bad,
        (method, value) => {
          clearSession();
          const x = looseInput(method.endsWith("1d") ? [9, 2] : method.endsWith("2d") ? [9, 9, 2] : [9, 9, 9, 2]);
          const key = method.startsWith("zero") ? "padding" : method.startsWith("crop") ? "cropping" : "size";
          expect(() => call(x, method, { [key]: value })).toThrow(ShapeError);
        },
      ),
      { seed: 31, numRuns: 300 },
    );
  });

  it("valid croppings never leave a size below 1", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 9 }), (steps, a, b) => {
        clearSession();
        const x = looseInput([steps, 2]);
        if (a + b >= steps) expect(() => call(x, "cropping1d", { cropping: [a, b] })).toThrow(ShapeError);
        else expect(call(x, "cropping1d", { cropping: [a, b] }).shape).toEqual([null, steps - a - b, 2]);
      }),
      { seed: 32, numRuns: 200 },
    );
  });
});

describe("summaries", () => {
  it.each([
    ["flatten", [4, 4, 2], undefined, "flatten (Flatten)"],
    ["reshape", [4, 4, 2], { targetShape: [-1, 2] }, "reshape (Reshape)"],
    ["permute", [4, 3], { dims: [2, 1] }, "permute (Permute)"],
    ["repeatVector", [4], { n: 2 }, "repeat_vector (RepeatVector)"],
    ["zeroPadding1d", [4, 2], undefined, "zero_padding1d (ZeroPadding1D)"],
    ["zeroPadding2d", [4, 4, 2], undefined, "zero_padding2d (ZeroPadding2D)"],
    ["zeroPadding3d", [4, 4, 4, 2], undefined, "zero_padding3d (ZeroPadding3D)"],
    ["cropping1d", [4, 2], undefined, "cropping1d (Cropping1D)"],
    ["cropping2D", [4, 4, 2], undefined, "cropping2d (Cropping2D)"],
    ["cropping3d", [4, 4, 4, 2], undefined, "cropping3d (Cropping3D)"],
    ["upSampling1d", [4, 2], undefined, "up_sampling1d (UpSampling1D)"],
    ["upSampling2d", [4, 4, 2], undefined, "up_sampling2d (UpSampling2D)"],
    ["upSampling3d", [4, 4, 4, 2], undefined, "up_sampling3d (UpSampling3D)"],
  ] as const)("%s: a single-layer model's Keras 3 summary row names it", (method, shape, config, row) => {
    const x = looseInput(shape);
    const text = looseModel({ inputs: x, outputs: call(x, method, config) }).summary({ style: "keras3", lineLength: 120, printFn: () => {} });
    const line = text.split("\n").find((l) => l.includes(row));
    expect(line, text).toBeDefined();
    expect(line).toMatch(/│\s+0 │$/);
  });
});
