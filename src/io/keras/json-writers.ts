/**
 * Each layer's Keras 3 config, key for key as Keras 3.15 writes it (key
 * order follows the Keras 3 sources, `keras/src/layers/**`), and the
 * Python-style JSON text (`json.dumps` spacing, `repr` floats) it is
 * written in.
 *
 * Each config writer is named after the method of its layer and attached to
 * the layer's registration, beside its class (`writers: { keras: keras.dense }`):
 * the writer reads the class's writer from there, so no table here lists
 * the classes.
 */
import { regularizerToKeras } from "../../regularizers.js";
import type { Layer } from "../../layers/layer.js";
import { camelKey, formatOut, weightSettings } from "../layer-configs.js";

// ---------------------------------------------------------------------------
// Python-style JSON text
// ---------------------------------------------------------------------------

/** A number Python holds as a float: printed `1.0`, `0.001`, `1e-07`, as `repr` does. */
export class PyFloat {
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
export function pythonJson(value: unknown): string {
  if (value instanceof PyFloat) return pythonFloat(value.value);
  if (value === null || value === undefined) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : pythonFloat(value);
  if (typeof value === "string") return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(", ")}]`;
  const entries = Object.entries(value as Record<string, unknown>);
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}: ${pythonJson(v)}`).join(", ")}}`;
}

export const f = (v: unknown): PyFloat | unknown => (typeof v === "number" ? new PyFloat(v) : v);

// ---------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------

export const DTYPE_POLICY = () => ({ module: "keras", class_name: "DTypePolicy", config: { name: "float32" }, registered_name: null });
export const initializer = (className: string, config: Record<string, unknown> = {}) => ({
  module: "keras.initializers",
  class_name: className,
  config,
  registered_name: null,
});
export const GLOROT = () => initializer("GlorotUniform", { seed: null, input_axes: null, output_axes: null });
export const ZEROS = () => initializer("Zeros");
export const ONES = () => initializer("Ones");
export const ORTHOGONAL = () => initializer("Orthogonal", { gain: new PyFloat(1), seed: null });

export type Writer = (c: Record<string, unknown>, layer: Layer) => Record<string, unknown>;

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
      ...weightSettings(c, regularizerToKeras, { depthwise: GLOROT(), pointwise: GLOROT(), bias: ZEROS() }, ["depthwise", "pointwise", "bias"], true),
    };
  }
  if (depthwise) {
    return {
      ...head,
      ...weightSettings(c, regularizerToKeras, { depthwise: GLOROT(), bias: ZEROS() }, ["depthwise", "bias"], true),
    };
  }
  return {
    ...head,
    ...weightSettings(c, regularizerToKeras, { kernel: GLOROT(), bias: ZEROS() }, ["kernel", "bias"], true),
  };
};

const poolWriter: Writer = (c) => ({ pool_size: c.poolSize, padding: c.padding, strides: c.strides, data_format: formatOut(c.dataFormat) });
const globalWriter: Writer = (c) => ({ data_format: formatOut(c.dataFormat), keepdims: c.keepdims });
const spatialWriter =
  (key: string): Writer =>
  (c) => ({ [key]: c[camelKey(key)], data_format: formatOut(c.dataFormat ?? "channelsLast") });
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
    ...weightSettings(c, regularizerToKeras, {}, ["kernel", "recurrent", "bias"], true),
    dropout: new PyFloat(0),
    recurrent_dropout: new PyFloat(0),
    ...(layer.className === "GRU" ? { reset_after: c.resetAfter } : {}),
    seed: null,
  };
};

/** Conv1D's Keras 3 config. */
export const conv1d: Writer = convWriter;

/** Conv2D's Keras 3 config. */
export const conv2d: Writer = convWriter;

/** Conv3D's Keras 3 config. */
export const conv3d: Writer = convWriter;

/** Conv1DTranspose's Keras 3 config. */
export const conv1dTranspose: Writer = convWriter;

/** Conv2DTranspose's Keras 3 config. */
export const conv2dTranspose: Writer = convWriter;

/** Conv3DTranspose's Keras 3 config. */
export const conv3dTranspose: Writer = convWriter;

/** SeparableConv1D's Keras 3 config. */
export const separableConv1d: Writer = convWriter;

/** SeparableConv2D's Keras 3 config. */
export const separableConv2d: Writer = convWriter;

/** DepthwiseConv1D's Keras 3 config. */
export const depthwiseConv1d: Writer = convWriter;

/** DepthwiseConv2D's Keras 3 config. */
export const depthwiseConv2d: Writer = convWriter;

/** MaxPooling1D's Keras 3 config. */
export const maxPooling1d: Writer = poolWriter;

/** MaxPooling2D's Keras 3 config. */
export const maxPooling2d: Writer = poolWriter;

/** MaxPooling3D's Keras 3 config. */
export const maxPooling3d: Writer = poolWriter;

/** AveragePooling1D's Keras 3 config. */
export const averagePooling1d: Writer = poolWriter;

/** AveragePooling2D's Keras 3 config. */
export const averagePooling2d: Writer = poolWriter;

/** AveragePooling3D's Keras 3 config. */
export const averagePooling3d: Writer = poolWriter;

/** GlobalMaxPooling1D's Keras 3 config. */
export const globalMaxPooling1d: Writer = globalWriter;

/** GlobalMaxPooling2D's Keras 3 config. */
export const globalMaxPooling2d: Writer = globalWriter;

/** GlobalMaxPooling3D's Keras 3 config. */
export const globalMaxPooling3d: Writer = globalWriter;

/** GlobalAveragePooling1D's Keras 3 config. */
export const globalAveragePooling1d: Writer = globalWriter;

/** GlobalAveragePooling2D's Keras 3 config. */
export const globalAveragePooling2d: Writer = globalWriter;

/** GlobalAveragePooling3D's Keras 3 config. */
export const globalAveragePooling3d: Writer = globalWriter;

/** Flatten's Keras 3 config. */
export const flatten: Writer = (c) => ({ data_format: formatOut(c.dataFormat) });

/** Reshape's Keras 3 config. */
export const reshape: Writer = (c) => ({ target_shape: c.targetShape });

/** Permute's Keras 3 config. */
export const permute: Writer = (c) => ({ dims: c.dims });

/** RepeatVector's Keras 3 config. */
export const repeatVector: Writer = (c) => ({ n: c.n });

/** ZeroPadding1D's Keras 3 config. */
export const zeroPadding1d: Writer = (c) => ({ padding: c.padding });

/** ZeroPadding2D's Keras 3 config. */
export const zeroPadding2d: Writer = spatialWriter("padding");

/** ZeroPadding3D's Keras 3 config. */
export const zeroPadding3d: Writer = spatialWriter("padding");

/** Cropping1D's Keras 3 config. */
export const cropping1d: Writer = (c) => ({ cropping: c.cropping });

/** Cropping2D's Keras 3 config. */
export const cropping2d: Writer = spatialWriter("cropping");

/** Cropping3D's Keras 3 config. */
export const cropping3d: Writer = spatialWriter("cropping");

/** UpSampling1D's Keras 3 config. */
export const upSampling1d: Writer = (c) => ({ size: c.size });

/** UpSampling2D's Keras 3 config. */
export const upSampling2d: Writer = (c) => ({ size: c.size, data_format: formatOut(c.dataFormat), interpolation: c.interpolation });

/** UpSampling3D's Keras 3 config. */
export const upSampling3d: Writer = (c) => ({ size: c.size, data_format: formatOut(c.dataFormat) });

/** Dense's Keras 3 config. */
export const dense: Writer = (c) => ({
  units: c.units,
  activation: c.activation,
  use_bias: c.useBias,
  ...weightSettings(c, regularizerToKeras, { kernel: GLOROT(), bias: ZEROS() }, ["kernel", "bias"], false),
  quantization_config: null,
  // Keras 3's Dense leaves its activity regulariser out of its config; its Layer base reads one back, so it is written when set.
  ...(c.activityRegularizer === undefined ? {} : { activity_regularizer: regularizerToKeras(c.activityRegularizer) }),
});

/** Activation's Keras 3 config. */
export const activation: Writer = (c) => ({ activation: c.activation });

/** Embedding's Keras 3 config. */
export const embedding: Writer = (c) => ({
  input_dim: c.inputDim,
  output_dim: c.outputDim,
  ...weightSettings(
    c,
    regularizerToKeras,
    { embeddings: initializer("RandomUniform", { minval: new PyFloat(-0.05), maxval: new PyFloat(0.05), seed: null }) },
    ["embeddings"],
    true,
  ),
  mask_zero: false,
  quantization_config: null,
});

/** BatchNormalization's Keras 3 config. */
export const batchNormalization: Writer = (c) => ({
  axis: c.axis,
  momentum: f(c.momentum),
  epsilon: f(c.epsilon),
  center: c.center,
  scale: c.scale,
  ...weightSettings(c, regularizerToKeras, { beta: ZEROS(), gamma: ONES(), moving_mean: ZEROS(), moving_variance: ONES() }, ["beta", "gamma"], false),
  synchronized: false,
});

/** LayerNormalization's Keras 3 config. */
export const layerNormalization: Writer = (c) => ({
  axis: c.axis,
  epsilon: f(c.epsilon),
  center: c.center,
  scale: c.scale,
  rms_scaling: false,
  ...weightSettings(c, regularizerToKeras, { beta: ZEROS(), gamma: ONES() }, ["beta", "gamma"], false),
});

/** Dropout's Keras 3 config. */
export const dropout: Writer = (c) => ({ rate: f(c.rate), seed: c.seed ?? null, noise_shape: null });

/** SpatialDropout1D's Keras 3 config: its constructor, and so Keras's own files, have no `noise_shape` (nor `trainable`). */
export const spatialDropout1d: Writer = (c) => ({ rate: f(c.rate), seed: c.seed ?? null });

/** SpatialDropout2D's Keras 3 config. */
export const spatialDropout2d: Writer = (c) => ({ rate: f(c.rate), seed: c.seed ?? null, data_format: formatOut(c.dataFormat) });

/** SpatialDropout3D's Keras 3 config. */
export const spatialDropout3d: Writer = (c) => ({ rate: f(c.rate), seed: c.seed ?? null, data_format: formatOut(c.dataFormat) });

/** GaussianNoise's Keras 3 config. */
export const gaussianNoise: Writer = (c) => ({ stddev: f(c.stddev), seed: c.seed ?? null });

/** GaussianDropout's Keras 3 config. */
export const gaussianDropout: Writer = (c) => ({ rate: f(c.rate), seed: c.seed ?? null });

/** AlphaDropout's Keras 3 config. */
export const alphaDropout: Writer = (c) => ({ rate: f(c.rate), seed: c.seed ?? null, noise_shape: null });

/** ActivityRegularization's Keras 3 config. */
export const activityRegularization: Writer = (c) => ({ l1: f(c.l1), l2: f(c.l2) });

/** ReLU's Keras 3 config. */
export const reLU: Writer = (c) => ({
  max_value: c.maxValue === undefined ? null : f(c.maxValue),
  negative_slope: f(c.negativeSlope),
  threshold: f(c.threshold),
});

/** LeakyReLU's Keras 3 config. */
export const leakyReLU: Writer = (c) => ({ negative_slope: f(c.alpha) });

/** PReLU's Keras 3 config. */
export const pReLU: Writer = (c) => ({
  alpha_initializer: ZEROS(),
  alpha_regularizer: null,
  alpha_constraint: null,
  shared_axes: (c.sharedAxes as number[]).length === 0 ? null : c.sharedAxes,
});

/** ELU's Keras 3 config. */
export const elu: Writer = (c) => ({ alpha: f(c.alpha) });

/** Softmax's Keras 3 config. */
export const softmax: Writer = (c) => ({ axis: c.axis });

/** Rescaling's Keras 3 config. */
export const rescaling: Writer = (c) => ({ scale: f(c.scale), offset: f(c.offset) });

/** Normalization's Keras 3 config. */
export const normalization: Writer = (c) => ({
  axis: c.axis,
  invert: c.invert,
  // The adaptable form has no given statistics: Keras writes null and keeps them as weights.
  mean: c.mean === undefined ? null : Array.isArray(c.mean) ? c.mean.map(f) : f(c.mean),
  variance: c.variance === undefined ? null : Array.isArray(c.variance) ? c.variance.map(f) : f(c.variance),
});

/** Resizing's Keras 3 config. */
export const resizing: Writer = (c) => ({
  height: c.height,
  width: c.width,
  interpolation: c.interpolation,
  data_format: "channels_last",
  crop_to_aspect_ratio: c.cropToAspectRatio,
  pad_to_aspect_ratio: false,
  fill_mode: "constant",
  fill_value: new PyFloat(0),
  antialias: false,
});

/** CenterCrop's Keras 3 config. */
export const centerCrop: Writer = (c) => ({ height: c.height, width: c.width, data_format: "channels_last" });

/** SimpleRNN's Keras 3 config. */
export const simpleRNN: Writer = recurrentWriter;

/** LSTM's Keras 3 config. */
export const lstm: Writer = recurrentWriter;

/** GRU's Keras 3 config. */
export const gru: Writer = recurrentWriter;

/** MultiHeadAttention's Keras 3 config. */
export const multiHeadAttention: Writer = (c) => ({
  num_heads: c.numHeads,
  key_dim: c.keyDim,
  value_dim: c.valueDim,
  dropout: new PyFloat(0),
  use_bias: c.useBias,
  output_shape: c.outputShape,
  attention_axes: null,
  ...weightSettings(c, regularizerToKeras, { kernel: GLOROT(), bias: ZEROS() }, ["kernel", "bias"], true),
  seed: null,
});

/** Add's Keras 3 config. */
export const add: Writer = () => ({});

/** Subtract's Keras 3 config. */
export const subtract: Writer = () => ({});

/** Multiply's Keras 3 config. */
export const multiply: Writer = () => ({});

/** Average's Keras 3 config. */
export const average: Writer = () => ({});

/** Maximum's Keras 3 config. */
export const maximum: Writer = () => ({});

/** Minimum's Keras 3 config. */
export const minimum: Writer = () => ({});

/** Concatenate's Keras 3 config. */
export const concatenate: Writer = (c) => ({ axis: c.axis });

/** Dot's Keras 3 config. */
export const dot: Writer = (c) => ({ axes: c.axes, normalize: c.normalize });
