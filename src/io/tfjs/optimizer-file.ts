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

/** Per TensorFlow.js class: its slot suffixes in `getWeights` order, and the shapewise slot each holds. */
const TFJS_SLOTS: Record<string, readonly { suffix: string; slot: string | null }[]> = {
  SGD: [],
  Momentum: [{ suffix: "momentum", slot: "momentum" }],
  Adam: [
    { suffix: "m", slot: "momentum" },
    { suffix: "v", slot: "velocity" },
  ],
  AdamW: [
    { suffix: "m", slot: "momentum" },
    { suffix: "v", slot: "velocity" },
  ],
  // TensorFlow.js's RMSProp keeps a momentum slot even when its momentum is 0.
  RMSProp: [
    { suffix: "rms", slot: "velocity" },
    { suffix: "momentum", slot: "momentum" },
  ],
  Adagrad: [{ suffix: "accumulator", slot: "accumulator" }],
};

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

function slotsOf(className: string, config: Record<string, unknown>): readonly { suffix: string; slot: string | null }[] {
  const slots = TFJS_SLOTS[className];
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
  if (className === "Momentum") Object.assign(config, { momentum: keras.momentum, useNesterov: keras.nesterov });
  if (className === "Adam" || className === "AdamW") Object.assign(config, { beta1: keras.beta_1, beta2: keras.beta_2, epsilon: keras.epsilon });
  if (className === "RMSProp") Object.assign(config, { decay: keras.rho, momentum: keras.momentum, epsilon: keras.epsilon, centered: keras.centered });
  if (className === "Adagrad") Object.assign(config, { initialAccumulatorValue: keras.initial_accumulator_value, epsilon: keras.epsilon });
  // What TensorFlow.js's optimizers do not have, kept so that shapewise rebuilds the same optimizer.
  const extras = { weightDecay: keras.weight_decay, clipnorm: keras.clipnorm, clipvalue: keras.clipvalue, globalClipnorm: keras.global_clipnorm };
  for (const [key, value] of Object.entries(extras)) if (value !== null && value !== undefined) config[key] = value;

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

const BUILDERS: Record<string, (config: Record<string, unknown>) => Optimizer> = {
  SGD: (c) => optimizers.sgd({ learningRate: c.learningRate as number, ...common(c) }),
  Momentum: (c) => optimizers.sgd({ learningRate: c.learningRate as number, momentum: c.momentum as number, nesterov: c.useNesterov === true, ...common(c) }),
  Adam: (c) =>
    optimizers.adam({ learningRate: c.learningRate as number, beta1: c.beta1 as number, beta2: c.beta2 as number, epsilon: c.epsilon as number, ...common(c) }),
  AdamW: (c) =>
    optimizers.adamw({
      learningRate: c.learningRate as number,
      beta1: c.beta1 as number,
      beta2: c.beta2 as number,
      epsilon: c.epsilon as number,
      ...common(c),
    }),
  RMSProp: (c) =>
    optimizers.rmsprop({
      learningRate: c.learningRate as number,
      rho: c.decay as number,
      momentum: c.momentum as number,
      epsilon: c.epsilon as number,
      centered: c.centered === true,
      ...common(c),
    }),
  Adagrad: (c) =>
    optimizers.adagrad({
      learningRate: c.learningRate as number,
      initialAccumulatorValue: c.initialAccumulatorValue as number,
      epsilon: c.epsilon as number,
      ...common(c),
    }),
};

/** The keys shapewise keeps beside TensorFlow.js's own, as given (each optimizer checks its values). */
function common(c: Record<string, unknown>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of ["weightDecay", "clipnorm", "clipvalue", "globalClipnorm"]) if (c[key] !== undefined && c[key] !== null) out[key] = c[key] as number;
  return out;
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
  const build = Object.hasOwn(BUILDERS, className) ? BUILDERS[className] : undefined;
  if (build === undefined) fail(`shapewise: unknown optimizer ${valueText(className)} in trainingConfig; shapewise reads ${Object.keys(BUILDERS).join(", ")}`);
  const optimizer = build!(config);
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
