/**
 * Layer configs between file formats and shapewise: a file's snake_case
 * config (TensorFlow.js `model.json`, Keras 3 `to_json`) becomes the options
 * of the shapewise method, which then checks every value again.
 *
 * Only keys that change what the layer computes at inference reach the
 * method, and the regularisers the method takes; other keys about training
 * (initialisers, constraints, dropout inside recurrent cells) are read past; keys whose non-default value
 * shapewise cannot honour (masking, stateful cells) are errors.
 */
import { fail, valueText } from "../checks.js";
import { record, shortText } from "./json.js";
import { regularizerFromFile } from "../regularizers.js";

/**
 * Which file a config comes from: the two differ in a few defaults and formulas.
 *
 * @example
 * optionsFromFile("LSTM", config, "tfjs", "layer 'lstm'"); // TensorFlow.js's hard_sigmoid refused
 */
export type ConfigSource = "tfjs" | "keras3";

/** Keys that describe training or storage, not the inference computation. */
const TRAINING_ONLY = /(_initializer|_regularizer|_constraint)$/;
const REGULARIZER = /_regularizer$/;
const IGNORED = new Set([
  "trainable",
  "dtype",
  "dropout",
  "recurrent_dropout",
  "implementation",
  "unroll",
  "unit_forget_bias",
  "input_length",
  "batch_size",
  "use_cudnn",
  "zero_output_for_mask",
  "backward_layer",
  "build_config",
  "time_major",
  // Only read with pad_to_aspect_ratio, which is refused below.
  "fill_mode",
  "fill_value",
  // Batch renormalisation's settings act in training only; renorm itself is refused below.
  "renorm_clipping",
  "renorm_momentum",
]);

/**
 * Classes whose shapewise method has no `dataFormat`: they work channels-last, as Keras's default. Keras 3
 * writes `data_format` for ZeroPadding1D though its Cropping1D and UpSampling1D have none.
 */
const CHANNELS_LAST_ONLY = new Set(["Resizing", "CenterCrop", "Rescaling", "Normalization", "ZeroPadding1D"]);

/** Keys shapewise reads only at their default value: anything else would compute something shapewise does not. */
const ONLY_DEFAULT: Readonly<Record<string, readonly unknown[]>> = {
  mask_zero: [false, null],
  stateful: [false, null],
  noise_shape: [null],
  sparse: [false, null],
  ragged: [false, null],
  optional: [false, null],
  quantization_config: [null],
  lora_rank: [null],
  rms_scaling: [false],
  synchronized: [false],
  renorm: [false],
  pad_to_aspect_ratio: [false],
  antialias: [false],
  flash_attention: [null, false],
  // Keras 3.15 writes these two attention settings (a gate, a sliding-window mask); shapewise computes neither.
  use_gate: [false],
  sliding_window: [null],
};

/** Keys whose `null` is a value of its own; for every other key `null` means "the default". */
const NULL_IS_A_VALUE = new Set(["axis", "merge_mode"]);

/** Recurrent classes take a `seed` in Keras 3 only for dropout during training. */
const RECURRENT = new Set(["SimpleRNN", "LSTM", "GRU"]);

/**
 * `snake_case` to `camelCase`, as TensorFlow.js converts config keys.
 *
 * @example
 * camelKey("kernel_size"); // "kernelSize"
 */
export function camelKey(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** Data-format values as files spell them, and as shapewise does. */
const FORMAT_IN: Readonly<Record<string, string>> = { channels_last: "channelsLast", channels_first: "channelsFirst" };

/**
 * `channelsLast` as files spell it (`channels_last`).
 *
 * @example
 * formatOut("channelsFirst"); // "channels_first"
 */
export function formatOut(value: unknown): unknown {
  return value === "channelsLast" ? "channels_last" : value === "channelsFirst" ? "channels_first" : value;
}

/**
 * Checks an activation name read from a file. TensorFlow.js computes
 * `hard_sigmoid` as `clip(0.2x + 0.5)` while Keras 3 (which shapewise
 * follows) uses `relu6(x + 3) / 6`: a TensorFlow.js file with it would load
 * with other numbers, so it is refused rather than silently changed.
 */
function activationIn(value: unknown, source: ConfigSource, where: string, key: string): unknown {
  if (source === "tfjs" && value === "hard_sigmoid") {
    fail(
      `shapewise: ${where} ${key} 'hard_sigmoid' is clip(0.2x + 0.5) in TensorFlow.js but relu6(x + 3) / 6 in Keras 3, which shapewise follows; save the model with 'sigmoid' or another activation`,
    );
  }
  // Keras 3 may write an activation as a serialised object naming a built-in one.
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    const o = value as Record<string, unknown>;
    const inner = o.config;
    if (typeof inner === "string") return inner;
    if (typeof o.class_name === "string" && o.module === "keras.activations") return o.class_name;
    fail(`shapewise: ${where} ${key} must name a built-in activation, got ${shortText(value)}`);
  }
  return value;
}

/**
 * The shapewise options of a file's layer config (without the input shape
 * or the wrapped layer, which the readers handle).
 *
 * @example
 * optionsFromFile("Conv2D", { filters: 8, kernel_size: [3, 3], data_format: "channels_last", name: "c" }, "tfjs", "layer 'c'");
 * // { filters: 8, kernelSize: [3, 3], dataFormat: "channelsLast", name: "c" }
 */
export function optionsFromFile(
  className: string,
  config: unknown,
  source: ConfigSource,
  where: string,
  accepts: readonly string[] = [],
): Record<string, unknown> {
  const cfg = record(config, `${where} config`);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(cfg)) {
    const value = cfg[key];
    // A regulariser the layer's method takes is read; another (a PReLU's alpha_regularizer, attention's) would be left out of training's loss, so it is refused.
    if (REGULARIZER.test(key) && value !== null) {
      if (!accepts.includes(camelKey(key)))
        fail(
          `shapewise: ${where} ${key} ${shortText(value)} is not supported: shapewise's ${className} takes no ${camelKey(key)}, so training would leave its penalty out; save the model without it`,
        );
      out[camelKey(key)] = regularizerFromFile(value, `${where} ${key}`);
      continue;
    }
    if (IGNORED.has(key) || TRAINING_ONLY.test(key)) continue;
    if (key === "batch_input_shape" || key === "batch_shape" || key === "layer") continue;
    if (key === "seed" && RECURRENT.has(className)) continue;
    if (key === "data_format" && CHANNELS_LAST_ONLY.has(className)) {
      if (value !== "channels_last" && value !== null)
        fail(`shapewise: ${where} data_format ${valueText(value)} is not supported (shapewise reads ${className} channels-last)`);
      continue;
    }
    if (key === "attention_axes") {
      // Keras 3 writes the axes it resolved when the layer was built: [1] for the [batch, steps, features]
      // inputs shapewise takes, the same attention as null.
      const steps = Array.isArray(value) && value.length === 1 && value[0] === 1;
      if (value !== null && !steps)
        fail(`shapewise: ${where} attention_axes ${valueText(value)} is not supported (shapewise attends over the steps axis only: null or [1])`);
      continue;
    }
    const only = ONLY_DEFAULT[key];
    if (only !== undefined) {
      if (!only.includes(value))
        fail(`shapewise: ${where} ${key} ${valueText(value)} is not supported (shapewise computes only ${only.map(valueText).join(" or ")})`);
      continue;
    }
    if (value === null && !NULL_IS_A_VALUE.has(key)) continue;
    let name = camelKey(key);
    let v = value;
    if (key === "data_format") v = typeof value === "string" && value in FORMAT_IN ? FORMAT_IN[value] : value;
    if (key === "activation" || key === "recurrent_activation") v = activationIn(value, source, where, key);
    // Keras 3 writes Normalization's axis as a tuple; one axis is the one integer shapewise takes, several stay refused.
    if (className === "Normalization" && key === "axis" && Array.isArray(value) && value.length === 1) v = value[0];
    // Keras 3 calls LeakyReLU's slope `negative_slope`; shapewise, like TensorFlow.js, `alpha`.
    if (className === "LeakyReLU" && key === "negative_slope") name = "alpha";
    out[name] = v;
  }
  return out;
}

/**
 * The initializer, regularizer and constraint entries of a layer's weights,
 * in the order Keras and TensorFlow.js write them: every initializer, then a
 * regularizer for each of `weights` (read from the config's
 * `<weight>Regularizer`, written by the format's `regularizer`), the
 * activity regularizer when `activity`, and a `null` constraint for each of
 * `weights` (shapewise sets none). Both formats' writers share it, so the
 * keys come out in one order.
 *
 * @example
 * ```ts
 * weightSettings(c, regularizerToKeras, { kernel: GLOROT(), bias: ZEROS() }, ["kernel", "bias"], true);
 * // { kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer, activity_regularizer, kernel_constraint: null, bias_constraint: null }
 * ```
 */
export function weightSettings(
  c: Readonly<Record<string, unknown>>,
  regularizer: (r: unknown) => unknown,
  initializers: Readonly<Record<string, unknown>>,
  weights: readonly string[],
  activity: boolean,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [weight, init] of Object.entries(initializers)) out[`${weight}_initializer`] = init;
  for (const weight of weights) out[`${weight}_regularizer`] = regularizer(c[`${weight}Regularizer`]);
  if (activity) out.activity_regularizer = regularizer(c.activityRegularizer);
  for (const weight of weights) out[`${weight}_constraint`] = null;
  return out;
}
