/**
 * Running a model's graph: the forward pass over its layer calls, the check
 * that it fits the kernels' memory before any work, and a model run as a
 * layer of another model.
 */
import { MAX_NESTING_DEPTH, fail, valueText } from "./checks.js";
import { fast } from "./kernels/backend.js";
import { profileCall } from "./kernels/profile.js";
import type { LayerProfile } from "./kernels/profile.js";
import type { RunScope } from "./kernels/run-scope.js";
import type { Tensor } from "./kernels/tensor.js";
import { KERNEL_MEMORY_BYTES } from "./kernels/wasm.js";
import { Layer, byteText } from "./layers/layer.js";
import type { LayerCost, LayerGradients, TrainingCall, TrainingContext, WeightSpec } from "./layers/layer.js";
import { nodeCost, sumCosts } from "./model-cost.js";
import { checkConcreteShapes, graphOf, hasSeveralOutputs, readerCounts } from "./model-graph.js";
import type { CallNode, GraphParts, ModelGraph, SeveralOutputs } from "./model-graph.js";
import { fusedCall, fusionPlan } from "./model-plan.js";
import type { Model } from "./model.js";
import type { Regularizer } from "./regularizers.js";
import type { Shape } from "./shape.js";
import { sizedShapeText } from "./shape.js";
import { bindStatedSizes, sizeAdmits } from "./size.js";
import type { SymbolicTensorImpl } from "./symbolic-tensor.js";
import { backwardTraining, forwardTraining, tensorKey, trainingGaps } from "./training/graph-pass.js";
import type { ForwardPass } from "./training/graph-pass.js";

/** The rows of the profiled `predict` in progress, and the prefix naming layers of nested models. */
let profiling: { rows: LayerProfile[]; prefix: string } | null = null;

/**
 * Starts collecting a profile when `profile` is true: `rows()` gives the
 * rows of each layer call so far (nested models' layers named through
 * them), `end()` restores the run that was in progress before.
 *
 * @example
 * const run = startProfile(true);
 * try { runGraph(...); recordProfile(run.rows() ?? []); } finally { run.end(); }
 */
export function startProfile(profile: boolean): { rows(): LayerProfile[] | null; end(): void } {
  const outer = profiling;
  if (profile) profiling = { rows: [], prefix: "" };
  return {
    rows: () => (profile && profiling !== null ? profiling.rows : null),
    end: () => {
      profiling = outer;
    },
  };
}

/**
 * Computes every tensor of a graph from the input values, each node once;
 * a node with several outputs fills all of its tensors.
 */
export function runGraph(
  nodes: readonly CallNode[],
  inputs: readonly SymbolicTensorImpl[],
  given: readonly Tensor[],
  values: Map<SymbolicTensorImpl, Tensor>,
  scope: RunScope | null,
  keep: readonly SymbolicTensorImpl[],
): void {
  inputs.forEach((t, i) => values.set(t, given[i]));
  const readers = scope === null ? null : readerCounts(nodes);
  const kept = new Set(keep);
  // Only the WebAssembly kernels fold and fuse: the reference kernels stay the oracle.
  const plan = fast() !== null ? fusionPlan(nodes, keep) : null;
  const done = new Set<CallNode>();
  /** Keeps a call's outputs and frees the tensors that no call reads any more. */
  const settle = (n: CallNode, results: readonly Tensor[]) => {
    n.outputs.forEach((t, i) => t !== undefined && results[i] !== undefined && values.set(t, results[i]));
    if (scope === null || readers === null) return;
    for (const t of n.outputs) if (t !== undefined && values.has(t)) scope.retain(values.get(t)!);
    for (const t of n.inbound) {
      const left = readers.get(t)! - 1;
      readers.set(t, left);
      const value = values.get(t);
      if (left === 0 && !kept.has(t) && value !== undefined) scope.release(value);
    }
  };
  for (const n of nodes) {
    if (n.inbound.length === 0 || done.has(n)) continue;
    const group = plan?.get(n);
    const fused = group === undefined ? null : fusedCall(group, values.get(n.inbound[0])!, group.residual === null ? null : values.get(group.residual)!);
    if (group !== undefined && fused !== null) {
      const { run, members } = fused;
      const compute = () => [run()];
      const name = (m: CallNode) => (profiling === null ? "" : profiling.prefix) + m.layer.name;
      const { head, pad } = group;
      // The rows keep the graph's order: the padding's, then the head's with the group's time.
      if (pad !== null) profiling?.rows.push({ layer: name(pad), className: pad.layer.className, kernel: "folded", ms: 0, into: name(head) });
      const [y] = profiling === null ? compute() : profileCall(profiling.rows, name(head), head.layer.className, [values.get(n.inbound[0])!], compute);
      for (const m of members) {
        done.add(m);
        if (m === head || m === pad) continue;
        const kernel = m === group.norm ? "folded" : "fused";
        profiling?.rows.push({ layer: name(m), className: m.layer.className, kernel, ms: 0, into: name(head) });
      }
      // Only the last call's output exists; the calls before it settle with none. A pool left out runs later as its own call.
      members.forEach((m, i) => settle(m, i === members.length - 1 ? [y] : []));
      continue;
    }
    const args = n.inbound.map((t) => values.get(t)!) as [Tensor, ...Tensor[]];
    const layer = n.layer;
    const compute = () => (hasSeveralOutputs(layer) ? layer.callOutputs(...args) : [layer.call(...args)]);
    let results: Tensor[];
    if (profiling === null) results = compute();
    else if (layer instanceof ModelLayer) {
      // A nested model is profiled layer by layer, its layers named through it.
      const outer = profiling;
      profiling = { rows: outer.rows, prefix: `${outer.prefix}${layer.name}/` };
      try {
        results = compute();
      } finally {
        profiling = outer;
      }
    } else results = profileCall(profiling.rows, profiling.prefix + layer.name, layer.className, args, compute);
    settle(n, results);
  }
}

/** A batch whose samples' largest layer output passes this many bytes runs in slices (see {@link sliceSize}). */
const SLICE_BYTES = 8 * 2 ** 20;

/**
 * How many samples a forward pass on the WebAssembly kernels runs at a
 * time: the whole batch, or slices whose largest layer output stays within
 * 8 MiB, so that a large batch of large images streams through the caches
 * as a small one does (at inference every layer treats samples apart).
 *
 * @example
 * sliceSize(nodes, inputs, [{ shape: [8, 224, 224, 3], data }]); // 2 for ResNet50 (3.2 MB a sample)
 */
export function sliceSize(nodes: readonly CallNode[], inputs: readonly SymbolicTensorImpl[], given: readonly Tensor[]): number {
  const batch = given[0].shape[0];
  if (batch <= 1) return batch;
  const shapes = checkConcreteShapes(
    nodes,
    inputs,
    given.map((t) => t.shape),
  );
  let largest = 0;
  for (const shape of shapes.values())
    largest = Math.max(
      largest,
      (shape as number[]).reduce((p, d) => p * d, 4),
    );
  const perSample = largest / batch;
  return Math.max(1, Math.min(batch, Math.floor(SLICE_BYTES / perSample)));
}

/**
 * {@link runGraph} over slices of `slice` samples, each slice's outputs
 * copied into whole-batch arrays and its buffers released before the next;
 * a profile's rows sum the slices' times. Returns the tensors of `keep`.
 */
export function runSliced(
  nodes: readonly CallNode[],
  inputs: readonly SymbolicTensorImpl[],
  given: readonly Tensor[],
  scope: RunScope,
  keep: readonly SymbolicTensorImpl[],
  slice: number,
): Tensor[] {
  const batch = given[0].shape[0];
  const results: Tensor[] = [];
  const rows = profiling?.rows;
  const firstRow = rows?.length ?? 0;
  for (let s0 = 0; s0 < batch; s0 += slice) {
    const n = Math.min(slice, batch - s0);
    const part = given.map((t) => {
      const per = t.data.length / batch;
      return { shape: [n, ...t.shape.slice(1)], data: t.data.subarray(s0 * per, (s0 + n) * per) };
    });
    const values = new Map<SymbolicTensorImpl, Tensor>();
    const before = rows?.length ?? 0;
    runGraph(nodes, inputs, part, values, scope, keep);
    if (rows !== undefined && s0 > 0) {
      // The same calls in the same order: each row of this slice adds to the first slice's.
      for (let i = before; i < rows.length; i++)
        rows[firstRow + i - before] = { ...rows[firstRow + i - before], ms: rows[firstRow + i - before].ms + rows[i].ms };
      rows.length = before;
    }
    const released = new Set<SymbolicTensorImpl>();
    keep.forEach((t, i) => {
      const value = values.get(t)!;
      const per = value.data.length / n;
      results[i] ??= { shape: [batch, ...value.shape.slice(1)], data: new Float32Array(batch * per) };
      results[i].data.set(value.data, s0 * per);
      if (!released.has(t)) scope.release(value);
      released.add(t);
    });
  }
  return results;
}

/**
 * Checks, before any work, that a forward pass fits the kernels' memory
 * ({@link KERNEL_MEMORY_BYTES}): the weights, then each layer's output
 * alongside every tensor still to be read, released as {@link runGraph}
 * releases them. Past the bound it is a sentence naming the layer whose
 * output does not fit and the bytes, instead of a failure deep into the run.
 */
export function checkMemoryPlan(
  method: string,
  nodes: readonly CallNode[],
  inputs: readonly SymbolicTensorImpl[],
  given: readonly Tensor[],
  keep: readonly SymbolicTensorImpl[],
  params: number,
): void {
  const shapes = checkConcreteShapes(
    nodes,
    inputs,
    given.map((t) => t.shape),
  );
  const bytesOf = (t: SymbolicTensorImpl): number => 4 * (shapes.get(t) as number[]).reduce((p, d) => p * d, 1);
  const readers = readerCounts(nodes);
  const kept = new Set(keep);
  if (4 * params > KERNEL_MEMORY_BYTES) {
    fail(`shapewise: ${method} cannot hold the model's weights (${exactBytes(4 * params)}) in the kernels' ${byteText(KERNEL_MEMORY_BYTES)}`);
  }
  let live = 4 * params + given.reduce((sum, t) => sum + 4 * t.data.length, 0);
  for (const n of nodes) {
    if (n.inbound.length === 0) continue;
    const out = n.outputs.reduce((sum, t) => sum + (t === undefined ? 0 : bytesOf(t)), 0);
    live += out;
    if (live > KERNEL_MEMORY_BYTES) {
      const shape = n.outputs.find((t) => t !== undefined)!;
      fail(
        `shapewise: ${method} cannot hold the output of layer '${n.layer.name}' (${valueText(shapes.get(shape))}, ${exactBytes(out)}): ` +
          `with the weights and the tensors still to be read it needs ${exactBytes(live)}, more than the kernels' ${byteText(KERNEL_MEMORY_BYTES)}; predict a smaller batch`,
      );
    }
    if (readers === null) continue;
    for (const t of n.inbound) {
      const left = readers.get(t)! - 1;
      readers.set(t, left);
      if (left === 0 && !kept.has(t)) live -= bytesOf(t);
    }
  }
}

/** A byte count as messages print it, exact even past 2^53. */
export function exactBytes(bytes: number): string {
  return Number.isSafeInteger(bytes) ? byteText(bytes) : `more than ${byteText(Number.MAX_SAFE_INTEGER)}`;
}

/**
 * The levels of models a model holds as layers, refused past
 * {@link MAX_NESTING_DEPTH} as the file readers refuse them: every walk over
 * a model then stays within a bounded stack, and what builds also loads.
 */
export function nestingDepthOf(what: string, name: string, layers: readonly Layer[]): number {
  let depth = 0;
  for (const layer of layers) {
    if (!(layer instanceof ModelLayer)) continue;
    const inner = layer.model.nestingDepth + 1;
    if (inner > MAX_NESTING_DEPTH) {
      fail(
        `shapewise: ${what} '${name}' nests models more than ${MAX_NESTING_DEPTH} levels deep at layer '${layer.name}'; shapewise builds at most ${MAX_NESTING_DEPTH} levels`,
      );
    }
    depth = Math.max(depth, inner);
  }
  return depth;
}

/** How many distinct input shapes a model applied as a layer remembers its output shapes for. */
export const SHAPE_MEMO_SIZE = 64;

/**
 * A model used as a layer of another model (Keras class `Functional` or
 * `Sequential`): one row in the outer summary, the inner layers' weights as
 * its own, and the inner graph as its forward pass.
 */
export class ModelLayer extends Layer implements SeveralOutputs {
  readonly className: string;
  readonly model: Model;

  constructor(inner: Model) {
    super(inner.names);
    this.model = inner;
    this.className = inner.kind === "sequential" ? "Sequential" : "Functional";
    // The wrapped model's weights are this layer's weights, not a copy: setting
    // either model's weights changes both, as Keras shares them.
    Object.defineProperty(this, "weights", {
      get: (): Tensor[] => innerParts(this.model).layers.flatMap((layer) => layer.weights ?? []),
      set: (weights: Tensor[]) => {
        let next = 0;
        for (const layer of innerParts(this.model).layers) {
          const count = layer.weightSpecs().length;
          layer.weights = weights.slice(next, next + count);
          next += count;
        }
      },
      enumerable: true,
      configurable: true,
    });
    // As in Keras, freezing (or unfreezing) a model applied as a layer sets
    // every layer inside it: a frozen batch normalisation then runs in
    // inference mode in training too.
    let trainable = true;
    Object.defineProperty(this, "trainable", {
      get: (): boolean => trainable,
      set: (value: boolean) => {
        trainable = value;
        for (const layer of innerParts(this.model).layers) layer.trainable = value;
      },
      enumerable: true,
      configurable: true,
    });
  }

  computeOutputShape(...inputShapes: Shape[]): Shape {
    return this.computeOutputShapes(...inputShapes)[0];
  }

  computeOutputShapes(...inputShapes: Shape[]): Shape[] {
    // A model applied at many places, or nested in models that apply it
    // again, is checked once per distinct input: without this, a model
    // applying its inner model twice per level is checked 2^depth times.
    const key = JSON.stringify(inputShapes);
    const known = this.shapesByInput.get(key);
    if (known !== undefined) return [...known];
    const shapes = this.checkedOutputShapes(inputShapes);
    if (this.shapesByInput.size >= SHAPE_MEMO_SIZE) this.shapesByInput.clear();
    this.shapesByInput.set(key, shapes);
    return [...shapes];
  }

  /** Output shapes by the input shapes they were checked for (JSON of the shapes). */
  private readonly shapesByInput = new Map<string, readonly Shape[]>();

  private checkedOutputShapes(inputShapes: readonly Shape[]): Shape[] {
    const inner = innerParts(this.model);
    if (inputShapes.length !== inner.inputs.length) {
      fail(`shapewise: a model applied as a layer takes ${inner.inputs.length} inputs, got ${inputShapes.length}`);
    }
    for (const [i, shape] of inputShapes.entries()) {
      const expected = inner.inputs[i].shape;
      const fits = shape.length === expected.length && shape.every((d, j) => j === 0 || expected[j] === null || expected[j] === d);
      if (!fits) fail(`shapewise: a model applied as a layer expects input shape ${valueText(expected)}, got ${valueText(shape)}`);
      // A length no binding of a stated name allows (37 for 16*H) is the sentence the types give.
      const stated = inner.inputs[i].sizes;
      for (const [j, d] of stated.entries()) {
        const given = shape[j];
        const admitted = typeof d === "string" && given !== null ? sizeAdmits(d, given) : true;
        if (admitted !== true)
          fail(`shapewise: a model applied as a layer expects input shape ${sizedShapeText(stated)}, got ${valueText(shape)}: ${admitted}`);
      }
    }
    // Names the wrapped model states are bound from the lengths known here, each factor checked.
    bindStatedSizes(
      `model '${this.model.name}' applied as a layer:`,
      inner.inputs.flatMap((t, i) =>
        t.sizes.flatMap((d, axis) => {
          const given = inputShapes[i][axis];
          return typeof d === "string" && given !== null ? [{ input: t.layer.name, axis, stated: d, given }] : [];
        }),
      ),
    );
    // Sizes the wrapped model left unknown may be known here: check every inner rule with them.
    const shapes = checkConcreteShapes(inner.nodes, inner.inputs, inputShapes);
    // While the graph is defined, the outputs keep the wrapped model's own shapes, as its type
    // does; once data arrives (every size known) the sizes it brings flow on to the next layers.
    const concrete = inputShapes.every((s) => s.every((d) => d !== null));
    return inner.outputs.map((t) => (concrete ? shapes.get(t)! : t.shape));
  }

  override hasWeightSource(): boolean {
    return true;
  }

  override pendingWeightBytes(): number {
    return innerParts(this.model).layers.reduce((sum, layer) => sum + layer.pendingWeightBytes(), 0);
  }

  override weightSpecs(): WeightSpec[] {
    return innerParts(this.model).layers.flatMap((layer) => layer.weightSpecs().map((spec) => ({ ...spec, name: `${layer.name}/${spec.name}` })));
  }

  /** Per sample: every call of the wrapped model's layers, as the model counts them. */
  override cost(): LayerCost {
    return sumCosts(
      innerParts(this.model)
        .nodes.filter((n) => n.inbound.length > 0)
        .map(nodeCost),
    );
  }

  call(...inputs: Tensor[]): Tensor {
    return this.callOutputs(...inputs)[0];
  }

  /** The wrapped model's call graph, built once: a model does not change after it is built. */
  private innerGraph(): ModelGraph {
    this.graphOnce ??= graphOf(innerParts(this.model));
    return this.graphOnce;
  }

  private graphOnce: ModelGraph | undefined;

  /** Where each inner layer's weights start among this layer's. */
  private weightOffsets(): Map<Layer, number> {
    const offsets = new Map<Layer, number>();
    let next = 0;
    for (const layer of innerParts(this.model).layers) {
      offsets.set(layer, next);
      next += layer.weightSpecs().length;
    }
    return offsets;
  }

  /** The inner layers' weight regularisers, in the order of this layer's weights. */
  override weightRegularizers(): (Regularizer | undefined)[] {
    return innerParts(this.model).layers.flatMap((layer) => layer.weightRegularizers());
  }

  override trainableWeightFlags(): boolean[] {
    // Keras: a frozen model has no trainable weights, whatever its layers say.
    return innerParts(this.model).layers.flatMap((layer) => layer.trainableWeightFlags().map((flag) => this.trainable && flag));
  }

  override trainingGap(): string | undefined {
    const gaps = trainingGaps(this.innerGraph());
    return gaps.length === 0 ? undefined : `layers inside it do not train: ${gaps.join("; ")}`;
  }

  /** The inner graph's forward pass in training mode, kept whole for the backward pass of this call. */
  override callTraining(inputs: readonly Tensor[], context: TrainingContext): TrainingCall {
    const graph = this.innerGraph();
    const pass = forwardTraining(graph, inputs, context);
    const outputs = graph.outputs.map((ref) => pass.values.get(tensorKey(ref, ref.tensorIndex))!);
    const offsets = this.weightOffsets();
    return {
      output: outputs[0],
      outputs: outputs.length > 1 ? outputs : undefined,
      saved: pass,
      loss: pass.loss,
      updates: pass.updates.map((u) => ({ index: offsets.get(u.layer)! + u.index, value: u.value })),
    };
  }

  /**
   * The inner graph's backward pass for this call: the gradients of the
   * inputs and of every inner weight, summed over the inner layers' calls
   * (the outer step sums them over this layer's calls).
   */
  override gradients(dOutput: Tensor, inputs: readonly Tensor[], _output: Tensor, saved: unknown, dOthers: readonly (Tensor | null)[] = []): LayerGradients {
    const graph = this.innerGraph();
    const outputGrads = graph.outputs.map((_, i) => (i === 0 ? dOutput.data : (dOthers[i - 1]?.data ?? undefined)));
    const r = backwardTraining(graph, saved as ForwardPass, outputGrads);
    const weights = innerParts(this.model).layers.flatMap((layer) => {
      const grads = r.weights.get(layer);
      return layer.weightSpecs().map((spec, j) => {
        const g = grads?.[j];
        return g === null || g === undefined ? null : { shape: [...spec.shape], data: g };
      });
    });
    return { inputs: r.inputs.map((g, i) => (g === null ? null : { shape: inputs[i].shape, data: g })), weights };
  }

  callOutputs(...inputs: Tensor[]): Tensor[] {
    const inner = innerParts(this.model);
    const values = new Map<SymbolicTensorImpl, Tensor>();
    runGraph(inner.nodes, inner.inputs, inputs, values, null, inner.outputs);
    return inner.outputs.map((t) => values.get(t)!);
  }
}

/** The private graph of a model, for the layer that wraps it. */
export function innerParts(m: Model): GraphParts {
  return m as unknown as GraphParts;
}
