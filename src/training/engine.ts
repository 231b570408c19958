/**
 * One training step over a model's call graph: a forward pass in training
 * mode that keeps every tensor, the loss and its gradient, a backward pass in
 * reverse order that sums the gradients of tensors read by several calls and
 * of layers called several times, then one optimizer step. Nothing is
 * written to the model unless the whole step succeeded with finite numbers.
 */
import { fail } from "../checks.js";
import { weightsWritten } from "../kernels/packed-weights.js";
import type { Random } from "../kernels/random.js";
import type { Tensor } from "../kernels/tensor.js";
import type { Layer } from "../layers/layer.js";
import type { GraphNode, ModelGraph, TensorRef } from "../model-graph.js";
import type { Loss } from "./losses.js";
import type { Metric } from "./metrics.js";
import type { Optimizer } from "./optimizers.js";

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
  return layers
    .filter((layer) => layer.trainable)
    .flatMap((layer) =>
      layer
        .weightSpecs()
        .map((spec, index) => ({ layer, index, trainable: spec.trainable }))
        .filter((p) => p.trainable)
        .map(({ layer: l, index }) => ({ layer: l, index })),
    );
}

/**
 * Why a model cannot be trained, one sentence per layer that stops the
 * backward pass, or an empty list.
 */
export function trainingGaps(graph: ModelGraph): string[] {
  const seen = new Set<Layer>();
  const gaps: string[] = [];
  for (const node of graph.nodes) {
    if (node.inbound.length === 0 || seen.has(node.layer)) continue;
    seen.add(node.layer);
    const gap = node.layer.trainingGap();
    if (gap !== undefined) gaps.push(`'${node.layer.name}' (${node.layer.className}): ${gap}`);
  }
  return gaps;
}

const keyOf = (ref: { layer: Layer; nodeIndex: number }, tensorIndex = 0): string => `${ref.layer.name}\u0000${ref.nodeIndex}\u0000${tensorIndex}`;

function addInto(into: Map<string, Float32Array>, key: string, g: Float32Array): void {
  const have = into.get(key);
  if (have === undefined) into.set(key, g.slice());
  else for (let i = 0; i < g.length; i++) have[i] += g[i];
}

function allFinite(values: Float32Array): boolean {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return false;
  return true;
}

/**
 * Trains a model's graph with one loss on every output, summed as Keras sums
 * the losses of several outputs.
 */
export class TrainingEngine {
  private readonly parameters: Parameter[];

  constructor(
    private readonly graph: ModelGraph,
    layers: readonly Layer[],
    private readonly loss: Loss,
    private readonly metrics: readonly Metric[],
    private readonly optimizer: Optimizer,
    private readonly random: Random,
  ) {
    this.parameters = trainableParameters(layers);
  }

  /** The trainable weights' current values, in order. */
  private weightArrays(): Float32Array[] {
    return this.parameters.map((p) => p.layer.weights![p.index].data);
  }

  /**
   * One step on a batch: forward in training mode, loss, backward, update.
   * `where` names the batch in sentences (`epoch 2, batch 17`). Throws,
   * with every weight unchanged, when the loss or a gradient is not finite.
   */
  trainStep(inputs: readonly Tensor[], labels: readonly Labels[], sampleWeight: ArrayLike<number> | undefined, where: string): BatchResult {
    const values = new Map<string, Tensor>();
    const saved = new Map<GraphNode, unknown>();
    this.graph.inputs.forEach((ref, i) => values.set(keyOf(ref, ref.tensorIndex), inputs[i]));
    const context = { random: this.random };
    let total = 0;
    // Layers that add a loss of their own need their backward pass even when their output leads nowhere.
    const adding = new Set<GraphNode>();
    const updates: { layer: Layer; index: number; value: Float32Array }[] = [];
    for (const node of this.graph.nodes) {
      if (node.inbound.length === 0) continue;
      const args = node.inbound.map((ref) => values.get(keyOf(ref, ref.tensorIndex))!);
      const { output, outputs, saved: keep, loss: added, updates: state } = node.layer.callTraining(args, context);
      for (const u of state ?? []) updates.push({ layer: node.layer, index: u.index, value: u.value });
      (outputs ?? [output]).forEach((t, i) => values.set(keyOf(node, i), t));
      saved.set(node, keep);
      if (added !== undefined) {
        total += added;
        adding.add(node);
      }
    }
    const grads = new Map<string, Float32Array>();
    const metricTotals = this.metrics.map(() => ({ sum: 0, count: 0 }));
    this.graph.outputs.forEach((ref, i) => {
      const pred = values.get(keyOf(ref, ref.tensorIndex))!;
      const result = this.loss.compute(labels[i].data, pred.data, pred.shape, sampleWeight);
      total += result.value;
      addInto(grads, keyOf(ref, ref.tensorIndex), result.grad);
      this.metrics.forEach((m, j) => {
        const r = m.batch(labels[i].data, pred.data, pred.shape, sampleWeight);
        metricTotals[j].sum += r.sum;
        metricTotals[j].count += r.count;
      });
    });
    if (!Number.isFinite(total)) fail(`shapewise: fit stopped at ${where}: the loss is ${total} (NaN or infinite); the weights are those before this batch`);
    const weightGrads = new Map<Layer, (Float32Array | null)[]>();
    for (let n = this.graph.nodes.length - 1; n >= 0; n--) {
      const node = this.graph.nodes[n];
      if (node.inbound.length === 0) continue;
      // A layer with several outputs: the gradients of the others, null where none flows.
      const others = node.outputShapes.slice(1).map((_, i) => {
        const g = grads.get(keyOf(node, i + 1));
        return g === undefined ? null : { shape: values.get(keyOf(node, i + 1))!.shape, data: g };
      });
      const reached = others.some((g) => g !== null);
      const dOut = grads.get(keyOf(node)) ?? (adding.has(node) || reached ? new Float32Array(values.get(keyOf(node))!.data.length) : undefined);
      if (dOut === undefined) continue;
      const args = node.inbound.map((ref) => values.get(keyOf(ref, ref.tensorIndex))!);
      const output = values.get(keyOf(node))!;
      const r = node.layer.gradients!({ shape: output.shape, data: dOut }, args, output, saved.get(node), others);
      node.inbound.forEach((ref, i) => {
        const g = r.inputs[i];
        if (g !== null && g !== undefined && !isGraphInput(this.graph, ref)) addInto(grads, keyOf(ref, ref.tensorIndex), g.data);
      });
      const have = weightGrads.get(node.layer);
      if (have === undefined)
        weightGrads.set(
          node.layer,
          r.weights.map((w) => (w === null ? null : w.data.slice())),
        );
      else
        r.weights.forEach((w, i) => {
          if (w === null) return;
          const into = have[i];
          if (into === null) have[i] = w.data.slice();
          else for (let j = 0; j < into.length; j++) into[j] += w.data[j];
        });
    }
    const gradients = this.parameters.map((p) => {
      const g = weightGrads.get(p.layer)?.[p.index];
      if (g === null || g === undefined)
        fail(`shapewise: fit found no gradient for weight ${p.index} of layer '${p.layer.name}': it does not lead to any output`);
      if (!allFinite(g))
        fail(`shapewise: fit stopped at ${where}: a gradient of layer '${p.layer.name}' is NaN or infinite; the weights are those before this batch`);
      return g;
    });
    const weights = this.weightArrays();
    this.optimizer.applyGradients(weights, gradients);
    const stateWeights = updates.map((u) => {
      const into = u.layer.weights![u.index].data;
      into.set(u.value);
      return into;
    });
    weightsWritten([...weights, ...stateWeights]);
    return { loss: total, metrics: metricTotals };
  }

  /** The loss and metrics of predictions already computed (inference mode) against labels. */
  score(preds: readonly Tensor[], labels: readonly Labels[], sampleWeight: ArrayLike<number> | undefined): BatchResult {
    let total = 0;
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

function isGraphInput(graph: ModelGraph, ref: TensorRef): boolean {
  return graph.inputs.some((i) => i.layer === ref.layer);
}
