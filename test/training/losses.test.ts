import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ShapeError } from "../../src/errors.js";
import { checkLabels, losses, resolveLoss } from "../../src/training/losses.js";
import type { Loss } from "../../src/training/losses.js";
import { resolveMetric } from "../../src/training/metrics.js";

/** Central differences of the loss value in the predictions, on float32 inputs as the loss reads them. */
function numericGrad(loss: Loss, labels: ArrayLike<number>, pred: Float32Array, shape: number[], sw?: number[]): Float64Array {
  const g = new Float64Array(pred.length);
  for (let i = 0; i < pred.length; i++) {
    const keep = pred[i];
    const h = Math.max(1e-6, Math.abs(keep) * 1e-4);
    pred[i] = keep + h;
    const upAt = pred[i];
    const up = loss.compute(labels, pred, shape, sw).value;
    pred[i] = keep - h;
    const downAt = pred[i];
    const down = loss.compute(labels, pred, shape, sw).value;
    pred[i] = keep;
    g[i] = (up - down) / (upAt - downAt);
  }
  return g;
}

function softmaxRows(values: number[], width: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let r = 0; r < values.length / width; r++) {
    const row = values.slice(r * width, (r + 1) * width);
    const max = Math.max(...row);
    const e = row.map((v) => Math.exp(v - max));
    const s = e.reduce((a, b) => a + b, 0);
    e.forEach((v, k) => (out[r * width + k] = v / s));
  }
  return out;
}

describe("loss values as Keras 3 computes them", () => {
  it("sparse categorical crossentropy of probabilities and of logits", () => {
    const l = losses.sparseCategoricalCrossentropy();
    expect(l.compute([1, 0], Float32Array.of(0.2, 0.8, 0.6, 0.4), [2, 2]).value).toBeCloseTo((-Math.log(0.8) - Math.log(0.6)) / 2, 6);
    const z = losses.sparseCategoricalCrossentropy({ fromLogits: true });
    expect(z.compute([2], Float32Array.of(1, 2, 3), [1, 3]).value).toBeCloseTo(-Math.log(Math.exp(3) / (Math.exp(1) + Math.exp(2) + Math.exp(3))), 6);
  });
  it("probabilities are clipped to 1e-7, so a certain wrong answer costs -log(1e-7)", () => {
    const l = losses.sparseCategoricalCrossentropy();
    expect(l.compute([0], Float32Array.of(0, 1), [1, 2]).value).toBeCloseTo(-Math.log(1e-7), 5);
  });
  it("categorical crossentropy with label smoothing", () => {
    const l = losses.categoricalCrossentropy({ labelSmoothing: 0.2 });
    const t = [0.8 + 0.1, 0.1];
    expect(l.compute([1, 0], Float32Array.of(0.7, 0.3), [1, 2]).value).toBeCloseTo(-(t[0] * Math.log(0.7) + t[1] * Math.log(0.3)), 6);
  });
  it("binary crossentropy averages over the last axis", () => {
    const l = losses.binaryCrossentropy();
    const v = -(Math.log(0.9) + Math.log(1 - 0.3)) / 2;
    expect(l.compute([1, 0], Float32Array.of(0.9, 0.3), [1, 2]).value).toBeCloseTo(v, 6);
  });
  it("mean squared and absolute error, huber", () => {
    expect(losses.meanSquaredError().compute([1, 2, 3, 4], Float32Array.of(0, 2, 3, 6), [2, 2]).value).toBeCloseTo((1 + 0 + 0 + 4) / 4, 9);
    expect(losses.meanAbsoluteError().compute([1, 2], Float32Array.of(0, 4), [1, 2]).value).toBeCloseTo(1.5, 9);
    expect(losses.huber().compute([0, 0], Float32Array.of(0.5, 3), [1, 2]).value).toBeCloseTo((0.125 + 2.5) / 2, 9);
  });
  it("sample weights weight each sample's rows, and the sum is still divided by all rows", () => {
    const l = losses.meanSquaredError();
    expect(l.compute([0, 0], Float32Array.of(1, 2), [2, 1], [3, 0]).value).toBeCloseTo(1.5, 9);
  });
});

describe("loss gradients against central differences", () => {
  const shapes = fc.record({ batch: fc.integer({ min: 1, max: 3 }), steps: fc.integer({ min: 1, max: 2 }), width: fc.integer({ min: 2, max: 5 }) });
  const cases: [string, (w: number) => Loss, "ids" | "onehot" | "binary" | "real", "softmax" | "sigmoid" | "logits" | "real"][] = [
    ["sparse, probabilities", () => losses.sparseCategoricalCrossentropy(), "ids", "softmax"],
    ["sparse, logits", () => losses.sparseCategoricalCrossentropy({ fromLogits: true }), "ids", "logits"],
    ["categorical, probabilities, smoothing", () => losses.categoricalCrossentropy({ labelSmoothing: 0.1 }), "onehot", "softmax"],
    ["categorical, logits", () => losses.categoricalCrossentropy({ fromLogits: true }), "onehot", "logits"],
    ["binary, probabilities", () => losses.binaryCrossentropy({ labelSmoothing: 0.05 }), "binary", "sigmoid"],
    ["binary, logits", () => losses.binaryCrossentropy({ fromLogits: true }), "binary", "logits"],
    ["mean squared error", () => losses.meanSquaredError(), "real", "real"],
    ["huber", () => losses.huber({ delta: 0.7 }), "real", "real"],
  ];
  for (const [what, make, labelKind, predKind] of cases) {
    it(what, () => {
      fc.assert(
        fc.property(shapes, fc.integer({ min: 0, max: 2 ** 31 - 1 }), ({ batch, steps, width }, seed) => {
          let s = seed;
          const rand = (): number => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
          const shape = [batch, steps, width];
          const rows = batch * steps;
          const raw = Array.from({ length: rows * width }, () => rand() * 4 - 2);
          const pred =
            predKind === "softmax"
              ? softmaxRows(raw, width)
              : predKind === "sigmoid"
                ? Float32Array.from(raw, (v) => 1 / (1 + Math.exp(-v)))
                : Float32Array.from(raw);
          const labels =
            labelKind === "ids"
              ? Array.from({ length: rows }, () => Math.floor(rand() * width))
              : labelKind === "onehot"
                ? Array.from({ length: rows * width }, (_, i) => (i % width === Math.floor(rand() * width) ? 1 : 0))
                : labelKind === "binary"
                  ? Array.from({ length: rows * width }, () => (rand() < 0.5 ? 0 : 1))
                  : Array.from({ length: rows * width }, () => rand() * 2 - 1);
          const sw = Array.from({ length: batch }, () => rand() * 2);
          const loss = make(width);
          const { grad } = loss.compute(labels, pred, shape, sw);
          const numeric = numericGrad(loss, labels, pred, shape, sw);
          const scale = Math.max(...Array.from(numeric, Math.abs), 1e-3);
          for (let i = 0; i < grad.length; i++) {
            // Huber's kink and MAE's are not differentiable; keep away from them by tolerance of the step.
            expect(Math.abs(grad[i] - numeric[i])).toBeLessThan(2e-3 * scale + 1e-5);
          }
        }),
        { numRuns: 60, seed: 7 },
      );
    });
  }
});

describe("bad labels and names", () => {
  it("class ids outside [0, classes), fractional ids, and NaN are refused naming the sample", () => {
    const l = losses.sparseCategoricalCrossentropy();
    expect(() => checkLabels(l, [3, 10], [2, 10], "epoch 1, batch 4")).toThrow(
      "shapewise: sparseCategoricalCrossentropy label 10 of sample 1 (epoch 1, batch 4) is outside [0, 10)",
    );
    expect(() => checkLabels(l, [1.5], [1, 10], "batch 1")).toThrow("label 1.5 of sample 0 (batch 1) is outside [0, 10)");
    expect(() => checkLabels(losses.meanSquaredError(), [0, Number.NaN], [1, 2], "batch 2")).toThrow(
      "shapewise: meanSquaredError label NaN of sample 0 (batch 2) is not a finite number",
    );
    expect(() => checkLabels(l, [1, 2, 3], [2, 10], "batch 1")).toThrow(ShapeError);
  });
  it("unknown loss and metric names", () => {
    expect(() => resolveLoss("mse")).toThrow(
      "shapewise: compile loss must be one of 'sparseCategoricalCrossentropy', 'categoricalCrossentropy', 'binaryCrossentropy', 'meanSquaredError', 'meanAbsoluteError', 'huber' or a loss, got 'mse'",
    );
    expect(() => resolveLoss("__proto__")).toThrow(ShapeError);
    expect(() => resolveMetric("auc", losses.meanSquaredError(), 3)).toThrow(
      "shapewise: compile metrics must be among 'accuracy', 'binaryAccuracy', 'categoricalAccuracy', 'sparseCategoricalAccuracy', got 'auc'",
    );
    expect(() => losses.categoricalCrossentropy({ labelSmoothing: 2 })).toThrow(
      "shapewise: categoricalCrossentropy labelSmoothing must be at least 0 and at most 1, got 2",
    );
  });
  it("accuracy is chosen as Keras chooses it", () => {
    const sparse = resolveMetric("accuracy", losses.sparseCategoricalCrossentropy(), 3);
    expect(sparse.batch([2, 0], Float32Array.of(0.1, 0.2, 0.7, 0.5, 0.4, 0.1), [2, 3])).toEqual({ sum: 2, count: 2 });
    const bin = resolveMetric("accuracy", losses.binaryCrossentropy(), 1);
    expect(bin.batch([1, 0, 1], Float32Array.of(0.6, 0.5, 0.4), [3, 1])).toEqual({ sum: 2, count: 3 });
    const cat = resolveMetric("accuracy", losses.categoricalCrossentropy(), 2);
    expect(cat.batch([0, 1], Float32Array.of(0.3, 0.7), [1, 2])).toEqual({ sum: 1, count: 1 });
  });
});
