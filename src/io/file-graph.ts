/**
 * A model as a file describes it, before it is built: its layers with their
 * options and calls. The TensorFlow.js and Keras readers both produce it,
 * through one reader of layer entries ({@link readLayerEntry}), and the
 * builder (`graph-build.ts`) turns it into a model. Also the limits every
 * file reader checks.
 */
import { MAX_NESTING_DEPTH, fail, valueText } from "../checks.js";
import type { Tensor } from "../kernels/tensor.js";
import type { Layer } from "../layers/layer.js";
import type { Model } from "../model.js";
import { allocateWeights } from "../model-weights.js";
import type { Shape } from "../shape.js";
import { batchShape, isIndex, list, maybe, own, record, shortText, text } from "./json.js";
import { optionsFromFile } from "./layer-configs.js";
import type { ConfigSource } from "./layer-configs.js";
import { entryForClass } from "./layer-registry.js";
import type { InnerCall } from "./layer-registry.js";

/**
 * Any model, whatever its shapes and total: a `Model<[null, 28, 28, 1], [null, 10], 113162>`
 * is not assignable to the bare `Model` (its `predict` takes narrower
 * tensors), so functions that take every model take this.
 *
 * @example
 * function describe(m: AnyModel) { return m.name; }
 */
// biome-ignore lint/suspicious/noExplicitAny: a model of any inputs and outputs; `unknown` would not accept every model, as the type parameters are invariant
export type AnyModel = Model<any, any, any, any>;

/**
 * A model's own weight arrays in `getWeights` order, not copies: what a
 * writer reads once into its file, so saving holds the weights once more,
 * not twice. Never written through.
 *
 * @example
 * const bytes = modelWeightArrays(m).reduce((s, w) => s + w.data.byteLength, 0);
 */
export function modelWeightArrays(m: AnyModel): readonly Tensor[] {
  const layers = m.layers as readonly Layer[];
  // Weights not drawn yet are checked against the machine's memory first, as getWeights does.
  allocateWeights(m.kind === "sequential" ? "sequential" : "model", m.name, layers);
  return layers.flatMap((layer) => layer.weights ?? []);
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
  /** The file's `trainable: false` (on the layer or, for a wrapper, on the layer it wraps): the layer is made frozen. */
  readonly frozen?: boolean;
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
  readonly frozen?: boolean;
  readonly batchShape?: Shape;
}

/**
 * A parsed layer entry with its calls, as a {@link FileGraph} holds it.
 *
 * @example
 * fileLayer(readLayerEntry(json, "model layer 1", 0, TFJS_ENTRIES), [[{ layer: "x", nodeIndex: 0, tensorIndex: 0 }]]);
 */
export function fileLayer(l: ParsedFileLayer, calls: readonly (readonly FileRef[])[]): FileLayer {
  return { name: l.name, className: l.className, config: l.config, inner: l.inner, nested: l.nested, frozen: l.frozen, calls };
}

/**
 * The `input()` options of an input layer read from a file: the sample
 * shape, a fixed batch size when the file's batch dimension is a number
 * (Keras's `batch_size`), and the dtype (`float32`, or `int32` for ids);
 * any other dtype is refused with a sentence naming the layer.
 *
 * @example
 * inputLayerOptions([8, 20], "int32", "ids"); // { shape: [20], batchSize: 8, dtype: "int32", name: "ids" }
 */
export function inputLayerOptions(shape: Shape, dtype: unknown, name: string): Record<string, unknown> {
  if (dtype !== undefined && dtype !== null && dtype !== "float32" && dtype !== "int32")
    fail(`shapewise: input layer '${name}' has dtype ${shortText(dtype)}; shapewise reads float32 and int32 inputs`);
  return { shape: shape.slice(1), ...(shape[0] === null ? {} : { batchSize: shape[0] }), ...(dtype === "int32" ? { dtype } : {}), name };
}

/**
 * The graph of a Sequential model file: each layer called on the one before.
 * Without an `InputLayer` first, one is made from the first layer's input
 * shape and named `<first>_input`, as TensorFlow.js and tf.keras name it.
 *
 * @example
 * sequentialGraph(modelDocument(top, "modelTopology"), 0, TFJS_ENTRIES, (l) => l.batchShape, "model file").outputs; // [{ layer: "dense", nodeIndex: 0, tensorIndex: 0 }]
 */
export function sequentialGraph(
  doc: ModelDocument,
  depth: number,
  dialect: EntryDialect,
  firstShape: (first: ParsedFileLayer) => Shape | undefined,
  what: string,
): FileGraph {
  const { name } = doc;
  const parsed = doc.layers.map((json, i) => readLayerEntry(json, `Sequential layer ${i}`, depth, dialect));
  const layers: FileLayer[] = [];
  let previous: FileRef | undefined;
  parsed.forEach((l, i) => {
    if (i === 0 && l.className !== "InputLayer") {
      const shape = firstShape(l);
      if (shape === undefined) fail(`shapewise: Sequential layer '${l.name}' is first and needs an input shape`);
      const inputName = `${l.name}_input`;
      layers.push({ name: inputName, className: "InputLayer", config: inputLayerOptions(shape, undefined, inputName), calls: [] });
      previous = { layer: inputName, nodeIndex: 0, tensorIndex: 0 };
    }
    layers.push(fileLayer(l, previous === undefined ? [] : [[previous]]));
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
      return fileRef(r, `${where} input ${i}`);
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
    refs.push(fileRef(maybe(record(own(o, "config", where), `${where} tensor`), "keras_history"), `${where} keras_history`));
  };
  walk(maybe(n, "args") ?? [], 0);
  const kwargs = maybe(n, "kwargs");
  if (kwargs !== undefined && kwargs !== null) {
    const k = record(kwargs, `${where} kwargs`);
    for (const key of ["value", "key"]) walk(maybe(k, key), 0);
  }
  return refs;
}

export { MAX_NESTING_DEPTH };

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

/**
 * A reference `[layer name, node index, tensor index]` (a fourth item, the
 * call's keyword arguments, is passed over), as calls, `keras_history` and
 * `input_layers`/`output_layers` write it.
 *
 * @example
 * fileRef(["conv2d", 0, 0, {}], "output_layers 0"); // { layer: "conv2d", nodeIndex: 0, tensorIndex: 0 }
 */
export function fileRef(value: unknown, what: string): FileRef {
  const [layer, nodeIndex, tensorIndex] = list(value, what);
  if (typeof layer !== "string" || !isIndex(nodeIndex) || !isIndex(tensorIndex))
    fail(`shapewise: ${what} must be [layer name, node index, tensor index], got ${shortText(value)}`);
  return { layer, nodeIndex, tensorIndex };
}

/**
 * What a file format says about its layer entries that the other does not:
 * where an input layer keeps its batch shape, the checks its input layers
 * and other layers get, and how a model nested as a layer is read.
 *
 * @example
 * const dialect: EntryDialect = { source: "tfjs", inputShapeKeys: ["batch_input_shape", "batch_shape"], ... };
 */
export interface EntryDialect {
  readonly source: ConfigSource;
  /** The keys an input layer's batch shape is read from, in order. */
  readonly inputShapeKeys: readonly [string, string];
  /** Whether an input layer's entry carries its batch shape on (a Sequential reader uses it). */
  readonly inputKeepsBatchShape: boolean;
  /** The keys another layer's batch shape (a Sequential model's first layer) is read from, in order. */
  readonly batchShapeKeys: readonly string[];
  /** Refuses an input layer this format's files describe but shapewise cannot read. */
  checkInput(config: Record<string, unknown>, name: string): void;
  /** Refuses another layer this format's files describe but shapewise cannot read. */
  checkLayer?(config: Record<string, unknown>, at: string): void;
  /** The graph of a model nested as a layer, from its entry, one level deeper. */
  nestedGraph(entry: Record<string, unknown>, className: string, config: Record<string, unknown>, depth: number): FileGraph;
}

/**
 * Whether a layer entry's config says `trainable: false`; a missing or null
 * `trainable` is Keras's default, true, and anything but a boolean is refused.
 *
 * @example
 * isFrozen({ name: "d", trainable: false }, "layer 'd'"); // true
 */
function isFrozen(config: Record<string, unknown>, at: string): boolean {
  const trainable = maybe(config, "trainable");
  if (trainable === undefined || trainable === null) return false;
  if (typeof trainable !== "boolean") fail(`shapewise: ${at} has trainable ${shortText(trainable)}; it must be true or false`);
  return !trainable;
}

/**
 * The top of a model in either JSON format: `{ class_name, config: { name,
 * layers } }`, as {@link modelDocument} reads it.
 *
 * @example
 * const doc: ModelDocument = { className: "Sequential", config: {}, name: undefined, layers: [] };
 */
export interface ModelDocument {
  readonly className: unknown;
  readonly config: Record<string, unknown>;
  readonly name: string | undefined;
  readonly layers: unknown[];
}

/**
 * Reads the top of a model of either JSON format, its errors naming the
 * part as the format calls it (`"Keras JSON"`, `"modelTopology"`).
 *
 * @example
 * modelDocument(record(json, "Keras JSON"), "Keras JSON").className; // "Sequential"
 */
export function modelDocument(top: Record<string, unknown>, what: string): ModelDocument {
  const className = own(top, "class_name", what);
  const config = record(own(top, "config", what), `${what} config`);
  const name = maybe(config, "name");
  const layers = list(own(config, "layers", `${what} config`), `${what} layers`);
  return { className, config, name: name === undefined || name === null ? undefined : text(name, "model name"), layers };
}

/**
 * The layer entries of a functional model of either JSON format, each with
 * its calls as written (`inbound_nodes`) and their inputs ({@link callInputs}).
 *
 * @example
 * functionalEntries(doc.layers, 0, KERAS_ENTRIES)[1].calls; // [[{ layer: "input_1", nodeIndex: 0, tensorIndex: 0 }]]
 */
export function functionalEntries(
  layers: readonly unknown[],
  depth: number,
  dialect: EntryDialect,
): { layer: ParsedFileLayer; nodes: unknown[]; calls: FileRef[][] }[] {
  return layers.map((json, i) => {
    const layer = readLayerEntry(json, `model layer ${i}`, depth, dialect);
    const nodes = list(maybe(record(json, `model layer ${i}`), "inbound_nodes") ?? [], `layer '${layer.name}' inbound_nodes`);
    return { layer, nodes, calls: nodes.map((node, k) => callInputs(node, `layer '${layer.name}' call ${k}`)) };
  });
}

/**
 * One layer entry of a TensorFlow.js or Keras JSON file (`{ class_name,
 * config }`): its class, the shapewise method's options, the wrapped layer's
 * call, a nested model's graph, and the batch shape an input or first layer
 * declares. `dialect` holds what the two formats write differently.
 *
 * @example
 * readLayerEntry({ class_name: "Dense", config: { name: "d", units: 10 } }, "model layer 1", 0, KERAS_ENTRIES).config; // { units: 10, name: "d" }
 */
export function readLayerEntry(json: unknown, where: string, depth: number, dialect: EntryDialect, wrapped = false): ParsedFileLayer {
  const l = record(json, where);
  const className = text(own(l, "class_name", where), `${where} class_name`);
  const entry = entryForClass(className, where);
  const config = record(own(l, "config", where), `${where} config`);
  const name = text(maybe(config, "name") ?? maybe(l, "name"), `${where} name`);
  const at = `layer '${name}'`;
  if (entry.style === "model") {
    if (wrapped) fail(`shapewise: ${where} is a model inside a wrapper; shapewise wraps only plain layers`);
    checkNestingDepth(depth + 1, at);
    const entryName = maybe(l, "name");
    if (entryName !== undefined && entryName !== name)
      fail(`shapewise: ${where} is named ${shortText(entryName)} but holds a model named '${name}'; the two names must agree`);
    const nested = dialect.nestedGraph(l, className, config, depth + 1);
    const frozen = isFrozen(config, at);
    return { className: nested.kind === "sequential" ? "Sequential" : "Functional", name, config: { name }, nested: { ...nested, name }, frozen };
  }
  if (entry.style === "input") {
    const [first, second] = dialect.inputShapeKeys;
    const shape = batchShape(maybe(config, first) ?? maybe(config, second), `input layer '${name}'`);
    dialect.checkInput(config, name);
    const parsed = { className, name, config: inputLayerOptions(shape, maybe(config, "dtype"), name) };
    return dialect.inputKeepsBatchShape ? { ...parsed, batchShape: shape } : parsed;
  }
  dialect.checkLayer?.(config, at);
  const options = optionsFromFile(className, config, dialect.source, at, entry.options);
  let inner: FileLayer["inner"];
  let frozen = isFrozen(config, at);
  if (entry.style === "wrapper") {
    // One level only: shapewise wraps layers, not wrappers (and a deep chain of them must not recurse without bound).
    if (wrapped) fail(`shapewise: ${where} is a ${className} inside a wrapper; shapewise wraps only plain layers`);
    const innerJson = readLayerEntry(own(config, "layer", `${at} config`), `${at} wrapped layer`, depth, dialect, true);
    inner = { className: innerJson.className, config: innerJson.config };
    // Every weight of a wrapper is its wrapped layer's: freezing that layer freezes the whole wrapper.
    frozen = frozen || innerJson.frozen === true;
  }
  const shape = dialect.batchShapeKeys.map((key) => maybe(config, key)).find((v) => v !== undefined && v !== null);
  return {
    className,
    name,
    config: { ...options, name },
    inner,
    frozen,
    batchShape: shape === undefined || shape === null ? undefined : batchShape(shape, at),
  };
}

/**
 * A model's calls grouped by layer, each layer's in call order: what both
 * JSON writers count a layer's node indices in the file by.
 *
 * @example
 * ```ts
 * callsByLayer(m.graph().nodes).get(dense)?.length; // how often the model calls dense
 * ```
 */
export function callsByLayer<N extends { readonly layer: Layer; readonly nodeIndex: number }>(nodes: readonly N[]): Map<Layer, N[]> {
  const calls = new Map<Layer, N[]>();
  for (const n of nodes) {
    const mine = calls.get(n.layer);
    if (mine === undefined) calls.set(n.layer, [n]);
    else mine.push(n);
  }
  for (const mine of calls.values()) mine.sort((a, b) => a.nodeIndex - b.nodeIndex);
  return calls;
}
