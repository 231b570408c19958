/**
 * Models: a graph of layers from inputs to outputs, with its summary, its
 * weights and its forward pass. The class's type parameters are the contract
 * the type checker sees: input shape, output shape and exact parameter total.
 */
import { CompiledModel } from "./training/compiled.js";
import { trainableCount, trainingElements, trainingOption } from "./cost-training.js";
import type { TrainingMemory, TrainingMemoryOptions } from "./cost-training.js";
import type { CompileConfig } from "./training/compiled.js";
import type { LossName } from "./training/losses.js";
import { MAX_NESTING_DEPTH, configObject, exactSum, fail, valueText } from "./checks.js";
import { ShapeError } from "./errors.js";
import { beginRun, profileCall, recordProfile, resolveThreads } from "./kernels/backend.js";
import { KERNEL_MEMORY_BYTES } from "./kernels/wasm.js";
import type { LayerProfile, RunScope, ThreadsOption } from "./kernels/backend.js";
import type { Tensor } from "./kernels/tensor.js";
import { toONNX } from "./io/onnx/export.js";
import type { OnnxExportOptions } from "./io/onnx/export.js";
import { runONNX } from "./io/onnx/run.js";
import type { PredictAsyncOptions } from "./io/onnx/run.js";
import { toKerasJSON } from "./io/keras/json-write.js";
import type { KerasJsonOptions } from "./io/keras/json-write.js";
import { saveModel } from "./io/tfjs/save.js";
import { host } from "./platform.js";
import type { SaveResult } from "./io/tfjs/save.js";
import type { TfjsWriteOptions } from "./io/tfjs/format.js";
import type { KerasSaveResult } from "./io/keras/files.js";
import type { LoadLimits } from "./io/file-graph.js";
import { InputLayer } from "./layers/input.js";
import { Layer, byteText, sampleElements, sum } from "./layers/layer.js";
import type { LayerCost, WeightSpec } from "./layers/layer.js";
import { modelNames } from "./naming.js";
import { formatSummary } from "./summary/index.js";
import type { SummaryOptions } from "./summary/index.js";
import type { StyleNames, SummaryData, SummaryRow } from "./summary/rows.js";
import { SymbolicTensorImpl } from "./symbolic-tensor.js";
import type { paramTotal } from "../types/symbolic-tensor.js";
import type { ApplyInputs, ApplyResult, PredictInput, PredictOutput, ShapeTree } from "../types/model.js";
import type { Shape } from "./shape.js";

/**
 * Options of {@link Model.predict}.
 *
 * @example
 * ```ts
 * m.predict(x, { threads: 2 });
 * ```
 */
export interface PredictOptions {
  /**
   * Threads for the fast kernels: a count, or `"auto"` (the default): one
   * thread for batches under 64 images, every core
   * (`os.availableParallelism()`) from 64 up. The batch (or, for a single
   * image, each layer's output rows or filters) is split across
   * `worker_threads` over shared memory; workers start on first use and never
   * keep the process alive. A count above the available cores is capped at
   * them (`kernelInfo().maxThreads`): more threads than cores only wait for
   * one another. Ignored by the reference kernels. Any other key, a `null`
   * options object, or a count that is not a positive integer (`"2"`
   * included) is a `ShapeError`.
   */
  threads?: ThreadsOption;
  /**
   * Times every layer call and records which kernels ran it (WebAssembly,
   * reference, both, or a view), read back with `kernelInfo().profile`, so
   * that a layer falling back to the reference kernels says so and why.
   */
  profile?: boolean;
}

/** The keys {@link PredictOptions} has. */
const PREDICT_OPTIONS: readonly (keyof PredictOptions)[] = ["threads", "profile"];

/** The rows of the profiled `predict` in progress, and the prefix naming layers of nested models. */
let profiling: { rows: LayerProfile[]; prefix: string } | null = null;

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

/** The weights of the model in the order `getWeights` returns them. */
interface WeightSlot {
  readonly layer: Layer;
  readonly spec: WeightSpec;
}

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
interface Node {
  readonly layer: Layer;
  readonly nodeIndex: number;
  readonly inbound: readonly SymbolicTensorImpl[];
  /** The tensors of this call that the model uses, by output index. */
  readonly outputs: SymbolicTensorImpl[];
}

/**
 * A model's generator as a position in a seeded stream: each layer takes its
 * initial values from where the previous one stopped, drawn when first read.
 */
interface WeightStream {
  readonly seed: number;
  draws: number;
}

/** The generator for models built without a `seed`: deterministic per process, reset by `clearSession`. */
let sessionStream: WeightStream = { seed: 1337, draws: 0 };

/** Restarts the generator of unseeded models (called by `clearSession`). */
export function resetSessionRandom(): void {
  sessionStream = { seed: 1337, draws: 0 };
}

/** The sentence a training method gives on a model that was not compiled. */
type NeedsCompile<M extends string> = `shapewise: ${M} needs a compiled model: call compile({ optimizer, loss }) and ${M} the model it returns`;

function uncompiled(method: string, _first: unknown, _rest: unknown[]): never {
  return fail(`shapewise: ${method} needs a compiled model: call compile({ optimizer, loss }) and ${method} the model it returns`);
}

/**
 * A model from inputs to outputs. `I` and `O` are its input and output
 * shapes (one shape, a tuple of shapes or a record of shapes, as the model
 * was defined), `P` its exact parameter total, all known to the type checker.
 *
 * @example
 * const m = model({ inputs, outputs }); // Model<[null, 28, 28, 1], [null, 10], 113162>
 * m.countParams(); // 113162
 */
export class Model<I extends ShapeTree = Shape, O extends ShapeTree = Shape, P extends number = number> {
  declare readonly [paramTotal]?: P;
  /** Names under each scheme; `name` is the tf.keras 2 one (`model`, `model_1`). */
  readonly names: StyleNames;
  /** `"functional"` for `model()`, `"sequential"` for `sequential()`. */
  readonly kind: "functional" | "sequential";
  /** Every layer once, inputs first, in the order Keras lists them. */
  readonly layers: readonly Layer[];
  /** The input shape: one shape, or a list or record of them as the model was defined. */
  readonly inputShape: I;
  /** The output shape: one shape, or a list or record of them as the model was defined. */
  readonly outputShape: O;
  /** How `predict` takes its inputs. */
  readonly inputLayout: TensorLayout;
  /** How `predict` gives its outputs. */
  readonly outputLayout: TensorLayout;
  private readonly inputs: readonly SymbolicTensorImpl[];
  private readonly outputs: readonly SymbolicTensorImpl[];
  /** Layer calls in an order where each comes after the calls it reads. */
  private readonly nodes: readonly Node[];
  /** This model as a layer of other models, once applied to symbolic tensors. */
  private asLayer: ModelLayer | undefined;
  /** How many levels of models this one holds as layers (0 for none). */
  readonly nestingDepth: number;

  constructor(kind: "functional" | "sequential", ends: ModelEnds, name: string | undefined, seed: number | undefined) {
    this.kind = kind;
    this.inputs = ends.inputs;
    this.outputs = ends.outputs;
    this.inputLayout = ends.inputLayout;
    this.outputLayout = ends.outputLayout;
    const what = kind === "sequential" ? "sequential" : "model";
    const graph = mapGraph(what, ends.inputs, ends.outputs);
    this.nodes = graph.nodes;
    this.layers = graph.layers;
    const seen = new Set<string>();
    for (const layer of this.layers) {
      if (seen.has(layer.name)) fail(`shapewise: ${what} layer names must be unique, '${layer.name}' is used twice`);
      seen.add(layer.name);
    }
    this.inputShape = arrange(
      ends.inputLayout,
      ends.inputs.map((t) => t.shape),
    ) as I;
    this.outputShape = arrange(
      ends.outputLayout,
      ends.outputs.map((t) => t.shape),
    ) as O;
    this.names = modelNames(kind, name);
    this.nestingDepth = nestingDepthOf(what, this.names.keras2, this.layers);
    exactSum(
      `${what} '${this.names.keras2}'`,
      "parameter total",
      this.layers.map((layer) => layer.countParams()),
    );
    // Weights are drawn on first use, each layer at the place in the stream it
    // would have had if every layer were drawn now, in this order.
    const stream = seed === undefined ? sessionStream : { seed, draws: 0 };
    for (const layer of this.layers) {
      // Only the position modulo 2^32 matters to the generator (its period), and it keeps the count exact.
      if (!layer.hasWeightSource()) stream.draws = (stream.draws + layer.scheduleWeights(stream.seed, stream.draws)) % 2 ** 32;
    }
  }

  /** The model's name (tf.keras 2 scheme). */
  get name(): string {
    return this.names.keras2;
  }

  /**
   * Draws every weight not yet drawn, layer by layer, after checking that
   * they fit: more than the machine's memory is a sentence with the bytes
   * needed, before anything is allocated.
   */
  private allocateWeights(): void {
    let total = 0;
    let largest: Layer | undefined;
    for (const layer of this.layers) {
      const bytes = layer.pendingWeightBytes();
      total += bytes;
      if (bytes > 0 && (largest === undefined || bytes > largest.pendingWeightBytes())) largest = layer;
    }
    if (largest === undefined) return;
    const memory = machineMemoryBytes();
    if (memory !== undefined && total > memory) {
      fail(
        `shapewise: ${this.kind === "sequential" ? "sequential" : "model"} '${this.name}' cannot allocate its weights: they need ${byteText(total)} (layer '${largest.name}' alone ${byteText(largest.pendingWeightBytes())}), more than this machine's memory (${byteText(memory)})`,
      );
    }
    for (const layer of this.layers) void layer.weights;
  }

  private slots(): WeightSlot[] {
    return this.layers.flatMap((layer) => layer.weightSpecs().map((spec) => ({ layer, spec })));
  }

  /**
   * The exact number of parameters, trainable or not; equal to `ParamCount<typeof m>`.
   * A shared layer counts once.
   *
   * @example
   * m.countParams(); // 113162
   */
  countParams(): P {
    let total = 0;
    for (const layer of this.layers) total += layer.countParams();
    return total as P;
  }

  /**
   * Multiply-accumulates of one forward pass of `batch` samples (default 1):
   * every layer call's weight (or operand) products, by the counting rule
   * of its class (`Layer.cost`); a layer called twice counts twice. Bias
   * additions, activations, pooling, normalisation and merges are counted
   * apart (`summaryData().totalOps`).
   * Throws when a size the count needs is unknown (`null`) or the total
   * passes 2^53.
   *
   * @example
   * vgg16.countFlops();              // 15470264320
   * vgg16.countFlops({ batch: 8 });  // 123762114560
   */
  countFlops(options: CostOptions = {}): number {
    const batch = batchOption("countFlops", options);
    const total = this.costTotals().macs;
    if (total === null) {
      const unknown = this.nodes.find((n) => n.inbound.length > 0 && nodeCost(n).macs === null)!;
      fail(`shapewise: countFlops needs every size: layer ${unknown.layer.name} has input shape ${valueText(unknown.inbound.map((t) => t.shape)[0])}`);
    }
    return safeCount("countFlops", total * batch);
  }

  /**
   * Parameter bytes and the activation bytes `predict` keeps alive at its
   * peak for `batch` samples (default 1), float32: a tensor lives from the
   * call that makes it to its last reader; reshapes and the identity layers
   * share their input's buffer; the outputs stay to the end.
   *
   * @example
   * With `training: { optimizer }`, also what one training step keeps at its
   * peak, the optimizer's update: every tensor of the forward pass and each
   * pre-activation of a layer with an activation, the gradient of every
   * tensor a layer call makes and of every trainable weight, and the
   * optimizer's slots per trainable weight (Adam 2, SGD with momentum 1).
   *
   * @example
   * m.memory(); // { batch: 1, parameterBytes: 452648, activationBytes: 23424, peakLayer: "conv2d" }
   * m.memory({ batch: 64, training: { optimizer: "adam" } }).training?.totalBytes;
   */
  memory(options: MemoryOptions = {}): MemoryEstimate {
    const batch = batchOption("memory", options, ["training"]);
    const peak = activationPeak(this.nodes, this.outputs);
    if (peak.elements === null) {
      fail(`shapewise: memory needs every size: layer ${peak.layer} has an output of unknown size`);
    }
    const parameterBytes = safeCount("memory", this.countParams() * 4);
    const estimate = { batch, parameterBytes, activationBytes: safeCount("memory", peak.elements * 4 * batch), peakLayer: peak.layer };
    if (options.training === undefined) return estimate;
    const slots = trainingOption(options.training);
    const { kept, gradients, lastCall } = trainingElements(
      this.nodes.map((n) => {
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
    const trainable = trainableCount(this.layers);
    const activationBytes = safeCount("memory", kept * 4 * batch);
    const gradientBytes = safeCount("memory", ((gradients + lastCall.perSample) * batch + trainable + lastCall.weights) * 4);
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

  /** The costs of every layer call, summed. */
  private costTotals(): LayerCost {
    return sumCosts(this.nodes.filter((n) => n.inbound.length > 0).map(nodeCost));
  }

  /**
   * The call graph: which layer call reads which tensors (see {@link ModelGraph}).
   *
   * @example
   * m.graph().nodes.length; // one per layer call, inputs included
   */
  graph(): ModelGraph {
    const ref = (t: SymbolicTensorImpl): TensorRef => ({ layer: t.layer, nodeIndex: t.nodeIndex, tensorIndex: t.outputIndex, shape: t.shape });
    return {
      inputs: this.inputs.map(ref),
      outputs: this.outputs.map(ref),
      nodes: this.nodes.map((n) => ({ layer: n.layer, nodeIndex: n.nodeIndex, inbound: n.inbound.map(ref), outputShapes: nodeOutputShapes(n) })),
    };
  }

  /**
   * The summary as data: one row per layer (a shared layer once, with every
   * call's connections), and the totals. Each summary style formats these rows.
   *
   * @example
   * m.summaryData().rows.map((r) => r.names.keras2); // ["input_1", "conv2d", ...]
   */
  summaryData(): SummaryData {
    const rows: SummaryRow[] = [];
    const callsOf = nodesByLayer(this.nodes);
    for (const layer of this.layers) {
      const isInput = layer instanceof InputLayer;
      if (isInput && this.kind === "sequential") continue;
      const calls = callsOf.get(layer)!;
      const first = calls[0];
      const specs = layer.weightSpecs();
      // A frozen layer's weights all count as non-trainable, as Keras counts them.
      const count = (trainable: boolean) =>
        specs.filter((s) => (s.trainable && layer.trainable) === trainable).reduce((sum, s) => sum + s.shape.reduce((p, d) => p * d, 1), 0);
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
    const totals = this.costTotals();
    const memory = activationPeak(this.nodes, this.outputs);
    const trainable = rows.reduce((s, r) => s + r.trainableParams, 0);
    const nonTrainable = rows.reduce((s, r) => s + r.nonTrainableParams, 0);
    return {
      names: this.names,
      kind: this.kind,
      sequentialLike: sequentialLike(this.nodes),
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

  /**
   * Prints the summary (tf.keras 2 style by default) and returns its text.
   *
   * @example
   * m.summary();                                   // the tf.keras 2.7-2.12 table
   * m.summary({ style: "keras3", lineLength: 88 }); // the Keras 3 box table
   * const text = m.summary({ printFn: () => {} }); // silent
   */
  summary(options: SummaryOptions = {}): string {
    const memory = (options as { memory?: unknown } | null)?.memory;
    const training = typeof memory === "object" && memory !== null ? (memory as { training?: TrainingMemoryOptions }).training : undefined;
    const data = this.summaryData();
    const lines = formatSummary(training === undefined ? data : { ...data, training: this.memory({ training }).training }, options);
    const print = options.printFn ?? ((line: string) => console.log(line));
    for (const line of lines) print(line);
    return `${lines.join("\n")}\n`;
  }

  /**
   * Copies of every weight, layer by layer in Keras order (kernel, then bias)
   * and Keras layout (`[kh, kw, in, out]` for conv2d, `[in, units]` for dense);
   * a shared layer's weights once.
   *
   * @example
   * const [kernel, bias] = m.getWeights(); // shapes [3, 3, 1, 32] and [32]
   */
  getWeights(): Tensor[] {
    this.allocateWeights();
    return this.layers.flatMap((layer) => (layer.weights ?? []).map((w) => ({ shape: [...w.shape], data: new Float32Array(w.data) })));
  }

  /**
   * Replaces every weight, in `getWeights` order; shapes must match exactly.
   *
   * @example
   * m.setWeights(m.getWeights().map((w) => ({ shape: w.shape, data: w.data.fill(0) })));
   */
  setWeights(weights: readonly Tensor[]): void {
    const slots = this.slots();
    if (!Array.isArray(weights) || weights.length !== slots.length) {
      const got = Array.isArray(weights) ? weights.length : valueText(weights);
      const first = slots[Array.isArray(weights) ? Math.min(weights.length, slots.length - 1) : 0];
      const hint = first === undefined ? "" : `; weight ${slots.indexOf(first)} is ${first.layer.name}/${first.spec.name} ${valueText(first.spec.shape)}`;
      fail(`shapewise: setWeights expects ${slots.length} tensors in Keras order, got ${got}${hint}`);
    }
    const checked = slots.map((slot, i) => {
      const w = weights[i];
      const label = `${slot.layer.name}/${slot.spec.name}`;
      const shape = w?.shape;
      if (!Array.isArray(shape) || shape.length !== slot.spec.shape.length || shape.some((d, j) => d !== slot.spec.shape[j])) {
        fail(`shapewise: setWeights weight ${i} (${label}) must have shape ${valueText(slot.spec.shape)}, got ${valueText(shape)}`);
      }
      const data = numericData(`setWeights weight ${i} (${label})`, w.data, slot.spec.shape);
      // The model keeps its own copy, as Keras does: later writes to the caller's array change nothing.
      return { shape: [...slot.spec.shape], data: data === w.data ? new Float32Array(data) : data };
    });
    let next = 0;
    for (const layer of this.layers) {
      const count = layer.weightSpecs().length;
      layer.weights = checked.slice(next, next + count);
      next += count;
    }
  }

  /**
   * Sets the statistics of an adaptable `normalization` layer (one built
   * without `mean` and `variance`) from data, as Keras's `layer.adapt(data)`
   * does: `data` is a batch of that layer's input, or a list of batches.
   *
   * @example
   * const inputs = input({ shape: [3] });
   * const m = model({ inputs, outputs: inputs.normalization({ name: "norm" }).dense({ units: 1 }) });
   * m.adapt("norm", tensor([4, 3], [0, 7, 4, 2, 9, 6, 0, 7, 4, 2, 9, 6])); // mean [1, 8, 5], variance [1, 1, 1]
   */
  adapt(layerName: string, data: Tensor | readonly Tensor[]): void {
    this.allocateWeights();
    const layer = this.layers.find((l) => l.name === layerName);
    if (layer === undefined) fail(`shapewise: model '${this.name}' has no layer named ${valueText(layerName)}`);
    const adaptable = layer as Layer & { adapt?: (data: Tensor | readonly Tensor[]) => void; isAdaptable?: () => boolean };
    if (adaptable.adapt === undefined || adaptable.isAdaptable?.() !== true) {
      fail(`shapewise: layer '${layer.name}' (${layer.className}) has nothing to adapt: only a normalization built without mean and variance adapts to data`);
    }
    adaptable.adapt(data);
  }

  /**
   * The model ready to train with an optimizer, a loss and metrics (Keras's
   * `compile`): `fit`, `evaluate` and `trainOnBatch` on the result update
   * this model's weights.
   *
   * @example
   * const c = m.compile({ optimizer: optimizers.adam(), loss: "sparseCategoricalCrossentropy", metrics: ["accuracy"] });
   * await c.fit(x, y, { epochs: 5, batchSize: 64 });
   */
  compile<const L extends LossName>(config: CompileConfig<L>): CompiledModel<I, O, L> {
    return new CompiledModel<I, O, L>(this as unknown as Model, config);
  }

  /**
   * Training needs an optimizer and a loss first, as in Keras: `fit` is a
   * method of the model `compile` returns. Called here, it is the sentence
   * that says so, at compile time and at run time.
   *
   * @example
   * await m.compile({ optimizer: "adam", loss: "sparseCategoricalCrossentropy" }).fit(x, y);
   */
  fit(x: NeedsCompile<"fit">, ...rest: unknown[]): never {
    return uncompiled("fit", x, rest);
  }

  /** As {@link Model.fit}: `fitDataset` is a method of the model `compile` returns. */
  fitDataset(dataset: NeedsCompile<"fitDataset">, ...rest: unknown[]): never {
    return uncompiled("fitDataset", dataset, rest);
  }

  /** As {@link Model.fit}: `evaluate` is a method of the model `compile` returns. */
  evaluate(x: NeedsCompile<"evaluate">, ...rest: unknown[]): never {
    return uncompiled("evaluate", x, rest);
  }

  /** As {@link Model.fit}: `trainOnBatch` is a method of the model `compile` returns. */
  trainOnBatch(x: NeedsCompile<"trainOnBatch">, ...rest: unknown[]): never {
    return uncompiled("trainOnBatch", x, rest);
  }

  /**
   * Runs the model on a batch (inference: dropout passes data through). A
   * model with several inputs takes them as it was defined (a tuple or a
   * record of tensors, one batch size) and gives its outputs the same way.
   * With the default fast kernels, `threads` splits the batch across worker
   * threads (see {@link PredictOptions}).
   *
   * @example
   * const y = m.predict(tensor([2, 28, 28, 1], data)); // Tensor<[2, 10]>
   * const z = m.predict(batch, { threads: 2 });       // both cores
   * const [a, b] = two.predict([x1, x2]);             // a model with two inputs and two outputs
   */
  predict<const N extends number>(x: PredictInput<N, I>, options?: PredictOptions): PredictOutput<N, O> {
    return this.runPredict("predict", x, options) as PredictOutput<N, O>;
  }

  /** {@link Model.predict} for a caller named `method` in its messages. */
  private runPredict(method: string, x: unknown, options: unknown): unknown {
    const opts = configObject(method, options, PREDICT_OPTIONS);
    if (opts.profile !== undefined && typeof opts.profile !== "boolean")
      fail(`shapewise: ${method} profile must be true or false, got ${valueText(opts.profile)}`);
    const given = this.inputTensors(x);
    checkMemoryPlan(method, this.nodes, this.inputs, given, this.outputs, this.countParams());
    this.allocateWeights();
    const batch = given[0].shape[0];
    const values = new Map<SymbolicTensorImpl, Tensor>();
    // Fast kernels keep activations in WebAssembly memory: a tensor's buffer
    // is released after its last reader, for the next layer to reuse.
    const scope = beginRun(resolveThreads(opts.threads, batch, method));
    const outer = profiling;
    if (opts.profile === true) profiling = { rows: [], prefix: "" };
    try {
      runGraph(this.nodes, this.inputs, given, values, scope, this.outputs);
      if (opts.profile === true && profiling !== null) recordProfile(profiling.rows);
      const callerData = new Set(given.map((t) => t.data));
      const results = this.outputs.map((t) => {
        const value = values.get(t)!;
        const result = scope === null ? value : scope.result(value);
        // Layers that pass data through (flatten, dropout) must not hand the caller its own buffer back.
        return callerData.has(result.data) ? { shape: [...result.shape], data: new Float32Array(result.data) } : result;
      });
      return arrange(this.outputLayout, results);
    } finally {
      profiling = outer;
      scope?.end();
    }
  }

  /**
   * Applies the whole model to symbolic tensors, as a layer of a larger
   * model (Keras calls a model on tensors the same way). Its weights are
   * shared with this model; the outer summary shows it as one row.
   *
   * @example
   * const encoder = model({ inputs: img, outputs: code });
   * const twice = model({ inputs: x, outputs: encoder.apply(x.conv2d({ filters: 1, kernelSize: 1, padding: "same" })) });
   */
  apply<const T>(inputs: ApplyInputs<T, I>): ApplyResult<T, O, P> {
    const tensors = this.arrangedTensors("apply", inputs);
    // One layer per model: applying it again shares its weights, as a shared layer does.
    this.asLayer ??= new ModelLayer(this as unknown as Model);
    const layer = this.asLayer;
    const [first, ...others] = tensors;
    const output = first.applyLayer(layer, ...others);
    const shapes = layer.computeOutputShapes(...tensors.map((t) => t.shape));
    const outputs = shapes.map((s, i) => (i === 0 ? output : new SymbolicTensorImpl(Object.freeze([...s]), layer, output.inbound, i, output.nodeIndex)));
    return arrange(this.outputLayout, outputs) as unknown as ApplyResult<T, O, P>;
  }

  /** The symbolic tensors given to {@link Model.apply}, in input order, checked against the input layout. */
  private arrangedTensors(method: string, value: unknown): [SymbolicTensorImpl, ...SymbolicTensorImpl[]] {
    const list = unarrange(
      `${this.name}.${method}`,
      this.inputLayout,
      value,
      this.inputs.map((t) => t.layer.name),
    );
    for (const [i, t] of list.entries()) {
      if (!(t instanceof SymbolicTensorImpl))
        fail(`shapewise: ${this.name}.${method} input ${this.inputs[i].layer.name} must be a symbolic tensor, got ${valueText(t)}`);
    }
    return list as [SymbolicTensorImpl, ...SymbolicTensorImpl[]];
  }

  /** The caller's batch as one tensor per model input, every size and value checked. */
  private inputTensors(x: unknown): Tensor[] {
    const names = this.inputs.map((t) => t.layer.name);
    const list = unarrange("predict", this.inputLayout, x, names);
    const several = list.length > 1;
    const tensors = list.map((value, i) => {
      const shape = (value as Tensor | undefined)?.shape;
      const expected = this.inputs[i].shape;
      const fits =
        Array.isArray(shape) &&
        shape.length === expected.length &&
        shape.every((d, j) => Number.isSafeInteger(d) && d > 0 && (expected[j] === null || expected[j] === d));
      const what = several ? `predict input ${names[i]}` : "predict";
      if (!fits) fail(`shapewise: ${what} expects a tensor of shape ${valueText(expected)}, got ${valueText(shape)}`);
      const label = several ? `predict input ${names[i]}` : "predict input";
      const layer = this.inputs[i].layer;
      const data =
        layer instanceof InputLayer && layer.dtype === "int32"
          ? integerData(label, names[i], (value as Tensor).data, shape)
          : numericData(label, (value as Tensor).data, shape);
      return { shape: [...shape] as number[], data };
    });
    const batch = tensors[0].shape[0];
    const other = tensors.findIndex((t) => t.shape[0] !== batch);
    if (other >= 0)
      fail(`shapewise: predict inputs must share one batch size, got ${batch} for ${names[0]} and ${tensors[other].shape[0]} for ${names[other]}`);
    if (this.inputs.some((t) => t.shape.some((d, i) => i > 0 && d === null)))
      checkConcreteShapes(
        this.nodes,
        this.inputs,
        tensors.map((t) => t.shape),
      );
    return tensors;
  }

  /**
   * The model as an ONNX file (opset 17): channels-last inputs and outputs
   * as `predict` takes and gives them, named after the input and output
   * layers, batch axis dynamic. A layer ONNX cannot express is a
   * `ShapeError` naming it (see `toONNX` in `src/io/onnx/export.ts`).
   *
   * @example
   * writeFileSync("model.onnx", m.toONNX());
   */
  toONNX(options?: OnnxExportOptions): Uint8Array {
    this.allocateWeights();
    return toONNX(this, options);
  }

  /**
   * `predict` as a Promise, on the embedded kernels (the default, same
   * result as `predict`) or, with `backend: "onnxruntime"`, on this model's
   * ONNX export in onnxruntime-node (an optional peer dependency; a clear
   * error when it is not installed). Inputs are checked as `predict` checks
   * them; the onnxruntime session is made once and again after `setWeights`.
   *
   * @example
   * const y = await m.predictAsync(x, { backend: "onnxruntime" }); // Tensor<[2, 10]>, equal to m.predict(x) within 1e-5
   */
  async predictAsync<const N extends number>(x: PredictInput<N, I>, options?: PredictAsyncOptions): Promise<PredictOutput<N, O>> {
    const { backend = "embedded", ...rest } = configObject("predictAsync", options, [...PREDICT_OPTIONS, "backend"]);
    if (backend === "embedded") return this.runPredict("predictAsync", x, rest) as PredictOutput<N, O>;
    if (backend !== "onnxruntime") fail(`shapewise: predictAsync backend must be one of 'embedded', 'onnxruntime', got ${valueText(backend)}`);
    // onnxruntime chooses its own threads; the option is still checked, so a typo fails on either backend.
    resolveThreads(rest.threads, 1, "predictAsync");
    const tensors = this.inputTensors(x);
    this.allocateWeights();
    const outputs = await runONNX(this, tensors);
    return arrange(this.outputLayout, outputs) as PredictOutput<N, O>;
  }

  /**
   * Writes the model, in the format its path names: a path ending in
   * `.keras` gets a Keras 3 `.keras` file (`keras.saving.load_model` reads
   * it, and so does `loadModel`; Node only: in a browser, `modelToKerasFile`
   * gives the bytes); a path ending in `.h5` gets a legacy `.h5` model
   * (Keras 3's `save("x.h5")` layout, tf.keras 2's format; `modelToLegacyH5`
   * gives the bytes); any other target is a TensorFlow.js layers model: in
   * Node, `model.json` and `weights.bin` in the directory `target` (made if
   * missing; temporary files renamed at the end, so a failure leaves nothing
   * half-written); in a browser, `indexeddb://name` or `downloads://name`.
   * `tf.loadLayersModel` reads each, and so does `loadModel`. The result's
   * type follows the target's: a literal ending in `.keras` or `.h5` gives a
   * `KerasSaveResult`, another literal a `SaveResult`, a `string` either.
   *
   * @example
   * await m.save("models/mnist");       // models/mnist/model.json + weights.bin
   * await m.save("models/mnist.keras"); // one Keras 3 file
   * await m.save("models/mnist.h5");    // one legacy HDF5 model file
   * await m.save("indexeddb://mnist");  // TensorFlow.js's IndexedDB store
   */
  save<const P extends string>(target: P, options?: TfjsWriteOptions): Promise<SaveResultFor<P>>;
  async save(target: string, options?: TfjsWriteOptions): Promise<SaveResult | KerasSaveResult> {
    if (typeof target === "string" && target.endsWith(".keras")) {
      if (options !== undefined) fail(`shapewise: save to a .keras file takes no options (they are TensorFlow.js's), got ${valueText(options)}`);
      return (await kerasFiles("save")).saveKerasModel(this, target);
    }
    if (typeof target === "string" && /\.weights\.h5$/i.test(target)) {
      fail(`shapewise: save writes models; ${valueText(target)} names a weights file: use saveWeights for a .weights.h5 file`);
    }
    if (typeof target === "string" && /\.h5$/i.test(target)) {
      if (options !== undefined) fail(`shapewise: save to a .h5 file takes no options (they are TensorFlow.js's), got ${valueText(options)}`);
      return (await kerasFiles("save")).saveLegacyKerasModel(this, target);
    }
    return saveModel(this, target, options);
  }

  /**
   * Writes the weights as a Keras 3 `.weights.h5` file, which Keras's
   * `model.load_weights` reads onto the same model built in Python.
   *
   * @example
   * await m.saveWeights("mnist.weights.h5");
   */
  async saveWeights(file: string): Promise<KerasSaveResult> {
    return (await kerasFiles("saveWeights")).saveWeights(this, file);
  }

  /**
   * Reads a Keras weights file (`.weights.h5` from Keras 3's
   * `save_weights`, a legacy `.h5`, or a `.keras` file's weights) onto this
   * model, as Keras's `model.load_weights` matches them: Keras 3 files by
   * each layer's class and position, legacy ones by the order of the layers
   * with weights. Every shape is checked first; nothing changes on an error.
   *
   * @example
   * const m = model({ inputs, outputs });
   * await m.loadWeights("mnist.weights.h5");
   */
  async loadWeights(file: string, options?: LoadLimits): Promise<void> {
    return (await kerasFiles("loadWeights")).loadWeights(this, file, options);
  }

  /**
   * The model as Keras 3 `model.to_json()` text, which
   * `keras.models.model_from_json` rebuilds (weights go separately, in
   * `getWeights()` order); `modelFromKerasJSON` reads it back.
   *
   * @example
   * writeFileSync("model.keras.json", m.toKerasJSON());
   */
  toKerasJSON(options?: KerasJsonOptions): string {
    return toKerasJSON(this, options);
  }
}

/** Keras files by path, which need the file system the Node entry installs. */
function kerasFiles(method: string): Promise<typeof import("./io/keras/files.js")> {
  const load = host().kerasFiles;
  if (load === undefined)
    fail(
      `shapewise: ${method} of a Keras file path needs the file system: import shapewise in Node (or "shapewise/node"); in a browser use modelToKerasFile, weightsToKerasFile or loadWeightsFromBytes`,
    );
  return load();
}

/**
 * What `save` returns for a path of type `P`: `.keras` paths write a Keras
 * file, other paths a TensorFlow.js directory; a path typed only `string`
 * may be either.
 *
 * @example
 * type R = SaveResultFor<"model.keras">; // KerasSaveResult
 */
export type SaveResultFor<P extends string> = string extends P
  ? SaveResult | KerasSaveResult
  : P extends `${string}.keras` | `${string}.h5`
    ? KerasSaveResult
    : SaveResult;

/**
 * The run-time twin of `ExpectShape`: returns the model when its output
 * shape is exactly `shape`, and throws the same sentence otherwise.
 *
 * @example
 * expectShape(m, [null, 10]); // ShapeError: shapewise: expected output shape [null, 10], got [null, 15, 15, 10]
 */
export function expectShape<M extends { readonly outputShape: unknown }>(model: M, shape: ShapeTree): M {
  const text = (tree: unknown): string =>
    Array.isArray(tree) && tree.every((d) => d === null || typeof d === "number")
      ? valueText(tree)
      : Array.isArray(tree)
        ? `(${tree.map(text).join(", ")})`
        : "a record of shapes";
  if (JSON.stringify(model.outputShape) !== JSON.stringify(shape)) fail(`shapewise: expected output shape ${text(shape)}, got ${text(model.outputShape)}`);
  return model;
}

/**
 * The run-time twin of `ExpectParams`: returns the model when it holds
 * exactly `count` parameters, and throws the same sentence otherwise.
 *
 * @example
 * expectParams(m, 7840); // ShapeError: shapewise: expected 7840 parameters, got 7850
 */
export function expectParams<M extends { countParams(): number }>(model: M, count: number): M {
  const total = model.countParams();
  if (total !== count) fail(`shapewise: expected ${count} parameters, got ${total}`);
  return model;
}

/**
 * The summary of a model whose building stopped at a broken rule: the layers
 * built before the failing call, in the chosen style, then a line that marks
 * the failing layer with the shapes it was given and its sentence. For any
 * other error, `undefined`. Works for models built in code and from files
 * (`loadModel`, `modelFromKerasJSON`), whose layers are built the same way.
 *
 * @example
 * try {
 *   x.conv2d({ filters: 8, kernelSize: 5 });
 * } catch (error) {
 *   console.log(failureSummary(error)); // the table up to x, then
 *   // "Failed at conv2d_1 (Conv2D) on (None, 3, 3, 1): shapewise: conv2d kernelSize 5 is larger than input height 3 with padding 'valid'"
 * }
 */
export function failureSummary(error: unknown, options: Omit<SummaryOptions, "printFn"> = {}): string | undefined {
  if (!(error instanceof ShapeError) || error.failure === undefined) return undefined;
  const given = error.failure.inputs.filter((t): t is SymbolicTensorImpl => t instanceof SymbolicTensorImpl);
  const outputs = [...new Set(given)];
  const roots = new Set<SymbolicTensorImpl>();
  const seen = new Set<SymbolicTensorImpl>();
  const stack = [...outputs];
  while (stack.length > 0) {
    const t = stack.pop()!;
    if (seen.has(t)) continue;
    seen.add(t);
    if (t.inbound.length === 0) roots.add(t);
    stack.push(...t.inbound);
  }
  const inputs = [...roots];
  const layout = (n: number): TensorLayout => (n === 1 ? "single" : "list");
  // A fixed name and seed: summarising moves no name counter and no weight stream.
  const built = new Model("functional", { inputs, outputs, inputLayout: layout(inputs.length), outputLayout: layout(outputs.length) }, "model", 0);
  const lines = formatSummary(built.summaryData(), options);
  const shapes = given.map((t) => `(${t.shape.map((d) => (d === null ? "None" : String(d))).join(", ")}${t.shape.length === 1 ? "," : ""})`).join(", ");
  const { names, className } = error.failure;
  lines.push(`Failed at ${names.keras2} (${className}) on ${shapes}: ${error.message}`);
  return `${lines.join("\n")}\n`;
}

/**
 * The levels of models a model holds as layers, refused past
 * {@link MAX_NESTING_DEPTH} as the file readers refuse them: every walk over
 * a model then stays within a bounded stack, and what builds also loads.
 */
function nestingDepthOf(what: string, name: string, layers: readonly Layer[]): number {
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
const SHAPE_MEMO_SIZE = 64;

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
    }
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

  callOutputs(...inputs: Tensor[]): Tensor[] {
    const inner = innerParts(this.model);
    const values = new Map<SymbolicTensorImpl, Tensor>();
    runGraph(inner.nodes, inner.inputs, inputs, values, null, inner.outputs);
    return inner.outputs.map((t) => values.get(t)!);
  }
}

/** The private graph of a model, for the layer that wraps it. */
function innerParts(m: Model): {
  inputs: readonly SymbolicTensorImpl[];
  outputs: readonly SymbolicTensorImpl[];
  nodes: readonly Node[];
  layers: readonly Layer[];
} {
  const parts = m as unknown as {
    inputs: readonly SymbolicTensorImpl[];
    outputs: readonly SymbolicTensorImpl[];
    nodes: readonly Node[];
    layers: readonly Layer[];
  };
  return parts;
}

/** One value per layout slot: the value itself, a list, or a record with the layout's keys. */
function arrange<T>(layout: TensorLayout, values: readonly T[]): T | readonly T[] | Record<string, T> {
  if (layout === "single") return values[0];
  if (layout === "list") return Object.freeze([...values]);
  const record: Record<string, T> = Object.create(null);
  layout.keys.forEach((k, i) => (record[k] = values[i]));
  return Object.freeze(record);
}

/** The inverse of {@link arrange} for a caller's value, with a sentence for any other arrangement. */
function unarrange(method: string, layout: TensorLayout, value: unknown, names: readonly string[]): unknown[] {
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

/** What one sample costs a layer call, by its class's rule. */
function nodeCost(n: Node): LayerCost {
  return n.layer.cost(
    n.inbound.map((t) => t.shape),
    nodeOutputShapes(n),
  );
}

/** Costs summed, `null` where one is unknown. */
function sumCosts(costs: readonly LayerCost[]): LayerCost {
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
 * it is a model output; layers that pass their buffer on share it.
 */
function activationPeak(nodes: readonly Node[], outputs: readonly SymbolicTensorImpl[]): { elements: number | null; layer: string } {
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
    } else if (n.layer.passesBuffer()) {
      for (const t of n.outputs) if (t !== undefined) hold(t, bufferOf.get(n.inbound[0])!);
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

/** Each layer's calls, in graph order: one pass, however many layers and calls. */
function nodesByLayer(nodes: readonly Node[]): Map<Layer, Node[]> {
  const calls = new Map<Layer, Node[]>();
  for (const n of nodes) {
    const list = calls.get(n.layer);
    if (list === undefined) calls.set(n.layer, [n]);
    else list.push(n);
  }
  return calls;
}

/** The shapes a node gives, by output index (for outputs the model does not use, the layer's own record). */
function nodeOutputShapes(n: Node): Shape[] {
  if (hasSeveralOutputs(n.layer) && n.inbound.length > 0) return n.layer.computeOutputShapes(...n.inbound.map((t) => t.shape));
  return [n.outputs[0]?.shape ?? n.layer.outputShape ?? []];
}

/**
 * The tf.keras 2 / Keras 3 rule for a plain chain: one call per depth, none
 * with several inputs, and no layer called twice.
 */
function sequentialLike(nodes: readonly Node[]): boolean {
  const depths = nodeDepths(nodes);
  const perDepth = new Map<number, number>();
  for (const n of nodes) perDepth.set(depths.get(n)!, (perDepth.get(depths.get(n)!) ?? 0) + 1);
  if ([...perDepth.values()].some((c) => c > 1)) return false;
  if (nodes.some((n) => n.inbound.length > 1)) return false;
  const layers = nodes.map((n) => n.layer);
  return new Set(layers).size === layers.length;
}

/** Depth of each node from the outputs, as Keras computes it (an output is depth 0). */
function nodeDepths(nodes: readonly Node[]): Map<Node, number> {
  const byTensor = new Map<SymbolicTensorImpl, Node>();
  for (const n of nodes) for (const t of n.outputs) byTensor.set(t, n);
  const depths = new Map<Node, number>();
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
function mapGraph(what: string, inputs: readonly SymbolicTensorImpl[], outputs: readonly SymbolicTensorImpl[]): { nodes: Node[]; layers: Layer[] } {
  const inputSet = new Set(inputs);
  const nodeOf = new Map<object, Node>();
  const order: Node[] = [];
  const layerIndex = new Map<Layer, number>();
  const finished = new Set<Node>();
  const inProgress = new Set<Node>();
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
 * Computes every tensor of a graph from the input values, each node once;
 * a node with several outputs fills all of its tensors.
 */
function runGraph(
  nodes: readonly Node[],
  inputs: readonly SymbolicTensorImpl[],
  given: readonly Tensor[],
  values: Map<SymbolicTensorImpl, Tensor>,
  scope: RunScope | null,
  keep: readonly SymbolicTensorImpl[],
): void {
  inputs.forEach((t, i) => values.set(t, given[i]));
  const readers = scope === null ? null : readerCounts(nodes);
  const kept = new Set(keep);
  for (const n of nodes) {
    if (n.inbound.length === 0) continue;
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
    n.outputs.forEach((t, i) => t !== undefined && values.set(t, results[i]));
    if (scope === null || readers === null) continue;
    for (const t of n.outputs) if (t !== undefined) scope.retain(values.get(t)!);
    for (const t of n.inbound) {
      const left = readers.get(t)! - 1;
      readers.set(t, left);
      if (left === 0 && !kept.has(t)) scope.release(values.get(t)!);
    }
  }
}

/**
 * Checks, before any work, that a forward pass fits the kernels' memory
 * ({@link KERNEL_MEMORY_BYTES}): the weights, then each layer's output
 * alongside every tensor still to be read, released as {@link runGraph}
 * releases them. Past the bound it is a sentence naming the layer whose
 * output does not fit and the bytes, instead of a failure deep into the run.
 */
function checkMemoryPlan(
  method: string,
  nodes: readonly Node[],
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
function exactBytes(bytes: number): string {
  return Number.isSafeInteger(bytes) ? byteText(bytes) : `more than ${byteText(Number.MAX_SAFE_INTEGER)}`;
}

/**
 * How many layer calls read each tensor, for releasing buffers early;
 * `null` (keep everything to the end) when a layer has several outputs,
 * whose buffers may alias one another.
 */
function readerCounts(nodes: readonly Node[]): Map<SymbolicTensorImpl, number> | null {
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
function checkConcreteShapes(nodes: readonly Node[], inputs: readonly SymbolicTensorImpl[], given: readonly Shape[]): Map<SymbolicTensorImpl, Shape> {
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
 * The values of a tensor given by a caller: a Float32Array, or an array of
 * finite numbers, of exactly the size of its shape.
 */
function numericData(what: string, data: unknown, shape: readonly number[]): Float32Array {
  const size = shape.reduce((p, d) => p * d, 1);
  if (data instanceof Float32Array) {
    if (data.length !== size) fail(`shapewise: ${what} of shape ${valueText(shape)} must hold ${size} values, got ${data.length}`);
    return data;
  }
  if (!Array.isArray(data)) {
    fail(`shapewise: ${what} must be a Float32Array or an array of numbers, got ${data instanceof Object ? data.constructor.name : valueText(data)}`);
  }
  if (data.length !== size) fail(`shapewise: ${what} of shape ${valueText(shape)} must hold ${size} values, got ${data.length}`);
  const bad = data.findIndex((v) => typeof v !== "number");
  if (bad >= 0) fail(`shapewise: ${what} must hold numbers, got ${valueText(data[bad])} at index ${bad}`);
  return Float32Array.from(data as number[]);
}

/**
 * The values of an int32 input (ids for an embedding) as the float32 the
 * kernels compute with: an `Int32Array`, or a `Float32Array` or array whose
 * values are all integers (exact in float32 up to 2^24); a fraction, NaN or
 * an infinity is refused with a sentence naming the input.
 */
function integerData(what: string, inputName: string, data: unknown, shape: readonly number[]): Float32Array {
  const size = shape.reduce((p, d) => p * d, 1);
  if (data instanceof Int32Array) {
    if (data.length !== size) fail(`shapewise: ${what} of shape ${valueText(shape)} must hold ${size} values, got ${data.length}`);
    const big = data.findIndex((v) => Math.abs(v) > 2 ** 24);
    if (big >= 0) fail(`shapewise: ${what} holds ${data[big]} at index ${big}: input '${inputName}' takes int32 ids up to 2^24 in magnitude`);
    return Float32Array.from(data);
  }
  const values = numericData(what, data, shape);
  const bad = values.findIndex((v) => !Number.isInteger(v) || Math.abs(v) > 2 ** 24);
  if (bad >= 0) {
    fail(`shapewise: input '${inputName}' has dtype int32, but ${what} holds ${valueText(values[bad])} at index ${bad}; pass an Int32Array or whole numbers`);
  }
  return values;
}

/**
 * A layer with several outputs (an RNN with `returnState`, a `bidirectional`
 * without merging): it computes them all at once, and each of its tensors
 * picks one by `outputIndex`.
 */
interface SeveralOutputs {
  computeOutputShapes(...inputShapes: Shape[]): Shape[];
  callOutputs(...inputs: Tensor[]): Tensor[];
}

function hasSeveralOutputs(layer: Layer): layer is Layer & SeveralOutputs {
  return typeof (layer as Partial<SeveralOutputs>).callOutputs === "function";
}

/**
 * The machine's memory in bytes where the runtime says (Node: `os.totalmem()`),
 * the bound on a model's weights; `undefined` elsewhere, where the engine's
 * own allocation limit is the bound.
 */
function machineMemoryBytes(): number | undefined {
  return host().totalMemory?.();
}
