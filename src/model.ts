/**
 * Models: a graph of layers from inputs to outputs, with its summary, its
 * weights and its forward pass. The class's type parameters are the contract
 * the type checker sees: input shape, output shape and exact parameter total.
 * The work behind each method lives by job: the graph (`model-graph.ts`),
 * running it (`model-run.ts`), the caller's values (`model-inputs.ts`),
 * weights (`model-weights.ts`), costs (`model-cost.ts`) and summary rows
 * (`model-summary.ts`).
 */
import { CompiledModel } from "./training/compiled.js";
import type { CompileConfig } from "./training/compiled.js";
import type { LossName } from "./training/losses.js";
import type { TrainingMemoryOptions } from "./cost-training.js";
import { configObject, exactSum, fail, valueText } from "./checks.js";
import { recordProfile, resolveThreads } from "./kernels/backend.js";
import { beginRun } from "./kernels/run-scope.js";
import type { Tensor } from "./kernels/tensor.js";
import { toONNX } from "./io/onnx/export.js";
import type { OnnxExportOptions } from "./io/onnx/export.js";
import { runONNX } from "./io/onnx/run.js";
import type { PredictAsyncOptions } from "./io/onnx/run.js";
import { toKerasJSON } from "./io/keras/json-write.js";
import type { KerasJsonOptions } from "./io/keras/json-write.js";
import type { SaveResult } from "./io/tfjs/save.js";
import type { TfjsWriteOptions } from "./io/tfjs/format.js";
import type { SavedTraining } from "./io/tfjs/optimizer-file.js";
import type { KerasSaveResult } from "./io/keras/files.js";
import type { LoadLimits } from "./io/file-graph.js";
import type { Layer } from "./layers/layer.js";
import { countFlopsOf, memoryOf } from "./model-cost.js";
import type { CostOptions, MemoryEstimate, MemoryOptions } from "./model-cost.js";
import { arrange, graphOf, mapGraph, unarrange } from "./model-graph.js";
import type { CallNode, GraphParts, ModelEnds, ModelGraph, TensorLayout } from "./model-graph.js";
import { PREDICT_OPTIONS, predictInputs } from "./model-inputs.js";
import type { PredictOptions } from "./model-inputs.js";
import { kerasFiles, saveTo } from "./model-files.js";
import type { SaveResultFor } from "./model-files.js";
import { ModelLayer, checkMemoryPlan, nestingDepthOf, runGraph, runSliced, sliceSize, startProfile } from "./model-run.js";
import { summaryDataOf } from "./model-summary.js";
import { allocateWeights, scheduleModelWeights, setLayerWeights } from "./model-weights.js";
import { modelNames } from "./naming.js";
import { formatSummary } from "./summary/index.js";
import type { SummaryOptions } from "./summary/index.js";
import type { StyleNames, SummaryData } from "./summary/rows.js";
import { SymbolicTensorImpl } from "./symbolic-tensor.js";
import type { macTotal, paramTotal } from "../types/symbolic-tensor.js";
import type { ApplyInputs, ApplyResult, KerasShapes, PredictInput, PredictOutput, ShapeTree } from "../types/model.js";
import type { Shape } from "./shape.js";

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
export class Model<I extends ShapeTree = Shape, O extends ShapeTree = Shape, P extends number = number, F extends string | number = string | number> {
  declare readonly [paramTotal]?: P;
  declare readonly [macTotal]?: F;
  /** Names under each scheme; `name` is the tf.keras 2 one (`model`, `model_1`). */
  readonly names: StyleNames;
  /** `"functional"` for `model()`, `"sequential"` for `sequential()`. */
  readonly kind: "functional" | "sequential";
  /** Every layer once, inputs first, in the order Keras lists them. */
  readonly layers: readonly Layer[];
  /** The input shape: one shape, or a list or record of them as the model was defined. */
  readonly inputShape: KerasShapes<I>;
  /** The output shape: one shape, or a list or record of them as the model was defined. */
  readonly outputShape: KerasShapes<O>;
  /** How `predict` takes its inputs. */
  readonly inputLayout: TensorLayout;
  /** How `predict` gives its outputs. */
  readonly outputLayout: TensorLayout;
  private readonly inputs: readonly SymbolicTensorImpl[];
  private readonly outputs: readonly SymbolicTensorImpl[];
  /** Layer calls in an order where each comes after the calls it reads. */
  private readonly nodes: readonly CallNode[];
  /** This model as a layer of other models, once applied to symbolic tensors. */
  private asLayer: ModelLayer | undefined;
  /** How many levels of models this one holds as layers (0 for none). */
  readonly nestingDepth: number;
  /**
   * What a TensorFlow.js file saved with `includeOptimizer` holds beside the
   * model (`undefined` otherwise): the optimizer rebuilt with its state, the
   * loss and metric names. `compile({ optimizer: m.savedTraining.optimizer, ... })`
   * resumes training at the step the saved model would have taken next.
   *
   * @example
   * const m = await loadModel("checkpoints/mnist");
   * const c = m.compile({ optimizer: m.savedTraining!.optimizer, loss: "sparseCategoricalCrossentropy" });
   */
  savedTraining?: SavedTraining;

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
    ) as KerasShapes<I>;
    this.outputShape = arrange(
      ends.outputLayout,
      ends.outputs.map((t) => t.shape),
    ) as KerasShapes<O>;
    this.names = modelNames(kind, name);
    this.nestingDepth = nestingDepthOf(what, this.names.keras2, this.layers);
    // Named as the type level names it, where the model's name is not known yet: at the layer call that passes the bound.
    exactSum(
      "model",
      "parameter total",
      this.layers.map((layer) => layer.countParams()),
    );
    scheduleModelWeights(this.layers, seed);
  }

  /** The model's name (tf.keras 2 scheme). */
  get name(): string {
    return this.names.keras2;
  }

  /** The graph's ends, calls and layers, for the functions that work over them. */
  private parts(): GraphParts {
    return { inputs: this.inputs, outputs: this.outputs, nodes: this.nodes, layers: this.layers };
  }

  /** Draws every weight not yet drawn, after checking that they fit the machine. */
  private allocateWeights(): void {
    allocateWeights(this.kind === "sequential" ? "sequential" : "model", this.name, this.layers);
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
    return countFlopsOf(this.parts(), options);
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
    return memoryOf(this.parts(), this.countParams(), options);
  }

  /**
   * The call graph: which layer call reads which tensors (see {@link ModelGraph}).
   *
   * @example
   * m.graph().nodes.length; // one per layer call, inputs included
   */
  graph(): ModelGraph {
    return graphOf(this.parts());
  }

  /**
   * The summary as data: one row per layer (a shared layer once, with every
   * call's connections), and the totals. Each summary style formats these rows.
   *
   * @example
   * m.summaryData().rows.map((r) => r.names.keras2); // ["input_1", "conv2d", ...]
   */
  summaryData(): SummaryData {
    return summaryDataOf(this.parts(), this.kind, this.names);
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
    setLayerWeights(this.layers, weights);
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
    const profile = startProfile(opts.profile === true);
    try {
      const slice = scope === null ? batch : sliceSize(this.nodes, this.inputs, given);
      if (slice < batch) {
        const sliced = runSliced(this.nodes, this.inputs, given, scope!, this.outputs, slice);
        const rows = profile.rows();
        if (rows !== null) recordProfile(rows);
        return arrange(this.outputLayout, sliced);
      }
      runGraph(this.nodes, this.inputs, given, values, scope, this.outputs);
      const rows = profile.rows();
      if (rows !== null) recordProfile(rows);
      const callerData = new Set(given.map((t) => t.data));
      const results = this.outputs.map((t) => {
        const value = values.get(t)!;
        const result = scope === null ? value : scope.result(value);
        // Layers that pass data through (flatten, dropout) must not hand the caller its own buffer back.
        return callerData.has(result.data) ? { shape: [...result.shape], data: new Float32Array(result.data) } : result;
      });
      return arrange(this.outputLayout, results);
    } finally {
      profile.end();
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
  apply<const T>(inputs: ApplyInputs<T, I>): ApplyResult<T, O, P, F> {
    const tensors = this.arrangedTensors("apply", inputs);
    // One layer per model: applying it again shares its weights, as a shared layer does.
    this.asLayer ??= new ModelLayer(this as unknown as Model);
    const layer = this.asLayer;
    const [first, ...others] = tensors;
    const output = first.applyLayer(layer, ...others);
    const shapes = layer.computeOutputShapes(...tensors.map((t) => t.shape));
    const outputs = shapes.map((s, i) => (i === 0 ? output : new SymbolicTensorImpl(Object.freeze([...s]), layer, output.inbound, i, output.nodeIndex)));
    return arrange(this.outputLayout, outputs) as unknown as ApplyResult<T, O, P, F>;
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
    return predictInputs(this.parts(), this.inputLayout, x);
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
    return saveTo(this as unknown as Model, target, options);
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
