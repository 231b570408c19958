/**
 * Keras 3 `model.to_json()`, both ways: {@link toKerasJSON} writes the text
 * Keras 3.15 writes (module, class name, config with a `DTypePolicy`,
 * `registered_name`, `build_config`; Python's `json.dumps` spacing and float
 * spelling), so `keras.models.model_from_json` rebuilds the model;
 * {@link modelFromKerasJSON} reads such text (and tf.keras 2 `to_json`, whose
 * layer list has the same shape) into a shapewise model. Weights travel
 * separately (`getWeights` / `setWeights`, Keras order).
 *
 * Key order inside each layer config follows the Keras 3 sources
 * (`keras/src/layers/**`); it is checked byte for byte against Keras 3.15.1's
 * own output for seed Model A (Conv2D, MaxPooling2D, Flatten, Dense,
 * InputLayer, Sequential).
 */
import { fail, valueText } from "../checks.js";
import type { Layer } from "../layers/layer.js";
import type { Model } from "../model.js";
import {
  batchShape,
  buildModel,
  callInputs,
  checkNestingDepth,
  isIndex,
  layersByName,
  limitsOption,
  list,
  maybe,
  own,
  parseJsonSafely,
  plainJson,
  rebaseNested,
  record,
  sequentialGraph,
  shortText,
  text,
} from "./graph-build.js";
import type { AnyModel, FileGraph, FileLayer, FileRef, LoadLimits, ParsedFileLayer } from "./graph-build.js";
import { formatOut, optionsFromFile } from "./layer-configs.js";
import { entryForClass, entryForLayer, innerLayer, nestedModel } from "./layer-registry.js";

// ---------------------------------------------------------------------------
// Python-style JSON text
// ---------------------------------------------------------------------------

/** A number Python holds as a float: printed `1.0`, `0.001`, `1e-07`, as `repr` does. */
class PyFloat {
  constructor(readonly value: number) {}
}

/**
 * A float as Python's `repr` spells it: the shortest round-trip digits (as
 * JavaScript finds them), fixed notation for exponents -4 to 15 with `.0` on
 * whole numbers, scientific with a two-digit exponent otherwise.
 *
 * @example
 * pythonFloat(1);      // "1.0"
 * pythonFloat(1e-7);   // "1e-07"
 * pythonFloat(0.001);  // "0.001"
 */
export function pythonFloat(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "Infinity" : "-Infinity";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const [mantissa, expText] = x.toExponential().split("e");
  const exp = Number(expText);
  const negative = mantissa.startsWith("-");
  const digits = mantissa.replace("-", "").replace(".", "");
  const sign = negative ? "-" : "";
  if (exp < -4 || exp >= 16) {
    const m = digits.length === 1 ? digits : `${digits[0]}.${digits.slice(1)}`;
    const e = Math.abs(exp) < 10 ? `0${Math.abs(exp)}` : `${Math.abs(exp)}`;
    return `${sign}${m}e${exp < 0 ? "-" : "+"}${e}`;
  }
  if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
  const whole = digits.slice(0, exp + 1).padEnd(exp + 1, "0");
  const fraction = digits.slice(exp + 1);
  return `${sign}${whole}.${fraction === "" ? "0" : fraction}`;
}

/** `json.dumps` with its default separators (`", "` and `": "`), floats marked by {@link PyFloat}. */
function pythonJson(value: unknown): string {
  if (value instanceof PyFloat) return pythonFloat(value.value);
  if (value === null || value === undefined) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : pythonFloat(value);
  if (typeof value === "string") return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(", ")}]`;
  const entries = Object.entries(value as Record<string, unknown>);
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}: ${pythonJson(v)}`).join(", ")}}`;
}

const f = (v: unknown): PyFloat | unknown => (typeof v === "number" ? new PyFloat(v) : v);

// ---------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------

const DTYPE_POLICY = () => ({ module: "keras", class_name: "DTypePolicy", config: { name: "float32" }, registered_name: null });
const initializer = (className: string, config: Record<string, unknown> = {}) => ({
  module: "keras.initializers",
  class_name: className,
  config,
  registered_name: null,
});
const GLOROT = () => initializer("GlorotUniform", { seed: null, input_axes: null, output_axes: null });
const ZEROS = () => initializer("Zeros");
const ONES = () => initializer("Ones");
const ORTHOGONAL = () => initializer("Orthogonal", { gain: new PyFloat(1), seed: null });

type Writer = (c: Record<string, unknown>, layer: Layer) => Record<string, unknown>;

const convWriter: Writer = (c, layer) => {
  const transpose = layer.className.includes("Transpose");
  const depthwise = layer.className.startsWith("Depthwise");
  const separable = layer.className.startsWith("Separable");
  const head: Record<string, unknown> = {};
  if (!depthwise) head.filters = c.filters;
  Object.assign(head, { kernel_size: c.kernelSize, strides: c.strides, padding: c.padding });
  if (transpose) head.output_padding = c.outputPadding ?? null;
  Object.assign(head, { data_format: formatOut(c.dataFormat), dilation_rate: c.dilationRate });
  if (!transpose && !depthwise && !separable) head.groups = c.groups;
  if (depthwise || separable) head.depth_multiplier = c.depthMultiplier;
  Object.assign(head, { activation: c.activation, use_bias: c.useBias });
  if (separable) {
    return {
      ...head,
      depthwise_initializer: GLOROT(),
      pointwise_initializer: GLOROT(),
      bias_initializer: ZEROS(),
      depthwise_regularizer: null,
      pointwise_regularizer: null,
      bias_regularizer: null,
      activity_regularizer: null,
      depthwise_constraint: null,
      pointwise_constraint: null,
      bias_constraint: null,
    };
  }
  if (depthwise) {
    return {
      ...head,
      depthwise_initializer: GLOROT(),
      bias_initializer: ZEROS(),
      depthwise_regularizer: null,
      bias_regularizer: null,
      activity_regularizer: null,
      depthwise_constraint: null,
      bias_constraint: null,
    };
  }
  return {
    ...head,
    kernel_initializer: GLOROT(),
    bias_initializer: ZEROS(),
    kernel_regularizer: null,
    bias_regularizer: null,
    activity_regularizer: null,
    kernel_constraint: null,
    bias_constraint: null,
  };
};

const poolWriter: Writer = (c) => ({ pool_size: c.poolSize, padding: c.padding, strides: c.strides, data_format: formatOut(c.dataFormat) });
const globalWriter: Writer = (c) => ({ data_format: formatOut(c.dataFormat), keepdims: c.keepdims });
const spatialWriter =
  (key: string): Writer =>
  (c) => ({ [key]: c[snakeToCamel(key)], data_format: formatOut(c.dataFormat ?? "channelsLast") });
/**
 * Keras 3 RNN layers: the `RNN` base keys first (`get_config` merges the
 * base config before the cell's), then the cell's, `seed` last.
 */
const recurrentWriter: Writer = (c, layer) => {
  const gates = layer.className !== "SimpleRNN";
  return {
    return_sequences: c.returnSequences,
    return_state: c.returnState,
    go_backwards: c.goBackwards,
    stateful: false,
    unroll: false,
    zero_output_for_mask: false,
    units: c.units,
    activation: c.activation,
    ...(gates ? { recurrent_activation: c.recurrentActivation } : {}),
    use_bias: c.useBias,
    kernel_initializer: GLOROT(),
    recurrent_initializer: ORTHOGONAL(),
    bias_initializer: ZEROS(),
    ...(layer.className === "LSTM" ? { unit_forget_bias: true } : {}),
    kernel_regularizer: null,
    recurrent_regularizer: null,
    bias_regularizer: null,
    activity_regularizer: null,
    kernel_constraint: null,
    recurrent_constraint: null,
    bias_constraint: null,
    dropout: new PyFloat(0),
    recurrent_dropout: new PyFloat(0),
    ...(layer.className === "GRU" ? { reset_after: c.resetAfter } : {}),
    seed: null,
  };
};

function snakeToCamel(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, ch: string) => ch.toUpperCase());
}

/** Keras 3 layer configs after the base `name`, `trainable`, `dtype`, by class. */
const KERAS_WRITERS: Readonly<Record<string, Writer>> = {
  Conv1D: convWriter,
  Conv2D: convWriter,
  Conv3D: convWriter,
  Conv1DTranspose: convWriter,
  Conv2DTranspose: convWriter,
  Conv3DTranspose: convWriter,
  SeparableConv1D: convWriter,
  SeparableConv2D: convWriter,
  DepthwiseConv1D: convWriter,
  DepthwiseConv2D: convWriter,
  MaxPooling1D: poolWriter,
  MaxPooling2D: poolWriter,
  MaxPooling3D: poolWriter,
  AveragePooling1D: poolWriter,
  AveragePooling2D: poolWriter,
  AveragePooling3D: poolWriter,
  GlobalMaxPooling1D: globalWriter,
  GlobalMaxPooling2D: globalWriter,
  GlobalMaxPooling3D: globalWriter,
  GlobalAveragePooling1D: globalWriter,
  GlobalAveragePooling2D: globalWriter,
  GlobalAveragePooling3D: globalWriter,
  Flatten: (c) => ({ data_format: formatOut(c.dataFormat) }),
  Reshape: (c) => ({ target_shape: c.targetShape }),
  Permute: (c) => ({ dims: c.dims }),
  RepeatVector: (c) => ({ n: c.n }),
  ZeroPadding1D: (c) => ({ padding: c.padding }),
  ZeroPadding2D: spatialWriter("padding"),
  ZeroPadding3D: spatialWriter("padding"),
  Cropping1D: (c) => ({ cropping: c.cropping }),
  Cropping2D: spatialWriter("cropping"),
  Cropping3D: spatialWriter("cropping"),
  UpSampling1D: (c) => ({ size: c.size }),
  UpSampling2D: (c) => ({ size: c.size, data_format: formatOut(c.dataFormat), interpolation: c.interpolation }),
  UpSampling3D: (c) => ({ size: c.size, data_format: formatOut(c.dataFormat) }),
  Dense: (c) => ({
    units: c.units,
    activation: c.activation,
    use_bias: c.useBias,
    kernel_initializer: GLOROT(),
    bias_initializer: ZEROS(),
    kernel_regularizer: null,
    bias_regularizer: null,
    kernel_constraint: null,
    bias_constraint: null,
    quantization_config: null,
  }),
  Activation: (c) => ({ activation: c.activation }),
  Embedding: (c) => ({
    input_dim: c.inputDim,
    output_dim: c.outputDim,
    embeddings_initializer: initializer("RandomUniform", { minval: new PyFloat(-0.05), maxval: new PyFloat(0.05), seed: null }),
    embeddings_regularizer: null,
    activity_regularizer: null,
    embeddings_constraint: null,
    mask_zero: false,
    quantization_config: null,
  }),
  BatchNormalization: (c) => ({
    axis: c.axis,
    momentum: f(c.momentum),
    epsilon: f(c.epsilon),
    center: c.center,
    scale: c.scale,
    beta_initializer: ZEROS(),
    gamma_initializer: ONES(),
    moving_mean_initializer: ZEROS(),
    moving_variance_initializer: ONES(),
    beta_regularizer: null,
    gamma_regularizer: null,
    beta_constraint: null,
    gamma_constraint: null,
    synchronized: false,
  }),
  LayerNormalization: (c) => ({
    axis: c.axis,
    epsilon: f(c.epsilon),
    center: c.center,
    scale: c.scale,
    rms_scaling: false,
    beta_initializer: ZEROS(),
    gamma_initializer: ONES(),
    beta_regularizer: null,
    gamma_regularizer: null,
    beta_constraint: null,
    gamma_constraint: null,
  }),
  Dropout: (c) => ({ rate: f(c.rate), seed: c.seed ?? null, noise_shape: null }),
  SpatialDropout1D: (c) => ({ rate: f(c.rate), seed: c.seed ?? null, noise_shape: null }),
  SpatialDropout2D: (c) => ({ rate: f(c.rate), seed: c.seed ?? null, noise_shape: null, data_format: formatOut(c.dataFormat) }),
  SpatialDropout3D: (c) => ({ rate: f(c.rate), seed: c.seed ?? null, noise_shape: null, data_format: formatOut(c.dataFormat) }),
  GaussianNoise: (c) => ({ stddev: f(c.stddev), seed: c.seed ?? null }),
  GaussianDropout: (c) => ({ rate: f(c.rate), seed: c.seed ?? null }),
  AlphaDropout: (c) => ({ rate: f(c.rate), seed: c.seed ?? null, noise_shape: null }),
  ActivityRegularization: (c) => ({ l1: f(c.l1), l2: f(c.l2) }),
  ReLU: (c) => ({ max_value: c.maxValue === undefined ? null : f(c.maxValue), negative_slope: f(c.negativeSlope), threshold: f(c.threshold) }),
  LeakyReLU: (c) => ({ negative_slope: f(c.alpha) }),
  PReLU: (c) => ({
    alpha_initializer: ZEROS(),
    alpha_regularizer: null,
    alpha_constraint: null,
    shared_axes: (c.sharedAxes as number[]).length === 0 ? null : c.sharedAxes,
  }),
  ELU: (c) => ({ alpha: f(c.alpha) }),
  Softmax: (c) => ({ axis: c.axis }),
  Rescaling: (c) => ({ scale: f(c.scale), offset: f(c.offset) }),
  Normalization: (c) => ({
    axis: c.axis,
    invert: c.invert,
    // The adaptable form has no given statistics: Keras writes null and keeps them as weights.
    mean: c.mean === undefined ? null : Array.isArray(c.mean) ? c.mean.map(f) : f(c.mean),
    variance: c.variance === undefined ? null : Array.isArray(c.variance) ? c.variance.map(f) : f(c.variance),
  }),
  Resizing: (c) => ({
    height: c.height,
    width: c.width,
    interpolation: c.interpolation,
    data_format: "channels_last",
    crop_to_aspect_ratio: c.cropToAspectRatio,
    pad_to_aspect_ratio: false,
    fill_mode: "constant",
    fill_value: new PyFloat(0),
    antialias: false,
  }),
  CenterCrop: (c) => ({ height: c.height, width: c.width, data_format: "channels_last" }),
  SimpleRNN: recurrentWriter,
  LSTM: recurrentWriter,
  GRU: recurrentWriter,
  MultiHeadAttention: (c) => ({
    num_heads: c.numHeads,
    key_dim: c.keyDim,
    value_dim: c.valueDim,
    dropout: new PyFloat(0),
    use_bias: c.useBias,
    output_shape: c.outputShape,
    attention_axes: null,
    kernel_initializer: GLOROT(),
    bias_initializer: ZEROS(),
    kernel_regularizer: null,
    bias_regularizer: null,
    activity_regularizer: null,
    kernel_constraint: null,
    bias_constraint: null,
    seed: null,
  }),
  Add: () => ({}),
  Subtract: () => ({}),
  Multiply: () => ({}),
  Average: () => ({}),
  Maximum: () => ({}),
  Minimum: () => ({}),
  Concatenate: (c) => ({ axis: c.axis }),
  Dot: (c) => ({ axes: c.axes, normalize: c.normalize }),
};

/**
 * The classes Keras JSON has a config writer for (wrappers and the input
 * layer are written by the layer writer itself).
 *
 * @example
 * KERAS_WRITTEN_CLASSES.includes("Conv2D"); // true
 */
export const KERAS_WRITTEN_CLASSES: readonly string[] = Object.keys(KERAS_WRITERS);

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

/** One layer as Keras 3 serialises it: module, class, config, registered name, build config. */
function kerasLayer(layer: Layer, names: "shapewise" | "keras3", inputShape: unknown): Record<string, unknown> {
  const entry = entryForLayer(layer);
  const nested = nestedModel(layer);
  // A nested model is serialised as Keras 3 serialises any model: its whole config.
  if (nested !== undefined) return kerasModel(nested, names);
  const c = layer.getConfig();
  const name = nameOf(layer, names);
  if (entry.style === "input") {
    const shape = [null, ...(c.shape as unknown[])];
    return {
      module: "keras.layers",
      class_name: "InputLayer",
      config: { batch_shape: shape, dtype: "float32", sparse: false, ragged: false, name, optional: false },
      registered_name: null,
    };
  }
  const base = { name, trainable: true, dtype: DTYPE_POLICY() };
  let config: Record<string, unknown>;
  if (entry.style === "wrapper") {
    const inner = innerLayer(layer)!;
    const innerJson = kerasLayer(inner, names, layer.className === "TimeDistributed" ? null : inputShape);
    config = layer.className === "Bidirectional" ? { ...base, merge_mode: c.mergeMode, layer: innerJson } : { ...base, layer: innerJson };
  } else {
    const writer = entry.formats.keras === true ? KERAS_WRITERS[layer.className] : undefined;
    if (writer === undefined) fail(`shapewise: cannot write layer '${layer.name}' (${layer.className}) as Keras JSON`);
    config = { ...base, ...writer(c, layer) };
  }
  const out: Record<string, unknown> = { module: "keras.layers", class_name: layer.className, config, registered_name: null };
  if (!BUILT_AT_INIT.has(layer.className) && inputShape !== null) out.build_config = { input_shape: inputShape };
  return out;
}

/** A tensor as Keras 3 records a call's argument. */
function kerasTensor(shape: readonly unknown[], layer: Layer, nodeIndex: number, tensorIndex: number, names: "shapewise" | "keras3") {
  return { class_name: "__keras_tensor__", config: { shape: [...shape], dtype: "float32", keras_history: [nameOf(layer, names), nodeIndex, tensorIndex] } };
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
  const callsOf = new Map<Layer, (typeof graph.nodes)[number][]>();
  for (const n of graph.nodes) {
    const calls = callsOf.get(n.layer);
    if (calls === undefined) callsOf.set(n.layer, [n]);
    else calls.push(n);
  }
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
      const tensors = n.inbound.map((r) => kerasTensor(r.shape, r.layer, r.nodeIndex, r.tensorIndex, names));
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
  const end = (r: (typeof graph.inputs)[number]) => [nameOf(r.layer, names), endNodeIndex(r.layer, r.nodeIndex), r.tensorIndex];
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

// ---------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------

/** One layer entry of a Keras JSON file: class, options, wrapped call, batch shape for inputs. */
function kerasLayerIn(json: unknown, where: string, depth: number, wrapped = false): ParsedFileLayer {
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
    // A nested model's entry is a whole model document: read it as one, one level deeper.
    const nested = kerasGraph(l, depth + 1);
    return { className: nested.kind === "sequential" ? "Sequential" : "Functional", name, config: { name }, nested: { ...nested, name } };
  }
  if (entry.style === "input") {
    const shape = batchShape(maybe(config, "batch_shape") ?? maybe(config, "batch_input_shape"), `input layer '${name}'`);
    const dtype = maybe(config, "dtype");
    if (dtype !== undefined && dtype !== "float32") fail(`shapewise: input layer '${name}' has dtype ${shortText(dtype)}; shapewise reads float32 inputs`);
    for (const key of ["sparse", "ragged", "optional"]) {
      if (maybe(config, key) === true) fail(`shapewise: input layer '${name}' is ${key}; shapewise reads dense, required inputs`);
    }
    return { className, name, config: { shape: shape.slice(1), name } };
  }
  const dtype = maybe(config, "dtype");
  const dtypeName =
    dtype !== null && typeof dtype === "object" ? maybe(record(maybe(record(dtype, `${at} dtype`), "config") ?? {}, `${at} dtype config`), "name") : dtype;
  if (dtypeName !== undefined && dtypeName !== null && dtypeName !== "float32")
    fail(`shapewise: ${at} has dtype ${shortText(dtypeName)}; shapewise computes in float32`);
  const options = optionsFromFile(className, config, "keras3", at);
  let inner: FileLayer["inner"];
  if (entry.style === "wrapper") {
    // One level only: shapewise wraps layers, not wrappers (and a deep chain of them must not recurse without bound).
    if (wrapped) fail(`shapewise: ${where} is a ${className} inside a wrapper; shapewise wraps only plain layers`);
    const innerJson = kerasLayerIn(own(config, "layer", `${at} config`), `${at} wrapped layer`, depth, true);
    inner = { className: innerJson.className, config: innerJson.config };
  }
  const shape = maybe(config, "batch_input_shape") ?? maybe(config, "batch_shape");
  return { className, name, config: { ...options, name }, inner, batchShape: shape === undefined || shape === null ? undefined : batchShape(shape, at) };
}

/** `["name", 0, 0]`, a list of them, or a record of them, as `input_layers`/`output_layers` hold. */
function kerasEnds(value: unknown, what: string): FileRef[] {
  const one = (v: unknown, w: string): FileRef => {
    const r = list(v, w);
    const [layer, nodeIndex, tensorIndex] = r;
    if (typeof layer !== "string" || !isIndex(nodeIndex) || !isIndex(tensorIndex))
      fail(`shapewise: ${w} must be [layer name, node index, tensor index], got ${shortText(v)}`);
    return { layer, nodeIndex, tensorIndex };
  };
  if (Array.isArray(value)) return typeof value[0] === "string" ? [one(value, what)] : value.map((v, i) => one(v, `${what} ${i}`));
  const r = record(value, what);
  return Object.keys(r).map((k) => one(r[k], `${what} '${k}'`));
}

/**
 * The model of a Keras `to_json()` document (Keras 3, or tf.keras 2 with
 * the same layer lists), as a layer list for the builder.
 *
 * A model nested as a layer is read from its entry the same way (`depth`
 * counts the levels, at most `MAX_NESTING_DEPTH`). Keras 3 numbers its calls
 * from 0 in `keras_history` but from 1 in `input_layers`/`output_layers`
 * when it is a `Functional`; tf.keras 2 from 1 everywhere.
 *
 * @example
 * kerasGraph(JSON.parse(text)).kind; // "sequential" or "functional"
 */
export function kerasGraph(json: unknown, depth = 0): FileGraph {
  const top = record(json, "Keras JSON");
  const className = own(top, "class_name", "Keras JSON");
  const config = record(own(top, "config", "Keras JSON"), "Keras JSON config");
  const rawName = maybe(config, "name");
  const name = rawName === undefined || rawName === null ? undefined : text(rawName, "model name");
  const layersJson = list(own(config, "layers", "Keras JSON config"), "Keras JSON layers");
  if (className === "Sequential") {
    const parsed = layersJson.map((j, i) => kerasLayerIn(j, `Sequential layer ${i}`, depth));
    const buildShape = maybe(config, "build_input_shape");
    const firstShape = (l: ParsedFileLayer) => l.batchShape ?? (buildShape === undefined ? undefined : batchShape(buildShape, "Sequential build_input_shape"));
    return sequentialGraph(name, parsed, firstShape, "Keras JSON");
  }
  if (className !== "Functional" && className !== "Model") {
    fail(`shapewise: Keras JSON class_name must be 'Sequential', 'Functional' or 'Model', got ${shortText(className)}`);
  }
  const parsedLayers = layersJson.map((j, i) => {
    const l = kerasLayerIn(j, `model layer ${i}`, depth);
    const nodes = list(maybe(record(j, `model layer ${i}`), "inbound_nodes") ?? [], `layer '${l.name}' inbound_nodes`);
    return { l, nodes };
  });
  const plain: FileLayer[] = parsedLayers.map(({ l }) => ({
    name: l.name,
    className: l.className,
    config: l.config,
    inner: l.inner,
    nested: l.nested,
    calls: [],
  }));
  // tf.keras 2 writes a call as a list and counts a nested model's own graph as its node 0; Keras 3 (`{ args, kwargs }`) does not.
  const plainByName = layersByName(plain);
  const layers = parsedLayers.map(
    ({ l, nodes }, i): FileLayer => ({
      ...plain[i],
      calls: nodes.map((node, k) =>
        rebaseNested(plainByName, callInputs(node, `layer '${l.name}' call ${k}`), () => (Array.isArray(node) ? 1 : 0), `layer '${l.name}'`),
      ),
    }),
  );
  const keras3 = maybe(top, "module") !== undefined;
  const endBase = (l: FileLayer) => (!keras3 || l.nested?.kind === "functional" ? 1 : 0);
  const inputsJson = own(config, "input_layers", "Keras JSON config");
  const outputsJson = own(config, "output_layers", "Keras JSON config");
  // A record (Keras dict inputs or outputs) keeps its keys; the builder makes a record model of it.
  const keys = (v: unknown) => (v !== null && typeof v === "object" && !Array.isArray(v) ? Object.keys(v) : undefined);
  return {
    kind: "functional",
    name,
    layers,
    inputs: rebaseNested(plainByName, kerasEnds(inputsJson, "input_layers"), endBase, "input_layers"),
    outputs: rebaseNested(plainByName, kerasEnds(outputsJson, "output_layers"), endBase, "output_layers"),
    inputKeys: keys(inputsJson),
    outputKeys: keys(outputsJson),
  };
}

/**
 * A model from Keras `model.to_json()` text (Keras 3; tf.keras 2 layer lists
 * read too), through the public building API: every shape rule is checked
 * and layer names are kept. Weights start as shapewise initialises them;
 * load trained ones with `setWeights` (Keras `get_weights()` order).
 *
 * @example
 * const m = modelFromKerasJSON(await readFile("model.json", "utf8"));
 * m.setWeights(weights);
 */
export function modelFromKerasJSON(textOrObject: string | object, options?: LoadLimits): Model {
  const { maxBytes, maxJsonBytes } = limitsOption(options);
  if (typeof textOrObject !== "string") {
    if (textOrObject === null || typeof textOrObject !== "object")
      fail(`shapewise: modelFromKerasJSON expects JSON text or its object, got ${shortText(textOrObject)}`);
    // An object gets the checks text gets (keys, depth, size), and cycles cannot loop.
    return buildModel(kerasGraph(plainJson(textOrObject, "Keras JSON", maxJsonBytes)), maxBytes);
  }
  if (textOrObject.length > maxJsonBytes)
    fail(`shapewise: Keras JSON is ${textOrObject.length} characters, more than the limit of ${maxJsonBytes} (option maxJsonBytes)`);
  return buildModel(kerasGraph(parseJsonSafely(textOrObject, "Keras JSON")), maxBytes);
}
