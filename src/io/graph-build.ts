/**
 * What the file loaders share: a JSON parser that refuses prototype keys,
 * readers of untrusted values that fail with a sentence, and the builder that
 * turns a layer list with its connections into a shapewise model through the
 * public building API (so every shape rule is checked again), never
 * allocating weights past a limit.
 */
import { fail, valueText } from "../checks.js";
import { ShapeError } from "../errors.js";
import { model, sequential } from "../functional.js";
import type { Layer } from "../layers/layer.js";
import type { Model } from "../model.js";
import type { SymbolicTensorImpl } from "../symbolic-tensor.js";
import { applyLayerConfig, entryForClass } from "./layer-registry.js";
import type { InnerCall } from "./layer-registry.js";
import type { Shape } from "../shape.js";

/**
 * Any model, whatever its shapes and total: a `Model<[null, 28, 28, 1], [null, 10], 113162>`
 * is not assignable to the bare `Model` (its `predict` takes narrower
 * tensors), so functions that take every model take this.
 *
 * @example
 * function describe(m: AnyModel) { return m.name; }
 */
// biome-ignore lint/suspicious/noExplicitAny: a model of any inputs and outputs; `unknown` would not accept every model, as the type parameters are invariant
export type AnyModel = Model<any, any, any>;

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
 * A reference to one output of one call of a layer, as files write `["conv2d", 0, 0]`.
 *
 * @example
 * const ref: FileRef = { layer: "conv2d", nodeIndex: 0, tensorIndex: 0 };
 */
export interface FileRef {
  readonly layer: string;
  readonly nodeIndex: number;
  readonly tensorIndex: number;
}

/**
 * One layer of a file: its class, the method's options, the wrapped call, and its calls' inputs.
 *
 * @example
 * const dense: FileLayer = { name: "dense", className: "Dense", config: { units: 10, name: "dense" }, calls: [[{ layer: "flatten", nodeIndex: 0, tensorIndex: 0 }]] };
 */
export interface FileLayer {
  readonly name: string;
  readonly className: string;
  /** The shapewise method's options (camelCase), name included; for an input layer `{ shape, name }`. */
  readonly config: Record<string, unknown>;
  readonly inner?: InnerCall;
  /** For a model applied as a layer: the inner model's own graph, built first. */
  readonly nested?: FileGraph;
  /** One list of input references per call of the layer (none for an input layer). */
  readonly calls: readonly (readonly FileRef[])[];
}

/**
 * A model as a file describes it.
 *
 * @example
 * buildModel(tfjsGraph(json.modelTopology), DEFAULT_MAX_BYTES); // the FileGraph of a model.json, built
 */
export interface FileGraph {
  readonly kind: "functional" | "sequential";
  readonly name: string | undefined;
  readonly layers: readonly FileLayer[];
  readonly inputs: readonly FileRef[];
  readonly outputs: readonly FileRef[];
  /** Keys when the file arranges the inputs or outputs as a record (Keras dict inputs/outputs). */
  readonly inputKeys?: readonly string[];
  readonly outputKeys?: readonly string[];
}

/** One layer entry of a file as its reader parsed it, before the calls are known. */
export interface ParsedFileLayer {
  readonly className: string;
  readonly name: string;
  readonly config: Record<string, unknown>;
  readonly inner?: InnerCall;
  readonly nested?: FileGraph;
  readonly batchShape?: Shape;
}

/**
 * The graph of a Sequential model file: each layer called on the one before.
 * Without an `InputLayer` first, one is made from the first layer's input
 * shape and named `<first>_input`, as TensorFlow.js and tf.keras name it.
 *
 * @example
 * sequentialGraph("mnist", parsed, () => undefined, "model file").outputs; // [{ layer: "dense", nodeIndex: 0, tensorIndex: 0 }]
 */
export function sequentialGraph(
  name: string | undefined,
  parsed: readonly ParsedFileLayer[],
  firstShape: (first: ParsedFileLayer) => Shape | undefined,
  what: string,
): FileGraph {
  const layers: FileLayer[] = [];
  let previous: FileRef | undefined;
  parsed.forEach((l, i) => {
    if (i === 0 && l.className !== "InputLayer") {
      const shape = firstShape(l);
      if (shape === undefined) fail(`shapewise: Sequential layer '${l.name}' is first and needs an input shape`);
      const inputName = `${l.name}_input`;
      layers.push({ name: inputName, className: "InputLayer", config: { shape: shape.slice(1), name: inputName }, calls: [] });
      previous = { layer: inputName, nodeIndex: 0, tensorIndex: 0 };
    }
    layers.push({
      name: l.name,
      className: l.className,
      config: l.config,
      inner: l.inner,
      nested: l.nested,
      calls: previous === undefined ? [] : [[previous]],
    });
    previous = { layer: l.name, nodeIndex: 0, tensorIndex: 0 };
  });
  if (layers.length < 2) fail(`shapewise: Sequential ${what} needs at least one layer after its input`);
  return { kind: "sequential", name, layers, inputs: [{ layer: layers[0].name, nodeIndex: 0, tensorIndex: 0 }], outputs: [previous!] };
}

/**
 * The input references of one call of a layer, in order: a TensorFlow.js or
 * tf.keras 2 call (`[["conv2d", 0, 0, {}], ...]`), or a Keras 3 one
 * (`{ args, kwargs }` of `__keras_tensor__` objects: arguments, then `value`
 * and `key` by keyword).
 *
 * @example
 * callInputs([["conv2d", 0, 0, {}]], "layer 'flatten' call 0"); // [{ layer: "conv2d", nodeIndex: 0, tensorIndex: 0 }]
 */
export function callInputs(node: unknown, where: string): FileRef[] {
  // tf.keras 2 writes a call as a list of [name, node, tensor, kwargs].
  if (Array.isArray(node)) {
    return node.map((r, i) => {
      const ref = list(r, `${where} input ${i}`);
      const [layer, nodeIndex, tensorIndex] = ref;
      if (typeof layer !== "string" || !isIndex(nodeIndex) || !isIndex(tensorIndex))
        fail(`shapewise: ${where} input ${i} must be [layer name, node index, tensor index], got ${shortText(r)}`);
      return { layer, nodeIndex, tensorIndex };
    });
  }
  const n = record(node, where);
  const refs: FileRef[] = [];
  const walk = (v: unknown, depth: number): void => {
    if (depth > 4) fail(`shapewise: ${where} nests its arguments too deeply`);
    if (Array.isArray(v)) {
      for (const item of v) walk(item, depth + 1);
      return;
    }
    if (v === null || typeof v !== "object") return;
    const o = v as Record<string, unknown>;
    if (maybe(o, "class_name") !== "__keras_tensor__") return;
    const history = list(maybe(record(own(o, "config", where), `${where} tensor`), "keras_history"), `${where} keras_history`);
    const [layer, nodeIndex, tensorIndex] = history;
    if (typeof layer !== "string" || !isIndex(nodeIndex) || !isIndex(tensorIndex))
      fail(`shapewise: ${where} keras_history must be [layer name, node index, tensor index], got ${shortText(history)}`);
    refs.push({ layer, nodeIndex, tensorIndex });
  };
  walk(maybe(n, "args") ?? [], 0);
  const kwargs = maybe(n, "kwargs");
  if (kwargs !== undefined && kwargs !== null) {
    const k = record(kwargs, `${where} kwargs`);
    for (const key of ["value", "key"]) walk(maybe(k, key), 0);
  }
  return refs;
}

/**
 * How deeply model files may nest models as layers: deeper files are
 * refused before they are read further, so a hostile file cannot make the
 * readers recurse without bound.
 *
 * @example
 * checkNestingDepth(MAX_NESTING_DEPTH + 1, "layer 'm'"); // throws ShapeError
 */
export const MAX_NESTING_DEPTH = 32;

/**
 * Refuses a model nested deeper than {@link MAX_NESTING_DEPTH} levels.
 *
 * @example
 * checkNestingDepth(1, "layer 'encoder'"); // fine
 */
export function checkNestingDepth(depth: number, where: string): void {
  if (depth > MAX_NESTING_DEPTH)
    fail(`shapewise: model file nests models more than ${MAX_NESTING_DEPTH} levels deep at ${where}; shapewise reads at most ${MAX_NESTING_DEPTH} levels`);
}

/**
 * A file's layers by name, for {@link rebaseNested}: made once per layer
 * list, so reading a file stays linear in its size. (A name defined twice is
 * refused when the model is built.)
 *
 * @example
 * rebaseNested(layersByName(layers), refs, () => 1, "output_layers");
 */
export function layersByName(layers: readonly FileLayer[]): ReadonlyMap<string, FileLayer> {
  return new Map(layers.map((l) => [l.name, l]));
}

/**
 * Turns the node indices a file writes for nested models into call indices.
 * TensorFlow.js and tf.keras 2 count a nested model's own inner graph as its
 * node 0, so its calls in the outer model are nodes 1, 2, ...; Keras 3 does
 * so only in `input_layers`/`output_layers` and only for `Functional`.
 * `base(layer)` says where a nested layer's calls start (0 or 1).
 *
 * @example
 * rebaseNested(layersByName(layers), refs, (l) => (l.nested ? 1 : 0), "output_layers"); // ["enc", 1, 0] -> call 0 of 'enc'
 */
export function rebaseNested(byName: ReadonlyMap<string, FileLayer>, refs: readonly FileRef[], base: (layer: FileLayer) => number, reader: string): FileRef[] {
  return refs.map((r) => {
    const l = byName.get(r.layer);
    const shift = l === undefined || l.nested === undefined ? 0 : base(l);
    if (shift === 0) return r;
    if (r.nodeIndex < shift)
      fail(
        `shapewise: model file ${reader} reads node ${r.nodeIndex} of nested model '${r.layer}', which is the model's own graph, not a call of it (calls start at node ${shift})`,
      );
    return { ...r, nodeIndex: r.nodeIndex - shift };
  });
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

/**
 * Limits for reading files.
 *
 * @example
 * await loadModel("model/", { maxBytes: 64 * 2 ** 20 });
 */
export interface LoadLimits {
  /**
   * The most bytes of weights (and of model JSON) a file may bring; checked
   * before anything is read or allocated. Default 2 GiB.
   */
  maxBytes?: number;
  /** The most bytes of `model.json` text read (default 256 MiB): a topology is small. */
  maxJsonBytes?: number;
}

/**
 * The checked limits.
 *
 * @example
 * const { maxBytes } = limitsOption({ maxBytes: 1024 }); // 1024
 */
export interface Limits {
  readonly maxBytes: number;
  readonly maxJsonBytes: number;
}

/**
 * 2 GiB: more than any model shapewise runs, less than a careless allocation can survive.
 *
 * @example
 * DEFAULT_MAX_BYTES / 4; // the most float32 parameters a file may bring by default
 */
export const DEFAULT_MAX_BYTES = 2 * 1024 ** 3;

/**
 * 256 MiB of JSON: VGG16's topology is 20 KB.
 *
 * @example
 * await loadModel(dir, { maxJsonBytes: DEFAULT_MAX_JSON_BYTES / 16 });
 */
export const DEFAULT_MAX_JSON_BYTES = 256 * 1024 ** 2;

/**
 * Reads the load options (`maxBytes`, `maxJsonBytes`).
 *
 * @example
 * limitsOption({}); // { maxBytes: 2147483648, maxJsonBytes: 268435456 }
 */
export function limitsOption(options: unknown): Limits {
  if (options === undefined) return { maxBytes: DEFAULT_MAX_BYTES, maxJsonBytes: DEFAULT_MAX_JSON_BYTES };
  const o = record(options, "load options");
  for (const key of Object.keys(o)) {
    if (key !== "maxBytes" && key !== "maxJsonBytes") fail(`shapewise: load options have no option '${key}' (options: maxBytes, maxJsonBytes)`);
  }
  const read = (key: string, fallback: number): number => {
    const v = o[key];
    if (v === undefined) return fallback;
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v <= 0) fail(`shapewise: load option ${key} must be a positive integer, got ${valueText(v)}`);
    return v;
  };
  return { maxBytes: read("maxBytes", DEFAULT_MAX_BYTES), maxJsonBytes: read("maxJsonBytes", DEFAULT_MAX_JSON_BYTES) };
}

/** One call of one layer of a file: the layer's place in the list and the call's index. */
interface FileCall {
  readonly layer: number;
  readonly call: number;
}

/**
 * The order in which a file's layer calls can be made: each after the calls
 * it reads and after the same layer's earlier calls, whatever order the file
 * lists its layers in (Keras lists a shared layer once, and its later calls
 * may read layers listed after it). Linear in the number of calls and
 * references, without recursion; a reference to a layer or call the file
 * does not define, and a cycle, are errors that say which.
 */
function callOrder(layers: readonly FileLayer[]): FileCall[] {
  const index = layerIndex(layers);
  // An input layer has one call, which reads nothing.
  const callCount = (l: FileLayer) => Math.max(1, l.calls.length);
  const first: number[] = [];
  const calls: FileCall[] = [];
  for (const [i, l] of layers.entries()) {
    first.push(calls.length);
    for (let j = 0; j < callCount(l); j++) calls.push({ layer: i, call: j });
  }
  const reads = (id: number): number[] => {
    const { layer: i, call: j } = calls[id];
    const l = layers[i];
    const ids = (l.calls[j] ?? []).map((ref) => {
      const at = index.get(ref.layer);
      if (at === undefined) fail(`shapewise: model file layer '${l.name}' reads layer '${ref.layer}', which the file does not define`);
      const count = callCount(layers[at]);
      if (ref.nodeIndex >= count)
        fail(`shapewise: model file layer '${l.name}' reads call ${ref.nodeIndex} of '${ref.layer}', which has ${count} call${count === 1 ? "" : "s"}`);
      return first[at] + ref.nodeIndex;
    });
    // A layer's calls are made in order: its weights come from the first.
    if (j > 0) ids.push(id - 1);
    return ids;
  };
  const waiting = new Int32Array(calls.length);
  const readers: number[][] = calls.map(() => []);
  for (let id = 0; id < calls.length; id++) {
    for (const dep of reads(id)) {
      waiting[id]++;
      readers[dep].push(id);
    }
  }
  const order: number[] = [];
  for (let id = 0; id < calls.length; id++) if (waiting[id] === 0) order.push(id);
  for (let k = 0; k < order.length; k++) {
    for (const r of readers[order[k]]) if (--waiting[r] === 0) order.push(r);
  }
  if (order.length < calls.length) {
    // Every call left waits for another call left: following those leads round a cycle.
    const label = (id: number) => {
      const { layer: i, call: j } = calls[id];
      return layers[i].calls.length > 1 ? `${layers[i].name} (call ${j})` : layers[i].name;
    };
    const seen = new Map<number, number>();
    const path: number[] = [];
    let id = waiting.findIndex((w) => w > 0);
    while (!seen.has(id)) {
      seen.set(id, path.length);
      path.push(id);
      id = reads(id).find((dep) => waiting[dep] > 0)!;
    }
    const cycle = [...path.slice(seen.get(id)!), id];
    fail(`shapewise: model file layers form a cycle: ${cycle.map(label).join(" -> ")}`);
  }
  return order.map((id) => calls[id]);
}

/** Positions of a file's layers by name; a name defined twice is an error. */
function layerIndex(layers: readonly FileLayer[]): Map<string, number> {
  const index = new Map<string, number>();
  layers.forEach((l, i) => {
    if (index.has(l.name)) fail(`shapewise: model file defines layer '${l.name}' twice`);
    index.set(l.name, i);
  });
  return index;
}

/** Per-tensor results of the calls made so far: layer name -> call index -> outputs. */
type Made = Map<string, (SymbolicTensorImpl | readonly SymbolicTensorImpl[])[]>;

function lookup(made: Made, ref: FileRef, reader: string): SymbolicTensorImpl {
  const calls = made.get(ref.layer);
  // Model ends are checked here: callOrder sees only the layers' calls.
  if (calls === undefined) fail(`shapewise: model file ${reader} reads layer '${ref.layer}', which the file does not define`);
  const out = calls[ref.nodeIndex];
  if (out === undefined) fail(`shapewise: model file layer '${reader}' reads call ${ref.nodeIndex} of '${ref.layer}', which has ${calls.length} calls`);
  const tensors = Array.isArray(out) ? out : [out as SymbolicTensorImpl];
  const t = tensors[ref.tensorIndex];
  if (t === undefined) fail(`shapewise: model file layer '${reader}' reads output ${ref.tensorIndex} of '${ref.layer}', which has ${tensors.length} outputs`);
  return t;
}

/**
 * A check of a model level's layers before `model()` makes it (and could
 * allocate their weights): a file with a weights manifest compares it with
 * the layers' weights here. `outermost` is true for the model the file
 * describes, whose layers are the last to be checked.
 *
 * @example
 * const check: LayerCheck = (layers) => layers.forEach((l) => l.weightSpecs());
 */
export type LayerCheck = (layers: readonly Layer[], outermost: boolean) => void;

/**
 * Builds a model from a file's layer list through the public API: each
 * layer call in an order where it comes after the calls it reads, then a
 * size check on the layers' weights and `check` (both before the model
 * allocates any), then `model()` or `sequential()`.
 *
 * @example
 * const m = buildModel(graph, 2 ** 31); // a Model with the file's names and shapes
 */
export function buildModel(graph: FileGraph, maxBytes: number, check?: LayerCheck): Model {
  return buildWithin(graph, { bytes: maxBytes, maxBytes, check }, true);
}

/**
 * The weight bytes still allowed: nested models are built (and allocate
 * their weights) before the outer model, so they all draw on one budget.
 */
interface Budget {
  bytes: number;
  readonly maxBytes: number;
  readonly check: LayerCheck | undefined;
}

function buildWithin(graph: FileGraph, budget: Budget, outermost: boolean): Model {
  const order = callOrder(graph.layers);
  // Every layer's kind is checked before any is made.
  const entries = graph.layers.map((l) => {
    const entry = entryForClass(l.className, `model file layer '${l.name}'`);
    if (entry.style === "input") {
      if (l.calls.length > 0) fail(`shapewise: model file input layer '${l.name}' cannot read other layers`);
      return entry;
    }
    if (entry.style === "model" && l.nested === undefined) fail(`shapewise: model file layer '${l.name}' (${l.className}) has no model config`);
    if (l.calls.length === 0) fail(`shapewise: model file layer '${l.name}' is never called`);
    if (l.calls.length > 1 && entry.style !== "method" && entry.style !== "merge" && entry.style !== "model") {
      fail(`shapewise: model file layer '${l.name}' (${l.className}) cannot be shared`);
    }
    return entry;
  });
  const made: Made = new Map(graph.layers.map((l) => [l.name, []]));
  const layerOf = new Map<string, Layer>();
  const innerOf = new Map<string, Model>();
  for (const { layer: i, call: j } of order) {
    const l = graph.layers[i];
    const style = entries[i].style;
    const outputs = made.get(l.name)!;
    const inputs = style === "input" ? [] : l.calls[j].map((ref) => lookup(made, ref, l.name));
    if (style === "model") {
      // The inner model first, through the public API; each call applies it, so every call shares its weights.
      let inner = innerOf.get(l.name);
      if (inner === undefined) {
        inner = buildWithin(l.nested!, budget, false);
        if (inner.name !== l.name) fail(`shapewise: model file layer '${l.name}' holds a model named '${inner.name}'; the two names must agree`);
        innerOf.set(l.name, inner);
      }
      outputs.push(applyNested(inner, inputs, l.name));
    } else if (j > 0) {
      // A shared layer is made once and applied again to its later inputs.
      outputs.push(reapply(layerOf.get(l.name)!, inputs, l.name));
    } else {
      outputs.push(applyLayerConfig(l.className, inputs, l.config, l.inner));
    }
    if (j === 0) layerOf.set(l.name, firstTensor(outputs[0]).layer);
  }
  // Weights are float32: a file whose layers would hold more than maxBytes is refused before model() allocates them.
  // Nested models were charged when they were built.
  let params = 0;
  const own: Layer[] = [];
  for (const [name, layer] of layerOf) {
    if (innerOf.has(name)) continue;
    params += layer.countParams();
    own.push(layer);
  }
  if (!(params * 4 <= budget.bytes)) {
    // The count includes every layer read so far, nested models' too: together they pass the limit.
    const { maxBytes } = budget;
    const bytes = params * 4 + (maxBytes - budget.bytes);
    fail(`shapewise: model file layers hold ${bytes / 4} parameters (${bytes} bytes), more than the limit of ${maxBytes} bytes (option maxBytes)`);
  }
  budget.bytes -= params * 4;
  budget.check?.(own, outermost);
  const inputs = graph.inputs.map((r) => lookup(made, r, "(model inputs)"));
  const outputs = graph.outputs.map((r) => lookup(made, r, "(model outputs)"));
  if (inputs.length === 0 || outputs.length === 0) fail(`shapewise: model file must name at least one input and one output`);
  const arrange = (tensors: SymbolicTensorImpl[], keys: readonly string[] | undefined) =>
    keys !== undefined ? Object.fromEntries(keys.map((k, i) => [k, tensors[i]])) : tensors.length === 1 ? tensors[0] : tensors;
  const config = {
    inputs: arrange(inputs, graph.inputKeys),
    outputs: arrange(outputs, graph.outputKeys),
    ...(graph.name === undefined ? {} : { name: graph.name }),
  };
  const build = graph.kind === "sequential" ? sequential : model;
  return build(config as never) as unknown as Model;
}

/**
 * One call of a nested model: its inputs arranged as the model takes them
 * (one tensor, a list or a record), its outputs back as a list.
 */
function applyNested(inner: Model, inputs: SymbolicTensorImpl[], name: string): SymbolicTensorImpl | readonly SymbolicTensorImpl[] {
  const inLayout = inner.inputLayout;
  const count = inLayout === "single" ? 1 : inLayout === "list" ? (inner.inputShape as readonly unknown[]).length : inLayout.keys.length;
  if (inputs.length !== count) fail(`shapewise: model file layer '${name}' is a model with ${count} inputs, but a call gives it ${inputs.length}`);
  const arranged = inLayout === "single" ? inputs[0] : inLayout === "list" ? inputs : Object.fromEntries(inLayout.keys.map((k, i) => [k, inputs[i]]));
  const out = (inner.apply as (x: unknown) => unknown)(arranged);
  const outLayout = inner.outputLayout;
  if (outLayout === "single") return out as SymbolicTensorImpl;
  if (outLayout === "list") return [...(out as readonly SymbolicTensorImpl[])];
  return outLayout.keys.map((k) => (out as Record<string, SymbolicTensorImpl>)[k]);
}

function firstTensor(out: SymbolicTensorImpl | readonly SymbolicTensorImpl[]): SymbolicTensorImpl {
  return Array.isArray(out) ? out[0] : (out as SymbolicTensorImpl);
}

/** A later call of a shared layer: the same layer object on new inputs. */
function reapply(layer: Layer, inputs: SymbolicTensorImpl[], name: string): SymbolicTensorImpl {
  if (inputs.length === 0) fail(`shapewise: model file layer '${name}' has a call without inputs`);
  const [first, ...rest] = inputs;
  return first.applyLayer(layer, ...rest);
}
