/**
 * Run-time twins of `types/checks.ts`: the same rules and the same sentences,
 * for plain JavaScript callers, `any` values and configs read from files.
 */
import { ShapeError } from "./errors.js";

/** A dimension: a size, or `null` for one known only when data arrives. */
export type Dim = number | null;
/** A shape, batch dimension first. */
export type Shape = readonly Dim[];

/**
 * A value as messages print it: numbers as TypeScript prints number literal
 * types, arrays as `[a, b]`, strings quoted.
 *
 * @example
 * valueText([null, 28, 28, 1]); // "[null, 28, 28, 1]"
 */
export function valueText(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return `[${value.map(valueText).join(", ")}]`;
  if (typeof value === "string") return `'${value}'`;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "undefined") return String(value);
  if (typeof value === "bigint") return `${value}n`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** `true` for a positive safe integer. */
export function isPositiveInteger(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value > 0;
}

/** Throws the sentence of a broken rule. */
export function fail(message: string): never {
  throw new ShapeError(message);
}

/** Checks a count option (filters, units) and returns it. */
export function positiveCount(method: string, key: string, value: unknown): number {
  if (!isPositiveInteger(value)) fail(`shapewise: ${method} ${key} must be a positive integer, got ${valueText(value)}`);
  return value;
}

/** Checks a size option (a number or a pair) and returns it as a pair. */
export function positiveSize(method: string, key: string, value: unknown): [number, number] {
  if (isPositiveInteger(value)) return [value, value];
  if (Array.isArray(value) && value.length === 2 && value.every(isPositiveInteger)) return [value[0], value[1]];
  return fail(`shapewise: ${method} ${key} must be a positive integer or a pair of them, got ${valueText(value)}`);
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
