/**
 * The plan of a forward pass on the WebAssembly kernels, made once per
 * graph at its first run: a convolution (depthwise too) or dense layer with a linear
 * activation takes in the layers that only post-process its output, in one
 * kernel call instead of one pass over the activations each:
 *
 * - an inference-mode batch normalisation of its channels, folded into its
 *   kernel and bias;
 * - then (not after a depthwise convolution) an `add` of one other tensor of the same shape that is already
 *   computed when the product runs (a residual connection), added in the
 *   product's last step;
 * - then an activation (`Activation`, or a plain `ReLU`), applied there too.
 *
 * A channels-last `ZeroPadding2D` whose output only a 2-D convolution
 * (depthwise too) reads is taken in before it: the convolution reads the
 * unpadded input and counts the zeros as its own padding, so the padded
 * copy is never written.
 *
 * A channels-last `MaxPooling2D` of 2x2 windows, stride 2, valid padding,
 * that alone reads a plain 2-D convolution's output (after what the
 * convolution took in, or straight after it whatever its own activation)
 * is written by the convolution's last step: the full-size output is never
 * written. At run time only where the kernels can (`writesPool`); else the
 * pool runs as its own call.
 *
 * Each absorbed tensor must have that one reader and be no model output.
 * The reference kernels never use the plan: they stay the oracle that the
 * fused results are checked against.
 */
import type { ActivationName } from "./kernels/activations.js";
import { getKernelBackend } from "./kernels/backend.js";
import { weightsWritten } from "./kernels/packed-weights.js";
import { foldBatchNorm } from "./kernels/fold.js";
import type { Tensor } from "./kernels/tensor.js";
import { ReLU } from "./layers/activations.js";
import { Conv1D, Conv2D, DepthwiseConv1D, DepthwiseConv2D } from "./layers/convolutional.js";
import { Activation, Dense } from "./layers/core.js";
import type { Layer } from "./layers/layer.js";
import { Add } from "./layers/merging.js";
import { BatchNormalization } from "./layers/normalization.js";
import { MaxPooling2D } from "./layers/pooling.js";
import { ZeroPadding2D } from "./layers/reshaping.js";
import type { CallNode } from "./model-graph.js";
import type { SymbolicTensorImpl } from "./symbolic-tensor.js";

/**
 * One product and the layers it absorbs, in graph order.
 *
 * @example
 * ```ts
 * const g: FusedGroup = { pad: null, head, norm, add: null, residual: null, activation: act, pool: null, members: [head, norm, act] };
 * ```
 */
export interface FusedGroup {
  /** A zero padding the convolution takes as its own padding. */
  readonly pad: CallNode | null;
  /** The convolution or dense call. */
  readonly head: CallNode;
  /** A batch normalisation folded into its weights. */
  readonly norm: CallNode | null;
  /** An add whose other operand is {@link residual}. */
  readonly add: CallNode | null;
  readonly residual: SymbolicTensorImpl | null;
  /** An activation applied in the product's last step. */
  readonly activation: CallNode | null;
  /** A 2x2 max pool the convolution writes instead of its output, when the kernels can. */
  readonly pool: CallNode | null;
  /** Every call of the group in graph order (the padding, then the head); the last one's output is the group's. */
  readonly members: readonly CallNode[];
}

/** A layer whose product can take folded weights and a fused epilogue. */
type EpilogueLayer = Conv1D | Conv2D | DepthwiseConv1D | DepthwiseConv2D | Dense;

function isEpilogueLayer(layer: Layer): layer is EpilogueLayer {
  return layer instanceof Conv1D || layer instanceof Conv2D || isDepthwise(layer) || layer instanceof Dense;
}

/** A depthwise convolution folds a normalisation and applies an activation, but adds no residual. */
function isDepthwise(layer: Layer): boolean {
  return layer instanceof DepthwiseConv1D || layer instanceof DepthwiseConv2D;
}

/** The activation a layer is, when it is exactly one of the named functions. */
function activationOf(layer: Layer): ActivationName | null {
  if (layer instanceof Activation) return layer.activation;
  if (layer instanceof ReLU) return layer.plainActivation();
  return null;
}

const plans = new WeakMap<readonly CallNode[], ReadonlyMap<CallNode, FusedGroup>>();

/** The zeros of a zero padding a 2-D convolution can take in, or null. */
function imagePads(layer: Layer): readonly [readonly [number, number], readonly [number, number]] | null {
  if (!(layer instanceof ZeroPadding2D)) return null;
  const pads = layer.channelsLastPads();
  return pads === null ? null : [pads[0], pads[1]];
}

/** Whether a layer is the max pool a convolution can write: 2x2 windows, stride 2, valid, channels last. */
function isPairPool(layer: Layer): boolean {
  if (!(layer instanceof MaxPooling2D)) return false;
  const c = layer.getConfig();
  const twos = (v: unknown) => Array.isArray(v) && v.length === 2 && v[0] === 2 && v[1] === 2;
  return twos(c.poolSize) && twos(c.strides) && c.padding === "valid" && c.dataFormat === "channelsLast";
}

/** The plain 2-D convolution whose kernel may write a following max pool, or null (no weight is read). */
function poolingHead(layer: Layer): Conv2D | null {
  return layer instanceof Conv2D && layer.poolingActivation() !== null ? layer : null;
}

/** A 2-D convolution or depthwise convolution (the ones that take zeros around their input). */
function is2d(layer: Layer): boolean {
  return layer instanceof Conv2D || layer instanceof DepthwiseConv2D;
}

/**
 * The groups of a graph, keyed by their first call (a zero padding or the
 * head; made once per graph: the structure never changes, weights are read
 * at run time).
 *
 * @example
 * ```ts
 * fusionPlan(parts.nodes, parts.outputs).get(convNode)?.members.map((n) => n.layer.name); // ["conv1_conv", "conv1_bn", "conv1_relu"]
 * ```
 */
export function fusionPlan(nodes: readonly CallNode[], keep: readonly SymbolicTensorImpl[]): ReadonlyMap<CallNode, FusedGroup> {
  const known = plans.get(nodes);
  if (known !== undefined) return known;
  const kept = new Set(keep);
  const readers = new Map<SymbolicTensorImpl, CallNode[]>();
  const producedAt = new Map<SymbolicTensorImpl, number>();
  nodes.forEach((n, i) => {
    for (const t of n.inbound) readers.set(t, [...(readers.get(t) ?? []), n]);
    for (const t of n.outputs) if (t !== undefined) producedAt.set(t, i);
  });
  /** The one call reading `n`'s one output, when nothing else needs that output. */
  const soleReader = (n: CallNode): CallNode | null => {
    if (n.outputs.length !== 1 || n.outputs[0] === undefined) return null;
    const t = n.outputs[0];
    const r = readers.get(t);
    return kept.has(t) || r === undefined || r.length !== 1 ? null : r[0];
  };
  const plan = new Map<CallNode, FusedGroup>();
  const padOf = new Map<CallNode, CallNode>();
  for (const n of nodes) {
    if (n.inbound.length !== 1 || imagePads(n.layer) === null) continue;
    const reader = soleReader(n);
    if (reader !== null && reader.inbound.length === 1 && is2d(reader.layer)) padOf.set(reader, n);
  }
  const indexOf = new Map(nodes.map((n, i) => [n, i]));
  nodes.forEach((head) => {
    if (!isEpilogueLayer(head.layer) || head.inbound.length !== 1) return;
    // A convolution with an activation of its own takes in nothing but a pool.
    const linear = head.layer.takesEpilogue();
    if (!linear && poolingHead(head.layer) === null) return;
    const pad = padOf.get(head) ?? null;
    const members = pad === null ? [head] : [pad, head];
    // The group runs where its first call stands.
    const at = indexOf.get(members[0])!;
    let norm: CallNode | null = null;
    let add: CallNode | null = null;
    let residual: SymbolicTensorImpl | null = null;
    let activation: CallNode | null = null;
    let pool: CallNode | null = null;
    let next = soleReader(head);
    if (linear && next !== null && next.layer instanceof BatchNormalization && next.inbound.length === 1) {
      norm = next;
      members.push(next);
      next = soleReader(next);
    }
    if (linear && next !== null && next.layer instanceof Add && next.inbound.length === 2 && !isDepthwise(head.layer)) {
      const mine = members[members.length - 1].outputs[0];
      const other = next.inbound[0] === mine ? next.inbound[1] : next.inbound[0];
      // The other operand must exist when the product runs (a model input or an earlier call's
      // output) and have the product's shape, known but for the batch: the add does not broadcast.
      const sameShape = other.shape.length === mine.shape.length && other.shape.every((d, i) => i === 0 || (d !== null && d === mine.shape[i]));
      if (other !== mine && sameShape && (producedAt.get(other) ?? -1) < at) {
        add = next;
        residual = other;
        members.push(next);
        next = soleReader(next);
      }
    }
    if (linear && next !== null && next.inbound.length === 1 && activationOf(next.layer) !== null) {
      activation = next;
      members.push(next);
      next = soleReader(next);
    }
    if (next !== null && next.inbound.length === 1 && isPairPool(next.layer) && poolingHead(head.layer) !== null) {
      pool = next;
      members.push(next);
    }
    // A convolution with its own activation forms a group only with a pool to write.
    if (members.length > 1 && (linear || pool !== null)) plan.set(members[0], { pad, head, norm, add, residual, activation, pool, members });
  });
  plans.set(nodes, plan);
  return plan;
}

/** The activation a group's product applies in its last step: its activation call's, else the head's own. */
function groupActivation(group: FusedGroup): ActivationName {
  if (group.activation !== null) return activationOf(group.activation.layer)!;
  return poolingHead(group.head.layer)?.poolingActivation() ?? "linear";
}

/**
 * What a forward pass on the WebAssembly kernels writes instead of a full
 * output because a convolution writes the max pool after it (see
 * {@link fusionPlan}): `writes` maps each such convolution to the pool's
 * output, the one buffer its group makes; `passes` holds the calls after
 * it in the group and the pool, which make none. Decided on the shapes
 * alone, as {@link fusedCall} decides at run time, whenever the fast
 * kernels are chosen (loaded or not yet: an estimate made before they load
 * gives the same figure); empty with the reference kernels chosen. The
 * memory estimate reads it.
 *
 * @example
 * ```ts
 * pooledCalls(parts.nodes, parts.outputs).writes.size; // 2 for seed Model B on the fast kernels
 * ```
 */
export function pooledCalls(
  nodes: readonly CallNode[],
  keep: readonly SymbolicTensorImpl[],
): { writes: ReadonlyMap<CallNode, SymbolicTensorImpl>; passes: ReadonlySet<CallNode> } {
  const writes = new Map<CallNode, SymbolicTensorImpl>();
  const passes = new Set<CallNode>();
  if (getKernelBackend() !== "fast") return { writes, passes };
  for (const group of fusionPlan(nodes, keep).values()) {
    const conv = poolingHead(group.head.layer);
    if (group.pool === null || group.residual !== null || conv === null) continue;
    const [, ...image] = group.members[0].inbound[0].shape;
    if (!image.every((d): d is number => d !== null)) continue;
    const zeroPad = group.pad === null ? undefined : imagePads(group.pad.layer)!;
    if (!conv.writesPool([1, ...image], groupActivation(group), false, zeroPad)) continue;
    writes.set(group.head, group.pool.outputs[0]!);
    for (const m of group.members.slice(group.members.indexOf(group.head) + 1)) passes.add(m);
  }
  return { writes, passes };
}

/**
 * A group as one product, ready to run: its batch normalisation folded into
 * the weights, its residual added and its activation applied in the
 * product's last step, and its pool written by it when the kernels can
 * for these tensors. `members` are the calls it does: the group's, or all
 * but the pool, which then runs as its own call after it. `null` when the
 * concrete tensors do not allow it (the normalisation is not on the
 * product's channel axis, the batches differ) or, without the pool, it
 * would be the head alone or a head with its own activation; the caller
 * then runs the calls one by one.
 *
 * @example
 * ```ts
 * const y = fusedCall(group, values.get(group.members[0].inbound[0])!, values.get(group.residual!) ?? null)?.run();
 * ```
 */
export function fusedCall(group: FusedGroup, input: Tensor, residual: Tensor | null): { run: () => Tensor; members: readonly CallNode[] } | null {
  const layer = group.head.layer as EpilogueLayer;
  const pooling = poolingHead(layer);
  const linear = layer.epilogueWeights();
  const own = linear ?? pooling?.poolingWeights() ?? null;
  if (own === null) return null;
  const norm = group.norm === null ? null : (group.norm.layer as BatchNormalization).inferenceWeights();
  // The product's output has the input's rank, its channels on the last axis.
  if (norm !== null && norm.axis !== input.shape.length - 1) return null;
  // The plan checked the residual's shape but for the batch.
  if (residual !== null && residual.shape[0] !== input.shape[0]) return null;
  const activation = groupActivation(group);
  const zeroPad = group.pad === null ? undefined : imagePads(group.pad.layer)!;
  if (zeroPad !== undefined && input.shape.length !== 4) return null;
  const pool = group.pool !== null && pooling?.writesPool(input.shape, activation, residual !== null, zeroPad) === true;
  const members = pool ? group.members : group.members.filter((m) => m !== group.pool);
  if (members.length === 1 || (!pool && linear === null)) return null;
  const run = () => {
    let kernel = own.kernel;
    let bias = own.bias;
    if (norm !== null) {
      // A product's output channels: the kernel's last axis, or a depthwise kernel's last two.
      const channels = kernel.shape[kernel.shape.length - 1] * (isDepthwise(layer) ? kernel.shape[kernel.shape.length - 2] : 1);
      const folded = foldBatchNorm(kernel.data, bias === null ? null : bias.data, norm.weights, channels);
      if (folded.refolded) weightsWritten([folded.kernel, folded.bias]);
      kernel = { shape: kernel.shape, data: folded.kernel };
      bias = { shape: [channels], data: folded.bias };
    }
    if (pool) return pooling.callEpilogue(input, kernel, bias, residual, activation, zeroPad, true);
    return layer.callEpilogue(input, kernel, bias, residual, activation, zeroPad);
  };
  return { run, members };
}
