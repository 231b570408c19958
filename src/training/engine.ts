/**
 * One training step over a model's call graph: a forward pass in training
 * mode that keeps every tensor, the loss and its gradient, a backward pass in
 * reverse order (both in graph-pass.ts), then one optimizer step. Nothing is
 * written to the model unless the whole step succeeded with finite numbers.
 */
import { fail } from "../checks.js";
import { weightsWritten } from "../kernels/packed-weights.js";
import type { Random } from "../kernels/random.js";
import type { Tensor } from "../kernels/tensor.js";
import type { Layer } from "../layers/layer.js";
import type { ModelGraph } from "../model-graph.js";
import { backwardTraining, forwardTraining, tensorKey } from "./graph-pass.js";
export { trainingGaps } from "./graph-pass.js";
import type { ForwardPass } from "./graph-pass.js";
import type { Loss } from "./losses.js";
import type { Metric } from "./metrics.js";
import type { Optimizer } from "./optimizers.js";
import { addRegularizerGradient, regularizerPenalty } from "../regularizers.js";
import type { Regularizer } from "../regularizers.js";
import { withTrainingPrecision } from "../kernels/fast-conv.js";

/** Labels of one model output: class ids or dense values, batch first. */
export interface Labels {
  readonly shape: readonly number[];
  readonly data: ArrayLike<number>;
}

/** What a batch gave: the loss and each metric's sum and count. */
export interface BatchResult {
  readonly loss: number;
  readonly metrics: readonly { sum: number; count: number }[];
}

/** A trainable weight: the layer that owns it and its place among the layer's weights. */
interface Parameter {
  readonly layer: Layer;
  readonly index: number;
}

/** The weights a model trains, in Keras's order (layers in model order, weights in layer order). */
export function trainableParameters(layers: readonly Layer[]): Parameter[] {
  // A frozen layer (Keras `trainable = false`) keeps every weight as it is.
  return layers.flatMap((layer) =>
    layer
      .trainableWeightFlags()
      .map((trainable, index) => ({ layer, index, trainable }))
      .filter((p) => p.trainable)
      .map(({ index }) => ({ layer, index })),
  );
}

function allFinite(values: Float32Array): boolean {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return false;
  return true;
}

/** One batch's forward and backward pass, before anything is written. */
interface StepResult extends BatchResult {
  /** One gradient per trainable parameter, `null` where none reached it. */
  readonly gradients: readonly (Float32Array | null)[];
  readonly updates: ForwardPass["updates"];
}

/**
 * Trains a model's graph with one loss on every output, summed as Keras sums
 * the losses of several outputs.
 */
export class TrainingEngine {
  private readonly parameters: Parameter[];
  /** Each trainable weight's regulariser, `undefined` where it has none. */
  private readonly regularizers: (Regularizer | undefined)[];

  constructor(
    private readonly graph: ModelGraph,
    layers: readonly Layer[],
    private readonly loss: Loss,
    private readonly metrics: readonly Metric[],
    private readonly optimizer: Optimizer,
    private readonly random: Random,
  ) {
    this.parameters = trainableParameters(layers);
    const byLayer = new Map<Layer, (Regularizer | undefined)[]>();
    this.regularizers = this.parameters.map((p) => {
      if (!byLayer.has(p.layer)) byLayer.set(p.layer, p.layer.weightRegularizers());
      return byLayer.get(p.layer)![p.index];
    });
  }

  /**
   * The penalties of the trainable weights' regularisers at their current
   * values: Keras 3 adds them to the loss of every batch, in training and
   * in evaluation (a frozen weight's regulariser adds nothing).
   */
  private weightPenalty(): number {
    let total = 0;
    this.parameters.forEach((p, i) => {
      const r = this.regularizers[i];
      if (r !== undefined) total += regularizerPenalty(r, p.layer.weights![p.index].data);
    });
    return total;
  }

  /** The trainable weights' current values, in order. */
  private weightArrays(): Float32Array[] {
    return this.parameters.map((p) => p.layer.weights![p.index].data);
  }

  /** The forward pass in training mode, the loss, and the backward pass of one batch, at training's precision. */
  private step(inputs: readonly Tensor[], labels: readonly Labels[], sampleWeight: ArrayLike<number> | undefined): StepResult {
    return withTrainingPrecision(() => this.stepPasses(inputs, labels, sampleWeight));
  }

  private stepPasses(inputs: readonly Tensor[], labels: readonly Labels[], sampleWeight: ArrayLike<number> | undefined): StepResult {
    const pass = forwardTraining(this.graph, inputs, { random: this.random });
    let total = (pass.loss ?? 0) + this.weightPenalty();
    const metricTotals = this.metrics.map(() => ({ sum: 0, count: 0 }));
    const outputGrads = this.graph.outputs.map((ref, i) => {
      const pred = pass.values.get(tensorKey(ref, ref.tensorIndex))!;
      const result = this.loss.compute(labels[i].data, pred.data, pred.shape, sampleWeight);
      total += result.value;
      this.metrics.forEach((m, j) => {
        const r = m.batch(labels[i].data, pred.data, pred.shape, sampleWeight);
        metricTotals[j].sum += r.sum;
        metricTotals[j].count += r.count;
      });
      return result.grad;
    });
    // A loss that is not finite stops before the backward pass, which would only spread it.
    if (!Number.isFinite(total)) return { loss: total, metrics: metricTotals, gradients: [], updates: [] };
    const { weights } = backwardTraining(this.graph, pass, outputGrads);
    const gradients = this.parameters.map((p, i) => {
      const g = weights.get(p.layer)?.[p.index] ?? null;
      const r = this.regularizers[i];
      if (g !== null && r !== undefined) addRegularizerGradient(r, p.layer.weights![p.index].data, g);
      return g;
    });
    return { loss: total, metrics: metricTotals, gradients, updates: pass.updates };
  }

  /**
   * The loss of one batch and the gradient of every trainable weight (in
   * Keras's order), with nothing written to the model: what a step of plain
   * SGD would subtract, scaled by the learning rate.
   *
   * @example
   * const { loss, gradients } = engine.lossGradients([x], [{ shape: [8], data: ids }]);
   */
  lossGradients(inputs: readonly Tensor[], labels: readonly Labels[], sampleWeight?: ArrayLike<number>): { loss: number; gradients: (Float32Array | null)[] } {
    const r = this.step(inputs, labels, sampleWeight);
    return { loss: r.loss, gradients: [...r.gradients] };
  }

  /**
   * One step on a batch: forward in training mode, loss, backward, update.
   * `where` names the batch in sentences (`epoch 2, batch 17`). Throws,
   * with every weight unchanged, when the loss or a gradient is not finite.
   */
  trainStep(inputs: readonly Tensor[], labels: readonly Labels[], sampleWeight: ArrayLike<number> | undefined, where: string): BatchResult {
    const r = this.step(inputs, labels, sampleWeight);
    if (!Number.isFinite(r.loss)) fail(`shapewise: fit stopped at ${where}: the loss is ${r.loss} (NaN or infinite); the weights are those before this batch`);
    const gradients = this.parameters.map((p, i) => {
      const g = r.gradients[i];
      if (g === null) fail(`shapewise: fit found no gradient for weight ${p.index} of layer '${p.layer.name}': it does not lead to any output`);
      if (!allFinite(g))
        fail(`shapewise: fit stopped at ${where}: a gradient of layer '${p.layer.name}' is NaN or infinite; the weights are those before this batch`);
      return g;
    });
    const weights = this.weightArrays();
    this.optimizer.applyGradients(weights, gradients);
    const stateWeights = r.updates.map((u) => {
      const into = u.layer.weights![u.index].data;
      into.set(u.value);
      return into;
    });
    weightsWritten([...weights, ...stateWeights]);
    return { loss: r.loss, metrics: r.metrics };
  }

  /** The loss and metrics of predictions already computed (inference mode) against labels. */
  score(preds: readonly Tensor[], labels: readonly Labels[], sampleWeight: ArrayLike<number> | undefined): BatchResult {
    let total = this.weightPenalty();
    const metricTotals = this.metrics.map(() => ({ sum: 0, count: 0 }));
    preds.forEach((pred, i) => {
      total += this.loss.compute(labels[i].data, pred.data, pred.shape, sampleWeight).value;
      this.metrics.forEach((m, j) => {
        const r = m.batch(labels[i].data, pred.data, pred.shape, sampleWeight);
        metricTotals[j].sum += r.sum;
        metricTotals[j].count += r.count;
      });
    });
    return { loss: total, metrics: metricTotals };
  }
}
