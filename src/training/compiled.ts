/**
 * A model compiled for training: `fit`, `evaluate` and `trainOnBatch` with
 * TensorFlow.js's names and Keras 3's semantics (validation split taken from
 * the end before shuffling, loss and metrics averaged over the samples seen,
 * logs in alphabetical order, the progress bar, callbacks, `History`).
 */
import type { PredictInput, ShapeTree } from "../../types/model.js";
import type { CheckedLabels, DatasetBatch } from "../../types/training.js";
import { configObject, fail, valueText } from "../checks.js";
import { resolveThreads } from "../kernels/backend.js";
import { beginRun } from "../kernels/run-scope.js";
import type { ThreadsOption } from "../kernels/backend.js";
import { createRandom } from "../kernels/random.js";
import type { Random } from "../kernels/random.js";
import type { Tensor } from "../kernels/tensor.js";
import type { Model } from "../model.js";
import type { TfjsWriteOptions } from "../io/tfjs/format.js";
import type { SaveResult } from "../io/tfjs/save.js";
import type { KerasSaveResult } from "../io/keras/files.js";
import type { TensorLayout } from "../model-graph.js";
import { boundInputSizes, checkNamedLabels } from "../model-inputs.js";
import { innerParts } from "../model-run.js";
import { History, readCallbacks } from "./callbacks.js";
import type { Callback, Logs, TrainingControl } from "./callbacks.js";
import { TrainingEngine, trainingGaps } from "./engine.js";
import { inferenceActivityPenalty } from "./graph-pass.js";
import type { BatchResult, Labels } from "./engine.js";
import { checkLabels, resolveLoss } from "./losses.js";
import type { Loss, LossName } from "./losses.js";
import { resolveMetric } from "./metrics.js";
import type { Metric } from "./metrics.js";
import { resolveOptimizer } from "./optimizers.js";
import type { Optimizer } from "./optimizers.js";
import { ProgressBar } from "./progress.js";
import type { Verbosity } from "./progress.js";

/** What `compile` takes. */
export interface CompileConfig<L extends LossName = LossName> {
  /** An optimizer, or a name with its Keras defaults (`"adam"`). */
  optimizer: Optimizer | "sgd" | "adam" | "adamw" | "rmsprop" | "adagrad";
  /** A loss name, or a loss with options (`losses.categoricalCrossentropy({ labelSmoothing: 0.1 })`). */
  loss: L | Loss<L>;
  /** Metric names; `"accuracy"` picks the variant for the loss, as Keras does. */
  metrics?: readonly ("accuracy" | "binaryAccuracy" | "categoricalAccuracy" | "sparseCategoricalAccuracy")[];
}

/** A stream the progress bar writes to: `process.stdout` by default, redrawn in place when it is a terminal. */
export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

/** Options of `fit`. */
export interface FitOptions {
  /** Default 1. */
  epochs?: number;
  /** Default 32. */
  batchSize?: number;
  /** 0 silent, 1 progress bar (default), 2 one line per epoch. */
  verbose?: Verbosity;
  /** The fraction of samples, taken from the end before shuffling, to validate on after each epoch. */
  validationSplit?: number;
  /** Data to validate on after each epoch, `[x, y]`. */
  validationData?: readonly [unknown, unknown];
  /** Shuffle the training samples before each epoch (default true). */
  shuffle?: boolean;
  /** Seeds shuffling, dropout and noise (default 0: the same run every time). */
  seed?: number;
  callbacks?: readonly Callback[];
  /** The epoch to start from, for resuming (default 0). */
  initialEpoch?: number;
  /** One weight per sample. */
  sampleWeight?: ArrayLike<number>;
  /** A weight per class id, turned into sample weights from the labels. */
  classWeight?: Readonly<Record<number, number>>;
  /** Where progress goes (default `process.stdout`). */
  progressTo?: ProgressStream;
  /** Threads each training step's kernels split work over: a count, or `"auto"` (default: every core from 64 samples a batch, as `predict`). */
  threads?: ThreadsOption;
}

/** Options of `evaluate`. */
export interface EvaluateOptions {
  /** Default 32. */
  batchSize?: number;
  /** 0 silent, 1 progress bar (default). */
  verbose?: 0 | 1;
  sampleWeight?: ArrayLike<number>;
  progressTo?: ProgressStream;
}

const FIT_OPTIONS = [
  "epochs",
  "batchSize",
  "verbose",
  "validationSplit",
  "validationData",
  "shuffle",
  "seed",
  "callbacks",
  "initialEpoch",
  "sampleWeight",
  "classWeight",
  "progressTo",
  "threads",
];

function defaultStream(): ProgressStream {
  const out = (globalThis as { process?: { stdout?: ProgressStream } }).process?.stdout;
  if (out !== undefined) return out;
  let line = "";
  return {
    write(text: string) {
      line += text;
      const parts = line.split("\n");
      line = parts.pop() ?? "";
      for (const p of parts) console.log(p);
    },
  };
}

function positiveInteger(owner: string, key: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1)
    fail(`shapewise: ${owner} ${key} must be a positive integer, got ${valueText(value)}`);
  return value;
}

function verbosity(owner: string, value: unknown, allowed: readonly number[]): Verbosity {
  if (value === undefined) return 1;
  if (!allowed.includes(value as number)) fail(`shapewise: ${owner} verbose must be one of ${allowed.join(", ")}, got ${valueText(value)}`);
  return value as Verbosity;
}

function checkedOptions(owner: string, options: unknown): object {
  if (options === null || typeof options !== "object") fail(`shapewise: ${owner} options must be an object, got ${valueText(options)}`);
  return options;
}

/** What `fit` and `fitDataset` read alike: epochs, the epoch to start from, verbosity, seed, callbacks, where progress goes, threads. */
function loopSettings(owner: string, o: FitOptions | FitDatasetOptions): Omit<EpochRun, "steps" | "batches" | "validate" | "empty"> {
  const epochs = positiveInteger(owner, "epochs", o.epochs, 1);
  const initialEpoch = o.initialEpoch ?? 0;
  if (!Number.isSafeInteger(initialEpoch) || initialEpoch < 0 || initialEpoch >= epochs) {
    fail(`shapewise: ${owner} initialEpoch must be an integer from 0 to epochs - 1 (${epochs - 1}), got ${valueText(o.initialEpoch)}`);
  }
  if (o.seed !== undefined && (typeof o.seed !== "number" || !Number.isSafeInteger(o.seed)))
    fail(`shapewise: ${owner} seed must be an integer, got ${valueText(o.seed)}`);
  resolveThreads(o.threads, 1, owner);
  return {
    epochs,
    initialEpoch,
    verbose: verbosity(owner, o.verbose, [0, 1, 2]),
    callbacks: readCallbacks(o.callbacks),
    stream: o.progressTo ?? defaultStream(),
    random: createRandom(o.seed ?? 0),
    owner,
    threads: o.threads,
  };
}

/** The tensors of a model's inputs or outputs, in order, from the caller's one value, list or record. */
function arranged(owner: string, what: string, layout: TensorLayout, value: unknown, names: readonly string[]): unknown[] {
  if (layout === "single") return [value];
  if (layout === "list") {
    if (!Array.isArray(value) || value.length !== names.length)
      fail(`shapewise: ${owner} ${what} must be a list of ${names.length} tensors (${names.join(", ")}), got ${valueText(value)}`);
    return value;
  }
  if (typeof value !== "object" || value === null)
    fail(`shapewise: ${owner} ${what} must be a record with keys ${layout.keys.join(", ")}, got ${valueText(value)}`);
  return layout.keys.map((k) => {
    if (!Object.hasOwn(value, k)) fail(`shapewise: ${owner} ${what} has no '${k}' (keys: ${layout.keys.join(", ")})`);
    return (value as Record<string, unknown>)[k];
  });
}

function isTensorLike(value: unknown): value is Labels {
  const v = value as Labels | undefined;
  return typeof v === "object" && v !== null && Array.isArray(v.shape) && typeof v.data === "object" && v.data !== null && typeof v.data.length === "number";
}

/** Rows `indices` of a batch-first tensor, copied. */
function gather<T extends Labels>(t: T, indices: readonly number[]): { shape: number[]; data: Float32Array } {
  const per = t.shape.slice(1).reduce((p, d) => p * d, 1);
  const out = new Float32Array(indices.length * per);
  indices.forEach((row, i) => {
    const from = row * per;
    for (let j = 0; j < per; j++) out[i * per + j] = t.data[from + j];
  });
  return { shape: [indices.length, ...t.shape.slice(1)], data: out };
}

function shuffled(indices: number[], random: Random): number[] {
  const out = [...indices];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random.next() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Logs in Keras's order: every key sorted, so `accuracy` comes before `loss` and `val_` ones after. */
function sortedLogs(logs: Logs): Logs {
  return Object.fromEntries(Object.entries(logs).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Running totals over an epoch: the loss weighted by batch size, each metric by its rows. */
class Totals {
  private loss = 0;
  private samples = 0;
  private readonly sums: { sum: number; count: number }[];

  constructor(private readonly metrics: readonly Metric[]) {
    this.sums = metrics.map(() => ({ sum: 0, count: 0 }));
  }

  add(r: BatchResult, samples: number): void {
    this.loss += r.loss * samples;
    this.samples += samples;
    r.metrics.forEach((m, i) => {
      this.sums[i].sum += m.sum;
      this.sums[i].count += m.count;
    });
  }

  logs(prefix = ""): Logs {
    const logs: Logs = { [`${prefix}loss`]: this.loss / Math.max(1, this.samples) };
    this.metrics.forEach((m, i) => (logs[`${prefix}${m.name}`] = this.sums[i].sum / Math.max(1, this.sums[i].count)));
    return logs;
  }
}

interface Dataset {
  readonly inputs: Tensor[];
  readonly labels: Labels[];
  readonly count: number;
}

/** One training batch, checked. */
interface Batch {
  readonly inputs: Tensor[];
  readonly labels: Labels[];
  readonly weights: ArrayLike<number> | undefined;
  readonly count: number;
}

/** What the shared epoch loop needs from `fit` or `fitDataset`. */
interface EpochRun {
  readonly epochs: number;
  readonly initialEpoch: number;
  readonly verbose: Verbosity;
  readonly callbacks: readonly Callback[];
  readonly stream: ProgressStream;
  readonly random: Random;
  /** Steps in an epoch, `null` while not known (a dataset's first epoch). */
  readonly steps: (epoch: number) => number | null;
  readonly batches: (epoch: number) => Iterable<Batch> | AsyncIterable<Batch>;
  readonly validate: (() => Logs | Promise<Logs>) | null;
  /** Called when an epoch had no batch at all. */
  readonly empty?: (epoch: number) => void;
  readonly owner: string;
  readonly threads: unknown;
}

/**
 * Batches for `fitDataset`: an iterable or async iterable of `{ xs, ys }`
 * (asked for a new iterator each epoch), or a TensorFlow.js dataset (its
 * `iterator()`).
 *
 * @example
 * const d: BatchDataset<{ xs: Tensor<[32, 4]>; ys: Tensor<[32, 1]> }> = [{ xs, ys }];
 */
export type BatchDataset<B> = Iterable<B> | AsyncIterable<B> | { iterator(): Promise<{ next(): Promise<IteratorResult<B>> }> };

/** Options of `fitDataset`. */
export interface FitDatasetOptions {
  /** Default 1. */
  epochs?: number;
  /** Batches per epoch; without it an epoch is one pass over the dataset. */
  batchesPerEpoch?: number;
  /** 0 silent, 1 progress bar (default), 2 one line per epoch. */
  verbose?: Verbosity;
  /** `[x, y]` tensors or a dataset of `{ xs, ys }` batches to validate on after each epoch. */
  validationData?: readonly [unknown, unknown] | BatchDataset<{ xs: unknown; ys: unknown }>;
  /** Seeds dropout and noise (default 0). */
  seed?: number;
  callbacks?: readonly Callback[];
  initialEpoch?: number;
  /** A weight per class id, turned into sample weights from each batch's labels. */
  classWeight?: Readonly<Record<number, number>>;
  progressTo?: ProgressStream;
  /** As `fit`'s `threads`. */
  threads?: ThreadsOption;
}

const FIT_DATASET_OPTIONS = [
  "epochs",
  "batchesPerEpoch",
  "verbose",
  "validationData",
  "seed",
  "callbacks",
  "initialEpoch",
  "classWeight",
  "progressTo",
  "threads",
];

/** Opens a dataset: a function giving a fresh async iterator each time it is called. */
function datasetOpener(owner: string, dataset: unknown): () => Promise<AsyncIterator<unknown> | Iterator<unknown>> {
  const d = dataset as Record<PropertyKey, unknown> | null;
  if (typeof d === "object" && d !== null) {
    const asyncIt = d[Symbol.asyncIterator];
    if (typeof asyncIt === "function") return async () => asyncIt.call(d) as AsyncIterator<unknown>;
    const it = d[Symbol.iterator];
    if (typeof it === "function") return async () => it.call(d) as Iterator<unknown>;
    const tfjs = d.iterator;
    if (typeof tfjs === "function") return async () => (await tfjs.call(d)) as AsyncIterator<unknown>;
  }
  return fail(`shapewise: ${owner} takes an iterable or async iterable of { xs, ys } batches or a TensorFlow.js dataset, got ${valueText(dataset)}`);
}

/** The `{ xs, ys }` batches of an iterator, at most `limit` of them. */
async function* readBatches(
  owner: string,
  iterator: AsyncIterator<unknown> | Iterator<unknown>,
  limit: number | null,
): AsyncGenerator<{ xs: unknown; ys: unknown }> {
  for (let i = 0; limit === null || i < limit; i++) {
    const step = await iterator.next();
    if (typeof step !== "object" || step === null) fail(`shapewise: ${owner}'s iterator gave ${valueText(step)} instead of an iterator result`);
    if (step.done === true) return;
    const batch = step.value as { xs?: unknown; ys?: unknown } | null;
    if (typeof batch !== "object" || batch === null || !("xs" in batch) || !("ys" in batch))
      fail(`shapewise: ${owner} batch ${i + 1} must be an object { xs, ys }, got ${valueText(batch)}`);
    yield { xs: batch.xs, ys: batch.ys };
  }
}

/**
 * A model with its optimizer, loss and metrics, ready to train. Made by
 * `m.compile(...)`; predictions still come from the model itself.
 *
 * @example
 * const c = m.compile({ optimizer: optimizers.adam({ learningRate: 1e-3 }), loss: "sparseCategoricalCrossentropy", metrics: ["accuracy"] });
 * const history = await c.fit(x, y, { epochs: 5, batchSize: 64, validationSplit: 0.1 });
 * c.evaluate(xTest, yTest); // { accuracy: 0.97, loss: 0.09 }
 */
export class CompiledModel<I extends ShapeTree = ShapeTree, O extends ShapeTree = ShapeTree, L extends LossName = LossName> {
  readonly optimizer: Optimizer;
  readonly loss: Loss;
  readonly metrics: readonly Metric[];
  /** Set by a callback (or by the caller between epochs) to end `fit` after the current epoch. */
  stopTraining = false;

  constructor(
    readonly model: Model,
    config: CompileConfig,
  ) {
    const c = configObject("compile", config, ["optimizer", "loss", "metrics"]);
    if (c.optimizer === undefined) fail("shapewise: compile needs an optimizer");
    if (c.loss === undefined) fail("shapewise: compile needs a loss");
    this.optimizer = resolveOptimizer(c.optimizer);
    this.loss = resolveLoss(c.loss);
    const outputs = model.graph().outputs;
    const width = outputs[0].shape[outputs[0].shape.length - 1];
    if (c.metrics !== undefined && !Array.isArray(c.metrics)) fail(`shapewise: compile metrics must be a list of names, got ${valueText(c.metrics)}`);
    this.metrics = ((c.metrics ?? []) as unknown[]).map((name) => resolveMetric(name, this.loss, width ?? 0));
    if (this.loss.sparse) {
      for (const ref of outputs) {
        const classes = ref.shape[ref.shape.length - 1];
        if (classes === null)
          fail(`shapewise: compile loss '${this.loss.name}' needs a known number of classes, output '${ref.layer.name}' has shape ${valueText(ref.shape)}`);
      }
    }
    const gaps = trainingGaps(model.graph());
    if (gaps.length > 0) fail(`shapewise: compile cannot train this model: ${gaps.join("; ")}`);
  }

  /**
   * Saves the model as `m.save` does; with `includeOptimizer` (TensorFlow.js
   * files only), also the optimizer's state, the loss and the metrics, as
   * TensorFlow.js's `save(..., { includeOptimizer: true })` writes them.
   * `loadModel` gives them back as `savedTraining`.
   *
   * @example
   * await c.save("checkpoints/mnist", { includeOptimizer: true });
   * const m = await loadModel("checkpoints/mnist");
   * const resumed = m.compile({ optimizer: m.savedTraining!.optimizer, loss: "sparseCategoricalCrossentropy" });
   */
  async save(target: string, options: TfjsWriteOptions = {}): Promise<SaveResult | KerasSaveResult> {
    if (options?.includeOptimizer !== true) return this.model.save(target, options);
    if (typeof target === "string" && /\.(keras|h5)$/.test(target)) {
      fail(`shapewise: save with includeOptimizer writes TensorFlow.js files, not Keras files, got ${valueText(target)}`);
    }
    const training = { optimizer: this.optimizer, loss: this.loss.kerasName, metrics: this.metrics.map((m) => m.name) };
    return this.model.save(target, { ...options, training });
  }

  private engine(random: Random): TrainingEngine {
    return new TrainingEngine(this.model.graph(), this.model.layers, this.loss, this.metrics, this.optimizer, random);
  }

  /** Checks x and y against the model and the loss, and returns them as lists, one batch size for all. */
  private dataset(owner: string, x: unknown, y: unknown): Dataset {
    const graph = this.model.graph();
    const inputNames = graph.inputs.map((r) => r.layer.name);
    const outputNames = graph.outputs.map((r) => r.layer.name);
    const inputs = arranged(owner, "x", this.model.inputLayout, x, inputNames).map((t, i) => {
      const expected = graph.inputs[i].shape;
      if (!isTensorLike(t)) fail(`shapewise: ${owner} x must be a tensor of shape ${valueText(expected)}, got ${valueText(t)}`);
      const fits =
        t.shape.length === expected.length && t.shape.every((d, j) => Number.isSafeInteger(d) && d > 0 && (expected[j] === null || expected[j] === d));
      if (!fits)
        fail(`shapewise: ${owner} x${inputNames.length > 1 ? ` '${inputNames[i]}'` : ""} must have shape ${valueText(expected)}, got ${valueText(t.shape)}`);
      const size = t.shape.reduce((p, d) => p * d, 1);
      if (t.data.length !== size) fail(`shapewise: ${owner} x of shape ${valueText(t.shape)} must hold ${size} values, got ${t.data.length}`);
      for (let k = 0; k < t.data.length; k++) {
        if (!Number.isFinite(t.data[k]))
          fail(`shapewise: ${owner} x holds ${t.data[k]} at sample ${Math.floor(k / (size / t.shape[0]))}: data must be finite numbers`);
      }
      return { shape: [...t.shape], data: t.data instanceof Float32Array ? t.data : Float32Array.from(t.data) };
    });
    // Names the inputs state are bound from x once; the labels must then have the sizes the outputs compute from them.
    const parts = innerParts(this.model);
    const bound = boundInputSizes(
      owner,
      parts.inputs,
      inputs.map((t) => t.shape),
    );
    const labels = arranged(owner, "y", this.model.outputLayout, y, outputNames).map((t, i) => {
      const out = graph.outputs[i].shape;
      const expected = this.loss.sparse ? out.slice(0, -1) : out;
      if (!isTensorLike(t)) fail(`shapewise: ${owner} y must be a tensor of shape ${valueText(expected)}, got ${valueText(t)}`);
      // Keras also takes class ids with a trailing axis of 1.
      const shape = this.loss.sparse && t.shape.length === out.length && t.shape[t.shape.length - 1] === 1 ? t.shape.slice(0, -1) : t.shape;
      const fits = shape.length === expected.length && shape.every((d, j) => Number.isSafeInteger(d) && d > 0 && (expected[j] === null || expected[j] === d));
      if (!fits) {
        const rule = this.loss.sparse ? "class ids: the output's shape without its last axis" : "the output's shape";
        fail(`shapewise: ${owner} y for loss '${this.loss.name}' must have shape ${valueText(expected)} (${rule}), got ${valueText([...t.shape])}`);
      }
      const sizes = parts.outputs[i].sizes;
      checkNamedLabels(`${owner} y${outputNames.length > 1 ? ` '${outputNames[i]}'` : ""}`, this.loss.sparse ? sizes.slice(0, -1) : sizes, shape, bound);
      checkLabels(this.loss, t.data, this.loss.sparse ? [...shape, out[out.length - 1] as number] : shape, "the labels");
      return { shape, data: t.data };
    });
    const count = inputs[0].shape[0];
    for (const [what, list] of [
      ["x", inputs],
      ["y", labels],
    ] as const) {
      const other = list.findIndex((t) => t.shape[0] !== count);
      if (other >= 0) fail(`shapewise: ${owner} x and y must share one batch size, got ${count} and ${list[other].shape[0]} samples (${what})`);
    }
    return { inputs, labels, count };
  }

  private sampleWeights(owner: string, data: Dataset, sampleWeight: unknown, classWeight: unknown): Float32Array | undefined {
    if (sampleWeight !== undefined && classWeight !== undefined) fail(`shapewise: ${owner} takes sampleWeight or classWeight, not both`);
    if (sampleWeight !== undefined) {
      const sw = sampleWeight as ArrayLike<number>;
      if (typeof sw !== "object" || sw === null || sw.length !== data.count)
        fail(`shapewise: ${owner} sampleWeight must hold one weight per sample (${data.count}), got ${valueText(sampleWeight)}`);
      const out = Float32Array.from(sw);
      const bad = out.findIndex((v) => !Number.isFinite(v) || v < 0);
      if (bad >= 0) fail(`shapewise: ${owner} sampleWeight ${out[bad]} of sample ${bad} must be a finite number of at least 0`);
      return out;
    }
    if (classWeight === undefined) return undefined;
    if (typeof classWeight !== "object" || classWeight === null)
      fail(`shapewise: ${owner} classWeight must map class ids to weights, got ${valueText(classWeight)}`);
    if (data.labels.length !== 1) fail(`shapewise: ${owner} classWeight needs a model with one output`);
    const labels = data.labels[0];
    const per = labels.data.length / data.count;
    const out = new Float32Array(data.count);
    for (let i = 0; i < data.count; i++) {
      let id: number;
      if (this.loss.sparse) id = labels.data[i * per];
      else {
        id = 0;
        for (let k = 1; k < per; k++) if (labels.data[i * per + k] > labels.data[i * per + id]) id = k;
      }
      const w = (classWeight as Record<number, unknown>)[id];
      if (w === undefined) fail(`shapewise: ${owner} classWeight has no weight for class ${id} (sample ${i})`);
      if (typeof w !== "number" || !Number.isFinite(w) || w < 0)
        fail(`shapewise: ${owner} classWeight of class ${id} must be a finite number of at least 0, got ${valueText(w)}`);
      out[i] = w;
    }
    return out;
  }

  private predictBatch(inputs: Tensor[]): Tensor[] {
    const layout = this.model.inputLayout;
    const x = layout === "single" ? inputs[0] : layout === "list" ? inputs : Object.fromEntries(layout.keys.map((k, i) => [k, inputs[i]]));
    const y = (this.model.predict as (x: unknown) => unknown)(x);
    const out = this.model.outputLayout;
    if (out === "single") return [y as Tensor];
    if (out === "list") return y as Tensor[];
    return out.keys.map((k) => (y as Record<string, Tensor>)[k]);
  }

  /** Loss and metrics of a dataset, in inference mode, in batches. */
  private scoreAll(data: Dataset, batchSize: number, sampleWeight: Float32Array | undefined, bar: ProgressBar | null): Logs {
    const engine = this.engine(createRandom(0));
    const totals = new Totals(this.metrics);
    const steps = Math.ceil(data.count / batchSize);
    for (let s = 0; s < steps; s++) {
      const rows = Array.from({ length: Math.min(batchSize, data.count - s * batchSize) }, (_, i) => s * batchSize + i);
      const inputs = data.inputs.map((t) => gather(t, rows));
      const preds = this.predictBatch(inputs);
      const labels = data.labels.map((t) => gather(t, rows));
      const scored = engine.score(preds, labels, sampleWeight === undefined ? undefined : rows.map((r) => sampleWeight[r]));
      // Keras 3 adds the activity regularisers' penalties of the inference pass too, as it adds the weights'.
      totals.add({ ...scored, loss: scored.loss + inferenceActivityPenalty(this.model.graph(), inputs) }, rows.length);
      bar?.update(s + 1, Object.entries(sortedLogs(totals.logs())));
    }
    return sortedLogs(totals.logs());
  }

  /**
   * Trains for `epochs` over `x` and `y` and resolves to the per-epoch
   * `History`. Labels are checked against the loss before any step; a step
   * whose loss or gradients are not finite stops training with a sentence
   * that names the epoch and batch, the weights left as before that step.
   *
   * @example
   * const h = await c.fit(x, y, { epochs: 5, batchSize: 64, validationSplit: 0.1, seed: 1, callbacks: [earlyStopping({ patience: 2 })] });
   * h.history.val_accuracy;
   */
  async fit<const N extends number, Y>(x: PredictInput<N, I>, y: CheckedLabels<Y, N, O, L, "fit">, options: FitOptions = {}): Promise<History> {
    const owner = "fit";
    const o = configObject(owner, checkedOptions(owner, options), FIT_OPTIONS) as FitOptions;
    const settings = loopSettings(owner, o);
    const batchSize = positiveInteger(owner, "batchSize", o.batchSize, 32);
    if (o.shuffle !== undefined && typeof o.shuffle !== "boolean") fail(`shapewise: fit shuffle must be true or false, got ${valueText(o.shuffle)}`);
    const split = o.validationSplit ?? 0;
    if (typeof split !== "number" || !(split >= 0 && split < 1))
      fail(`shapewise: fit validationSplit must be at least 0 and below 1, got ${valueText(o.validationSplit)}`);
    if (split > 0 && o.validationData !== undefined) fail("shapewise: fit takes validationSplit or validationData, not both");

    const all = this.dataset(owner, x, y);
    const weights = this.sampleWeights(owner, all, o.sampleWeight, o.classWeight);
    // Keras takes the validation samples from the end, before any shuffling.
    const trainCount = split > 0 ? Math.floor(all.count * (1 - split)) : all.count;
    if (trainCount < 1) fail(`shapewise: fit validationSplit ${split} leaves no training sample of ${all.count}`);
    let validation: { data: Dataset; weights: Float32Array | undefined } | null = null;
    if (split > 0 && trainCount < all.count) {
      const rows = Array.from({ length: all.count - trainCount }, (_, i) => trainCount + i);
      const data = { inputs: all.inputs.map((t) => gather(t, rows)), labels: all.labels.map((t) => gather(t, rows)), count: rows.length };
      validation = { data, weights: weights === undefined ? undefined : Float32Array.from(rows, (r) => weights[r]) };
    } else if (o.validationData !== undefined) {
      if (!Array.isArray(o.validationData) || o.validationData.length !== 2)
        fail(`shapewise: fit validationData must be [x, y], got ${valueText(o.validationData)}`);
      validation = { data: this.dataset("fit validationData", o.validationData[0], o.validationData[1]), weights: undefined };
    }

    const steps = Math.ceil(trainCount / batchSize);
    const trainRows = Array.from({ length: trainCount }, (_, i) => i);
    function* epochBatches(): Generator<Batch> {
      const order = o.shuffle === false ? trainRows : shuffled(trainRows, settings.random);
      for (let s = 0; s < steps; s++) {
        const rows = order.slice(s * batchSize, (s + 1) * batchSize);
        yield {
          inputs: all.inputs.map((t) => gather(t, rows)),
          labels: all.labels.map((t) => gather(t, rows)),
          weights: weights === undefined ? undefined : rows.map((i) => weights[i]),
          count: rows.length,
        };
      }
    }
    const v = validation;
    const validate = v === null ? null : () => this.scoreAll(v.data, batchSize, v.weights, null);
    return this.trainEpochs({ ...settings, steps: () => steps, batches: epochBatches, validate });
  }

  /**
   * One training step, its kernels splitting work over `threads`. The step's
   * tensors live in WebAssembly memory until it ends (the backward pass reads
   * what the forward pass saved); weights and results are ordinary arrays.
   */
  private step(engine: TrainingEngine, batch: Batch, where: string, threads: number): BatchResult {
    const scope = beginRun(threads);
    try {
      return engine.trainStep(batch.inputs, batch.labels, batch.weights, where);
    } finally {
      scope?.end();
    }
  }

  /** The epoch loop `fit` and `fitDataset` share: callbacks, the progress bar, validation, `History`. */
  private async trainEpochs(run: EpochRun): Promise<History> {
    const { epochs, initialEpoch, verbose, callbacks, stream } = run;
    const engine = this.engine(run.random);
    const history = new History();
    const control: TrainingControl = {
      stopTraining: false,
      optimizer: this.optimizer,
      getWeights: () => this.model.getWeights().map((w) => w.data.slice()),
      setWeights: (ws) => this.model.setWeights(this.model.getWeights().map((w, i) => ({ shape: w.shape, data: Float32Array.from(ws[i]) }))),
      save: async (path) => {
        await this.model.save(path);
      },
      print: (line) => {
        stream.write(`${line}\n`);
      },
    };
    for (const cb of callbacks) cb.setModel?.(control);
    this.stopTraining = false;
    for (const cb of callbacks) await cb.onTrainBegin?.();
    for (let epoch = initialEpoch; epoch < epochs; epoch++) {
      if (verbose > 0 && epochs > 1) stream.write(`Epoch ${epoch + 1}/${epochs}\n`);
      for (const cb of callbacks) await cb.onEpochBegin?.(epoch);
      const target = run.steps(epoch);
      const bar = new ProgressBar({ target, verbose, dynamic: stream.isTTY === true, write: (t) => stream.write(t) });
      const totals = new Totals(this.metrics);
      let s = 0;
      for await (const batch of run.batches(epoch)) {
        for (const cb of callbacks) await cb.onBatchBegin?.(s);
        const r = this.step(engine, batch, `epoch ${epoch + 1}, batch ${s + 1}`, resolveThreads(run.threads, batch.count, run.owner));
        totals.add(r, batch.count);
        const logs = sortedLogs(totals.logs());
        for (const cb of callbacks) await cb.onBatchEnd?.(s, logs);
        s++;
        bar.update(s, Object.entries(logs));
      }
      if (s === 0) run.empty?.(epoch);
      let logs = totals.logs();
      if (run.validate !== null) {
        const v = await run.validate();
        for (const [k, value] of Object.entries(v)) logs[`val_${k}`] = value;
      }
      logs = sortedLogs(logs);
      bar.update(target ?? s, Object.entries(logs), true);
      for (const cb of callbacks) await cb.onEpochEnd?.(epoch, logs);
      history.record(epoch, logs);
      if (control.stopTraining || this.stopTraining) break;
    }
    for (const cb of callbacks) await cb.onTrainEnd?.();
    return history;
  }

  /**
   * Trains on a dataset of batches that need not fit in memory, as
   * TensorFlow.js's `fitDataset`: an iterable or async iterable of
   * `{ xs, ys }` batches (read again from its start each epoch), or a
   * TensorFlow.js `tf.data.Dataset`. Each batch is checked as `fit` checks
   * its data; with `batchesPerEpoch` an epoch takes that many batches and
   * the next epoch goes on where it stopped, as TensorFlow.js does.
   *
   * @example
   * async function* batches() {
   *   for (const file of files) yield { xs: readImages(file), ys: readLabels(file) };
   * }
   * await c.fitDataset({ [Symbol.asyncIterator]: batches }, { epochs: 3, validationData: [xVal, yVal] });
   */
  async fitDataset(dataset: BatchDataset<DatasetBatch<I, O, L>>, options: FitDatasetOptions = {}): Promise<History> {
    const owner = "fitDataset";
    const o = configObject(owner, checkedOptions(owner, options), FIT_DATASET_OPTIONS) as FitDatasetOptions;
    const settings = loopSettings(owner, o);
    const batchesPerEpoch = o.batchesPerEpoch === undefined ? null : positiveInteger(owner, "batchesPerEpoch", o.batchesPerEpoch, 1);
    const open = datasetOpener(owner, dataset);
    let validate: (() => Promise<Logs>) | null = null;
    // [x, y] is a pair of tensors; any other array is a dataset of { xs, ys } batches.
    const pair =
      Array.isArray(o.validationData) && o.validationData.length === 2 && o.validationData.every((t) => !(typeof t === "object" && t !== null && "xs" in t));
    if (pair) {
      const [vx, vy] = o.validationData as readonly [unknown, unknown];
      const data = this.dataset("fitDataset validationData", vx, vy);
      validate = async () => this.scoreAll(data, 32, undefined, null);
    } else if (o.validationData !== undefined) {
      const openValidation = datasetOpener("fitDataset validationData", o.validationData);
      validate = async () => {
        const engine = this.engine(createRandom(0));
        const totals = new Totals(this.metrics);
        for await (const batch of readBatches("fitDataset validationData", await openValidation(), null)) {
          const data = this.dataset("fitDataset validationData", batch.xs, batch.ys);
          const scored = engine.score(this.predictBatch(data.inputs), data.labels, undefined);
          totals.add({ ...scored, loss: scored.loss + inferenceActivityPenalty(this.model.graph(), data.inputs) }, data.count);
        }
        return sortedLogs(totals.logs());
      };
    }
    let known: number | null = batchesPerEpoch;
    let shared: AsyncIterator<unknown> | Iterator<unknown> | null = null;
    const self = this;
    async function* batches(epoch: number): AsyncGenerator<Batch> {
      // With batchesPerEpoch one iterator runs on across epochs; without, each epoch reads the dataset anew.
      const iterator = batchesPerEpoch === null ? await open() : (shared ??= await open());
      let count = 0;
      for await (const batch of readBatches(owner, iterator, batchesPerEpoch)) {
        const data = self.dataset(owner, batch.xs, batch.ys);
        count++;
        yield { inputs: data.inputs, labels: data.labels, weights: self.sampleWeights(owner, data, undefined, o.classWeight), count: data.count };
      }
      if (batchesPerEpoch !== null && count < batchesPerEpoch)
        fail(`shapewise: fitDataset batchesPerEpoch is ${batchesPerEpoch} but the dataset ran out after ${count} batches in epoch ${epoch + 1}`);
      if (batchesPerEpoch === null) known = count;
    }
    return this.trainEpochs({
      ...settings,
      steps: () => known,
      batches,
      validate,
      empty: (epoch) =>
        fail(
          `shapewise: fitDataset's dataset gave no batch in epoch ${epoch + 1}: give an iterable that starts again when asked for a new iterator (not a generator object, which runs once), or a TensorFlow.js dataset`,
        ),
    });
  }

  /**
   * The loss and metrics on `x` and `y` in inference mode (dropout off),
   * averaged over every sample.
   *
   * @example
   * c.evaluate(xTest, yTest, { verbose: 0 }); // { accuracy: 0.974, loss: 0.083 }
   */
  evaluate<const N extends number, Y>(x: PredictInput<N, I>, y: CheckedLabels<Y, N, O, L, "evaluate">, options: EvaluateOptions = {}): Logs {
    const owner = "evaluate";
    checkedOptions(owner, options);
    const o = configObject(owner, options, ["batchSize", "verbose", "sampleWeight", "progressTo"]) as EvaluateOptions;
    const batchSize = positiveInteger(owner, "batchSize", o.batchSize, 32);
    const verbose = verbosity(owner, o.verbose, [0, 1]);
    const data = this.dataset(owner, x, y);
    const weights = this.sampleWeights(owner, data, o.sampleWeight, undefined);
    const stream = o.progressTo ?? defaultStream();
    const steps = Math.ceil(data.count / batchSize);
    const bar = verbose === 0 ? null : new ProgressBar({ target: steps, verbose, dynamic: stream.isTTY === true, write: (t) => stream.write(t) });
    const logs = this.scoreAll(data, batchSize, weights, bar);
    bar?.update(steps, Object.entries(logs), true);
    return logs;
  }

  /**
   * One training step on one batch, returning its loss and metrics.
   *
   * @example
   * const { loss } = c.trainOnBatch(xBatch, yBatch);
   */
  trainOnBatch<const N extends number, Y>(
    x: PredictInput<N, I>,
    y: CheckedLabels<Y, N, O, L, "trainOnBatch">,
    options: { sampleWeight?: ArrayLike<number>; classWeight?: Readonly<Record<number, number>>; threads?: ThreadsOption } = {},
  ): Logs {
    const o = configObject("trainOnBatch", options, ["sampleWeight", "classWeight", "threads"]);
    const data = this.dataset("trainOnBatch", x, y);
    const weights = this.sampleWeights("trainOnBatch", data, o.sampleWeight, o.classWeight);
    const batch = { inputs: data.inputs, labels: data.labels, weights, count: data.count };
    const r = this.step(
      this.engine(createRandom(this.optimizer.iterations)),
      batch,
      `step ${this.optimizer.iterations + 1}`,
      resolveThreads(o.threads, data.count, "trainOnBatch"),
    );
    const totals = new Totals(this.metrics);
    totals.add(r, data.count);
    return sortedLogs(totals.logs());
  }
}
