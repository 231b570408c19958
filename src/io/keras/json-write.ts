/**
 * Keras 3 `model.to_json()`: {@link toKerasJSON} writes the text Keras 3.15
 * writes (module, class name, config with a `DTypePolicy`,
 * `registered_name`, `build_config`; Python's `json.dumps` spacing and float
 * spelling), so `keras.models.model_from_json` rebuilds the model. Weights
 * travel separately (`getWeights` / `setWeights`, Keras order). Checked byte
 * for byte against Keras 3.15.1's own output for seed Model A (Conv2D,
 * MaxPooling2D, Flatten, Dense, InputLayer, Sequential).
 */
import { inputDtype } from "../input-dtype.js";
import { fail, valueText } from "../../checks.js";
import type { Layer } from "../../layers/layer.js";
import type { Model } from "../../model.js";
import { callsByLayer } from "../file-graph.js";
import type { AnyModel } from "../file-graph.js";
import { entryForLayer, innerLayer, nestedModel } from "../layer-registry.js";
import { DTYPE_POLICY, pythonJson } from "./json-writers.js";
import { registrationOf } from "../../layers/registry.js";

/**
 * Classes Keras 3 marks built when made (no weights, no build step), so
 * their serialisation has no `build_config`; every other layer records the
 * input shape it was built with.
 */
const BUILT_AT_INIT = new Set(["InputLayer", "MaxPooling1D", "MaxPooling2D", "MaxPooling3D", "AveragePooling1D", "AveragePooling2D", "AveragePooling3D"]);

/**
 * Options for {@link toKerasJSON}.
 *
 * @example
 * toKerasJSON(m, { names: "keras3" }); // input_layer, functional ...
 */
export interface KerasJsonOptions {
  /** `"shapewise"` (default: the model's own names) or `"keras3"` (Keras 3's scheme: `input_layer`, `functional`). */
  names?: "shapewise" | "keras3";
}

function nameOf(layer: Layer, names: "shapewise" | "keras3"): string {
  return names === "keras3" ? layer.names.keras3 : layer.name;
}

/**
 * A layer's `build_config`. Keras 3 builds MultiHeadAttention from named
 * shapes (`build(query_shape, value_shape, key_shape=None)`) and cannot load
 * it from one `input_shape` list; every other layer takes `input_shape`.
 */
function buildConfig(className: string, inputShape: unknown): Record<string, unknown> {
  if (className !== "MultiHeadAttention" || !Array.isArray(inputShape)) return { input_shape: inputShape };
  const shapes = Array.isArray(inputShape[0]) ? (inputShape as unknown[]) : [inputShape, inputShape];
  const [query, value, key] = shapes;
  return { shapes_dict: key === undefined ? { query_shape: query, value_shape: value } : { query_shape: query, value_shape: value, key_shape: key } };
}

/** Classes whose Keras 3 config has no `trainable` key. */
const NO_TRAINABLE = new Set(["SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D"]);

/** One layer as Keras 3 serialises it: module, class, config, registered name, build config. */
function kerasLayer(layer: Layer, names: "shapewise" | "keras3", inputShape: unknown): Record<string, unknown> {
  const entry = entryForLayer(layer);
  const nested = nestedModel(layer);
  // A nested model is serialised as Keras 3 serialises any model: its whole config.
  if (nested !== undefined) {
    const json = kerasModel(nested, names);
    return { ...json, config: { ...(json.config as Record<string, unknown>), trainable: layer.trainable } };
  }
  const c = layer.getConfig();
  const name = nameOf(layer, names);
  if (entry.style === "input") {
    const shape = [c.batchSize ?? null, ...(c.shape as unknown[])];
    return {
      module: "keras.layers",
      class_name: "InputLayer",
      config: { batch_shape: shape, dtype: c.dtype ?? "float32", sparse: false, ragged: false, name, optional: false },
      registered_name: null,
    };
  }
  // Keras 3's spatial dropouts take no `trainable` in their constructor: loading a config with one fails.
  const base = NO_TRAINABLE.has(layer.className) ? { name, dtype: DTYPE_POLICY() } : { name, trainable: layer.trainable, dtype: DTYPE_POLICY() };
  let config: Record<string, unknown>;
  if (entry.style === "wrapper") {
    const inner = innerLayer(layer)!;
    const written = kerasLayer(inner, names, layer.className === "TimeDistributed" ? null : inputShape);
    // A frozen wrapper freezes what it wraps, as Keras's trainable setter does.
    const innerJson = { ...written, config: { ...(written.config as Record<string, unknown>), trainable: layer.trainable && inner.trainable } };
    config = layer.className === "Bidirectional" ? { ...base, merge_mode: c.mergeMode, layer: innerJson } : { ...base, layer: innerJson };
  } else {
    const writer = entry.formats.keras === true ? registrationOf(layer.className)?.writers?.keras : undefined;
    if (writer === undefined) fail(`shapewise: cannot write layer '${layer.name}' (${layer.className}) as Keras JSON`);
    config = { ...base, ...writer(c, layer) };
  }
  const out: Record<string, unknown> = { module: "keras.layers", class_name: layer.className, config, registered_name: null };
  if (!BUILT_AT_INIT.has(layer.className) && inputShape !== null) out.build_config = buildConfig(layer.className, inputShape);
  return out;
}

/** A tensor as Keras 3 records a call's argument. */
function kerasTensor(shape: readonly unknown[], layer: Layer, nodeIndex: number, tensorIndex: number, names: "shapewise" | "keras3") {
  // An int32 input's tensor is int32 in Keras; every layer after it computes in float32.
  const dtype = inputDtype(layer);
  return { class_name: "__keras_tensor__", config: { shape: [...shape], dtype, keras_history: [nameOf(layer, names), nodeIndex, tensorIndex] } };
}

/**
 * The Keras 3 `model.to_json()` text of a model: `Sequential` for
 * `sequential()`, `Functional` otherwise, with Python's `json.dumps` spacing,
 * so that `keras.models.model_from_json(text)` rebuilds the model (weights
 * go separately, in `getWeights()` order).
 *
 * @example
 * const text = toKerasJSON(m);
 * // Python: model = keras.models.model_from_json(text); model.set_weights(weights)
 */
export function toKerasJSON(m: AnyModel, options: KerasJsonOptions = {}): string {
  const names = options.names ?? "shapewise";
  if (names !== "shapewise" && names !== "keras3") fail(`shapewise: names must be 'shapewise' or 'keras3', got ${valueText(names)}`);
  return pythonJson(kerasModel(m, names));
}

/**
 * The model's topology as Keras 3 writes it into a legacy `.h5` file's
 * `model_config` attribute: the `.keras` config with the model and each
 * entry of its layer lists in the legacy form, `class_name` and `config`
 * (plus a functional layer's `name` and `inbound_nodes`), without `module`,
 * `registered_name` and `build_config`; objects inside a layer's config
 * (dtype policies, initialisers, wrapped layers) keep them, as Keras's do.
 *
 * @example
 * const text = toLegacyKerasConfig(m); // '{"class_name": "Functional", "config": {...}}'
 */
export function toLegacyKerasConfig(m: AnyModel): string {
  const legacy = (entry: Record<string, unknown>): Record<string, unknown> => {
    const { module: _module, registered_name: _registered, build_config: _build, compile_config: _compile, ...rest } = entry;
    const config = rest.config as Record<string, unknown>;
    if (Array.isArray(config?.layers)) rest.config = { ...config, layers: (config.layers as Record<string, unknown>[]).map(legacy) };
    return rest;
  };
  return pythonJson(legacy(kerasModel(m, "shapewise")));
}

/**
 * Keras 3 counts a nested `Functional`'s own graph as its node 0 in
 * `input_layers` and `output_layers` (not in `keras_history`, and not for
 * `Sequential`, which is no `Functional` subclass in Keras 3).
 */
function endNodeIndex(layer: Layer, nodeIndex: number): number {
  const nested = nestedModel(layer);
  return nested !== undefined && nested.kind === "functional" ? nodeIndex + 1 : nodeIndex;
}

/** A model as Keras 3's `serialize_keras_object` writes it: the whole document, or a nested model's layer entry. */
function kerasModel(m: AnyModel, names: "shapewise" | "keras3"): Record<string, unknown> {
  const graph = m.graph();
  const modelName = names === "keras3" ? m.names.keras3 : m.name;
  // Each layer's calls, gathered in one pass: a long chain must not be searched once per layer.
  // A layer's calls outside this model (on a tensor no output reads) are not written, so a reference counts only the
  // calls the file holds, in call order: one past those would name a node the file does not have.
  const callsOf = callsByLayer(graph.nodes);
  const fileIndex = (layer: Layer, nodeIndex: number): number => {
    const at = (callsOf.get(layer) ?? []).filter((n) => n.inbound.length > 0).findIndex((n) => n.nodeIndex === nodeIndex);
    return at < 0 ? nodeIndex : at;
  };
  const firstShape = (layer: Layer): unknown => {
    const node = callsOf.get(layer)?.[0];
    if (node === undefined || node.inbound.length === 0) return null;
    return node.inbound.length === 1 ? [...node.inbound[0].shape] : node.inbound.map((r) => [...r.shape]);
  };
  if (m.kind === "sequential") {
    const inputShape = [...graph.inputs[0].shape];
    const layers = m.layers.map((layer: Layer) => kerasLayer(layer, names, firstShape(layer)));
    return {
      module: "keras",
      class_name: "Sequential",
      config: { name: modelName, trainable: true, dtype: DTYPE_POLICY(), layers, build_input_shape: inputShape },
      registered_name: null,
      build_config: { input_shape: inputShape },
      compile_config: {},
    };
  }
  const layers = m.layers.map((layer: Layer) => {
    const json = kerasLayer(layer, names, firstShape(layer));
    const calls = (callsOf.get(layer) ?? []).filter((n) => n.inbound.length > 0);
    const inbound = calls.map((n) => {
      const tensors = n.inbound.map((r) => kerasTensor(r.shape, r.layer, fileIndex(r.layer, r.nodeIndex), r.tensorIndex, names));
      const style = entryForLayer(layer).style;
      // Merges take one list of tensors; attention takes (query, value) and `key` by keyword.
      if (style === "merge") return { args: [tensors], kwargs: {} };
      if (style === "attention") return { args: tensors.slice(0, 2), kwargs: tensors.length > 2 ? { key: tensors[2] } : {} };
      if (style === "model") {
        // A model is called on its input structure: one tensor, or one list of them.
        const layout = nestedModel(layer)!.inputLayout;
        if (layout === "single") return { args: tensors, kwargs: {} };
        if (layout === "list") return { args: [tensors], kwargs: {} };
        fail(
          `shapewise: cannot write nested model '${layer.name}' as Keras JSON: it takes a record of inputs, which shapewise does not write for nested models`,
        );
      }
      return { args: tensors, kwargs: {} };
    });
    return { ...json, name: nameOf(layer, names), inbound_nodes: inbound };
  });
  const end = (r: (typeof graph.inputs)[number]) => [nameOf(r.layer, names), endNodeIndex(r.layer, fileIndex(r.layer, r.nodeIndex)), r.tensorIndex];
  // Keras writes one input or output as a single reference, several as a list (a record by its keys).
  const ends = (refs: typeof graph.inputs, layout: Model["inputLayout"]) => {
    if (layout === "single") return end(refs[0]);
    if (layout === "list") return refs.map(end);
    return Object.fromEntries(layout.keys.map((k, i) => [k, end(refs[i])]));
  };
  return {
    module: "keras.src.models.functional",
    class_name: "Functional",
    config: {
      name: modelName,
      trainable: true,
      layers,
      input_layers: ends(graph.inputs, m.inputLayout),
      output_layers: ends(graph.outputs, m.outputLayout),
    },
    registered_name: "Functional",
    build_config: { input_shape: null },
    compile_config: {},
  };
}
