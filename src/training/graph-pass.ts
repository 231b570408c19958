/**
 * The two halves of a training step over one call graph, shared by a
 * model's training step and by a model applied as a layer of another (whose
 * forward and backward passes are its inner graph's): a forward pass in
 * training mode that keeps every tensor, and a backward pass in reverse order
 * that sums the gradients of tensors read by several calls and of layers
 * called several times.
 */
import type { Tensor } from "../kernels/tensor.js";
import type { Layer, TrainingContext } from "../layers/layer.js";
import type { GraphNode, ModelGraph } from "../model-graph.js";
import { hasSeveralOutputs } from "../model-graph.js";
import { nestedModel } from "../io/layer-registry.js";
import { Bidirectional } from "../layers/recurrent.js";
import { activityPenalty, addActivityGradient } from "../regularizers.js";
import type { Regularizer } from "../regularizers.js";

/** What a forward pass in training mode keeps for its backward pass. */
export interface ForwardPass {
  /** Every tensor of the graph, by {@link tensorKey}. */
  readonly values: Map<string, Tensor>;
  /** What each call's backward pass needs besides its inputs and output. */
  readonly saved: Map<GraphNode, unknown>;
  /** Calls that added a loss of their own (Keras `add_loss`): their backward pass runs even where no gradient reaches their output. */
  readonly adding: Set<GraphNode>;
  /** The sum of the losses the calls added, or `undefined` when none did. */
  readonly loss: number | undefined;
  /** New values of non-trainable weights (moving statistics), written once the whole step has succeeded. */
  readonly updates: readonly { readonly layer: Layer; readonly index: number; readonly value: Float32Array }[];
}

/** What a backward pass gives: the gradient of each graph input and each called layer's weight gradients, `null` where none flows. */
export interface BackwardPass {
  readonly inputs: readonly (Float32Array | null)[];
  /** Per layer, one gradient per weight in its `weightSpecs()` order, summed over the layer's calls. */
  readonly weights: Map<Layer, (Float32Array | null)[]>;
}

/**
 * The key of one output of one call in a graph's maps.
 *
 * @example
 * tensorKey({ layer: dense, nodeIndex: 1 }); // dense's second call, first output
 */
export const tensorKey = (ref: { readonly layer: Layer; readonly nodeIndex: number }, tensorIndex = 0): string =>
  `${ref.layer.name}\u0000${ref.nodeIndex}\u0000${tensorIndex}`;

/**
 * Why a graph cannot be trained, one sentence per layer that stops the
 * backward pass, or an empty list.
 *
 * @example
 * trainingGaps(m.graph()); // ["'doubling' (Doubling): its backward pass is not written yet"] for a layer class without one
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

/** The outputs of one call in the order of {@link tensorKey}'s index. */
function callOutputs(node: GraphNode, values: Map<string, Tensor>): Tensor[] {
  return node.outputShapes.map((_, i) => values.get(tensorKey(node, i))!);
}

/** The penalty an activity regulariser adds for every output of one call. */
function outputsPenalty(r: Regularizer, outputs: readonly Tensor[]): number {
  return outputs.reduce((sum, t) => sum + activityPenalty(r, t), 0);
}

/**
 * Shows a layer's later calls in this step the state its call has just
 * moved (Keras 3 assigns a batch normalisation's moving statistics at each
 * call, so a second call starts from the first's); the weights as they were
 * are kept to be put back after the forward pass.
 */
function stage(staged: Map<Layer, Tensor[]>, layer: Layer, state: readonly { readonly index: number; readonly value: Float32Array }[]): void {
  const current = layer.weights!;
  // A model applied as a layer relays its inner layers' updates, which its inner pass has staged already.
  if (state.every((u) => current[u.index].data === u.value)) return;
  if (!staged.has(layer)) staged.set(layer, current);
  const moved = [...current];
  for (const u of state) moved[u.index] = { shape: current[u.index].shape, data: u.value };
  layer.weights = moved;
}

function addInto(into: Map<string, Float32Array>, key: string, g: ArrayLike<number>): void {
  const have = into.get(key);
  if (have === undefined) into.set(key, Float32Array.from(g));
  else for (let i = 0; i < g.length; i++) have[i] += g[i];
}

/**
 * Runs every call of `graph` in training mode on `inputs`, keeping what the
 * backward pass needs. Nothing is written to any weight.
 *
 * @example
 * const pass = forwardTraining(m.graph(), [x], { random });
 * const y = pass.values.get(tensorKey(m.graph().outputs[0]));
 */
export function forwardTraining(graph: ModelGraph, inputs: readonly Tensor[], context: TrainingContext): ForwardPass {
  const values = new Map<string, Tensor>();
  const saved = new Map<GraphNode, unknown>();
  const adding = new Set<GraphNode>();
  const updates: { layer: Layer; index: number; value: Float32Array }[] = [];
  let loss: number | undefined;
  graph.inputs.forEach((ref, i) => values.set(tensorKey(ref, ref.tensorIndex), inputs[i]));
  // The outermost pass owns the staged state, so that a nested model called twice sees it too.
  const owner = context.staged === undefined;
  const staged = context.staged ?? new Map<Layer, Tensor[]>();
  const inner: TrainingContext = owner ? { ...context, staged } : context;
  try {
    for (const node of graph.nodes) {
      if (node.inbound.length === 0) continue;
      const args = node.inbound.map((ref) => values.get(tensorKey(ref, ref.tensorIndex))!);
      const { output, outputs, saved: keep, loss: added, updates: state } = node.layer.callTraining(args, inner);
      for (const u of state ?? []) updates.push({ layer: node.layer, index: u.index, value: u.value });
      if (state !== undefined && state.length > 0) stage(staged, node.layer, state);
      (outputs ?? [output]).forEach((t, i) => values.set(tensorKey(node, i), t));
      saved.set(node, keep);
      const activity = node.layer.activityRegularizer();
      const total = activity === undefined ? added : (added ?? 0) + outputsPenalty(activity, callOutputs(node, values));
      if (total !== undefined) {
        loss = (loss ?? 0) + total;
        adding.add(node);
      }
    }
  } finally {
    if (owner) for (const [layer, original] of staged) layer.weights = original;
  }
  return { values, saved, adding, loss, updates };
}

/**
 * The backward pass of a {@link forwardTraining} pass from the gradients of
 * the graph's outputs (`undefined` for an output no gradient reaches).
 *
 * @example
 * const { inputs, weights } = backwardTraining(graph, pass, [dLoss]);
 */
export function backwardTraining(graph: ModelGraph, pass: ForwardPass, outputGrads: readonly (ArrayLike<number> | undefined)[]): BackwardPass {
  const { values } = pass;
  const grads = new Map<string, Float32Array>();
  graph.outputs.forEach((ref, i) => {
    const g = outputGrads[i];
    if (g !== undefined) addInto(grads, tensorKey(ref, ref.tensorIndex), g);
  });
  const weights = new Map<Layer, (Float32Array | null)[]>();
  for (let n = graph.nodes.length - 1; n >= 0; n--) {
    const node = graph.nodes[n];
    if (node.inbound.length === 0) continue;
    const activity = node.layer.activityRegularizer();
    if (activity !== undefined)
      callOutputs(node, values).forEach((t, i) => {
        const g = new Float32Array(t.data.length);
        addActivityGradient(activity, t, g);
        addInto(grads, tensorKey(node, i), g);
      });
    // A layer with several outputs: the gradients of the others, null where none flows.
    const others = node.outputShapes.slice(1).map((_, i) => {
      const g = grads.get(tensorKey(node, i + 1));
      return g === undefined ? null : { shape: values.get(tensorKey(node, i + 1))!.shape, data: g };
    });
    const reached = others.some((g) => g !== null);
    const dOut = grads.get(tensorKey(node)) ?? (pass.adding.has(node) || reached ? new Float32Array(values.get(tensorKey(node))!.data.length) : undefined);
    if (dOut === undefined) continue;
    const args = node.inbound.map((ref) => values.get(tensorKey(ref, ref.tensorIndex))!);
    const output = values.get(tensorKey(node))!;
    const r = node.layer.gradients!({ shape: output.shape, data: dOut }, args, output, pass.saved.get(node), others);
    node.inbound.forEach((ref, i) => {
      const g = r.inputs[i];
      if (g !== null && g !== undefined) addInto(grads, tensorKey(ref, ref.tensorIndex), g.data);
    });
    const have = weights.get(node.layer);
    if (have === undefined)
      weights.set(
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
  return { inputs: graph.inputs.map((ref) => grads.get(tensorKey(ref, ref.tensorIndex)) ?? null), weights };
}

/**
 * The activity regularisers' penalty of one batch in inference mode (what
 * Keras 3's `evaluate` adds to the loss beside the weight penalties), every
 * call counted, inside nested models too; 0 for a graph without activity
 * regularisers, which is not run at all.
 *
 * @example
 * const penalty = inferenceActivityPenalty(m.graph(), [x]); // l1 * sum(|y|) / batch for a dense with activityRegularizer "l1"
 */
export function inferenceActivityPenalty(graph: ModelGraph, inputs: readonly Tensor[]): number {
  return hasActivityRegularizer(graph) ? inferencePass(graph, inputs).penalty : 0;
}

function hasActivityRegularizer(graph: ModelGraph): boolean {
  return graph.nodes.some((node) => {
    if (node.layer.activityRegularizer() !== undefined || directionsRegularized(node.layer)) return true;
    const inner = nestedModel(node.layer);
    return inner !== undefined && hasActivityRegularizer(inner.graph());
  });
}

function directionsRegularized(layer: Layer): layer is Bidirectional {
  return layer instanceof Bidirectional && layer.directionsRegularizer() !== undefined;
}

function inferencePass(graph: ModelGraph, inputs: readonly Tensor[]): { outputs: Tensor[]; penalty: number } {
  const values = new Map<string, Tensor>();
  let penalty = 0;
  graph.inputs.forEach((ref, i) => values.set(tensorKey(ref, ref.tensorIndex), inputs[i]));
  for (const node of graph.nodes) {
    if (node.inbound.length === 0) continue;
    const args = node.inbound.map((ref) => values.get(tensorKey(ref, ref.tensorIndex))!) as [Tensor, ...Tensor[]];
    const inner = nestedModel(node.layer);
    let outputs: Tensor[];
    if (inner !== undefined) {
      // A nested model's own layers add their penalties, as Keras collects `losses` through every level.
      const pass = inferencePass(inner.graph(), args);
      outputs = pass.outputs;
      penalty += pass.penalty;
    } else outputs = hasSeveralOutputs(node.layer) ? node.layer.callOutputs(...args) : [node.layer.call(...args)];
    outputs.forEach((t, i) => values.set(tensorKey(node, i), t));
    const activity = node.layer.activityRegularizer();
    if (activity !== undefined) penalty += outputsPenalty(activity, callOutputs(node, values));
    // A bidirectional's directions add their penalties on their own outputs, which only its training call keeps (and it is deterministic).
    if (directionsRegularized(node.layer)) penalty += node.layer.callTraining(args).loss ?? 0;
  }
  return { outputs: graph.outputs.map((ref) => values.get(tensorKey(ref, ref.tensorIndex))!), penalty };
}
