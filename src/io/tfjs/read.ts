/**
 * Reads TensorFlow.js layers models. The file is untrusted: prototype keys,
 * unknown classes, bad shapes, a manifest that disagrees with the weight
 * bytes, paths outside the model's directory, cycles and sizes past
 * `maxBytes` are errors, and sizes are checked before anything is read or
 * allocated.
 */
import { fail, valueText } from "../../checks.js";
import { weightArray, weightBytes, weightView } from "../../kernels/packed-weights.js";
import type { Tensor } from "../../kernels/tensor.js";
import type { Model } from "../../model.js";
import { setLayerWeights } from "../../model-weights.js";
import { buildModel } from "../graph-build.js";
import type { LayerCheck } from "../graph-build.js";
import { fileLayer, fileRef, functionalEntries, layersByName, limitsOption, modelDocument, rebaseNested, sequentialGraph } from "../file-graph.js";
import type { EntryDialect, FileGraph, LoadLimits } from "../file-graph.js";
import { list, maybe, own, parseJsonSafely, plainJson, record, shortText, text } from "../json.js";
import { LITTLE_ENDIAN, tfjsWeightEntries } from "./format.js";
import { optimizerFromTfjs } from "./optimizer-file.js";
import type { OptimizerEntry, SavedTraining } from "./optimizer-file.js";

interface ManifestWeight {
  readonly name: string;
  readonly shape: number[];
  readonly bytes: number;
  readonly dtype: "float32" | "int32";
  /** An optimizer's weight (`includeOptimizer`), not the model's. */
  readonly optimizer: boolean;
}

/** Checks a manifest's weight entries: names unique, shapes sized, dtype float32; the byte total bounded by `maxBytes`. */
function readWeightSpecs(specs: unknown[], maxBytes: number): ManifestWeight[] {
  const seen = new Set<string>();
  let total = 0;
  return specs.map((raw, i) => {
    const what = `weights manifest entry ${i}`;
    const s = record(raw, what);
    const name = text(own(s, "name", what), `${what} name`);
    if (seen.has(name)) fail(`shapewise: weights manifest lists '${name}' twice`);
    seen.add(name);
    const dtype = maybe(s, "dtype") ?? "float32";
    const optimizer = maybe(s, "group") === "optimizer";
    // The optimizer's step count `iter` is TensorFlow.js's one int32 weight.
    if (dtype !== "float32" && !(optimizer && dtype === "int32"))
      fail(`shapewise: weight '${name}' has dtype ${valueText(dtype)}; shapewise reads only float32 (and an optimizer's int32 'iter')`);
    if (maybe(s, "quantization") !== undefined) fail(`shapewise: weight '${name}' is quantized; shapewise reads only float32`);
    const shape = list(own(s, "shape", what), `weight '${name}' shape`);
    if (!shape.every((d) => typeof d === "number" && Number.isSafeInteger(d) && d >= 0)) {
      fail(`shapewise: weight '${name}' shape must hold non-negative integers, got ${shortText(shape)}`);
    }
    // Sizes grow by multiplication: stop as soon as they pass the limit, before they lose precision.
    let bytes = 4;
    for (const d of shape as number[]) {
      bytes *= d;
      if (bytes > maxBytes) fail(`shapewise: weight '${name}' of shape ${shortText(shape)} is larger than the limit of ${maxBytes} bytes (option maxBytes)`);
    }
    total += bytes;
    if (total > maxBytes) fail(`shapewise: weights manifest claims more than the limit of ${maxBytes} bytes (option maxBytes)`);
    return { name, shape: shape as number[], bytes, dtype: dtype as "float32" | "int32", optimizer };
  });
}

/** How TensorFlow.js files write layer entries (tf.keras 2 writes them alike). */
const TFJS_ENTRIES: EntryDialect = {
  source: "tfjs",
  inputShapeKeys: ["batch_input_shape", "batch_shape"],
  inputKeepsBatchShape: true,
  batchShapeKeys: ["batch_input_shape"],
  // The dtype (float32 or int32) is read with the shape, for both formats; TensorFlow.js has no other input flags.
  checkInput() {},
  // The inner model's topology is the layer's own entry: `{ class_name, config }`.
  nestedGraph: (_entry, className, config, depth) => tfjsGraph({ class_name: className, config }, depth),
};

/**
 * The model a TensorFlow.js topology describes (`modelTopology` of a
 * `model.json`: `Sequential` or `Model`), as a layer list for the builder.
 * Calls may be written as TensorFlow.js and tf.keras 2 write them
 * (`[["conv2d", 0, 0, {}]]`) or as Keras 3 does (`{ args, kwargs }`, which
 * the Python converter copies from Keras 3 models).
 *
 * A model nested as a layer is read the same way from its layer entry
 * (depth counts the levels, at most `MAX_NESTING_DEPTH`); its calls are
 * written from node 1 on (node 0 is its own inner graph).
 *
 * @example
 * tfjsGraph(json.modelTopology).layers.map((l) => l.name); // ["input_1", "conv2d", ...]
 */
export function tfjsGraph(topology: unknown, depth = 0): FileGraph {
  let top = record(topology, "modelTopology");
  // The Python converter wraps the Keras config as `model_config`.
  if (depth === 0 && maybe(top, "model_config") !== undefined) top = record(top.model_config, "modelTopology model_config");
  const doc = modelDocument(top, "modelTopology");
  const { className, config } = doc;
  if (className === "Sequential") {
    // Without an input layer, the first layer's batch shape makes one, named as TensorFlow.js names it.
    return sequentialGraph(doc, depth, TFJS_ENTRIES, (l) => l.batchShape, "model file");
  }
  if (className !== "Model" && className !== "Functional") {
    fail(`shapewise: modelTopology class_name must be 'Sequential', 'Model' or 'Functional', got ${shortText(className)}`);
  }
  const layers = functionalEntries(doc.layers, depth, TFJS_ENTRIES).map(({ layer, calls }) => fileLayer(layer, calls));
  // TensorFlow.js and tf.keras 2 count a nested model's own graph as its node 0, everywhere.
  const fromOne = () => 1;
  const byName = layersByName(layers);
  const rebased = layers.map((l) => ({ ...l, calls: l.calls.map((c) => rebaseNested(byName, c, fromOne, `layer '${l.name}'`)) }));
  const ends = (key: string) => {
    const v = list(own(config, key, "modelTopology config"), key);
    // Keras writes a single end as one reference rather than a list of them.
    const refs = typeof v[0] === "string" ? [fileRef(v, key)] : v.map((r, i) => fileRef(r, `${key} ${i}`));
    return rebaseNested(byName, refs, fromOne, key);
  };
  return { kind: "functional", name: doc.name, layers: rebased, inputs: ends("input_layers"), outputs: ends("output_layers") };
}

/** The model-JSON parts the reader needs. */
interface ParsedModelJson {
  readonly topology: unknown;
  readonly trainingConfig: unknown;
  readonly groups: { paths: string[]; weights: ManifestWeight[] }[];
}

function parseModelJson(json: unknown, maxBytes: number): ParsedModelJson {
  const top = record(json, "model.json");
  const format = maybe(top, "format");
  if (format !== undefined && format !== "layers-model") fail(`shapewise: model.json format must be 'layers-model', got ${shortText(format)}`);
  const topology = own(top, "modelTopology", "model.json");
  let budget = maxBytes;
  const groups = list(maybe(top, "weightsManifest") ?? [], "weightsManifest").map((g, i) => {
    const group = record(g, `weightsManifest group ${i}`);
    const paths = list(own(group, "paths", `weightsManifest group ${i}`), `weightsManifest group ${i} paths`).map((p) =>
      text(p, `weightsManifest group ${i} path`),
    );
    const weights = readWeightSpecs(list(own(group, "weights", `weightsManifest group ${i}`), `weightsManifest group ${i} weights`), budget);
    budget -= weights.reduce((s, w) => s + w.bytes, 0);
    return { paths, weights };
  });
  const names = new Set<string>();
  for (const g of groups)
    for (const w of g.weights) {
      if (names.has(w.name)) fail(`shapewise: weights manifest lists '${w.name}' twice`);
      names.add(w.name);
    }
  return { topology, groups, trainingConfig: maybe(top, "trainingConfig") };
}

/**
 * Compares a weights manifest with the layers of a model as the builder
 * makes them, level by level, before `model()` could allocate a weight:
 * every weight a layer needs must be in the manifest under its TensorFlow.js
 * name with exactly the layer's shape, no name may serve two layers, and
 * (once the outermost level is checked) no manifest weight may be left over.
 */
function manifestCheck(manifest: readonly ManifestWeight[]): LayerCheck {
  const byName = new Map(manifest.map((w) => [w.name, w]));
  const used = new Set<string>();
  return (layers, outermost) => {
    for (const outer of layers) {
      for (const { name, shape, layer } of tfjsWeightEntries(outer, "shapewise")) {
        const w = byName.get(name);
        if (w === undefined) fail(`shapewise: weights manifest has no weight '${name}' for layer '${layer.name}' (shape ${valueText(shape)})`);
        // Names are the only key: two layers (one inside a nested model) needing one name cannot both be given their weights.
        if (used.has(name))
          fail(
            `shapewise: weight '${name}' is needed by two layers named '${layer.name}' (one in a nested model); TensorFlow.js files name weights by layer name only`,
          );
        if (w.shape.length !== shape.length || w.shape.some((d, i) => d !== shape[i])) {
          fail(`shapewise: weight '${name}' has shape ${valueText(w.shape)} in the file, but layer '${layer.name}' needs ${valueText(shape)}`);
        }
        used.add(name);
      }
    }
    if (!outermost) return;
    const extra = manifest.find((w) => !used.has(w.name) && !w.optimizer);
    if (extra !== undefined) fail(`shapewise: weights manifest has weight '${extra.name}', which no layer of the model uses`);
  };
}

/**
 * Puts manifest weights into a built model whose layers {@link manifestCheck}
 * has matched with the manifest: each weight by its TensorFlow.js name.
 */
/**
 * Sets the weights from the bytes of the weight files. Bytes the reader
 * allocated itself (`owned`, by `weightBytes`) are viewed in place where
 * they are aligned, so the model holds the file's weights once; a caller's
 * bytes are copied, as `setWeights` copies, into arrays of `weightArray`.
 */
function assignWeights(m: Model, manifest: readonly ManifestWeight[], bytes: Uint8Array, owned: boolean, trainingConfig: unknown): void {
  const offsets = new Map<string, { w: ManifestWeight; offset: number }>();
  let offset = 0;
  for (const w of manifest) {
    offsets.set(w.name, { w, offset });
    offset += w.bytes;
  }
  const values: Tensor[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const outer of m.layers) {
    for (const { name, shape } of tfjsWeightEntries(outer, "shapewise")) {
      const { w, offset: at } = offsets.get(name)!;
      const start = bytes.byteOffset + at;
      let data: Float32Array;
      if (LITTLE_ENDIAN && start % 4 === 0) {
        if (owned) data = weightView(bytes, at, w.bytes / 4);
        else {
          data = weightArray(w.bytes / 4, false);
          data.set(new Float32Array(bytes.buffer, start, w.bytes / 4));
        }
      } else {
        data = new Float32Array(w.bytes / 4);
        for (let i = 0; i < data.length; i++) data[i] = view.getFloat32(at + 4 * i, true);
      }
      values.push({ shape: [...shape], data });
    }
  }
  setLayerWeights(m.layers, values, true);
  const optimizerWeights = manifest.filter((w) => w.optimizer);
  if (optimizerWeights.length > 0 || trainingConfig !== undefined) {
    const entries = optimizerWeights.map((w): OptimizerEntry => {
      const at = offsets.get(w.name)!.offset;
      const count = w.bytes / 4;
      const values = w.dtype === "int32" ? new Int32Array(count) : new Float32Array(count);
      for (let i = 0; i < count; i++) values[i] = w.dtype === "int32" ? view.getInt32(at + 4 * i, true) : view.getFloat32(at + 4 * i, true);
      return { name: w.name, shape: w.shape, dtype: w.dtype, values };
    });
    const trainable = m.layers.flatMap((layer) => {
      const flags = layer.trainableWeightFlags();
      return tfjsWeightEntries(layer, "shapewise").filter((_, i) => flags[i] === true);
    });
    const optimizer = optimizerFromTfjs(trainingConfig, entries, trainable);
    const tc = trainingConfig as Record<string, unknown>;
    (m as { savedTraining?: SavedTraining }).savedTraining = { optimizer, loss: tc.loss, metrics: tc.metrics };
  }
}

/**
 * A model from TensorFlow.js artifacts held in memory: a `model.json` object
 * (or `ModelArtifacts` with `modelTopology` and `weightSpecs`) and the weight
 * bytes. Built through the public API, so every shape rule is checked and
 * layer names are kept.
 *
 * @example
 * const m = modelFromTfjsArtifacts(JSON.parse(text), await readFile("weights.bin"));
 */
export function modelFromTfjsArtifacts(json: unknown, weightBytes: ArrayBuffer | Uint8Array, options?: LoadLimits): Model {
  const { maxBytes, maxJsonBytes } = limitsOption(options);
  if (typeof json === "string" && json.length > maxJsonBytes)
    fail(`shapewise: model.json is ${json.length} characters, more than the limit of ${maxJsonBytes} (option maxJsonBytes)`);
  const top = record(typeof json === "string" ? parseJsonSafely(json, "model.json") : json, "model.json");
  // Objects handed over in memory get the checks parsed text gets (keys, depth, cycles, size);
  // artifacts also hold the weight bytes, which are no JSON.
  const jsonPart = () => Object.fromEntries(Object.entries(top).filter(([, v]) => !(v instanceof ArrayBuffer || ArrayBuffer.isView(v))));
  const safe = typeof json === "string" ? top : (plainJson(jsonPart(), "model.json", maxJsonBytes) as Record<string, unknown>);
  const parsed =
    safe.weightSpecs !== undefined
      ? parseModelJson({ modelTopology: safe.modelTopology, weightsManifest: [{ paths: [], weights: safe.weightSpecs }] }, maxBytes)
      : parseModelJson(safe, maxBytes);
  const bytes =
    weightBytes instanceof Uint8Array
      ? weightBytes
      : weightBytes instanceof ArrayBuffer
        ? new Uint8Array(weightBytes)
        : fail(`shapewise: weight data must be an ArrayBuffer or a Uint8Array, got ${shortText(weightBytes)}`);
  const manifest = parsed.groups.flatMap((g) => g.weights);
  checkByteTotal(manifest, bytes.byteLength, "the weight data is");
  const m = buildModel(tfjsGraph(parsed.topology), maxBytes, manifestCheck(manifest));
  assignWeights(m, manifest, bytes, false, safe.trainingConfig ?? parsed.trainingConfig);
  return m;
}

function checkByteTotal(manifest: readonly ManifestWeight[], size: number, where: string): void {
  const claimed = manifest.reduce((s, w) => s + w.bytes, 0);
  if (claimed !== size) {
    fail(`shapewise: weights manifest claims ${claimed} bytes, but ${where} ${size} bytes (${claimed > size ? "too few" : "too many"} bytes for the manifest)`);
  }
}

/**
 * One weight file a manifest names: its size, known before any byte is
 * read, and a way to read all of it into a slice of the weight buffer.
 *
 * @example
 * const shard: WeightFile = { size: bytes.byteLength, read: async (into, at) => into.set(bytes, at) };
 */
export interface WeightFile {
  readonly size: number;
  read(into: Uint8Array, at: number): Promise<void>;
}

/**
 * Reads a TensorFlow.js layers model from its parsed `model.json` and a way
 * to open the weight files its manifest names (relative paths, resolved by
 * the caller inside the model's folder, URL or file list). Every file is
 * located and measured, the byte total checked against the manifest and
 * `maxBytes`, and the topology built, before a byte of weights is read.
 *
 * @example
 * const m = await modelFromTfjsFiles(JSON.parse(text), async (p) => weightFileAt(p));
 */
export async function modelFromTfjsFiles(json: unknown, open: (path: string) => Promise<WeightFile>, options?: LoadLimits): Promise<Model> {
  const { maxBytes } = limitsOption(options);
  const parsed = parseModelJson(json, maxBytes);
  const shards: WeightFile[] = [];
  let total = 0;
  for (const group of parsed.groups) {
    for (const p of group.paths) {
      const shard = await open(p);
      total += shard.size;
      if (total > maxBytes) fail(`shapewise: weight files hold more than the limit of ${maxBytes} bytes (option maxBytes)`);
      shards.push(shard);
    }
  }
  const manifest = parsed.groups.flatMap((g) => g.weights);
  checkByteTotal(manifest, total, "the weight files are");
  // The topology is built (its sizes checked against maxBytes, its weights against the manifest) before
  // the weight bytes are read.
  const m = buildModel(tfjsGraph(parsed.topology), maxBytes, manifestCheck(manifest));
  // Read where the kernels will read them: the loaded model's first predict copies no weight in.
  const bytes = weightBytes(total);
  let at = 0;
  for (const s of shards) {
    await s.read(bytes, at);
    at += s.size;
  }
  assignWeights(m, manifest, bytes, true, parsed.trainingConfig);
  return m;
}
