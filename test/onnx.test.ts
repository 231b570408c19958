/**
 * ONNX export: every layer family that ONNX can express, the seed models, a
 * small VGG16 and random stacks drawn from the whole catalog are exported
 * with `toONNX`, run in onnxruntime-node, and compared with shapewise's own
 * forward pass (within 1e-5 scaled, `test/support/compare.ts`). Weights are
 * random, so that biases, moving statistics and every gate take part.
 *
 * The protobuf writer is checked byte for byte against the encoding rules,
 * and configurations ONNX's operators cannot express are checked to fail
 * with a sentence that names the layer and its class.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import * as ort from "onnxruntime-node";
import { describe, expect, it, vi } from "vitest";

import {
  ShapeError,
  add,
  average,
  clearSession,
  concatenate,
  dot,
  input,
  layers,
  maximum,
  minimum,
  model,
  multiply,
  optimizers,
  subtract,
  tensor,
} from "../src/index.js";
import type { Model, Tensor } from "../src/index.js";
import { layerRegistrations } from "../src/layers/registry.js";
import { toONNX } from "../src/io/onnx/export.js";
import { ProtoWriter } from "../src/io/protobuf.js";
import { ACTIVATIONS } from "../src/kernels/activations.js";
import { createRandom } from "../src/kernels/random.js";
import type { Random } from "../src/kernels/random.js";
import { toyResnet } from "../examples/toy-resnet.js";
import { expectClose } from "./support/compare.js";
import { repoRoot } from "./support/tsc.js";
import { buildCatalogModel, generateCatalogStacks, methodsOf } from "./support/catalog-generator.js";
import type { CatalogStack } from "./support/catalog-generator.js";

const TOL = 1e-5;
const BATCH = 2;

// ---------------------------------------------------------------------------
// Helpers

const sizeOf = (shape: readonly number[]) => shape.reduce((p, d) => p * d, 1);

/** Random weights in Keras order: variances in [0.5, 1.5), everything else in [-0.5, 0.5). */
function randomWeights(m: Model, random: Random): Tensor[] {
  const names = m.layers.flatMap((l) => l.weightSpecs().map((s) => s.name));
  return m.getWeights().map((w, i) => {
    const positive = /variance/.test(names[i]);
    const data = new Float32Array(w.data.length);
    for (let k = 0; k < data.length; k++) data[k] = positive ? 0.5 + random.next() : random.next() - 0.5;
    return { shape: [...w.shape], data };
  });
}

/** A batch for an input shape (`null` sizes become `unknown`): values in [-2, 2), or integer indices below `indexBound`. */
function randomInput(shape: readonly (number | null)[], random: Random, indexBound?: number, unknown = 5): Tensor {
  const dims = [BATCH, ...shape.slice(1).map((d) => d ?? unknown)];
  const data = new Float32Array(sizeOf(dims));
  for (let i = 0; i < data.length; i++) data[i] = indexBound !== undefined ? Math.floor(random.next() * indexBound) : -2 + 4 * random.next();
  return { shape: dims, data };
}

/** Runs the ONNX export in onnxruntime-node. */
async function runInOrt(m: Model, inputs: readonly Tensor[]): Promise<Tensor[]> {
  const session = await ort.InferenceSession.create(toONNX(m));
  const feeds: Record<string, ort.Tensor> = {};
  session.inputNames.forEach((name, i) => (feeds[name] = new ort.Tensor("float32", inputs[i].data, inputs[i].shape)));
  const out = await session.run(feeds);
  return session.outputNames.map((name) => ({ shape: [...out[name].dims], data: out[name].data as Float32Array }));
}

/** The model's outputs from `predict`, as a list. */
function predictList(m: Model, inputs: readonly Tensor[]): Tensor[] {
  const given =
    m.inputLayout === "single" ? inputs[0] : m.inputLayout === "list" ? inputs : Object.fromEntries(m.inputLayout.keys.map((k, i) => [k, inputs[i]]));
  const y = (m.predict as (x: unknown) => unknown)(given);
  if (m.outputLayout === "single") return [y as Tensor];
  if (m.outputLayout === "list") return [...(y as Tensor[])];
  const record = y as Record<string, Tensor>;
  return (m.outputLayout as { keys: readonly string[] }).keys.map((k) => record[k]);
}

/** Exports, runs in onnxruntime and compares every output with `predict`; returns the worst scaled difference. */
async function expectSameInOrt(m: Model, label: string, options: { seed?: number; indexBound?: number; unknown?: number } = {}): Promise<number> {
  const random = createRandom(options.seed ?? 7);
  m.setWeights(randomWeights(m, random));
  const inputs = m.graph().inputs.map((ref) => randomInput(ref.shape, random, options.indexBound, options.unknown));
  const expected = predictList(m, inputs);
  const got = await runInOrt(m, inputs);
  expect(got.length, `${label}: outputs`).toBe(expected.length);
  let worst = 0;
  got.forEach((g, i) => {
    expect(g.shape, `${label}: output ${i} shape`).toEqual(expected[i].shape);
    worst = Math.max(worst, expectClose(g.data, expected[i].data, `${label}: output ${i}`, TOL));
  });
  return worst;
}

type Build = (x: any) => any;

/** A one-input model from a chain of layer calls. */
function chain(shape: readonly (number | null)[], build: Build, seed = 1): Model {
  clearSession();
  const x = input({ shape: shape.slice(1) as number[] });
  return model({ inputs: x, outputs: build(x), seed }) as unknown as Model;
}

// ---------------------------------------------------------------------------
// The protobuf writer

describe("protobuf writer", () => {
  it("encodes varints, negative int64, floats, strings and nested messages as the wire format says", () => {
    expect([...new ProtoWriter().uint(1, 150).finish()]).toEqual([0x08, 0x96, 0x01]);
    expect([...new ProtoWriter().int64(1, 300).finish()]).toEqual([0x08, 0xac, 0x02]);
    expect([...new ProtoWriter().int64(2, -1).finish()]).toEqual([0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    expect([...new ProtoWriter().int64(1, 2 ** 40).finish()]).toEqual([0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20]);
    expect([...new ProtoWriter().float(2, 1).finish()]).toEqual([0x15, 0x00, 0x00, 0x80, 0x3f]);
    expect([...new ProtoWriter().string(2, "testing").finish()]).toEqual([0x12, 0x07, 0x74, 0x65, 0x73, 0x74, 0x69, 0x6e, 0x67]);
    expect([...new ProtoWriter().message(3, new ProtoWriter().uint(1, 150)).finish()]).toEqual([0x1a, 0x03, 0x08, 0x96, 0x01]);
    expect([...new ProtoWriter().packedInt64(4, [3, 270, 86942]).finish()]).toEqual([0x22, 0x06, 0x03, 0x8e, 0x02, 0x9e, 0xa7, 0x05]);
    expect([...new ProtoWriter().packedInt64(4, []).finish()]).toEqual([]);
  });

  it("writes nested messages once, at their place, with a part of a Float32Array as exactly its own bytes", () => {
    const weights = Float32Array.of(9, 1, -2, 9);
    const tensor = new ProtoWriter().packedInt64(1, [2]).packedFloat(9, weights.subarray(1, 3));
    const graph = new ProtoWriter().string(2, "g").message(5, tensor);
    const bytes = new ProtoWriter().uint(1, 8).message(7, graph).finish();
    const floats = [0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0];
    const tensorBytes = [0x0a, 0x01, 0x02, 0x4a, 0x08, ...floats];
    const graphBytes = [0x12, 0x01, 0x67, 0x2a, tensorBytes.length, ...tensorBytes];
    expect([...bytes]).toEqual([0x08, 0x08, 0x3a, graphBytes.length, ...graphBytes]);
    expect(graph.byteLength).toBe(graphBytes.length);
    // The same message finished twice gives the same bytes.
    expect([...new ProtoWriter().message(1, graph).finish()]).toEqual([0x0a, graphBytes.length, ...graphBytes]);
  });

  it("refuses to change a message after it is part of another, and a message inside itself", () => {
    const inner = new ProtoWriter().uint(1, 1);
    new ProtoWriter().message(1, inner);
    expect(() => inner.uint(2, 2)).toThrow(/already part of another/);
    const outer = new ProtoWriter();
    expect(() => outer.message(1, outer)).toThrow(/cannot contain itself/);
  });

  it("refuses values the wire format cannot hold exactly", () => {
    expect(() => new ProtoWriter().uint(1, -1)).toThrow(RangeError);
    expect(() => new ProtoWriter().int64(1, 2 ** 53)).toThrow(RangeError);
    expect(() => new ProtoWriter().uint(0, 1)).toThrow(RangeError);
  });
});

// ---------------------------------------------------------------------------
// Layer families, one model each

interface Case {
  readonly label: string;
  readonly shape: readonly (number | null)[];
  readonly build: Build;
  readonly indexBound?: number;
}

const acts = ACTIVATIONS.map(
  (activation): Case => ({ label: `dense activation ${activation}`, shape: [null, 6], build: (x) => x.dense({ units: 5, activation }) }),
);

const CASES: readonly Case[] = [
  // Dense: Gemm for rank 2, MatMul + Add above, every activation.
  ...acts,
  { label: "dense rank 3 without bias", shape: [null, 4, 6], build: (x) => x.dense({ units: 3, useBias: false, activation: "tanh" }) },
  { label: "dense rank 3", shape: [null, 4, 6], build: (x) => x.dense({ units: 3 }) },
  { label: "activation layer softmax rank 3", shape: [null, 3, 4], build: (x) => x.activation("softmax") },
  // Convolutions.
  { label: "conv1d valid strides dilation", shape: [null, 12, 3], build: (x) => x.conv1d({ filters: 4, kernelSize: 3, strides: 2, dilationRate: 1 }) },
  { label: "conv1d same dilation", shape: [null, 10, 3], build: (x) => x.conv1d({ filters: 4, kernelSize: 3, padding: "same", dilationRate: 2 }) },
  {
    label: "conv1d causal",
    shape: [null, 9, 2],
    build: (x) => x.conv1d({ filters: 3, kernelSize: 3, padding: "causal", dilationRate: 2, activation: "relu" }),
  },
  { label: "conv1d causal strides", shape: [null, 9, 2], build: (x) => x.conv1d({ filters: 3, kernelSize: 2, padding: "causal", strides: 2 }) },
  {
    label: "conv2d same strides (odd pixel after)",
    shape: [null, 7, 8, 3],
    build: (x) => x.conv2d({ filters: 4, kernelSize: [3, 2], strides: 2, padding: "same" }),
  },
  { label: "conv2d groups", shape: [null, 6, 6, 4], build: (x) => x.conv2d({ filters: 6, kernelSize: 3, groups: 2, activation: "elu" }) },
  { label: "conv2d dilation no bias", shape: [null, 8, 8, 2], build: (x) => x.conv2d({ filters: 3, kernelSize: 3, dilationRate: 2, useBias: false }) },
  {
    label: "conv2d channelsFirst softmax",
    shape: [null, 2, 6, 5],
    build: (x) => x.conv2d({ filters: 3, kernelSize: 3, dataFormat: "channelsFirst", activation: "softmax" }),
  },
  { label: "conv2d unknown sizes same", shape: [null, null, null, 2], build: (x) => x.conv2d({ filters: 3, kernelSize: 3, strides: 2, padding: "same" }) },
  { label: "conv3d same", shape: [null, 4, 5, 4, 2], build: (x) => x.conv3d({ filters: 3, kernelSize: 3, padding: "same", strides: [1, 2, 1] }) },
  { label: "conv1dTranspose same", shape: [null, 5, 3], build: (x) => x.conv1dTranspose({ filters: 2, kernelSize: 3, strides: 2, padding: "same" }) },
  { label: "conv2dTranspose valid", shape: [null, 4, 3, 3], build: (x) => x.conv2dTranspose({ filters: 2, kernelSize: 3, strides: 2 }) },
  { label: "conv2dTranspose kernel smaller than stride", shape: [null, 3, 3, 2], build: (x) => x.conv2dTranspose({ filters: 2, kernelSize: 2, strides: 3 }) },
  {
    label: "conv2dTranspose same even kernel",
    shape: [null, 4, 4, 2],
    build: (x) => x.conv2dTranspose({ filters: 3, kernelSize: 4, strides: 2, padding: "same" }),
  },
  {
    label: "conv2dTranspose outputPadding",
    shape: [null, 4, 4, 2],
    build: (x) => x.conv2dTranspose({ filters: 3, kernelSize: 3, strides: 2, padding: "same", outputPadding: 1 }),
  },
  { label: "conv2dTranspose dilation", shape: [null, 4, 4, 2], build: (x) => x.conv2dTranspose({ filters: 2, kernelSize: 3, dilationRate: 2 }) },
  { label: "conv3dTranspose", shape: [null, 3, 3, 3, 2], build: (x) => x.conv3dTranspose({ filters: 2, kernelSize: 2, strides: 2, padding: "same" }) },
  { label: "depthwiseConv1d", shape: [null, 8, 3], build: (x) => x.depthwiseConv1d({ kernelSize: 3, depthMultiplier: 2, padding: "same" }) },
  { label: "depthwiseConv2d", shape: [null, 6, 6, 3], build: (x) => x.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, strides: 2, activation: "relu6" }) },
  { label: "separableConv1d", shape: [null, 8, 3], build: (x) => x.separableConv1d({ filters: 4, kernelSize: 3, depthMultiplier: 2 }) },
  { label: "separableConv2d", shape: [null, 6, 6, 3], build: (x) => x.separableConv2d({ filters: 4, kernelSize: 3, padding: "same" }) },
  {
    label: "conv chain reuses the channels-first value",
    shape: [null, 8, 8, 2],
    build: (x) => x.conv2d({ filters: 3, kernelSize: 3 }).conv2d({ filters: 2, kernelSize: 3 }).maxPooling2d(),
  },
  // Pooling.
  { label: "maxPooling1d same", shape: [null, 7, 3], build: (x) => x.maxPooling1d({ poolSize: 3, strides: 2, padding: "same" }) },
  { label: "averagePooling1d", shape: [null, 7, 3], build: (x) => x.averagePooling1d({ poolSize: 2 }) },
  { label: "maxPooling2d", shape: [null, 7, 6, 2], build: (x) => x.maxPooling2d({ poolSize: 2 }) },
  {
    label: "averagePooling2d same excludes the padding",
    shape: [null, 5, 5, 2],
    build: (x) => x.averagePooling2d({ poolSize: 3, strides: 2, padding: "same" }),
  },
  { label: "averagePooling2d channelsFirst", shape: [null, 2, 6, 6], build: (x) => x.averagePooling2d({ poolSize: 2, dataFormat: "channelsFirst" }) },
  { label: "maxPooling3d same", shape: [null, 3, 4, 5, 2], build: (x) => x.maxPooling3d({ poolSize: 2, padding: "same" }) },
  { label: "averagePooling3d", shape: [null, 4, 4, 4, 2], build: (x) => x.averagePooling3d({ poolSize: 2, strides: 1 }) },
  { label: "globalAveragePooling1d", shape: [null, 5, 3], build: (x) => x.globalAveragePooling1d() },
  { label: "globalMaxPooling2d keepdims", shape: [null, 4, 5, 3], build: (x) => x.globalMaxPooling2d({ keepdims: true }) },
  { label: "globalAveragePooling2d channelsFirst", shape: [null, 3, 4, 5], build: (x) => x.globalAveragePooling2d({ dataFormat: "channelsFirst" }) },
  { label: "globalMaxPooling3d", shape: [null, 2, 3, 4, 2], build: (x) => x.globalMaxPooling3d() },
  // Reshaping.
  { label: "flatten", shape: [null, 3, 4, 2], build: (x) => x.flatten() },
  { label: "flatten channelsFirst moves channels last", shape: [null, 2, 3, 4], build: (x) => x.flatten({ dataFormat: "channelsFirst" }) },
  { label: "reshape with -1", shape: [null, 4, 6], build: (x) => x.reshape({ targetShape: [3, -1] }) },
  { label: "permute", shape: [null, 2, 3, 4], build: (x) => x.permute({ dims: [3, 1, 2] }) },
  { label: "repeatVector", shape: [null, 4], build: (x) => x.repeatVector({ n: 3 }) },
  { label: "zeroPadding1d", shape: [null, 4, 2], build: (x) => x.zeroPadding1d({ padding: [1, 2] }) },
  {
    label: "zeroPadding2d",
    shape: [null, 3, 3, 2],
    build: (x) =>
      x.zeroPadding2d({
        padding: [
          [1, 0],
          [2, 1],
        ],
      }),
  },
  { label: "zeroPadding3d", shape: [null, 2, 2, 2, 1], build: (x) => x.zeroPadding3d({ padding: 1 }) },
  { label: "cropping1d", shape: [null, 6, 2], build: (x) => x.cropping1d({ cropping: [1, 2] }) },
  {
    label: "cropping2d one side",
    shape: [null, 5, 5, 2],
    build: (x) =>
      x.cropping2d({
        cropping: [
          [1, 0],
          [0, 2],
        ],
      }),
  },
  { label: "cropping3d", shape: [null, 4, 4, 4, 1], build: (x) => x.cropping3d({ cropping: 1 }) },
  { label: "upSampling1d", shape: [null, 3, 2], build: (x) => x.upSampling1d({ size: 3 }) },
  { label: "upSampling2d", shape: [null, 3, 2, 2], build: (x) => x.upSampling2d({ size: [2, 3] }) },
  { label: "upSampling3d", shape: [null, 2, 2, 2, 1], build: (x) => x.upSampling3d({ size: 2 }) },
  // Activation layers.
  { label: "reLU plain", shape: [null, 6], build: (x) => x.reLU() },
  { label: "reLU max, slope, threshold", shape: [null, 3, 4], build: (x) => x.reLU({ maxValue: 1.5, negativeSlope: 0.2, threshold: 0.3 }) },
  { label: "reLU slope only", shape: [null, 6], build: (x) => x.reLU({ negativeSlope: 0.1 }) },
  { label: "leakyReLU", shape: [null, 6], build: (x) => x.leakyReLU({ alpha: 0.2 }) },
  { label: "pReLU shared axes", shape: [null, 3, 4, 2], build: (x) => x.pReLU({ sharedAxes: [1, 2] }) },
  { label: "elu", shape: [null, 6], build: (x) => x.elu({ alpha: 0.7 }) },
  { label: "softmax axis 1", shape: [null, 3, 4], build: (x) => x.softmax({ axis: 1 }) },
  { label: "softmax two axes", shape: [null, 3, 4, 2], build: (x) => x.softmax({ axis: [1, 2] }) },
  // Normalisation.
  { label: "batchNormalization last axis", shape: [null, 4, 3], build: (x) => x.batchNormalization() },
  { label: "batchNormalization axis 1 without scale", shape: [null, 3, 4, 2], build: (x) => x.batchNormalization({ axis: 1, scale: false, epsilon: 0.01 }) },
  { label: "layerNormalization", shape: [null, 3, 5], build: (x) => x.layerNormalization() },
  { label: "layerNormalization trailing axes", shape: [null, 2, 3, 4], build: (x) => x.layerNormalization({ axis: [2, 3], center: false }) },
  { label: "layerNormalization inner axis", shape: [null, 3, 4], build: (x) => x.layerNormalization({ axis: 1, scale: false }) },
  // Regularisation (identity at inference).
  {
    label: "dropout and friends",
    shape: [null, 4, 3],
    build: (x) =>
      x
        .dropout({ rate: 0.5 })
        .spatialDropout1d({ rate: 0.3 })
        .gaussianNoise({ stddev: 1 })
        .gaussianDropout({ rate: 0.2 })
        .alphaDropout({ rate: 0.1 })
        .dense({ units: 2 }),
  },
  { label: "spatialDropout3d", shape: [null, 2, 3, 3, 2], build: (x) => x.spatialDropout3d({ rate: 0.3 }).dense({ units: 2 }) },
  // Embedding and preprocessing.
  { label: "embedding", shape: [null, 5], build: (x) => x.embedding({ inputDim: 7, outputDim: 3 }), indexBound: 7 },
  { label: "rescaling", shape: [null, 4, 4, 3], build: (x) => x.rescaling({ scale: 1 / 255, offset: -0.5 }) },
  { label: "normalization per channel", shape: [null, 3, 2], build: (x) => x.normalization({ mean: [0.5, -1], variance: [4, 0.25] }) },
  { label: "normalization invert scalar", shape: [null, 3, 2], build: (x) => x.normalization({ mean: 1, variance: 2, axis: null, invert: true }) },
  { label: "resizing bilinear up", shape: [null, 3, 4, 2], build: (x) => x.resizing({ height: 7, width: 5 }) },
  { label: "resizing bilinear down", shape: [null, 8, 6, 1], build: (x) => x.resizing({ height: 3, width: 4 }) },
  { label: "resizing nearest", shape: [null, 5, 4, 2], build: (x) => x.resizing({ height: 3, width: 7, interpolation: "nearest" }) },
  { label: "resizing cropToAspectRatio", shape: [null, 6, 9, 1], build: (x) => x.resizing({ height: 4, width: 4, cropToAspectRatio: true }) },
  { label: "centerCrop", shape: [null, 6, 7, 2], build: (x) => x.centerCrop({ height: 3, width: 4 }) },
  { label: "centerCrop of a smaller image resizes", shape: [null, 3, 4, 1], build: (x) => x.centerCrop({ height: 5, width: 5 }) },
  // Recurrent layers and wrappers.
  { label: "simpleRNN", shape: [null, 5, 3], build: (x) => x.simpleRNN({ units: 4 }) },
  {
    label: "simpleRNN relu sequences backwards",
    shape: [null, 5, 3],
    build: (x) => x.simpleRNN({ units: 4, activation: "relu", returnSequences: true, goBackwards: true }),
  },
  { label: "lstm", shape: [null, 5, 3], build: (x) => x.lstm({ units: 4 }) },
  { label: "lstm sequences", shape: [null, 5, 3], build: (x) => x.lstm({ units: 3, returnSequences: true }) },
  {
    label: "lstm backwards hard_sigmoid no bias",
    shape: [null, 4, 2],
    build: (x) => x.lstm({ units: 3, goBackwards: true, recurrentActivation: "hard_sigmoid", useBias: false }),
  },
  { label: "gru resetAfter", shape: [null, 5, 3], build: (x) => x.gru({ units: 4, returnSequences: true }) },
  { label: "gru resetAfter false", shape: [null, 5, 3], build: (x) => x.gru({ units: 4, resetAfter: false }) },
  // Activations with ONNX alpha/beta values: elu (alpha only), linear as Affine and hard_sigmoid (both).
  { label: "gru elu", shape: [null, 5, 3], build: (x) => x.gru({ units: 3, activation: "elu", returnSequences: true }) },
  {
    label: "lstm linear with hard_sigmoid gates",
    shape: [null, 4, 3],
    build: (x) => x.lstm({ units: 3, activation: "linear", recurrentActivation: "hard_sigmoid" }),
  },
  { label: "simpleRNN softsign", shape: [null, 4, 3], build: (x) => x.simpleRNN({ units: 3, activation: "softsign" }) },
  { label: "bidirectional lstm concat", shape: [null, 5, 3], build: (x) => x.bidirectional((t: any) => t.lstm({ units: 3, returnSequences: true })) },
  { label: "bidirectional gru sum", shape: [null, 5, 3], build: (x) => x.bidirectional((t: any) => t.gru({ units: 3 }), { mergeMode: "sum" }) },
  {
    label: "bidirectional simpleRNN mul",
    shape: [null, 4, 2],
    build: (x) => x.bidirectional((t: any) => t.simpleRNN({ units: 2, returnSequences: true }), { mergeMode: "mul" }),
  },
  { label: "bidirectional lstm ave", shape: [null, 4, 2], build: (x) => x.bidirectional((t: any) => t.lstm({ units: 2 }), { mergeMode: "ave" }) },
  { label: "timeDistributed dense", shape: [null, 4, 3], build: (x) => x.timeDistributed((t: any) => t.dense({ units: 2, activation: "relu" })) },
  { label: "timeDistributed conv2d", shape: [null, 3, 5, 5, 2], build: (x) => x.timeDistributed((t: any) => t.conv2d({ filters: 2, kernelSize: 3 })) },
  // Attention.
  { label: "multiHeadAttention self", shape: [null, 4, 6], build: (x) => x.multiHeadAttention({ numHeads: 2, keyDim: 3, value: x }) },
  {
    label: "multiHeadAttention other sizes no bias",
    shape: [null, 5, 4],
    build: (x) => x.multiHeadAttention({ numHeads: 3, keyDim: 2, valueDim: 4, outputShape: 5, useBias: false, value: x }),
  },
];

describe("every mappable layer family runs in onnxruntime with shapewise's outputs", () => {
  for (const c of CASES) {
    it(c.label, async () => {
      const m = chain(c.shape, c.build);
      await expectSameInOrt(m, c.label, { indexBound: c.indexBound });
    });
  }

  it("writes activation_alpha and activation_beta only with values (the ONNX checker refuses an empty list)", () => {
    const bytes = (build: Build) => Buffer.from(toONNX(chain([null, 4, 3], build)));
    const elu = bytes((x) => x.gru({ units: 2, activation: "elu" }));
    expect(elu.includes("activation_alpha")).toBe(true);
    expect(elu.includes("activation_beta")).toBe(false);
    const plain = bytes((x) => x.gru({ units: 2 }));
    expect(plain.includes("activation_alpha")).toBe(false);
    expect(bytes((x) => x.lstm({ units: 2, recurrentActivation: "hard_sigmoid" })).includes("activation_beta")).toBe(true);
  });

  it("an adapted normalization exports its adapted mean and variance", async () => {
    clearSession();
    const x: any = input({ shape: [3, 2] });
    const m = model({ inputs: x, outputs: x.normalization({ name: "norm" }), seed: 3 } as never) as unknown as Model;
    m.adapt("norm", tensor([2, 3, 2], [1, -4, 2, 8, 3, 0, 7, 2, 5, 1, 9, 6]));
    expect(Array.from(m.getWeights()[0].data)).toEqual([4.5, 2.1666667461395264]);
    await expectSameInOrt(m, "normalization adapted");
  });

  it("returnState gives the output and every state", async () => {
    clearSession();
    const x: any = input({ shape: [5, 3] });
    const [y, h, c] = x.lstm({ units: 3, returnState: true, returnSequences: true });
    const m = model({ inputs: x, outputs: [y, h, c], seed: 3 } as never) as unknown as Model;
    await expectSameInOrt(m, "lstm returnState");
  });

  it("bidirectional with mergeMode null gives both directions", async () => {
    clearSession();
    const x: any = input({ shape: [4, 3] });
    const [f, b] = x.bidirectional((t: any) => t.gru({ units: 2, returnSequences: true }), { mergeMode: null });
    const m = model({ inputs: x, outputs: [f, b], seed: 3 } as never) as unknown as Model;
    await expectSameInOrt(m, "bidirectional null");
  });
});

// ---------------------------------------------------------------------------
// Whole models

describe("whole models", () => {
  it("seed models A and B", async () => {
    for (const padding of ["valid", "same"] as const) {
      const m = chain([null, 28, 28, 1], (x) =>
        x
          .conv2d({ filters: 32, kernelSize: 3, activation: "relu", padding })
          .maxPooling2d({ poolSize: 2 })
          .conv2d({ filters: 64, kernelSize: 3, activation: "relu" })
          .maxPooling2d({ poolSize: 2 })
          .conv2d({ filters: 128, kernelSize: 3, activation: "relu" })
          .flatten()
          .dense({ units: 10, activation: "softmax" }),
      );
      await expectSameInOrt(m, `seed model ${padding === "valid" ? "A" : "B"}`);
    }
  });

  it("VGG16-small: the VGG16 layout on 32x32 images with an eighth of the filters", async () => {
    const m = chain([null, 32, 32, 3], (x) => {
      let t = x;
      for (const [block, filters, convs] of [
        [1, 8, 2],
        [2, 16, 2],
        [3, 32, 3],
        [4, 64, 3],
        [5, 64, 3],
      ] as const) {
        for (let i = 1; i <= convs; i++) t = t.conv2d({ filters, kernelSize: 3, padding: "same", activation: "relu", name: `block${block}_conv${i}` });
        t = t.maxPooling2d({ poolSize: 2, name: `block${block}_pool` });
      }
      return t
        .flatten({ name: "flatten" })
        .dense({ units: 64, activation: "relu", name: "fc1" })
        .dense({ units: 64, activation: "relu", name: "fc2" })
        .dense({ units: 10, activation: "softmax", name: "predictions" });
    });
    await expectSameInOrt(m, "VGG16-small");
    // Each Transpose pair between two convolutions is skipped: one Transpose in per block boundary, not two per layer.
    const text = Buffer.from(toONNX(m)).toString("latin1");
    expect(text.split("\u0004Conv").length - 1).toBe(13);
    expect(text.split("\tTranspose").length - 1).toBeLessThanOrEqual(2);
  });

  it("the toy ResNet of the Keras guide (residual adds)", async () => {
    clearSession();
    await expectSameInOrt(toyResnet() as unknown as Model, "toy ResNet");
  });

  it("a graph with two inputs, two outputs and every merge", async () => {
    clearSession();
    const a = input({ shape: [4, 3], name: "a" });
    const b = input({ shape: [4, 3], name: "b" });
    const c = input({ shape: [3], name: "c" });
    const pa = a.dense({ units: 3, activation: "tanh" });
    const merged = concatenate(
      [
        add([pa, b]),
        subtract([pa, b]),
        // ONNX Mul takes two inputs: three operands fold into two nodes.
        multiply([a, b, pa]),
        average([pa, b, a]),
        maximum([a, b]),
        minimum([pa, b]),
        // Keras broadcasts a lower-rank input over the axes after the batch.
        add([a, c]),
      ],
      { axis: -1 },
    );
    const scores = dot([merged, b], { axes: [1, 1] });
    const cosine = dot([a.flatten(), b.flatten()], { axes: 1, normalize: true });
    const steps = concatenate([a, b], { axis: 1 });
    const m = model({ inputs: [a, b, c], outputs: { scores, cosine, steps }, seed: 5 }) as unknown as Model;
    expect(m.outputLayout).toEqual({ keys: ["scores", "cosine", "steps"] });
    await expectSameInOrt(m, "merges");
  });

  it("a nested model and a shared layer", async () => {
    clearSession();
    const ix = input({ shape: [6] });
    const encoder = model({ inputs: ix, outputs: ix.dense({ units: 4, activation: "relu" }).dense({ units: 3 }), name: "encoder" });
    const left = input({ shape: [6], name: "left" });
    const right = input({ shape: [6], name: "right" });
    // Applied twice: one nested model layer, shared by both calls.
    const m = model({ inputs: [left, right], outputs: add([encoder.apply(left), encoder.apply(right)]), seed: 2 }) as unknown as Model;
    expect(
      m
        .graph()
        .nodes.filter((n) => n.layer.name === "encoder")
        .map((n) => n.nodeIndex),
    ).toEqual([0, 1]);
    await expectSameInOrt(m, "nested and shared");
  });

  it("a layer value applied twice: one set of weights in the file, both calls computed", async () => {
    clearSession();
    const shared = layers.dense({ units: 3, activation: "tanh", name: "shared" });
    const a = input({ shape: [5], name: "a" });
    const b = input({ shape: [5], name: "b" });
    const m = model({ inputs: [a, b], outputs: [shared.apply(a), shared.apply(b)], seed: 4 }) as unknown as Model;
    await expectSameInOrt(m, "shared dense");
    const text = Buffer.from(toONNX(m)).toString("latin1");
    // Both calls read the one kernel: a second copy would be named shared/kernel_1.
    expect(text).toContain("shared/kernel");
    expect(text).not.toContain("shared/kernel_1");
    expect(text).not.toContain("shared/bias_1");
  });

  it("writes a model with a dynamic batch axis, named inputs and outputs, opset 17", async () => {
    const m = chain([null, 4], (x) => x.dense({ units: 3, name: "logits" }));
    const session = await ort.InferenceSession.create(toONNX(m));
    expect(session.inputNames).toEqual(["input_1"]);
    expect(session.outputNames).toEqual(["logits"]);
    const bytes = toONNX(m);
    // ModelProto: ir_version 8 first, then the producer name.
    expect([...bytes.subarray(0, 2)]).toEqual([0x08, 0x08]);
    expect(Buffer.from(bytes).includes(Buffer.from("shapewise"))).toBe(true);
    for (const batch of [1, 3]) {
      const out = await session.run({ input_1: new ort.Tensor("float32", new Float32Array(batch * 4), [batch, 4]) });
      expect(out.logits.dims).toEqual([batch, 3]);
    }
  });
});

// ---------------------------------------------------------------------------
// Errors

describe("configurations ONNX cannot express", () => {
  it("a recurrent activation outside ONNX's list names the layer, its class and the activations it takes", () => {
    const m = chain([null, 4, 3], (x) => x.lstm({ units: 2, activation: "gelu", name: "encoder" }));
    expect(() => toONNX(m)).toThrow(ShapeError);
    expect(() => toONNX(m)).toThrow(
      "shapewise: toONNX cannot export layer 'encoder' (LSTM): activation 'gelu' is not one that ONNX recurrent ops take (tanh, sigmoid, relu, softsign, softplus, elu, linear, hard_sigmoid)",
    );
  });

  it("a transposed convolution on unknown sizes says what it needs", () => {
    const m = chain([null, null, 4, 2], (x) => x.conv2dTranspose({ filters: 2, kernelSize: 3 }));
    expect(() => toONNX(m)).toThrow(
      "shapewise: toONNX cannot export layer 'conv2d_transpose' (Conv2DTranspose): transposed convolution needs known spatial sizes, got input [null, null, 4, 2]",
    );
  });

  it("refuses what is not a model, and bad options", () => {
    expect(() => toONNX({} as never)).toThrow("shapewise: toONNX expects a model, got {}");
    expect(() => toONNX(null as never)).toThrow("shapewise: toONNX expects a model, got null");
    const m = chain([null, 2], (x) => x.dense({ units: 1 }));
    expect(() => toONNX(m, { opset: 18 } as never)).toThrow("shapewise: toONNX has no option 'opset' (options: docString, producerVersion)");
    expect(() => toONNX(m, { docString: 3 } as never)).toThrow("shapewise: toONNX docString must be a string, got 3");
    const bytes = Buffer.from(toONNX(m, { docString: "a tiny regressor", producerVersion: "0.1.0" }));
    expect(bytes.includes("a tiny regressor")).toBe(true);
    expect(bytes.includes("0.1.0")).toBe(true);
  });

  it("every class of the catalog has a mapping", () => {
    const catalog = [
      "Dense",
      "Activation",
      "Embedding",
      "Conv1D",
      "Conv2D",
      "Conv3D",
      "Conv1DTranspose",
      "Conv2DTranspose",
      "Conv3DTranspose",
      "DepthwiseConv1D",
      "DepthwiseConv2D",
      "SeparableConv1D",
      "SeparableConv2D",
      "MaxPooling1D",
      "MaxPooling2D",
      "MaxPooling3D",
      "AveragePooling1D",
      "AveragePooling2D",
      "AveragePooling3D",
      "GlobalMaxPooling1D",
      "GlobalMaxPooling2D",
      "GlobalMaxPooling3D",
      "GlobalAveragePooling1D",
      "GlobalAveragePooling2D",
      "GlobalAveragePooling3D",
      "Flatten",
      "Reshape",
      "Permute",
      "RepeatVector",
      "ZeroPadding1D",
      "ZeroPadding2D",
      "ZeroPadding3D",
      "Cropping1D",
      "Cropping2D",
      "Cropping3D",
      "UpSampling1D",
      "UpSampling2D",
      "UpSampling3D",
      "Dropout",
      "SpatialDropout1D",
      "SpatialDropout2D",
      "SpatialDropout3D",
      "GaussianNoise",
      "GaussianDropout",
      "AlphaDropout",
      "ActivityRegularization",
      "ReLU",
      "LeakyReLU",
      "PReLU",
      "ELU",
      "Softmax",
      "BatchNormalization",
      "LayerNormalization",
      "Rescaling",
      "Normalization",
      "Resizing",
      "CenterCrop",
      "SimpleRNN",
      "LSTM",
      "GRU",
      "Bidirectional",
      "TimeDistributed",
      "MultiHeadAttention",
      "Add",
      "Subtract",
      "Multiply",
      "Average",
      "Maximum",
      "Minimum",
      "Concatenate",
      "Dot",
    ];
    const onnxClasses = layerRegistrations().flatMap((r) => (r.writers?.onnx === undefined ? [] : [r.className]));
    expect([...onnxClasses].sort()).toEqual([...catalog].sort());
  });
});

// ---------------------------------------------------------------------------
// Generated stacks over the whole catalog

/** Why a generated stack is not compared: ONNX's recurrent operators take only some activations. */
const RECURRENT_ACTIVATION =
  /^shapewise: toONNX cannot export layer '[^']+' \((LSTM|GRU|SimpleRNN|Bidirectional)\): activation '[a-z_0-9]+' is not one that ONNX recurrent ops take/;
/** Why a generated stack is not compared: a transposed convolution with an unknown spatial size. */
const TRANSPOSE_UNKNOWN = /transposed convolution needs known spatial sizes/;
/** Why: TimeDistributed over unknown inner sizes, or cropping to the aspect ratio of an image of unknown size. */
const UNKNOWN_SIZES =
  /needs known (sizes after the steps axis|output sizes after the steps axis|image sizes)|cropping to the aspect ratio needs known image sizes/;

const STACKS = 300;

describe("generated stacks of the whole catalog run in onnxruntime with shapewise's outputs", () => {
  const stacks: CatalogStack[] = generateCatalogStacks({ seed: 20261125, count: STACKS });

  it(`${STACKS} stacks: every one exported and compared, or refused by a named rule`, async () => {
    const skipped: Record<string, number> = { recurrentActivation: 0, transposeUnknown: 0, unknownSizes: 0 };
    const methods = new Set<string>();
    let compared = 0;
    let worst = 0;
    for (const s of stacks) {
      clearSession();
      const m = buildCatalogModel(s.inputShape, s.calls, s.id + 1);
      const label = `stack ${s.id} ${JSON.stringify(s.inputShape)} ${s.calls.map((c) => JSON.stringify(c)).join(" ")}`;
      try {
        toONNX(m);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (!(error instanceof ShapeError)) throw new Error(`${label}: ${message}`);
        if (RECURRENT_ACTIVATION.test(message)) skipped.recurrentActivation++;
        else if (TRANSPOSE_UNKNOWN.test(message)) skipped.transposeUnknown++;
        else if (UNKNOWN_SIZES.test(message)) skipped.unknownSizes++;
        else throw new Error(`${label}: unexpected refusal: ${message}`);
        continue;
      }
      worst = Math.max(worst, await expectSameInOrt(m, label, { seed: s.id, indexBound: s.indexBound, unknown: 4 + (s.id % 3) }));
      for (const c of s.calls) for (const name of methodsOf(c)) methods.add(name);
      compared++;
    }
    // The refusals stay a small share; most stacks are compared, over many layer kinds.
    expect(compared).toBeGreaterThan(STACKS * 0.8);
    expect(methods.size).toBeGreaterThan(50);
    expect(worst).toBeLessThanOrEqual(TOL);
    console.log(
      `onnx generated: ${compared}/${STACKS} compared over ${methods.size} methods, worst ${worst.toExponential(2)}, refused ${JSON.stringify(skipped)}`,
    );
  }, 240_000);
});

describe("the comparison can fail", () => {
  it("a weight changed after export makes onnxruntime and predict disagree", async () => {
    const m = chain([null, 6, 6, 2], (x) => x.conv2d({ filters: 3, kernelSize: 3 }).flatten().dense({ units: 4 }));
    const random = createRandom(11);
    m.setWeights(randomWeights(m, random));
    const x = randomInput([null, 6, 6, 2], random);
    const session = await ort.InferenceSession.create(toONNX(m));
    const weights = m.getWeights();
    weights[0].data[0] += 0.05;
    m.setWeights(weights);
    const out = await session.run({ [session.inputNames[0]]: new ort.Tensor("float32", x.data, x.shape) });
    const expected = m.predict(x as never) as Tensor;
    expect(() => expectClose(out[session.outputNames[0]].data as Float32Array, expected.data, "perturbed", TOL)).toThrow(/difference/);
  });
});

describe("predictAsync", () => {
  it("gives predict's outputs on the embedded kernels and in onnxruntime, for single, list and record models", async () => {
    const m = chain([null, 6, 6, 2], (x) =>
      x.conv2d({ filters: 3, kernelSize: 3, padding: "same" }).globalAveragePooling2d().dense({ units: 4, activation: "softmax" }),
    );
    const random = createRandom(5);
    m.setWeights(randomWeights(m, random));
    const x = randomInput([null, 6, 6, 2], random);
    const expected = m.predict(x as never) as Tensor;
    const embedded = (await m.predictAsync(x as never)) as Tensor;
    expect(embedded.data).toEqual(expected.data);
    const viaOrt = (await m.predictAsync(x as never, { backend: "onnxruntime" })) as Tensor;
    expect(viaOrt.shape).toEqual(expected.shape);
    expectClose(viaOrt.data, expected.data, "predictAsync onnxruntime", TOL);

    clearSession();
    const a = input({ shape: [3], name: "a" });
    const b = input({ shape: [3], name: "b" });
    const two = model({ inputs: [a, b], outputs: { sum: add([a, b]), product: multiply([a.dense({ units: 3 }), b]) }, seed: 1 });
    const xa = randomInput([null, 3], random);
    const xb = randomInput([null, 3], random);
    const want = two.predict([xa, xb] as never) as unknown as Record<string, Tensor>;
    const got = (await two.predictAsync([xa, xb] as never, { backend: "onnxruntime" })) as unknown as Record<string, Tensor>;
    expect(Object.keys(got)).toEqual(["sum", "product"]);
    for (const k of ["sum", "product"]) expectClose(got[k].data, want[k].data, `record output ${k}`, TOL);
  });

  it("is typed as predict is: the batch size and output shape are known to the compiler", async () => {
    clearSession();
    const x = input({ shape: [6] });
    const typed = model({ inputs: x, outputs: x.dense({ units: 4, activation: "relu" }), seed: 2 });
    // These lines fail `npm run typecheck` if the result type is not Tensor<[2, 4]>.
    const y: Tensor<[2, 4]> = await typed.predictAsync(tensor([2, 6], new Float32Array(12).fill(0.5)), { backend: "onnxruntime" });
    const z: Tensor<[2, 4]> = typed.predict(tensor([2, 6], new Float32Array(12).fill(0.5)));
    expectClose(y.data, z.data, "typed predictAsync", TOL);
    const bytes: Uint8Array = typed.toONNX();
    expect(bytes.length).toBeGreaterThan(0);
  });

  it("makes a new session after setWeights", async () => {
    const m = chain([null, 4], (x) => x.dense({ units: 2 }));
    const x = randomInput([null, 4], createRandom(3));
    const first = (await m.predictAsync(x as never, { backend: "onnxruntime" })) as Tensor;
    m.setWeights(randomWeights(m, createRandom(4)));
    const second = (await m.predictAsync(x as never, { backend: "onnxruntime" })) as Tensor;
    expect(second.data).not.toEqual(first.data);
    expectClose(second.data, (m.predict(x as never) as Tensor).data, "after setWeights", TOL);
  });

  it("builds its session once per model, and again after a training step writes the weights in place", async () => {
    const m = chain([null, 4], (x) => x.dense({ units: 2 }));
    const x = randomInput([null, 4], createRandom(3));
    const builds = vi.spyOn(ort.InferenceSession, "create");
    try {
      const first = (await m.predictAsync(x as never, { backend: "onnxruntime" })) as Tensor;
      await m.predictAsync(x as never, { backend: "onnxruntime" });
      expect(builds).toHaveBeenCalledTimes(1);
      // Without prepacking, which copies every weight again while the session is built and runs no faster after.
      expect(builds.mock.calls[0][1]).toEqual({ extra: { session: { disable_prepacking: "1" } } });
      const c = m.compile({ optimizer: optimizers.sgd({ learningRate: 0.5 }), loss: "meanSquaredError" });
      c.trainOnBatch(x as never, tensor([x.shape[0], 2], new Float32Array(x.shape[0] * 2).fill(3)) as never);
      const trained = (await m.predictAsync(x as never, { backend: "onnxruntime" })) as Tensor;
      expect(builds).toHaveBeenCalledTimes(2);
      expect(trained.data).not.toEqual(first.data);
      expectClose(trained.data, (m.predict(x as never) as Tensor).data, "after a training step", TOL);
    } finally {
      builds.mockRestore();
    }
  });

  it("says how to install onnxruntime-node when it cannot be loaded", async () => {
    // A child process whose module resolution refuses onnxruntime-node, as if it were not installed.
    const dir = mkdtempSync(path.join(os.tmpdir(), "shapewise-no-ort-"));
    try {
      const hooks =
        "export async function resolve(s, c, next) { if (s === 'onnxruntime-node') { const e = new Error('Cannot find package onnxruntime-node'); e.code = 'ERR_MODULE_NOT_FOUND'; throw e; } return next(s, c); }";
      writeFileSync(
        path.join(dir, "hide.mjs"),
        `import { register } from "node:module";\nregister(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hooks)}`)});\n`,
      );
      writeFileSync(
        path.join(dir, "run.ts"),
        [
          `import { input, model, tensor } from ${JSON.stringify(path.join(repoRoot, "src/index.ts"))};`,
          "const x = input({ shape: [2] });",
          "const m = model({ inputs: x, outputs: x.dense({ units: 1 }) });",
          "m.predictAsync(tensor([1, 2], [1, 2]), { backend: 'onnxruntime' }).then(() => console.log('ran'), (e) => console.log(e.message));",
        ].join("\n"),
      );
      const stdout = execFileSync(process.execPath, ["--import", path.join(dir, "hide.mjs"), "--import", "tsx", path.join(dir, "run.ts")], {
        cwd: repoRoot,
        encoding: "utf8",
      });
      expect(stdout.trim()).toBe(
        "shapewise: predictAsync with backend 'onnxruntime' needs the onnxruntime-node package, which could not be loaded; install it with `npm install onnxruntime-node`",
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it("checks its inputs and options as predict does", async () => {
    const m = chain([null, 4], (x) => x.dense({ units: 2 }));
    await expect(m.predictAsync({ shape: [2, 5], data: new Float32Array(10) } as never, { backend: "onnxruntime" })).rejects.toThrow(
      "shapewise: predict expects a tensor of shape [null, 4], got [2, 5]",
    );
    await expect(m.predictAsync(randomInput([null, 4], createRandom(1)) as never, { backend: "tpu" } as never)).rejects.toThrow(
      "shapewise: predictAsync backend must be one of 'embedded', 'onnxruntime', got 'tpu'",
    );
    expect(m.toONNX()).toEqual(toONNX(m));
  });
});
