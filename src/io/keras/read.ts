/**
 * Keras model files into shapewise, from bytes in memory (no file system,
 * so a browser can use it too): Keras 3's `.keras` zip, the legacy `.h5`
 * (tf.keras 2, and Keras 3's `save("x.h5")`), and weights-only
 * `.weights.h5` files onto a model built in code.
 *
 * The topology goes through the public building API as every other loader
 * does, so each shape rule is checked again and layer names are kept. The
 * file is untrusted: its size, every zip entry's declared size and every
 * dataset's shape are checked against the limits and the built model
 * before anything is decompressed or read, and every refusal is a sentence.
 */
import { fail, valueText } from "../../checks.js";
import { ShapeError } from "../../errors.js";
import type { Tensor } from "../../kernels/tensor.js";
import type { Layer } from "../../layers/layer.js";
import type { Model } from "../../model.js";
import { setLayerWeights } from "../../model-weights.js";
import { buildModel } from "../graph-build.js";
import { limitsOption } from "../file-graph.js";
import { parseJsonSafely, shortText } from "../json.js";
import type { AnyModel, LoadLimits } from "../file-graph.js";
import { kerasGraph } from "./json-read.js";
import { floatDataset, groupAt, isHdf5, readHdf5, textAttribute, textListAttribute } from "./hdf5.js";
import type { H5File, H5Group } from "./hdf5.js";
import { kerasStateGroups, legacyWeightOrder } from "./layout.js";
import { zipLibrary } from "./libraries.js";

/** The most entries a `.keras` zip may list: Keras writes three (and assets for a few preprocessing layers). */
const MAX_ZIP_ENTRIES = 10_000;

/** Bytes from what a caller may hand over. */
export function fileBytes(data: unknown, what: string): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return fail(`shapewise: ${what} must be an ArrayBuffer or a Uint8Array, got ${shortText(data)}`);
}

function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

/** One weight slot of a model, in `getWeights()` order. */
interface Slot {
  readonly layer: Layer;
  readonly name: string;
  readonly shape: readonly number[];
  /** Keras keeps this weight as an integer (int64 in its files). */
  readonly integer: boolean;
}

function slotsOf(m: AnyModel): Slot[] {
  return (m.layers as readonly Layer[]).flatMap((layer) =>
    layer.weightSpecs().map((s) => ({ layer, name: s.name, shape: s.shape, integer: s.dtype === "int64" })),
  );
}

/**
 * Sets the weights read into `values`, once every slot has one. h5wasm
 * copies each dataset out of its heap into an array of its own, which the
 * model keeps as it is rather than copying it again.
 */
function setAll(m: AnyModel, slots: readonly Slot[], values: (Tensor | undefined)[], what: string): void {
  const missing = values.indexOf(undefined);
  if (missing >= 0 || values.length !== slots.length) {
    const s = slots[missing];
    fail(`shapewise: ${what} has no value for weight '${s.name}' of layer '${s.layer.name}'`);
  }
  setLayerWeights(m.layers as readonly Layer[], values as Tensor[], true);
}

/**
 * Reads a Keras 3 weights store (the `model.weights.h5` of a `.keras` zip,
 * or a `.weights.h5` file) into the model: every object's `vars` by its
 * path, each dataset's shape checked against the layer before it is read.
 * A layer the file lacks, a weight too many or too few, or a group for a
 * layer the model does not have is an error.
 */
function readKerasState(m: AnyModel, file: H5File, what: string): void {
  const slots = slotsOf(m);
  const values: (Tensor | undefined)[] = new Array(slots.length).fill(undefined);
  const groups = kerasStateGroups(m);
  for (const g of groups) {
    const varsPath = g.path === "" ? "vars" : `${g.path}/vars`;
    const owner = g.layer === undefined ? `model '${m.name}'` : `layer '${g.layer.name}'`;
    const vars = groupAt(file, varsPath, what);
    const keys = vars === undefined ? [] : vars.keys();
    if (keys.length !== g.weights.length) {
      fail(
        g.weights.length > 0 && vars === undefined
          ? `shapewise: ${what} has no weights for ${owner} (Keras keeps them at '${varsPath}'; the file's layers are ${listText(layerGroupNames(file, g.path))})`
          : `shapewise: ${what} holds ${keys.length} weights at '${varsPath}', but ${owner} has ${g.weights.length}`,
      );
    }
    g.weights.forEach((index, i) => {
      const slot = slots[index];
      values[index] = {
        shape: [...slot.shape],
        data: floatDataset(vars!, String(i), slot.shape, `weight '${slot.name}' of layer '${slot.layer.name}' ('${varsPath}/${i}')`, what, slot.integer),
      };
    });
  }
  // A file with more layers than the model would leave weights behind unread: refused, as a wrong match.
  const expected = new Set(groups.map((g) => g.path));
  const extra = extraGroups(file, "", expected);
  if (extra !== undefined)
    fail(
      `shapewise: ${what} holds weights at '${extra}', which no layer of model '${m.name}' has (Keras finds weights by class and position: layers/dense, layers/dense_1, ...)`,
    );
  setAll(m, slots, values, what);
}

/** The names under `<path>/layers` next to `path` (for a message), or none. */
function layerGroupNames(file: H5File, path: string): string[] {
  const parent = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : "";
  const g = groupAt(file, parent === "" ? "layers" : parent, "weights file");
  return g === undefined ? [] : g.keys().slice(0, 20);
}

function listText(names: readonly string[]): string {
  return names.length === 0 ? "none" : names.map((n) => `'${n}'`).join(", ");
}

/** True when a group, or any group below it, holds a dataset. */
function holdsData(group: H5Group, depth = 0): boolean {
  if (depth > 64) return true;
  return group.keys().some((key) => {
    const child = group.get(key);
    return child?.constructor.name === "Dataset" || (child?.constructor.name === "Group" && holdsData(child as H5Group, depth + 1));
  });
}

/** The first group under `layers/` that holds weights at a path the model does not have. */
function extraGroups(file: H5File, path: string, expected: ReadonlySet<string>): string | undefined {
  const layers = groupAt(file, path === "" ? "layers" : `${path}/layers`, "weights file");
  if (layers === undefined) return undefined;
  for (const key of layers.keys()) {
    const child = path === "" ? `layers/${key}` : `${path}/layers/${key}`;
    if (!expected.has(child)) {
      const group = groupAt(file, child, "weights file");
      if (group !== undefined && holdsData(group)) return child;
      continue;
    }
    const deeper = extraGroups(file, child, expected);
    if (deeper !== undefined) return deeper;
  }
  return undefined;
}

/**
 * Reads tf.keras 2's legacy weights (`model_weights` of a model `.h5`, or
 * the root of an old `save_weights` file) into the model as Keras does: the
 * layers that have weights, in order, each with its `weight_names` in
 * trainable-first order; counts and shapes must agree.
 */
function readLegacyWeights(m: AnyModel, root: H5Group, what: string): void {
  const slots = slotsOf(m);
  const values: (Tensor | undefined)[] = new Array(slots.length).fill(undefined);
  const layerNames = textListAttribute(root, "layer_names", what);
  const saved = layerNames
    .map((name) => {
      const g = groupAt(root, name, what);
      if (g === undefined) fail(`shapewise: ${what} lists layer '${name}' in layer_names but has no group for it`);
      return { name, group: g, weightNames: textListAttribute(g, "weight_names", `${what} layer '${name}'`) };
    })
    .filter((s) => s.weightNames.length > 0);
  let offset = 0;
  const layers: { layer: Layer; offset: number }[] = [];
  for (const layer of m.layers as readonly Layer[]) {
    const count = layer.weightSpecs().length;
    if (count > 0) layers.push({ layer, offset });
    offset += count;
  }
  if (saved.length !== layers.length) {
    fail(
      `shapewise: ${what} has weights for ${saved.length} layers (${listText(saved.map((s) => s.name))}), but model '${m.name}' has ${layers.length} layers with weights (${listText(layers.map((l) => l.layer.name))})`,
    );
  }
  saved.forEach((s, k) => {
    const { layer, offset: at } = layers[k];
    const order = legacyWeightOrder(layer, at);
    if (s.weightNames.length !== order.length) {
      fail(`shapewise: ${what} holds ${s.weightNames.length} weights for layer '${s.name}', but layer '${layer.name}' of the model has ${order.length}`);
    }
    order.forEach((index, j) => {
      const slot = slots[index];
      const label = `weight '${s.weightNames[j]}' for layer '${layer.name}'`;
      values[index] = { shape: [...slot.shape], data: floatDataset(s.group, s.weightNames[j], slot.shape, label, what, slot.integer) };
    });
  });
  setAll(m, slots, values, what);
}

/** The file holds weights only: the sentence the issue asks for, whichever form they take. */
function weightsOnly(what: string): never {
  return fail(`shapewise: ${what}: this HDF5 file has no model config: it holds weights only; build the model and call loadWeights`);
}

function modelFromConfigText(text: string, maxBytes: number, maxJsonBytes: number, what: string): Model {
  if (text.length > maxJsonBytes)
    fail(`shapewise: ${what} has a model config of ${text.length} characters, more than the limit of ${maxJsonBytes} (option maxJsonBytes)`);
  return buildModel(kerasGraph(parseJsonSafely(text, `${what} model config`)), maxBytes);
}

/** A legacy `.h5` model file: `model_config` attribute, weights in `model_weights`. */
function modelFromLegacyH5(file: H5File, maxBytes: number, maxJsonBytes: number, what: string): Model {
  const config = textAttribute(file, "model_config", what);
  if (config === undefined) {
    if (groupAt(file, "layers", what) !== undefined || groupAt(file, "vars", what) !== undefined || Object.hasOwn(file.attrs, "layer_names")) weightsOnly(what);
    fail(`shapewise: ${what} has no model config (no 'model_config' attribute) and no Keras weights: it is not a Keras file`);
  }
  const m = modelFromConfigText(config, maxBytes, maxJsonBytes, what);
  const weights = groupAt(file, "model_weights", what);
  if (weights === undefined) fail(`shapewise: ${what} has a model config but no 'model_weights' group: the file holds no weights`);
  readLegacyWeights(m, weights, what);
  return m;
}

/** The three parts of a `.keras` zip, each size checked before it is decompressed. */
async function unpackKeras(bytes: Uint8Array, maxBytes: number, maxJsonBytes: number, what: string): Promise<{ config: string; weights: Uint8Array }> {
  const { unzipSync, strFromU8 } = await zipLibrary();
  const limits: Readonly<Record<string, number>> = { "config.json": maxJsonBytes, "metadata.json": maxJsonBytes, "model.weights.h5": maxBytes + maxJsonBytes };
  const declared = new Map<string, number>();
  let entries = 0;
  let parts: Record<string, Uint8Array>;
  try {
    parts = unzipSync(bytes, {
      filter: (entry) => {
        if (++entries > MAX_ZIP_ENTRIES) fail(`shapewise: ${what} lists more than ${MAX_ZIP_ENTRIES} entries; a .keras file has three`);
        const limit = limits[entry.name];
        if (limit === undefined) return false;
        if (declared.has(entry.name)) fail(`shapewise: ${what} holds '${entry.name}' twice`);
        if (entry.originalSize > limit) {
          fail(
            `shapewise: ${what} declares '${entry.name}' as ${entry.originalSize} bytes, more than the limit of ${limit} bytes (option ${entry.name === "model.weights.h5" ? "maxBytes" : "maxJsonBytes"})`,
          );
        }
        declared.set(entry.name, entry.originalSize);
        return true;
      },
    });
  } catch (error) {
    if (error instanceof ShapeError) throw error;
    return fail(`shapewise: ${what} is not a readable zip archive (${(error as Error).message})`);
  }
  for (const [name, size] of declared) {
    // A stored entry cut short, or a deflated one that ends early, gives fewer bytes than declared.
    if (parts[name].length !== size)
      fail(`shapewise: ${what} entry '${name}' holds ${parts[name].length} bytes, but the archive declares ${size}: the file is damaged or truncated`);
  }
  if (parts["config.json"] === undefined) fail(`shapewise: ${what} has no config.json: it is not a Keras 3 model archive`);
  if (parts["model.weights.h5"] === undefined) fail(`shapewise: ${what} has no model.weights.h5: the archive holds no weights`);
  let config: string;
  try {
    config = strFromU8(parts["config.json"]);
  } catch {
    return fail(`shapewise: ${what} config.json is not UTF-8 text`);
  }
  return { config, weights: parts["model.weights.h5"] };
}

/**
 * Options for reading Keras files: the load limits, and the name used in messages.
 *
 * @example
 * await modelFromKerasFile(bytes, { maxBytes: 50_000_000, fileName: "classifier.keras" });
 */
export interface KerasReadOptions extends LoadLimits {
  /** The name a message calls the file (default `the Keras file`). */
  fileName?: string;
}

function readOptions(options: KerasReadOptions | undefined): { maxBytes: number; maxJsonBytes: number; what: string } {
  const { fileName, ...limits } = options ?? {};
  if (fileName !== undefined && typeof fileName !== "string") fail(`shapewise: fileName must be a string, got ${valueText(fileName)}`);
  return { ...limitsOption(options === undefined ? undefined : limits), what: fileName ?? "the Keras file" };
}

/**
 * A model from the bytes of a Keras file: a Keras 3 `.keras` zip, or a
 * legacy `.h5` model (told apart by their first bytes), with its layer
 * names, shapes and weights. Sizes are checked against `maxBytes` (weights)
 * and `maxJsonBytes` (config) before anything is decompressed or read.
 * h5wasm and fflate are loaded on the first call.
 *
 * @example
 * const m = await modelFromKerasFile(await (await fetch("model.keras")).arrayBuffer());
 * m.summary();
 */
export async function modelFromKerasFile(data: ArrayBuffer | Uint8Array, options?: KerasReadOptions): Promise<Model> {
  const { maxBytes, maxJsonBytes, what } = readOptions(options);
  const bytes = fileBytes(data, "Keras file data");
  if (bytes.length > maxBytes + maxJsonBytes)
    fail(`shapewise: ${what} is ${bytes.length} bytes, more than the limit of ${maxBytes + maxJsonBytes} bytes (options maxBytes + maxJsonBytes)`);
  if (isZip(bytes)) {
    const { config, weights } = await unpackKeras(bytes, maxBytes, maxJsonBytes, what);
    // The topology is built (its weight sizes checked against maxBytes) before the weights file is opened.
    const m = modelFromConfigText(config, maxBytes, maxJsonBytes, what);
    await readHdf5(weights, `${what} (model.weights.h5)`, (file) => readKerasState(m, file, `${what} (model.weights.h5)`));
    return m;
  }
  if (isHdf5(bytes)) return readHdf5(bytes, what, (file) => modelFromLegacyH5(file, maxBytes, maxJsonBytes, what));
  return fail(`shapewise: ${what} is neither a .keras zip nor an HDF5 .h5 file (it starts with ${valueText([...bytes.subarray(0, 4)])})`);
}

/**
 * Puts the weights of a Keras weights file into a model built in code, as
 * `model.load_weights` does: a Keras 3 `.weights.h5` by each layer's path
 * (its class and position: the second `Dense` reads `layers/dense_1`), a
 * legacy one by the order of the layers with weights. Every dataset's shape
 * must be the layer's; nothing changes when any is wrong.
 *
 * @example
 * const m = model({ inputs, outputs });
 * await loadWeightsFromBytes(m, await readFile("model.weights.h5"));
 */
export async function loadWeightsFromBytes(m: AnyModel, data: ArrayBuffer | Uint8Array, options?: KerasReadOptions): Promise<void> {
  const { maxBytes, maxJsonBytes, what } = readOptions(options);
  const bytes = fileBytes(data, "weights data");
  if (bytes.length > maxBytes + maxJsonBytes)
    fail(`shapewise: ${what} is ${bytes.length} bytes, more than the limit of ${maxBytes + maxJsonBytes} bytes (options maxBytes + maxJsonBytes)`);
  if (isZip(bytes)) {
    const { weights } = await unpackKeras(bytes, maxBytes, maxJsonBytes, what);
    await readHdf5(weights, `${what} (model.weights.h5)`, (file) => readKerasState(m, file, `${what} (model.weights.h5)`));
    return;
  }
  await readHdf5(bytes, what, (file) => {
    if (groupAt(file, "layers", what) !== undefined || groupAt(file, "vars", what) !== undefined) return readKerasState(m, file, what);
    const legacy = groupAt(file, "model_weights", what) ?? (Object.hasOwn(file.attrs, "layer_names") ? file : undefined);
    if (legacy === undefined) fail(`shapewise: ${what} holds no Keras weights (no 'layers', 'vars' or 'model_weights' group)`);
    return readLegacyWeights(m, legacy, what);
  });
}
