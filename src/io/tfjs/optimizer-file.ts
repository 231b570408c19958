/**
 * An optimizer's state in a TensorFlow.js layers-model file, as tfjs-layers
 * 4.22's `save(..., { includeOptimizer: true })` writes it: `trainingConfig`
 * (loss, metrics, `optimizer_config`) in `model.json`, and the optimizer's
 * `getWeights()` after the model's weights, each manifest entry in group
 * `optimizer`: first `iter` (an int32 scalar), then the slots grouped by kind
 * (Adam's every `<weight>/m`, then every `<weight>/v`), as tfjs-core's
 * optimizers order them for `setWeights`.
 */
import { fail, valueText } from "../../checks.js";
import { optimizers } from "../../training/optimizers.js";
import { camelKey } from "../layer-configs.js";
import type { Optimizer, OptimizerState } from "../../training/optimizers.js";

/**
 * What `includeOptimizer` writes beside the model: the optimizer with its
 * state, and the loss and metric names as Keras spells them.
 *
 * @example
 * const training: TrainingSnapshot = { optimizer: c.optimizer, loss: "sparse_categorical_crossentropy", metrics: ["accuracy"] };
 */
export interface TrainingSnapshot {
  readonly optimizer: Optimizer;
  readonly loss: string;
  readonly metrics: readonly string[];
}

/**
 * What a file's training part gives back: the optimizer rebuilt from
 * `optimizer_config` with its saved state, and the loss and metric names as
 * written (`sparse_categorical_crossentropy`, `accuracy`).
 *
 * @example
 * const m = await loadModel("ckpt");
 * const c = m.compile({ optimizer: m.savedTraining!.optimizer, loss: "sparseCategoricalCrossentropy" });
 */
export interface SavedTraining {
  readonly optimizer: Optimizer;
  readonly loss: unknown;
  readonly metrics: unknown;
}

/** One optimizer entry of a manifest, with its values. */
export interface OptimizerEntry {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: "float32" | "int32";
  readonly values: Float32Array | Int32Array;
}

/** A trainable weight as the file names it. */
export interface NamedWeight {
  readonly name: string;
  readonly shape: readonly number[];
}

/** A slot as a file names it (`<weight>/<suffix>`), and the shapewise slot that holds it. */
interface SlotName {
  readonly suffix: string;
  readonly slot: string | null;
}

/** One TensorFlow.js optimizer class as shapewise writes and reads it. */
interface TfjsOptimizer {
  /** The shapewise optimizer that runs it; its options are the Keras config keys in camelCase. */
  make(options: Record<string, unknown>): Optimizer;
  /** Its config keys past `learningRate`, each with the Keras config key it stands for. */
  readonly keys: Readonly<Record<string, string>>;
  /** Its slots in `getWeights` order: each suffix with the shapewise slot it holds. */
  readonly slots: Readonly<Record<string, string>>;
}

const ADAM_KEYS = { beta1: "beta_1", beta2: "beta_2", epsilon: "epsilon" };

/** The TensorFlow.js optimizer classes, by the `class_name` a file gives them. */
const TFJS_OPTIMIZERS: Record<string, TfjsOptimizer> = {
  SGD: { make: optimizers.sgd, keys: {}, slots: {} },
  Momentum: { make: optimizers.sgd, keys: { momentum: "momentum", useNesterov: "nesterov" }, slots: { momentum: "momentum" } },
  Adam: { make: optimizers.adam, keys: ADAM_KEYS, slots: { m: "momentum", v: "velocity" } },
  AdamW: { make: optimizers.adamw, keys: ADAM_KEYS, slots: { m: "momentum", v: "velocity" } },
  // TensorFlow.js's RMSProp keeps a momentum slot even when its momentum is 0.
  RMSProp: {
    make: optimizers.rmsprop,
    keys: { decay: "rho", momentum: "momentum", epsilon: "epsilon", centered: "centered" },
    slots: { rms: "velocity", momentum: "momentum" },
  },
  Adagrad: {
    make: optimizers.adagrad,
    keys: { initialAccumulatorValue: "initial_accumulator_value", epsilon: "epsilon" },
    slots: { accumulator: "accumulator" },
  },
};

/** TensorFlow.js's flags: a file's value other than `true` reads as false. */
const FLAG_KEYS: ReadonlySet<string> = new Set(["useNesterov", "centered"]);

/** What TensorFlow.js's optimizers do not have, kept (when set) so that shapewise rebuilds the same optimizer. */
const EXTRA_KEYS = { weightDecay: "weight_decay", clipnorm: "clipnorm", clipvalue: "clipvalue", globalClipnorm: "global_clipnorm" };

function tfjsClassName(optimizer: Optimizer, config: Record<string, unknown>): string {
  switch (optimizer.className) {
    case "SGD":
      return config.momentum === 0 ? "SGD" : "Momentum";
    case "RMSprop":
      return "RMSProp";
    case "Adam":
    case "AdamW":
    case "Adagrad":
      return optimizer.className;
    default:
      return fail(`shapewise: save with includeOptimizer writes SGD, Adam, AdamW, RMSprop and Adagrad, got optimizer class ${valueText(optimizer.className)}`);
  }
}

function slotsOf(className: string, config: Record<string, unknown>): readonly SlotName[] {
  const slots = Object.entries(TFJS_OPTIMIZERS[className].slots).map(([suffix, slot]): SlotName => ({ suffix, slot }));
  if (className === "RMSProp") {
    const withMomentum = slots.map((s) => (s.slot === "momentum" && config.momentum === 0 ? { ...s, slot: null } : s));
    return config.centered === true ? [...withMomentum, { suffix: "mg", slot: "average_gradient" }] : withMomentum;
  }
  return slots;
}

/**
 * The `trainingConfig` and optimizer manifest entries of a training
 * snapshot, for trainable weights named as the file names them.
 *
 * @example
 * const { trainingConfig, entries } = tfjsOptimizerPart(training, [{ name: "dense/kernel", shape: [4, 2] }]);
 */
export function tfjsOptimizerPart(
  training: TrainingSnapshot,
  weights: readonly NamedWeight[],
): { trainingConfig: Record<string, unknown>; entries: OptimizerEntry[] } {
  const { optimizer } = training;
  const keras = optimizer.getConfig();
  const lr = keras.learning_rate;
  if (typeof lr !== "number") {
    fail(
      `shapewise: save with includeOptimizer needs a fixed learning rate (TensorFlow.js files have no schedules), got a ${valueText((lr as { class_name?: unknown })?.class_name)} schedule`,
    );
  }
  if (keras.amsgrad === true)
    fail(`shapewise: save with includeOptimizer cannot write ${optimizer.className} with amsgrad: TensorFlow.js's Adam has no such slot`);
  const className = tfjsClassName(optimizer, keras);
  const config: Record<string, unknown> = { learningRate: lr };
  for (const [key, kerasKey] of Object.entries(TFJS_OPTIMIZERS[className].keys)) config[key] = keras[kerasKey];
  for (const [key, kerasKey] of Object.entries(EXTRA_KEYS)) if (keras[kerasKey] !== null && keras[kerasKey] !== undefined) config[key] = keras[kerasKey];

  const state = optimizer.getState();
  const entries: OptimizerEntry[] = [{ name: "iter", shape: [], dtype: "int32", values: Int32Array.of(state.iterations) }];
  if (state.slots.length > 0) {
    const sizes = state.slots[0].values.map((v) => v.length);
    const wanted = weights.map((w) => w.shape.reduce((a, b) => a * b, 1));
    if (sizes.length !== wanted.length || sizes.some((s, i) => s !== wanted[i])) {
      fail(
        `shapewise: save with includeOptimizer: the optimizer holds state for weights of sizes [${sizes.join(", ")}], the model trains [${wanted.join(", ")}]`,
      );
    }
    for (const { suffix, slot } of slotsOf(className, keras)) {
      const held = state.slots.find((s) => s.name === slot);
      weights.forEach((w, i) => {
        let values = held?.values[i] ?? new Float32Array(wanted[i]);
        // Keras's SGD momentum holds -lr times TensorFlow.js's accumulation (m = momentum * m - lr * g against a = momentum * a + g).
        if (className === "Momentum") values = values.map((v) => -v / lr);
        entries.push({ name: `${w.name}/${suffix}`, shape: [...w.shape], dtype: "float32", values });
      });
    }
  }
  const trainingConfig = { loss: training.loss, metrics: [...training.metrics], optimizer_config: { class_name: className, config } };
  return { trainingConfig, entries };
}

/** The shapewise optimizer of a TensorFlow.js config, its values as given (each optimizer checks them). */
function buildOptimizer({ make, keys }: TfjsOptimizer, c: Record<string, unknown>): Optimizer {
  const options: Record<string, unknown> = { learningRate: c.learningRate };
  for (const [key, kerasKey] of Object.entries(keys)) options[camelKey(kerasKey)] = FLAG_KEYS.has(key) ? c[key] === true : c[key];
  for (const key of Object.keys(EXTRA_KEYS)) if (c[key] !== undefined && c[key] !== null) options[key] = c[key];
  return make(options);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The optimizer of a file's `trainingConfig`, with the state its optimizer
 * entries hold: the step count from `iter`, each slot checked by name and
 * shape against the model's trainable weights (`<weight>/m`, ...).
 *
 * @example
 * const opt = optimizerFromTfjs(json.trainingConfig, entries, [{ name: "dense/kernel", shape: [4, 2] }]);
 */
export function optimizerFromTfjs(trainingConfig: unknown, entries: readonly OptimizerEntry[], weights: readonly NamedWeight[]): Optimizer {
  if (!isRecord(trainingConfig)) {
    return fail(`shapewise: the file has optimizer weights but no trainingConfig to say which optimizer they belong to, got ${valueText(trainingConfig)}`);
  }
  const oc = trainingConfig.optimizer_config;
  if (!isRecord(oc) || typeof oc.class_name !== "string")
    fail(`shapewise: trainingConfig optimizer_config must be { class_name, config }, got ${valueText(oc)}`);
  const className = (oc as { class_name: string }).class_name;
  const config = isRecord((oc as Record<string, unknown>).config) ? ((oc as Record<string, unknown>).config as Record<string, unknown>) : {};
  const known = Object.hasOwn(TFJS_OPTIMIZERS, className) ? TFJS_OPTIMIZERS[className] : undefined;
  if (known === undefined)
    fail(`shapewise: unknown optimizer ${valueText(className)} in trainingConfig; shapewise reads ${Object.keys(TFJS_OPTIMIZERS).join(", ")}`);
  const optimizer = buildOptimizer(known!, config);
  if (entries.length === 0) return optimizer;
  const [first, ...slotEntries] = entries;
  if (first.name !== "iter" || first.shape.length !== 0) {
    fail(`shapewise: optimizer weights must start with 'iter', a scalar step count, got '${first.name}' of shape ${valueText(first.shape)}`);
  }
  const iterations = first.values[0];
  if (!Number.isSafeInteger(iterations) || iterations < 0)
    fail(`shapewise: optimizer 'iter' must be a whole number of at least 0, got ${valueText(iterations)}`);
  if (slotEntries.length === 0) {
    optimizer.setState({ iterations, slots: [] });
    return optimizer;
  }
  const layout = slotsOf(className, config);
  if (slotEntries.length !== layout.length * weights.length) {
    fail(
      `shapewise: ${className} keeps ${layout.length} slot(s) per trainable weight (${layout.map((s) => s.suffix).join(", ") || "none"}), so ${layout.length * weights.length} optimizer weights for this model's ${weights.length} trainable weights, got ${slotEntries.length}`,
    );
  }
  const lr = config.learningRate as number;
  const slots: { name: string; values: Float32Array[] }[] = [];
  layout.forEach(({ suffix, slot }, k) => {
    const values = weights.map((w, i) => {
      const e = slotEntries[k * weights.length + i];
      const name = `${w.name}/${suffix}`;
      if (e.name !== name) fail(`shapewise: optimizer weight ${k * weights.length + i + 1} must be '${name}', got '${e.name}'`);
      if (e.dtype !== "float32" || e.shape.length !== w.shape.length || e.shape.some((d, j) => d !== w.shape[j])) {
        fail(
          `shapewise: optimizer weight '${e.name}' has shape ${valueText(e.shape)} (${e.dtype}), but weight '${w.name}' has shape ${valueText(w.shape)} (float32)`,
        );
      }
      const v = e.values as Float32Array;
      return className === "Momentum" ? v.map((x) => -x * lr) : Float32Array.from(v);
    });
    if (slot !== null) slots.push({ name: slot, values });
  });
  optimizer.setState({ iterations, slots } satisfies OptimizerState);
  return optimizer;
}
