/**
 * The valid options of each layer method, drawn in one place for every
 * generator of the tests: the catalog stacks (`catalog-generator.ts`), the
 * rejection/agreement stacks (`stack-generator.ts`) and the functional graphs
 * (`graph-generator.ts`).
 *
 * Each `draw*` function takes the running input shape (rank and sizes, batch
 * first) and draws options that fit it: kernels and pools no wider than a
 * `"valid"` axis, crops that leave something, groups that divide the
 * channels, a reshape target of the same size, normalisation axes that are
 * known. {@link ELEMENTWISE_LAYERS} says which ranks the shape-keeping layers
 * take. The option helpers ({@link withActivationAndBias},
 * {@link activationArgument}, {@link dropoutConfig}) are shared by layers
 * whose options repeat (dense, convolutions, activation, dropout); a generator
 * chooses only how often an option is written and the ranges of its sizes.
 *
 * Every function draws through a {@link Draw}, so a generator keeps its own
 * random source (a `fc.gen()` value) and its own number of draws per choice.
 *
 * @example
 * const d = drawFrom(g); // g: a fast-check `fc.gen()` value
 * drawDense(d); // e.g. { method: "dense", config: { units: 3, activation: "relu" } }
 * drawConv(d, [null, 6, 6, 2], "conv"); // e.g. { method: "conv2d", config: { filters: 2, kernelSize: 3 } }
 */
import fc from "fast-check";

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
 * A drawn layer call: the method name and its config (none, a string such as
 * `activation("relu")`, or an object).
 *
 * @example
 * const call: DrawnCall = { method: "dense", config: { units: 2 } };
 */
export interface DrawnCall {
  readonly method: string;
  readonly config?: { readonly [key: string]: ConfigValue } | string;
}

/**
 * The random choices a generator makes: an integer in `min..max`, a chance
 * with probability `p`, one of some items.
 *
 * @example
 * const kernel = d.chance(0.5) ? d.int(1, 3) : d.pick([1, 5]);
 */
export interface Draw {
  int(min: number, max: number): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
}

/**
 * The {@link Draw} of a fast-check `fc.gen()` value: an empty range draws
 * nothing, a chance is one integer below 10,000.
 *
 * @example
 * const [g] = fc.sample(fc.gen(), { seed: 1, numRuns: 1 });
 * drawFrom(g).int(1, 6); // 1..6
 */
export function drawFrom(g: fc.GeneratorValue): Draw {
  const int = (min: number, max: number): number => (max <= min ? min : g(fc.integer, { min, max }));
  return {
    int,
    chance: (p) => int(0, 9999) < p * 10000,
    pick: (items) => items[int(0, items.length - 1)],
  };
}

/**
 * How many values a shape holds (unknown sizes counted as 1).
 *
 * @example
 * product([null, 2, 3]); // 6
 */
export const product = (dims: readonly Dim[]): number => dims.reduce<number>((p, dim) => p * (dim ?? 1), 1);

/**
 * How often {@link withActivationAndBias} writes each option.
 *
 * @example
 * const often: ActivationAndBias = { activation: 0.4, useBias: 0.3 };
 */
export interface ActivationAndBias {
  /** The chance that `activation` is written. */
  readonly activation: number;
  /** The names it draws from (every activation by default). */
  readonly names?: readonly string[];
  /** The chance that `useBias` is written. */
  readonly useBias: number;
  /** The value `useBias` takes when written (drawn evenly when left out). */
  readonly useBiasValue?: boolean;
}

/**
 * Adds the `activation` and `useBias` options of dense and convolution
 * layers to a config, each now and then.
 *
 * @example
 * withActivationAndBias(d, { units: 4 }, { activation: 0.4, useBias: 0.3 }); // e.g. { units: 4, useBias: false }
 */
export function withActivationAndBias<C extends Record<string, unknown>>(
  d: Draw,
  config: C,
  often: ActivationAndBias,
): C & { activation?: string; useBias?: boolean } {
  const out: C & { activation?: string; useBias?: boolean } = config;
  if (d.chance(often.activation)) out.activation = d.pick(often.names ?? ACTIVATIONS);
  if (d.chance(often.useBias)) out.useBias = often.useBiasValue ?? d.chance(0.5);
  return out;
}

/**
 * The argument of `activation(...)`: a name, written as the string itself
 * with chance `asString`, else as `{ activation: name }` (always, when
 * `asString` is left out).
 *
 * @example
 * activationArgument(d, { asString: 0.6 }); // e.g. "relu" or { activation: "tanh" }
 */
export function activationArgument(d: Draw, options?: { readonly names?: readonly string[] }): { activation: string };
export function activationArgument(d: Draw, options: { readonly asString: number; readonly names?: readonly string[] }): string | { activation: string };
export function activationArgument(d: Draw, options: { readonly asString?: number; readonly names?: readonly string[] } = {}): string | { activation: string } {
  const name = d.pick(options.names ?? ACTIVATIONS);
  if (options.asString === undefined) return { activation: name };
  return d.chance(options.asString) ? name : { activation: name };
}

/**
 * A dropout config: the rate given, and now and then a `seed` in `0..max`.
 *
 * @example
 * dropoutConfig(d, 0.5, { chance: 0.2, max: 100 }); // e.g. { rate: 0.5, seed: 42 }
 */
export function dropoutConfig(d: Draw, rate: number, seed?: { readonly chance: number; readonly max: number }): { rate: number; seed?: number } {
  const config: { rate: number; seed?: number } = { rate };
  if (seed !== undefined && d.chance(seed.chance)) config.seed = d.int(0, seed.max);
  return config;
}

/** A value written once for every axis, or as a tuple (`rank` values). */
function perAxis(d: Draw, values: readonly number[]): ConfigValue {
  if (values.every((v) => v === values[0]) && d.chance(0.6)) return values[0];
  return values;
}

type Config = Record<string, ConfigValue>;
function maybe(d: Draw, config: Config, key: string, p: number, value: () => ConfigValue): void {
  if (d.chance(p)) config[key] = value();
}

/** Where the spatial axes and the channels of a rank-`n + 2` shape are. */
function layoutOf(shape: readonly Dim[], first: boolean): { spatial: Dim[]; channels: Dim } {
  return first ? { spatial: shape.slice(2), channels: shape[1] } : { spatial: shape.slice(1, -1), channels: shape[shape.length - 1] };
}

/** A kernel (or pool) size and dilation that fit a length with `"valid"` padding. */
function fittingWindow(d: Draw, length: Dim, padding: string, maxK: number, dilation: number): number {
  if (padding !== "valid" || length === null) return d.int(1, maxK);
  const maxSpan = Math.max(1, length);
  const kMax = Math.max(1, Math.min(maxK, Math.floor((maxSpan - 1) / dilation) + 1));
  return d.int(1, kMax);
}

/**
 * The divisors of `n`, in order.
 *
 * @example
 * divisors(6); // [1, 2, 3, 6]
 */
export const divisors = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1).filter((k) => n % k === 0);

// ---------------------------------------------------------------------------
// Layer configs, by family

const SPATIAL = { 1: "1d", 2: "2d", 3: "3d" } as const;

/**
 * A convolution of the rank of `shape` (rank 3 to 5): plain, transposed, depthwise or separable, with a kernel that fits each axis, groups that divide the channels and an output padding below the strides.
 *
 * @example
 * drawConv(d, [null, 5, 3], "conv"); // e.g. { method: "conv1d", config: { filters: 2, kernelSize: 3 } }
 */
export function drawConv(d: Draw, shape: readonly Dim[], kind: "conv" | "transpose" | "depthwise" | "separable"): DrawnCall {
  const n = (shape.length - 2) as 1 | 2 | 3;
  const method = {
    conv: `conv${SPATIAL[n]}`,
    transpose: `conv${SPATIAL[n]}Transpose`,
    depthwise: `depthwiseConv${SPATIAL[n]}`,
    separable: `separableConv${SPATIAL[n]}`,
  }[kind];
  const config: Config = {};
  const first = d.chance(0.12);
  if (first) config.dataFormat = "channelsFirst";
  const { spatial, channels } = layoutOf(shape, first);
  const c = channels ?? 1;
  const filters = d.int(1, 5);
  if (kind !== "depthwise") config.filters = filters;
  const causal = method === "conv1d" && d.chance(0.15);
  const padding = causal ? "causal" : d.chance(0.5) ? "same" : "valid";
  if (padding !== "valid" || d.chance(0.5)) config.padding = padding;
  const strided = d.chance(0.3);
  const strides = spatial.map(() => (strided ? d.int(1, 2) : 1));
  const dilated = !strides.some((s) => s > 1) && d.chance(0.2);
  const dilation = spatial.map(() => (dilated ? d.int(1, 2) : 1));
  const kernel = spatial.map((length, i) =>
    kind === "transpose" ? d.int(1, 3) : fittingWindow(d, length, padding === "causal" ? "same" : padding, 3, dilation[i]),
  );
  config.kernelSize = n === 1 && d.chance(0.2) ? [kernel[0]] : perAxis(d, kernel);
  if (strided) config.strides = perAxis(d, strides);
  if (dilated) config.dilationRate = perAxis(d, dilation);
  if (kind === "conv" && d.chance(0.2)) {
    const groups = d.pick(divisors(c));
    config.groups = groups;
    config.filters = groups * d.int(1, 2);
  }
  if (kind === "transpose" && strided && d.chance(0.3))
    config.outputPadding = perAxis(
      d,
      strides.map((s) => d.int(0, s - 1)),
    );
  if (kind === "depthwise" || kind === "separable") maybe(d, config, "depthMultiplier", 0.4, () => d.int(1, 2));
  return { method, config: withActivationAndBias(d, config, { activation: 0.35, useBias: 0.3 }) };
}

/**
 * A max or average pooling of the rank of `shape` (rank 3 to 5), with a pool that fits each `"valid"` axis.
 *
 * @example
 * drawPool(d, [null, 4, 4, 2], "max"); // e.g. { method: "maxPooling2d", config: { poolSize: 2 } }
 */
export function drawPool(d: Draw, shape: readonly Dim[], kind: "max" | "average"): DrawnCall {
  const n = (shape.length - 2) as 1 | 2 | 3;
  const method = `${kind}Pooling${SPATIAL[n]}`;
  if (d.chance(0.15) && shape.slice(1, -1).every((dim) => dim === null || dim >= 2)) return { method };
  const config: Config = {};
  const first = n > 1 && d.chance(0.1);
  if (first) config.dataFormat = "channelsFirst";
  const { spatial } = layoutOf(shape, first);
  const padding = d.chance(0.4) ? "same" : "valid";
  if (padding === "same" || d.chance(0.4)) config.padding = padding;
  const pool = spatial.map((length) => fittingWindow(d, length, padding, 3, 1));
  config.poolSize = n === 1 && d.chance(0.2) ? [pool[0]] : perAxis(d, pool);
  maybe(d, config, "strides", 0.4, () =>
    perAxis(
      d,
      spatial.map(() => d.int(1, 2)),
    ),
  );
  return { method, config };
}

/**
 * A global max or average pooling of the rank of `shape` (rank 3 to 5).
 *
 * @example
 * drawGlobalPool(d, [null, 4, 2]); // e.g. { method: "globalMaxPooling1d" }
 */
export function drawGlobalPool(d: Draw, shape: readonly Dim[]): DrawnCall {
  const n = (shape.length - 2) as 1 | 2 | 3;
  const method = `global${d.chance(0.5) ? "Max" : "Average"}Pooling${SPATIAL[n]}`;
  const config: Config = {};
  maybe(d, config, "keepdims", 0.3, () => d.chance(0.7));
  maybe(d, config, "dataFormat", 0.1, () => "channelsFirst");
  return Object.keys(config).length === 0 && d.chance(0.5) ? { method } : { method, config };
}

/**
 * A zero padding, cropping (each axis keeps one entry) or up-sampling of the rank of `shape` (rank 3 to 5).
 *
 * @example
 * drawSpatialReshape(d, [null, 4, 2], "cropping"); // e.g. { method: "cropping1d", config: { cropping: [1, 0] } }
 */
export function drawSpatialReshape(d: Draw, shape: readonly Dim[], kind: "zeroPadding" | "cropping" | "upSampling"): DrawnCall {
  const n = (shape.length - 2) as 1 | 2 | 3;
  const method = `${kind}${SPATIAL[n]}`;
  const config: Config = {};
  const first = n > 1 && d.chance(0.1);
  if (first) config.dataFormat = "channelsFirst";
  const { spatial } = layoutOf(shape, first);
  if (kind === "zeroPadding") {
    const pairs = spatial.map(() => [d.int(0, 2), d.int(0, 2)] as const);
    config.padding = n === 1 ? (d.chance(0.5) ? pairs[0][0] : pairs[0]) : d.chance(0.3) ? pairs[0][0] : d.chance(0.5) ? pairs.map((p) => p[0]) : pairs;
  } else if (kind === "cropping") {
    // Each axis keeps at least one entry: before + after < length.
    const pairs = spatial.map((length) => {
      const room = length === null ? 2 : Math.max(0, length - 1);
      const before = d.int(0, Math.min(2, room));
      return [before, d.int(0, Math.min(2, room - before))] as const;
    });
    const even = pairs.map((p) => Math.min(p[0], p[1]));
    config.cropping = n === 1 ? (d.chance(0.4) ? even[0] : pairs[0]) : d.chance(0.3) ? Math.min(...even) : d.chance(0.4) ? even : pairs;
  } else {
    const sizes = spatial.map(() => d.int(1, 2));
    config.size = n === 1 ? sizes[0] : perAxis(d, sizes);
  }
  // Now and then the defaults (padding 1, cropping 1 or 0, size 2): the runtime judges whether they fit.
  if (!first && d.chance(0.1)) return { method };
  return { method, config };
}

/**
 * A `reshape` whose target holds the same number of values as `shape` (all sizes known), now and then with one `-1`.
 *
 * @example
 * drawReshape(d, [null, 2, 6]); // e.g. { method: "reshape", config: { targetShape: [3, 4] } }
 */
export function drawReshape(d: Draw, shape: readonly Dim[]): DrawnCall {
  const size = product(shape.slice(1));
  // Split the size into 1 to 3 factors, in a random order.
  const parts = d.int(1, 3);
  const factors: number[] = [];
  let left = size;
  for (let i = 0; i < parts - 1; i++) {
    const f = d.pick(divisors(left));
    factors.push(f);
    left /= f;
  }
  factors.push(left);
  const target: number[] = factors.sort(() => (d.chance(0.5) ? 1 : -1));
  if (d.chance(0.3)) target[d.int(0, target.length - 1)] = -1;
  return { method: "reshape", config: { targetShape: target } };
}

/**
 * A `permute` of the axes of `shape` after the batch.
 *
 * @example
 * drawPermute(d, [null, 2, 3, 4]); // e.g. { method: "permute", config: { dims: [3, 1, 2] } }
 */
export function drawPermute(d: Draw, shape: readonly Dim[]): DrawnCall {
  const axes = Array.from({ length: shape.length - 1 }, (_, i) => i + 1);
  for (let i = axes.length - 1; i > 0; i--) {
    const j = d.int(0, i);
    [axes[i], axes[j]] = [axes[j], axes[i]];
  }
  return { method: "permute", config: { dims: axes } };
}

/**
 * A `dense` call (any rank of input with known last size).
 *
 * @example
 * drawDense(d); // e.g. { method: "dense", config: { units: 4, useBias: false } }
 */
export function drawDense(d: Draw): DrawnCall {
  return { method: "dense", config: withActivationAndBias(d, { units: d.int(1, 6) }, { activation: 0.4, useBias: 0.3 }) };
}

/**
 * A `simpleRNN`, `lstm` or `gru` call (rank-3 input with known features); `bidirectional` leaves out `goBackwards`, which the wrapper sets.
 *
 * @example
 * drawRecurrent(d, false); // e.g. { method: "lstm", config: { units: 2, returnSequences: true } }
 */
export function drawRecurrent(d: Draw, bidirectional: boolean): DrawnCall {
  const method = d.pick(["simpleRNN", "lstm", "gru"]);
  const config: Config = { units: d.int(1, 4) };
  maybe(d, config, "returnSequences", 0.5, () => d.chance(0.6));
  maybe(d, config, "activation", 0.25, () => d.pick(["tanh", "relu", "sigmoid", "linear", "softsign", "elu"]));
  if (method !== "simpleRNN") maybe(d, config, "recurrentActivation", 0.3, () => d.pick(["sigmoid", "tanh", "hard_sigmoid", "linear"]));
  maybe(d, config, "useBias", 0.2, () => d.chance(0.5));
  if (!bidirectional) maybe(d, config, "goBackwards", 0.15, () => d.chance(0.7));
  if (method === "gru") maybe(d, config, "resetAfter", 0.5, () => d.chance(0.3));
  return { method, config };
}

/**
 * The options of a shape-keeping layer (see {@link ELEMENTWISE_LAYERS}) for `shape`, or `undefined` when none fits (normalisation with no known axis).
 *
 * @example
 * drawElementwise(d, [null, 4], "dropout"); // e.g. { method: "dropout", config: { rate: 0.5 } }
 */
export function drawElementwise(d: Draw, shape: readonly Dim[], method: string): DrawnCall | undefined {
  const rank = shape.length;
  const config: Config = {};
  switch (method) {
    case "activation":
      return { method, config: activationArgument(d, { asString: 0.6 }) };
    case "dropout":
      return { method, config: dropoutConfig(d, d.pick([0, 0.1, 0.5, 0.9]), { chance: 0.2, max: 100 }) };
    case "spatialDropout1d":
    case "spatialDropout2d":
    case "spatialDropout3d":
    case "gaussianDropout":
    case "alphaDropout":
      config.rate = d.pick([0, 0.25, 0.5]);
      return { method, config };
    case "gaussianNoise":
      config.stddev = d.pick([0, 0.1, 1]);
      return { method, config };
    case "activityRegularization":
      maybe(d, config, "l1", 0.5, () => d.pick([0, 0.01]));
      maybe(d, config, "l2", 0.5, () => d.pick([0, 0.02]));
      return Object.keys(config).length === 0 ? { method } : { method, config };
    case "reLU":
      maybe(d, config, "maxValue", 0.4, () => d.pick([0.5, 1, 6]));
      maybe(d, config, "negativeSlope", 0.2, () => d.pick([0, 0.1]));
      maybe(d, config, "threshold", 0.2, () => d.pick([0, 0.5]));
      return Object.keys(config).length === 0 ? { method } : { method, config };
    case "leakyReLU":
      maybe(d, config, "alpha", 0.6, () => d.pick([0, 0.1, 0.3, 1.5]));
      return Object.keys(config).length === 0 ? { method } : { method, config };
    case "elu":
      maybe(d, config, "alpha", 0.6, () => d.pick([0.5, 1, 2]));
      return Object.keys(config).length === 0 ? { method } : { method, config };
    case "pReLU": {
      // Unshared axes size the weights, so they must be known.
      const unknownAxes = shape.slice(1).flatMap((dim, i) => (dim === null ? [i + 1] : []));
      const shared = Array.from({ length: rank - 1 }, (_, i) => i + 1).filter((a) => unknownAxes.includes(a) || (rank > 2 && a < rank - 1 && d.chance(0.4)));
      return shared.length > 0 ? { method, config: { sharedAxes: shared.length === 1 && d.chance(0.5) ? shared[0] : shared } } : { method };
    }
    case "softmax":
      maybe(d, config, "axis", 0.4, () => (d.chance(0.6) ? -1 : rank - 1));
      return Object.keys(config).length === 0 ? { method } : { method, config };
    case "batchNormalization": {
      const axes = Array.from({ length: rank - 1 }, (_, i) => i + 1).filter((a) => shape[a] !== null);
      if (axes.length === 0) return undefined;
      if (shape[rank - 1] === null || d.chance(0.15)) config.axis = d.pick(axes);
      maybe(d, config, "center", 0.2, () => d.chance(0.5));
      maybe(d, config, "scale", 0.2, () => d.chance(0.5));
      maybe(d, config, "epsilon", 0.2, () => d.pick([1e-3, 0.01]));
      maybe(d, config, "momentum", 0.1, () => 0.9);
      return Object.keys(config).length === 0 ? { method } : { method, config };
    }
    case "layerNormalization": {
      const axes = Array.from({ length: rank - 1 }, (_, i) => i + 1).filter((a) => shape[a] !== null);
      if (axes.length === 0) return undefined;
      if (shape[rank - 1] === null) config.axis = d.pick(axes);
      else if (d.chance(0.15))
        config.axis = axes
          .filter(() => d.chance(0.6))
          .concat([rank - 1])
          .filter((a, i, all) => all.indexOf(a) === i);
      maybe(d, config, "center", 0.2, () => d.chance(0.5));
      maybe(d, config, "scale", 0.2, () => d.chance(0.5));
      maybe(d, config, "epsilon", 0.2, () => d.pick([1e-3, 1e-5]));
      return Object.keys(config).length === 0 ? { method } : { method, config };
    }
    case "rescaling":
      config.scale = d.pick([0.5, 1 / 255, 2, -1]);
      maybe(d, config, "offset", 0.4, () => d.pick([0, -1, 0.5]));
      return { method, config };
    case "normalization": {
      const c = shape[rank - 1];
      if (rank < 2 || c === null || d.chance(0.3))
        return { method, config: { mean: d.pick([0, 0.5]), variance: d.pick([1, 4]), ...(d.chance(0.3) ? { axis: null } : {}) } };
      const stats = (lo: number, hi: number) => Array.from({ length: c }, () => lo + d.int(0, 8) * ((hi - lo) / 8));
      return { method, config: { mean: stats(-1, 1), variance: stats(0.25, 2), ...(d.chance(0.2) ? { invert: true } : {}) } };
    }
  }
  return undefined;
}

/**
 * Layers that keep the shape: the method, how often the catalog draws it, and
 * the ranks (batch included) it takes.
 *
 * @example
 * ELEMENTWISE_LAYERS.filter(([, , takes]) => takes(3)).map(([m]) => m); // includes "spatialDropout1d"
 */
export const ELEMENTWISE_LAYERS: readonly (readonly [string, number, (rank: number) => boolean])[] = [
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
/**
 * A `repeatVector` call (rank-2 input).
 *
 * @example
 * drawRepeatVector(d); // e.g. { method: "repeatVector", config: { n: 2 } }
 */
export function drawRepeatVector(d: Draw): DrawnCall {
  return { method: "repeatVector", config: { n: d.int(1, 3) } };
}

/**
 * A `flatten` call, now and then with an empty config.
 *
 * @example
 * drawFlatten(d, 0.1); // { method: "flatten" } or { method: "flatten", config: {} }
 */
export function drawFlatten(d: Draw, emptyConfig: number): DrawnCall {
  return d.chance(emptyConfig) ? { method: "flatten", config: {} } : { method: "flatten" };
}

/**
 * A `multiHeadAttention` config (rank-3 input with known features; the
 * caller passes the tensor as `value` too, for self-attention).
 *
 * @example
 * drawAttention(d); // e.g. { method: "multiHeadAttention", config: { numHeads: 2, keyDim: 3 } }
 */
export function drawAttention(d: Draw): DrawnCall {
  const config: Config = { numHeads: d.int(1, 2), keyDim: d.int(1, 3) };
  maybe(d, config, "valueDim", 0.3, () => d.int(1, 3));
  maybe(d, config, "outputShape", 0.3, () => d.int(1, 4));
  maybe(d, config, "useBias", 0.2, () => d.chance(0.5));
  return { method: "multiHeadAttention", config };
}

/**
 * A `resizing` call (rank-4 input).
 *
 * @example
 * drawResizing(d); // e.g. { method: "resizing", config: { height: 3, width: 5, interpolation: "nearest" } }
 */
export function drawResizing(d: Draw): DrawnCall {
  const config: Config = { height: d.int(1, 5), width: d.int(1, 5) };
  maybe(d, config, "interpolation", 0.5, () => d.pick(["bilinear", "nearest"]));
  maybe(d, config, "cropToAspectRatio", 0.2, () => d.chance(0.5));
  return { method: "resizing", config };
}

/**
 * A `centerCrop` call (rank-4 input; the runtime pads a crop larger than the image).
 *
 * @example
 * drawCenterCrop(d); // e.g. { method: "centerCrop", config: { height: 2, width: 4 } }
 */
export function drawCenterCrop(d: Draw): DrawnCall {
  return { method: "centerCrop", config: { height: d.int(1, 4), width: d.int(1, 4) } };
}
