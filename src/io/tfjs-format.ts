/**
 * The TensorFlow.js layers-model format, both ways: `model.json` (the
 * topology as tfjs-layers 4.22 writes it, and a weights manifest) with the
 * weights as little-endian float32 in `weights.bin`.
 *
 * Writing follows TensorFlow.js key for key (class names, snake_case config
 * keys in its order, its default initialisers, `inbound_nodes`,
 * `input_layers`/`output_layers`; a `Sequential` without an input layer).
 * Where TensorFlow.js would compute something else than Keras 3 for a layer
 * (no `groups`, no `outputPadding`, its own `hard_sigmoid` ...), writing is
 * an error that says so rather than a file that predicts other numbers.
 *
 * Reading treats the file as untrusted: prototype keys, unknown classes,
 * bad shapes, a manifest that disagrees with the weight bytes, paths outside
 * the model's directory, cycles and sizes past `maxBytes` are errors, and
 * sizes are checked before anything is read or allocated.
 */
import { fail, valueText } from "../checks.js";
import type { Tensor } from "../kernels/tensor.js";
import type { Layer, WeightSpec } from "../layers/layer.js";
import type { Model } from "../model.js";
import {
  batchShape,
  buildModel,
  callInputs,
  checkNestingDepth,
  isIndex,
  layersByName,
  list,
  limitsOption,
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
import type { AnyModel, FileGraph, FileLayer, FileRef, LayerCheck, LoadLimits, ParsedFileLayer } from "./graph-build.js";
import { formatOut, optionsFromFile } from "./layer-configs.js";
import { entryForClass, entryForLayer, innerLayer, nestedModel } from "./layer-registry.js";
import { dilatedSpan } from "../shape.js";

/** Weight files are little-endian float32: on such a machine they are copied, not converted value by value. */
const LITTLE_ENDIAN = new Uint8Array(new Float32Array([1]).buffer)[3] === 0x3f;

/** What `generatedBy` and `keras_version` say: the TensorFlow.js release whose format this is. */
const TFJS_VERSION = "4.22.0";

/**
 * One entry of a weights manifest.
 *
 * @example
 * const spec: TfjsWeightSpec = { name: "dense/kernel", shape: [784, 10], dtype: "float32" };
 */
export interface TfjsWeightSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: "float32";
}

/**
 * A model as TensorFlow.js `ModelArtifacts` hold it (what `tf.io.fromMemory`
 * takes and a save handler receives).
 *
 * @example
 * const a = modelToTfjsArtifacts(m);
 * const tfModel = await tf.loadLayersModel(tf.io.fromMemory(a));
 */
export interface TfjsArtifacts {
  readonly modelTopology: Record<string, unknown>;
  readonly format: "layers-model";
  readonly generatedBy: string;
  readonly convertedBy: null;
  readonly weightSpecs: TfjsWeightSpec[];
  readonly weightData: ArrayBuffer;
}

/**
 * Options for writing TensorFlow.js files.
 *
 * @example
 * modelToTfjsArtifacts(m, { names: "tfjs" }); // conv2d_Conv2D1, as TensorFlow.js would name the layers
 */
export interface TfjsWriteOptions {
  /**
   * Layer names to write: `"shapewise"` (default: the names the model uses,
   * so loading the file back keeps them) or `"tfjs"` (TensorFlow.js's own
   * scheme, `conv2d_Conv2D1`, as a model built in TensorFlow.js would have).
   */
  names?: "shapewise" | "tfjs";
}

// ---------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------

const VARIANCE_SCALING = (distribution: "normal" | "uniform") => ({
  class_name: "VarianceScaling",
  config: { scale: 1, mode: "fan_avg", distribution, seed: null },
});
const ZEROS = () => ({ class_name: "Zeros", config: {} });
const ONES = () => ({ class_name: "Ones", config: {} });
const ORTHOGONAL = () => ({ class_name: "Orthogonal", config: { gain: 1, seed: null } });

/** Activations TensorFlow.js knows by the same name and formula as Keras 3; `silu` is its `swish`. */
const TFJS_ACTIVATIONS: Readonly<Record<string, string>> = {
  linear: "linear",
  relu: "relu",
  relu6: "relu6",
  elu: "elu",
  selu: "selu",
  gelu: "gelu",
  swish: "swish",
  silu: "swish",
  sigmoid: "sigmoid",
  tanh: "tanh",
  softplus: "softplus",
  softsign: "softsign",
  softmax: "softmax",
};

/** Writes one layer's config in TensorFlow.js's key order; `name` is the name to write. */
type ConfigWriter = (c: Record<string, unknown>, layer: Layer, name: string, unsupported: (why: string) => never) => Record<string, unknown>;

function activationOut(value: unknown, unsupported: (why: string) => never): string {
  const out = TFJS_ACTIVATIONS[value as string];
  if (out === undefined) {
    unsupported(
      value === "hard_sigmoid"
        ? "activation 'hard_sigmoid' is clip(0.2x + 0.5) in TensorFlow.js but relu6(x + 3) / 6 in Keras 3"
        : `TensorFlow.js has no activation ${valueText(value)}`,
    );
  }
  return out;
}

const convWriter =
  (rank: 1 | 2 | 3): ConfigWriter =>
  (c, _layer, name, unsupported) => {
    if (c.groups !== 1) unsupported(`TensorFlow.js ignores groups (got ${valueText(c.groups)})`);
    // TensorFlow.js computes a causal convolution's output shape with the 'valid' formula, unlike Keras 3.
    if (c.padding === "causal") unsupported("TensorFlow.js sizes padding 'causal' with the 'valid' formula");
    if (rank === 1 && c.dataFormat === "channelsFirst") unsupported("TensorFlow.js's Conv1D has no dataFormat (it reads channels last)");
    if (rank === 3) sameFits3d(_layer, c, unsupported);
    return {
      filters: c.filters,
      kernel_initializer: VARIANCE_SCALING("normal"),
      kernel_regularizer: null,
      kernel_constraint: null,
      kernel_size: c.kernelSize,
      strides: c.strides,
      padding: c.padding,
      // TensorFlow.js's Conv1D has no data_format key.
      ...(rank === 1 ? {} : { data_format: formatOut(c.dataFormat) }),
      dilation_rate: c.dilationRate,
      activation: activationOut(c.activation, unsupported),
      use_bias: c.useBias,
      bias_initializer: ZEROS(),
      bias_regularizer: null,
      activity_regularizer: null,
      bias_constraint: null,
      name,
      trainable: true,
    };
  };

const transposeWriter: ConfigWriter = (c, layer, name, unsupported) => {
  if ((c.dilationRate as number[]).some((d) => d !== 1)) unsupported("TensorFlow.js transposed convolutions have no dilationRate");
  if (c.outputPadding !== undefined) unsupported("TensorFlow.js ignores outputPadding");
  // Its 3-D 'same' transpose pads the underlying convolution by k - s unclamped: a kernel shorter than the stride shifts the output.
  const kernel = c.kernelSize as number[];
  const strides = c.strides as number[];
  if (layer.className === "Conv3DTranspose" && c.padding === "same" && kernel.some((k, i) => k < strides[i])) {
    unsupported(
      `TensorFlow.js pads a 3-D 'same' transpose by kernel - stride, negative for kernelSize ${valueText(kernel)} and strides ${valueText(strides)}, unlike Keras 3`,
    );
  }
  return {
    filters: c.filters,
    kernel_initializer: VARIANCE_SCALING("normal"),
    kernel_regularizer: null,
    kernel_constraint: null,
    kernel_size: c.kernelSize,
    strides: c.strides,
    padding: c.padding,
    data_format: formatOut(c.dataFormat),
    activation: activationOut(c.activation, unsupported),
    use_bias: c.useBias,
    bias_initializer: ZEROS(),
    bias_regularizer: null,
    activity_regularizer: null,
    bias_constraint: null,
    name,
    trainable: true,
  };
};

/**
 * TensorFlow.js pads a 3-D 'same' window by `(out - 1) * s + k - L`, which
 * goes negative where Keras 3 pads 0 (and reads other cells): refused there.
 */
function sameFits3d(layer: Layer, c: Record<string, unknown>, unsupported: (why: string) => never): void {
  if (c.padding !== "same") return;
  const shape = layer.inputShape ?? [];
  const spatial = c.dataFormat === "channelsFirst" ? shape.slice(2) : shape.slice(1, -1);
  const kernel = (c.kernelSize ?? c.poolSize) as number[];
  const strides = c.strides as number[];
  const dilation = (c.dilationRate as number[] | undefined) ?? [1, 1, 1];
  spatial.forEach((length, i) => {
    if (length === null) return;
    const span = dilatedSpan(kernel[i], dilation[i]);
    if ((Math.ceil(length / strides[i]) - 1) * strides[i] + span < length) {
      unsupported(`TensorFlow.js pads 'same' by a negative amount on axis ${i + 1} (length ${length}, window ${span}, stride ${strides[i]}), unlike Keras 3`);
    }
  });
}

/** TensorFlow.js turns an unknown (null) spatial size into 0 in some layers: they need known sizes. */
function knownSizes(layer: Layer, unsupported: (why: string) => never, why: string): void {
  if ((layer.inputShape ?? []).slice(1).some((d) => d === null)) unsupported(why);
}

const convBase = (c: Record<string, unknown>, name: string, unsupported: (why: string) => never) => ({
  kernel_size: c.kernelSize,
  strides: c.strides,
  padding: c.padding,
  data_format: formatOut(c.dataFormat),
  dilation_rate: c.dilationRate,
  activation: activationOut(c.activation, unsupported),
  use_bias: c.useBias,
  bias_initializer: ZEROS(),
  bias_regularizer: null,
  activity_regularizer: null,
  bias_constraint: null,
  name,
  trainable: true,
});

const poolWriter =
  (rank: 1 | 2 | 3): ConfigWriter =>
  (c, layer, name, unsupported) => {
    if (rank === 1 && c.dataFormat === "channelsFirst") unsupported("TensorFlow.js's 1-D pooling has no dataFormat (it reads channels last)");
    if (rank === 3) sameFits3d(layer, c, unsupported);
    return {
      pool_size: c.poolSize,
      padding: c.padding,
      strides: c.strides,
      ...(rank === 1 ? {} : { data_format: formatOut(c.dataFormat) }),
      name,
      trainable: true,
    };
  };

const globalWriter =
  (rank: 1 | 2): ConfigWriter =>
  (c, _layer, name, unsupported) => {
    if (c.keepdims === true) unsupported("TensorFlow.js global pooling has no keepdims");
    if (rank === 1 && c.dataFormat === "channelsFirst") unsupported("TensorFlow.js's 1-D global pooling has no dataFormat (it reads channels last)");
    return { ...(rank === 1 ? {} : { data_format: formatOut(c.dataFormat) }), name, trainable: true };
  };

const recurrentHead = (c: Record<string, unknown>, name: string, unsupported: (why: string) => never, gates: boolean) => ({
  name,
  trainable: true,
  units: c.units,
  activation: activationOut(c.activation, unsupported),
  ...(gates ? { recurrent_activation: activationOut(c.recurrentActivation, unsupported) } : {}),
  use_bias: c.useBias,
  kernel_initializer: VARIANCE_SCALING("normal"),
  recurrent_initializer: ORTHOGONAL(),
  bias_initializer: ZEROS(),
});
const recurrentRules = {
  kernel_regularizer: null,
  recurrent_regularizer: null,
  bias_regularizer: null,
  activity_regularizer: null,
  kernel_constraint: null,
  recurrent_constraint: null,
  bias_constraint: null,
  dropout: 0,
  recurrent_dropout: 0,
};
const recurrentTail = (c: Record<string, unknown>) => ({
  return_sequences: c.returnSequences,
  return_state: c.returnState,
  go_backwards: c.goBackwards,
  stateful: false,
  unroll: false,
});

/** TensorFlow.js's config writers, by class, each in the key order tfjs-layers 4.22 writes. */
const TFJS_WRITERS: Readonly<Record<string, ConfigWriter>> = {
  Conv1D: convWriter(1),
  Conv2D: convWriter(2),
  Conv3D: convWriter(3),
  Conv2DTranspose: transposeWriter,
  Conv3DTranspose: transposeWriter,
  SeparableConv2D: (c, _l, name, unsupported) => ({
    filters: c.filters,
    ...(c.dataFormat === "channelsFirst" ? unsupported("TensorFlow.js's SeparableConv2D cannot add its bias to channelsFirst data") : {}),
    ...convBase(c, name, unsupported),
    // TensorFlow.js 4.22 leaves depth_multiplier out of a SeparableConv2D's
    // config (and reads 1 back); written here so the file keeps its weights' shapes.
    depth_multiplier: c.depthMultiplier,
    depthwise_initializer: VARIANCE_SCALING("uniform"),
    pointwise_initializer: VARIANCE_SCALING("uniform"),
    depthwise_regularizer: null,
    pointwise_regularizer: null,
    depthwise_constraint: null,
    pointwise_constraint: null,
  }),
  DepthwiseConv2D: (c, _l, name, unsupported) => ({
    ...((c.dilationRate as number[]).some((d) => d !== 1) ? unsupported("TensorFlow.js's DepthwiseConv2D layer drops dilationRate") : {}),
    ...convBase(c, name, unsupported),
    depth_multiplier: c.depthMultiplier,
    depthwise_initializer: VARIANCE_SCALING("normal"),
    depthwise_regularizer: null,
    depthwise_constraint: null,
  }),
  MaxPooling1D: poolWriter(1),
  MaxPooling2D: poolWriter(2),
  MaxPooling3D: poolWriter(3),
  AveragePooling1D: poolWriter(1),
  AveragePooling2D: poolWriter(2),
  AveragePooling3D: poolWriter(3),
  GlobalMaxPooling1D: globalWriter(1),
  GlobalMaxPooling2D: globalWriter(2),
  GlobalAveragePooling1D: globalWriter(1),
  GlobalAveragePooling2D: globalWriter(2),
  Flatten: (c, layer, name, unsupported) => {
    // TensorFlow.js's Flatten takes rank 3 or more; Keras 3 also flattens [batch, features].
    if ((layer.inputShape?.length ?? 0) < 3) unsupported("TensorFlow.js flattens only inputs of rank 3 or more");
    knownSizes(layer, unsupported, "TensorFlow.js flattens only inputs whose sizes are all known");
    return { ...(c.dataFormat === "channelsFirst" ? { data_format: "channels_first" } : {}), name, trainable: true };
  },
  Reshape: (c, layer, name) => {
    // TensorFlow.js leaves a -1 unknown in its shapes (Keras 3 resolves it), so
    // the layers after it could not size their weights: the resolved sizes are
    // written instead, which reshape the values identically.
    const out = layer.outputShape?.slice(1);
    const known = out?.every((d) => d !== null);
    return { target_shape: known ? out : c.targetShape, name, trainable: true };
  },
  Permute: (c, _l, name) => ({ dims: c.dims, name, trainable: true }),
  RepeatVector: (c, _l, name) => ({ n: c.n, name, trainable: true }),
  ZeroPadding2D: (c, _l, name) => ({ padding: c.padding, data_format: formatOut(c.dataFormat), name, trainable: true }),
  Cropping2D: (c, layer, name, unsupported) => {
    knownSizes(layer, unsupported, "TensorFlow.js's Cropping2D turns an unknown size into 0");
    return { cropping: c.cropping, data_format: formatOut(c.dataFormat), name, trainable: true };
  },
  UpSampling2D: (c, _l, name) => ({ size: c.size, data_format: formatOut(c.dataFormat), interpolation: c.interpolation, name, trainable: true }),
  Dense: (c, _l, name, unsupported) => ({
    units: c.units,
    activation: activationOut(c.activation, unsupported),
    use_bias: c.useBias,
    kernel_initializer: VARIANCE_SCALING("normal"),
    bias_initializer: ZEROS(),
    kernel_regularizer: null,
    bias_regularizer: null,
    activity_regularizer: null,
    kernel_constraint: null,
    bias_constraint: null,
    name,
    trainable: true,
  }),
  Activation: (c, _l, name, unsupported) => ({ activation: activationOut(c.activation, unsupported), name, trainable: true }),
  Embedding: (c, _l, name) => ({
    input_dim: c.inputDim,
    output_dim: c.outputDim,
    embeddings_initializer: { class_name: "RandomUniform", config: { minval: -0.05, maxval: 0.05, seed: null } },
    embeddings_regularizer: null,
    activity_regularizer: null,
    embeddings_constraint: null,
    mask_zero: null,
    input_length: null,
    name,
    trainable: true,
  }),
  BatchNormalization: (c, layer, name, unsupported) => ({
    // TensorFlow.js's BatchNormalization layer normalises the last axis whatever its axis says.
    ...(c.axis !== -1 && c.axis !== (layer.inputShape?.length ?? 0) - 1
      ? unsupported(`TensorFlow.js's BatchNormalization normalises only the last axis (got axis ${valueText(c.axis)})`)
      : {}),
    axis: c.axis,
    momentum: c.momentum,
    epsilon: c.epsilon,
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
    name,
    trainable: true,
  }),
  LayerNormalization: (c, _l, name) => ({
    axis: c.axis,
    epsilon: c.epsilon,
    center: c.center,
    scale: c.scale,
    beta_initializer: ZEROS(),
    gamma_initializer: ONES(),
    beta_regularizer: null,
    gamma_regularizer: null,
    name,
    trainable: true,
  }),
  Dropout: (c, _l, name) => ({ rate: c.rate, noise_shape: null, seed: c.seed ?? null, name, trainable: true }),
  SpatialDropout1D: (c, _l, name) => ({ rate: c.rate, noise_shape: null, seed: c.seed ?? null, name, trainable: true }),
  GaussianNoise: (c, _l, name) => ({ stddev: c.stddev, name, trainable: true }),
  // TensorFlow.js 4.22 writes only the rate of these two (its AlphaDropout also noise_shape when set, which shapewise never sets).
  GaussianDropout: (c, _l, name) => ({ rate: c.rate, name, trainable: true }),
  AlphaDropout: (c, _l, name) => ({ rate: c.rate, name, trainable: true }),
  ReLU: (c, _l, name, unsupported) => {
    if (c.negativeSlope !== 0 || c.threshold !== 0) unsupported("TensorFlow.js's ReLU has no negativeSlope or threshold");
    return { max_value: c.maxValue ?? null, name, trainable: true };
  },
  LeakyReLU: (c, _l, name) => ({ alpha: c.alpha, name, trainable: true }),
  PReLU: (c, _l, name) => ({
    alpha_initializer: ZEROS(),
    alpha_regularizer: null,
    alpha_constraint: null,
    shared_axes: (c.sharedAxes as number[]).length === 0 ? null : c.sharedAxes,
    name,
    trainable: true,
  }),
  ELU: (c, _l, name, unsupported) => {
    if (c.alpha !== 1) unsupported(`TensorFlow.js's ELU takes only alpha 1 (got ${valueText(c.alpha)})`);
    return { alpha: c.alpha, name, trainable: true };
  },
  Softmax: (c, _l, name, unsupported) => {
    const axis = Array.isArray(c.axis) ? (c.axis.length === 1 ? c.axis[0] : unsupported("TensorFlow.js's Softmax takes one axis")) : c.axis;
    return { axis, name, trainable: true };
  },
  Rescaling: (c, _l, name) => ({ scale: c.scale, offset: c.offset, name, trainable: true }),
  Add: (_c, _l, name) => ({ name, trainable: true }),
  Multiply: (_c, _l, name) => ({ name, trainable: true }),
  Average: (_c, _l, name) => ({ name, trainable: true }),
  Maximum: (_c, _l, name) => ({ name, trainable: true }),
  Minimum: (_c, _l, name) => ({ name, trainable: true }),
  Concatenate: (c, _l, name) => ({ axis: c.axis, name, trainable: true }),
  Dot: (c, _l, name) => ({ axes: c.axes, normalize: c.normalize, name, trainable: true }),
  SimpleRNN: (c, _l, name, unsupported) => ({ ...recurrentHead(c, name, unsupported, false), ...recurrentRules, ...recurrentTail(c) }),
  LSTM: (c, _l, name, unsupported) => {
    const { bias_initializer, ...head } = recurrentHead(c, name, unsupported, true);
    return { ...head, bias_initializer, unit_forget_bias: null, ...recurrentRules, implementation: null, ...recurrentTail(c) };
  },
  GRU: (c, _l, name, unsupported) => {
    // TensorFlow.js's GRU has one bias vector: Keras 3's default resetAfter true (two biases) has no TensorFlow.js form.
    if (c.resetAfter !== false) unsupported("TensorFlow.js has no GRU with resetAfter true (use resetAfter: false)");
    return { ...recurrentHead(c, name, unsupported, true), ...recurrentRules, implementation: null, reset_after: false, ...recurrentTail(c) };
  },
};

/**
 * The classes TensorFlow.js's writer has a config writer for (wrappers and
 * the input layer are written by the topology writer itself).
 *
 * @example
 * TFJS_WRITTEN_CLASSES.includes("Conv2D"); // true
 */
export const TFJS_WRITTEN_CLASSES: readonly string[] = Object.keys(TFJS_WRITERS);

/** The layer name written to a file under the chosen scheme. */
function nameOf(layer: Layer, names: "shapewise" | "tfjs"): string {
  return names === "tfjs" ? layer.names.tfjs : layer.name;
}

/** `{ class_name, config }` of a layer, as TensorFlow.js writes it (wrappers with their wrapped layer). */
function tfjsLayerConfig(layer: Layer, names: "shapewise" | "tfjs"): { class_name: string; config: Record<string, unknown> } {
  const entry = entryForLayer(layer);
  const unsupported = (why: string): never => fail(`shapewise: cannot write layer '${layer.name}' (${layer.className}) for TensorFlow.js: ${why}`);
  if (entry.formats.tfjs !== true) unsupported(entry.formats.tfjs);
  const nested = nestedModel(layer);
  // A nested model is written as TensorFlow.js writes one: its own topology as the layer's config.
  if (nested !== undefined) return tfjsTopology(nested, names);
  const c = layer.getConfig();
  const name = nameOf(layer, names);
  if (entry.style === "wrapper") {
    const inner = innerLayer(layer)!;
    const innerJson = tfjsLayerConfig(inner, names);
    const config =
      layer.className === "Bidirectional" ? { merge_mode: c.mergeMode, layer: innerJson, name, trainable: true } : { layer: innerJson, name, trainable: true };
    return { class_name: layer.className, config };
  }
  const writer = TFJS_WRITERS[layer.className];
  if (writer === undefined) unsupported(`no TensorFlow.js writer for ${layer.className}`);
  return { class_name: layer.className, config: writer(c, layer, name, unsupported) };
}

/**
 * The manifest entries of a layer's weights, in `getWeights` order: a nested
 * model's are its own layers' entries, under their own names (TensorFlow.js
 * does not prefix them with the model's name).
 */
function tfjsWeightEntries(layer: Layer, names: "shapewise" | "tfjs"): { name: string; shape: readonly number[]; layer: Layer }[] {
  const nested = nestedModel(layer);
  if (nested !== undefined) return nested.layers.flatMap((l: Layer) => tfjsWeightEntries(l, names));
  return layer.weightSpecs().map((spec) => ({ name: tfjsWeightName(layer, spec, names), shape: spec.shape, layer }));
}

/** The name TensorFlow.js gives a weight: `layer/kernel`, with its own names for a few classes. */
function tfjsWeightName(layer: Layer, spec: WeightSpec, names: "shapewise" | "tfjs"): string {
  let weight = spec.name;
  // Keras 3 calls a DepthwiseConv2D's kernel `kernel`; TensorFlow.js (and tf.keras 2) `depthwise_kernel`.
  if (layer.className === "DepthwiseConv2D" && weight === "kernel") weight = "depthwise_kernel";
  const inner = innerLayer(layer);
  if (inner !== undefined && layer.className === "TimeDistributed") {
    // TensorFlow.js names a wrapped layer's weights after the wrapper: `time_distributed/kernel`.
    weight = weight.slice(inner.name.length + 1);
  }
  if (inner !== undefined && layer.className === "Bidirectional" && names === "tfjs") {
    // `forward_lstm/kernel` under the tfjs scheme is `forward_lstm_LSTM1/kernel`.
    const [direction, ...rest] = weight.split("/");
    const prefix = direction.startsWith("forward_") ? "forward_" : "backward_";
    weight = [`${prefix}${inner.names.tfjs}`, ...rest].join("/");
  }
  return `${nameOf(layer, names)}/${weight}`;
}

/**
 * A node index as TensorFlow.js writes it: a nested model's node 0 is its
 * own inner graph, so its calls in the outer model are nodes 1, 2, ...
 */
function fileNodeIndex(layer: Layer, nodeIndex: number): number {
  return nestedModel(layer) === undefined ? nodeIndex : nodeIndex + 1;
}

/** One input reference as `inbound_nodes` writes it. */
function refOut(layer: Layer, nodeIndex: number, tensorIndex: number, names: "shapewise" | "tfjs"): [string, number, number, Record<string, never>] {
  return [nameOf(layer, names), fileNodeIndex(layer, nodeIndex), tensorIndex, {}];
}

/**
 * `{ class_name, config }` of a model as TensorFlow.js writes it: the whole
 * `modelTopology` of a top-level model, or the layer entry of a nested one.
 */
function tfjsTopology(m: AnyModel, names: "shapewise" | "tfjs"): { class_name: string; config: Record<string, unknown> } {
  const graph = m.graph();
  const modelName = names === "tfjs" ? m.names.tfjs : m.name;
  if (m.kind === "sequential") {
    // TensorFlow.js's Sequential lists no input layer: the first layer carries the batch shape.
    const layers = graph.nodes
      .filter((n) => n.layer.className !== "InputLayer")
      .map((n, i) => {
        if (i === 0 && nestedModel(n.layer) !== undefined) {
          fail(
            `shapewise: cannot write sequential '${m.name}' for TensorFlow.js: its first layer '${n.layer.name}' is a model, which cannot carry the Sequential's input shape (build it with model() instead)`,
          );
        }
        const json = tfjsLayerConfig(n.layer, names);
        if (i === 0) json.config = { ...json.config, batch_input_shape: [...graph.inputs[0].shape], dtype: "float32" };
        return json;
      });
    return { class_name: "Sequential", config: { name: modelName, layers } };
  }
  const layerNodes = new Map<Layer, (typeof graph.nodes)[number][]>();
  for (const n of graph.nodes) {
    const calls = layerNodes.get(n.layer);
    if (calls === undefined) layerNodes.set(n.layer, [n]);
    else calls.push(n);
  }
  const layers = m.layers.map((layer: Layer) => {
    const calls = layerNodes.get(layer) ?? [];
    if (layer.className === "InputLayer") {
      const shape = calls[0]?.outputShapes[0] ?? layer.outputShape!;
      const name = nameOf(layer, names);
      return { name, class_name: "InputLayer", config: { batch_input_shape: [...shape], dtype: "float32", sparse: false, name }, inbound_nodes: [] };
    }
    const json = tfjsLayerConfig(layer, names);
    return {
      name: nameOf(layer, names),
      class_name: json.class_name,
      config: json.config,
      inbound_nodes: calls.map((n) => n.inbound.map((r) => refOut(r.layer, r.nodeIndex, r.tensorIndex, names))),
    };
  });
  const ends = (refs: typeof graph.inputs) => refs.map((r) => [nameOf(r.layer, names), fileNodeIndex(r.layer, r.nodeIndex), r.tensorIndex]);
  return { class_name: "Model", config: { name: modelName, layers, input_layers: ends(graph.inputs), output_layers: ends(graph.outputs) } };
}

/**
 * The TensorFlow.js `ModelArtifacts` of a model: topology exactly as
 * tfjs-layers 4.22 writes it, the weights manifest and the weight bytes
 * (little-endian float32, in manifest order). Layers TensorFlow.js cannot
 * compute as Keras 3 does are errors naming the layer and the reason.
 *
 * @example
 * const artifacts = modelToTfjsArtifacts(m);
 * const tfModel = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
 */
export function modelToTfjsArtifacts(m: AnyModel, options: TfjsWriteOptions = {}): TfjsArtifacts {
  const names = options.names ?? "shapewise";
  if (names !== "shapewise" && names !== "tfjs") fail(`shapewise: names must be 'shapewise' or 'tfjs', got ${valueText(names)}`);
  let modelTopology: Record<string, unknown> = tfjsTopology(m, names);
  modelTopology = { ...modelTopology, keras_version: `tfjs-layers ${TFJS_VERSION}`, backend: "tensor_flow.js" };

  const weightSpecs: TfjsWeightSpec[] = [];
  const values: Float32Array[] = [];
  const weights = m.getWeights();
  let next = 0;
  // TensorFlow.js finds weights by name alone: a nested model's layer named as another layer would make two weights one.
  const writtenBy = new Map<string, Layer>();
  for (const layer of m.layers) {
    for (const w of tfjsWeightEntries(layer, names)) {
      const other = writtenBy.get(w.name);
      if (other !== undefined) {
        fail(
          `shapewise: cannot write model '${m.name}' for TensorFlow.js: layers '${other.name}' and '${w.layer.name}' would both write weight '${w.name}' (TensorFlow.js names weights by layer name only, so layers of nested models need names no other layer uses)`,
        );
      }
      writtenBy.set(w.name, w.layer);
      weightSpecs.push({ name: w.name, shape: [...w.shape], dtype: "float32" });
      values.push(weights[next++].data);
    }
  }
  const total = values.reduce((s, v) => s + v.length, 0);
  const bytes = new Uint8Array(total * 4);
  if (LITTLE_ENDIAN) {
    // The file's layout is the machine's: one copy per weight.
    const floats = new Float32Array(bytes.buffer);
    let at = 0;
    for (const v of values) {
      floats.set(v, at);
      at += v.length;
    }
  } else {
    const view = new DataView(bytes.buffer);
    let offset = 0;
    for (const v of values) {
      for (let i = 0; i < v.length; i++, offset += 4) view.setFloat32(offset, v[i], true);
    }
  }
  return {
    modelTopology,
    format: "layers-model",
    generatedBy: `TensorFlow.js tfjs-layers v${TFJS_VERSION}`,
    convertedBy: null,
    weightSpecs,
    weightData: bytes.buffer,
  };
}

/**
 * The `model.json` object of artifacts, with the weights in one file.
 *
 * @example
 * JSON.stringify(tfjsModelJson(modelToTfjsArtifacts(m))); // the text of model.json
 */
export function tfjsModelJson(artifacts: TfjsArtifacts, weightsPath = "./weights.bin"): Record<string, unknown> {
  return {
    modelTopology: artifacts.modelTopology,
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
    weightsManifest: [{ paths: [weightsPath], weights: artifacts.weightSpecs }],
  };
}

/** One manifest entry after checking, with its byte size. */
interface ManifestWeight {
  readonly name: string;
  readonly shape: number[];
  readonly bytes: number;
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
    if (dtype !== "float32") fail(`shapewise: weight '${name}' has dtype ${valueText(dtype)}; shapewise reads only float32`);
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
    return { name, shape: shape as number[], bytes };
  });
}

/** A reference `[name, node, tensor, kwargs?]` from `inbound_nodes` or `input_layers`. */
function refIn(value: unknown, what: string): FileRef {
  const r = list(value, what);
  const [layer, nodeIndex, tensorIndex] = r;
  if (typeof layer !== "string" || !isIndex(nodeIndex) || !isIndex(tensorIndex)) {
    fail(`shapewise: ${what} must be [layer name, node index, tensor index], got ${shortText(value)}`);
  }
  return { layer, nodeIndex, tensorIndex };
}

/** A layer of a file topology (`{ class_name, config }`), its options and wrapped call. */
function layerIn(json: unknown, where: string, depth: number, wrapped = false): ParsedFileLayer {
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
    // The inner model's topology is the layer's own entry: `{ class_name, config }`.
    const nested = tfjsGraph({ class_name: className, config }, depth + 1);
    return { className: nested.kind === "sequential" ? "Sequential" : "Functional", name, config: { name }, nested: { ...nested, name } };
  }
  if (entry.style === "input") {
    const shape = batchShape(maybe(config, "batch_input_shape") ?? maybe(config, "batch_shape"), `input layer '${name}'`);
    const dtype = maybe(config, "dtype");
    if (dtype !== undefined && dtype !== "float32") fail(`shapewise: input layer '${name}' has dtype ${valueText(dtype)}; shapewise reads float32 inputs`);
    return { className, name, config: { shape: shape.slice(1), name }, batchShape: shape };
  }
  const options = optionsFromFile(className, config, "tfjs", at);
  let inner: FileLayer["inner"];
  if (entry.style === "wrapper") {
    // One level only: shapewise wraps layers, not wrappers (and a deep chain of them must not recurse without bound).
    if (wrapped) fail(`shapewise: ${where} is a ${className} inside a wrapper; shapewise wraps only plain layers`);
    const innerJson = layerIn(own(config, "layer", `${at} config`), `${at} wrapped layer`, depth, true);
    inner = { className: innerJson.className, config: innerJson.config };
  }
  const shape = maybe(config, "batch_input_shape");
  return { className, name, config: { ...options, name }, inner, batchShape: shape === undefined || shape === null ? undefined : batchShape(shape, at) };
}

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
  const className = own(top, "class_name", "modelTopology");
  const config = record(own(top, "config", "modelTopology"), "modelTopology config");
  const name = maybe(config, "name");
  const modelName = name === undefined || name === null ? undefined : text(name, "model name");
  const layersJson = list(own(config, "layers", "modelTopology config"), "modelTopology layers");
  if (className === "Sequential") {
    // Without an input layer, the first layer's batch shape makes one, named as TensorFlow.js names it.
    const parsed = layersJson.map((json, i) => layerIn(json, `Sequential layer ${i}`, depth));
    return sequentialGraph(modelName, parsed, (l) => l.batchShape, "model file");
  }
  if (className !== "Model" && className !== "Functional") {
    fail(`shapewise: modelTopology class_name must be 'Sequential', 'Model' or 'Functional', got ${shortText(className)}`);
  }
  const layers = layersJson.map((json, i): FileLayer => {
    const l = layerIn(json, `model layer ${i}`, depth);
    const nodes = list(maybe(record(json, `model layer ${i}`), "inbound_nodes") ?? [], `layer '${l.name}' inbound_nodes`);
    const calls = nodes.map((node, j) => callInputs(node, `layer '${l.name}' call ${j}`));
    return { name: l.name, className: l.className, config: l.config, inner: l.inner, nested: l.nested, calls };
  });
  // TensorFlow.js and tf.keras 2 count a nested model's own graph as its node 0, everywhere.
  const fromOne = () => 1;
  const byName = layersByName(layers);
  const rebased = layers.map((l) => ({ ...l, calls: l.calls.map((c) => rebaseNested(byName, c, fromOne, `layer '${l.name}'`)) }));
  const ends = (key: string) => {
    const v = list(own(config, key, "modelTopology config"), key);
    // Keras writes a single end as one reference rather than a list of them.
    const refs = typeof v[0] === "string" ? [refIn(v, key)] : v.map((r, i) => refIn(r, `${key} ${i}`));
    return rebaseNested(byName, refs, fromOne, key);
  };
  return { kind: "functional", name: modelName, layers: rebased, inputs: ends("input_layers"), outputs: ends("output_layers") };
}

/** The model-JSON parts the reader needs. */
interface ParsedModelJson {
  readonly topology: unknown;
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
  return { topology, groups };
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
    const extra = manifest.find((w) => !used.has(w.name));
    if (extra !== undefined) fail(`shapewise: weights manifest has weight '${extra.name}', which no layer of the model uses`);
  };
}

/**
 * Puts manifest weights into a built model whose layers {@link manifestCheck}
 * has matched with the manifest: each weight by its TensorFlow.js name.
 */
function assignWeights(m: Model, manifest: readonly ManifestWeight[], bytes: Uint8Array): void {
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
      if (LITTLE_ENDIAN && start % 4 === 0) data = new Float32Array(bytes.buffer.slice(start, start + w.bytes));
      else {
        data = new Float32Array(w.bytes / 4);
        for (let i = 0; i < data.length; i++) data[i] = view.getFloat32(at + 4 * i, true);
      }
      values.push({ shape: [...shape], data });
    }
  }
  m.setWeights(values);
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
  assignWeights(m, manifest, bytes);
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
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const s of shards) {
    await s.read(bytes, at);
    at += s.size;
  }
  assignWeights(m, manifest, bytes);
  return m;
}
