/**
 * Learning-rate schedules with Keras 3's formulas: a schedule maps the
 * optimizer's iteration count (the number of steps already taken) to the
 * learning rate of the next step.
 */
import { configObject, fail, optionalBoolean, valueText } from "../checks.js";

/**
 * A learning rate that changes with the step, as Keras's
 * `keras.optimizers.schedules.LearningRateSchedule`.
 *
 * @example
 * const s = schedules.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5 });
 * s.at(10); // 0.05
 */
export interface LearningRateSchedule {
  /** Keras's class name, as `get_config` of an optimizer serialises it. */
  readonly className: "ExponentialDecay" | "CosineDecay";
  /** The learning rate for the step that follows `step` completed steps. */
  at(step: number): number;
  /** Keras's config keys and values. */
  readonly config: Readonly<Record<string, number | boolean | null>>;
}

function finitePositive(owner: string, key: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    fail(`shapewise: ${owner} ${key} must be a positive finite number, got ${valueText(value)}`);
  }
  return value;
}

function finiteNonNegative(owner: string, key: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    fail(`shapewise: ${owner} ${key} must be a finite number of at least 0, got ${valueText(value)}`);
  }
  return value;
}

/** Options of {@link exponentialDecay}. */
export interface ExponentialDecayConfig {
  initialLearningRate: number;
  decaySteps: number;
  decayRate: number;
  /** Decay in whole intervals of `decaySteps` (default false). */
  staircase?: boolean;
}

/**
 * `initialLearningRate * decayRate ^ (step / decaySteps)`, the exponent
 * floored when `staircase` is set (Keras's `ExponentialDecay`).
 *
 * @example
 * const lr = exponentialDecay({ initialLearningRate: 1e-2, decaySteps: 1000, decayRate: 0.9 });
 * optimizers.sgd({ learningRate: lr });
 */
export function exponentialDecay(config: ExponentialDecayConfig): LearningRateSchedule {
  const owner = "exponentialDecay";
  const c = configObject(owner, config, ["initialLearningRate", "decaySteps", "decayRate", "staircase"]);
  const initial = finitePositive(owner, "initialLearningRate", c.initialLearningRate);
  const steps = finitePositive(owner, "decaySteps", c.decaySteps);
  const rate = finitePositive(owner, "decayRate", c.decayRate);
  const staircase = optionalBoolean(owner, "staircase", c.staircase, false);
  return {
    className: "ExponentialDecay",
    at(step) {
      const p = step / steps;
      return initial * rate ** (staircase ? Math.floor(p) : p);
    },
    config: { initial_learning_rate: initial, decay_steps: steps, decay_rate: rate, staircase },
  };
}

/** Options of {@link cosineDecay}. */
export interface CosineDecayConfig {
  initialLearningRate: number;
  decaySteps: number;
  /** The floor, as a fraction of the initial rate (default 0). */
  alpha?: number;
  /** With `warmupSteps`, the rate reached linearly from `initialLearningRate` before the decay starts. */
  warmupTarget?: number;
  warmupSteps?: number;
}

/**
 * Cosine decay from the initial rate (or, after a linear warm-up, from
 * `warmupTarget`) to `alpha` times it over `decaySteps`, then constant
 * (Keras's `CosineDecay`).
 *
 * @example
 * const lr = cosineDecay({ initialLearningRate: 1e-3, decaySteps: 500 });
 * lr.at(250); // 0.0005
 */
export function cosineDecay(config: CosineDecayConfig): LearningRateSchedule {
  const owner = "cosineDecay";
  const c = configObject(owner, config, ["initialLearningRate", "decaySteps", "alpha", "warmupTarget", "warmupSteps"]);
  // Zero is a start a warm-up can rise from.
  const initial = finiteNonNegative(owner, "initialLearningRate", c.initialLearningRate);
  const steps = finitePositive(owner, "decaySteps", c.decaySteps);
  const alpha = c.alpha === undefined ? 0 : finiteNonNegative(owner, "alpha", c.alpha);
  const warmupSteps = c.warmupSteps === undefined ? 0 : finiteNonNegative(owner, "warmupSteps", c.warmupSteps);
  const warmupTarget = c.warmupTarget === undefined ? null : finitePositive(owner, "warmupTarget", c.warmupTarget);
  const decay = (from: number, step: number): number => {
    const done = Math.min(step, steps) / steps;
    return from * ((1 - alpha) * 0.5 * (1 + Math.cos(Math.PI * done)) + alpha);
  };
  return {
    className: "CosineDecay",
    at(step) {
      if (warmupTarget === null) return decay(initial, step);
      if (step < warmupSteps) return initial + (warmupTarget - initial) * (step / warmupSteps);
      return decay(warmupTarget, step - warmupSteps);
    },
    config: {
      initial_learning_rate: initial,
      decay_steps: steps,
      alpha,
      warmup_target: warmupTarget,
      warmup_steps: warmupSteps,
    },
  };
}

/**
 * Keras's learning-rate schedules.
 *
 * @example
 * optimizers.adam({ learningRate: schedules.cosineDecay({ initialLearningRate: 1e-3, decaySteps: 1000 }) });
 */
export const schedules = { exponentialDecay, cosineDecay } as const;
