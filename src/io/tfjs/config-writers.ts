/**
 * Each layer's TensorFlow.js config, key for key as tfjs-layers 4.22 writes
 * it (class names, snake_case keys in its order, its default initialisers).
 * Where TensorFlow.js would compute something else than Keras 3 for a layer
 * (no `groups`, no `outputPadding`, its own `hard_sigmoid` ...), writing is
 * an error that says so rather than a file that predicts other numbers.
 *
 * Each writer is named after the method of its layer and attached to the
 * layer's registration, beside its class (`writers: { tfjs: tfjs.dense }`):
 * the writer reads the class's writer from there, so no table here lists
 * the classes.
 */
import { regularizerToTfjs } from "../../regularizers.js";
import { valueText } from "../../checks.js";
import type { Layer } from "../../layers/layer.js";
import { dilatedSpan } from "../../shape.js";
import { formatOut, weightSettings } from "../layer-configs.js";

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

/**
 * Writes one layer's TensorFlow.js config from its shapewise config, in
 * TensorFlow.js's key order; `name` is the name to write, `unsupported`
 * refuses with a reason.
 *
 * @example
 * const permute: ConfigWriter = (c, _layer, name) => ({ dims: c.dims, name, trainable: true });
 */
export type ConfigWriter = (c: Record<string, unknown>, layer: Layer, name: string, unsupported: (why: string) => never) => Record<string, unknown>;

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
    const base = convBase(c, name, unsupported);
    // TensorFlow.js's Conv1D has no data_format key.
    return { ...kernelKeys(c), ...(rank === 1 ? withoutKey(base, "data_format") : base) };
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
  return { ...kernelKeys(c), ...withoutKey(convBase(c, name, unsupported), "dilation_rate") };
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

/** The keys of a convolution's kernel, first in its config. */
const kernelKeys = (c: Record<string, unknown>) => ({
  filters: c.filters,
  ...weightSettings(c, regularizerToTfjs, { kernel: VARIANCE_SCALING("normal") }, ["kernel"], false),
});

/** A config without one key its class lacks, the other keys in their order. */
function withoutKey(config: Record<string, unknown>, key: string): Record<string, unknown> {
  return Object.fromEntries(Object.entries(config).filter(([k]) => k !== key));
}

/** The keys every convolution's config shares, after its kernel's. */
const convBase = (c: Record<string, unknown>, name: string, unsupported: (why: string) => never) => ({
  kernel_size: c.kernelSize,
  strides: c.strides,
  padding: c.padding,
  data_format: formatOut(c.dataFormat),
  dilation_rate: c.dilationRate,
  activation: activationOut(c.activation, unsupported),
  use_bias: c.useBias,
  ...weightSettings(c, regularizerToTfjs, { bias: ZEROS() }, ["bias"], true),
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
const recurrentRules = (c: Record<string, unknown>) => ({
  ...weightSettings(c, regularizerToTfjs, {}, ["kernel", "recurrent", "bias"], true),
  dropout: 0,
  recurrent_dropout: 0,
});
const recurrentTail = (c: Record<string, unknown>) => ({
  return_sequences: c.returnSequences,
  return_state: c.returnState,
  go_backwards: c.goBackwards,
  stateful: false,
  unroll: false,
});

/** Conv1D's TensorFlow.js config. */
export const conv1d: ConfigWriter = convWriter(1);

/** Conv2D's TensorFlow.js config. */
export const conv2d: ConfigWriter = convWriter(2);

/** Conv3D's TensorFlow.js config. */
export const conv3d: ConfigWriter = convWriter(3);

/** Conv2DTranspose's TensorFlow.js config. */
export const conv2dTranspose: ConfigWriter = transposeWriter;

/** Conv3DTranspose's TensorFlow.js config. */
export const conv3dTranspose: ConfigWriter = transposeWriter;

/** SeparableConv2D's TensorFlow.js config. */
export const separableConv2d: ConfigWriter = (c, _l, name, unsupported) => ({
  filters: c.filters,
  ...(c.dataFormat === "channelsFirst" ? unsupported("TensorFlow.js's SeparableConv2D cannot add its bias to channelsFirst data") : {}),
  ...convBase(c, name, unsupported),
  // TensorFlow.js 4.22 leaves depth_multiplier out of a SeparableConv2D's
  // config (and reads 1 back); written here so the file keeps its weights' shapes.
  depth_multiplier: c.depthMultiplier,
  ...weightSettings(
    c,
    regularizerToTfjs,
    { depthwise: VARIANCE_SCALING("uniform"), pointwise: VARIANCE_SCALING("uniform") },
    ["depthwise", "pointwise"],
    false,
  ),
});

/** DepthwiseConv2D's TensorFlow.js config. */
export const depthwiseConv2d: ConfigWriter = (c, _l, name, unsupported) => ({
  ...((c.dilationRate as number[]).some((d) => d !== 1) ? unsupported("TensorFlow.js's DepthwiseConv2D layer drops dilationRate") : {}),
  ...convBase(c, name, unsupported),
  depth_multiplier: c.depthMultiplier,
  depthwise_initializer: VARIANCE_SCALING("normal"),
  depthwise_regularizer: regularizerToTfjs(c.depthwiseRegularizer),
  depthwise_constraint: null,
});

/** MaxPooling1D's TensorFlow.js config. */
export const maxPooling1d: ConfigWriter = poolWriter(1);

/** MaxPooling2D's TensorFlow.js config. */
export const maxPooling2d: ConfigWriter = poolWriter(2);

/** MaxPooling3D's TensorFlow.js config. */
export const maxPooling3d: ConfigWriter = poolWriter(3);

/** AveragePooling1D's TensorFlow.js config. */
export const averagePooling1d: ConfigWriter = poolWriter(1);

/** AveragePooling2D's TensorFlow.js config. */
export const averagePooling2d: ConfigWriter = poolWriter(2);

/** AveragePooling3D's TensorFlow.js config. */
export const averagePooling3d: ConfigWriter = poolWriter(3);

/** GlobalMaxPooling1D's TensorFlow.js config. */
export const globalMaxPooling1d: ConfigWriter = globalWriter(1);

/** GlobalMaxPooling2D's TensorFlow.js config. */
export const globalMaxPooling2d: ConfigWriter = globalWriter(2);

/** GlobalAveragePooling1D's TensorFlow.js config. */
export const globalAveragePooling1d: ConfigWriter = globalWriter(1);

/** GlobalAveragePooling2D's TensorFlow.js config. */
export const globalAveragePooling2d: ConfigWriter = globalWriter(2);

/** Flatten's TensorFlow.js config. */
export const flatten: ConfigWriter = (c, layer, name, unsupported) => {
  // TensorFlow.js's Flatten takes rank 3 or more; Keras 3 also flattens [batch, features].
  if ((layer.inputShape?.length ?? 0) < 3) unsupported("TensorFlow.js flattens only inputs of rank 3 or more");
  knownSizes(layer, unsupported, "TensorFlow.js flattens only inputs whose sizes are all known");
  return { ...(c.dataFormat === "channelsFirst" ? { data_format: "channels_first" } : {}), name, trainable: true };
};

/** Reshape's TensorFlow.js config. */
export const reshape: ConfigWriter = (c, layer, name) => {
  // TensorFlow.js leaves a -1 unknown in its shapes (Keras 3 resolves it), so
  // the layers after it could not size their weights: the resolved sizes are
  // written instead, which reshape the values identically.
  const out = layer.outputShape?.slice(1);
  const known = out?.every((d) => d !== null);
  return { target_shape: known ? out : c.targetShape, name, trainable: true };
};

/** Permute's TensorFlow.js config. */
export const permute: ConfigWriter = (c, _l, name) => ({ dims: c.dims, name, trainable: true });

/** RepeatVector's TensorFlow.js config. */
export const repeatVector: ConfigWriter = (c, _l, name) => ({ n: c.n, name, trainable: true });

/** ZeroPadding2D's TensorFlow.js config. */
export const zeroPadding2d: ConfigWriter = (c, _l, name) => ({ padding: c.padding, data_format: formatOut(c.dataFormat), name, trainable: true });

/** Cropping2D's TensorFlow.js config. */
export const cropping2d: ConfigWriter = (c, layer, name, unsupported) => {
  knownSizes(layer, unsupported, "TensorFlow.js's Cropping2D turns an unknown size into 0");
  return { cropping: c.cropping, data_format: formatOut(c.dataFormat), name, trainable: true };
};

/** UpSampling2D's TensorFlow.js config. */
export const upSampling2d: ConfigWriter = (c, _l, name) => ({
  size: c.size,
  data_format: formatOut(c.dataFormat),
  interpolation: c.interpolation,
  name,
  trainable: true,
});

/** Dense's TensorFlow.js config. */
export const dense: ConfigWriter = (c, _l, name, unsupported) => ({
  units: c.units,
  activation: activationOut(c.activation, unsupported),
  use_bias: c.useBias,
  ...weightSettings(c, regularizerToTfjs, { kernel: VARIANCE_SCALING("normal"), bias: ZEROS() }, ["kernel", "bias"], true),
  name,
  trainable: true,
});

/** Activation's TensorFlow.js config. */
export const activation: ConfigWriter = (c, _l, name, unsupported) => ({ activation: activationOut(c.activation, unsupported), name, trainable: true });

/** Embedding's TensorFlow.js config. */
export const embedding: ConfigWriter = (c, _l, name) => ({
  input_dim: c.inputDim,
  output_dim: c.outputDim,
  ...weightSettings(
    c,
    regularizerToTfjs,
    { embeddings: { class_name: "RandomUniform", config: { minval: -0.05, maxval: 0.05, seed: null } } },
    ["embeddings"],
    true,
  ),
  mask_zero: null,
  input_length: null,
  name,
  trainable: true,
});

/** BatchNormalization's TensorFlow.js config. */
export const batchNormalization: ConfigWriter = (c, layer, name, unsupported) => ({
  // TensorFlow.js's BatchNormalization layer normalises the last axis whatever its axis says.
  ...(c.axis !== -1 && c.axis !== (layer.inputShape?.length ?? 0) - 1
    ? unsupported(`TensorFlow.js's BatchNormalization normalises only the last axis (got axis ${valueText(c.axis)})`)
    : {}),
  axis: c.axis,
  momentum: c.momentum,
  epsilon: c.epsilon,
  center: c.center,
  scale: c.scale,
  ...weightSettings(c, regularizerToTfjs, { beta: ZEROS(), gamma: ONES(), moving_mean: ZEROS(), moving_variance: ONES() }, ["beta", "gamma"], false),
  name,
  trainable: true,
});

/** LayerNormalization's TensorFlow.js config. */
export const layerNormalization: ConfigWriter = (c, _l, name) => ({
  axis: c.axis,
  epsilon: c.epsilon,
  center: c.center,
  scale: c.scale,
  beta_initializer: ZEROS(),
  gamma_initializer: ONES(),
  beta_regularizer: regularizerToTfjs(c.betaRegularizer),
  gamma_regularizer: regularizerToTfjs(c.gammaRegularizer),
  name,
  trainable: true,
});

/** Dropout's TensorFlow.js config. */
export const dropout: ConfigWriter = (c, _l, name) => ({ rate: c.rate, noise_shape: null, seed: c.seed ?? null, name, trainable: true });

/** SpatialDropout1D's TensorFlow.js config. */
export const spatialDropout1d: ConfigWriter = (c, _l, name) => ({ rate: c.rate, noise_shape: null, seed: c.seed ?? null, name, trainable: true });

/** GaussianNoise's TensorFlow.js config. */
export const gaussianNoise: ConfigWriter = (c, _l, name) => ({ stddev: c.stddev, name, trainable: true });

/** GaussianDropout's TensorFlow.js config. */
// TensorFlow.js 4.22 writes only the rate of these two (its AlphaDropout also noise_shape when set, which shapewise never sets).
export const gaussianDropout: ConfigWriter = (c, _l, name) => ({ rate: c.rate, name, trainable: true });

/** AlphaDropout's TensorFlow.js config. */
export const alphaDropout: ConfigWriter = (c, _l, name) => ({ rate: c.rate, name, trainable: true });

/** ReLU's TensorFlow.js config. */
export const reLU: ConfigWriter = (c, _l, name, unsupported) => {
  if (c.negativeSlope !== 0 || c.threshold !== 0) unsupported("TensorFlow.js's ReLU has no negativeSlope or threshold");
  return { max_value: c.maxValue ?? null, name, trainable: true };
};

/** LeakyReLU's TensorFlow.js config. */
export const leakyReLU: ConfigWriter = (c, _l, name) => ({ alpha: c.alpha, name, trainable: true });

/** PReLU's TensorFlow.js config. */
export const pReLU: ConfigWriter = (c, _l, name) => ({
  alpha_initializer: ZEROS(),
  alpha_regularizer: null,
  alpha_constraint: null,
  shared_axes: (c.sharedAxes as number[]).length === 0 ? null : c.sharedAxes,
  name,
  trainable: true,
});

/** ELU's TensorFlow.js config. */
export const elu: ConfigWriter = (c, _l, name, unsupported) => {
  if (c.alpha !== 1) unsupported(`TensorFlow.js's ELU takes only alpha 1 (got ${valueText(c.alpha)})`);
  return { alpha: c.alpha, name, trainable: true };
};

/** Softmax's TensorFlow.js config. */
export const softmax: ConfigWriter = (c, _l, name, unsupported) => {
  const axis = Array.isArray(c.axis) ? (c.axis.length === 1 ? c.axis[0] : unsupported("TensorFlow.js's Softmax takes one axis")) : c.axis;
  return { axis, name, trainable: true };
};

/** Rescaling's TensorFlow.js config. */
export const rescaling: ConfigWriter = (c, _l, name) => ({ scale: c.scale, offset: c.offset, name, trainable: true });

/** Add's TensorFlow.js config. */
export const add: ConfigWriter = (_c, _l, name) => ({ name, trainable: true });

/** Multiply's TensorFlow.js config. */
export const multiply: ConfigWriter = (_c, _l, name) => ({ name, trainable: true });

/** Average's TensorFlow.js config. */
export const average: ConfigWriter = (_c, _l, name) => ({ name, trainable: true });

/** Maximum's TensorFlow.js config. */
export const maximum: ConfigWriter = (_c, _l, name) => ({ name, trainable: true });

/** Minimum's TensorFlow.js config. */
export const minimum: ConfigWriter = (_c, _l, name) => ({ name, trainable: true });

/** Concatenate's TensorFlow.js config. */
export const concatenate: ConfigWriter = (c, _l, name) => ({ axis: c.axis, name, trainable: true });

/** Dot's TensorFlow.js config. */
export const dot: ConfigWriter = (c, _l, name) => ({ axes: c.axes, normalize: c.normalize, name, trainable: true });

/** SimpleRNN's TensorFlow.js config. */
export const simpleRNN: ConfigWriter = (c, _l, name, unsupported) => ({
  ...recurrentHead(c, name, unsupported, false),
  ...recurrentRules(c),
  ...recurrentTail(c),
});

/** LSTM's TensorFlow.js config. */
export const lstm: ConfigWriter = (c, _l, name, unsupported) => {
  const { bias_initializer, ...head } = recurrentHead(c, name, unsupported, true);
  return { ...head, bias_initializer, unit_forget_bias: null, ...recurrentRules(c), implementation: null, ...recurrentTail(c) };
};

/** GRU's TensorFlow.js config. */
export const gru: ConfigWriter = (c, _l, name, unsupported) => {
  // TensorFlow.js's GRU has one bias vector: Keras 3's default resetAfter true (two biases) has no TensorFlow.js form.
  if (c.resetAfter !== false) unsupported("TensorFlow.js has no GRU with resetAfter true (use resetAfter: false)");
  return { ...recurrentHead(c, name, unsupported, true), ...recurrentRules(c), implementation: null, reset_after: false, ...recurrentTail(c) };
};

/** The layer name written to a file under the chosen scheme. */
