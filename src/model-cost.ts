/**
 * What a model costs: multiply-accumulates and other operations per layer
 * call, and the memory a forward pass (and a training step) keeps alive at
 * its peak.
 */
import { fail, valueText } from "./checks.js";
import { trainableCount, trainingElements, trainingOption } from "./cost-training.js";
import type { TrainingMemory, TrainingMemoryOptions } from "./cost-training.js";
import { sampleElements, sum } from "./layers/layer.js";
import type { LayerCost } from "./layers/layer.js";
import { nodeOutputShapes } from "./model-graph.js";
import type { CallNode, GraphParts } from "./model-graph.js";
import { pooledCalls } from "./model-plan.js";
import type { SymbolicTensorImpl } from "./symbolic-tensor.js";

/**
 * Options of {@link Model.countFlops} and {@link Model.memory}.
 *
 * @example
 * m.countFlops({ batch: 32 });
 */
export interface CostOptions {
  /** Samples per batch (default 1): every count is per sample times the batch. */
  batch?: number;
}

/**
 * Options of {@link Model.memory}: the batch, and `training` for what a
 * training step keeps with that optimizer.
 *
 * @example
 * m.memory({ batch: 64, training: { optimizer: "adam" } });
 */
export interface MemoryOptions extends CostOptions {
  training?: TrainingMemoryOptions;
}

/**
 * What a forward pass keeps in memory, in bytes (float32): the weights, and
 * the activations `predict` keeps alive at its peak, when the layer
 * `peakLayer` computes its output while the tensors still to be read stay.
 *
 * @example
 * m.memory({ batch: 8 }); // { batch: 8, parameterBytes: 452648, activationBytes: 187392, peakLayer: "conv2d" }
 */
export interface MemoryEstimate {
  readonly batch: number;
  readonly parameterBytes: number;
  /** Activation bytes at the peak for the whole batch (per sample times the batch). */
  readonly activationBytes: number;
  /** The layer whose call is the peak. */
  readonly peakLayer: string;
  /** With the `training` option: what one training step keeps (see {@link TrainingMemory}). */
  readonly training?: TrainingMemory;
}

/** What one sample costs a layer call, by its class's rule. */
export function nodeCost(n: CallNode): LayerCost {
  return n.layer.cost(
    n.inbound.map((t) => t.shape),
    nodeOutputShapes(n),
  );
}

/** Costs summed, `null` where one is unknown. */
export function sumCosts(costs: readonly LayerCost[]): LayerCost {
  return { macs: sum(...costs.map((c) => c.macs)), ops: sum(...costs.map((c) => c.ops)) };
}

/** The `batch` option of the cost methods: a positive integer, 1 by default. */
function batchOption(method: string, options: unknown, others: readonly string[] = []): number {
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    fail(`shapewise: ${method} options must be an object, got ${valueText(options)}`);
  }
  const extra = Object.keys(options).find((k) => k !== "batch" && !others.includes(k));
  if (extra !== undefined) fail(`shapewise: ${method} has no option '${extra}' (options: ${["batch", ...others].join(", ")})`);
  const batch = (options as CostOptions).batch;
  if (batch === undefined) return 1;
  if (typeof batch !== "number" || !Number.isSafeInteger(batch) || batch < 1) {
    fail(`shapewise: ${method} batch must be a positive integer, got ${valueText(batch)}`);
  }
  return batch;
}

/** A count that must stay exact: past 2^53 a float would round it silently. */
function safeCount(method: string, value: number): number {
  if (!Number.isSafeInteger(value)) fail(`shapewise: ${method} total ${value} is past 2^53 - 1, where counts are no longer exact`);
  return value;
}

/**
 * The peak of activation elements per sample during `predict`: nodes run in
 * order; a node's outputs are made while its inputs and every tensor still
 * to be read are alive; a tensor is released after its last reader unless
 * it is a model output; layers that pass their buffer on share it. With
 * `pooled` (see `pooledCalls`), a convolution that writes the max pool
 * after it makes a buffer of the pool's size, and the calls up to that
 * pool pass it on.
 */
export function activationPeak(
  nodes: readonly CallNode[],
  outputs: readonly SymbolicTensorImpl[],
  pooled?: { writes: ReadonlyMap<CallNode, SymbolicTensorImpl>; passes: ReadonlySet<CallNode> },
): { elements: number | null; layer: string } {
  const readers = new Map<SymbolicTensorImpl, number>();
  for (const n of nodes) for (const t of n.inbound) readers.set(t, (readers.get(t) ?? 0) + 1);
  // A buffer and the tensors that share it.
  const bufferOf = new Map<SymbolicTensorImpl, { elements: number | null; holders: number }>();
  const live = new Set<{ elements: number | null; holders: number }>();
  const kept = new Set(outputs);
  const size = () => sum(...[...live].map((b) => b.elements));
  let peak = 0;
  let layer = nodes[0]?.layer.name ?? "";
  const hold = (t: SymbolicTensorImpl, buffer: { elements: number | null; holders: number }) => {
    buffer.holders++;
    bufferOf.set(t, buffer);
    live.add(buffer);
  };
  const drop = (t: SymbolicTensorImpl) => {
    const buffer = bufferOf.get(t);
    if (buffer === undefined) return;
    buffer.holders--;
    if (buffer.holders === 0) live.delete(buffer);
  };
  for (const n of nodes) {
    const shapes = nodeOutputShapes(n);
    if (n.inbound.length === 0) {
      for (const t of n.outputs) if (t !== undefined) hold(t, { elements: sampleElements(t.shape), holders: 0 });
    } else if (n.layer.passesBuffer() || pooled?.passes.has(n) === true) {
      for (const t of n.outputs) if (t !== undefined) hold(t, bufferOf.get(n.inbound[0])!);
    } else if (pooled?.writes.has(n) === true) {
      hold(n.outputs[0]!, { elements: sampleElements(pooled.writes.get(n)!.shape), holders: 0 });
    } else {
      const made = n.outputs.map((t, i) => (t === undefined ? undefined : { t, buffer: { elements: sampleElements(shapes[i] ?? t.shape), holders: 0 } }));
      for (const m of made) if (m !== undefined) hold(m.t, m.buffer);
    }
    const now = size();
    if (now === null) return { elements: null, layer: n.layer.name };
    if (now > peak) {
      peak = now;
      layer = n.layer.name;
    }
    for (const t of n.inbound) {
      const left = readers.get(t)! - 1;
      readers.set(t, left);
      if (left === 0 && !kept.has(t)) drop(t);
    }
    for (const t of n.outputs) if (t !== undefined && !readers.has(t) && !kept.has(t)) drop(t);
  }
  return { elements: peak, layer };
}

/** The costs of every layer call of a graph, summed. */
export function costTotals(nodes: readonly CallNode[]): LayerCost {
  return sumCosts(nodes.filter((n) => n.inbound.length > 0).map(nodeCost));
}

/** {@link Model.countFlops} over a model's graph: every call's multiply-accumulates times the batch. */
export function countFlopsOf(parts: GraphParts, options: CostOptions): number {
  const batch = batchOption("countFlops", options);
  const total = costTotals(parts.nodes).macs;
  if (total === null) {
    const unknown = parts.nodes.find((n) => n.inbound.length > 0 && nodeCost(n).macs === null)!;
    fail(`shapewise: countFlops needs every size: layer ${unknown.layer.name} has input shape ${valueText(unknown.inbound.map((t) => t.shape)[0])}`);
  }
  return safeCount("countFlops", total * batch);
}

/** {@link Model.memory} over a model's graph holding `params` parameters. */
export function memoryOf(parts: GraphParts, params: number, options: MemoryOptions): MemoryEstimate {
  const batch = batchOption("memory", options, ["training"]);
  const peak = activationPeak(parts.nodes, parts.outputs, pooledCalls(parts.nodes, parts.outputs));
  if (peak.elements === null) {
    fail(`shapewise: memory needs every size: layer ${peak.layer} has an output of unknown size`);
  }
  const parameterBytes = safeCount("memory", params * 4);
  const estimate = { batch, parameterBytes, activationBytes: safeCount("memory", peak.elements * 4 * batch), peakLayer: peak.layer };
  if (options.training === undefined) return estimate;
  const slots = trainingOption(options.training);
  const { kept, gradients, lastCall } = trainingElements(
    parts.nodes.map((n) => {
      const shapes = nodeOutputShapes(n);
      return {
        layer: n.layer,
        inputs: n.inbound,
        inputShapes: n.inbound.map((t) => t.shape),
        outputs: n.outputs.flatMap((t, i) => (t === undefined ? [] : [{ tensor: t, shape: shapes[i] ?? t.shape }])),
      };
    }),
  );
  if (kept === null || gradients === null || lastCall.perSample === null) fail("shapewise: memory needs every size: a layer has an output of unknown size");
  const trainable = trainableCount(parts.layers);
  const activationBytes = safeCount("memory", kept * 4 * batch);
  const gradientBytes = safeCount("memory", ((gradients + lastCall.perSample) * batch + trainable) * 4);
  const optimizerBytes = safeCount("memory", slots * trainable * 4);
  const training: TrainingMemory = {
    optimizerSlots: slots,
    activationBytes,
    gradientBytes,
    optimizerBytes,
    totalBytes: safeCount("memory", parameterBytes + activationBytes + gradientBytes + optimizerBytes),
  };
  return { ...estimate, training };
}
