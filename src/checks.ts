/**
 * Run-time twins of `types/checks.ts`: the same rules and the same sentences,
 * for plain JavaScript callers, `any` values and configs read from files.
 */
import { ShapeError } from "./errors.js";
import { ACTIVATIONS } from "./kernels/activations.js";
import type { ActivationName } from "./kernels/activations.js";
import type { Shape, SpatialRank } from "./shape.js";

/**
 * A value as messages print it: numbers as TypeScript prints number literal
 * types, arrays as `[a, b]`, strings quoted, other objects as JSON. Bounded
 * whatever the value: strings past 200 characters, arrays past 64 items and
 * nesting past 8 levels are cut with `...`, a cycle prints as `[cycle]`, and
 * an object too large, too deep or cyclic for JSON prints as its kind, so an
 * error sentence about a hostile value stays one short line.
 *
 * @example
 * valueText([null, 28, 28, 1]); // "[null, 28, 28, 1]"
 */
export function valueText(value: unknown): string {
  return boundedText(value, 0, []);
}

/** How much of a value {@link valueText} prints. */
const TEXT_LIMITS = { chars: 200, items: 64, depth: 8, jsonNodes: 256 };

function boundedText(value: unknown, depth: number, open: unknown[]): string {
  if (value === null) return "null";
  if (typeof value === "string")
    return value.length > TEXT_LIMITS.chars ? `'${value.slice(0, TEXT_LIMITS.chars)}...' (${value.length} characters)` : `'${value}'`;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "undefined") return String(value);
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "symbol") return value.toString();
  if (typeof value === "function") return "a function";
  try {
    if (Array.isArray(value)) {
      if (open.includes(value)) return "[cycle]";
      if (depth >= TEXT_LIMITS.depth) return "[...]";
      const shown = Math.min(value.length, TEXT_LIMITS.items);
      const items: string[] = [];
      open.push(value);
      for (let i = 0; i < shown; i++) items.push(boundedText(value[i], depth + 1, open));
      open.pop();
      if (value.length > shown) items.push(`... ${value.length - shown} more`);
      return `[${items.join(", ")}]`;
    }
    if (ArrayBuffer.isView(value)) return `a ${value.constructor.name} of ${(value as unknown as { length?: number }).length ?? value.byteLength} values`;
    if (!jsonSized(value)) return Object.prototype.toString.call(value);
    const json = JSON.stringify(value);
    if (json === undefined) return Object.prototype.toString.call(value);
    return json.length > TEXT_LIMITS.chars ? `${json.slice(0, TEXT_LIMITS.chars)}...` : json;
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** `true` when an object is small, shallow and acyclic enough to print as JSON. */
function jsonSized(value: object): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  let nodes = 0;
  const seen = new Set<unknown>();
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    if (++nodes > TEXT_LIMITS.jsonNodes || depth > TEXT_LIMITS.depth || seen.has(v)) return false;
    seen.add(v);
    const keys = Object.keys(v);
    if (keys.length > TEXT_LIMITS.jsonNodes) return false;
    for (const k of keys) stack.push([(v as Record<string, unknown>)[k], depth + 1]);
  }
  return true;
}

/** `true` for a positive safe integer. */
export function isPositiveInteger(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value > 0;
}

/** The bound on every size and count, as sentences name it: past it a number is no longer an exact integer. */
export const MAX_EXACT_TEXT = "Number.MAX_SAFE_INTEGER (9007199254740991)";

/**
 * The product of sizes, or a sentence with its exact value when that is past
 * 2^53 − 1, where numbers stop being exact integers.
 *
 * @example
 * exactProduct("flatten", "output size", [3, 3, 128]); // 1152
 * exactProduct("flatten", "output size", [2 ** 30, 2 ** 30, 2 ** 30]);
 * // ShapeError: shapewise: flatten output size 1237940039285380274899124224 is past Number.MAX_SAFE_INTEGER (9007199254740991)
 */
export function exactProduct(method: string, what: string, factors: readonly number[]): number {
  let product = 1;
  for (const f of factors) product *= f;
  if (Number.isSafeInteger(product)) return product;
  return fail(`shapewise: ${method} ${what} ${factors.reduce((p, f) => p * BigInt(f), 1n)} is past ${MAX_EXACT_TEXT}`);
}

/**
 * The sum of sizes or counts, or a sentence with its exact value when that is
 * past 2^53 − 1.
 *
 * @example
 * exactSum("concatenate", "axis size", [64, 32]); // 96
 */
export function exactSum(method: string, what: string, terms: readonly number[]): number {
  let sum = 0;
  for (const t of terms) sum += t;
  if (Number.isSafeInteger(sum)) return sum;
  return fail(`shapewise: ${method} ${what} ${terms.reduce((p, t) => p + BigInt(t), 0n)} is past ${MAX_EXACT_TEXT}`);
}

/**
 * The number of weights of a layer with weights of these shapes, or a
 * sentence naming the layer's method and the exact count when that is past
 * 2^53 − 1 (the sentence the type level shows).
 *
 * @example
 * exactWeightCount("dense", [[1152, 10], [10]]); // 11530
 * exactWeightCount("dense", [[2 ** 30, 2 ** 30], [2 ** 30]]);
 * // ShapeError: shapewise: dense parameter count 1152921505680588800 is past Number.MAX_SAFE_INTEGER (9007199254740991)
 */
export function exactWeightCount(method: string, shapes: readonly (readonly number[])[]): number {
  const total = shapes.reduce((sum, shape) => sum + shape.reduce((p, d) => p * d, 1), 0);
  if (Number.isSafeInteger(total)) return total;
  const exact = shapes.reduce((sum, shape) => sum + shape.reduce((p, d) => p * BigInt(d), 1n), 0n);
  return fail(`shapewise: ${method} parameter count ${exact} is past ${MAX_EXACT_TEXT}`);
}

/**
 * How deeply models may nest models as layers, built through the API or read
 * from a file: deeper is refused with a sentence, so nothing that walks a
 * model (shape checks, summaries, saving, export) recurses without bound,
 * and what builds also loads.
 *
 * @example
 * MAX_NESTING_DEPTH; // 32
 */
export const MAX_NESTING_DEPTH = 32;

/** Throws the sentence of a broken rule. */
export function fail(message: string): never {
  throw new ShapeError(message);
}

/** Checks a count option (filters, units) and returns it. */
export function positiveCount(method: string, key: string, value: unknown): number {
  if (!isPositiveInteger(value)) fail(`shapewise: ${method} ${key} must be a positive integer, got ${valueText(value)}`);
  return value;
}

/** Checks that a layer gets the rank it takes. */
export function exactRank(method: string, shape: Shape, rank: number, layout: string): void {
  if (shape.length !== rank) {
    fail(`shapewise: ${method} expects input of rank ${rank} ${layout}, got rank ${shape.length} ${valueText(shape)}`);
  }
}

/** Checks that the last (channel) dimension is known, and returns it. */
export function knownChannels(method: string, shape: Shape): number {
  const last = shape[shape.length - 1];
  if (last === null || last === undefined) {
    fail(`shapewise: ${method} needs a known last dimension to size its weights, got ${valueText(shape)}`);
  }
  return last;
}

/**
 * Checks a config object: it must be a plain object, and every key must be one
 * the layer knows, so a misspelt option is an error instead of a silent default.
 */
export function configObject(method: string, config: unknown, known: readonly string[]): Record<string, unknown> {
  if (config === undefined) return {};
  if (config === null || typeof config !== "object" || Array.isArray(config)) {
    fail(`shapewise: ${method} expects a config object, got ${valueText(config)}`);
  }
  for (const key of Object.keys(config)) {
    if (!known.includes(key)) {
      fail(`shapewise: ${method} has no option '${key}' (options: ${known.join(", ")})`);
    }
  }
  return config as Record<string, unknown>;
}

/** Checks a value against a list of allowed strings. */
export function oneOf<T extends string>(method: string, key: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
    fail(`shapewise: ${method} ${key} must be one of ${allowed.map((a) => `'${a}'`).join(", ")}, got ${valueText(value)}`);
  }
  return value as T;
}

/** Checks an optional boolean option. */
export function optionalBoolean(method: string, key: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") fail(`shapewise: ${method} ${key} must be true or false, got ${valueText(value)}`);
  return value;
}

/** Checks an optional layer name: a non-empty string without `/`, as Keras requires. */
export function optionalName(method: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value.length === 0 || value.includes("/")) {
    fail(`shapewise: ${method} name must be a non-empty string without '/', got ${valueText(value)}`);
  }
  return value;
}

// ---------------------------------------------------------------------------
// numbers
// ---------------------------------------------------------------------------

/**
 * Reads an optional finite number: the default when left out, a sentence for
 * anything that is not a finite number (the types cannot see `NaN` or `Infinity`).
 *
 * @example
 * finiteNumber("rescaling", "offset", undefined, 0); // 0
 */
export function finiteNumber(method: string, key: string, value: unknown, fallback?: number): number {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value)) fail(`shapewise: ${method} ${key} must be a finite number, got ${valueText(value)}`);
  return value;
}

/**
 * Reads an optional number that must be at least 0 (Keras 3 rejects negative
 * slopes, thresholds, regularisation factors).
 *
 * @example
 * nonNegative("reLU", "maxValue", 6, 0); // 6
 * nonNegative("reLU", "maxValue", -1, 0); // throws "shapewise: reLU maxValue must be at least 0, got -1"
 */
export function nonNegative(method: string, key: string, value: unknown, fallback?: number): number {
  const v = finiteNumber(method, key, value, fallback);
  if (v < 0) fail(`shapewise: ${method} ${key} must be at least 0, got ${valueText(v)}`);
  return v;
}

/**
 * Reads an optional number that must be above 0 (epsilons).
 *
 * @example
 * positiveNumber("batchNormalization", "epsilon", undefined, 1e-3); // 0.001
 */
export function positiveNumber(method: string, key: string, value: unknown, fallback?: number): number {
  const v = finiteNumber(method, key, value, fallback);
  if (!(v > 0)) fail(`shapewise: ${method} ${key} must be positive, got ${valueText(v)}`);
  return v;
}

/**
 * Reads an optional number in `[0, 1]` (momentum, GaussianNoise's stddev).
 *
 * @example
 * unitInterval("gaussianNoise", "stddev", 0.1); // 0.1
 */
export function unitInterval(method: string, key: string, value: unknown, fallback?: number): number {
  const v = finiteNumber(method, key, value, fallback);
  if (!(v >= 0 && v <= 1)) fail(`shapewise: ${method} ${key} must be at least 0 and at most 1, got ${valueText(v)}`);
  return v;
}

// ---------------------------------------------------------------------------
// sizes per spatial axis
// ---------------------------------------------------------------------------

/**
 * How size messages spell the per-axis form: convolution options (and
 * `outputPadding`) say "a one-element tuple of it" in 1-D, pooling and
 * upsampling sizes say "a list of one", as each family always has.
 */
const PER_AXIS_FORMS = {
  tuple: { 1: "a one-element tuple of it", 2: "a pair of them", 3: "a triple of them" },
  list: { 1: "a list of one", 2: "a pair of them", 3: "a triple of them" },
} as const;

const isSizeOrZero = (v: unknown): v is number => v === 0 || isPositiveInteger(v);

/** One value per spatial axis from a number or a list of `n` of them, each passing `ok`; the sentence names `what` and the form. */
function perAxis(
  method: string,
  key: string,
  value: unknown,
  n: SpatialRank,
  ok: (v: unknown) => v is number,
  what: string,
  form: keyof typeof PER_AXIS_FORMS,
): number[] {
  if (ok(value)) return new Array<number>(n).fill(value);
  if (Array.isArray(value) && value.length === n && value.every(ok)) return [...(value as number[])];
  return fail(`shapewise: ${method} ${key} must be ${what} or ${PER_AXIS_FORMS[form][n]}, got ${valueText(value)}`);
}

/**
 * Checks a size option of a convolution (`kernelSize`, `strides`,
 * `dilationRate`): a positive integer, or one per spatial axis.
 *
 * @example
 * positiveSizeN("conv1d", "kernelSize", [5], 1); // [5]
 * positiveSizeN("conv3d", "kernelSize", 3, 3);   // [3, 3, 3]
 */
export function positiveSizeN(method: string, key: string, value: unknown, rank: SpatialRank): number[] {
  return perAxis(method, key, value, rank, isPositiveInteger, "a positive integer", "tuple");
}

/**
 * Checks a size option that may be zero (`outputPadding`) and returns one value per axis.
 *
 * @example
 * nonNegativeSizeN("conv2dTranspose", "outputPadding", 0, 2); // [0, 0]
 */
export function nonNegativeSizeN(method: string, key: string, value: unknown, rank: SpatialRank): number[] {
  return perAxis(method, key, value, rank, isSizeOrZero, "a non-negative integer", "tuple");
}

/**
 * Checks a size option of pooling or upsampling (`poolSize`, `strides`,
 * `size`) for `n` spatial axes (one number, or one per axis) and returns it per axis.
 *
 * @example
 * sizeTuple("maxPooling3d", "poolSize", 2, 3); // [2, 2, 2]
 */
export function sizeTuple(method: string, key: string, value: unknown, n: SpatialRank): number[] {
  return perAxis(method, key, value, n, isPositiveInteger, "a positive integer", "list");
}

// ---------------------------------------------------------------------------
// axes
// ---------------------------------------------------------------------------

/**
 * Throws unless the input has an axis besides the batch one (layers sized or normalised per feature).
 *
 * @example
 * minRank2("batchNormalization", [null]); // throws "shapewise: batchNormalization expects input of rank 2 or more ..."
 */
export function minRank2(method: string, shape: Shape): void {
  if (shape.length < 2) {
    fail(`shapewise: ${method} expects input of rank 2 or more [batch, ..., features], got rank ${shape.length} ${valueText(shape)}`);
  }
}

/**
 * What an `axis`-like option may hold (twin of the type-level `AxesRule`):
 * `lowest` 1 for non-batch axes only, `negative` whether axes may count from
 * the end, `empty` whether `[]` is allowed, `repeats` whether an axis may be
 * named twice, `what` the wording of the integer rule. `list` says whether a
 * list is accepted at all (the types rule lists out where it is not).
 *
 * @example
 * const softmaxRule: AxesRule = { list: true, lowest: 0, negative: true, empty: false, repeats: false, what: "an integer or a list of integers" };
 */
export interface AxesRule {
  readonly list: boolean;
  readonly lowest: 0 | 1;
  readonly negative: boolean;
  readonly empty: boolean;
  readonly repeats: boolean;
  readonly what: string;
}

/**
 * The axes rule of `batchNormalization`, and of `normalization` (one non-batch axis).
 *
 * @example
 * axesOption("batchNormalization", "axis", [null, 16, 8, 8], 1, SINGLE_AXIS_RULE); // [1]
 */
export const SINGLE_AXIS_RULE: AxesRule = { list: false, lowest: 1, negative: true, empty: false, repeats: false, what: "an integer" };

/**
 * Checks an `axis`-like option against a shape, in the type level's order
 * (integers, not empty, inside the shape, no repeats), and returns the
 * normalised (non-negative) indices in the order given.
 *
 * @example
 * axesOption("layerNormalization", "axis", [null, 10, 64], [1, -1], NORM_AXES_RULE); // [1, 2]
 */
export function axesOption(method: string, key: string, shape: Shape, value: unknown, rule: AxesRule): number[] {
  const list: unknown[] = Array.isArray(value) ? value : [value];
  if ((Array.isArray(value) && !rule.list) || !list.every((a) => Number.isSafeInteger(a)))
    fail(`shapewise: ${method} ${key} must be ${rule.what}, got ${valueText(value)}`);
  const axes = list as number[];
  if (axes.length === 0 && !rule.empty) fail(`shapewise: ${method} ${key} must name at least one axis, got []`);
  const rank = shape.length;
  const indices = axes.map((a) => (a < 0 ? rank + a : a));
  if (axes.some((a, i) => (a < 0 && !rule.negative) || indices[i] < rule.lowest || indices[i] >= rank)) {
    const range = rule.lowest === 0 ? `-${rank} to ${rank - 1}` : rule.negative ? `1 to ${rank - 1} or -${rank - 1} to -1` : `1 to ${rank - 1}`;
    fail(`shapewise: ${method} ${key} ${valueText(value)} must name ${rule.lowest === 1 ? "non-batch " : ""}axes of input ${valueText(shape)}: ${range}`);
  }
  if (!rule.repeats) {
    const repeated = indices.find((a, i) => indices.indexOf(a, i + 1) >= 0);
    if (repeated !== undefined) fail(`shapewise: ${method} ${key} ${valueText(value)} names axis ${repeated} twice`);
  }
  return indices;
}

/**
 * Throws when one of the given axes has an unknown size, naming the first;
 * returns the sizes in the same order.
 *
 * @example
 * knownAxes("batchNormalization", [null, 8, null], [2], "to size its weights"); // throws "... needs a known size on axis 2 ..."
 */
export function knownAxes(method: string, shape: Shape, indices: readonly number[], why: string): number[] {
  return indices.map((i) => {
    const size = shape[i];
    if (size === null) fail(`shapewise: ${method} needs a known size on axis ${i} ${why}, got ${valueText(shape)}`);
    return size;
  });
}

// ---------------------------------------------------------------------------
// options of several families
// ---------------------------------------------------------------------------

/**
 * Reads an optional activation option (`"linear"` when left out).
 *
 * @example
 * activationOption("conv2d", undefined); // "linear"
 */
export function activationOption(method: string, value: unknown): ActivationName {
  return value === undefined ? "linear" : oneOf(method, "activation", value, ACTIVATIONS);
}

/**
 * A copy of a config whose lists are copied too, so that a caller who later
 * changes an array it passed (TF.js, for one, rewrites `targetShape` in place)
 * cannot change a layer already checked.
 *
 * @example
 * const cfg = snapshot({ poolSize: [2, 2] }); // cfg.poolSize is a new array
 */
export function snapshot(config: Record<string, unknown>): Record<string, unknown> {
  // No option nests lists deeper than a few levels; stopping there keeps a
  // cyclic or absurdly deep list from exhausting the stack before the
  // option's own check refuses it with a sentence.
  const copy = (v: unknown, depth: number): unknown => (Array.isArray(v) && depth < SNAPSHOT_DEPTH ? v.map((e) => copy(e, depth + 1)) : v);
  return Object.fromEntries(Object.entries(config).map(([k, v]) => [k, copy(v, 0)]));
}

const SNAPSHOT_DEPTH = 8;
