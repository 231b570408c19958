/**
 * Optimizers with Keras 3's update rules and defaults. One step runs, for
 * every trainable weight, in Keras's order: clip the gradients, apply weight
 * decay, apply the optimizer's own update, count the step.
 */
import { configObject, fail, optionalBoolean, valueText } from "../checks.js";
import type { LearningRateSchedule } from "./schedules.js";

/** A learning rate: a positive number, or a schedule of the step. */
export type LearningRate = number | LearningRateSchedule;

/** Options every optimizer takes (Keras's base optimizer arguments). */
export interface OptimizerCommonConfig {
  learningRate?: LearningRate;
  /** Decoupled weight decay: `w -= w * weightDecay * learningRate` before each update. */
  weightDecay?: number;
  /** Clips each weight's gradient to this L2 norm. */
  clipnorm?: number;
  /** Clips every gradient element into `[-clipvalue, clipvalue]`. */
  clipvalue?: number;
  /** Scales all gradients together so that their joint L2 norm is at most this. */
  globalClipnorm?: number;
}

/**
 * What `compile` takes as its optimizer: it updates weights in place from
 * their gradients and keeps its own state (moments, accumulators) per weight.
 *
 * @example
 * const opt = optimizers.adam({ learningRate: 1e-3 });
 * opt.applyGradients([w], [g]); // w changes in place
 * opt.iterations;               // 1
 */
export interface Optimizer {
  /** Keras's class name (`SGD`, `Adam`, `AdamW`, `RMSprop`, `Adagrad`). */
  readonly className: string;
  /** Steps taken so far. */
  readonly iterations: number;
  /**
   * The learning rate of the next step. Settable (as Keras's
   * `optimizer.learning_rate = ...`) unless it is a schedule.
   */
  learningRate: number;
  /** Applies one step to `weights` (updated in place) from `grads`, one per weight, same sizes. */
  applyGradients(weights: readonly Float32Array[], grads: readonly Float32Array[]): void;
  /** Keras's `get_config()`, snake_case keys. */
  getConfig(): Record<string, unknown>;
  /** The optimizer's state arrays in a fixed order (for checkpoints), built on the first step. */
  getWeights(): Float32Array[];
  /**
   * A copy of the state: the steps taken and, per slot (Keras's names:
   * `momentum`, `velocity`, ...), one array per trainable weight. No slot
   * arrays before the first step.
   */
  getState(): OptimizerState;
  /**
   * Takes a state as {@link Optimizer.getState} gives it (copied), so the
   * next step is the one the saved optimizer would have taken.
   */
  setState(state: OptimizerState): void;
}

/**
 * An optimizer's state: the steps taken and its slot arrays, slot by slot
 * (`slots[k].values[i]` is slot `k` of trainable weight `i`).
 *
 * @example
 * const state = optimizers.adam().getState(); // { iterations: 0, slots: [] } before the first step
 */
export interface OptimizerState {
  readonly iterations: number;
  readonly slots: readonly { readonly name: string; readonly values: readonly Float32Array[] }[];
}

interface Common {
  readonly owner: string;
  readonly learningRate: LearningRate;
  readonly weightDecay: number | null;
  readonly clipnorm: number | null;
  readonly clipvalue: number | null;
  readonly globalClipnorm: number | null;
}

const COMMON_KEYS = ["learningRate", "weightDecay", "clipnorm", "clipvalue", "globalClipnorm"] as const;

function isSchedule(value: unknown): value is LearningRateSchedule {
  return typeof value === "object" && value !== null && typeof (value as LearningRateSchedule).at === "function";
}

function positive(owner: string, key: string, value: unknown, fallback?: number): number {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    fail(`shapewise: ${owner} ${key} must be a positive finite number, got ${valueText(value)}`);
  }
  return value;
}

function optionalPositive(owner: string, key: string, value: unknown): number | null {
  return value === undefined || value === null ? null : positive(owner, key, value);
}

function inUnitInterval(owner: string, key: string, value: unknown, fallback: number, openAtOne: boolean): number {
  if (value === undefined) return fallback;
  const ok = typeof value === "number" && value >= 0 && (openAtOne ? value < 1 : value <= 1);
  if (!ok) fail(`shapewise: ${owner} ${key} must be at least 0 and ${openAtOne ? "below" : "at most"} 1, got ${valueText(value)}`);
  return value as number;
}

/**
 * An optimizer's options checked for unknown keys (its own `keys` and
 * those all optimizers share), with the shared ones read against the
 * optimizer's defaults.
 */
function optimizerOptions(
  owner: string,
  config: object,
  keys: readonly string[],
  defaultRate: number,
  defaultDecay: number | null,
): { c: Record<string, unknown>; common: Common } {
  const c = configObject(owner, config, [...COMMON_KEYS, ...keys]);
  return { c, common: readCommon(owner, c, defaultRate, defaultDecay) };
}

function readCommon(owner: string, c: Record<string, unknown>, defaultRate: number, defaultDecay: number | null): Common {
  const rate = c.learningRate === undefined ? defaultRate : c.learningRate;
  if (!isSchedule(rate)) positive(owner, "learningRate", rate);
  const clips = (["clipnorm", "clipvalue", "globalClipnorm"] as const).filter((k) => c[k] !== undefined && c[k] !== null);
  if (clips.length > 1) {
    fail(`shapewise: ${owner} takes at most one of clipnorm, clipvalue and globalClipnorm, got ${clips.join(" and ")}`);
  }
  const weightDecay = c.weightDecay === undefined ? defaultDecay : c.weightDecay === null ? null : positiveOrZero(owner, c.weightDecay);
  return {
    owner,
    learningRate: rate as LearningRate,
    weightDecay,
    clipnorm: optionalPositive(owner, "clipnorm", c.clipnorm),
    clipvalue: optionalPositive(owner, "clipvalue", c.clipvalue),
    globalClipnorm: optionalPositive(owner, "globalClipnorm", c.globalClipnorm),
  };
}

function positiveOrZero(owner: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    fail(`shapewise: ${owner} weightDecay must be a finite number of at least 0, got ${valueText(value)}`);
  }
  return value;
}

function l2(values: Float32Array): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i] * values[i];
  return Math.sqrt(s);
}

function scaled(g: Float32Array, factor: number): Float32Array {
  const out = new Float32Array(g.length);
  for (let i = 0; i < g.length; i++) out[i] = g[i] * factor;
  return out;
}

/** Keras's `_clip_gradients`: per weight by norm, jointly by global norm, or element-wise by value. */
function clipGradients(common: Common, grads: readonly Float32Array[]): readonly Float32Array[] {
  if (common.clipnorm !== null) {
    const c = common.clipnorm;
    return grads.map((g) => scaled(g, c / Math.max(l2(g), c)));
  }
  if (common.globalClipnorm !== null) {
    const c = common.globalClipnorm;
    let s = 0;
    for (const g of grads) s += l2(g) ** 2;
    const norm = Math.sqrt(s);
    return grads.map((g) => scaled(g, c * Math.min(1 / norm, 1 / c)));
  }
  if (common.clipvalue !== null) {
    const v = common.clipvalue;
    return grads.map((g) => g.map((x) => Math.min(v, Math.max(-v, x))));
  }
  return grads;
}

/** One optimizer's own rule: how a weight moves, given its gradient, its slots and the learning rate. */
interface UpdateRule {
  readonly className: string;
  /** Slot arrays per weight, each zero-filled or filled with `initial`. */
  readonly slots: readonly { name: string; initial: number }[];
  /** Updates `w` in place; `t` is the 1-based step. */
  update(w: Float32Array, g: Float32Array, slots: Float32Array[], lr: number, t: number): void;
  readonly config: Record<string, unknown>;
}

class RuleOptimizer implements Optimizer {
  readonly className: string;
  private steps = 0;
  private rate: number | null;
  private slotArrays: Float32Array[][] | null = null;
  private sizes: number[] = [];

  constructor(
    private readonly common: Common,
    private readonly rule: UpdateRule,
  ) {
    this.className = rule.className;
    this.rate = isSchedule(common.learningRate) ? null : common.learningRate;
  }

  get iterations(): number {
    return this.steps;
  }

  get learningRate(): number {
    return this.rate ?? (this.common.learningRate as LearningRateSchedule).at(this.steps);
  }

  set learningRate(value: number) {
    if (this.rate === null) {
      fail(`shapewise: ${this.common.owner} learningRate is a schedule and cannot be set, got ${valueText(value)}`);
    }
    this.rate = positive(this.common.owner, "learningRate", value);
  }

  applyGradients(weights: readonly Float32Array[], grads: readonly Float32Array[]): void {
    const owner = this.common.owner;
    if (weights.length !== grads.length) {
      fail(`shapewise: ${owner} got ${grads.length} gradients for ${weights.length} weights`);
    }
    weights.forEach((w, i) => {
      if (grads[i].length !== w.length) {
        fail(`shapewise: ${owner} gradient ${i} has ${grads[i].length} values for a weight of ${w.length}`);
      }
    });
    if (this.slotArrays === null) {
      this.sizes = weights.map((w) => w.length);
      this.slotArrays = weights.map((w) => this.rule.slots.map((s) => new Float32Array(w.length).fill(s.initial)));
    } else if (weights.length !== this.sizes.length || weights.some((w, i) => w.length !== this.sizes[i])) {
      fail(`shapewise: ${owner} was built for ${this.sizes.length} weights of sizes [${this.sizes.join(", ")}] and cannot update others`);
    }
    const lr = this.learningRate;
    const clipped = clipGradients(this.common, grads);
    const decay = this.common.weightDecay;
    const slots = this.slotArrays;
    weights.forEach((w, i) => {
      if (decay !== null && decay !== 0) {
        const f = decay * lr;
        for (let j = 0; j < w.length; j++) w[j] -= w[j] * f;
      }
      this.rule.update(w, clipped[i], slots[i], lr, this.steps + 1);
    });
    this.steps += 1;
  }

  getConfig(): Record<string, unknown> {
    const rate = this.rate ?? {
      class_name: (this.common.learningRate as LearningRateSchedule).className,
      config: (this.common.learningRate as LearningRateSchedule).config,
    };
    return {
      learning_rate: rate,
      weight_decay: this.common.weightDecay,
      clipnorm: this.common.clipnorm,
      global_clipnorm: this.common.globalClipnorm,
      clipvalue: this.common.clipvalue,
      ...this.rule.config,
    };
  }

  getWeights(): Float32Array[] {
    return (this.slotArrays ?? []).flatMap((s) => s.map((a) => a.slice()));
  }

  getState(): OptimizerState {
    const arrays = this.slotArrays;
    const slots = arrays === null ? [] : this.rule.slots.map((slot, k) => ({ name: slot.name, values: arrays.map((perWeight) => perWeight[k].slice()) }));
    return { iterations: this.steps, slots };
  }

  setState(state: OptimizerState): void {
    const owner = this.common.owner;
    const steps = state?.iterations;
    if (typeof steps !== "number" || !Number.isSafeInteger(steps) || steps < 0) {
      fail(`shapewise: ${owner} state iterations must be a whole number of at least 0, got ${valueText(steps)}`);
    }
    if (!Array.isArray(state.slots)) fail(`shapewise: ${owner} state slots must be a list, got ${valueText(state.slots)}`);
    const slots: OptimizerState["slots"] = state.slots;
    const expected = this.rule.slots.map((s) => s.name);
    if (slots.length === 0) {
      this.steps = steps;
      this.slotArrays = null;
      this.sizes = [];
      return;
    }
    const names = slots.map((s) => s?.name);
    if (names.length !== expected.length || names.some((n, k) => n !== expected[k])) {
      fail(`shapewise: ${owner} (${this.className}) keeps the slots [${expected.join(", ")}], got [${names.map((n) => valueText(n)).join(", ")}]`);
    }
    const count = slots[0].values.length;
    const sizes = slots[0].values.map((v) => v.length);
    for (const slot of slots) {
      if (!Array.isArray(slot.values) || slot.values.length !== count || slot.values.some((v, i) => !(v instanceof Float32Array) || v.length !== sizes[i])) {
        fail(`shapewise: ${owner} slot '${slot.name}' must hold ${count} Float32Arrays of sizes [${sizes.join(", ")}] as slot '${expected[0]}' does`);
      }
    }
    this.steps = steps;
    this.sizes = sizes;
    this.slotArrays = sizes.map((_, i) => slots.map((slot) => slot.values[i].slice()));
  }
}

/** Options of {@link sgd}. */
export interface SgdConfig extends OptimizerCommonConfig {
  /** Default 0. */
  momentum?: number;
  /** Nesterov momentum (default false). */
  nesterov?: boolean;
}

/**
 * Stochastic gradient descent, with momentum and Nesterov momentum as Keras 3
 * computes them (`m = momentum * m - lr * g`, then `w += m`, or with Nesterov
 * `w += momentum * m - lr * g`). Default learning rate 0.01.
 *
 * @example
 * const opt = optimizers.sgd({ learningRate: 0.1, momentum: 0.9, nesterov: true });
 */
export function sgd(config: SgdConfig = {}): Optimizer {
  const owner = "sgd";
  const { c, common } = optimizerOptions(owner, config, ["momentum", "nesterov"], 0.01, null);
  const momentum = inUnitInterval(owner, "momentum", c.momentum, 0, false);
  const nesterov = optionalBoolean(owner, "nesterov", c.nesterov, false);
  return new RuleOptimizer(common, {
    className: "SGD",
    slots: momentum === 0 ? [] : [{ name: "momentum", initial: 0 }],
    update(w, g, [m], lr) {
      if (m === undefined) {
        for (let i = 0; i < w.length; i++) w[i] -= lr * g[i];
        return;
      }
      for (let i = 0; i < w.length; i++) {
        m[i] = m[i] * momentum - g[i] * lr;
        w[i] += nesterov ? m[i] * momentum - g[i] * lr : m[i];
      }
    },
    config: { momentum, nesterov },
  });
}

/** Options of {@link adam} and {@link adamw}. */
export interface AdamConfig extends OptimizerCommonConfig {
  /** Default 0.9. */
  beta1?: number;
  /** Default 0.999. */
  beta2?: number;
  /** Default 1e-7 (Keras's, not the paper's 1e-8). */
  epsilon?: number;
  /** Default false. */
  amsgrad?: boolean;
}

const ADAM_KEYS = ["beta1", "beta2", "epsilon", "amsgrad"];

function adamRule(owner: string, className: string, c: Record<string, unknown>): UpdateRule {
  const beta1 = inUnitInterval(owner, "beta1", c.beta1, 0.9, true);
  const beta2 = inUnitInterval(owner, "beta2", c.beta2, 0.999, true);
  const epsilon = positive(owner, "epsilon", c.epsilon, 1e-7);
  const amsgrad = optionalBoolean(owner, "amsgrad", c.amsgrad, false);
  const slots = [
    { name: "momentum", initial: 0 },
    { name: "velocity", initial: 0 },
  ];
  return {
    className,
    slots: amsgrad ? [...slots, { name: "velocity_hat", initial: 0 }] : slots,
    update(w, g, [m, v, vHat], lr, t) {
      const alpha = (lr * Math.sqrt(1 - beta2 ** t)) / (1 - beta1 ** t);
      for (let i = 0; i < w.length; i++) {
        m[i] += (g[i] - m[i]) * (1 - beta1);
        v[i] += (g[i] * g[i] - v[i]) * (1 - beta2);
        let second = v[i];
        if (vHat !== undefined) {
          vHat[i] = Math.max(vHat[i], v[i]);
          second = vHat[i];
        }
        w[i] -= (m[i] * alpha) / (Math.sqrt(second) + epsilon);
      }
    },
    config: { beta_1: beta1, beta_2: beta2, epsilon, amsgrad },
  };
}

/**
 * Adam as Keras 3 computes it: bias correction folded into the step size,
 * epsilon added outside the square root. Default learning rate 0.001.
 *
 * @example
 * const opt = optimizers.adam({ learningRate: 1e-3 });
 */
export function adam(config: AdamConfig = {}): Optimizer {
  const { c, common } = optimizerOptions("adam", config, ADAM_KEYS, 0.001, null);
  return new RuleOptimizer(common, adamRule("adam", "Adam", c));
}

/**
 * AdamW: Adam with decoupled weight decay (default 0.004, Keras 3's).
 *
 * @example
 * const opt = optimizers.adamw({ learningRate: 1e-3, weightDecay: 0.01 });
 */
export function adamw(config: AdamConfig = {}): Optimizer {
  const { c, common } = optimizerOptions("adamw", config, ADAM_KEYS, 0.001, 0.004);
  return new RuleOptimizer(common, adamRule("adamw", "AdamW", c));
}

/** Options of {@link rmsprop}. */
export interface RmspropConfig extends OptimizerCommonConfig {
  /** Default 0.9. */
  rho?: number;
  /** Default 0. */
  momentum?: number;
  /** Default 1e-7, added inside the square root as Keras 3 does. */
  epsilon?: number;
  /** Divide by the centred second moment (default false). */
  centered?: boolean;
}

/**
 * RMSprop as Keras 3 computes it. Default learning rate 0.001.
 *
 * @example
 * const opt = optimizers.rmsprop({ learningRate: 1e-3, rho: 0.9 });
 */
export function rmsprop(config: RmspropConfig = {}): Optimizer {
  const owner = "rmsprop";
  const { c, common } = optimizerOptions(owner, config, ["rho", "momentum", "epsilon", "centered"], 0.001, null);
  const rho = inUnitInterval(owner, "rho", c.rho, 0.9, true);
  const momentum = inUnitInterval(owner, "momentum", c.momentum, 0, false);
  const epsilon = positive(owner, "epsilon", c.epsilon, 1e-7);
  const centered = optionalBoolean(owner, "centered", c.centered, false);
  const slots = [{ name: "velocity", initial: 0 }];
  if (momentum > 0) slots.push({ name: "momentum", initial: 0 });
  if (centered) slots.push({ name: "average_gradient", initial: 0 });
  return new RuleOptimizer(common, {
    className: "RMSprop",
    slots,
    update(w, g, arrays, lr) {
      const [velocity] = arrays;
      const mom = momentum > 0 ? arrays[1] : undefined;
      const avg = centered ? arrays[momentum > 0 ? 2 : 1] : undefined;
      for (let i = 0; i < w.length; i++) {
        velocity[i] = rho * velocity[i] + (1 - rho) * g[i] * g[i];
        let denominator = velocity[i] + epsilon;
        if (avg !== undefined) {
          avg[i] = rho * avg[i] + (1 - rho) * g[i];
          denominator = velocity[i] - avg[i] * avg[i] + epsilon;
        }
        const increment = (lr * g[i]) / Math.sqrt(denominator);
        if (mom !== undefined) {
          mom[i] = momentum * mom[i] + increment;
          w[i] -= mom[i];
        } else {
          w[i] -= increment;
        }
      }
    },
    config: { rho, momentum, epsilon, centered },
  });
}

/** Options of {@link adagrad}. */
export interface AdagradConfig extends OptimizerCommonConfig {
  /** Default 0.1. */
  initialAccumulatorValue?: number;
  /** Default 1e-7, inside the square root. */
  epsilon?: number;
}

/**
 * Adagrad as Keras 3 computes it. Default learning rate 0.001.
 *
 * @example
 * const opt = optimizers.adagrad({ learningRate: 0.1 });
 */
export function adagrad(config: AdagradConfig = {}): Optimizer {
  const owner = "adagrad";
  const { c, common } = optimizerOptions(owner, config, ["initialAccumulatorValue", "epsilon"], 0.001, null);
  const initial = c.initialAccumulatorValue === undefined ? 0.1 : positiveOrZeroValue(owner, "initialAccumulatorValue", c.initialAccumulatorValue);
  const epsilon = positive(owner, "epsilon", c.epsilon, 1e-7);
  return new RuleOptimizer(common, {
    className: "Adagrad",
    slots: [{ name: "accumulator", initial }],
    update(w, g, [acc], lr) {
      for (let i = 0; i < w.length; i++) {
        acc[i] += g[i] * g[i];
        w[i] -= (lr * g[i]) / Math.sqrt(acc[i] + epsilon);
      }
    },
    config: { initial_accumulator_value: initial, epsilon },
  });
}

function positiveOrZeroValue(owner: string, key: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    fail(`shapewise: ${owner} ${key} must be a finite number of at least 0, got ${valueText(value)}`);
  }
  return value;
}

/**
 * The optimizers, by Keras's names in camelCase, as TensorFlow.js's
 * `tf.train` offers them.
 *
 * @example
 * m.compile({ optimizer: optimizers.adam({ learningRate: 1e-3 }), loss: "sparseCategoricalCrossentropy" });
 */
export const optimizers = { sgd, adam, adamw, rmsprop, adagrad } as const;

/** Optimizer names `compile` accepts as strings, each with its defaults. */
export const OPTIMIZER_NAMES = ["sgd", "adam", "adamw", "rmsprop", "adagrad"] as const;

/**
 * An optimizer from a name with its defaults, or the optimizer given.
 *
 * @example
 * resolveOptimizer("adam").className; // "Adam"
 */
export function resolveOptimizer(value: unknown): Optimizer {
  if (typeof value === "string") {
    const make = (optimizers as Record<string, () => Optimizer>)[value];
    if (Object.hasOwn(optimizers, value) && make !== undefined) return make();
    fail(`shapewise: compile optimizer must be one of ${OPTIMIZER_NAMES.map((n) => `'${n}'`).join(", ")} or an optimizer, got ${valueText(value)}`);
  }
  if (typeof value === "object" && value !== null && typeof (value as Optimizer).applyGradients === "function") {
    return value as Optimizer;
  }
  return fail(`shapewise: compile optimizer must be one of ${OPTIMIZER_NAMES.map((n) => `'${n}'`).join(", ")} or an optimizer, got ${valueText(value)}`);
}
