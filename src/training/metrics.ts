/**
 * Metrics `compile` accepts, with Keras 3's choice of accuracy: asked for
 * `"accuracy"`, Keras picks binary accuracy for one output unit, sparse
 * categorical accuracy for class-id labels and categorical accuracy
 * otherwise.
 */
import { fail, valueText } from "../checks.js";
import type { Loss } from "./losses.js";

/** Metric names `compile` accepts. */
export const METRIC_NAMES = ["accuracy", "binaryAccuracy", "categoricalAccuracy", "sparseCategoricalAccuracy"] as const;

/** One of {@link METRIC_NAMES}. */
export type MetricName = (typeof METRIC_NAMES)[number];

/**
 * A metric: for a batch, the sum of its per-row values and the number of
 * rows, so that an epoch's value is the mean over every row seen, as Keras's
 * `MeanMetricWrapper` aggregates it.
 *
 * @example
 * const acc = resolveMetric("accuracy", losses.sparseCategoricalCrossentropy(), 10);
 * acc.batch(Int32Array.of(1), Float32Array.of(0.1, 0.9), [1, 2]); // { sum: 1, count: 1 }
 */
export interface Metric {
  /** The name in logs and the progress bar (`accuracy` when asked for as such). */
  readonly name: string;
  batch(labels: ArrayLike<number>, pred: Float32Array, shape: readonly number[], sampleWeight?: ArrayLike<number>): { sum: number; count: number };
}

function argmax(values: Float32Array | ArrayLike<number>, base: number, width: number): number {
  let best = 0;
  for (let k = 1; k < width; k++) if (values[base + k] > values[base + best]) best = k;
  return best;
}

function perRow(name: string, score: (labels: ArrayLike<number>, pred: Float32Array, row: number, width: number) => number): Metric {
  return {
    name,
    batch(labels, pred, shape, sampleWeight) {
      const width = shape[shape.length - 1];
      const rows = pred.length / width;
      const perSample = rows / shape[0];
      let sum = 0;
      let count = 0;
      for (let r = 0; r < rows; r++) {
        const w = sampleWeight === undefined ? 1 : sampleWeight[Math.floor(r / perSample)];
        sum += score(labels, pred, r, width) * w;
        count += w;
      }
      return { sum, count };
    },
  };
}

const sparseCategorical = (name: string): Metric => perRow(name, (labels, pred, r, width) => (argmax(pred, r * width, width) === labels[r] ? 1 : 0));

const categorical = (name: string): Metric =>
  perRow(name, (labels, pred, r, width) => (argmax(pred, r * width, width) === argmax(labels, r * width, width) ? 1 : 0));

// Keras's binary accuracy: a prediction above 0.5 counts as 1; averaged over the row's units.
const binary = (name: string): Metric =>
  perRow(name, (labels, pred, r, width) => {
    let hits = 0;
    for (let k = 0; k < width; k++) hits += (pred[r * width + k] > 0.5 ? 1 : 0) === labels[r * width + k] ? 1 : 0;
    return hits / width;
  });

/**
 * A metric from its name, chosen for the loss and the output width as Keras
 * 3 chooses it.
 *
 * @example
 * resolveMetric("accuracy", losses.binaryCrossentropy(), 1).name; // "accuracy" (binary)
 */
export function resolveMetric(value: unknown, loss: Loss, outputWidth: number): Metric {
  switch (value) {
    case "accuracy":
      if (outputWidth === 1 && !loss.sparse) return binary("accuracy");
      return loss.sparse ? sparseCategorical("accuracy") : categorical("accuracy");
    case "binaryAccuracy":
      return binary("binary_accuracy");
    case "categoricalAccuracy":
      return categorical("categorical_accuracy");
    case "sparseCategoricalAccuracy":
      if (!loss.sparse) fail(`shapewise: compile metric 'sparseCategoricalAccuracy' needs class-id labels, but loss '${loss.name}' takes dense labels`);
      return sparseCategorical("sparse_categorical_accuracy");
    default:
      return fail(`shapewise: compile metrics must be among ${METRIC_NAMES.map((n) => `'${n}'`).join(", ")}, got ${valueText(value)}`);
  }
}
