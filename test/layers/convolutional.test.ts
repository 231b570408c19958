/**
 * The convolution family: conv1d/2d/3d (groups, dataFormat, causal padding),
 * their transposes (outputPadding, dilation), separable and depthwise
 * convolutions, against
 *
 * - the Keras 3.15.1 `layer_case:*` and `forward_case:*` entries copied into
 *   `test/fixtures/keras-cases/convolutional.json` (shapes, parameter counts,
 *   weight names, shapes and order, the error case, forward outputs within 1e-5);
 * - TensorFlow.js 4.22 (cpu backend): the same weights copied into a one-layer
 *   TF.js model through `setWeights`, random inputs from fixed seeds, 1e-5.
 *   Where TF.js departs from Keras 3 (reference §1.5, §7) or lacks a layer,
 *   the comparison is made against TF.js ops arranged as Keras 3 computes
 *   them, under a numbered rule marked `TF.js divergence` below: (1) Conv1D
 *   channelsFirst output left channels-last, (2) "causal" treated as
 *   "valid", (3) `groups` ignored, (4) no Conv1DTranspose, `outputPadding`
 *   and transposed dilation ignored, (5) no DepthwiseConv1D or
 *   SeparableConv1D, (6) negative 3-D "same" padding, (7) DepthwiseConv2D
 *   drops `dilationRate`, (8) SeparableConv2D channelsFirst bias broadcast error;
 * - the exact `ShapeError` sentences of invalid configs (the same sentences
 *   the type level shows, see `test-d/errors/convolutional/`);
 * - the class names a Keras 3 summary prints and the automatic names.
 */
import * as tf from "@tensorflow/tfjs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ShapeError, clearSession, tensor } from "../../src/index.js";
import type { Tensor } from "../../src/index.js";
import { createRandom } from "../../src/kernels/random.js";
import type { Random } from "../../src/kernels/random.js";
import { call, kerasCases as loadKerasCases, layerFamilyHarness, looseInput, looseModel, randomData, run, sizeOf } from "../support/layer-harness.js";
import type { Loose } from "../support/layer-harness.js";

const TOL = 1e-5;
const expectClose = layerFamilyHarness("layers/convolutional.test.ts", TOL, 60);

/** Values in [-1, 1): the range these cases were written for. */
const randomTensor = (shape: readonly number[], random: Random): Tensor => ({ shape: [...shape], data: randomData(sizeOf(shape), random, -1, 1) });

// ---------------------------------------------------------------------------
// Keras 3 cases (tables of configs go through the loosely typed calls of the
// harness; `test-d/convolutional.test-d.ts` checks the typed results)
// ---------------------------------------------------------------------------

const kerasCases = loadKerasCases("convolutional");

const METHOD_OF: Record<string, string> = {
  Conv1D: "conv1d",
  Conv2D: "conv2d",
  Conv3D: "conv3d",
  Conv1DTranspose: "conv1dTranspose",
  Conv2DTranspose: "conv2dTranspose",
  Conv3DTranspose: "conv3dTranspose",
  SeparableConv1D: "separableConv1d",
  SeparableConv2D: "separableConv2d",
  DepthwiseConv1D: "depthwiseConv1d",
  DepthwiseConv2D: "depthwiseConv2d",
};

/** Keras config (snake_case keys, `channels_first`) to shapewise options (TF.js camelCase, `channelsFirst`). */
function camelConfig(config: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(config).map(([k, v]) => [
      k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()),
      k === "data_format" && typeof v === "string" ? v.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()) : v,
    ]),
  );
}

/** Our sentence for each Keras 3 error case (Keras' own text names other things). */
const OUR_ERRORS: Record<string, string> = {
  "layer_case:conv2d_too_small_error": "shapewise: conv2d kernelSize 3 is larger than input height 2 with padding 'valid'",
};

describe("Keras 3 layer cases", () => {
  const layerCases = kerasCases.filter((c) => c.name.startsWith("layer_case:"));

  it("the fixture holds every convolution layer case", () => {
    expect(layerCases).toHaveLength(36);
    expect(new Set(layerCases.map((c) => c.layers[0].class_name))).toEqual(new Set(Object.keys(METHOD_OF)));
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
    const specs = m.layers[1].weightSpecs();
    expect(specs.map((w) => ({ name: w.name, shape: w.shape, trainable: w.trainable }))).toEqual(
      c.weights_keras3!.map((w) => ({ name: w.name, shape: w.shape, trainable: w.trainable })),
    );
    expect(specs.map((w) => `${m.layers[1].names.keras3}/${w.name}`)).toEqual(c.weights_keras3!.map((w) => w.path));
    expect(m.getWeights().map((w) => w.shape)).toEqual(c.weights_keras3!.map((w) => w.shape));
    expect(m.layers[1].className).toBe(layer.class_name);
    // The stored TF.js result agrees with Keras 3 except where it says it does not.
    const tfjs = c["tfjs_4.22"];
    if (tfjs?.output_shape !== undefined && tfjs.differs_from_keras3 !== true) expect(y.shape).toEqual(tfjs.output_shape);
  });

  it("the TF.js divergences recorded in the fixture are the documented ones (causal, groups, outputPadding, too-small inputs)", () => {
    const differing = layerCases.filter((c) => c["tfjs_4.22"]?.differs_from_keras3 === true).map((c) => c.name);
    expect(differing.sort()).toEqual(
      [
        "layer_case:conv1d_causal",
        "layer_case:conv1d_causal_dilation4",
        "layer_case:conv2d_groups2",
        "layer_case:conv2d_too_small_error",
        "layer_case:conv2d_transpose_k4_s2_same_op0",
        "layer_case:conv2d_transpose_s2_valid_op1",
      ].sort(),
    );
  });
});

describe("Keras 3 forward cases", () => {
  const forwardCases = kerasCases.filter((c) => c.name.startsWith("forward_case:"));

  it("the fixture holds the conv2d, depthwise, separable, transposed and causal cases", () => {
    expect(forwardCases.map((c) => c.name).sort()).toEqual(
      [
        "forward_case:conv1d_causal_dilation2",
        "forward_case:conv2d_dilation2_same",
        "forward_case:conv2d_same_k4_even",
        "forward_case:conv2d_same_stride2_even",
        "forward_case:conv2d_same_stride2_odd",
        "forward_case:conv2d_transpose_s2_same",
        "forward_case:conv2d_transpose_s2_valid",
        "forward_case:conv2d_valid",
        "forward_case:depthwise_conv2d_dm2",
        "forward_case:separable_conv2d",
      ].sort(),
    );
  });

  it.each(forwardCases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const [layer] = c.layers;
    const shape = c.input_shape as number[];
    const x = looseInput(shape.slice(1));
    const m = looseModel({ inputs: x, outputs: call(x, METHOD_OF[layer.class_name], camelConfig(layer.config)) });
    expect(m.countParams()).toBe(c.total_params);
    const k3 = c.forward_keras3!;
    expect(m.layers[1].weightSpecs().map((w) => `${m.layers[1].names.keras3}/${w.name}`)).toEqual(k3.weights!.map((w) => w.path));
    m.setWeights(k3.weights!.map((w) => ({ shape: w.shape, data: Float32Array.from(w.values) })));
    const y = run(m, tensor(shape, Float32Array.from(k3.inputs[0])));
    expect(y.shape).toEqual(c.output_shape);
    expectClose(y.data, k3.output, c.name, "Keras 3 forward cases");
  });

  it("the comparison fails when the depthwise output channels are ordered m * C + c instead of c * m + m", () => {
    const c = forwardCases.find((f) => f.name === "forward_case:depthwise_conv2d_dm2")!;
    const k3 = c.forward_keras3!;
    const x = looseInput([4, 4, 2]);
    const m = looseModel({ inputs: x, outputs: call(x, "depthwiseConv2d", { kernelSize: 3, depthMultiplier: 2 }) });
    m.setWeights(k3.weights!.map((w) => ({ shape: w.shape, data: Float32Array.from(w.values) })));
    const y = run(m, tensor([1, 4, 4, 2], Float32Array.from(k3.inputs[0])));
    // The same outputs with channels c * 2 + j reordered to j * 2 + c.
    const swapped = Float32Array.from(y.data, (_, i) => y.data[i - (i % 4) + [0, 2, 1, 3][i % 4]]);
    expect(() => expectClose(swapped, k3.output, "reordered")).toThrow(/max difference/);
  });
});

// ---------------------------------------------------------------------------
// TensorFlow.js
// ---------------------------------------------------------------------------

type TfLayerFactory = (config: object) => tf.layers.Layer;
const tfLayers = tf.layers as unknown as Record<string, TfLayerFactory>;

/** `[n, c, ...]` to `[n, ..., c]` and back, for oracles that only take channels-last data. */
const tfToChannelsLast = (t: tf.Tensor): tf.Tensor => tf.transpose(t, [0, ...Array.from({ length: t.rank - 2 }, (_, i) => i + 2), 1]);
const tfToChannelsFirst = (t: tf.Tensor): tf.Tensor => tf.transpose(t, [0, t.rank - 1, ...Array.from({ length: t.rank - 2 }, (_, i) => i + 1)]);

/** Keras 3 activations as TF.js ops (all on the last axis, as Keras applies them). */
const TF_ACTIVATION: Record<string, (t: tf.Tensor) => tf.Tensor> = {
  linear: (t) => t,
  relu: (t) => tf.relu(t),
  tanh: (t) => tf.tanh(t),
  sigmoid: (t) => tf.sigmoid(t),
  softmax: (t) => tf.softmax(t),
};

interface OracleCase {
  label: string;
  group: string;
  /** Sample shape (no batch). */
  inShape: number[];
  method: string;
  config: Record<string, unknown>;
  /**
   * A TF.js layer and its config (weights copied with `setWeights`; output
   * shape and parameter count compared too), or a function of the TF.js input
   * and our weights built from TF.js ops where TF.js has no such layer or
   * departs from Keras 3.
   */
  oracle: { layer: string; config: Record<string, unknown> } | ((x: tf.Tensor, w: tf.Tensor[]) => tf.Tensor);
  seed: number;
}

function compareWithTfjs(c: OracleCase): void {
  const random = createRandom(c.seed);
  const x = looseInput(c.inShape);
  const m = looseModel({ inputs: x, outputs: call(x, c.method, c.config), seed: c.seed });
  // Random biases, so that they take part in the comparison.
  m.setWeights(m.getWeights().map((w) => (w.shape.length === 1 ? { shape: w.shape, data: randomData(w.data.length, random, -0.5, 0.5) } : w)));
  const weights = m.getWeights();
  let tfModel: tf.LayersModel | undefined;
  if (typeof c.oracle !== "function") {
    tfModel = tf.sequential({ layers: [tfLayers[c.oracle.layer]({ ...c.oracle.config, inputShape: c.inShape })] });
    expect(
      tfModel.getWeights().map((w) => w.shape),
      `${c.label}: TF.js weight shapes`,
    ).toEqual(weights.map((w) => [...w.shape]));
    const model_ = tfModel;
    tf.tidy(() => model_.setWeights(weights.map((w) => tf.tensor(w.data, [...w.shape]))));
    expect(m.countParams(), `${c.label}: params`).toBe(tfModel.countParams());
    expect(m.outputShape, `${c.label}: symbolic output shape`).toEqual(tfModel.outputs[0].shape.map((d) => d ?? null));
  }
  try {
    for (const batch of [1, 3]) {
      const xb = randomTensor([batch, ...c.inShape], random);
      const ours = run(m, xb);
      const theirs = tf.tidy(() => {
        const t = tf.tensor(xb.data, xb.shape as number[]);
        const out =
          typeof c.oracle === "function"
            ? c.oracle(
                t,
                weights.map((w) => tf.tensor(w.data, [...w.shape])),
              )
            : (tfModel!.predict(t) as tf.Tensor);
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
/** A config without the options left out. */
const defined = (o: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
const at = (v: number | number[], i: number): number => (Array.isArray(v) ? v[i] : v);

/** Groups by hand: TF.js convolutions of each channel group, concatenated (TF.js ignores `groups`). */
function groupedConv(x: tf.Tensor, w: tf.Tensor[], rank: 1 | 2 | 3, groups: number, conv: (x: tf.Tensor, k: tf.Tensor) => tf.Tensor): tf.Tensor {
  const cin = x.shape[x.rank - 1];
  const kernel = w[0];
  const cout = kernel.shape[kernel.rank - 1];
  const parts: tf.Tensor[] = [];
  for (let g = 0; g < groups; g++) {
    const xg = tf.slice(x, [...new Array<number>(rank + 1).fill(0), (g * cin) / groups], [...new Array<number>(rank + 1).fill(-1), cin / groups]);
    const kg = tf.slice(kernel, [...new Array<number>(rank + 1).fill(0), (g * cout) / groups], [...new Array<number>(rank + 1).fill(-1), cout / groups]);
    parts.push(conv(xg, kg));
  }
  const y = tf.concat(parts, -1);
  return w.length > 1 ? tf.add(y, w[1]) : y;
}

describe("conv1d against TensorFlow.js", () => {
  const cases: OracleCase[] = [];
  let seed = 1;
  for (const inShape of [
    [9, 3],
    [10, 2],
  ]) {
    for (const kernelSize of [1, 2, 3, [4]]) {
      for (const strides of [1, 2, 3]) {
        for (const padding of ["valid", "same"]) {
          const config = { filters: 4, kernelSize, strides, padding };
          cases.push({
            label: `[${inShape}] ${spec(config)}`,
            group: "conv1d vs TF.js",
            inShape,
            method: "conv1d",
            config,
            oracle: { layer: "conv1d", config },
            seed: seed++,
          });
        }
      }
    }
    for (const [kernelSize, dilationRate] of [
      [3, 2],
      [2, 3],
      [3, [3]],
    ] as const) {
      for (const padding of ["valid", "same"]) {
        const config = { filters: 3, kernelSize, dilationRate, padding };
        cases.push({
          label: `[${inShape}] ${spec(config)}`,
          group: "conv1d vs TF.js",
          inShape,
          method: "conv1d",
          config,
          oracle: { layer: "conv1d", config },
          seed: seed++,
        });
      }
    }
  }
  for (const config of [
    { filters: 5, kernelSize: 3, useBias: false },
    { filters: 4, kernelSize: 3, padding: "same", activation: "relu" },
    { filters: 4, kernelSize: 3, padding: "same", activation: "softmax" },
  ]) {
    cases.push({
      label: `[8,6] ${spec(config)}`,
      group: "conv1d vs TF.js",
      inShape: [8, 6],
      method: "conv1d",
      config,
      oracle: { layer: "conv1d", config },
      seed: seed++,
    });
  }
  // TF.js divergence rule 1: TF.js Conv1D with dataFormat "channelsFirst"
  // returns its result channels-last ([batch, steps, filters] where Keras
  // gives [batch, filters, steps]), so the oracle runs the TF.js op on the
  // transposed input and transposes its output back.
  for (const config of [
    { filters: 4, kernelSize: 3, dataFormat: "channelsFirst" },
    { filters: 2, kernelSize: 2, strides: 2, padding: "same", dataFormat: "channelsFirst", activation: "tanh" },
  ]) {
    const cfg = config as Record<string, unknown>;
    cases.push({
      label: `[3,9] ${spec(config)}`,
      group: "conv1d channelsFirst vs TF.js (transposed)",
      inShape: [3, 9],
      method: "conv1d",
      config,
      oracle: (x, w) => {
        const y = tf.conv1d(tfToChannelsLast(x) as tf.Tensor3D, w[0] as tf.Tensor3D, (cfg.strides as number) ?? 1, (cfg.padding as "same") ?? "valid");
        return TF_ACTIVATION[(cfg.activation as string) ?? "linear"](tfToChannelsFirst(tf.add(y, w[1])));
      },
      seed: seed++,
    });
  }

  // TF.js divergence rule 2: TF.js treats "causal" as "valid" (a shorter
  // output). Keras pads d * (k - 1) zeros in front and convolves with
  // "valid"; the oracle does exactly that with TF.js ops.
  for (const [kernelSize, dilationRate, strides] of [
    [3, 1, 1],
    [3, 2, 1],
    [2, 3, 1],
    [4, 1, 2],
    [5, 1, 3],
    [1, 1, 1],
  ] as const) {
    for (const dataFormat of ["channelsLast", "channelsFirst"] as const) {
      const config = { filters: 3, kernelSize, dilationRate, strides, padding: "causal", dataFormat };
      const inShape = dataFormat === "channelsLast" ? [9, 2] : [2, 9];
      cases.push({
        label: `[${inShape}] ${spec(config)}`,
        group: "conv1d causal vs TF.js pad + valid conv",
        inShape,
        method: "conv1d",
        config,
        oracle: (x, w) => {
          const xl = dataFormat === "channelsFirst" ? tfToChannelsLast(x) : x;
          const padded = tf.pad(xl, [
            [0, 0],
            [dilationRate * (kernelSize - 1), 0],
            [0, 0],
          ]) as tf.Tensor3D;
          const y = tf.add(tf.conv1d(padded, w[0] as tf.Tensor3D, strides, "valid", "NWC", dilationRate), w[1]);
          return dataFormat === "channelsFirst" ? tfToChannelsFirst(y) : y;
        },
        seed: seed++,
      });
    }
  }

  // TF.js divergence rule 3: TF.js ignores `groups`; the oracle convolves each
  // channel group with its slice of the kernel and concatenates.
  for (const [inShape, config] of [
    [[9, 4], { filters: 6, kernelSize: 3, groups: 2 }],
    [[10, 6], { filters: 3, kernelSize: 2, groups: 3, strides: 2, padding: "same" }],
    [[8, 4], { filters: 4, kernelSize: 3, groups: 4, dilationRate: 2, padding: "causal" }],
  ] as const) {
    const cfg = config as Record<string, unknown>;
    cases.push({
      label: `[${inShape}] ${spec(config)}`,
      group: "conv1d groups vs TF.js per group",
      inShape: [...inShape],
      method: "conv1d",
      config: cfg,
      oracle: (x, w) => {
        const d = (cfg.dilationRate as number) ?? 1;
        const causal = cfg.padding === "causal";
        const xin = causal
          ? tf.pad(x, [
              [0, 0],
              [d * ((cfg.kernelSize as number) - 1), 0],
              [0, 0],
            ])
          : x;
        return groupedConv(xin, w, 1, cfg.groups as number, (xg, kg) =>
          tf.conv1d(xg as tf.Tensor3D, kg as tf.Tensor3D, (cfg.strides as number) ?? 1, causal ? "valid" : ((cfg.padding as "same") ?? "valid"), "NWC", d),
        );
      },
      seed: seed++,
    });
  }
  it.each(cases.map((c) => [c.label, c] as const))("%s", (_label, c) => compareWithTfjs(c));

  it("TF.js divergence rules 1 and 2, shown: channelsFirst output left channels-last, causal sized as valid", () => {
    const first = tf.sequential({ layers: [tf.layers.conv1d({ inputShape: [3, 9], filters: 2, kernelSize: 3, dataFormat: "channelsFirst" })] });
    const causal = tf.sequential({ layers: [tf.layers.conv1d({ inputShape: [9, 3], filters: 2, kernelSize: 3, padding: "causal" })] });
    try {
      const y = tf.tidy(() => (first.predict(tf.ones([1, 3, 9])) as tf.Tensor).shape);
      expect(y).toEqual([1, 7, 2]);
      expect(call(looseInput([3, 9]), "conv1d", { filters: 2, kernelSize: 3, dataFormat: "channelsFirst" }).shape).toEqual([null, 2, 7]);
      expect(causal.outputs[0].shape).toEqual([null, 7, 2]);
      expect(call(looseInput([9, 3]), "conv1d", { filters: 2, kernelSize: 3, padding: "causal" }).shape).toEqual([null, 9, 2]);
    } finally {
      first.dispose();
      causal.dispose();
    }
  });
});

describe("conv2d groups and channelsFirst against TensorFlow.js", () => {
  const cases: OracleCase[] = [];
  let seed = 1000;
  for (const config of [
    { filters: 3, kernelSize: 3, dataFormat: "channelsFirst" },
    { filters: 4, kernelSize: [2, 3], strides: [2, 1], padding: "same", dataFormat: "channelsFirst" },
    { filters: 3, kernelSize: 3, dilationRate: 2, dataFormat: "channelsFirst", useBias: false },
    { filters: 4, kernelSize: 3, padding: "same", dataFormat: "channelsFirst", activation: "relu" },
    // Keras applies softmax to the last axis of the output, which is width here, not channels.
    { filters: 4, kernelSize: 3, padding: "same", dataFormat: "channelsFirst", activation: "softmax" },
  ]) {
    cases.push({
      label: `[2,7,6] ${spec(config)}`,
      group: "conv2d channelsFirst vs TF.js",
      inShape: [2, 7, 6],
      method: "conv2d",
      config,
      oracle: { layer: "conv2d", config },
      seed: seed++,
    });
  }
  // TF.js divergence rule 3 (groups ignored): per-group TF.js convolutions, concatenated.
  for (const [inShape, config] of [
    [[7, 6, 4], { filters: 6, kernelSize: 3, groups: 2 }],
    [[7, 6, 6], { filters: 9, kernelSize: [2, 3], groups: 3, strides: 2, padding: "same" }],
    [[8, 8, 4], { filters: 8, kernelSize: 3, groups: 4, dilationRate: [2, 1] }],
    [[6, 7, 4], { filters: 2, kernelSize: 1, groups: 2, activation: "tanh" }],
    [[4, 7, 6], { filters: 4, kernelSize: 3, groups: 2, padding: "same", dataFormat: "channelsFirst" }],
  ] as const) {
    const cfg = config as Record<string, unknown>;
    const first = cfg.dataFormat === "channelsFirst";
    cases.push({
      label: `[${inShape}] ${spec(config)}`,
      group: "conv2d groups vs TF.js per group",
      inShape: [...inShape],
      method: "conv2d",
      config: cfg,
      oracle: (x, w) => {
        const y = groupedConv(first ? tfToChannelsLast(x) : x, w, 2, cfg.groups as number, (xg, kg) =>
          tf.conv2d(
            xg as tf.Tensor4D,
            kg as tf.Tensor4D,
            (cfg.strides as [number, number]) ?? 1,
            (cfg.padding as "same") ?? "valid",
            "NHWC",
            (cfg.dilationRate as [number, number]) ?? 1,
          ),
        );
        const activated = TF_ACTIVATION[(cfg.activation as string) ?? "linear"](y);
        return first ? tfToChannelsFirst(activated) : activated;
      },
      seed: seed++,
    });
  }
  it.each(cases.map((c) => [c.label, c] as const))("%s", (_label, c) => compareWithTfjs(c));
});

/**
 * The zeros Keras puts before and after each axis for "same" padding
 * (reference §1.7): `total = max((ceil(L / s) - 1) * s + dk - L, 0)`, the
 * odd one after.
 */
function kerasSamePads(
  lengths: readonly number[],
  kernel: readonly number[],
  strides: readonly number[],
  dilation: readonly number[] = [1, 1, 1],
): [number, number][] {
  return lengths.map((length, i) => {
    const span = dilation[i] * (kernel[i] - 1) + 1;
    const total = Math.max((Math.ceil(length / strides[i]) - 1) * strides[i] + span - length, 0);
    return [Math.floor(total / 2), total - Math.floor(total / 2)];
  });
}

describe("conv3d against TensorFlow.js", () => {
  it('TF.js divergence rule 6: TF.js 3-D "same" padding goes negative where (out - 1) * s + k < L, Keras clamps it at 0', () => {
    // Depth 4, kernel 1, stride 2: TF.js pads -1 in front (it reads depth 1 and 3), Keras 0 (depth 0 and 2).
    const result = tf.tidy(() => {
      const x = tf.randomUniform([1, 4, 3, 3, 1], -1, 1, "float32", 5) as tf.Tensor5D;
      const k = tf.ones([1, 1, 1, 1, 1]) as tf.Tensor5D;
      const theirs = tf.conv3d(x, k, 2, "same").dataSync().slice();
      const keras = tf.conv3d(x, k, 2, "valid").dataSync().slice();
      return { theirs, keras };
    });
    expect(() => expectClose(result.theirs, result.keras, "TF.js same")).toThrow(/max difference/);
    const x = looseInput([4, 3, 3, 1]);
    const m = looseModel({ inputs: x, outputs: call(x, "conv3d", { filters: 1, kernelSize: 1, strides: 2, padding: "same", useBias: false }) });
    m.setWeights([{ shape: [1, 1, 1, 1, 1], data: Float32Array.of(1) }]);
    const data = tf.tidy(() => (tf.randomUniform([1, 4, 3, 3, 1], -1, 1, "float32", 5) as tf.Tensor).dataSync().slice());
    expectClose(run(m, { shape: [1, 4, 3, 3, 1], data: Float32Array.from(data) }).data, result.keras, "ours vs Keras geometry");
  });

  const cases: OracleCase[] = [];
  let seed = 2000;
  for (const config of [
    { filters: 3, kernelSize: 3 },
    { filters: 2, kernelSize: [2, 3, 1], strides: [1, 2, 3] },
    { filters: 2, kernelSize: 3, strides: 2, padding: "same" },
    { filters: 2, kernelSize: [2, 2, 3], padding: "same" },
    { filters: 3, kernelSize: 2, dilationRate: [2, 1, 2] },
    { filters: 3, kernelSize: 3, dilationRate: 2, padding: "same" },
    { filters: 2, kernelSize: 3, useBias: false, activation: "relu" },
  ]) {
    cases.push({
      label: `[5,6,7,2] ${spec(config)}`,
      group: "conv3d vs TF.js",
      inShape: [5, 6, 7, 2],
      method: "conv3d",
      config,
      oracle: { layer: "conv3d", config },
      seed: seed++,
    });
  }
  for (const config of [
    { filters: 2, kernelSize: 3, dataFormat: "channelsFirst" },
    { filters: 3, kernelSize: 2, strides: 2, padding: "same", dataFormat: "channelsFirst" },
  ]) {
    cases.push({
      label: `[2,5,6,7] ${spec(config)}`,
      group: "conv3d channelsFirst vs TF.js",
      inShape: [2, 5, 6, 7],
      method: "conv3d",
      config,
      oracle: { layer: "conv3d", config },
      seed: seed++,
    });
  }
  // TF.js divergence rule 3 (groups ignored): per-group TF.js convolutions,
  // concatenated. Rule 6 (3-D "same" padding can be negative in TF.js): the
  // oracle pads with the Keras amounts itself and convolves with "valid".
  for (const [inShape, config] of [
    [[4, 5, 6, 4], { filters: 6, kernelSize: 2, groups: 2 }],
    [[4, 5, 6, 6], { filters: 3, kernelSize: [1, 2, 3], groups: 3, strides: 2, padding: "same" }],
  ] as const) {
    const cfg = config as Record<string, unknown>;
    cases.push({
      label: `[${inShape}] ${spec(config)}`,
      group: "conv3d groups vs TF.js per group",
      inShape: [...inShape],
      method: "conv3d",
      config: cfg,
      oracle: (x, w) => {
        const k = cfg.kernelSize as number | number[];
        const st = (cfg.strides as number) ?? 1;
        const padded =
          cfg.padding === "same"
            ? tf.pad(x, [
                [0, 0],
                ...kerasSamePads(
                  inShape.slice(0, 3),
                  [0, 1, 2].map((i) => at(k, i)),
                  [st, st, st],
                ),
                [0, 0],
              ])
            : x;
        return groupedConv(padded, w, 3, cfg.groups as number, (xg, kg) => tf.conv3d(xg as tf.Tensor5D, kg as tf.Tensor5D, st, "valid"));
      },
      seed: seed++,
    });
  }
  it.each(cases.map((c) => [c.label, c] as const))("%s", (_label, c) => compareWithTfjs(c));
});

/**
 * The Keras 3 transposed convolution built from TF.js ops: the full
 * transposed output (`(L - 1) * s + dk` per axis, TF.js "valid" with an
 * explicit output shape, the kernel dilated by inserting zeros since TF.js
 * has no dilated transpose), cropped in front by `dk - 1 - left_pad` and cut
 * or zero-padded behind to the Keras length, where `left_pad` is the padding
 * Keras 3 hands JAX (`_convert_conv_transpose_padding_args_from_keras_to_jax`):
 * `dk - 1` for "valid"; `min(ceil(pad_len / 2), dk - 1)` for "same" with
 * `pad_len = s + dk - 2` (no outputPadding) or `dk + dk % 2 - 2 + op`.
 */
function kerasTranspose(x: tf.Tensor, w: tf.Tensor[], rank: 1 | 2 | 3, cfg: Record<string, unknown>): tf.Tensor {
  const k = (i: number) => at(cfg.kernelSize as number | number[], i);
  const s = (i: number) => at((cfg.strides as number | number[]) ?? 1, i);
  const d = (i: number) => at((cfg.dilationRate as number | number[]) ?? 1, i);
  const op = (i: number) => (cfg.outputPadding === undefined ? undefined : at(cfg.outputPadding as number | number[], i));
  const same = cfg.padding === "same";
  const axes = Array.from({ length: rank }, (_, i) => i);
  // Dilate the kernel [...k, F, C] with zeros between taps.
  let kernel = w[0];
  const kernelValues = kernel.arraySync();
  const spans = axes.map((i) => d(i) * (k(i) - 1) + 1);
  if (spans.some((sp, i) => sp !== k(i))) {
    const [f, c] = kernel.shape.slice(rank);
    const dilated = tf.buffer([...spans, f, c]);
    const walk = (v: unknown, idx: number[]): void => {
      if (idx.length === rank) {
        const m = v as number[][];
        for (let a = 0; a < f; a++) for (let b = 0; b < c; b++) dilated.set(m[a][b], ...idx.map((j, i) => j * d(i)), a, b);
        return;
      }
      (v as unknown[]).forEach((u, j) => walk(u, [...idx, j]));
    };
    walk(kernelValues, []);
    kernel = dilated.toTensor();
  }
  // Up to 3 spatial axes via conv3dTranspose / conv2dTranspose.
  const n = x.shape[0];
  const lengths = x.shape.slice(1, 1 + rank);
  const full = axes.map((i) => (lengths[i] - 1) * s(i) + spans[i]);
  const filters = kernel.shape[rank]!;
  let y: tf.Tensor;
  if (rank === 3) {
    y = tf.conv3dTranspose(x as tf.Tensor5D, kernel as tf.Tensor5D, [n, full[0], full[1], full[2], filters], [s(0), s(1), s(2)], "valid");
  } else {
    const x4 = (rank === 1 ? tf.expandDims(x, 1) : x) as tf.Tensor4D;
    const k4 = (rank === 1 ? tf.expandDims(kernel, 0) : kernel) as tf.Tensor4D;
    const f4: [number, number] = rank === 1 ? [1, full[0]] : [full[0], full[1]];
    const s4: [number, number] = rank === 1 ? [1, s(0)] : [s(0), s(1)];
    y = tf.conv2dTranspose(x4, k4, [n, f4[0], f4[1], filters], s4, "valid");
    if (rank === 1) y = tf.squeeze(y, [1]);
  }
  for (const i of axes) {
    const dk = spans[i];
    let leftPad: number;
    let length: number;
    if (!same) {
      leftPad = dk - 1;
      length = (lengths[i] - 1) * s(i) + dk + (op(i) ?? Math.max(dk, s(i)) - dk);
    } else {
      const padLen = op(i) === undefined ? s(i) + dk - 2 : dk + (dk % 2) - 2 + op(i)!;
      leftPad = Math.min(Math.floor(padLen / 2) + (padLen % 2), dk - 1);
      length = op(i) === undefined ? lengths[i] * s(i) : (lengths[i] - 1) * s(i) + (dk % 2) + op(i)!;
    }
    const crop = dk - 1 - leftPad;
    const available = full[i] - crop;
    const begin = new Array<number>(rank + 2).fill(0);
    const size = new Array<number>(rank + 2).fill(-1);
    begin[i + 1] = crop;
    size[i + 1] = Math.min(available, length);
    y = tf.slice(y, begin, size);
    if (length > available) {
      const pads = new Array(rank + 2).fill(0).map(() => [0, 0] as [number, number]);
      pads[i + 1] = [0, length - available];
      y = tf.pad(y, pads);
    }
  }
  return w.length > 1 ? tf.add(y, w[1]) : y;
}

describe("transposed convolutions against TensorFlow.js", () => {
  const cases: OracleCase[] = [];
  let seed = 3000;
  // conv2dTranspose as a TF.js layer: kernel sizes, strides, both paddings, channelsFirst.
  for (const inShape of [
    [4, 5, 2],
    [3, 3, 3],
  ]) {
    for (const kernelSize of [1, 2, 3, 4, [2, 3]]) {
      for (const strides of [1, 2, 3, [2, 1]]) {
        for (const padding of ["valid", "same"]) {
          const config = { filters: 3, kernelSize, strides, padding };
          cases.push({
            label: `conv2dTranspose [${inShape}] ${spec(config)}`,
            group: "conv2dTranspose vs TF.js",
            inShape,
            method: "conv2dTranspose",
            config,
            oracle: { layer: "conv2dTranspose", config },
            seed: seed++,
          });
        }
      }
    }
  }
  for (const config of [
    { filters: 2, kernelSize: 3, strides: 2, dataFormat: "channelsFirst" },
    { filters: 3, kernelSize: [3, 2], strides: 2, padding: "same", dataFormat: "channelsFirst", activation: "relu" },
    { filters: 2, kernelSize: 3, useBias: false },
  ]) {
    const inShape = config.dataFormat === "channelsFirst" ? [2, 4, 5] : [4, 5, 2];
    cases.push({
      label: `conv2dTranspose [${inShape}] ${spec(config)}`,
      group: "conv2dTranspose vs TF.js",
      inShape,
      method: "conv2dTranspose",
      config,
      oracle: { layer: "conv2dTranspose", config },
      seed: seed++,
    });
  }
  // conv3dTranspose as a TF.js layer.
  for (const config of [
    { filters: 2, kernelSize: 3, strides: 2 },
    { filters: 2, kernelSize: 2, strides: 3, padding: "valid" },
    { filters: 2, kernelSize: 3, strides: 2, padding: "same", dataFormat: "channelsFirst" },
  ]) {
    const inShape = config.dataFormat === "channelsFirst" ? [2, 3, 4, 3] : [3, 4, 3, 2];
    cases.push({
      label: `conv3dTranspose [${inShape}] ${spec(config)}`,
      group: "conv3dTranspose vs TF.js",
      inShape,
      method: "conv3dTranspose",
      config,
      oracle: { layer: "conv3dTranspose", config },
      seed: seed++,
    });
  }
  // TF.js divergence rule 4: TF.js has no Conv1DTranspose layer, and its
  // transposed convolutions ignore `outputPadding` and `dilationRate` (a
  // wrong output size, reference §1.5). These cases use `kerasTranspose`:
  // TF.js ops arranged as Keras 3 pads them.
  const handBuilt: [1 | 2 | 3, string, number[], Record<string, unknown>][] = [
    [1, "conv1dTranspose", [5, 3], { filters: 2, kernelSize: 3 }],
    [1, "conv1dTranspose", [5, 3], { filters: 2, kernelSize: 3, strides: 2, padding: "same" }],
    [1, "conv1dTranspose", [5, 3], { filters: 2, kernelSize: 4, strides: 3 }],
    [1, "conv1dTranspose", [5, 3], { filters: 2, kernelSize: 2, strides: 3, padding: "same" }],
    [1, "conv1dTranspose", [5, 3], { filters: 2, kernelSize: 3, strides: 2, outputPadding: 1 }],
    [1, "conv1dTranspose", [5, 3], { filters: 2, kernelSize: 4, strides: 3, padding: "same", outputPadding: 2 }],
    [1, "conv1dTranspose", [5, 3], { filters: 2, kernelSize: 3, dilationRate: 2 }],
    [1, "conv1dTranspose", [5, 3], { filters: 2, kernelSize: 2, dilationRate: 3, padding: "same" }],
    [2, "conv2dTranspose", [4, 5, 2], { filters: 3, kernelSize: 3, strides: 2, outputPadding: 1 }],
    [2, "conv2dTranspose", [4, 5, 2], { filters: 3, kernelSize: 3, strides: 2, padding: "same", outputPadding: 1 }],
    [2, "conv2dTranspose", [4, 5, 2], { filters: 3, kernelSize: 4, strides: 2, padding: "same", outputPadding: 0 }],
    [2, "conv2dTranspose", [4, 5, 2], { filters: 3, kernelSize: [2, 3], strides: [3, 2], outputPadding: [2, 0] }],
    [2, "conv2dTranspose", [4, 5, 2], { filters: 3, kernelSize: [3, 4], strides: [2, 3], padding: "same", outputPadding: [0, 2] }],
    [2, "conv2dTranspose", [4, 5, 2], { filters: 3, kernelSize: 3, dilationRate: 2 }],
    [2, "conv2dTranspose", [4, 5, 2], { filters: 3, kernelSize: [2, 3], dilationRate: [3, 2], padding: "same" }],
    [2, "conv2dTranspose", [4, 5, 2], { filters: 3, kernelSize: 3, dilationRate: 2, padding: "same", outputPadding: 0 }],
    [3, "conv3dTranspose", [3, 4, 3, 2], { filters: 2, kernelSize: 3, strides: 2, outputPadding: 1 }],
    [3, "conv3dTranspose", [3, 4, 3, 2], { filters: 2, kernelSize: [2, 3, 4], strides: [2, 2, 3], padding: "same", outputPadding: [1, 0, 2] }],
    [3, "conv3dTranspose", [3, 4, 3, 2], { filters: 2, kernelSize: 2, dilationRate: [1, 2, 3], padding: "same" }],
    // TF.js divergence rule 6 again: TF.js computes this transpose (the
    // gradient of a 3-D "same" convolution whose padding it lets go
    // negative on the width axis) off by one position.
    [3, "conv3dTranspose", [3, 4, 3, 2], { filters: 3, kernelSize: [2, 3, 1], strides: [1, 2, 2], padding: "same" }],
  ];
  for (const [rank, method, inShape, config] of handBuilt) {
    cases.push({
      label: `${method} [${inShape}] ${spec(config)}`,
      group: `${method} vs TF.js ops (Keras padding)`,
      inShape,
      method,
      config,
      oracle: (x, w) => kerasTranspose(x, w, rank, config),
      seed: seed++,
    });
  }
  it.each(cases.map((c) => [c.label, c] as const))("%s", (_label, c) => compareWithTfjs(c));

  it("the hand-built oracle agrees with the TF.js layer where both apply, and catches a wrong crop", () => {
    const config = { filters: 3, kernelSize: 4, strides: 2, padding: "same" };
    compareWithTfjs({
      label: "oracle check",
      group: "oracle self-check",
      inShape: [4, 5, 2],
      method: "conv2dTranspose",
      config,
      oracle: (x, w) => kerasTranspose(x, w, 2, config),
      seed: 1,
    });
    // Cropping one position fewer (a "same" transpose treated as left-aligned) must fail.
    const wrong = { filters: 3, kernelSize: 4, strides: 2, padding: "valid" };
    expect(() =>
      compareWithTfjs({
        label: "wrong crop",
        group: "deliberately wrong oracle (must fail)",
        inShape: [4, 5, 2],
        method: "conv2dTranspose",
        config,
        oracle: (x, w) => tf.slice(kerasTranspose(x, w, 2, wrong), [0, 0, 0, 0], [-1, 8, 10, -1]),
        seed: 1,
      }),
    ).toThrow(/max difference/);
  });
});

describe("depthwise and separable convolutions against TensorFlow.js", () => {
  const cases: OracleCase[] = [];
  let seed = 4000;
  for (const inShape of [
    [7, 6, 2],
    [5, 8, 3],
  ]) {
    for (const [kernelSize, strides, dilationRate] of [
      [3, 1, 1],
      [[2, 3], 2, 1],
      [3, [1, 2], 1],
      [2, 1, 2],
      [[3, 2], 1, [1, 2]],
    ] as const) {
      for (const padding of ["valid", "same"]) {
        for (const depthMultiplier of [1, 2]) {
          const dw = defined({ kernelSize, strides, dilationRate, padding, depthMultiplier });
          const dilated = dilationRate !== 1;
          cases.push({
            label: `depthwiseConv2d [${inShape}] ${spec(dw)}`,
            group: dilated ? "depthwiseConv2d dilated vs TF.js op" : "depthwiseConv2d vs TF.js",
            inShape,
            method: "depthwiseConv2d",
            config: dw,
            // TF.js divergence rule 7: the TF.js DepthwiseConv2D layer drops
            // dilationRate (in its output shape and its call); the TF.js op takes it.
            oracle: dilated
              ? (x, w) =>
                  tf.add(
                    tf.depthwiseConv2d(
                      x as tf.Tensor4D,
                      w[0] as tf.Tensor4D,
                      strides as unknown as [number, number],
                      padding as "same",
                      "NHWC",
                      dilationRate as unknown as [number, number],
                    ),
                    w[1],
                  )
              : { layer: "depthwiseConv2d", config: dw },
            seed: seed++,
          });
          const sep = { filters: 4, ...dw };
          cases.push({
            label: `separableConv2d [${inShape}] ${spec(sep)}`,
            group: "separableConv2d vs TF.js",
            inShape,
            method: "separableConv2d",
            config: sep,
            oracle: { layer: "separableConv2d", config: sep },
            seed: seed++,
          });
        }
      }
    }
  }
  for (const config of [
    { kernelSize: 3, dataFormat: "channelsFirst" },
    { kernelSize: 2, strides: 2, padding: "same", depthMultiplier: 3, dataFormat: "channelsFirst", activation: "relu" },
    { kernelSize: 3, useBias: false, activation: "tanh" },
  ]) {
    const inShape = config.dataFormat === "channelsFirst" ? [2, 7, 6] : [7, 6, 2];
    cases.push({
      label: `depthwiseConv2d [${inShape}] ${spec(config)}`,
      group: "depthwiseConv2d vs TF.js",
      inShape,
      method: "depthwiseConv2d",
      config,
      oracle: { layer: "depthwiseConv2d", config },
      seed: seed++,
    });
    const sep: Record<string, unknown> = { filters: 3, ...config };
    const first = sep.dataFormat === "channelsFirst";
    cases.push({
      label: `separableConv2d [${inShape}] ${spec(sep)}`,
      group: first ? "separableConv2d channelsFirst vs TF.js op (transposed)" : "separableConv2d vs TF.js",
      inShape,
      method: "separableConv2d",
      config: sep,
      // TF.js divergence rule 8: the TF.js SeparableConv2D layer computes
      // channelsFirst input in NHWC, then adds the bias as if NCHW (a
      // broadcast error); the oracle runs the TF.js op on transposed data.
      oracle: first
        ? (x, w) => {
            const y = tf.separableConv2d(
              tfToChannelsLast(x) as tf.Tensor4D,
              w[0] as tf.Tensor4D,
              w[1] as tf.Tensor4D,
              (sep.strides as number) ?? 1,
              (sep.padding as "same") ?? "valid",
            );
            return tfToChannelsFirst(TF_ACTIVATION[(sep.activation as string) ?? "linear"](w.length > 2 ? tf.add(y, w[2]) : y));
          }
        : { layer: "separableConv2d", config: sep },
      seed: seed++,
    });
  }
  // TF.js divergence rule 5: TF.js has no DepthwiseConv1D or SeparableConv1D
  // layer; the oracle runs the 2-D TF.js ops on a height-1 image (which is
  // how Keras 3 computes them too).
  for (const inShape of [
    [9, 2],
    [8, 3],
  ]) {
    for (const [kernelSize, strides, dilationRate, padding, depthMultiplier] of [
      [3, 1, 1, "valid", 1],
      [3, 2, 1, "same", 2],
      [[2], 1, 3, "valid", 2],
      [4, 3, 1, "same", 1],
      [2, 1, [2], "same", 3],
    ] as const) {
      const dw = { kernelSize, strides, dilationRate, padding, depthMultiplier };
      const s: [number, number] = [1, at(strides as number, 0)];
      const d: [number, number] = [1, at(dilationRate as number | number[], 0)];
      cases.push({
        label: `depthwiseConv1d [${inShape}] ${spec(dw)}`,
        group: "depthwiseConv1d vs TF.js 2-D ops",
        inShape,
        method: "depthwiseConv1d",
        config: dw,
        oracle: (x, w) =>
          tf.add(tf.squeeze(tf.depthwiseConv2d(tf.expandDims(x, 1) as tf.Tensor4D, tf.expandDims(w[0], 0) as tf.Tensor4D, s, padding, "NHWC", d), [1]), w[1]),
        seed: seed++,
      });
      const sep = { filters: 4, ...dw };
      cases.push({
        label: `separableConv1d [${inShape}] ${spec(sep)}`,
        group: "separableConv1d vs TF.js 2-D ops",
        inShape,
        method: "separableConv1d",
        config: sep,
        oracle: (x, w) =>
          tf.add(
            tf.squeeze(
              tf.separableConv2d(
                tf.expandDims(x, 1) as tf.Tensor4D,
                tf.expandDims(w[0], 0) as tf.Tensor4D,
                tf.expandDims(w[1], 0) as tf.Tensor4D,
                s,
                padding,
                d,
              ),
              [1],
            ),
            w[2],
          ),
        seed: seed++,
      });
    }
  }
  for (const [method, config] of [
    ["depthwiseConv1d", { kernelSize: 3, dataFormat: "channelsFirst", depthMultiplier: 2 }],
    ["separableConv1d", { filters: 3, kernelSize: 3, padding: "same", dataFormat: "channelsFirst", activation: "relu" }],
  ] as const) {
    const cfg = config as Record<string, unknown>;
    cases.push({
      label: `${method} [2,9] ${spec(config)}`,
      group: `${method} channelsFirst vs TF.js 2-D ops`,
      inShape: [2, 9],
      method,
      config: cfg,
      oracle: (x, w) => {
        const x4 = tf.expandDims(tfToChannelsLast(x), 1) as tf.Tensor4D;
        const pad = (cfg.padding as "same") ?? "valid";
        const y =
          method === "depthwiseConv1d"
            ? tf.add(tf.depthwiseConv2d(x4, tf.expandDims(w[0], 0) as tf.Tensor4D, 1, pad), w[1])
            : tf.add(tf.separableConv2d(x4, tf.expandDims(w[0], 0) as tf.Tensor4D, tf.expandDims(w[1], 0) as tf.Tensor4D, 1, pad), w[2]);
        return tfToChannelsFirst(TF_ACTIVATION[(cfg.activation as string) ?? "linear"](tf.squeeze(y, [1])));
      },
      seed: seed++,
    });
  }
  it.each(cases.map((c) => [c.label, c] as const))("%s", (_label, c) => compareWithTfjs(c));

  it("TF.js divergence rule 7, shown: the DepthwiseConv2D layer sizes a dilated window as undilated", () => {
    const layer = tf.sequential({ layers: [tf.layers.depthwiseConv2d({ inputShape: [7, 6, 2], kernelSize: 2, dilationRate: 2 })] });
    try {
      expect(layer.outputs[0].shape).toEqual([null, 6, 5, 2]);
      expect(call(looseInput([7, 6, 2]), "depthwiseConv2d", { kernelSize: 2, dilationRate: 2 }).shape).toEqual([null, 5, 4, 2]);
    } finally {
      layer.dispose();
    }
  });
});

// ---------------------------------------------------------------------------
// Shapes
// ---------------------------------------------------------------------------

describe("output sizes", () => {
  it("channelsFirst gives the channels-last result with the channel axis moved", () => {
    const methods: [string, number[], Record<string, unknown>][] = [
      ["conv1d", [11, 3], { filters: 4, kernelSize: 3, strides: 2 }],
      ["conv2d", [9, 8, 3], { filters: 4, kernelSize: [3, 2], padding: "same", strides: 2 }],
      ["conv3d", [5, 6, 7, 3], { filters: 4, kernelSize: 2 }],
      ["conv1dTranspose", [5, 3], { filters: 4, kernelSize: 3, strides: 2, outputPadding: 1 }],
      ["conv2dTranspose", [5, 4, 3], { filters: 4, kernelSize: 3, strides: 2, padding: "same" }],
      ["conv3dTranspose", [2, 3, 4, 3], { filters: 4, kernelSize: 2, strides: 2 }],
      ["depthwiseConv1d", [9, 3], { kernelSize: 3, depthMultiplier: 2 }],
      ["depthwiseConv2d", [9, 8, 3], { kernelSize: 3, depthMultiplier: 2 }],
      ["separableConv1d", [9, 3], { filters: 4, kernelSize: 3 }],
      ["separableConv2d", [9, 8, 3], { filters: 4, kernelSize: 3, padding: "same" }],
    ];
    for (const [method, shape, config] of methods) {
      const last = call(looseInput(shape), method, config).shape;
      const firstShape = [shape[shape.length - 1], ...shape.slice(0, -1)];
      const xf = looseInput(firstShape);
      const yf = call(xf, method, { ...config, dataFormat: "channelsFirst" });
      expect(yf.shape, method).toEqual([null, last[last.length - 1], ...last.slice(1, -1)]);
      // And the values are the channels-last values transposed, with the same weights.
      const xl = looseInput(shape);
      const ml = looseModel({ inputs: xl, outputs: call(xl, method, config), seed: 3 });
      const mf = looseModel({ inputs: xf, outputs: yf, seed: 3 });
      mf.setWeights(ml.getWeights());
      const data = randomTensor([2, ...shape], createRandom(9));
      const yl = run(ml, data);
      const tl = tf.tidy(() =>
        tfToChannelsFirst(tf.tensor(yl.data, yl.shape as number[]))
          .dataSync()
          .slice(),
      );
      const tIn = tf.tidy(() =>
        tfToChannelsFirst(tf.tensor(data.data, data.shape as number[]))
          .dataSync()
          .slice(),
      );
      expectClose(run(mf, { shape: [2, ...firstShape], data: Float32Array.from(tIn) }).data, tl, `${method} channelsFirst`, "channelsFirst vs channelsLast");
    }
  });

  it("the transposed sizes of reference §1.3", () => {
    const x = looseInput([8, 8, 4]);
    const size = (c: Record<string, unknown>) => call(x, "conv2dTranspose", { filters: 16, ...c }).shape[1];
    expect([
      size({ kernelSize: 3 }),
      size({ kernelSize: 3, strides: 2 }),
      size({ kernelSize: 3, strides: 2, padding: "same" }),
      size({ kernelSize: 2, strides: 3 }),
      size({ kernelSize: 3, strides: 2, outputPadding: 1 }),
      size({ kernelSize: 3, strides: 2, padding: "same", outputPadding: 1 }),
      size({ kernelSize: 4, strides: 2, padding: "same", outputPadding: 0 }),
    ]).toEqual([10, 17, 16, 24, 18, 16, 14]);
  });

  it("unknown sizes stay unknown; a concrete batch is checked again at predict", () => {
    const x = looseInput([null, 3]);
    const y = call(x, "conv1d", { filters: 2, kernelSize: 4 });
    expect(y.shape).toEqual([null, null, 2]);
    const m = looseModel({ inputs: x, outputs: y });
    expect(run(m, tensor([1, 6, 3])).shape).toEqual([1, 3, 2]);
    expect(() => run(m, tensor([1, 3, 3]))).toThrow("shapewise: conv1d kernelSize 4 is larger than input steps 3 with padding 'valid'");
    const t = looseInput([null, null, 2]);
    expect(call(t, "conv2dTranspose", { filters: 3, kernelSize: 3, strides: 2 }).shape).toEqual([null, null, null, 3]);
  });

  it("random valid configs: every size at least 1, and the forward pass gives the computed shape", () => {
    const methods = [
      "conv1d",
      "conv2d",
      "conv3d",
      "conv1dTranspose",
      "conv2dTranspose",
      "conv3dTranspose",
      "depthwiseConv1d",
      "depthwiseConv2d",
      "separableConv1d",
      "separableConv2d",
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...methods),
        fc.integer({ min: 1, max: 3 }),
        fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 3, maxLength: 3 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 3 }),
        fc.constantFrom("valid", "same", "causal"),
        fc.boolean(),
        fc.integer({ min: 0, max: 2 }),
        fc.integer({ min: 1, max: 2 }),
        (method, channelsPerGroup, sizes, kernel, stride, dilation, padding, first, op, groups) => {
          clearSession();
          const rank = method.includes("1d") ? 1 : method.includes("2d") ? 2 : 3;
          const transpose = method.endsWith("Transpose");
          const channels = channelsPerGroup * (method.startsWith("conv") && !transpose ? groups : 1);
          const spatial = sizes.slice(0, rank);
          const shape = first ? [channels, ...spatial] : [...spatial, channels];
          const config: Record<string, unknown> = {
            kernelSize: kernel,
            strides: stride,
            dilationRate: stride > 1 ? 1 : dilation,
            padding: padding === "causal" && method !== "conv1d" ? "same" : padding,
            dataFormat: first ? "channelsFirst" : "channelsLast",
          };
          if (!method.startsWith("depthwise")) config.filters = 2 * groups;
          else config.depthMultiplier = groups;
          if (method.startsWith("conv") && !transpose) config.groups = groups;
          if (transpose && op < stride) config.outputPadding = op;
          const x = looseInput(shape);
          let y: Loose;
          try {
            y = call(x, method, config);
          } catch (e) {
            expect(e).toBeInstanceOf(ShapeError);
            expect((e as Error).message).toMatch(/is larger than input|spans \d+, larger than input|gives output \w+ 0/);
            return;
          }
          for (const d of y.shape.slice(1)) expect(Number.isSafeInteger(d) && (d as number) >= 1).toBe(true);
          const m = looseModel({ inputs: x, outputs: y, seed: 1 });
          const out = run(m, randomTensor([2, ...shape], createRandom(2)));
          expect(out.shape).toEqual([2, ...y.shape.slice(1)]);
          expect(out.data.every(Number.isFinite)).toBe(true);
        },
      ),
      { seed: 20261201, numRuns: 300 },
    );
  });
});

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

describe("invalid configs give the exact ShapeError sentence", () => {
  const seq = (): Loose => looseInput([10, 4]);
  const image = (): Loose => looseInput([8, 8, 4]);
  const volume = (): Loose => looseInput([6, 6, 6, 4]);
  const cases: [string, () => unknown, string][] = [
    // Sizes and counts: 0, negative, fractional, too large, null, wrong length.
    ["conv1d filters 0", () => call(seq(), "conv1d", { filters: 0, kernelSize: 3 }), "shapewise: conv1d filters must be a positive integer, got 0"],
    ["conv1d filters null", () => call(seq(), "conv1d", { filters: null, kernelSize: 3 }), "shapewise: conv1d filters must be a positive integer, got null"],
    [
      "conv1d kernelSize -1",
      () => call(seq(), "conv1d", { filters: 2, kernelSize: -1 }),
      "shapewise: conv1d kernelSize must be a positive integer or a one-element tuple of it, got -1",
    ],
    [
      "conv1d kernelSize pair",
      () => call(seq(), "conv1d", { filters: 2, kernelSize: [3, 3] }),
      "shapewise: conv1d kernelSize must be a positive integer or a one-element tuple of it, got [3, 3]",
    ],
    [
      "conv1d strides 1.5",
      () => call(seq(), "conv1d", { filters: 2, kernelSize: 3, strides: 1.5 }),
      "shapewise: conv1d strides must be a positive integer or a one-element tuple of it, got 1.5",
    ],
    [
      "conv1d dilationRate 2^60",
      () => call(seq(), "conv1d", { filters: 2, kernelSize: 3, dilationRate: 2 ** 60 }),
      "shapewise: conv1d dilationRate must be a positive integer or a one-element tuple of it, got 1152921504606847000",
    ],
    [
      "conv3d kernelSize pair",
      () => call(volume(), "conv3d", { filters: 2, kernelSize: [3, 3] }),
      "shapewise: conv3d kernelSize must be a positive integer or a triple of them, got [3, 3]",
    ],
    [
      "conv3d strides with 0",
      () => call(volume(), "conv3d", { filters: 2, kernelSize: 3, strides: [1, 0, 1] }),
      "shapewise: conv3d strides must be a positive integer or a triple of them, got [1, 0, 1]",
    ],
    [
      "conv2dTranspose filters 2.5",
      () => call(image(), "conv2dTranspose", { filters: 2.5, kernelSize: 3 }),
      "shapewise: conv2dTranspose filters must be a positive integer, got 2.5",
    ],
    [
      "separableConv2d depthMultiplier 0",
      () => call(image(), "separableConv2d", { filters: 2, kernelSize: 3, depthMultiplier: 0 }),
      "shapewise: separableConv2d depthMultiplier must be a positive integer, got 0",
    ],
    [
      "depthwiseConv1d depthMultiplier -2",
      () => call(seq(), "depthwiseConv1d", { kernelSize: 3, depthMultiplier: -2 }),
      "shapewise: depthwiseConv1d depthMultiplier must be a positive integer, got -2",
    ],
    [
      "depthwiseConv2d kernelSize missing",
      () => call(image(), "depthwiseConv2d", {}),
      "shapewise: depthwiseConv2d kernelSize must be a positive integer or a pair of them, got undefined",
    ],
    // Windows.
    [
      "conv1d window larger",
      () => call(seq(), "conv1d", { filters: 2, kernelSize: 11 }),
      "shapewise: conv1d kernelSize 11 is larger than input steps 10 with padding 'valid'",
    ],
    [
      "conv1d dilated window larger",
      () => call(seq(), "conv1d", { filters: 2, kernelSize: 4, dilationRate: 4 }),
      "shapewise: conv1d kernelSize 4 with dilationRate 4 spans 13, larger than input steps 10 with padding 'valid'",
    ],
    [
      "conv3d depth larger",
      () => call(looseInput([2, 6, 6, 1]), "conv3d", { filters: 2, kernelSize: 3 }),
      "shapewise: conv3d kernelSize 3 is larger than input depth 2 with padding 'valid'",
    ],
    [
      "conv3d width larger",
      () => call(volume(), "conv3d", { filters: 2, kernelSize: [1, 1, 7] }),
      "shapewise: conv3d kernelSize 7 is larger than input width 6 with padding 'valid'",
    ],
    [
      "depthwiseConv2d channelsFirst width larger",
      () => call(looseInput([4, 8, 3]), "depthwiseConv2d", { kernelSize: 4, dataFormat: "channelsFirst" }),
      "shapewise: depthwiseConv2d kernelSize 4 is larger than input width 3 with padding 'valid'",
    ],
    [
      "separableConv1d window larger",
      () => call(seq(), "separableConv1d", { filters: 2, kernelSize: 12 }),
      "shapewise: separableConv1d kernelSize 12 is larger than input steps 10 with padding 'valid'",
    ],
    // Strides with dilation.
    [
      "conv1d strides and dilation",
      () => call(seq(), "conv1d", { filters: 2, kernelSize: 3, strides: 2, dilationRate: [2] }),
      "shapewise: conv1d strides 2 and dilationRate [2] cannot both exceed 1",
    ],
    [
      "conv2dTranspose strides and dilation",
      () => call(image(), "conv2dTranspose", { filters: 2, kernelSize: 3, strides: [1, 2], dilationRate: 2 }),
      "shapewise: conv2dTranspose strides [1, 2] and dilationRate 2 cannot both exceed 1",
    ],
    [
      "depthwiseConv2d strides and dilation",
      () => call(image(), "depthwiseConv2d", { kernelSize: 2, strides: 2, dilationRate: 2 }),
      "shapewise: depthwiseConv2d strides 2 and dilationRate 2 cannot both exceed 1",
    ],
    // Groups.
    ["conv2d groups 0", () => call(image(), "conv2d", { filters: 4, kernelSize: 3, groups: 0 }), "shapewise: conv2d groups must be a positive integer, got 0"],
    [
      "conv2d groups not dividing filters",
      () => call(image(), "conv2d", { filters: 6, kernelSize: 3, groups: 4 }),
      "shapewise: conv2d filters 6 must be divisible by groups 4",
    ],
    [
      "conv1d groups not dividing channels",
      () => call(seq(), "conv1d", { filters: 6, kernelSize: 3, groups: 3 }),
      "shapewise: conv1d input channels 4 must be divisible by groups 3",
    ],
    [
      "conv3d groups 1.5",
      () => call(volume(), "conv3d", { filters: 6, kernelSize: 3, groups: 1.5 }),
      "shapewise: conv3d groups must be a positive integer, got 1.5",
    ],
    // outputPadding.
    [
      "conv2dTranspose outputPadding >= strides",
      () => call(image(), "conv2dTranspose", { filters: 2, kernelSize: 3, strides: 2, outputPadding: [1, 2] }),
      "shapewise: conv2dTranspose outputPadding [1, 2] must be less than strides 2 on each axis",
    ],
    [
      "conv1dTranspose outputPadding without strides",
      () => call(seq(), "conv1dTranspose", { filters: 2, kernelSize: 3, outputPadding: 1 }),
      "shapewise: conv1dTranspose outputPadding 1 must be less than strides 1 on each axis",
    ],
    [
      "conv1dTranspose outputPadding -1",
      () => call(seq(), "conv1dTranspose", { filters: 2, kernelSize: 3, outputPadding: -1 }),
      "shapewise: conv1dTranspose outputPadding must be a non-negative integer or a one-element tuple of it, got -1",
    ],
    [
      "conv3dTranspose outputPadding pair",
      () => call(volume(), "conv3dTranspose", { filters: 2, kernelSize: 3, strides: 2, outputPadding: [1, 1] }),
      "shapewise: conv3dTranspose outputPadding must be a non-negative integer or a triple of them, got [1, 1]",
    ],
    [
      "conv2dTranspose zero output",
      () => call(looseInput([1, 5, 2]), "conv2dTranspose", { filters: 2, kernelSize: 2, strides: 2, padding: "same", outputPadding: 0 }),
      "shapewise: conv2dTranspose outputPadding 0 gives output height 0 for input height 1 with padding 'same' and the even kernel span 2",
    ],
    // Causal padding outside conv1d.
    [
      "conv2d causal",
      () => call(image(), "conv2d", { filters: 2, kernelSize: 3, padding: "causal" }),
      "shapewise: conv2d padding 'causal' is only supported by conv1d",
    ],
    [
      "conv3d causal",
      () => call(volume(), "conv3d", { filters: 2, kernelSize: 3, padding: "causal" }),
      "shapewise: conv3d padding 'causal' is only supported by conv1d",
    ],
    [
      "separableConv1d causal",
      () => call(seq(), "separableConv1d", { filters: 2, kernelSize: 3, padding: "causal" }),
      "shapewise: separableConv1d padding 'causal' is only supported by conv1d",
    ],
    [
      "conv1dTranspose causal",
      () => call(seq(), "conv1dTranspose", { filters: 2, kernelSize: 3, padding: "causal" }),
      "shapewise: conv1dTranspose padding 'causal' is only supported by conv1d",
    ],
    // Unknown strings.
    [
      "conv1d padding 'full'",
      () => call(seq(), "conv1d", { filters: 2, kernelSize: 3, padding: "full" }),
      "shapewise: conv1d padding must be one of 'valid', 'same', 'causal', got 'full'",
    ],
    [
      "conv2d padding 'full'",
      () => call(image(), "conv2d", { filters: 2, kernelSize: 3, padding: "full" }),
      "shapewise: conv2d padding must be one of 'valid', 'same', got 'full'",
    ],
    [
      "conv2d dataFormat",
      () => call(image(), "conv2d", { filters: 2, kernelSize: 3, dataFormat: "channels_first" }),
      "shapewise: conv2d dataFormat must be one of 'channelsLast', 'channelsFirst', got 'channels_first'",
    ],
    // Ranks and channels.
    [
      "conv1d on an image",
      () => call(image(), "conv1d", { filters: 2, kernelSize: 3 }),
      "shapewise: conv1d expects input of rank 3 [batch, steps, channels], got rank 4 [null, 8, 8, 4]",
    ],
    [
      "conv3d on an image",
      () => call(image(), "conv3d", { filters: 2, kernelSize: 3 }),
      "shapewise: conv3d expects input of rank 5 [batch, depth, height, width, channels], got rank 4 [null, 8, 8, 4]",
    ],
    [
      "conv2d channelsFirst on a sequence",
      () => call(seq(), "conv2d", { filters: 2, kernelSize: 3, dataFormat: "channelsFirst" }),
      "shapewise: conv2d expects input of rank 4 [batch, channels, height, width], got rank 3 [null, 10, 4]",
    ],
    [
      "depthwiseConv1d unknown channels",
      () => call(looseInput([10, null]), "depthwiseConv1d", { kernelSize: 3 }),
      "shapewise: depthwiseConv1d needs a known last dimension to size its weights, got [null, 10, null]",
    ],
    [
      "conv2d channelsFirst unknown channels",
      () => call(looseInput([null, 8, 8]), "conv2d", { filters: 2, kernelSize: 3, dataFormat: "channelsFirst" }),
      "shapewise: conv2d needs a known channel dimension (axis 1 with dataFormat 'channelsFirst') to size its weights, got [null, null, 8, 8]",
    ],
    // Unknown options.
    [
      "conv1d unknown option",
      () => call(seq(), "conv1d", { filters: 2, kernelSize: 3, kernel_size: 3 }),
      "shapewise: conv1d has no option 'kernel_size' (options: filters, kernelSize, strides, padding, dataFormat, dilationRate, groups, activation, useBias, kernelRegularizer, biasRegularizer, activityRegularizer, name)",
    ],
    [
      "depthwiseConv2d filters",
      () => call(image(), "depthwiseConv2d", { filters: 2, kernelSize: 3 }),
      "shapewise: depthwiseConv2d has no option 'filters' (options: kernelSize, strides, padding, depthMultiplier, dataFormat, dilationRate, activation, useBias, depthwiseRegularizer, biasRegularizer, activityRegularizer, name)",
    ],
    [
      "conv2dTranspose groups",
      () => call(image(), "conv2dTranspose", { filters: 2, kernelSize: 3, groups: 2 }),
      "shapewise: conv2dTranspose has no option 'groups' (options: filters, kernelSize, strides, padding, outputPadding, dataFormat, dilationRate, activation, useBias, kernelRegularizer, biasRegularizer, activityRegularizer, name)",
    ],
    [
      "separableConv2d outputPadding",
      () => call(image(), "separableConv2d", { filters: 2, kernelSize: 3, outputPadding: 1 }),
      "shapewise: separableConv2d has no option 'outputPadding' (options: filters, kernelSize, strides, padding, depthMultiplier, dataFormat, dilationRate, activation, useBias, depthwiseRegularizer, pointwiseRegularizer, biasRegularizer, activityRegularizer, name)",
    ],
    ["conv3d config null", () => call(volume(), "conv3d", null), "shapewise: conv3d expects a config object, got null"],
  ];

  it.each(cases)("%s", (_label, build, message) => {
    expect(build).toThrow(ShapeError);
    let error: unknown;
    try {
      build();
    } catch (e) {
      error = e;
    }
    expect((error as Error).message).toBe(message);
  });

  it("the first broken rule is reported, in the type-level order", () => {
    // Wrong rank before causal, causal before filters, filters before groups, groups before windows.
    expect(() => call(seq(), "conv2d", { filters: 0, kernelSize: 30, padding: "causal" })).toThrow("shapewise: conv2d expects input of rank 4");
    expect(() => call(image(), "conv2d", { filters: 0, kernelSize: 30, padding: "causal" })).toThrow(
      "shapewise: conv2d padding 'causal' is only supported by conv1d",
    );
    expect(() => call(image(), "conv2d", { filters: 0, kernelSize: 30, groups: 3 })).toThrow("shapewise: conv2d filters must be a positive integer, got 0");
    expect(() => call(image(), "conv2d", { filters: 3, kernelSize: 30, groups: 3 })).toThrow(
      "shapewise: conv2d input channels 4 must be divisible by groups 3",
    );
    expect(() => call(image(), "conv2dTranspose", { filters: 3, kernelSize: 3, strides: 2, dilationRate: 2, outputPadding: 2 })).toThrow(
      "shapewise: conv2dTranspose outputPadding 2 must be less than strides 2 on each axis",
    );
    expect(() => call(looseInput([6, 2]), "separableConv1d", { filters: 2, kernelSize: 0, depthMultiplier: 0 })).toThrow(
      "shapewise: separableConv1d depthMultiplier must be a positive integer, got 0",
    );
  });

  it("random bad sizes and counts give a ShapeError and nothing else", () => {
    const bad = fc.oneof(
      fc.integer({ min: -100, max: 0 }),
      fc.double({ min: 0.01, max: 50, noNaN: true }).filter((v) => !Number.isInteger(v)),
      fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60, "3", null, true, {}, [], [1, 2, 3, 4]),
    );
    const methods: [string, number[], string[]][] = [
      ["conv1d", [10, 4], ["filters", "kernelSize", "strides", "dilationRate", "groups"]],
      ["conv3d", [6, 6, 6, 4], ["filters", "kernelSize", "strides", "dilationRate", "groups"]],
      ["conv2dTranspose", [8, 8, 4], ["filters", "kernelSize", "strides", "dilationRate", "outputPadding"]],
      ["depthwiseConv2d", [8, 8, 4], ["kernelSize", "strides", "dilationRate", "depthMultiplier"]],
      ["separableConv1d", [10, 4], ["filters", "kernelSize", "strides", "dilationRate", "depthMultiplier"]],
    ];
    fc.assert(
      fc.property(fc.constantFrom(...methods), fc.nat(4), bad, ([method, shape, keys], keyIndex, value) => {
        clearSession();
        const key = keys[keyIndex % keys.length];
        const config: Record<string, unknown> = { kernelSize: 2, [key]: value };
        if (!method.startsWith("depthwise")) config.filters = config.filters ?? 4;
        if (key === "filters") config.filters = value;
        const build = () => call(looseInput(shape), method, config);
        expect(build).toThrow(ShapeError);
        expect(build).toThrow(new RegExp(`^shapewise: ${method} `));
      }),
      { seed: 20261202, numRuns: 400 },
    );
  });
});

// ---------------------------------------------------------------------------
// Names and summaries
// ---------------------------------------------------------------------------

describe("names and summaries", () => {
  const layers: [string, number[], Record<string, unknown>, string, string][] = [
    ["conv1d", [10, 4], { filters: 2, kernelSize: 3 }, "Conv1D", "conv1d"],
    ["conv2d", [8, 8, 4], { filters: 2, kernelSize: 3, groups: 2 }, "Conv2D", "conv2d"],
    ["conv3d", [6, 6, 6, 4], { filters: 2, kernelSize: 3 }, "Conv3D", "conv3d"],
    ["conv1dTranspose", [10, 4], { filters: 2, kernelSize: 3 }, "Conv1DTranspose", "conv1d_transpose"],
    ["conv2dTranspose", [8, 8, 4], { filters: 2, kernelSize: 3 }, "Conv2DTranspose", "conv2d_transpose"],
    ["conv3dTranspose", [6, 6, 6, 4], { filters: 2, kernelSize: 3 }, "Conv3DTranspose", "conv3d_transpose"],
    ["depthwiseConv1d", [10, 4], { kernelSize: 3 }, "DepthwiseConv1D", "depthwise_conv1d"],
    ["depthwiseConv2d", [8, 8, 4], { kernelSize: 3 }, "DepthwiseConv2D", "depthwise_conv2d"],
    ["separableConv1d", [10, 4], { filters: 2, kernelSize: 3 }, "SeparableConv1D", "separable_conv1d"],
    ["separableConv2d", [8, 8, 4], { filters: 2, kernelSize: 3 }, "SeparableConv2D", "separable_conv2d"],
  ];

  it.each(layers)("%s: Keras 3 summary row, automatic names", (method, shape, config, className, snake) => {
    const x = looseInput(shape);
    const first = call(x, method, config);
    const second = call(first.shape.length === shape.length + 1 ? first : x, method, config);
    expect(first.layerName).toBe(snake);
    expect(second.layerName).toBe(`${snake}_1`);
    const text = looseModel({ inputs: x, outputs: first }).summary({ style: "keras3", lineLength: 120, printFn: () => {} });
    expect(text).toContain(`${snake} (${className})`);
    const m = looseModel({ inputs: x, outputs: first });
    expect(m.layers[1].names.tfjs).toMatch(new RegExp(`^${snake}_${className}\\d+$`));
  });

  it("a user name is kept", () => {
    expect(call(looseInput([10, 4]), "conv1d", { filters: 2, kernelSize: 3, name: "stem" }).layerName).toBe("stem");
  });
});
