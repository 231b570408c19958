/**
 * Models: a graph of layers from inputs to outputs, with its summary, its
 * weights and its forward pass. The class's type parameters are the contract
 * the type checker sees: input shape, output shape and exact parameter total.
 */
import { fail, valueText } from "./checks.js";
import type { Shape } from "./checks.js";
import { createRandom, glorotUniform, ones, zeros } from "./kernels/random.js";
import type { Random } from "./kernels/random.js";
import { beginRun, resolveThreads } from "./kernels/backend.js";
import type { ThreadsOption } from "./kernels/backend.js";
import type { Tensor } from "./kernels/tensor.js";
import { InputLayer } from "./layers/input.js";
import type { Layer, WeightSpec } from "./layers/layer.js";
import { modelNames } from "./naming.js";
import { formatSummary } from "./summary/index.js";
import type { SummaryOptions } from "./summary/index.js";
import type { StyleNames, SummaryData, SummaryRow } from "./summary/rows.js";
import type { SymbolicTensorImpl } from "./symbolic-tensor.js";
import type { paramTotal } from "../types/symbolic-tensor.js";
import type { BatchShape } from "../types/model.js";

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
   * keep the process alive. Ignored by the reference kernels.
   */
  threads?: ThreadsOption;
}

/** The weights of the model in the order `getWeights` returns them. */
interface WeightSlot {
  readonly layer: Layer;
  readonly spec: WeightSpec;
}

/** The generator for models built without a `seed`: deterministic per process, reset by `clearSession`. */
let sessionRandom: Random = createRandom(1337);

/** Restarts the generator of unseeded models (called by `clearSession`). */
export function resetSessionRandom(): void {
  sessionRandom = createRandom(1337);
}

/**
 * A model from input to output. `I` and `O` are its input and output shapes,
 * `P` its exact parameter total, all known to the type checker.
 *
 * @example
 * const m = model({ inputs, outputs }); // Model<[null, 28, 28, 1], [null, 10], 113162>
 * m.countParams(); // 113162
 */
export class Model<I extends Shape = Shape, O extends Shape = Shape, P extends number = number> {
  declare readonly [paramTotal]?: P;
  /** Names under each scheme; `name` is the tf.keras 2 one (`model`, `model_1`). */
  readonly names: StyleNames;
  /** `"functional"` for `model()`, `"sequential"` for `sequential()`. */
  readonly kind: "functional" | "sequential";
  /** Every layer, inputs first, in the order Keras lists them. */
  readonly layers: readonly Layer[];
  readonly inputShape: I;
  readonly outputShape: O;
  private readonly input: SymbolicTensorImpl;
  private readonly output: SymbolicTensorImpl;
  /** Tensors in topological order: each is computed after the ones it reads. */
  private readonly order: readonly SymbolicTensorImpl[];

  constructor(kind: "functional" | "sequential", inputs: SymbolicTensorImpl, outputs: SymbolicTensorImpl, name: string | undefined, seed: number | undefined) {
    this.kind = kind;
    this.input = inputs;
    this.output = outputs;
    this.order = topologicalOrder(kind, inputs, outputs);
    // A layer with several outputs (an RNN's states) appears once however many of its tensors are used.
    this.layers = [...new Set(this.order.map((t) => t.layer))];
    const seen = new Set<string>();
    for (const layer of this.layers) {
      if (seen.has(layer.name)) fail(`shapewise: ${kind === "sequential" ? "sequential" : "model"} layer names must be unique, '${layer.name}' is used twice`);
      seen.add(layer.name);
    }
    this.inputShape = inputs.shape as I;
    this.outputShape = outputs.shape as O;
    this.names = modelNames(kind, name);
    const random = seed === undefined ? sessionRandom : createRandom(seed);
    for (const layer of this.layers) {
      if (layer.weights === undefined) layer.weights = layer.weightSpecs().map((spec) => initialWeight(spec, random));
    }
  }

  /** The model's name (tf.keras 2 scheme). */
  get name(): string {
    return this.names.keras2;
  }

  private slots(): WeightSlot[] {
    return this.layers.flatMap((layer) => layer.weightSpecs().map((spec) => ({ layer, spec })));
  }

  /**
   * The exact number of parameters, trainable or not; equal to `ParamCount<typeof m>`.
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
   * The summary as data: one row per layer, and the totals. Each summary
   * style formats these rows.
   *
   * @example
   * m.summaryData().rows.map((r) => r.names.keras2); // ["input_1", "conv2d", ...]
   */
  summaryData(): SummaryData {
    const rows: SummaryRow[] = [];
    const listed = new Set<Layer>();
    for (const t of this.order) {
      const layer = t.layer;
      if (listed.has(layer)) continue;
      listed.add(layer);
      const isInput = layer instanceof InputLayer;
      if (isInput && this.kind === "sequential") continue;
      const specs = layer.weightSpecs();
      const count = (trainable: boolean) =>
        specs.filter((s) => s.trainable === trainable).reduce((sum, s) => sum + s.shape.reduce((p, d) => p * d, 1), 0);
      rows.push({
        names: layer.names,
        className: layer.className,
        isInput,
        inputShapes: isInput ? [t.shape] : t.inbound.map((i) => i.shape),
        outputShape: t.outputIndex === 0 ? t.shape : (layer.outputShape ?? t.shape),
        params: layer.countParams(),
        trainableParams: count(true),
        nonTrainableParams: count(false),
        inbound: t.inbound.map((i) => ({ layer: i.layer.names, nodeIndex: 0, tensorIndex: i.outputIndex })),
      });
    }
    const trainable = rows.reduce((s, r) => s + r.trainableParams, 0);
    const nonTrainable = rows.reduce((s, r) => s + r.nonTrainableParams, 0);
    return {
      names: this.names,
      kind: this.kind,
      sequentialLike: this.order.every((t) => t.inbound.length <= 1),
      rows,
      totalParams: trainable + nonTrainable,
      trainableParams: trainable,
      nonTrainableParams: nonTrainable,
      bytesPerParam: 4,
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
    const lines = formatSummary(this.summaryData(), options);
    const print = options.printFn ?? ((line: string) => console.log(line));
    for (const line of lines) print(line);
    return lines.join("\n") + "\n";
  }

  /**
   * Copies of every weight, layer by layer in Keras order (kernel, then bias)
   * and Keras layout (`[kh, kw, in, out]` for conv2d, `[in, units]` for dense).
   *
   * @example
   * const [kernel, bias] = m.getWeights(); // shapes [3, 3, 1, 32] and [32]
   */
  getWeights(): Tensor[] {
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
   * Runs the model on a batch (inference: dropout passes data through).
   * With the default fast kernels, `threads` splits the batch across worker
   * threads (see {@link PredictOptions}).
   *
   * @example
   * const y = m.predict(tensor([2, 28, 28, 1], data)); // Tensor<[2, 10]>
   * const z = m.predict(batch, { threads: 2 });       // both cores
   */
  predict<const N extends number>(x: Tensor<Readonly<BatchShape<N, I>>>, options: PredictOptions = {}): Tensor<BatchShape<N, O>> {
    const shape = (x as Tensor | undefined)?.shape;
    const expected = this.inputShape;
    const fits =
      Array.isArray(shape) &&
      shape.length === expected.length &&
      shape.every((d, i) => Number.isSafeInteger(d) && d > 0 && (expected[i] === null || expected[i] === d));
    if (!fits) fail(`shapewise: predict expects a tensor of shape ${valueText(expected)}, got ${valueText(shape)}`);
    const data = numericData("predict input", x.data, shape);
    if (expected.some((d, i) => i > 0 && d === null)) this.checkConcreteShapes(shape);
    const values = new Map<SymbolicTensorImpl, Tensor>();
    const computed = new Map<Layer, Tensor[]>();
    // Fast kernels keep activations in WebAssembly memory: a tensor's buffer
    // is released after its last reader, for the next layer to reuse.
    const scope = beginRun(resolveThreads(options.threads, shape[0]));
    try {
      const readers = scope === null ? null : this.readerCounts();
      for (const t of this.order) {
        if (t === this.input) values.set(t, { shape: [...shape], data });
        else values.set(t, outputOf(t, t.inbound.map((i) => values.get(i)!), computed));
        if (scope === null || readers === null) continue;
        scope.retain(values.get(t)!);
        for (const i of t.inbound) {
          const left = readers.get(i)! - 1;
          readers.set(i, left);
          if (left === 0 && i !== this.output) scope.release(values.get(i)!);
        }
      }
      const result = scope === null ? values.get(this.output)! : scope.result(values.get(this.output)!);
      // Layers that pass data through (flatten, dropout) must not hand the caller its own buffer back.
      return (result.data === x.data ? { shape: result.shape, data: new Float32Array(result.data) } : result) as Tensor<BatchShape<N, O>>;
    } finally {
      scope?.end();
    }
  }

  /**
   * How many layer calls read each tensor, for releasing buffers early;
   * `null` (keep everything to the end) when a layer has several outputs,
   * whose buffers may alias one another.
   */
  private readerCounts(): Map<SymbolicTensorImpl, number> | null {
    if (this.order.some((t) => hasSeveralOutputs(t.layer))) return null;
    const counts = new Map<SymbolicTensorImpl, number>();
    for (const t of this.order) for (const i of t.inbound) counts.set(i, (counts.get(i) ?? 0) + 1);
    return counts;
  }

  /**
   * Sizes left unknown at definition (`null`) are known once data arrives:
   * check every rule again for them, so a too-small image is a `ShapeError`
   * before any computation.
   */
  private checkConcreteShapes(shape: readonly number[]): void {
    const shapes = new Map<SymbolicTensorImpl, Shape>();
    for (const t of this.order) {
      if (t === this.input) {
        shapes.set(t, shape);
        continue;
      }
      const inputs = t.inbound.map((i) => shapes.get(i)!) as [Shape, ...Shape[]];
      shapes.set(t, hasSeveralOutputs(t.layer) ? t.layer.computeOutputShapes(...inputs)[t.outputIndex] : t.layer.computeOutputShape(...inputs));
    }
  }
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

/** The value of one tensor; a layer with several outputs runs once for all of its tensors. */
function outputOf(t: SymbolicTensorImpl, inputs: Tensor[], computed: Map<Layer, Tensor[]>): Tensor {
  const layer = t.layer;
  if (!hasSeveralOutputs(layer)) return layer.call(...(inputs as [Tensor, ...Tensor[]]));
  let all = computed.get(layer);
  if (all === undefined) {
    all = layer.callOutputs(...inputs);
    computed.set(layer, all);
  }
  return all[t.outputIndex];
}

function initialWeight(spec: WeightSpec, random: Random): Tensor {
  const init = spec.initializer;
  const data =
    typeof init === "function"
      ? init(spec.shape, random)
      : init === "glorotUniform"
        ? glorotUniform(spec.shape, random)
        : init === "ones"
          ? ones(spec.shape)
          : zeros(spec.shape);
  return { shape: [...spec.shape], data };
}

/** Every tensor between the input and the output, each after the ones it reads. */
function topologicalOrder(kind: string, input: SymbolicTensorImpl, output: SymbolicTensorImpl): SymbolicTensorImpl[] {
  const order: SymbolicTensorImpl[] = [];
  const visited = new Set<SymbolicTensorImpl>();
  const stack: { t: SymbolicTensorImpl; expanded: boolean }[] = [{ t: output, expanded: false }];
  while (stack.length > 0) {
    const top = stack.pop()!;
    if (visited.has(top.t)) continue;
    if (top.expanded || top.t === input) {
      visited.add(top.t);
      order.push(top.t);
      continue;
    }
    if (top.t.inbound.length === 0) {
      fail(`shapewise: ${kind === "sequential" ? "sequential" : "model"} outputs do not come from its inputs (they reach input '${top.t.layer.name}')`);
    }
    stack.push({ t: top.t, expanded: true });
    for (let i = top.t.inbound.length - 1; i >= 0; i--) stack.push({ t: top.t.inbound[i], expanded: false });
  }
  return order;
}
