/**
 * Losses with Keras 3's formulas, each giving its value and its gradient with
 * respect to the predictions. A loss reduces the last axis to one value per
 * row, weights each sample's rows by its sample weight, and averages over all
 * rows (Keras's `sum_over_batch_size`).
 */
import { configObject, fail, optionalBoolean, valueText } from "../checks.js";

/** Keras's `backend.epsilon()`: probabilities are clipped into `[EPSILON, 1 - EPSILON]`. */
const EPSILON = 1e-7;

/** Loss names `compile` accepts, TensorFlow.js's spelling of Keras's losses. */
export const LOSS_NAMES = [
  "sparseCategoricalCrossentropy",
  "categoricalCrossentropy",
  "binaryCrossentropy",
  "meanSquaredError",
  "meanAbsoluteError",
  "huber",
] as const;

/** One of {@link LOSS_NAMES}. */
export type LossName = (typeof LOSS_NAMES)[number];

/** What a loss gives for one batch. */
export interface LossResult {
  /** The reduced loss. */
  readonly value: number;
  /** d(value)/d(prediction), one per prediction element. */
  readonly grad: Float32Array;
}

/**
 * A loss as `compile` uses it.
 *
 * @example
 * const l = losses.sparseCategoricalCrossentropy();
 * l.compute(Float32Array.of(1), Float32Array.of(0.2, 0.8), [1, 2]).value; // -log(0.8)
 */
export interface Loss<N extends LossName = LossName> {
  /** The camelCase name (`sparseCategoricalCrossentropy`, ...): the types read the label shape from it. */
  readonly name: N;
  /** Keras's function name, as Keras's files and logs spell it. */
  readonly kerasName: string;
  /** Labels are class ids (one fewer axis than the predictions) rather than dense values. */
  readonly sparse: boolean;
  /**
   * The loss of `pred` (shape `shape`, batch first) against `labels`, each
   * sample's rows weighted by `sampleWeight` (one weight per sample) if given.
   */
  compute(labels: ArrayLike<number>, pred: Float32Array, shape: readonly number[], sampleWeight?: ArrayLike<number>): LossResult;
}

interface Rows {
  readonly rows: number;
  readonly width: number;
  readonly perSample: number;
}

function rowsOf(shape: readonly number[]): Rows {
  const width = shape[shape.length - 1];
  const rows = shape.reduce((a, b) => a * b, 1) / width;
  return { rows, width, perSample: rows / shape[0] };
}

function weightOf(sampleWeight: ArrayLike<number> | undefined, row: number, r: Rows): number {
  return sampleWeight === undefined ? 1 : sampleWeight[Math.floor(row / r.perSample)];
}

/** A loss defined row by row: `row` returns the row's loss and writes its gradient (unweighted, unreduced). */
function rowLoss<N extends LossName>(
  name: N,
  kerasName: string,
  sparse: boolean,
  row: (labels: ArrayLike<number>, pred: Float32Array, r: Rows, at: number, grad: Float32Array) => number,
): Loss<N> {
  return {
    name,
    kerasName,
    sparse,
    compute(labels, pred, shape, sampleWeight) {
      const r = rowsOf(shape);
      const grad = new Float32Array(pred.length);
      let total = 0;
      for (let i = 0; i < r.rows; i++) {
        const w = weightOf(sampleWeight, i, r);
        const value = row(labels, pred, r, i, grad);
        total += value * w;
        if (w !== 1) for (let j = i * r.width; j < (i + 1) * r.width; j++) grad[j] *= w;
      }
      const scale = 1 / r.rows;
      for (let j = 0; j < grad.length; j++) grad[j] *= scale;
      return { value: total * scale, grad };
    },
  };
}

const clip = (p: number): number => Math.min(1 - EPSILON, Math.max(EPSILON, p));
const inside = (p: number): boolean => p >= EPSILON && p <= 1 - EPSILON;

/**
 * Crossentropy of one row of probabilities or logits against a row of target
 * weights `t` (a one-hot row for class ids, smoothed or dense labels
 * otherwise), as Keras computes it: probabilities are renormalised to sum to
 * one and clipped; logits go through a stable log-softmax.
 */
function crossentropyRow(t: (k: number) => number, pred: Float32Array, at: number, width: number, fromLogits: boolean, grad: Float32Array): number {
  const base = at * width;
  let tSum = 0;
  for (let k = 0; k < width; k++) tSum += t(k);
  if (fromLogits) {
    let max = -Infinity;
    for (let k = 0; k < width; k++) max = Math.max(max, pred[base + k]);
    let sum = 0;
    for (let k = 0; k < width; k++) sum += Math.exp(pred[base + k] - max);
    const logSum = Math.log(sum) + max;
    let loss = 0;
    for (let k = 0; k < width; k++) {
      const tk = t(k);
      if (tk !== 0) loss -= tk * (pred[base + k] - logSum);
      grad[base + k] = Math.exp(pred[base + k] - logSum) * tSum - tk;
    }
    return loss;
  }
  let s = 0;
  for (let k = 0; k < width; k++) s += pred[base + k];
  let loss = 0;
  let through = 0;
  for (let k = 0; k < width; k++) {
    const q = pred[base + k] / s;
    const tk = t(k);
    if (tk !== 0) loss -= tk * Math.log(clip(q));
    if (inside(q)) through += tk;
  }
  for (let k = 0; k < width; k++) {
    const q = pred[base + k] / s;
    const own = inside(q) ? -t(k) / q : 0;
    grad[base + k] = (own + through) / s;
  }
  return loss;
}

interface CrossentropyConfig {
  /** Predictions are logits rather than probabilities (default false). */
  fromLogits?: boolean;
  /** Keras's label smoothing, in [0, 1] (not for the sparse loss). */
  labelSmoothing?: number;
}

function readCrossentropy(owner: string, config: unknown, smoothing: boolean): { fromLogits: boolean; smoothing: number } {
  const c = configObject(owner, config, smoothing ? ["fromLogits", "labelSmoothing"] : ["fromLogits"]);
  const fromLogits = optionalBoolean(owner, "fromLogits", c.fromLogits, false);
  const ls = c.labelSmoothing ?? 0;
  if (typeof ls !== "number" || !(ls >= 0 && ls <= 1)) {
    fail(`shapewise: ${owner} labelSmoothing must be at least 0 and at most 1, got ${valueText(ls)}`);
  }
  return { fromLogits, smoothing: ls };
}

/**
 * Crossentropy against integer class ids (Keras's
 * `sparse_categorical_crossentropy`): labels have the predictions' shape
 * without the last axis.
 *
 * @example
 * losses.sparseCategoricalCrossentropy({ fromLogits: true });
 */
export function sparseCategoricalCrossentropy(config: Pick<CrossentropyConfig, "fromLogits"> = {}): Loss<"sparseCategoricalCrossentropy"> {
  const { fromLogits } = readCrossentropy("sparseCategoricalCrossentropy", config, false);
  return rowLoss("sparseCategoricalCrossentropy", "sparse_categorical_crossentropy", true, (labels, pred, r, at, grad) => {
    const id = labels[at];
    return crossentropyRow((k) => (k === id ? 1 : 0), pred, at, r.width, fromLogits, grad);
  });
}

/**
 * Crossentropy against one-hot (or any dense) labels (Keras's
 * `categorical_crossentropy`), with label smoothing towards the uniform
 * distribution.
 *
 * @example
 * losses.categoricalCrossentropy({ labelSmoothing: 0.1 });
 */
export function categoricalCrossentropy(config: CrossentropyConfig = {}): Loss<"categoricalCrossentropy"> {
  const { fromLogits, smoothing } = readCrossentropy("categoricalCrossentropy", config, true);
  return rowLoss("categoricalCrossentropy", "categorical_crossentropy", false, (labels, pred, r, at, grad) => {
    const base = at * r.width;
    return crossentropyRow((k) => labels[base + k] * (1 - smoothing) + smoothing / r.width, pred, at, r.width, fromLogits, grad);
  });
}

/**
 * Element-wise binary crossentropy averaged over the last axis (Keras's
 * `binary_crossentropy`); label smoothing moves labels towards 0.5.
 *
 * @example
 * losses.binaryCrossentropy({ fromLogits: true });
 */
export function binaryCrossentropy(config: CrossentropyConfig = {}): Loss<"binaryCrossentropy"> {
  const { fromLogits, smoothing } = readCrossentropy("binaryCrossentropy", config, true);
  return rowLoss("binaryCrossentropy", "binary_crossentropy", false, (labels, pred, r, at, grad) => {
    const base = at * r.width;
    let loss = 0;
    for (let k = 0; k < r.width; k++) {
      const t = labels[base + k] * (1 - smoothing) + 0.5 * smoothing;
      const x = pred[base + k];
      if (fromLogits) {
        // log(sigmoid(x)) = -softplus(-x), computed without overflow.
        const logSig = -(Math.max(-x, 0) + Math.log1p(Math.exp(-Math.abs(x))));
        const logNegSig = -(Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))));
        loss -= t * logSig + (1 - t) * logNegSig;
        grad[base + k] = (1 / (1 + Math.exp(-x)) - t) / r.width;
      } else {
        const p = clip(x);
        loss -= t * Math.log(p) + (1 - t) * Math.log(1 - p);
        grad[base + k] = inside(x) ? (-t / p + (1 - t) / (1 - p)) / r.width : 0;
      }
    }
    return loss / r.width;
  });
}

function elementwise<N extends LossName>(name: N, kerasName: string, f: (e: number) => [number, number]): Loss<N> {
  return rowLoss(name, kerasName, false, (labels, pred, r, at, grad) => {
    const base = at * r.width;
    let loss = 0;
    for (let k = 0; k < r.width; k++) {
      const [value, slope] = f(pred[base + k] - labels[base + k]);
      loss += value;
      grad[base + k] = slope / r.width;
    }
    return loss / r.width;
  });
}

/**
 * Mean of the squared differences over the last axis (Keras's `mean_squared_error`).
 *
 * @example
 * losses.meanSquaredError();
 */
export function meanSquaredError(): Loss<"meanSquaredError"> {
  return elementwise("meanSquaredError", "mean_squared_error", (e) => [e * e, 2 * e]);
}

/**
 * Mean of the absolute differences over the last axis (Keras's `mean_absolute_error`).
 *
 * @example
 * losses.meanAbsoluteError();
 */
export function meanAbsoluteError(): Loss<"meanAbsoluteError"> {
  return elementwise("meanAbsoluteError", "mean_absolute_error", (e) => [Math.abs(e), Math.sign(e)]);
}

/**
 * Huber loss: quadratic within `delta` (default 1) of the label, linear beyond (Keras's `huber`).
 *
 * @example
 * losses.huber({ delta: 0.5 });
 */
export function huber(config: { delta?: number } = {}): Loss<"huber"> {
  const c = configObject("huber", config, ["delta"]);
  const delta = c.delta ?? 1;
  if (typeof delta !== "number" || !Number.isFinite(delta) || delta <= 0) {
    fail(`shapewise: huber delta must be a positive finite number, got ${valueText(delta)}`);
  }
  return elementwise("huber", "huber", (e) => (Math.abs(e) <= delta ? [0.5 * e * e, e] : [delta * Math.abs(e) - 0.5 * delta * delta, delta * Math.sign(e)]));
}

/**
 * The losses, by TensorFlow.js's names.
 *
 * @example
 * m.compile({ optimizer: "adam", loss: losses.categoricalCrossentropy({ labelSmoothing: 0.1 }) });
 */
export const losses = {
  sparseCategoricalCrossentropy,
  categoricalCrossentropy,
  binaryCrossentropy,
  meanSquaredError,
  meanAbsoluteError,
  huber,
} as const;

/**
 * A loss from its name with Keras's defaults, or the loss given.
 *
 * @example
 * resolveLoss("meanSquaredError").kerasName; // "mean_squared_error"
 */
export function resolveLoss(value: unknown): Loss {
  if (typeof value === "string" && (LOSS_NAMES as readonly string[]).includes(value)) {
    return (losses[value as LossName] as () => Loss)();
  }
  if (typeof value === "object" && value !== null && typeof (value as Loss).compute === "function") {
    const name = (value as Loss).name;
    if ((LOSS_NAMES as readonly string[]).includes(name)) return value as Loss;
  }
  return fail(`shapewise: compile loss must be one of ${LOSS_NAMES.map((n) => `'${n}'`).join(", ")} or a loss, got ${valueText(value)}`);
}

/**
 * Checks labels against a loss and the predictions' shape before any work:
 * class ids must be integers in `[0, classes)`, dense labels finite numbers.
 * `where` names the place in the data (e.g. `epoch 2, batch 7`).
 *
 * @example
 * checkLabels(losses.sparseCategoricalCrossentropy(), Int32Array.of(3, 11), [2, 10], "batch 1");
 * // throws: shapewise: sparseCategoricalCrossentropy label 11 of sample 1 (batch 1) is outside [0, 10)
 */
export function checkLabels(loss: Loss, labels: ArrayLike<number>, predShape: readonly number[], where: string): void {
  const r = rowsOf(predShape);
  const expected = loss.sparse ? r.rows : r.rows * r.width;
  if (labels.length !== expected) {
    fail(`shapewise: ${loss.name} expects ${expected} label values for predictions of shape ${valueText([...predShape])}, got ${labels.length} (${where})`);
  }
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i];
    if (loss.sparse) {
      if (!Number.isInteger(v) || v < 0 || v >= r.width) {
        fail(`shapewise: ${loss.name} label ${valueText(v)} of sample ${Math.floor(i / r.perSample)} (${where}) is outside [0, ${r.width})`);
      }
    } else if (!Number.isFinite(v)) {
      fail(`shapewise: ${loss.name} label ${valueText(v)} of sample ${Math.floor(i / (r.perSample * r.width))} (${where}) is not a finite number`);
    }
  }
}
