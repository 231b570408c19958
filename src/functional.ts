/**
 * The functional API, as Keras spells it: `input()` starts a graph, `model()`
 * and `sequential()` close it over its inputs and outputs, `clearSession()`
 * restarts names and the default weight generator.
 */
import type { Subtract } from "../types/arithmetic/index.js";
import type { Leaves, ShapeTree } from "../types/model.js";
import type { ErrorModel } from "../types/errors.js";
import type { InputConfig, InputDim, InputResult } from "../types/layers/input.js";
import type { Shape } from "../types/shape.js";
import type { MergeMacs, MergeParams, paramTotal } from "../types/symbolic-tensor.js";
import { fail, valueText } from "./checks.js";
import "./layer-methods.js";
import { inputImpl } from "./layers/input.js";
import { Model } from "./model.js";
import type { ModelEnds, TensorLayout } from "./model-graph.js";
import { resetSessionRandom } from "./model-weights.js";
import { clearSession as clearNames } from "./naming.js";
import { SymbolicTensorImpl, checkSharedAncestor } from "./symbolic-tensor.js";

/**
 * A model input: a symbolic tensor of shape `[null, ...shape]` with no
 * parameters yet; its methods add layers. Named `input_1`, `input_2`, ...
 *
 * @example
 * const inputs = input({ shape: [28, 28, 1] }); // SymbolicTensor<[null, 28, 28, 1], 0>
 * const ids = input({ shape: [20], dtype: "int32", batchSize: 8 }); // SymbolicTensor<[8, 20], 0>
 */
export function input<const S extends readonly InputDim[], const B extends number | null = null>(config: InputConfig<S, B>): InputResult<S, B> {
  return inputImpl(config) as unknown as InputResult<S, B>;
}

/** Anything `model()` takes as a tensor: a symbolic tensor of any shape. */
type TensorLike = { readonly shape: Shape; readonly [paramTotal]?: number };
/** What a failed layer call returned. */
type ErrorLike = { readonly error: string };
/** The tensors of a model's inputs or outputs: one, a tuple, or a record. */
type TensorTree = TensorLike | ErrorLike | readonly (TensorLike | ErrorLike)[] | { readonly [key: string]: TensorLike | ErrorLike };

type FirstErrorOf<T extends readonly unknown[]> = T extends readonly [infer H, ...infer R]
  ? H extends { readonly error: infer M extends string }
    ? ErrorModel<M>
    : FirstErrorOf<R>
  : never;

/** A tensor's sizes: its shape with the names given to `input` where they reach (`sizes`), its Keras shape otherwise. */
type SizesOf<T extends TensorLike> = T extends { readonly sizes: infer Z extends Shape } ? Z : T["shape"];

type ShapesOf<T> = (T extends TensorLike ? SizesOf<T> : { readonly [K in keyof T]: T[K] extends TensorLike ? SizesOf<T[K]> : never }) extends infer S extends
  ShapeTree
  ? S
  : never;

/**
 * The model type for given inputs and outputs (each one tensor, a tuple or a
 * record): an inert {@link ErrorModel} when one of them carries an error (the
 * error was already reported at the layer, and every use of the model is
 * accepted, so it stays the only one). The total counts what the outputs need once; with
 * several outputs that share parameters, only a `shared` tensor makes it exact.
 */
export type ModelFor<I, O, Shared = undefined> = [FirstErrorOf<Leaves<I>>] extends [never]
  ? [FirstErrorOf<Leaves<O>>] extends [never]
    ? Model<ShapesOf<I>, ShapesOf<O>, Subtract<MergeParams<Leaves<O>, Shared>, MergeParams<Leaves<I>, "none">>, MergeMacs<Leaves<O>, Shared>>
    : FirstErrorOf<Leaves<O>>
  : FirstErrorOf<Leaves<I>>;

/** The options of {@link model} and {@link sequential}. */
export interface ModelConfig<I, O, Shared = undefined> {
  /** The input tensor from `input()`, or a tuple or record of them. */
  inputs: I;
  /** The output tensor, or a tuple or record of them, reached from `inputs` by layer calls. */
  outputs: O;
  /** Model name; `model`, `model_1`, ... (`sequential`, ... for {@link sequential}) otherwise. */
  name?: string;
  /**
   * Seed of the weight initialiser; without it, a per-process generator that
   * `clearSession` restarts. Layers that already have weights (from an earlier
   * model over the same tensors) keep them, as shared layers do in Keras.
   */
  seed?: number;
  /**
   * For several outputs: the one tensor whose ancestors they share (the
   * trunk before the heads), so the type-level total counts it once; checked
   * at run time. Without it, two or more outputs that carry parameters give
   * the total `number`.
   */
  shared?: Shared;
}

const MODEL_OPTIONS = ["inputs", "outputs", "name", "seed", "shared"];

/** The tensors of an `inputs` or `outputs` option and how they are arranged. */
function tensorTree(method: string, option: string, value: unknown): { tensors: SymbolicTensorImpl[]; layout: TensorLayout } {
  const what = option === "inputs" ? "a tensor from input()" : "a symbolic tensor";
  const check = (t: unknown, where: string): SymbolicTensorImpl => {
    if (!(t instanceof SymbolicTensorImpl)) fail(`shapewise: ${method} ${where} must be ${what}, got ${valueText(t)}`);
    if (option === "inputs" && t.inbound.length !== 0) fail(`shapewise: ${method} ${where} must be ${what}, got the output of ${t.layer.name}`);
    return t;
  };
  if (value instanceof SymbolicTensorImpl || value === null || typeof value !== "object") return { tensors: [check(value, option)], layout: "single" };
  if (Array.isArray(value)) {
    if (value.length === 0) fail(`shapewise: ${method} ${option} must hold at least one tensor, got []`);
    return { tensors: value.map((t, i) => check(t, `${option}[${i}]`)), layout: "list" };
  }
  const keys = Object.keys(value);
  if (keys.length === 0) fail(`shapewise: ${method} ${option} must hold at least one tensor, got {}`);
  return { tensors: keys.map((k) => check((value as Record<string, unknown>)[k], `${option}.${k}`)), layout: { keys } };
}

function modelConfig(method: string, config: unknown): { ends: ModelEnds; name?: string; seed?: number } {
  if (config === null || typeof config !== "object") fail(`shapewise: ${method} expects a config object, got ${valueText(config)}`);
  const record = config as Record<string, unknown>;
  const extra = Object.keys(record).find((k) => !MODEL_OPTIONS.includes(k));
  if (extra !== undefined) fail(`shapewise: ${method} has no option '${extra}' (options: ${MODEL_OPTIONS.join(", ")})`);
  const { inputs, outputs, name, seed, shared } = record;
  const ins = tensorTree(method, "inputs", inputs);
  const outs = tensorTree(method, "outputs", outputs);
  if (new Set(ins.tensors).size !== ins.tensors.length) fail(`shapewise: ${method} inputs must be distinct tensors`);
  if (name !== undefined && (typeof name !== "string" || name.length === 0))
    fail(`shapewise: ${method} name must be a non-empty string, got ${valueText(name)}`);
  if (seed !== undefined && !Number.isSafeInteger(seed)) fail(`shapewise: ${method} seed must be an integer, got ${valueText(seed)}`);
  if (shared !== undefined) checkSharedAncestor(method, outs.tensors, shared);
  return {
    ends: { inputs: ins.tensors, outputs: outs.tensors, inputLayout: ins.layout, outputLayout: outs.layout },
    name: name as string | undefined,
    seed: seed as number | undefined,
  };
}

/**
 * A functional model from inputs to outputs (Keras `keras.Model(inputs, outputs)`);
 * named `model`, `model_1`, ... Inputs and outputs are one tensor, a tuple or
 * a record; its type carries their shapes and the exact parameter total.
 *
 * @example
 * const m = model({ inputs, outputs }); // Model<[null, 28, 28, 1], [null, 10], 113162>
 * const two = model({ inputs: [image, meta], outputs: { label, box }, shared: trunk });
 */
export function model<const I extends TensorTree, const O extends TensorTree, const Shared extends TensorLike | "none" | undefined = undefined>(
  config: ModelConfig<I, O, Shared>,
): ModelFor<I, O, Shared> {
  const c = modelConfig("model", config);
  return new Model("functional", c.ends, c.name, c.seed) as unknown as ModelFor<I, O, Shared>;
}

/**
 * The same chain as a Keras `Sequential` model: named `sequential`,
 * `sequential_1`, ..., and its summary leaves out the input row, as Keras does.
 *
 * @example
 * const s = sequential({ inputs, outputs }); // Model<[null, 28, 28, 1], [null, 10], 113162>
 */
export function sequential<I extends TensorLike | ErrorLike, O extends TensorLike | ErrorLike>(config: ModelConfig<I, O>): ModelFor<I, O> {
  const c = modelConfig("sequential", config);
  if (c.ends.inputLayout !== "single" || c.ends.outputLayout !== "single") fail("shapewise: sequential takes one input tensor and one output tensor");
  const [input] = c.ends.inputs;
  for (let t: SymbolicTensorImpl = c.ends.outputs[0]; t !== input; t = t.inbound[0]) {
    if (t.inbound.length !== 1) fail(`shapewise: sequential needs a chain of single-input layers, '${t.layer.name}' has ${t.inbound.length} inputs`);
  }
  return new Model("sequential", c.ends, c.name, c.seed) as unknown as ModelFor<I, O>;
}

/**
 * Resets layer and model name counters and the default weight generator,
 * like `keras.backend.clear_session()`.
 *
 * @example
 * clearSession();
 * input({ shape: [4] }).layerName; // "input_1"
 */
export function clearSession(): void {
  clearNames();
  resetSessionRandom();
}
