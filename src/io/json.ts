/**
 * Readers of untrusted JSON, shared by every file format: a parser that
 * refuses prototype keys and deep nesting, a copier of objects given in
 * place of text, and readers of single values that fail with a sentence
 * naming what was expected.
 */
import { fail, valueText } from "../checks.js";
import { ShapeError } from "../errors.js";
import type { Shape } from "../shape.js";
/** Keys that could reach an object's prototype if a reader ever assigned them. */
const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

/**
 * `JSON.parse` that rejects `__proto__`, `constructor` and `prototype` keys
 * anywhere in the document, so no later copy can pollute a prototype.
 *
 * @example
 * parseJsonSafely('{"a": 1}', "model.json"); // { a: 1 }
 * parseJsonSafely('{"__proto__": {}}', "model.json"); // throws ShapeError
 */
export function parseJsonSafely(text: string, what: string): unknown {
  if (typeof text !== "string") fail(`shapewise: ${what} must be JSON text, got ${valueText(text)}`);
  checkJsonDepth(text, what);
  try {
    return JSON.parse(text, (key, value: unknown) => {
      if (FORBIDDEN_KEYS.has(key)) throw new ForbiddenKey(key);
      return value;
    });
  } catch (error) {
    if (error instanceof ForbiddenKey) fail(`shapewise: ${what} has the forbidden key '${error.key}' (it could change object prototypes)`);
    fail(`shapewise: ${what} is not valid JSON (${(error as Error).message})`);
  }
}

/**
 * How deeply JSON may nest arrays and objects: a model file nested
 * {@link MAX_NESTING_DEPTH} models deep needs about 200 levels. Deeper
 * documents are refused before they are parsed, so nothing that reads them
 * later (readers, messages) can run out of stack.
 *
 * @example
 * parseJsonSafely("[".repeat(MAX_JSON_DEPTH + 1), "model.json"); // throws ShapeError
 */
export const MAX_JSON_DEPTH = 512;

/** Counts brackets outside strings, one character at a time (no recursion). */
function checkJsonDepth(text: string, what: string): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_JSON_DEPTH)
        fail(
          `shapewise: ${what} nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep (at character ${i}); shapewise reads at most ${MAX_JSON_DEPTH}`,
        );
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
}

/**
 * A copy of a JSON value handed over in memory, made without recursion and
 * checked as {@link parseJsonSafely} checks text: plain objects, arrays,
 * strings, finite numbers, booleans and null only, at most
 * {@link MAX_JSON_DEPTH} levels deep, no cycle, no prototype key, and no
 * more than `maxChars` characters as JSON text (so shared sub-objects cannot
 * multiply into an unbounded document). Properties that are `undefined` are
 * left out, as `JSON.stringify` leaves them out.
 *
 * @example
 * plainJson({ a: [1, "x"] }, "model.json", 1024); // { a: [1, "x"] }
 * const loop: Record<string, unknown> = {};
 * loop.self = loop;
 * plainJson(loop, "model.json", 1024); // throws ShapeError: a cycle
 */
export function plainJson(value: unknown, what: string, maxChars: number): unknown {
  interface Frame {
    readonly source: object;
    readonly copy: unknown[] | Record<string, unknown>;
    readonly keys: readonly string[] | null;
    next: number;
  }
  const stack: Frame[] = [];
  const open = new Set<object>();
  let size = 0;
  const where = (): string => {
    const steps = stack.map((f) => (f.keys === null ? `[${f.next - 1}]` : `.${f.keys[f.next - 1]}`));
    return steps.length === 0 ? "its top" : steps.join("");
  };
  const grow = (chars: number): void => {
    size += chars;
    if (size > maxChars) fail(`shapewise: ${what} is larger than the limit of ${maxChars} characters as JSON (option maxJsonBytes)`);
  };
  let result: unknown;
  const place = (v: unknown, put: (copy: unknown) => void): void => {
    if (v === null || typeof v === "boolean") {
      grow(5);
      put(v);
      return;
    }
    if (typeof v === "number") {
      if (!Number.isFinite(v)) fail(`shapewise: ${what} holds ${v} at ${where()}, which JSON cannot hold`);
      grow(String(v).length);
      put(v);
      return;
    }
    if (typeof v === "string") {
      grow(v.length + 2);
      put(v);
      return;
    }
    if (typeof v !== "object") fail(`shapewise: ${what} holds a ${typeof v} at ${where()}; it must hold JSON values only`);
    if (open.has(v)) fail(`shapewise: ${what} contains itself at ${where()} (a cycle), which JSON cannot hold`);
    if (stack.length >= MAX_JSON_DEPTH)
      fail(`shapewise: ${what} nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep at ${where()}; shapewise reads at most ${MAX_JSON_DEPTH}`);
    let frame: Frame;
    if (Array.isArray(v)) {
      // One comma per element at least: a huge (even sparse) array is refused before it is walked.
      grow(2 + v.length);
      frame = { source: v, copy: [], keys: null, next: 0 };
    } else {
      const proto = Object.getPrototypeOf(v) as unknown;
      if (proto !== Object.prototype && proto !== null)
        fail(`shapewise: ${what} holds ${Object.prototype.toString.call(v)} at ${where()}; it must hold JSON values only`);
      const keys = Object.keys(v);
      grow(2 + keys.length);
      frame = { source: v, copy: {}, keys, next: 0 };
    }
    put(frame.copy);
    open.add(v);
    stack.push(frame);
  };
  try {
    place(value, (copy) => (result = copy));
    walk();
  } catch (error) {
    if (error instanceof ShapeError) throw error;
    // A getter or proxy of the caller's object threw while it was read.
    fail(`shapewise: ${what} could not be read at ${where()}: ${(error as Error)?.message ?? valueText(error)}`);
  }
  return result;

  function walk(): void {
    while (stack.length > 0) {
      const f = stack[stack.length - 1];
      if (f.keys === null) {
        const items = f.source as unknown[];
        if (f.next >= items.length) {
          open.delete(f.source);
          stack.pop();
          continue;
        }
        const item = items[f.next++];
        const copy = f.copy as unknown[];
        place(item === undefined ? null : item, (c) => copy.push(c));
      } else {
        if (f.next >= f.keys.length) {
          open.delete(f.source);
          stack.pop();
          continue;
        }
        const key = f.keys[f.next++];
        if (FORBIDDEN_KEYS.has(key)) fail(`shapewise: ${what} has the forbidden key '${key}' (it could change object prototypes)`);
        const item = (f.source as Record<string, unknown>)[key];
        if (item === undefined) continue;
        grow(key.length + 3);
        const copy = f.copy as Record<string, unknown>;
        place(item, (c) => (copy[key] = c));
      }
    }
  }
}

class ForbiddenKey extends Error {
  constructor(readonly key: string) {
    super(key);
  }
}

/**
 * A JSON object (not null, not an array), or a sentence naming what was expected.
 *
 * @example
 * record({ a: 1 }, "modelTopology"); // { a: 1 }
 */
export function record(value: unknown, what: string): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) fail(`shapewise: ${what} must be an object, got ${shortText(value)}`);
  return value as Record<string, unknown>;
}

/**
 * A JSON array, or a sentence.
 *
 * @example
 * list([1], "layers"); // [1]
 */
export function list(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) fail(`shapewise: ${what} must be a list, got ${shortText(value)}`);
  return value;
}

/**
 * A non-empty string, or a sentence.
 *
 * @example
 * text("conv2d", "layer name"); // "conv2d"
 */
export function text(value: unknown, what: string): string {
  if (typeof value !== "string" || value.length === 0) fail(`shapewise: ${what} must be a non-empty string, got ${shortText(value)}`);
  return value;
}

/**
 * An own property of a file object (never one from its prototype), or a sentence when it is missing.
 *
 * @example
 * own({ a: 1 }, "a", "config"); // 1
 */
export function own(obj: Record<string, unknown>, key: string, what: string): unknown {
  if (!Object.hasOwn(obj, key)) fail(`shapewise: ${what} is missing the key '${key}'`);
  return obj[key];
}

/**
 * An own property, or `undefined`.
 *
 * @example
 * maybe({}, "a"); // undefined
 */
export function maybe(obj: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/**
 * A value as a message prints it, cut short: file contents can be large.
 *
 * @example
 * shortText("x".repeat(500)).length; // 80
 */
export function shortText(value: unknown): string {
  const t = valueText(value);
  return t.length > 80 ? `${t.slice(0, 77)}...` : t;
}

/**
 * A batch shape from a file: `null` or positive safe integers; huge, negative
 * or fractional sizes are errors (they would size weights or buffers).
 *
 * @example
 * batchShape([null, 28, 28, 1], "input_1"); // [null, 28, 28, 1]
 */
export function batchShape(value: unknown, what: string): Shape {
  const dims = list(value, `${what} shape`);
  if (dims.length < 1 || dims.some((d) => d !== null && !(typeof d === "number" && Number.isSafeInteger(d) && d > 0))) {
    fail(`shapewise: ${what} shape sizes must be positive integers or null, got ${shortText(value)}`);
  }
  return dims as Shape;
}

/**
 * `true` for a node or tensor index: a non-negative safe integer.
 *
 * @example
 * isIndex(0); // true
 */
export function isIndex(v: unknown): v is number {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
}
