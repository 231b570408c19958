/**
 * Random valid stacks drawn from the whole layer catalog, for the generated
 * proofs of `test/catalog-tfjs.test.ts` (against TensorFlow.js) and
 * `test/catalog-agreement.test.ts` (type level against runtime).
 *
 * A stack is an input shape and a list of layer calls (`{ method, config }`,
 * with an inner call for the `bidirectional` and `timeDistributed` wrappers).
 * fast-check (`fc.gen()`, fixed seed) draws each call from the running shape:
 * the generator knows the rank and sizes at every step and picks a layer that
 * takes that rank and options that fit those sizes (kernels no wider than the
 * input, crops that leave something, groups that divide the channels, a
 * reshape target of the same size ...). The runtime stays the judge: a call it
 * rejects with `ShapeError` is counted and redrawn, so every emitted stack is
 * one shapewise accepts. Shapes stay tiny (input sizes up to 6, 12 for a
 * vector; at most {@link MAX_VALUES} values per sample and {@link MAX_PARAMS}
 * parameters) so that thousands of stacks run a forward pass in seconds.
 *
 * @example
 * const stacks = generateCatalogStacks({ seed: 1, count: 100 });
 * const m = buildCatalogModel(stacks[0].inputShape, stacks[0].calls);
 */
import fc from "fast-check";

import { ShapeError, input, model } from "../../src/index.js";
import type { Model } from "../../src/index.js";
import { ACTIVATIONS } from "../../src/kernels/activations.js";

/**
 * A dimension: a size, or `null` when unknown.
 *
 * @example
 * const shape: Dim[] = [null, 28, 28, 1];
 */
export type Dim = number | null;

/**
 * A config value as written in source: numbers, strings, booleans, `null`, lists.
 *
 * @example
 * const v: ConfigValue = [[1, 2], [0, 0]];
 */
export type ConfigValue = number | string | boolean | null | readonly ConfigValue[];

/**
 * One layer call: the method name and its config. `inner` is the callback's
 * call of `bidirectional` and `timeDistributed`; `selfAttention` makes
 * `multiHeadAttention` take the tensor it is called on as `value`.
 *
 * @example
 * const call: CatalogCall = { method: "bidirectional", inner: { method: "lstm", config: { units: 2 } }, config: { mergeMode: "sum" } };
 */
export interface CatalogCall {
  readonly method: string;
  readonly config?: { readonly [key: string]: ConfigValue } | string;
  readonly inner?: CatalogCall;
  readonly selfAttention?: true;
}

/**
 * One generated stack with the runtime's results.
 *
 * @example
 * const [s] = generateCatalogStacks({ seed: 1, count: 1 });
 * s.outputShape; // e.g. [null, 4]
 */
export interface CatalogStack {
  readonly id: number;
  /** The `input({ shape })` argument (no batch dimension). */
  readonly inputShape: readonly Dim[];
  readonly calls: readonly CatalogCall[];
  /** Runtime output shape of every call (batch first). */
  readonly shapes: readonly (readonly Dim[])[];
  readonly outputShape: readonly Dim[];
  /** Runtime totals (`countParams()` and the summary's split). */
  readonly params: number;
  readonly trainable: number;
  readonly nonTrainable: number;
  /** Runtime multiply-accumulates per sample (`countFlops()`), `null` when a size is unknown (the type level gives `number`). */
  readonly macs: number | null;
  /** When the stack starts with `embedding`: inputs are integer indices below this. */
  readonly indexBound?: number;
  /** Calls the runtime rejected while drawing (redrawn). */
  readonly rejected: number;
}

/**
 * The most values one sample may hold after any layer.
 *
 * @example
 * stack.shapes.every((s) => s.slice(1).reduce((p, d) => p * (d ?? 6), 1) <= MAX_VALUES); // true
 */
export const MAX_VALUES = 768;
/**
 * The most parameters a stack may hold.
 *
 * @example
 * stack.params <= MAX_PARAMS; // true
 */
export const MAX_PARAMS = 20_000;

// ---------------------------------------------------------------------------
// Runtime access, loosely typed: stacks are data.

interface RuntimeTensor {
  readonly shape: readonly Dim[];
  [method: string]: unknown;
}
type Method = (this: RuntimeTensor, ...args: unknown[]) => RuntimeTensor | readonly RuntimeTensor[];
const runtimeInput = input as unknown as (config: { shape: readonly Dim[] }) => RuntimeTensor;
const runtimeModel = model as unknown as (config: { inputs: RuntimeTensor; outputs: RuntimeTensor; seed?: number }) => Model;

/**
 * Applies one call to a runtime tensor with the public method of that name
 * (the first output, for calls that return several).
 *
 * @example
 * applyCatalogCall(input({ shape: [4, 3] }), { method: "conv1d", config: { filters: 2, kernelSize: 3 } }).shape; // [null, 2, 2]
 */
export function applyCatalogCall(t: RuntimeTensor, call: CatalogCall): RuntimeTensor {
  const method = t[call.method] as Method | undefined;
  if (typeof method !== "function") throw new Error(`no method ${call.method}`);
  let result: RuntimeTensor | readonly RuntimeTensor[];
  if (call.inner !== undefined) {
    const inner = call.inner;
    result = method.call(t, (x: RuntimeTensor) => applyCatalogCall(x, inner), call.config);
  } else if (call.selfAttention) {
    result = method.call(t, { ...(call.config as object), value: t });
  } else {
    result = call.config === undefined ? method.call(t) : method.call(t, call.config);
  }
  return Array.isArray(result) ? (result as readonly RuntimeTensor[])[0] : (result as RuntimeTensor);
}

/**
 * Builds a stack's runtime model (an optional seed for its weights).
 *
 * @example
 * buildCatalogModel([8], [{ method: "dense", config: { units: 2 } }]).countParams(); // 18
 */
export function buildCatalogModel(inputShape: readonly Dim[], calls: readonly CatalogCall[], seed?: number): Model {
  const inputs = runtimeInput({ shape: inputShape });
  let t = inputs;
  for (const call of calls) t = applyCatalogCall(t, call);
  return runtimeModel({ inputs, outputs: t, ...(seed === undefined ? {} : { seed }) });
}

// ---------------------------------------------------------------------------
// Drawing helpers

type Gen = fc.GeneratorValue;
const int = (g: Gen, min: number, max: number): number => (max <= min ? min : g(fc.integer, { min, max }));
const chance = (g: Gen, p: number): boolean => int(g, 0, 9999) < p * 10000;
const pick = <T>(g: Gen, items: readonly T[]): T => items[int(g, 0, items.length - 1)];
const weighted = <T>(g: Gen, items: readonly (readonly [T, number])[]): T => {
  const live = items.filter(([, w]) => w > 0);
  const total = live.reduce((s, [, w]) => s + w, 0);
  let r = int(g, 0, total - 1);
  for (const [item, w] of live) {
    if (r < w) return item;
    r -= w;
  }
  return live[live.length - 1][0];
};
const product = (dims: readonly Dim[]): number => dims.reduce<number>((p, d) => p * (d ?? 1), 1);
const known = (d: Dim): d is number => d !== null;

/** A value written once for every axis, or as a tuple (`rank` values). */
function perAxis(g: Gen, values: readonly number[]): ConfigValue {
  if (values.every((v) => v === values[0]) && chance(g, 0.6)) return values[0];
  return values;
}

type Config = Record<string, ConfigValue>;
function maybe(g: Gen, config: Config, key: string, p: number, value: () => ConfigValue): void {
  if (chance(g, p)) config[key] = value();
}
const activationName = (g: Gen) => pick(g, ACTIVATIONS);

/** Where the spatial axes and the channels of a rank-`n + 2` shape are. */
function layoutOf(shape: readonly Dim[], first: boolean): { spatial: Dim[]; channels: Dim } {
  return first ? { spatial: shape.slice(2), channels: shape[1] } : { spatial: shape.slice(1, -1), channels: shape[shape.length - 1] };
}

/** A kernel (or pool) size and dilation that fit a length with `"valid"` padding. */
function fittingWindow(g: Gen, length: Dim, padding: string, maxK: number, dilation: number): number {
  if (padding !== "valid" || length === null) return int(g, 1, maxK);
  const maxSpan = Math.max(1, length);
  const kMax = Math.max(1, Math.min(maxK, Math.floor((maxSpan - 1) / dilation) + 1));
  return int(g, 1, kMax);
}

const divisors = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1).filter((d) => n % d === 0);

// ---------------------------------------------------------------------------
// Layer configs, by family

const SPATIAL = { 1: "1d", 2: "2d", 3: "3d" } as const;

function drawConv(g: Gen, shape: readonly Dim[], kind: "conv" | "transpose" | "depthwise" | "separable"): CatalogCall {
  const n = (shape.length - 2) as 1 | 2 | 3;
  const method = {
    conv: `conv${SPATIAL[n]}`,
    transpose: `conv${SPATIAL[n]}Transpose`,
    depthwise: `depthwiseConv${SPATIAL[n]}`,
    separable: `separableConv${SPATIAL[n]}`,
  }[kind];
  const config: Config = {};
  const first = chance(g, 0.12);
  if (first) config.dataFormat = "channelsFirst";
  const { spatial, channels } = layoutOf(shape, first);
  const c = channels ?? 1;
  const filters = int(g, 1, 5);
  if (kind !== "depthwise") config.filters = filters;
  const causal = method === "conv1d" && chance(g, 0.15);
  const padding = causal ? "causal" : chance(g, 0.5) ? "same" : "valid";
  if (padding !== "valid" || chance(g, 0.5)) config.padding = padding;
  const strided = chance(g, 0.3);
  const strides = spatial.map(() => (strided ? int(g, 1, 2) : 1));
  const dilated = !strides.some((s) => s > 1) && chance(g, 0.2);
  const dilation = spatial.map(() => (dilated ? int(g, 1, 2) : 1));
  const kernel = spatial.map((length, i) =>
    kind === "transpose" ? int(g, 1, 3) : fittingWindow(g, length, padding === "causal" ? "same" : padding, 3, dilation[i]),
  );
  config.kernelSize = n === 1 && chance(g, 0.2) ? [kernel[0]] : perAxis(g, kernel);
  if (strided) config.strides = perAxis(g, strides);
  if (dilated) config.dilationRate = perAxis(g, dilation);
  if (kind === "conv" && chance(g, 0.2)) {
    const groups = pick(g, divisors(c));
    config.groups = groups;
    config.filters = groups * int(g, 1, 2);
  }
  if (kind === "transpose" && strided && chance(g, 0.3))
    config.outputPadding = perAxis(
      g,
      strides.map((s) => int(g, 0, s - 1)),
    );
  if (kind === "depthwise" || kind === "separable") maybe(g, config, "depthMultiplier", 0.4, () => int(g, 1, 2));
  maybe(g, config, "activation", 0.35, () => activationName(g));
  maybe(g, config, "useBias", 0.3, () => chance(g, 0.5));
  return { method, config };
}

function drawPool(g: Gen, shape: readonly Dim[], kind: "max" | "average"): CatalogCall {
  const n = (shape.length - 2) as 1 | 2 | 3;
  const method = `${kind}Pooling${SPATIAL[n]}`;
  if (chance(g, 0.15) && shape.slice(1, -1).every((d) => d === null || d >= 2)) return { method };
  const config: Config = {};
  const first = n > 1 && chance(g, 0.1);
  if (first) config.dataFormat = "channelsFirst";
  const { spatial } = layoutOf(shape, first);
  const padding = chance(g, 0.4) ? "same" : "valid";
  if (padding === "same" || chance(g, 0.4)) config.padding = padding;
  const pool = spatial.map((length) => fittingWindow(g, length, padding, 3, 1));
  config.poolSize = n === 1 && chance(g, 0.2) ? [pool[0]] : perAxis(g, pool);
  maybe(g, config, "strides", 0.4, () =>
    perAxis(
      g,
      spatial.map(() => int(g, 1, 2)),
    ),
  );
  return { method, config };
}

function drawGlobalPool(g: Gen, shape: readonly Dim[]): CatalogCall {
  const n = (shape.length - 2) as 1 | 2 | 3;
  const method = `global${chance(g, 0.5) ? "Max" : "Average"}Pooling${SPATIAL[n]}`;
  const config: Config = {};
  maybe(g, config, "keepdims", 0.3, () => chance(g, 0.7));
  maybe(g, config, "dataFormat", 0.1, () => "channelsFirst");
  return Object.keys(config).length === 0 && chance(g, 0.5) ? { method } : { method, config };
}

function drawSpatialReshape(g: Gen, shape: readonly Dim[], kind: "zeroPadding" | "cropping" | "upSampling"): CatalogCall {
  const n = (shape.length - 2) as 1 | 2 | 3;
  const method = `${kind}${SPATIAL[n]}`;
  const config: Config = {};
  const first = n > 1 && chance(g, 0.1);
  if (first) config.dataFormat = "channelsFirst";
  const { spatial } = layoutOf(shape, first);
  if (kind === "zeroPadding") {
    const pairs = spatial.map(() => [int(g, 0, 2), int(g, 0, 2)] as const);
    config.padding = n === 1 ? (chance(g, 0.5) ? pairs[0][0] : pairs[0]) : chance(g, 0.3) ? pairs[0][0] : chance(g, 0.5) ? pairs.map((p) => p[0]) : pairs;
  } else if (kind === "cropping") {
    // Each axis keeps at least one entry: before + after < length.
    const pairs = spatial.map((length) => {
      const room = length === null ? 2 : Math.max(0, length - 1);
      const before = int(g, 0, Math.min(2, room));
      return [before, int(g, 0, Math.min(2, room - before))] as const;
    });
    const even = pairs.map((p) => Math.min(p[0], p[1]));
    config.cropping = n === 1 ? (chance(g, 0.4) ? even[0] : pairs[0]) : chance(g, 0.3) ? Math.min(...even) : chance(g, 0.4) ? even : pairs;
  } else {
    const sizes = spatial.map(() => int(g, 1, 2));
    config.size = n === 1 ? sizes[0] : perAxis(g, sizes);
  }
  // Now and then the defaults (padding 1, cropping 1 or 0, size 2): the runtime judges whether they fit.
  if (!first && chance(g, 0.1)) return { method };
  return { method, config };
}

function drawReshape(g: Gen, shape: readonly Dim[]): CatalogCall {
  const size = product(shape.slice(1));
  // Split the size into 1 to 3 factors, in a random order.
  const parts = int(g, 1, 3);
  const factors: number[] = [];
  let left = size;
  for (let i = 0; i < parts - 1; i++) {
    const f = pick(g, divisors(left));
    factors.push(f);
    left /= f;
  }
  factors.push(left);
  const target: number[] = factors.sort(() => (chance(g, 0.5) ? 1 : -1));
  if (chance(g, 0.3)) target[int(g, 0, target.length - 1)] = -1;
  return { method: "reshape", config: { targetShape: target } };
}

function drawPermute(g: Gen, shape: readonly Dim[]): CatalogCall {
  const axes = Array.from({ length: shape.length - 1 }, (_, i) => i + 1);
  for (let i = axes.length - 1; i > 0; i--) {
    const j = int(g, 0, i);
    [axes[i], axes[j]] = [axes[j], axes[i]];
  }
  return { method: "permute", config: { dims: axes } };
}

function drawDense(g: Gen): CatalogCall {
  const config: Config = { units: int(g, 1, 6) };
  maybe(g, config, "activation", 0.4, () => activationName(g));
  maybe(g, config, "useBias", 0.3, () => chance(g, 0.5));
  return { method: "dense", config };
}

function drawRecurrent(g: Gen, bidirectional: boolean): CatalogCall {
  const method = pick(g, ["simpleRNN", "lstm", "gru"]);
  const config: Config = { units: int(g, 1, 4) };
  maybe(g, config, "returnSequences", 0.5, () => chance(g, 0.6));
  maybe(g, config, "activation", 0.25, () => pick(g, ["tanh", "relu", "sigmoid", "linear", "softsign", "elu"]));
  if (method !== "simpleRNN") maybe(g, config, "recurrentActivation", 0.3, () => pick(g, ["sigmoid", "tanh", "hard_sigmoid", "linear"]));
  maybe(g, config, "useBias", 0.2, () => chance(g, 0.5));
  if (!bidirectional) maybe(g, config, "goBackwards", 0.15, () => chance(g, 0.7));
  if (method === "gru") maybe(g, config, "resetAfter", 0.5, () => chance(g, 0.3));
  return { method, config };
}

function drawElementwise(g: Gen, shape: readonly Dim[], method: string): CatalogCall | undefined {
  const rank = shape.length;
  const config: Config = {};
  switch (method) {
    case "activation": {
      const name = activationName(g);
      return chance(g, 0.6) ? { method, config: name } : { method, config: { activation: name } };
    }
    case "dropout":
      config.rate = pick(g, [0, 0.1, 0.5, 0.9]);
      maybe(g, config, "seed", 0.2, () => int(g, 0, 100));
      return { method, config };
    case "spatialDropout1d":
    case "spatialDropout2d":
    case "spatialDropout3d":
    case "gaussianDropout":
    case "alphaDropout":
      config.rate = pick(g, [0, 0.25, 0.5]);
      return { method, config };
    case "gaussianNoise":
      config.stddev = pick(g, [0, 0.1, 1]);
      return { method, config };
    case "activityRegularization":
      maybe(g, config, "l1", 0.5, () => pick(g, [0, 0.01]));
      maybe(g, config, "l2", 0.5, () => pick(g, [0, 0.02]));
      return Object.keys(config).length === 0 ? { method } : { method, config };
    case "reLU":
      maybe(g, config, "maxValue", 0.4, () => pick(g, [0.5, 1, 6]));
      maybe(g, config, "negativeSlope", 0.2, () => pick(g, [0, 0.1]));
      maybe(g, config, "threshold", 0.2, () => pick(g, [0, 0.5]));
      return Object.keys(config).length === 0 ? { method } : { method, config };
    case "leakyReLU":
      maybe(g, config, "alpha", 0.6, () => pick(g, [0, 0.1, 0.3, 1.5]));
      return Object.keys(config).length === 0 ? { method } : { method, config };
    case "elu":
      maybe(g, config, "alpha", 0.6, () => pick(g, [0.5, 1, 2]));
      return Object.keys(config).length === 0 ? { method } : { method, config };
    case "pReLU": {
      // Unshared axes size the weights, so they must be known.
      const unknownAxes = shape.slice(1).flatMap((d, i) => (d === null ? [i + 1] : []));
      const shared = Array.from({ length: rank - 1 }, (_, i) => i + 1).filter((a) => unknownAxes.includes(a) || (rank > 2 && a < rank - 1 && chance(g, 0.4)));
      return shared.length > 0 ? { method, config: { sharedAxes: shared.length === 1 && chance(g, 0.5) ? shared[0] : shared } } : { method };
    }
    case "softmax":
      maybe(g, config, "axis", 0.4, () => (chance(g, 0.6) ? -1 : rank - 1));
      return Object.keys(config).length === 0 ? { method } : { method, config };
    case "batchNormalization": {
      const axes = Array.from({ length: rank - 1 }, (_, i) => i + 1).filter((a) => shape[a] !== null);
      if (axes.length === 0) return undefined;
      if (shape[rank - 1] === null || chance(g, 0.15)) config.axis = pick(g, axes);
      maybe(g, config, "center", 0.2, () => chance(g, 0.5));
      maybe(g, config, "scale", 0.2, () => chance(g, 0.5));
      maybe(g, config, "epsilon", 0.2, () => pick(g, [1e-3, 0.01]));
      maybe(g, config, "momentum", 0.1, () => 0.9);
      return Object.keys(config).length === 0 ? { method } : { method, config };
    }
    case "layerNormalization": {
      const axes = Array.from({ length: rank - 1 }, (_, i) => i + 1).filter((a) => shape[a] !== null);
      if (axes.length === 0) return undefined;
      if (shape[rank - 1] === null) config.axis = pick(g, axes);
      else if (chance(g, 0.15))
        config.axis = axes
          .filter(() => chance(g, 0.6))
          .concat([rank - 1])
          .filter((a, i, all) => all.indexOf(a) === i);
      maybe(g, config, "center", 0.2, () => chance(g, 0.5));
      maybe(g, config, "scale", 0.2, () => chance(g, 0.5));
      maybe(g, config, "epsilon", 0.2, () => pick(g, [1e-3, 1e-5]));
      return Object.keys(config).length === 0 ? { method } : { method, config };
    }
    case "rescaling":
      config.scale = pick(g, [0.5, 1 / 255, 2, -1]);
      maybe(g, config, "offset", 0.4, () => pick(g, [0, -1, 0.5]));
      return { method, config };
    case "normalization": {
      const c = shape[rank - 1];
      if (rank < 2 || c === null || chance(g, 0.3))
        return { method, config: { mean: pick(g, [0, 0.5]), variance: pick(g, [1, 4]), ...(chance(g, 0.3) ? { axis: null } : {}) } };
      const stats = (lo: number, hi: number) => Array.from({ length: c }, () => lo + int(g, 0, 8) * ((hi - lo) / 8));
      return { method, config: { mean: stats(-1, 1), variance: stats(0.25, 2), ...(chance(g, 0.2) ? { invert: true } : {}) } };
    }
  }
  return undefined;
}

/** Layers that keep the shape, and the ranks (with batch) they take. */
const ELEMENTWISE: readonly (readonly [string, number, (rank: number) => boolean])[] = [
  ["activation", 5, () => true],
  ["dropout", 3, () => true],
  ["spatialDropout1d", 4, (r) => r === 3],
  ["spatialDropout2d", 4, (r) => r === 4],
  ["spatialDropout3d", 4, (r) => r === 5],
  ["gaussianDropout", 1, () => true],
  ["alphaDropout", 1, () => true],
  ["gaussianNoise", 1, () => true],
  ["activityRegularization", 1, () => true],
  ["reLU", 2, () => true],
  ["leakyReLU", 2, () => true],
  ["pReLU", 2, (r) => r >= 2],
  ["elu", 2, () => true],
  ["softmax", 2, () => true],
  ["batchNormalization", 3, (r) => r >= 2],
  ["layerNormalization", 3, (r) => r >= 2],
  ["rescaling", 1, () => true],
  ["normalization", 1, (r) => r >= 2],
];

type Family =
  | "conv"
  | "transpose"
  | "depthwise"
  | "separable"
  | "maxPool"
  | "avgPool"
  | "globalPool"
  | "zeroPadding"
  | "cropping"
  | "upSampling"
  | "reshape"
  | "permute"
  | "repeatVector"
  | "flatten"
  | "dense"
  | "elementwise"
  | "recurrent"
  | "bidirectional"
  | "timeDistributed"
  | "attention"
  | "resizing"
  | "centerCrop";

/** Which families fit a shape, and how often each is drawn. */
function familyWeights(shape: readonly Dim[]): [Family, number][] {
  const rank = shape.length;
  const size = product(shape.slice(1));
  const allKnown = shape.slice(1).every(known);
  const channels = shape[rank - 1];
  const w: [Family, number][] = [
    ["dense", channels === null ? 0 : 8],
    ["elementwise", 14],
    ["flatten", rank >= 3 ? 4 : 1],
    ["reshape", allKnown && rank >= 2 ? 3 : 0],
    ["permute", rank >= 3 ? 2 : 0],
  ];
  if (rank === 2) w.push(["repeatVector", 3]);
  if (rank >= 3 && rank <= 5) {
    const spatialDims = rank - 2;
    const k = channels !== null;
    w.push(
      ["conv", k ? 10 : 0],
      ["transpose", k && spatialDims >= 1 ? 4 : 0],
      ["depthwise", k && spatialDims <= 2 ? 4 : 0],
      ["separable", k && spatialDims <= 2 ? 4 : 0],
      ["maxPool", 4],
      ["avgPool", 4],
      ["globalPool", 3],
      ["zeroPadding", 3],
      ["cropping", 3],
      ["upSampling", 3],
    );
  }
  if (rank === 3 && channels !== null) w.push(["recurrent", 8], ["bidirectional", 5], ["attention", 3]);
  if (rank >= 3 && shape.slice(2).every(known)) w.push(["timeDistributed", rank === 3 || rank === 4 ? 4 : 0]);
  if (rank === 4) w.push(["resizing", 2], ["centerCrop", 2]);
  // Stay small: layers that grow a sample are drawn less once it is large.
  if (size > 200) for (const e of w) if (["transpose", "upSampling", "zeroPadding", "repeatVector", "resizing"].includes(e[0])) e[1] = 0;
  return w;
}

function drawCall(g: Gen, shape: readonly Dim[]): CatalogCall | undefined {
  const family = weighted(g, familyWeights(shape));
  const rank = shape.length;
  switch (family) {
    case "conv":
    case "transpose":
    case "depthwise":
    case "separable":
      return drawConv(g, shape, family);
    case "maxPool":
      return drawPool(g, shape, "max");
    case "avgPool":
      return drawPool(g, shape, "average");
    case "globalPool":
      return drawGlobalPool(g, shape);
    case "zeroPadding":
    case "cropping":
    case "upSampling":
      return drawSpatialReshape(g, shape, family);
    case "reshape":
      return drawReshape(g, shape);
    case "permute":
      return drawPermute(g, shape);
    case "repeatVector":
      return { method: "repeatVector", config: { n: int(g, 1, 3) } };
    case "flatten":
      return chance(g, 0.1) ? { method: "flatten", config: {} } : { method: "flatten" };
    case "dense":
      return drawDense(g);
    case "elementwise": {
      const method = weighted(
        g,
        ELEMENTWISE.map(([m, wt, ok]) => [m, ok(rank) ? wt : 0] as const),
      );
      return drawElementwise(g, shape, method);
    }
    case "recurrent":
      return { ...drawRecurrent(g, false) };
    case "bidirectional": {
      const inner = drawRecurrent(g, true);
      const mergeMode = pick(g, [undefined, "concat", "sum", "mul", "ave"]);
      return mergeMode === undefined ? { method: "bidirectional", inner } : { method: "bidirectional", inner, config: { mergeMode } };
    }
    case "timeDistributed": {
      // The inner layer sees one step: [batch, ...shape after the steps].
      const inner = rank === 4 && shape[3] !== null && chance(g, 0.4) ? drawConv(g, [shape[0], ...shape.slice(2)], "conv") : drawDense(g);
      return { method: "timeDistributed", inner };
    }
    case "attention": {
      const config: Config = { numHeads: int(g, 1, 2), keyDim: int(g, 1, 3) };
      maybe(g, config, "valueDim", 0.3, () => int(g, 1, 3));
      maybe(g, config, "outputShape", 0.3, () => int(g, 1, 4));
      maybe(g, config, "useBias", 0.2, () => chance(g, 0.5));
      return { method: "multiHeadAttention", config, selfAttention: true };
    }
    case "resizing": {
      const config: Config = { height: int(g, 1, 5), width: int(g, 1, 5) };
      maybe(g, config, "interpolation", 0.5, () => pick(g, ["bilinear", "nearest"]));
      maybe(g, config, "cropToAspectRatio", 0.2, () => chance(g, 0.5));
      return { method: "resizing", config };
    }
    case "centerCrop":
      return { method: "centerCrop", config: { height: int(g, 1, 4), width: int(g, 1, 4) } };
  }
}

// ---------------------------------------------------------------------------
// Stacks

function drawInputShape(g: Gen): { shape: Dim[]; embedding?: CatalogCall } {
  const size = () => int(g, 1, 6);
  const maybeNull = (d: number): Dim => (chance(g, 0.06) ? null : d);
  const rank = weighted(g, [
    [0, 8],
    [1, 18],
    [2, 22],
    [3, 30],
    [4, 14],
  ] as const);
  switch (rank) {
    case 0: {
      // a sequence of indices, then an embedding: [steps] -> [steps, outputDim]
      const inputDim = int(g, 2, 12);
      return { shape: [maybeNull(size())], embedding: { method: "embedding", config: { inputDim, outputDim: int(g, 1, 5) } } };
    }
    case 1:
      return { shape: [int(g, 1, 12)] };
    case 2:
      return { shape: [maybeNull(size()), int(g, 1, 6)] };
    case 3:
      return { shape: [maybeNull(size()), maybeNull(size()), int(g, 1, 4)] };
    default:
      return { shape: [int(g, 1, 4), int(g, 1, 4), int(g, 1, 4), int(g, 1, 3)] };
  }
}

/** How many values a shape holds per sample (unknown sizes counted as 6, the largest drawn). */
const valuesOf = (shape: readonly Dim[]): number => shape.slice(1).reduce<number>((p, d) => p * (d ?? 6), 1);

/**
 * What {@link generateCatalogStacks} draws.
 *
 * @example
 * const options: CatalogOptions = { seed: 7, count: 500, maxLayers: 6 };
 */
export interface CatalogOptions {
  readonly seed: number;
  readonly count: number;
  /** Layer calls per stack (inclusive). */
  readonly minLayers?: number;
  readonly maxLayers?: number;
  /**
   * Redraws a call for which this returns true with the given probability:
   * lets a test lower the share of some calls (those TF.js cannot compare)
   * without removing them.
   */
  readonly avoid?: { readonly when: (call: CatalogCall, shape: readonly Dim[]) => boolean; readonly probability: number };
  /** Called with every call the runtime rejected while drawing. */
  readonly onRejected?: (rejected: { inputShape: readonly Dim[]; calls: readonly CatalogCall[]; call: CatalogCall; message: string }) => void;
}

/** Per-layer runtime parameter counts, read from the layers along the chain. */
interface RuntimeNode {
  readonly shape: readonly Dim[];
  readonly layer: { countParams(): number };
  readonly inbound: readonly RuntimeNode[];
}
function paramsAlong(t: RuntimeTensor): number {
  let sum = 0;
  for (let node = t as unknown as RuntimeNode; node.inbound.length > 0; node = node.inbound[0]) sum += node.layer.countParams();
  return sum;
}

function drawStack(g: Gen, id: number, options: CatalogOptions): CatalogStack {
  const { shape: inputShape, embedding } = drawInputShape(g);
  const length = int(g, options.minLayers ?? 1, options.maxLayers ?? 5);
  const inputs = runtimeInput({ shape: inputShape });
  let t = inputs;
  const calls: CatalogCall[] = [];
  const shapes: Dim[][] = [];
  let rejected = 0;
  const keep = (call: CatalogCall, next: RuntimeTensor) => {
    calls.push(call);
    shapes.push([...next.shape]);
    t = next;
  };
  if (embedding !== undefined) keep(embedding, applyCatalogCall(t, embedding));
  for (let attempts = 0; calls.length < length && attempts < 60; attempts++) {
    const call = drawCall(g, t.shape);
    if (call === undefined) continue;
    if (options.avoid?.when(call, t.shape) && chance(g, options.avoid.probability)) continue;
    try {
      const next = applyCatalogCall(t, call);
      if (valuesOf(next.shape) > MAX_VALUES || paramsAlong(next) > MAX_PARAMS) continue;
      keep(call, next);
    } catch (error) {
      if (!(error instanceof ShapeError)) throw new Error(`case ${id}: ${JSON.stringify(call)} on ${JSON.stringify(t.shape)} threw ${String(error)}`);
      options.onRejected?.({ inputShape, calls: [...calls], call, message: error.message });
      rejected++;
    }
  }
  if (calls.length === 0) keep({ method: "activation", config: "relu" }, applyCatalogCall(t, { method: "activation", config: "relu" }));
  const m = runtimeModel({ inputs, outputs: t });
  const data = m.summaryData();
  return {
    id,
    inputShape,
    calls,
    shapes,
    outputShape: [...m.outputShape],
    params: m.countParams(),
    trainable: data.trainableParams,
    nonTrainable: data.nonTrainableParams,
    macs: data.rows.some((row) => row.macs === null) ? null : m.countFlops(),
    ...(embedding !== undefined ? { indexBound: (embedding.config as { inputDim: number }).inputDim } : {}),
    rejected,
  };
}

/**
 * `count` stacks, one `fc.gen()` each from the fixed seed.
 *
 * @example
 * generateCatalogStacks({ seed: 20261201, count: 1000 }).length; // 1000
 */
export function generateCatalogStacks(options: CatalogOptions): CatalogStack[] {
  const gens = fc.sample(fc.gen(), { seed: options.seed, numRuns: options.count });
  return gens.map((g, id) => drawStack(g, id, options));
}

/**
 * The method names a call counts for: a wrapper also as `wrapper(inner)`.
 *
 * @example
 * methodsOf({ method: "timeDistributed", inner: { method: "dense", config: { units: 2 } } }); // ["timeDistributed", "timeDistributed(dense)"]
 */
export function methodsOf(call: CatalogCall): string[] {
  return call.inner === undefined ? [call.method] : [call.method, `${call.method}(${call.inner.method})`];
}

// ---------------------------------------------------------------------------
// Source rendering (for the type-level side)

function valueSource(v: ConfigValue): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return `[${v.map(valueSource).join(", ")}]`;
  if (typeof v === "string") return JSON.stringify(v);
  return String(v);
}

function configSource(config: CatalogCall["config"], extra?: string): string {
  if (config === undefined) return extra === undefined ? "" : `{ ${extra} }`;
  if (typeof config === "string") return JSON.stringify(config);
  const entries = Object.entries(config).map(([k, v]) => `${k}: ${valueSource(v)}`);
  if (extra !== undefined) entries.push(extra);
  return entries.length === 0 ? "{}" : `{ ${entries.join(", ")} }`;
}

/**
 * A call as source on a receiver expression: `x.conv2d({ filters: 2, kernelSize: 3 })`,
 * `x.bidirectional((t) => t.lstm({ units: 2 }), { mergeMode: "sum" })`,
 * `x.multiHeadAttention({ numHeads: 1, keyDim: 2 })` (self-attention: the value left out).
 *
 * @example
 * catalogCallSource("x", { method: "dense", config: { units: 2 } }); // "x.dense({ units: 2 })"
 */
export function catalogCallSource(receiver: string, call: CatalogCall): string {
  if (call.inner !== undefined) {
    const inner = catalogCallSource("t", call.inner);
    return `${receiver}.${call.method}((t) => ${inner}${call.config === undefined ? "" : `, ${configSource(call.config)}`})`;
  }
  return `${receiver}.${call.method}(${configSource(call.config)})`;
}

/**
 * A shape as a tuple type.
 *
 * @example
 * shapeText([null, 28, 28, 1]); // "[null, 28, 28, 1]"
 */
export function shapeText(shape: readonly Dim[]): string {
  return `[${shape.map((d) => (d === null ? "null" : String(d))).join(", ")}]`;
}
