/**
 * Random valid layer stacks for `test/agreement.test.ts`.
 *
 * A stack is an input shape and a chain of layer calls. fast-check (`fc.gen()`,
 * fixed seed) draws each call's options from the current shape; the real
 * runtime API decides validity: a call that throws `ShapeError` is discarded
 * and redrawn, so every kept stack is one the runtime accepts. Each stack is
 * also rendered as TypeScript source for the type-level side of the test.
 *
 * For `test/rejection-agreement.test.ts`, `generateCases` reports the calls
 * the runtime rejected (`onRejected`) and accepted (`onAccepted`), and
 * `generateDirectedCases` builds calls that break each rule on purpose.
 */
import fc from "fast-check";

import { ShapeError, input, model } from "../../src/index.js";
import { ACTIVATIONS } from "../../src/kernels/activations.js";
import { activationArgument, drawFrom, dropoutConfig, withActivationAndBias } from "./layer-options.js";

export type Dim = number | null;

export type LayerKind = "conv2d" | "maxPooling2d" | "maxPool2d" | "averagePooling2d" | "flatten" | "dense" | "dropout" | "activation";

export const LAYER_KINDS: readonly LayerKind[] = ["conv2d", "maxPooling2d", "maxPool2d", "averagePooling2d", "flatten", "dense", "dropout", "activation"];

/** A config value as it is written in source: numbers, strings, booleans, pairs. */
export type ConfigValue = number | string | boolean | readonly [number, number];
/** The argument of one layer call: none, a string (`activation("relu")`) or an object. */
export type LayerConfig = undefined | string | { readonly [key: string]: ConfigValue };

export interface LayerCall {
  readonly kind: LayerKind;
  readonly config: LayerConfig;
}

/** How a stack was drawn. */
export type Profile = "regular" | "deep" | "big";

export interface StackCase {
  readonly id: number;
  readonly profile: Profile;
  /** The `input({ shape })` argument (no batch dimension). */
  readonly inputShape: readonly Dim[];
  readonly layers: readonly LayerCall[];
  /** Runtime output shape (`m.outputShape`, batch first). */
  readonly outputShape: readonly Dim[];
  /** Runtime parameter total (`m.countParams()`). */
  readonly params: number;
  /** Whether `model()` was built for this case (false: total too large to allocate, see {@link MODEL_BUDGET}). */
  readonly builtModel: boolean;
  /** Per-layer runtime parameter counts (`Layer.countParams()`), for diagnosis. */
  readonly layerParams: readonly number[];
  /** Layer calls the runtime rejected with `ShapeError` while drawing this case. */
  readonly rejected: number;
}

/**
 * `model()` initialises every weight (4 bytes and one random draw per
 * parameter; 1.6e9 parameters take 6.5 GB and ~22 s), so cases above this
 * total read the count from the layers the runtime built (`Layer.countParams()`,
 * the sum `Model.countParams()` computes) instead of building a model.
 */
export const MODEL_BUDGET = 2_000_000;

export { ACTIVATIONS };

// ---------------------------------------------------------------------------
// Runtime access, loosely typed: the generator builds stacks from data.

interface RuntimeTensor {
  readonly shape: readonly Dim[];
}
interface RuntimeNode extends RuntimeTensor {
  readonly layer: { countParams(): number };
  readonly inbound: readonly RuntimeNode[];
}
interface RuntimeModel {
  readonly outputShape: readonly Dim[];
  countParams(): number;
}
type LayerMethod = (this: RuntimeTensor, config?: unknown) => RuntimeTensor;

const runtimeInput = input as unknown as (config: { shape: readonly Dim[] }) => RuntimeTensor;
const runtimeModel = model as unknown as (config: { inputs: RuntimeTensor; outputs: RuntimeTensor }) => RuntimeModel;

/** Applies one layer call with the public method of that name. */
export function applyCall(t: RuntimeTensor, call: LayerCall): RuntimeTensor {
  const method = (t as unknown as Record<LayerKind, LayerMethod>)[call.kind];
  return call.config === undefined ? method.call(t) : method.call(t, call.config);
}

/** Per-layer parameter counts from the input to `t`, read from the runtime layers. */
function layerParamsOf(t: RuntimeTensor): number[] {
  const counts: number[] = [];
  for (let node = t as RuntimeNode; node.inbound.length > 0; node = node.inbound[0]) counts.unshift(node.layer.countParams());
  return counts;
}

// ---------------------------------------------------------------------------
// Drawing

type Gen = fc.GeneratorValue;

const int = (g: Gen, min: number, max: number): number => g(fc.integer, { min, max });
const chance = (g: Gen, p: number): boolean => int(g, 0, 9999) < p * 10000;
const pick = <T>(g: Gen, items: readonly T[]): T => items[int(g, 0, items.length - 1)];
const weighted = <T>(g: Gen, items: readonly (readonly [T, number])[]): T => {
  const total = items.reduce((s, [, w]) => s + w, 0);
  let r = int(g, 0, total - 1);
  for (const [item, w] of items) {
    if (r < w) return item;
    r -= w;
  }
  return items[items.length - 1][0];
};

/** A number or (sometimes) a pair, each size in `min..max`. */
const size2 = (g: Gen, min: number, max: number): number | readonly [number, number] =>
  chance(g, 0.5) ? int(g, min, max) : ([int(g, min, max), int(g, min, max)] as const);

const BIG_SIDES = [96, 100, 128, 224, 256, 299, 512];

function spatial(g: Gen, profile: Profile): Dim {
  if (profile === "big") return pick(g, [32, 64, 96, 128, 224, 256]);
  return weighted<() => Dim>(g, [
    [() => int(g, 1, 8), 25],
    [() => int(g, 1, 64), 50],
    [() => pick(g, BIG_SIDES), 12],
    [() => null, 13],
  ])();
}

function drawInputShape(g: Gen, profile: Profile): Dim[] {
  if (chance(g, profile === "big" ? 0.35 : 0.18)) {
    // rank 1: [features]
    if (profile === "big") return [int(g, 1000, 100_000)];
    return [
      weighted<() => Dim>(g, [
        [() => int(g, 1, 64), 45],
        [() => int(g, 65, 4096), 50],
        [() => null, 5],
      ])(),
    ];
  }
  const h = spatial(g, profile);
  const w = chance(g, 0.4) ? h : spatial(g, profile);
  const c =
    profile === "big"
      ? pick(g, [3, 16, 32, 64, 128])
      : weighted<() => Dim>(g, [
          [() => int(g, 1, 64), 72],
          [() => pick(g, [3, 128, 256, 512]), 24],
          [() => null, 4],
        ])();
  return [h, w, c];
}

function kindWeights(profile: Profile, rank: number): readonly (readonly [LayerKind, number])[] {
  if (rank === 4) {
    if (profile === "deep")
      return [
        ["conv2d", 24],
        ["maxPooling2d", 8],
        ["maxPool2d", 5],
        ["averagePooling2d", 7],
        ["flatten", 3],
        ["dense", 8],
        ["dropout", 22],
        ["activation", 23],
      ];
    if (profile === "big")
      return [
        ["conv2d", 30],
        ["maxPooling2d", 5],
        ["maxPool2d", 3],
        ["averagePooling2d", 4],
        ["flatten", 35],
        ["dense", 8],
        ["dropout", 8],
        ["activation", 7],
      ];
    return [
      ["conv2d", 30],
      ["maxPooling2d", 10],
      ["maxPool2d", 6],
      ["averagePooling2d", 8],
      ["flatten", 10],
      ["dense", 10],
      ["dropout", 12],
      ["activation", 14],
    ];
  }
  if (profile === "deep")
    return [
      ["flatten", 4],
      ["dense", 30],
      ["dropout", 33],
      ["activation", 33],
    ];
  if (profile === "big")
    return [
      ["flatten", 3],
      ["dense", 67],
      ["dropout", 15],
      ["activation", 15],
    ];
  return [
    ["flatten", 12],
    ["dense", 48],
    ["dropout", 20],
    ["activation", 20],
  ];
}

/** How often dense and conv2d calls write `activation` and `useBias`. */
const ACTIVATION_AND_BIAS = { activation: 0.4, useBias: 0.35 } as const;

function drawConv2d(g: Gen, profile: Profile): LayerConfig {
  const filters =
    profile === "deep"
      ? int(g, 1, 16)
      : profile === "big"
        ? int(g, 16, 512)
        : weighted<() => number>(g, [
            [() => int(g, 1, 64), 70],
            [() => int(g, 65, 256), 25],
            [() => int(g, 257, 1024), 5],
          ])();
  const config: Record<string, ConfigValue> = {
    filters,
    kernelSize: size2(g, 1, profile === "deep" ? 3 : chance(g, 0.9) ? 5 : 11),
  };
  if (chance(g, profile === "deep" ? 0.15 : 0.4)) config.strides = size2(g, 1, 4);
  const sameShare = profile === "regular" ? 0.45 : 0.8;
  if (chance(g, 0.7)) config.padding = chance(g, sameShare) ? "same" : "valid";
  // Dilation mostly where strides stay 1; a clash is drawn now and then and rejected.
  if (chance(g, 0.25)) config.dilationRate = size2(g, 1, 4);
  return withActivationAndBias(drawFrom(g), config, ACTIVATION_AND_BIAS);
}

function drawPooling(g: Gen, profile: Profile): LayerConfig {
  if (chance(g, 0.15)) return undefined; // maxPooling2d(): pool 2, strides 2, "valid"
  const config: Record<string, ConfigValue> = {};
  if (chance(g, 0.7)) config.poolSize = size2(g, 1, profile === "deep" ? 3 : 5);
  if (profile === "deep") {
    config.strides = chance(g, 0.8) ? 1 : size2(g, 1, 2);
    config.padding = chance(g, 0.85) ? "same" : "valid";
    return config;
  }
  if (chance(g, 0.4)) config.strides = size2(g, 1, 4);
  if (chance(g, 0.6)) config.padding = chance(g, 0.5) ? "same" : "valid";
  return config;
}

function drawDense(g: Gen, profile: Profile, rank: number): LayerConfig {
  const units =
    profile === "deep"
      ? int(g, 1, 32)
      : profile === "big"
        ? rank === 2
          ? int(g, 1000, 20_000)
          : int(g, 16, 4096)
        : weighted<() => number>(g, [
            [() => int(g, 1, 128), 70],
            [() => int(g, 129, 1024), 25],
            [() => int(g, 1025, 4096), 5],
          ])();
  return withActivationAndBias(drawFrom(g), { units }, ACTIVATION_AND_BIAS);
}

function drawRate(g: Gen): number {
  return weighted<() => number>(g, [
    [() => 0, 8],
    [() => pick(g, [0.1, 0.2, 0.25, 0.3, 0.5, 0.75, 0.9]), 45],
    [() => g(fc.double, { min: 0, max: 1, maxExcluded: true, noNaN: true }), 35],
    [() => pick(g, [1e-7, 5e-9, 0.9999999999999999, 0.1 + 0.2]), 12],
  ])();
}

function drawCall(g: Gen, profile: Profile, shape: readonly Dim[]): LayerCall {
  const kind = weighted(g, kindWeights(profile, shape.length));
  switch (kind) {
    case "conv2d":
      return { kind, config: drawConv2d(g, profile) };
    case "maxPooling2d":
    case "maxPool2d":
    case "averagePooling2d":
      return { kind, config: drawPooling(g, profile) };
    case "flatten":
      return { kind, config: chance(g, 0.1) ? {} : undefined };
    case "dense":
      return { kind, config: drawDense(g, profile, shape.length) };
    case "dropout":
      return { kind, config: dropoutConfig(drawFrom(g), drawRate(g), { chance: 0.2, max: 1_000_000 }) };
    case "activation":
      return { kind, config: activationArgument(drawFrom(g), { asString: 0.7 }) };
  }
}

const FALLBACK: readonly LayerCall[] = [
  { kind: "dropout", config: { rate: 0.5 } },
  { kind: "activation", config: "relu" },
];

/** Draws one stack; every kept call is accepted by the runtime. */
function drawCase(g: Gen, id: number, profile: Profile, onRejected?: RejectedHandler, onAccepted?: AcceptedHandler): StackCase {
  const inputShape = drawInputShape(g, profile);
  const length = profile === "deep" ? int(g, 30, 60) : profile === "big" ? int(g, 2, 8) : int(g, 1, 12);
  const inputs = runtimeInput({ shape: inputShape });
  let t = inputs;
  const layers: LayerCall[] = [];
  let rejected = 0;
  while (layers.length < length) {
    let accepted: LayerCall | undefined;
    for (let attempt = 0; attempt < 25 && accepted === undefined; attempt++) {
      const call = drawCall(g, profile, t.shape);
      try {
        const next = applyCall(t, call);
        // Exact type-level totals end at 2^53 - 1 (above, the type is `number`).
        if (layerParamsOf(next).reduce((s, p) => s + p, 0) > Number.MAX_SAFE_INTEGER) {
          onAccepted?.({ inputShape, layers: [...layers], call, shape: next.shape, kept: false });
          rejected++;
          continue;
        }
        onAccepted?.({ inputShape, layers: [...layers], call, shape: next.shape, kept: true });
        t = next;
        accepted = call;
      } catch (error) {
        if (!(error instanceof ShapeError)) throw error;
        onRejected?.({ inputShape, layers: [...layers], call, message: error.message });
        rejected++;
      }
    }
    if (accepted === undefined) {
      accepted = pick(g, FALLBACK);
      t = applyCall(t, accepted);
      onAccepted?.({ inputShape, layers: [...layers], call: accepted, shape: t.shape, kept: true });
    }
    layers.push(accepted);
  }
  const layerParams = layerParamsOf(t);
  const sum = layerParams.reduce((s, p) => s + p, 0);
  if (sum <= MODEL_BUDGET) {
    const m = runtimeModel({ inputs, outputs: t });
    const params = m.countParams();
    if (params !== sum) throw new Error(`case ${id}: model().countParams() ${params} differs from the sum of its layers ${sum}`);
    return { id, profile, inputShape, layers, outputShape: [...m.outputShape], params, builtModel: true, layerParams, rejected };
  }
  return { id, profile, inputShape, layers, outputShape: [...t.shape], params: sum, builtModel: false, layerParams, rejected };
}

/** A drawn call the runtime rejected, after the calls kept so far. */
export interface RejectedCall {
  readonly inputShape: readonly Dim[];
  readonly layers: readonly LayerCall[];
  readonly call: LayerCall;
  /** The `ShapeError` message. */
  readonly message: string;
}
export type RejectedHandler = (rejected: RejectedCall) => void;

/** A drawn call the runtime accepted, after the calls kept so far, with the shape it gave. */
export interface AcceptedCall {
  readonly inputShape: readonly Dim[];
  readonly layers: readonly LayerCall[];
  readonly call: LayerCall;
  /** The output shape the runtime computed for the call. */
  readonly shape: readonly Dim[];
  /** False when the call was dropped all the same (its parameter total passed 2^53 - 1). */
  readonly kept: boolean;
}
export type AcceptedHandler = (accepted: AcceptedCall) => void;

export interface GenerateOptions {
  readonly seed: number;
  readonly regular: number;
  readonly deep: number;
  readonly big: number;
  /** Called with every call the runtime rejected (they are redrawn). */
  readonly onRejected?: RejectedHandler;
  /** Called with every call the runtime accepted (for checks of the shapes it computed). */
  readonly onAccepted?: AcceptedHandler;
}

/** All cases: fast-check draws one `fc.gen()` per case from the fixed seed. */
export function generateCases(options: GenerateOptions): StackCase[] {
  const profiles: Profile[] = [
    ...Array<Profile>(options.regular).fill("regular"),
    ...Array<Profile>(options.deep).fill("deep"),
    ...Array<Profile>(options.big).fill("big"),
  ];
  const gens = fc.sample(fc.gen(), { seed: options.seed, numRuns: profiles.length });
  return profiles.map((profile, id) => drawCase(gens[id], id, profile, options.onRejected, options.onAccepted));
}

// ---------------------------------------------------------------------------
// An independent oracle: Keras 3 shape rules and weight shapes, in BigInt.

const pairOf = (v: ConfigValue | undefined, fallback: number): [number, number] =>
  v === undefined ? [fallback, fallback] : typeof v === "number" ? [v, v] : Array.isArray(v) ? [v[0], v[1]] : [NaN, NaN];

function windowOut(length: Dim, k: number, s: number, d: number, padding: string): Dim {
  if (length === null) return null;
  if (padding === "same") return Math.ceil(length / s);
  return Math.floor((length - (d * (k - 1) + 1)) / s) + 1;
}

/** Output shape and parameter count of one call by the Keras formulas (no validity checks). */
export function oracleCall(shape: readonly Dim[], call: LayerCall): { shape: Dim[]; params: bigint } {
  const cfg = typeof call.config === "object" ? call.config : {};
  const bias = (n: number) => (cfg.useBias === false ? 0n : BigInt(n));
  switch (call.kind) {
    case "conv2d": {
      const k = pairOf(cfg.kernelSize, 1);
      const s = pairOf(cfg.strides, 1);
      const d = pairOf(cfg.dilationRate, 1);
      const pad = (cfg.padding as string | undefined) ?? "valid";
      const f = cfg.filters as number;
      return {
        shape: [shape[0], windowOut(shape[1], k[0], s[0], d[0], pad), windowOut(shape[2], k[1], s[1], d[1], pad), f],
        params: BigInt(k[0]) * BigInt(k[1]) * BigInt(shape[3] as number) * BigInt(f) + bias(f),
      };
    }
    case "maxPooling2d":
    case "maxPool2d":
    case "averagePooling2d": {
      const p = pairOf(cfg.poolSize, 2);
      const s = cfg.strides === undefined ? p : pairOf(cfg.strides, 1);
      const pad = (cfg.padding as string | undefined) ?? "valid";
      return { shape: [shape[0], windowOut(shape[1], p[0], s[0], 1, pad), windowOut(shape[2], p[1], s[1], 1, pad), shape[3]], params: 0n };
    }
    case "flatten": {
      const rest = shape.slice(1);
      return { shape: [shape[0], rest.includes(null) ? null : rest.reduce<number>((a, b) => a * (b as number), 1)], params: 0n };
    }
    case "dense": {
      const u = cfg.units as number;
      return { shape: [...shape.slice(0, -1), u], params: BigInt(shape[shape.length - 1] as number) * BigInt(u) + bias(u) };
    }
    case "dropout":
    case "activation":
      return { shape: [...shape], params: 0n };
  }
}

/** Output shape and per-layer parameter counts of a whole stack by the oracle. */
export function oracleStack(c: StackCase): { shape: Dim[]; layerParams: bigint[]; params: bigint } {
  let shape: Dim[] = [null, ...c.inputShape];
  const layerParams: bigint[] = [];
  for (const call of c.layers) {
    const r = oracleCall(shape, call);
    shape = r.shape;
    layerParams.push(r.params);
  }
  return { shape, layerParams, params: layerParams.reduce((a, b) => a + b, 0n) };
}

// ---------------------------------------------------------------------------
// Source rendering

function valueSource(v: ConfigValue | readonly Dim[]): string {
  if (Array.isArray(v)) return `[${v.map((d) => (d === null ? "null" : String(d))).join(", ")}]`;
  if (typeof v === "string") return JSON.stringify(v);
  return String(v);
}

function configSource(config: LayerConfig): string {
  if (config === undefined) return "";
  if (typeof config === "string") return JSON.stringify(config);
  const entries = Object.entries(config);
  return entries.length === 0 ? "{}" : `{ ${entries.map(([k, v]) => `${k}: ${valueSource(v)}`).join(", ")} }`;
}

/** `.conv2d({ filters: 8, kernelSize: [3, 2] })` */
export function callSource(call: LayerCall): string {
  return `.${call.kind}(${configSource(call.config)})`;
}

/** A shape as a tuple type: `[null, 28, 28, 1]`. */
export function shapeSource(shape: readonly Dim[]): string {
  return valueSource(shape);
}

/** The source lines of one case: the model and its two assertions. */
export function caseSource(c: StackCase): string[] {
  const n = c.id;
  return [
    `// case ${n} (${c.profile}, ${c.layers.length} layers)`,
    `const i${n} = input({ shape: ${shapeSource(c.inputShape)} });`,
    `const m${n} = model({`,
    `  inputs: i${n},`,
    `  outputs: i${n}`,
    ...c.layers.map((call) => `    ${callSource(call)}`),
    `});`,
    `type _c${n} = Expect<Equal<OutputShape<typeof m${n}>, ${shapeSource(c.outputShape)}>>;`,
    `type _p${n} = Expect<Equal<ParamCount<typeof m${n}>, ${c.params}>>;`,
  ];
}

// ---------------------------------------------------------------------------
// Directed invalid configs, for `test/rejection-agreement.test.ts`.
//
// Each variant builds calls that break one rule on purpose (sometimes a later
// rule too, so the first fault must win on both sides), after a short valid
// prefix. Variants of the "edge" group probe sizes beyond 2^53 - 1 and other
// rejections outside the shape rules; variants of the "valid" group sit just
// inside a rule and must be accepted by both sides.

/** What a directed variant is for: a shape rule, an edge probe, or a near miss that must be accepted. */
export type DirectedGroup = "rule" | "edge" | "valid";

/** A stack to replay: input, valid prefix, the call under test, calls after it. */
export interface DirectedCase {
  readonly variant: string;
  readonly group: DirectedGroup;
  /** The `input({ shape })` argument; for variant `input.*` the mistake itself. */
  readonly inputShape: readonly Dim[];
  /** Calls before the one under test (the runtime accepts them all). */
  readonly layers: readonly LayerCall[];
  /** The call under test; `undefined` when the mistake is the input shape. */
  readonly call: LayerCall | undefined;
  /** Calls written after it, valid on their own (a rejected call must make them silent). */
  readonly tail: readonly LayerCall[];
}

/** How the runtime took a whole stack: where it threw, or the shape after every call. */
export type StackOutcome =
  | {
      readonly kind: "threw";
      /** -1: `input()` threw; else the index of the call in `calls`. */
      readonly index: number;
      readonly error: unknown;
      /** Every shape computed before the throw (input first). */
      readonly shapes: readonly (readonly Dim[])[];
    }
  | { readonly kind: "ok"; readonly shapes: readonly (readonly Dim[])[] };

/** Replays `input({ shape })` and then `calls` on the real runtime, catching any error. */
export function runStack(inputShape: readonly Dim[], calls: readonly LayerCall[]): StackOutcome {
  const shapes: (readonly Dim[])[] = [];
  let t: RuntimeTensor;
  try {
    t = runtimeInput({ shape: inputShape });
  } catch (error) {
    return { kind: "threw", index: -1, error, shapes };
  }
  shapes.push(t.shape);
  for (let i = 0; i < calls.length; i++) {
    try {
      t = applyCall(t, calls[i]);
    } catch (error) {
      return { kind: "threw", index: i, error, shapes };
    }
    shapes.push(t.shape);
  }
  return { kind: "ok", shapes };
}

const UNSAFE_SIZES = [2 ** 53, 2 ** 53 + 2, 1e21, 1e300] as const;
/** Counts that are not positive integers: zero, negative, fractional (cycled by index, so each kind occurs). */
const BAD_COUNTS = [0, -1, 2.5, 0, -8, 0.5, 64.5, -0.5, 1e-7, -3, 1.5, -16, 0.30000000000000004, -1e21, 0.25] as const;
const BAD_RATES = [1, 1.5, -0.1, -0.5, 2, 100, -1e-7, 1.0000000000000002, -1, 1e21, 3.75] as const;
const BAD_DIMS = [0, -1, 2.5, 0.5, -7, 27.5, 1e-7, -0.5] as const;

const badCount = (i: number): number => BAD_COUNTS[i % BAD_COUNTS.length];

/** A size option that is not positive integers: a bad number, or a pair with one or two bad entries. */
function badSize(g: Gen, i: number): number | readonly [number, number] {
  const bad = badCount(i);
  switch (i % 3) {
    case 0:
      return bad;
    case 1:
      return chance(g, 0.5) ? ([int(g, 1, 5), bad] as const) : ([bad, int(g, 1, 5)] as const);
    default:
      return [bad, pick(g, BAD_COUNTS)] as const;
  }
}

const known = (d: Dim | undefined): d is number => typeof d === "number";
/** The largest window that fits a spatial size (capped), for "this option is fine" parts. */
const fitting = (g: Gen, d: Dim, cap = 3): number => int(g, 1, known(d) ? Math.min(d, cap) : cap);

/** A sample shape `[h, w, c]` (no batch). */
function sample3(g: Gen, opts: { minHW?: number; maxHW?: number; nullHW?: number; channels?: Dim } = {}): Dim[] {
  const side = (): Dim => (chance(g, opts.nullHW ?? 0.1) ? null : int(g, opts.minHW ?? 1, opts.maxHW ?? 40));
  const h = side();
  const w = chance(g, 0.4) ? h : side();
  return [h, w, opts.channels === undefined ? int(g, 1, 32) : opts.channels];
}

/** Up to `max` valid calls that keep rank 4 (and the channel count known, if it was). */
function rank4Prefix(g: Gen, inputShape: readonly Dim[], max = 3): { layers: LayerCall[]; shape: readonly Dim[] } {
  let shape: readonly Dim[] = [null, ...inputShape];
  const layers: LayerCall[] = [];
  const n = int(g, 0, max);
  for (let attempt = 0; layers.length < n && attempt < 20; attempt++) {
    const call = weighted<() => LayerCall>(g, [
      [() => ({ kind: "dropout", config: { rate: pick(g, [0.1, 0.25, 0.5]) } }), 3],
      [() => ({ kind: "activation", config: pick(g, ACTIVATIONS) }), 3],
      [() => ({ kind: "conv2d", config: { filters: int(g, 1, 16), kernelSize: size2(g, 1, 3), padding: "same" } }), known(shape[3]) ? 3 : 0],
      [() => ({ kind: "conv2d", config: { filters: int(g, 1, 16), kernelSize: size2(g, 1, 3) } }), known(shape[3]) ? 2 : 0],
      [() => ({ kind: pick(g, ["maxPooling2d", "maxPool2d", "averagePooling2d"] as const), config: { poolSize: size2(g, 1, 2), padding: "same" } }), 2],
      [() => ({ kind: pick(g, ["maxPooling2d", "averagePooling2d"] as const), config: { poolSize: 2, strides: 1 } }), 1],
    ])();
    const r = runStack(inputShape, [...layers, call]);
    if (r.kind === "ok") {
      layers.push(call);
      shape = r.shapes[r.shapes.length - 1];
    }
  }
  return { layers, shape };
}

/** Up to `max` valid calls that keep the rank (any rank; dense only with a known last dimension). */
function anyRankPrefix(g: Gen, inputShape: readonly Dim[], max = 2): { layers: LayerCall[]; shape: readonly Dim[] } {
  let shape: readonly Dim[] = [null, ...inputShape];
  const layers: LayerCall[] = [];
  const n = int(g, 0, max);
  for (let attempt = 0; layers.length < n && attempt < 20; attempt++) {
    const call = weighted<() => LayerCall>(g, [
      [() => ({ kind: "dropout", config: { rate: pick(g, [0, 0.2, 0.5]) } }), 3],
      [() => ({ kind: "activation", config: { activation: pick(g, ACTIVATIONS) } }), 2],
      [
        () => ({ kind: "dense", config: { units: int(g, 1, 64), activation: pick(g, ACTIVATIONS) } }),
        shape.length >= 2 && known(shape[shape.length - 1]) ? 3 : 0,
      ],
    ])();
    const r = runStack(inputShape, [...layers, call]);
    if (r.kind === "ok") {
      layers.push(call);
      shape = r.shapes[r.shapes.length - 1];
    }
  }
  return { layers, shape };
}

/** 1 to 3 valid calls for a shape (the regular profile's mix), found with the runtime. */
function validCalls(g: Gen, inputShape: readonly Dim[], prefix: readonly LayerCall[] = []): LayerCall[] {
  const calls: LayerCall[] = [];
  const n = int(g, 1, 3);
  for (let attempt = 0; calls.length < n && attempt < 40; attempt++) {
    const before = runStack(inputShape, [...prefix, ...calls]);
    if (before.kind !== "ok") break;
    const call = drawCall(g, "regular", before.shapes[before.shapes.length - 1]);
    if (runStack(inputShape, [...prefix, ...calls, call]).kind === "ok") calls.push(call);
  }
  return calls.length > 0 ? calls : [{ kind: "flatten", config: undefined }];
}

/** Calls written after a rejected one: each valid on a sane tensor. */
const TAILS: readonly (readonly LayerCall[])[] = [
  [{ kind: "flatten", config: undefined }],
  [
    { kind: "flatten", config: undefined },
    { kind: "dense", config: { units: 2 } },
  ],
  [{ kind: "dropout", config: { rate: 0.5 } }],
  [
    { kind: "maxPooling2d", config: undefined },
    { kind: "flatten", config: undefined },
  ],
  [{ kind: "conv2d", config: { filters: 4, kernelSize: 3 } }],
  [
    { kind: "activation", config: "relu" },
    { kind: "flatten", config: {} },
  ],
];
/**
 * Calls to write after a rejected call: the first of the usual tails (from
 * the `i`-th on) that the runtime accepts after `layers`, that is, as if the
 * rejected call were not there. A tail is then never wrong on its own, even
 * where the type level misses the rejected call.
 */
export function tailFor(i: number, inputShape: readonly Dim[], layers: readonly LayerCall[]): readonly LayerCall[] {
  for (let k = 0; k < TAILS.length; k++) {
    const tail = TAILS[(i + k) % TAILS.length];
    if (runStack(inputShape, [...layers, ...tail]).kind === "ok") return tail;
  }
  return [{ kind: "dropout", config: { rate: 0.5 } }];
}

type ConvParts = { filters?: ConfigValue; kernelSize?: ConfigValue; strides?: ConfigValue; padding?: string; dilationRate?: ConfigValue };

/** A conv2d config in the usual key order, with (sometimes) activation and useBias. */
function convConfig(g: Gen, parts: ConvParts): LayerConfig {
  const config: Record<string, ConfigValue> = {};
  config.filters = parts.filters ?? int(g, 1, 64);
  config.kernelSize = parts.kernelSize ?? 1;
  if (parts.strides !== undefined) config.strides = parts.strides;
  if (parts.padding !== undefined) config.padding = parts.padding;
  if (parts.dilationRate !== undefined) config.dilationRate = parts.dilationRate;
  return withActivationAndBias(drawFrom(g), config, ACTIVATION_AND_BIAS);
}

/** `"valid"` written, or left to the default. */
const validPadding = (g: Gen): string | undefined => (chance(g, 0.5) ? "valid" : undefined);

/** A window larger than `d` (usually a little, sometimes a lot but below 2^53). */
const tooLarge = (g: Gen, d: number): number => (chance(g, 0.12) ? pick(g, [1_000_000, 2 ** 31, 1e15, Number.MAX_SAFE_INTEGER]) : d + int(g, 1, 4));

type Build = (g: Gen, i: number) => DirectedCase;

const POOL_KINDS = ["maxPooling2d", "maxPool2d", "averagePooling2d"] as const;

/** Wrong-rank sample shapes for 2-D layers: rank 0, 1, 2 or 4 (batch not counted). */
function wrongRankSample(g: Gen, i: number): Dim[] {
  switch (i % 4) {
    case 0:
      return [];
    case 1:
      return [chance(g, 0.15) ? null : int(g, 1, 4096)];
    case 2:
      return [int(g, 1, 64), chance(g, 0.15) ? null : int(g, 1, 64)];
    default:
      return [int(g, 1, 16), int(g, 1, 16), int(g, 1, 16), int(g, 1, 8)];
  }
}

function convVariants(): Record<string, Build> {
  const kind = "conv2d" as const;
  const c = (_g: Gen, inputShape: readonly Dim[], prefix: { layers: LayerCall[] }, config: LayerConfig, _i: number, variant: string): DirectedCase => ({
    variant,
    group: "rule",
    inputShape,
    layers: prefix.layers,
    call: { kind, config },
    tail: [],
  });
  return {
    "conv2d.filters": (g, i) => {
      const s = sample3(g, { minHW: 3 });
      const p = rank4Prefix(g, s);
      const later = chance(g, 0.25) && known(p.shape[1]);
      return c(
        g,
        s,
        p,
        convConfig(g, { filters: badCount(i), kernelSize: later ? tooLarge(g, p.shape[1] as number) : fitting(g, p.shape[1]), padding: validPadding(g) }),
        i,
        "conv2d.filters",
      );
    },
    "conv2d.kernelSize": (g, i) => {
      const s = sample3(g);
      const p = rank4Prefix(g, s);
      return c(
        g,
        s,
        p,
        convConfig(g, { kernelSize: badSize(g, i), strides: chance(g, 0.25) ? 0 : undefined, padding: chance(g, 0.3) ? "same" : validPadding(g) }),
        i,
        "conv2d.kernelSize",
      );
    },
    "conv2d.strides": (g, i) => {
      const s = sample3(g);
      const p = rank4Prefix(g, s);
      return c(
        g,
        s,
        p,
        convConfig(g, { kernelSize: fitting(g, p.shape[1]), strides: badSize(g, i), dilationRate: chance(g, 0.25) ? -1 : undefined }),
        i,
        "conv2d.strides",
      );
    },
    "conv2d.dilationRate": (g, i) => {
      const s = sample3(g);
      const p = rank4Prefix(g, s);
      return c(
        g,
        s,
        p,
        convConfig(g, {
          kernelSize: fitting(g, p.shape[1], 1),
          strides: chance(g, 0.3) ? 1 : undefined,
          padding: chance(g, 0.3) ? "same" : undefined,
          dilationRate: badSize(g, i),
        }),
        i,
        "conv2d.dilationRate",
      );
    },
    "conv2d.window-height": (g, i) => {
      const s = sample3(g, { maxHW: 12, nullHW: 0 });
      const p = rank4Prefix(g, s);
      const h = p.shape[1] as number;
      const kh = tooLarge(g, h);
      const kernelSize = chance(g, 0.5) ? kh : ([kh, fitting(g, p.shape[2], 5)] as const);
      const strides = chance(g, 0.4) ? size2(g, 1, 4) : undefined;
      return c(
        g,
        s,
        p,
        convConfig(g, { kernelSize, strides, padding: validPadding(g), dilationRate: chance(g, 0.2) ? 1 : undefined }),
        i,
        "conv2d.window-height",
      );
    },
    "conv2d.window-width": (g, i) => {
      const s = [chance(g, 0.2) ? null : int(g, 3, 40), int(g, 1, 12), int(g, 1, 16)];
      const p = rank4Prefix(g, s);
      const kernelSize = [fitting(g, p.shape[1], 5), tooLarge(g, p.shape[2] as number)] as const;
      const strides = chance(g, 0.4) ? size2(g, 1, 4) : undefined;
      return c(g, s, p, convConfig(g, { kernelSize, strides, padding: validPadding(g) }), i, "conv2d.window-width");
    },
    "conv2d.window-dilated": (g, i) => {
      const s = sample3(g, { maxHW: 20, nullHW: 0 });
      const p = rank4Prefix(g, s, 2);
      const [h, w] = [p.shape[1] as number, p.shape[2] as number];
      const d = chance(g, 0.1) ? pick(g, [1000, 2 ** 26, 2 ** 40]) : int(g, 2, 5);
      // the smallest kernel whose dilated span passes the size, plus a little
      const spanOver = (len: number) => Math.max(2, Math.ceil(len / d) + 1) + int(g, 0, 2);
      const onWidth = i % 2 === 1;
      const kernelSize = onWidth ? ([1, spanOver(w)] as const) : chance(g, 0.5) ? ([spanOver(h), 1] as const) : spanOver(Math.max(h, w));
      const dilationRate = onWidth ? (chance(g, 0.5) ? d : ([int(g, 1, 3), d] as const)) : chance(g, 0.5) ? d : ([d, int(g, 1, 3)] as const);
      return c(
        g,
        s,
        p,
        convConfig(g, { kernelSize, strides: chance(g, 0.3) ? pick(g, [1, [1, 1] as const]) : undefined, padding: validPadding(g), dilationRate }),
        i,
        "conv2d.window-dilated",
      );
    },
    "conv2d.window-stride": (g, i) => {
      const s = sample3(g, { maxHW: 10, nullHW: 0 });
      const p = rank4Prefix(g, s, 2);
      const strides = chance(g, 0.5) ? int(g, 2, 5) : ([int(g, 1, 5), int(g, 2, 5)] as const);
      const kernelSize = i % 2 === 0 ? tooLarge(g, p.shape[1] as number) : ([1, tooLarge(g, p.shape[2] as number)] as const);
      return c(
        g,
        s,
        p,
        convConfig(g, { kernelSize, strides, padding: validPadding(g), dilationRate: chance(g, 0.3) ? 1 : undefined }),
        i,
        "conv2d.window-stride",
      );
    },
    "conv2d.strides-and-dilation": (g, i) => {
      const s = sample3(g, { minHW: 8 });
      const p = rank4Prefix(g, s);
      const above = (): number | readonly [number, number] =>
        weighted<() => number | readonly [number, number]>(g, [
          [() => int(g, 2, 4), 2],
          [() => [int(g, 2, 4), int(g, 1, 4)] as const, 1],
          [() => [1, int(g, 2, 4)] as const, 1],
        ])();
      const later = chance(g, 0.25) && known(p.shape[1]);
      return c(
        g,
        s,
        p,
        convConfig(g, {
          kernelSize: later ? tooLarge(g, p.shape[1] as number) : fitting(g, p.shape[1], 2),
          strides: above(),
          padding: chance(g, 0.3) ? "same" : validPadding(g),
          dilationRate: above(),
        }),
        i,
        "conv2d.strides-and-dilation",
      );
    },
    "conv2d.rank": (g, i) => {
      if (i % 5 === 4) {
        // a rank-4 tensor flattened first
        const s = sample3(g);
        const p = rank4Prefix(g, s, 2);
        return c(g, s, { layers: [...p.layers, { kind: "flatten", config: undefined }] }, convConfig(g, { kernelSize: 3 }), i, "conv2d.rank");
      }
      const s = wrongRankSample(g, i);
      const p = anyRankPrefix(g, s);
      return c(
        g,
        s,
        p,
        convConfig(g, { filters: chance(g, 0.25) ? badCount(i) : undefined, kernelSize: size2(g, 1, 3), strides: chance(g, 0.2) ? 0 : undefined }),
        i,
        "conv2d.rank",
      );
    },
    "conv2d.unknown-channels": (g, i) => {
      const s = sample3(g, { channels: null, nullHW: 0.2 });
      const p = rank4Prefix(g, s);
      return c(
        g,
        s,
        p,
        convConfig(g, { filters: chance(g, 0.25) ? badCount(i) : undefined, kernelSize: fitting(g, p.shape[1]), padding: chance(g, 0.5) ? "same" : undefined }),
        i,
        "conv2d.unknown-channels",
      );
    },
  };
}

function denseVariants(): Record<string, Build> {
  const units = (g: Gen, u: number): LayerConfig => withActivationAndBias(drawFrom(g), { units: u }, ACTIVATION_AND_BIAS);
  return {
    "dense.units": (g, i) => {
      const s = pick(g, [[int(g, 1, 4096)], [int(g, 1, 64), int(g, 1, 64)], sample3(g, { nullHW: 0 })]);
      const p =
        chance(g, 0.5) && s.length === 3 ? { layers: [...rank4Prefix(g, s, 2).layers, { kind: "flatten" as const, config: undefined }] } : anyRankPrefix(g, s);
      return { variant: "dense.units", group: "rule", inputShape: s, layers: p.layers, call: { kind: "dense", config: units(g, badCount(i)) }, tail: [] };
    },
    "dense.rank": (g, i) => {
      const p = anyRankPrefix(g, []);
      return {
        variant: "dense.rank",
        group: "rule",
        inputShape: [],
        layers: p.layers,
        call: { kind: "dense", config: units(g, chance(g, 0.3) ? badCount(i) : int(g, 1, 128)) },
        tail: [],
      };
    },
    "dense.unknown-features": (g, i) => {
      if (i % 3 === 2) {
        // flatten of a shape with an unknown size: [null, null]
        const s: Dim[] = [int(g, 1, 28), null, int(g, 1, 8)];
        const p = rank4Prefix(g, s, 2);
        return {
          variant: "dense.unknown-features",
          group: "rule",
          inputShape: s,
          layers: [...p.layers, { kind: "flatten", config: undefined }],
          call: { kind: "dense", config: units(g, int(g, 1, 64)) },
          tail: [],
        };
      }
      const s = pick<Dim[]>(g, [[null], [int(g, 1, 64), null], [null, null], sample3(g, { channels: null })]);
      const p = anyRankPrefix(g, s);
      return {
        variant: "dense.unknown-features",
        group: "rule",
        inputShape: s,
        layers: p.layers,
        call: { kind: "dense", config: units(g, chance(g, 0.25) ? badCount(i) : int(g, 1, 64)) },
        tail: [],
      };
    },
  };
}

function poolVariants(kind: (typeof POOL_KINDS)[number]): Record<string, Build> {
  const c = (s: readonly Dim[], layers: readonly LayerCall[], config: LayerConfig, _i: number, variant: string): DirectedCase => ({
    variant: `${kind}.${variant}`,
    group: "rule",
    inputShape: s,
    layers,
    call: { kind, config },
    tail: [],
  });
  const obj = (parts: Record<string, ConfigValue | undefined>): LayerConfig =>
    Object.fromEntries(Object.entries(parts).filter(([, v]) => v !== undefined)) as Record<string, ConfigValue>;
  const named = (builds: Record<string, Build>): Record<string, Build> => Object.fromEntries(Object.entries(builds).map(([k, b]) => [`${kind}.${k}`, b]));
  return named({
    poolSize: (g, i) => {
      const s = sample3(g);
      const p = rank4Prefix(g, s, 2);
      return c(
        s,
        p.layers,
        obj({ poolSize: badSize(g, i), strides: chance(g, 0.25) ? 0 : undefined, padding: chance(g, 0.3) ? pick(g, ["same", "valid"]) : undefined }),
        i,
        "poolSize",
      );
    },
    strides: (g, i) => {
      const s = sample3(g);
      const p = rank4Prefix(g, s, 2);
      return c(
        s,
        p.layers,
        obj({ poolSize: chance(g, 0.6) ? fitting(g, p.shape[1], 2) : undefined, strides: badSize(g, i), padding: chance(g, 0.3) ? "same" : undefined }),
        i,
        "strides",
      );
    },
    window: (g, i) => {
      const s = sample3(g, { maxHW: 8, nullHW: 0 });
      const p = rank4Prefix(g, s, 2);
      const poolSize =
        i % 2 === 0
          ? chance(g, 0.5)
            ? tooLarge(g, p.shape[1] as number)
            : ([tooLarge(g, p.shape[1] as number), 1] as const)
          : ([1, tooLarge(g, p.shape[2] as number)] as const);
      return c(s, p.layers, obj({ poolSize, strides: chance(g, 0.4) ? size2(g, 1, 3) : undefined, padding: validPadding(g) }), i, "window");
    },
    "default-window": (g, i) => {
      // height or width 1: the default 2x2 window cannot fit
      const s: Dim[] = i % 2 === 0 ? [1, chance(g, 0.2) ? null : int(g, 1, 20), int(g, 1, 8)] : [int(g, 2, 20), 1, int(g, 1, 8)];
      const p = { layers: chance(g, 0.3) ? [{ kind: "dropout" as const, config: { rate: 0.5 } }] : [] };
      const config = pick<LayerConfig>(g, [undefined, {}, { strides: int(g, 1, 3) }, { padding: "valid" }, { strides: [1, 2], padding: "valid" }]);
      return c(s, p.layers, config, i, "default-window");
    },
    rank: (g, i) => {
      const config = pick<LayerConfig>(g, [
        undefined,
        undefined,
        {},
        { poolSize: 2 },
        { poolSize: [2, 2], strides: 1, padding: "same" },
        { poolSize: badCount(i) },
      ]);
      if (i % 5 === 4) {
        const s = sample3(g);
        const p = rank4Prefix(g, s, 2);
        return c(s, [...p.layers, { kind: "flatten", config: undefined }], config, i, "rank");
      }
      const s = wrongRankSample(g, i);
      return c(s, anyRankPrefix(g, s).layers, config, i, "rank");
    },
  });
}

function otherVariants(): Record<string, Build> {
  return {
    "dropout.rate": (g, i) => {
      const s = pick(g, [[int(g, 1, 512)], sample3(g), []]);
      const p = anyRankPrefix(g, s);
      const config: Record<string, ConfigValue> = { rate: BAD_RATES[i % BAD_RATES.length] };
      if (chance(g, 0.2)) config.seed = int(g, 0, 1000);
      return { variant: "dropout.rate", group: "rule", inputShape: s, layers: p.layers, call: { kind: "dropout", config }, tail: [] };
    },
    "input.shape": (g, i) => {
      // a valid stack, with one or two sizes of its input mistyped
      if (i % 3 === 0) {
        // an image whose height or width is mistyped, then windows that read it
        // (cycled so that each kind of bad size meets each kind of window)
        const j = i / 3;
        const good = sample3(g, { minHW: 3, maxHW: 32, nullHW: 0 });
        const window = [
          { kind: "conv2d", config: { filters: int(g, 1, 16), kernelSize: int(g, 2, 3) } },
          { kind: "conv2d", config: { filters: int(g, 1, 16), kernelSize: 2, dilationRate: 2 } },
          { kind: pick(g, POOL_KINDS), config: undefined },
          { kind: pick(g, POOL_KINDS), config: { poolSize: [2, 3], strides: 1 } },
        ][(j >> 2) % 4] as LayerCall;
        const bad = [...good];
        bad[int(g, 0, 1)] = [0, -1, 2.5, 0.5][j % 4];
        return { variant: "input.shape", group: "rule", inputShape: bad, layers: [], call: undefined, tail: [window, { kind: "flatten", config: undefined }] };
      }
      const rank = int(g, 1, 4);
      const good: Dim[] = rank === 3 ? sample3(g, { minHW: 2, nullHW: 0.1 }) : Array.from({ length: rank }, () => (chance(g, 0.1) ? null : int(g, 1, 64)));
      const tail = validCalls(g, good);
      const bad = [...good];
      const at = int(g, 0, rank - 1);
      bad[at] = BAD_DIMS[i % BAD_DIMS.length];
      if (chance(g, 0.2) && rank > 1) bad[(at + 1) % rank] = pick(g, BAD_DIMS);
      return { variant: "input.shape", group: "rule", inputShape: bad, layers: [], call: undefined, tail };
    },
  };
}

function edgeVariants(): Record<string, Build> {
  const unsafe = (i: number) => UNSAFE_SIZES[i % UNSAFE_SIZES.length];
  return {
    "edge.unsafe-count": (_g, i) => {
      const call: LayerCall =
        i % 2 === 0 ? { kind: "conv2d", config: { filters: unsafe(i >> 1), kernelSize: 3 } } : { kind: "dense", config: { units: unsafe(i >> 1) } };
      return { variant: "edge.unsafe-count", group: "edge", inputShape: i % 2 === 0 ? [8, 8, 3] : [16], layers: [], call, tail: [] };
    },
    "edge.unsafe-size": (g, i) => {
      const v = unsafe(i);
      const call = pick<LayerCall>(g, [
        { kind: "conv2d", config: { filters: 4, kernelSize: v, padding: "same" } },
        { kind: "conv2d", config: { filters: 4, kernelSize: 3, strides: v } },
        { kind: "conv2d", config: { filters: 4, kernelSize: 3, padding: "same", dilationRate: v } },
        { kind: "maxPooling2d", config: { poolSize: v, padding: "same" } },
        { kind: "averagePooling2d", config: { poolSize: 2, strides: v } },
      ]);
      return { variant: "edge.unsafe-size", group: "edge", inputShape: [28, 28, 3], layers: [], call, tail: [] };
    },
    "edge.unsafe-input": (_g, i) => ({
      variant: "edge.unsafe-input",
      group: "edge",
      inputShape: i % 2 === 0 ? [unsafe(i >> 1), 4, 1] : [unsafe(i >> 1)],
      layers: [],
      call: undefined,
      tail: [{ kind: "flatten", config: undefined }],
    }),
    "edge.span-above-2^53": (g, i) => {
      // kernel and dilation both safe integers, their span d * (k - 1) + 1 is not
      const [k, d] = pick(g, [
        [3, 2 ** 52 + 1],
        [Number.MAX_SAFE_INTEGER, 2],
        [2 ** 27, 2 ** 27],
        [4503599627370497, 3],
      ] as const);
      return {
        variant: "edge.span-above-2^53",
        group: "edge",
        inputShape: [28, 28, 1],
        layers: [],
        call: { kind: "conv2d", config: { filters: 4, kernelSize: i % 2 === 0 ? k : [1, k], dilationRate: d } },
        tail: [],
      };
    },
    "edge.dropout-seed": (g, _i) => ({
      variant: "edge.dropout-seed",
      group: "edge",
      inputShape: [10],
      layers: [],
      call: { kind: "dropout", config: { rate: 0.5, seed: pick(g, [1.5, -0.5, 2 ** 53, 1e21]) } },
      tail: [],
    }),
  };
}

function validVariants(): Record<string, Build> {
  const v = (variant: string, inputShape: readonly Dim[], call: LayerCall, tail: readonly LayerCall[] = []): DirectedCase => ({
    variant,
    group: "valid",
    inputShape,
    layers: [],
    call,
    tail,
  });
  return {
    "valid.window-exact": (g, i) => {
      const k = int(g, 1, 6);
      const d = i % 2 === 0 ? 1 : int(g, 2, 4);
      const span = d * (k - 1) + 1;
      return v(
        "valid.window-exact",
        [span, span + int(g, 0, 3), int(g, 1, 4)],
        { kind: "conv2d", config: { filters: int(g, 1, 8), kernelSize: k, padding: validPadding(g) ?? "valid", ...(d > 1 ? { dilationRate: d } : {}) } },
        i % 2 ? [{ kind: "flatten", config: undefined }] : [],
      );
    },
    "valid.pool-window-exact": (g, i) => {
      const p = int(g, 1, 4);
      return v("valid.pool-window-exact", [p, p + int(g, 0, 2), 3], {
        kind: POOL_KINDS[i % 3],
        config: i % 4 === 0 && p === 2 ? undefined : { poolSize: p, ...(chance(g, 0.5) ? { strides: int(g, 1, 3) } : {}) },
      });
    },
    "valid.same-padding": (g, i) =>
      v(
        "valid.same-padding",
        [int(g, 1, 4), int(g, 1, 4), 2],
        i % 2 === 0
          ? { kind: "conv2d", config: { filters: 3, kernelSize: int(g, 5, 9), padding: "same", ...(chance(g, 0.5) ? { dilationRate: 3 } : { strides: 2 }) } }
          : { kind: POOL_KINDS[i % 3], config: { poolSize: int(g, 5, 9), padding: "same" } },
      ),
    "valid.unknown-spatial": (g, i) =>
      v(
        "valid.unknown-spatial",
        [null, null, 3],
        i % 2 === 0
          ? { kind: "conv2d", config: { filters: 2, kernelSize: int(g, 50, 5000), dilationRate: int(g, 1, 3) } }
          : { kind: POOL_KINDS[i % 3], config: undefined },
        [{ kind: "flatten", config: undefined }],
      ),
    "valid.rate-edge": (_g, i) =>
      v("valid.rate-edge", [12], {
        kind: "dropout",
        config: { rate: [0, 0.9999999999999999, 1e-7, 5e-324, 0.5][i % 5], ...(i % 3 === 0 ? { seed: -1 } : {}) },
      }),
    "valid.one-above-1": (g, i) =>
      v("valid.one-above-1", [20, 20, 2], {
        kind: "conv2d",
        config: {
          filters: 2,
          kernelSize: 3,
          ...(i % 2 === 0
            ? { strides: pick(g, [2, [2, 3] as const]), dilationRate: pick(g, [1, [1, 1] as const]) }
            : { strides: pick(g, [1, [1, 1] as const]), dilationRate: pick(g, [2, [1, 3] as const]) }),
        },
      }),
    "valid.large-safe": (g, _i) =>
      v("valid.large-safe", [int(g, 1, 4)], { kind: "dense", config: { units: pick(g, [2 ** 31, 1e15, Number.MAX_SAFE_INTEGER]) } }),
  };
}

/** Every directed variant, by name: rule variants first, then edge probes and near misses. */
export function directedVariants(): Record<string, Build> {
  return {
    ...convVariants(),
    ...denseVariants(),
    ...Object.assign({}, ...POOL_KINDS.map(poolVariants)),
    ...otherVariants(),
    ...edgeVariants(),
    ...validVariants(),
  };
}

/** Rule variants drawn more often: their values cycle through longer lists. */
const RULE_WEIGHTS: Readonly<Record<string, number>> = { "input.shape": 3, "dropout.rate": 2 };

export interface DirectedOptions {
  readonly seed: number;
  /** Cases per rule variant. */
  readonly perRule: number;
  /** Cases per edge variant and per near-miss variant. */
  readonly perOther: number;
}

/**
 * Directed cases, from one `fc.gen()` per case (fixed seed). The valid
 * prefix of every case is checked here; whether the call under test is
 * rejected is left to the test.
 */
export function generateDirectedCases(options: DirectedOptions): DirectedCase[] {
  const builds = Object.entries(directedVariants());
  const plan = builds.flatMap(([name, build]) => {
    const n = name.startsWith("edge.") || name.startsWith("valid.") ? options.perOther : options.perRule * (RULE_WEIGHTS[name] ?? 1);
    return Array.from({ length: n }, (_, i) => ({ name, build, i }));
  });
  const gens = fc.sample(fc.gen(), { seed: options.seed, numRuns: plan.length });
  return plan.map(({ name, build, i }, k) => {
    const drawn = build(gens[k], i);
    // the input variants draw their own tail (valid on the intended shape), near misses keep theirs
    const c = drawn.call === undefined || drawn.group === "valid" ? drawn : { ...drawn, tail: tailFor(i, drawn.inputShape, drawn.layers) };
    const prefix = runStack(c.inputShape, c.layers);
    if (c.call !== undefined && prefix.kind !== "ok") {
      throw new Error(`generator bug: ${name} #${i}: the prefix of ${JSON.stringify(c)} is rejected: ${String((prefix as { error: unknown }).error)}`);
    }
    return c;
  });
}
