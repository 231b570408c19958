/**
 * A model's summary as data: one row per layer with its shapes, parameter
 * counts, connections and costs, and the totals. The summary styles
 * (`src/summary/`) only format these rows.
 */
import { InputLayer } from "./layers/input.js";
import { activationPeak, costTotals, nodeCost, sumCosts } from "./model-cost.js";
import { pooledCalls } from "./model-plan.js";
import { nodeOutputShapes, nodesByLayer, sequentialLike } from "./model-graph.js";
import type { GraphParts } from "./model-graph.js";
import type { StyleNames, SummaryData, SummaryRow } from "./summary/rows.js";

/**
 * The summary rows of a model's graph (a shared layer once, with every
 * call's connections) and its totals; a sequential model lists no input row.
 *
 * @example
 * summaryDataOf(parts, "functional", m.names).rows.map((r) => r.names.keras2); // ["input_1", "conv2d", ...]
 */
export function summaryDataOf(parts: GraphParts, kind: "functional" | "sequential", names: StyleNames): SummaryData {
  const rows: SummaryRow[] = [];
  const callsOf = nodesByLayer(parts.nodes);
  for (const layer of parts.layers) {
    const isInput = layer instanceof InputLayer;
    if (isInput && kind === "sequential") continue;
    const calls = callsOf.get(layer)!;
    const first = calls[0];
    const specs = layer.weightSpecs();
    // A frozen layer's weights all count as non-trainable, as Keras counts them; a nested model's flags
    // follow each inner layer's own (a frozen layer inside stays frozen in the outer row).
    const flags = layer.trainableWeightFlags();
    const count = (trainable: boolean) => specs.filter((_, k) => flags[k] === trainable).reduce((sum, s) => sum + s.shape.reduce((p, d) => p * d, 1), 0);
    rows.push({
      names: layer.names,
      className: layer.className,
      isInput,
      inputShapes: isInput ? [nodeOutputShapes(first)[0]] : first.inbound.map((i) => i.shape),
      outputShape: nodeOutputShapes(first)[0],
      outputShapes: nodeOutputShapes(first),
      params: layer.countParams(),
      trainableParams: count(true),
      nonTrainableParams: count(false),
      inbound: calls.flatMap((n) => n.inbound.map((i) => ({ layer: i.layer.names, nodeIndex: i.nodeIndex, tensorIndex: i.outputIndex }))),
      ...(isInput ? { macs: 0, ops: 0 } : sumCosts(calls.map(nodeCost))),
    });
  }
  const totals = costTotals(parts.nodes);
  const memory = activationPeak(parts.nodes, parts.outputs, pooledCalls(parts.nodes, parts.outputs));
  const trainable = rows.reduce((s, r) => s + r.trainableParams, 0);
  const nonTrainable = rows.reduce((s, r) => s + r.nonTrainableParams, 0);
  return {
    names,
    kind,
    sequentialLike: sequentialLike(parts.nodes),
    rows,
    totalParams: trainable + nonTrainable,
    trainableParams: trainable,
    nonTrainableParams: nonTrainable,
    bytesPerParam: 4,
    totalMacs: totals.macs,
    totalOps: totals.ops,
    activationBytes: memory.elements === null ? null : memory.elements * 4,
  };
}
