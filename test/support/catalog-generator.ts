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
import {
  type ConfigValue,
  type Dim,
  type DrawnCall,
  ELEMENTWISE_LAYERS,
  drawAttention,
  drawCenterCrop,
  drawConv,
  drawDense,
  drawElementwise,
  drawFlatten,
  drawFrom,
  drawGlobalPool,
  drawPermute,
  drawPool,
  drawRecurrent,
  drawRepeatVector,
  drawReshape,
  drawResizing,
  drawSpatialReshape,
  product,
} from "./layer-options.js";

export type { ConfigValue, Dim } from "./layer-options.js";

/**
 * One layer call: the method name and its config. `inner` is the callback's
 * call of `bidirectional` and `timeDistributed`; `selfAttention` makes
 * `multiHeadAttention` take the tensor it is called on as `value`.
 *
 * @example
 * const call: CatalogCall = { method: "bidirectional", inner: { method: "lstm", config: { units: 2 } }, config: { mergeMode: "sum" } };
 */
export interface CatalogCall extends DrawnCall {
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
const known = (d: Dim): d is number => d !== null;

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
  const d = drawFrom(g);
  const family = weighted(g, familyWeights(shape));
  const rank = shape.length;
  switch (family) {
    case "conv":
    case "transpose":
    case "depthwise":
    case "separable":
      return drawConv(d, shape, family);
    case "maxPool":
      return drawPool(d, shape, "max");
    case "avgPool":
      return drawPool(d, shape, "average");
    case "globalPool":
      return drawGlobalPool(d, shape);
    case "zeroPadding":
    case "cropping":
    case "upSampling":
      return drawSpatialReshape(d, shape, family);
    case "reshape":
      return drawReshape(d, shape);
    case "permute":
      return drawPermute(d, shape);
    case "repeatVector":
      return drawRepeatVector(d);
    case "flatten":
      return drawFlatten(d, 0.1);
    case "dense":
      return drawDense(d);
    case "elementwise": {
      const method = weighted(
        g,
        ELEMENTWISE_LAYERS.map(([m, wt, ok]) => [m, ok(rank) ? wt : 0] as const),
      );
      return drawElementwise(d, shape, method);
    }
    case "recurrent":
      return { ...drawRecurrent(d, false) };
    case "bidirectional": {
      const inner = drawRecurrent(d, true);
      const mergeMode = d.pick([undefined, "concat", "sum", "mul", "ave"]);
      return mergeMode === undefined ? { method: "bidirectional", inner } : { method: "bidirectional", inner, config: { mergeMode } };
    }
    case "timeDistributed": {
      // The inner layer sees one step: [batch, ...shape after the steps].
      const inner = rank === 4 && shape[3] !== null && d.chance(0.4) ? drawConv(d, [shape[0], ...shape.slice(2)], "conv") : drawDense(d);
      return { method: "timeDistributed", inner };
    }
    case "attention":
      return { ...drawAttention(d), selfAttention: true };
    case "resizing":
      return drawResizing(d);
    case "centerCrop":
      return drawCenterCrop(d);
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
