/**
 * The graph of a model's layer calls as data: its tensors and calls, the
 * walk that finds them from the outputs back in Keras's order, and the
 * arrangement (one tensor, a list, a record) of a model's ends.
 */
import { fail, valueText } from "./checks.js";
import type { Tensor } from "./kernels/tensor.js";
import type { Layer } from "./layers/layer.js";
import type { Shape } from "./shape.js";
import type { SymbolicTensorImpl } from "./symbolic-tensor.js";

/**
 * How a model's inputs or outputs are arranged: one tensor, a list, or a
 * record with these keys (the arrangement `predict` takes and gives back).
 *
 * @example
 * m.inputLayout; // "single", "list" or { keys: ["image", "meta"] }
 */
export type TensorLayout = "single" | "list" | { readonly keys: readonly string[] };

/**
 * One tensor of the graph: the layer call (node) that produced it and which
 * of that call's outputs it is, as Keras writes `conv2d[0][0]`.
 *
 * @example
 * const ref: TensorRef = m.graph().outputs[0]; // { layer, nodeIndex: 0, tensorIndex: 0, shape: [null, 10] }
 */
export interface TensorRef {
  readonly layer: Layer;
  readonly nodeIndex: number;
  readonly tensorIndex: number;
  readonly shape: Shape;
}

/**
 * One call of a layer in the model: what it received and the shapes it gave.
 * A shared layer has one node per call.
 *
 * @example
 * m.graph().nodes.map((n) => `${n.layer.name}[${n.nodeIndex}]`); // ["input_1[0]", "dense[0]", "dense[1]", ...]
 */
export interface GraphNode {
  readonly layer: Layer;
  readonly nodeIndex: number;
  /** The tensors this call received, in order (none for an input layer). */
  readonly inbound: readonly TensorRef[];
  /** One shape per output of the call. */
  readonly outputShapes: readonly Shape[];
}

/**
 * The call graph of a model, for anything that writes it out (file formats,
 * code generation, diagrams): nodes in an order where each comes after the
 * nodes it reads.
 *
 * @example
 * const { inputs, outputs, nodes } = m.graph();
 */
export interface ModelGraph {
  readonly inputs: readonly TensorRef[];
  readonly outputs: readonly TensorRef[];
  readonly nodes: readonly GraphNode[];
}

/** The tensors of a model and how the caller arranged them. */
export interface ModelEnds {
  readonly inputs: readonly SymbolicTensorImpl[];
  readonly outputs: readonly SymbolicTensorImpl[];
  readonly inputLayout: TensorLayout;
  readonly outputLayout: TensorLayout;
}

/** A call of a layer while the graph is computed: its inputs, and its output tensors in the model. */
export interface CallNode {
  readonly layer: Layer;
  readonly nodeIndex: number;
  readonly inbound: readonly SymbolicTensorImpl[];
  /** The tensors of this call that the model uses, by output index. */
  readonly outputs: SymbolicTensorImpl[];
}

/** The private graph of a model: its ends, its calls in order and its layers. */
export interface GraphParts {
  readonly inputs: readonly SymbolicTensorImpl[];
  readonly outputs: readonly SymbolicTensorImpl[];
  readonly nodes: readonly CallNode[];
  readonly layers: readonly Layer[];
}

/** The call graph of a model's parts, as {@link ModelGraph} data. */
export function graphOf(parts: GraphParts): ModelGraph {
  const ref = (t: SymbolicTensorImpl): TensorRef => ({ layer: t.layer, nodeIndex: t.nodeIndex, tensorIndex: t.outputIndex, shape: t.shape });
  return {
    inputs: parts.inputs.map(ref),
    outputs: parts.outputs.map(ref),
    nodes: parts.nodes.map((n) => ({ layer: n.layer, nodeIndex: n.nodeIndex, inbound: n.inbound.map(ref), outputShapes: nodeOutputShapes(n) })),
  };
}

/** One value per layout slot: the value itself, a list, or a record with the layout's keys. */
export function arrange<T>(layout: TensorLayout, values: readonly T[]): T | readonly T[] | Record<string, T> {
  if (layout === "single") return values[0];
  if (layout === "list") return Object.freeze([...values]);
  const record: Record<string, T> = Object.create(null);
  layout.keys.forEach((k, i) => (record[k] = values[i]));
  return Object.freeze(record);
}

/** The inverse of {@link arrange} for a caller's value, with a sentence for any other arrangement. */
export function unarrange(method: string, layout: TensorLayout, value: unknown, names: readonly string[]): unknown[] {
  if (layout === "single") return [value];
  if (layout === "list") {
    if (!Array.isArray(value) || value.length !== names.length) {
      fail(
        `shapewise: ${method} expects a list of ${names.length} tensors (${names.join(", ")}), got ${Array.isArray(value) ? `${value.length}` : valueText(value)}`,
      );
    }
    return [...value];
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    fail(`shapewise: ${method} expects a record of tensors with keys ${layout.keys.join(", ")}, got ${valueText(value)}`);
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  const extra = keys.find((k) => !layout.keys.includes(k));
  const missing = layout.keys.find((k) => !Object.hasOwn(record, k));
  if (extra !== undefined || missing !== undefined) {
    fail(`shapewise: ${method} expects a record of tensors with keys ${layout.keys.join(", ")}, got keys ${keys.join(", ") || "(none)"}`);
  }
  return layout.keys.map((k) => record[k]);
}

/** Each layer's calls, in graph order: one pass, however many layers and calls. */
export function nodesByLayer(nodes: readonly CallNode[]): Map<Layer, CallNode[]> {
  const calls = new Map<Layer, CallNode[]>();
  for (const n of nodes) {
    const list = calls.get(n.layer);
    if (list === undefined) calls.set(n.layer, [n]);
    else list.push(n);
  }
  return calls;
}

/** The shapes a node gives, by output index (for outputs the model does not use, the layer's own record). */
export function nodeOutputShapes(n: CallNode): Shape[] {
  if (hasSeveralOutputs(n.layer) && n.inbound.length > 0) return n.layer.computeOutputShapes(...n.inbound.map((t) => t.shape));
  return [n.outputs[0]?.shape ?? n.layer.outputShape ?? []];
}

/**
 * The tf.keras 2 / Keras 3 rule for a plain chain: one call per depth, none
 * with several inputs, and no layer called twice.
 */
export function sequentialLike(nodes: readonly CallNode[]): boolean {
  const depths = nodeDepths(nodes);
  const perDepth = new Map<number, number>();
  for (const n of nodes) perDepth.set(depths.get(n)!, (perDepth.get(depths.get(n)!) ?? 0) + 1);
  if ([...perDepth.values()].some((c) => c > 1)) return false;
  if (nodes.some((n) => n.inbound.length > 1)) return false;
  const layers = nodes.map((n) => n.layer);
  return new Set(layers).size === layers.length;
}

/** Depth of each node from the outputs, as Keras computes it (an output is depth 0). */
export function nodeDepths(nodes: readonly CallNode[]): Map<CallNode, number> {
  const byTensor = new Map<SymbolicTensorImpl, CallNode>();
  for (const n of nodes) for (const t of n.outputs) byTensor.set(t, n);
  const depths = new Map<CallNode, number>();
  const layerDepths = new Map<Layer, number>();
  for (let i = nodes.length - 1; i >= 0; i--) {
    const n = nodes[i];
    const depth = Math.max(depths.get(n) ?? 0, layerDepths.get(n.layer) ?? 0);
    layerDepths.set(n.layer, depth);
    depths.set(n, depth);
    for (const t of n.inbound) {
      const parent = byTensor.get(t)!;
      depths.set(parent, Math.max(depth + 1, depths.get(parent) ?? 0));
    }
  }
  return depths;
}

/**
 * The nodes between the inputs and the outputs, each after the ones it
 * reads, and the layers in Keras order: by depth from the inputs, ties in
 * the order a walk from the outputs first meets them (Keras `map_graph`).
 */
export function mapGraph(what: string, inputs: readonly SymbolicTensorImpl[], outputs: readonly SymbolicTensorImpl[]): { nodes: CallNode[]; layers: Layer[] } {
  const inputSet = new Set(inputs);
  const nodeOf = new Map<object, CallNode>();
  const order: CallNode[] = [];
  const layerIndex = new Map<Layer, number>();
  const finished = new Set<CallNode>();
  const inProgress = new Set<CallNode>();
  const keyOf = (t: SymbolicTensorImpl): object => (t.inbound.length === 0 ? t.layer : t.inbound);
  const stack: { t: SymbolicTensorImpl; expanded: boolean }[] = outputs.map((t) => ({ t, expanded: false })).reverse();
  while (stack.length > 0) {
    const top = stack.pop()!;
    const t = top.t;
    let node = nodeOf.get(keyOf(t));
    if (node === undefined) {
      node = { layer: t.layer, nodeIndex: t.nodeIndex, inbound: inputSet.has(t) ? [] : t.inbound, outputs: [] };
      nodeOf.set(keyOf(t), node);
    }
    if (!node.outputs[t.outputIndex]) node.outputs[t.outputIndex] = t;
    if (finished.has(node)) continue;
    if (top.expanded) {
      inProgress.delete(node);
      finished.add(node);
      order.push(node);
      continue;
    }
    if (inProgress.has(node)) continue;
    if (!layerIndex.has(node.layer)) layerIndex.set(node.layer, layerIndex.size);
    if (!inputSet.has(t) && t.inbound.length === 0) {
      fail(`shapewise: ${what} outputs do not come from its inputs (they reach input '${t.layer.name}')`);
    }
    inProgress.add(node);
    stack.push({ t, expanded: true });
    for (let i = node.inbound.length - 1; i >= 0; i--) stack.push({ t: node.inbound[i], expanded: false });
  }
  for (const t of inputs) {
    if (!finished.has(nodeOf.get(keyOf(t))!)) fail(`shapewise: ${what} input '${t.layer.name}' does not lead to any output`);
  }
  const depths = nodeDepths(order);
  const layerDepth = new Map<Layer, number>();
  for (const n of order) layerDepth.set(n.layer, Math.max(layerDepth.get(n.layer) ?? 0, depths.get(n)!));
  const layers = [...layerDepth.keys()].sort((a, b) => layerDepth.get(b)! - layerDepth.get(a)! || layerIndex.get(a)! - layerIndex.get(b)!);
  return { nodes: order, layers };
}

/**
 * How many layer calls read each tensor, for releasing buffers early;
 * `null` (keep everything to the end) when a layer has several outputs,
 * whose buffers may alias one another.
 */
export function readerCounts(nodes: readonly CallNode[]): Map<SymbolicTensorImpl, number> | null {
  if (nodes.some((n) => hasSeveralOutputs(n.layer))) return null;
  const counts = new Map<SymbolicTensorImpl, number>();
  for (const n of nodes) for (const t of n.inbound) counts.set(t, (counts.get(t) ?? 0) + 1);
  return counts;
}

/**
 * Sizes left unknown at definition (`null`) are known once data arrives:
 * check every rule again for them, so a too-small image is a `ShapeError`
 * before any computation.
 */
export function checkConcreteShapes(
  nodes: readonly CallNode[],
  inputs: readonly SymbolicTensorImpl[],
  given: readonly Shape[],
): Map<SymbolicTensorImpl, Shape> {
  const shapes = new Map<SymbolicTensorImpl, Shape>();
  inputs.forEach((t, i) => shapes.set(t, given[i]));
  for (const n of nodes) {
    if (n.inbound.length === 0) continue;
    const args = n.inbound.map((t) => shapes.get(t)!) as [Shape, ...Shape[]];
    const out = hasSeveralOutputs(n.layer) ? n.layer.computeOutputShapes(...args) : [n.layer.computeOutputShape(...args)];
    n.outputs.forEach((t, i) => t !== undefined && shapes.set(t, out[i]));
  }
  return shapes;
}

/**
 * A layer with several outputs (an RNN with `returnState`, a `bidirectional`
 * without merging): it computes them all at once, and each of its tensors
 * picks one by `outputIndex`.
 */
export interface SeveralOutputs {
  computeOutputShapes(...inputShapes: Shape[]): Shape[];
  callOutputs(...inputs: Tensor[]): Tensor[];
}

export function hasSeveralOutputs(layer: Layer): layer is Layer & SeveralOutputs {
  return typeof (layer as Partial<SeveralOutputs>).callOutputs === "function";
}
