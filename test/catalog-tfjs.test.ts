/**
 * Generated proof against TensorFlow.js over the whole layer catalog.
 *
 * fast-check (fixed seed) draws {@link STACKS} valid stacks from every layer
 * family (`test/support/catalog-generator.ts`): convolutions 1-3D with
 * transposes, separable, depthwise, groups, dilation, strides and padding;
 * pooling 1-3D and global pooling; reshaping; normalisation; regularisation;
 * activation layers; preprocessing; embedding, recurrent layers and their
 * wrappers; dense; multi-head attention. Each stack is built in shapewise and,
 * layer by layer, in `@tensorflow/tfjs` 4.22 (cpu backend) as a functional
 * `tf.model`; TF.js gets shapewise's weights (random, so that biases and
 * moving statistics matter) through `setWeights`, and the test compares the
 * output shape, the parameter counts (total, trainable, non-trainable) and the
 * forward output on a batch of 2 random inputs (within 1e-5 scaled, as every
 * forward test of the project: `test/support/compare.ts`).
 *
 * Where TensorFlow.js departs from Keras 3 (reference semantics §1.5 and §7)
 * or lacks a layer, the table {@link RULES} names the rule and why; a stack
 * that meets a rule skips only the comparisons the rule names (everything,
 * when TF.js cannot build the same stack; the numbers only, when it builds it
 * but computes something else), and every skip is counted. The Keras 3 case
 * tests of each family (`test/layers-*.test.ts`) cover what is skipped here.
 * A few layers TF.js lacks or spells differently are translated instead of
 * skipped, each again by a counted rule (inference-time identities left out,
 * `keepdims` as a reshape, a resolved `-1`).
 *
 * The stacks are tiny (sizes up to 6, batch 2), so the whole comparison takes
 * a few seconds and runs in both vitest projects (fast and reference kernels).
 */
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { ShapeError, clearSession } from "../src/index.js";
import type { Model, Tensor } from "../src/index.js";
import { createRandom } from "../src/kernels/random.js";
import type { Random } from "../src/kernels/random.js";
import { countBy, expectClose } from "./support/compare.js";
import { buildCatalogModel, generateCatalogStacks, methodsOf } from "./support/catalog-generator.js";
import type { CatalogCall, CatalogStack, Dim } from "./support/catalog-generator.js";

const SEED = 20261201;
const STACKS = 2000;
const TOL = 1e-5;
const BATCH = 2;

// ---------------------------------------------------------------------------
// The rules: where TF.js departs from Keras 3, what is skipped, and why.

/** What a rule leaves out: the whole TF.js comparison, or the forward numbers only. */
type Skip = "all" | "forward" | "none";

interface Rule {
  readonly skip: Skip;
  readonly reason: string;
}

/**
 * Every TF.js divergence met by generated stacks. `skip: "none"` rules are
 * translations: the TF.js stack is built differently (and still compared).
 */
const RULES = {
  missingLayer: {
    skip: "all",
    reason:
      "TF.js 4.22 has no such layer (Conv1DTranspose, DepthwiseConv1D, SeparableConv1D, ZeroPadding1D/3D, Cropping1D/3D, UpSampling1D/3D, GlobalMax/AveragePooling3D, Normalization, MultiHeadAttention; semantics §1.5)",
  },
  causal: { skip: "all", reason: "TF.js sizes padding 'causal' as 'valid' (a shorter output; semantics §7)" },
  groups: { skip: "all", reason: "TF.js ignores conv groups (a full kernel, more parameters; semantics §7)" },
  transposeOutputPadding: { skip: "all", reason: "TF.js transposed convolutions ignore outputPadding (another output size; semantics §7)" },
  transposeDilation: { skip: "all", reason: "TF.js transposed convolutions ignore dilationRate in the output size (semantics §1.5)" },
  conv1dChannelsFirst: { skip: "all", reason: "TF.js Conv1D with channelsFirst returns its output channels-last" },
  pool1dChannelsFirst: { skip: "all", reason: "TF.js 1-D pooling and global pooling have no dataFormat option (they drop it)" },
  depthwiseDilation: { skip: "all", reason: "the TF.js DepthwiseConv2D layer drops dilationRate (sizes the window undilated)" },
  separableChannelsFirst: { skip: "all", reason: "the TF.js SeparableConv2D layer fails to broadcast its bias with channelsFirst" },
  samePadding3dNegative: {
    skip: "forward",
    reason:
      "TF.js 3-D 'same' padding goes negative where (out - 1) * s + k < L, for a transpose where kernel < stride (it reads other cells); Keras clamps it at 0",
  },
  gruResetAfter: { skip: "all", reason: "TF.js GRU has no resetAfter (the Keras 3 default is true: bias [2, 3u], other parameter count)" },
  batchNormAxis: { skip: "forward", reason: "the TF.js BatchNormalization layer with an axis other than the last does not normalise along that axis" },
  reluOptions: { skip: "forward", reason: "TF.js ReLU has no negativeSlope or threshold (Keras 3 options)" },
  resizing: {
    skip: "all",
    reason:
      "TF.js Resizing drops the batch axis from its symbolic output shape, samples with aligned corners (Keras 3: half-pixel centres) and never crops for cropToAspectRatio",
  },
  normalizationRank5: {
    skip: "forward",
    reason: "the TF.js cpu backend cannot normalise rank-5 tensors (BatchNormalization and LayerNormalization: 'not implemented for array of rank 5 yet')",
  },
  croppingUnknown: { skip: "all", reason: "TF.js Cropping2D turns an unknown (null) size into 0 (null - crop in JavaScript)" },
  eluAlpha: { skip: "all", reason: "the TF.js ELU layer throws for an alpha other than 1 ('Non-default alpha value ... is not supported')" },
  centerCrop: { skip: "all", reason: "TF.js CenterCrop overwrites its input shape in computeOutputShape, so it cannot sit in a model" },
  activationMissing: {
    skip: "forward",
    reason: "TF.js has no Keras 3 hard_sigmoid (its hardSigmoid is 0.2x + 0.5) and no exponential activation: TF.js runs linear there",
  },
  // Translations (compared all the same):
  identityAtInference: {
    skip: "none",
    reason: "TF.js lacks SpatialDropout2D, SpatialDropout3D and ActivityRegularization: all are the identity in predict, so the TF.js stack leaves them out",
  },
  flattenUnknown: { skip: "all", reason: "TF.js Flatten needs every non-batch size known; Keras 3 gives an unknown (null) size" },
  flattenRank2: { skip: "none", reason: "TF.js Flatten needs rank 3 or more; Keras 3 flattens [batch, n] to itself, so the TF.js stack leaves it out" },
  globalKeepdims: { skip: "none", reason: "TF.js global pooling has no keepdims: a TF.js Reshape adds the size-1 axes" },
  reshapeMinusOne: { skip: "none", reason: "TF.js leaves a reshape -1 unresolved in symbolic shapes: TF.js gets the resolved target" },
} as const satisfies Record<string, Rule>;
type RuleName = keyof typeof RULES;

// ---------------------------------------------------------------------------
// Translation of one call into TF.js layers.

/** TF.js spelling of each Keras 3 activation; `null` where TF.js has none (rule `activationMissing`). */
const TFJS_ACTIVATION: Record<string, string | null> = {
  linear: "linear",
  relu: "relu",
  relu6: "relu6",
  elu: "elu",
  selu: "selu",
  gelu: "gelu",
  swish: "swish",
  silu: "swish", // Keras 3 silu is swish: x * sigmoid(x)
  sigmoid: "sigmoid",
  hard_sigmoid: null,
  tanh: "tanh",
  softplus: "softplus",
  softsign: "softsign",
  softmax: "softmax",
  log_softmax: "logSoftmax",
  exponential: null,
};

interface Translation {
  readonly layers: tf.layers.Layer[];
  readonly rules: RuleName[];
}

type Cfg = Record<string, unknown>;
type Factory = (config: object) => tf.layers.Layer;
const tfLayers = tf.layers as unknown as Record<string, Factory>;

const MISSING = new Set([
  "conv1dTranspose",
  "depthwiseConv1d",
  "separableConv1d",
  "zeroPadding1d",
  "zeroPadding3d",
  "cropping1d",
  "cropping3d",
  "upSampling1d",
  "upSampling3d",
  "globalMaxPooling3d",
  "globalAveragePooling3d",
  "normalization",
  "multiHeadAttention",
]);

/** Axis count of a value written once or per axis. */
const axes = (v: unknown, n: number): number[] => (Array.isArray(v) ? (v as number[]) : new Array<number>(n).fill((v as number | undefined) ?? 1));

function activationOf(name: unknown, rules: RuleName[]): string | undefined {
  if (name === undefined) return undefined;
  const tfName = TFJS_ACTIVATION[name as string];
  if (tfName === null) {
    rules.push("activationMissing");
    return "linear";
  }
  return tfName;
}

/** The spatial lengths of a shape (batch first) for a data format. */
const spatialOf = (shape: readonly Dim[], cfg: Cfg): Dim[] => (cfg.dataFormat === "channelsFirst" ? shape.slice(2) : shape.slice(1, -1));

/** TF.js layers computing what one shapewise call computes, and the rules that applied. */
function translate(call: CatalogCall, inShape: readonly Dim[], outShape: readonly Dim[]): Translation {
  const rules: RuleName[] = [];
  const done = (layers: tf.layers.Layer[]): Translation => ({ layers, rules });
  const m = call.method;
  const cfg: Cfg = typeof call.config === "object" ? { ...call.config } : {};
  if (MISSING.has(m)) return { layers: [], rules: ["missingLayer"] };
  const rank = inShape.length;
  const n = rank - 2;

  if (/^(conv[123]d|conv[23]dTranspose|depthwiseConv2d|separableConv2d)$/.test(m)) {
    if (cfg.padding === "causal") rules.push("causal");
    if (cfg.groups !== undefined && cfg.groups !== 1) rules.push("groups");
    const dilated = axes(cfg.dilationRate, n).some((d) => d > 1);
    if (m.endsWith("Transpose") && cfg.outputPadding !== undefined) rules.push("transposeOutputPadding");
    if (m.endsWith("Transpose") && dilated) rules.push("transposeDilation");
    if (m === "conv1d" && cfg.dataFormat === "channelsFirst") rules.push("conv1dChannelsFirst");
    if (m === "depthwiseConv2d" && dilated) rules.push("depthwiseDilation");
    if (m === "separableConv2d" && cfg.dataFormat === "channelsFirst") rules.push("separableChannelsFirst");
    // A transposed convolution is the gradient of the convolution over its
    // output (length L * s), whose padding goes negative where kernel < stride.
    const spatial = spatialOf(inShape, cfg);
    const lengths = m === "conv3dTranspose" ? spatial.map((l, i) => (l === null ? null : l * axes(cfg.strides, 3)[i])) : spatial;
    if (
      (m === "conv3d" || m === "conv3dTranspose") &&
      cfg.padding === "same" &&
      negativeSamePadding(lengths, axes(cfg.kernelSize, 3), axes(cfg.strides, 3), axes(cfg.dilationRate, 3))
    ) {
      rules.push("samePadding3dNegative");
    }
    const config: Cfg = { ...cfg, activation: activationOf(cfg.activation, rules) };
    delete config.groups;
    delete config.outputPadding;
    return done([tfLayers[m](defined(config))]);
  }
  if (/^(max|average)Pooling[123]d$/.test(m)) {
    if (m.endsWith("1d") && cfg.dataFormat !== undefined) rules.push("pool1dChannelsFirst");
    if (m.endsWith("3d") && cfg.padding === "same") {
      const pool = axes(cfg.poolSize ?? 2, 3);
      if (negativeSamePadding(spatialOf(inShape, cfg), pool, cfg.strides === undefined ? pool : axes(cfg.strides, 3), [1, 1, 1]))
        rules.push("samePadding3dNegative");
    }
    return done([tfLayers[m](cfg)]);
  }
  if (/^global(Max|Average)Pooling[12]d$/.test(m)) {
    if (m.endsWith("1d") && cfg.dataFormat !== undefined) rules.push("pool1dChannelsFirst");
    const keepdims = cfg.keepdims === true;
    delete cfg.keepdims;
    const layers = [tfLayers[m](cfg)];
    if (keepdims) {
      rules.push("globalKeepdims");
      layers.push(tf.layers.reshape({ targetShape: outShape.slice(1) as number[] }));
    }
    return done(layers);
  }
  switch (m) {
    case "dense":
      return done([tfLayers.dense(defined({ ...cfg, activation: activationOf(cfg.activation, rules) }))]);
    case "activation": {
      const name = typeof call.config === "string" ? call.config : cfg.activation;
      return done([tf.layers.activation({ activation: activationOf(name, rules) as "linear" })]);
    }
    case "flatten":
      if (rank === 2) {
        rules.push("flattenRank2");
        return done([]);
      }
      if (inShape.slice(1).includes(null)) rules.push("flattenUnknown");
      return done([tf.layers.flatten(cfg)]);
    case "reshape": {
      const target = cfg.targetShape as number[];
      if (target.includes(-1)) rules.push("reshapeMinusOne");
      return done([tf.layers.reshape({ targetShape: outShape.slice(1) as number[] })]);
    }
    case "permute":
      return done([tf.layers.permute({ dims: cfg.dims as number[] })]);
    case "repeatVector":
      return done([tf.layers.repeatVector({ n: cfg.n as number })]);
    case "zeroPadding2d":
      return done([tf.layers.zeroPadding2d(cfg)]);
    case "cropping2d":
      if (spatialOf(inShape, cfg).includes(null)) return { layers: [], rules: ["croppingUnknown"] };
      return done([
        tf.layers.cropping2D({
          cropping: (cfg.cropping ?? 0) as number,
          ...(cfg.dataFormat === undefined ? {} : { dataFormat: cfg.dataFormat as "channelsFirst" }),
        }),
      ]);
    case "upSampling2d":
      // TF.js needs the size as a pair (a number silently gives null sizes).
      return done([tf.layers.upSampling2d({ ...cfg, size: axes(cfg.size ?? 2, 2) } as Parameters<typeof tf.layers.upSampling2d>[0])]);
    case "batchNormalization": {
      const axis = cfg.axis === undefined ? -1 : (cfg.axis as number);
      if (axis !== -1 && axis !== rank - 1) rules.push("batchNormAxis");
      if (rank === 5) rules.push("normalizationRank5");
      return done([tf.layers.batchNormalization(cfg)]);
    }
    case "layerNormalization":
      if (rank === 5) rules.push("normalizationRank5");
      return done([tf.layers.layerNormalization(cfg)]);
    case "dropout":
      return done([tf.layers.dropout(cfg as { rate: number })]);
    case "spatialDropout1d":
      return done([tf.layers.spatialDropout1d(cfg as { rate: number })]);
    case "gaussianDropout":
      return done([tf.layers.gaussianDropout(cfg as { rate: number })]);
    case "alphaDropout":
      return done([tf.layers.alphaDropout(cfg as { rate: number })]);
    case "spatialDropout2d":
    case "spatialDropout3d":
    case "activityRegularization":
      rules.push("identityAtInference");
      return done([]);
    case "gaussianNoise":
      return done([tf.layers.gaussianNoise(cfg as { stddev: number })]);
    case "reLU":
      if ((cfg.negativeSlope ?? 0) !== 0 || (cfg.threshold ?? 0) !== 0) rules.push("reluOptions");
      return done([tf.layers.reLU(defined({ maxValue: cfg.maxValue }))]);
    case "leakyReLU":
      return done([tf.layers.leakyReLU(cfg)]);
    case "elu":
      if ((cfg.alpha ?? 1) !== 1) return { layers: [], rules: ["eluAlpha"] };
      return done([tf.layers.elu(cfg)]);
    case "pReLU":
      return done([tf.layers.prelu(cfg)]);
    case "softmax":
      // TF.js' Softmax layer defaults to axis 1; Keras 3 to the last axis.
      return done([tf.layers.softmax({ axis: (cfg.axis as number | undefined) ?? -1 })]);
    case "rescaling":
      return done([tf.layers.rescaling(cfg as { scale: number })]);
    case "resizing":
      rules.push("resizing");
      return done([tf.layers.resizing({ height: cfg.height as number, width: cfg.width as number, interpolation: cfg.interpolation as "nearest" })]);
    case "centerCrop":
      return { layers: [], rules: ["centerCrop"] };
    case "embedding":
      return done([tf.layers.embedding(cfg as { inputDim: number; outputDim: number })]);
    case "simpleRNN":
    case "lstm":
    case "gru":
      return done([recurrentLayer(m, cfg, rules)]);
    case "bidirectional": {
      const inner = call.inner!;
      const layer = recurrentLayer(inner.method, typeof inner.config === "object" ? { ...inner.config } : {}, rules) as tf.RNN;
      return done([tf.layers.bidirectional({ layer, ...(cfg.mergeMode === undefined ? {} : { mergeMode: cfg.mergeMode as "sum" }) })]);
    }
    case "timeDistributed": {
      const inner = translate(call.inner!, [inShape[0], ...inShape.slice(2)], [outShape[0], ...outShape.slice(2)]);
      rules.push(...inner.rules);
      if (inner.layers.length !== 1) return { layers: [], rules: [...rules, "missingLayer"] };
      return done([tf.layers.timeDistributed({ layer: inner.layers[0] })]);
    }
  }
  throw new Error(`no TF.js translation for ${m}`);
}

function recurrentLayer(method: string, cfg: Cfg, rules: RuleName[]): tf.layers.Layer {
  if (method === "gru" && cfg.resetAfter !== false) rules.push("gruResetAfter");
  const config: Cfg = {
    ...cfg,
    activation: activationOf(cfg.activation ?? "tanh", rules),
    // TF.js defaults to hardSigmoid; Keras 3 to sigmoid: always give it ours.
    ...(method === "simpleRNN" ? {} : { recurrentActivation: activationOf(cfg.recurrentActivation ?? "sigmoid", rules) }),
  };
  delete config.resetAfter;
  return tfLayers[method](config);
}

/** Whether TF.js "same" padding goes negative on some axis (semantics §1.7: Keras clamps the total at 0). */
function negativeSamePadding(lengths: readonly Dim[], kernel: readonly number[], strides: readonly number[], dilation: readonly number[]): boolean {
  return lengths.some((length, i) => {
    if (length === null) return true; // unknown here: decided by the data, so treated as possibly negative
    const span = dilation[i] * (kernel[i] - 1) + 1;
    return (Math.ceil(length / strides[i]) - 1) * strides[i] + span < length;
  });
}

const defined = (o: Cfg): Cfg => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

// ---------------------------------------------------------------------------
// One stack

interface Outcome {
  readonly compared: Skip;
  readonly rules: readonly RuleName[];
  readonly worst: number;
}

const sizeOf = (shape: readonly number[]) => shape.reduce((p, d) => p * d, 1);

function randomWeights(m: Model, random: Random): Tensor[] {
  const names = m.layers.flatMap((l) => l.weightSpecs().map((s) => s.name));
  return m.getWeights().map((w, i) => {
    // Variances stay positive; everything else in [-0.5, 0.5), so that biases and statistics take part.
    const positive = /variance/.test(names[i]);
    const data = new Float32Array(w.data.length);
    for (let k = 0; k < data.length; k++) data[k] = positive ? 0.5 + random.next() : random.next() - 0.5;
    return { shape: [...w.shape], data };
  });
}

function concreteInput(s: CatalogStack, random: Random, unknownSize: number): Tensor {
  const shape = [BATCH, ...s.inputShape.map((d) => d ?? unknownSize)];
  const data = new Float32Array(sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = s.indexBound !== undefined ? Math.floor(random.next() * s.indexBound) : -2 + 4 * random.next();
  return { shape, data };
}

function tfjsCounts(tm: tf.LayersModel): { total: number; trainable: number; nonTrainable: number } {
  const count = (ws: readonly tf.LayerVariable[]) => ws.reduce((p, w) => p + sizeOf(w.shape as number[]), 0);
  const trainable = count(tm.trainableWeights);
  const nonTrainable = count(tm.nonTrainableWeights);
  return { total: tm.countParams(), trainable, nonTrainable };
}

/**
 * Compares one stack. `perturb` adds 0.05 to one weight of the TF.js copy
 * (the first of the first layer that has any), to show the comparison fails.
 */
function compareStack(s: CatalogStack, perturb = false): Outcome {
  clearSession();
  const random = createRandom(SEED + s.id);
  const ours = buildCatalogModel(s.inputShape, s.calls, s.id + 1);
  ours.setWeights(randomWeights(ours, random));

  const rules: RuleName[] = [];
  const tfLayersOfStack: tf.layers.Layer[] = [];
  let inShape: readonly Dim[] = [null, ...s.inputShape];
  for (const [i, call] of s.calls.entries()) {
    const t = translate(call, inShape, s.shapes[i]);
    rules.push(...t.rules);
    tfLayersOfStack.push(...t.layers);
    inShape = s.shapes[i];
  }
  const unique = [...new Set(rules)];
  const skip: Skip = unique.some((r) => RULES[r].skip === "all") ? "all" : unique.some((r) => RULES[r].skip === "forward") ? "forward" : "none";
  if (skip === "all") return { compared: "all", rules: unique, worst: 0 };

  const label = `stack ${s.id} ${JSON.stringify(s.inputShape)} ${s.calls.map((c) => JSON.stringify(c)).join(" ")}`;
  const tin = tf.input({ shape: s.inputShape as number[] });
  let y: tf.SymbolicTensor = tin;
  for (const layer of tfLayersOfStack) y = layer.apply(y) as tf.SymbolicTensor;
  const tm = tf.model({ inputs: tin, outputs: y });
  try {
    // Shapes and parameter counts.
    expect(ours.outputShape, `${label}: output shape`).toEqual(tm.outputs[0].shape.map((d) => d ?? null));
    const summary = ours.summaryData();
    expect({ total: ours.countParams(), trainable: summary.trainableParams, nonTrainable: summary.nonTrainableParams }, `${label}: parameters`).toEqual(
      tfjsCounts(tm),
    );
    // The same weights, in Keras order and layout. Layer by layer: a TF.js
    // model lists all trainable weights before all non-trainable ones, Keras
    // and shapewise list each layer's weights together.
    const weights = ours.getWeights();
    const perLayer = tm.layers.map((l) => l.getWeights());
    expect(
      perLayer.flat().map((w) => w.shape),
      `${label}: weight shapes`,
    ).toEqual(weights.map((w) => [...w.shape]));
    let next = 0;
    for (const [i, layer] of tm.layers.entries()) {
      const mine = weights.slice(next, next + perLayer[i].length);
      next += mine.length;
      if (mine.length === 0) continue;
      const values = mine.map((w) => Float32Array.from(w.data));
      if (perturb && next === mine.length) values[0][0] += 0.05;
      tf.tidy(() => layer.setWeights(mine.map((w, k) => tf.tensor(values[k], [...w.shape]))));
    }
    if (skip === "forward") return { compared: "forward", rules: unique, worst: 0 };

    // Unknown sizes: 6 (the largest the generator draws), doubled while the
    // windows of the stack do not fit (predict checks run-time sizes).
    let x: Tensor | undefined;
    let mine: Tensor | undefined;
    for (let size = 6; mine === undefined; size *= 2) {
      x = concreteInput(s, random, size);
      try {
        mine = ours.predict(x as never) as unknown as Tensor;
      } catch (error) {
        if (!(error instanceof ShapeError) || !s.inputShape.includes(null) || size >= 96) throw error;
      }
    }
    const xs = x!;
    const theirs = tf.tidy(() => {
      const out = tm.predict(tf.tensor(xs.data, [...xs.shape])) as tf.Tensor;
      return { shape: out.shape, data: out.dataSync().slice() };
    });
    expect(mine.shape, `${label}: forward shape`).toEqual(theirs.shape);
    const worst = expectClose(mine.data, theirs.data, label, TOL);
    return { compared: "none", rules: unique, worst };
  } finally {
    tm.dispose();
  }
}

// ---------------------------------------------------------------------------

const generationStart = performance.now();
const stacks = generateCatalogStacks({
  seed: SEED,
  count: STACKS,
  // Stacks that meet an "all" rule compare nothing: draw fewer of them, not none.
  avoid: { when: (call, shape) => wouldSkipAll(call, shape), probability: 0.7 },
});
const generationMs = performance.now() - generationStart;

function wouldSkipAll(call: CatalogCall, shape: readonly Dim[]): boolean {
  try {
    return translate(call, shape, shape).rules.some((r) => RULES[r].skip === "all");
  } catch {
    return false;
  }
}

describe("the layer catalog against TensorFlow.js on generated stacks", () => {
  const outcomes: Outcome[] = [];
  let ms = 0;

  beforeAll(async () => {
    await tf.setBackend("cpu");
    await tf.ready();
  });

  afterAll(() => {
    const layerKinds = countBy(stacks.flatMap((s) => s.calls.flatMap(methodsOf)));
    const skipsPerRule = countBy(outcomes.flatMap((o) => o.rules));
    const stacksSkipped = countBy(
      outcomes.map((o) => `compared: ${o.compared === "none" ? "everything" : o.compared === "forward" ? "shapes and parameters" : "nothing"}`),
    );
    const worst = outcomes.reduce((w, o) => Math.max(w, o.worst), 0);
    console.log(
      `catalog vs TF.js: ${stacks.length} stacks, ${stacks.reduce((s, x) => s + x.calls.length, 0)} layers, ` +
        `generated in ${Math.round(generationMs)} ms, compared in ${Math.round(ms)} ms\n` +
        `per layer kind: ${JSON.stringify(layerKinds)}\n` +
        `stacks: ${JSON.stringify(stacksSkipped)}\nstacks per rule: ${JSON.stringify(skipsPerRule)}\n` +
        `max scaled difference ${worst.toExponential(2)}; TF.js tensors left: ${tf.memory().numTensors}`,
    );
  });

  it("draws enough stacks from the whole catalog", () => {
    expect(stacks.length).toBe(STACKS);
    const kinds = countBy(stacks.flatMap((s) => s.calls.flatMap(methodsOf)));
    const catalog = [
      "conv1d",
      "conv2d",
      "conv3d",
      "conv1dTranspose",
      "conv2dTranspose",
      "conv3dTranspose",
      "separableConv1d",
      "separableConv2d",
      "depthwiseConv1d",
      "depthwiseConv2d",
      "maxPooling1d",
      "maxPooling2d",
      "maxPooling3d",
      "averagePooling1d",
      "averagePooling2d",
      "averagePooling3d",
      "globalMaxPooling1d",
      "globalMaxPooling2d",
      "globalMaxPooling3d",
      "globalAveragePooling1d",
      "globalAveragePooling2d",
      "globalAveragePooling3d",
      "reshape",
      "permute",
      "repeatVector",
      "flatten",
      "zeroPadding1d",
      "zeroPadding2d",
      "zeroPadding3d",
      "cropping1d",
      "cropping2d",
      "cropping3d",
      "upSampling1d",
      "upSampling2d",
      "upSampling3d",
      "batchNormalization",
      "layerNormalization",
      "dropout",
      "spatialDropout1d",
      "spatialDropout2d",
      "spatialDropout3d",
      "gaussianNoise",
      "gaussianDropout",
      "alphaDropout",
      "activityRegularization",
      "reLU",
      "leakyReLU",
      "pReLU",
      "elu",
      "softmax",
      "activation",
      "rescaling",
      "normalization",
      "resizing",
      "centerCrop",
      "embedding",
      "simpleRNN",
      "lstm",
      "gru",
      "bidirectional",
      "timeDistributed",
      "dense",
      "multiHeadAttention",
    ];
    for (const kind of catalog) expect(kinds[kind] ?? 0, kind).toBeGreaterThanOrEqual(3);
    const configs = stacks.flatMap((s) => s.calls.map((c) => JSON.stringify(c)));
    for (const needle of [
      '"groups":',
      '"dilationRate":',
      '"strides":',
      '"padding":"same"',
      '"padding":"causal"',
      '"outputPadding":',
      '"depthMultiplier":2',
      '"keepdims":true',
      '"dataFormat":"channelsFirst"',
      '"returnSequences":true',
      '"mergeMode":"sum"',
    ]) {
      expect(
        configs.some((c) => c.includes(needle)),
        needle,
      ).toBe(true);
    }
  });

  it(`${STACKS} stacks: output shapes, parameter counts and forward outputs agree with TF.js (or a counted rule says why not)`, { timeout: 240_000 }, () => {
    const start = performance.now();
    const failures: string[] = [];
    for (const s of stacks) {
      try {
        outcomes.push(compareStack(s));
      } catch (error) {
        const text = String(error).split("\n").slice(0, 6).join("\n");
        failures.push(
          text.includes(`stack ${s.id} `)
            ? text
            : `${text}\n  in stack ${s.id} ${JSON.stringify(s.inputShape)} ${s.calls.map((c) => JSON.stringify(c)).join(" ")}`,
        );
        outcomes.push({ compared: "all", rules: [], worst: 0 });
      }
    }
    ms = performance.now() - start;
    if (failures.length > 0) console.error(`${failures.length} disagreement(s):\n${failures.slice(0, 15).join("\n\n")}`);
    expect(failures.slice(0, 15)).toEqual([]);
    // Most stacks must really be compared, numbers included.
    const full = outcomes.filter((o) => o.compared === "none").length;
    expect(full, "stacks compared in full").toBeGreaterThanOrEqual(STACKS * 0.6);
    expect(outcomes.filter((o) => o.compared !== "all").length).toBeGreaterThanOrEqual(STACKS * 0.75);
  });

  it("a 3-D 'same' transpose whose kernel is shorter than its stride meets the negative-padding rule", () => {
    // TF.js takes this transpose as the gradient of a convolution over the
    // output (length 3 * 2 = 6), whose padding (3 - 1) * 2 + 1 - 6 is -1: it
    // reads the wrong cells, while Keras clamps the padding at 0.
    const call: CatalogCall = { method: "conv3dTranspose", config: { filters: 2, kernelSize: 1, strides: 2, padding: "same" } };
    expect(translate(call, [null, 3, 3, 3, 2], [null, 6, 6, 6, 2]).rules).toContain("samePadding3dNegative");
    const even: CatalogCall = { method: "conv3dTranspose", config: { filters: 2, kernelSize: 2, strides: 2, padding: "same" } };
    expect(translate(even, [null, 3, 3, 3, 2], [null, 6, 6, 6, 2]).rules).not.toContain("samePadding3dNegative");
  });

  it("stacks that meet no rule are compared in full", () => {
    expect(outcomes).toHaveLength(stacks.length);
    const partial = outcomes.flatMap((o, i) => (o.rules.length === 0 && o.compared !== "none" ? [i] : []));
    expect(partial).toEqual([]);
  });

  it("the comparison fails when one TF.js weight differs by 0.05", () => {
    // Stacks compared in full whose every weight takes part (no dropout of a
    // dead relu can hide the change when the first layer is dense or a convolution).
    const probes = stacks.filter((s, i) => outcomes[i]?.compared === "none" && s.params > 0 && /^(dense|conv[123]d)$/.test(s.calls[0].method)).slice(0, 30);
    expect(probes.length).toBeGreaterThanOrEqual(20);
    const caught = probes.filter((s) => {
      try {
        compareStack(s, true);
        return false;
      } catch {
        return true;
      }
    });
    expect(caught.length, `${caught.length} of ${probes.length} perturbed stacks caught`).toBeGreaterThanOrEqual(probes.length * 0.8);
  });
});
