/**
 * shapewise: Keras-style neural networks whose shapes and parameter counts
 * the TypeScript type checker computes, with a real forward pass.
 *
 * @example
 * import { input, model } from "shapewise";
 * const inputs = input({ shape: [28, 28, 1] });
 * const outputs = inputs
 *   .conv2d({ filters: 32, kernelSize: 3, activation: "relu", padding: "same" })
 *   .maxPooling2d({ poolSize: 2 })
 *   .flatten()
 *   .dense({ units: 10, activation: "softmax" });
 * const m = model({ inputs, outputs }); // Model<[null, 28, 28, 1], [null, 10], 63050>
 * m.summary();
 */
import type { Subtract } from "../types/arithmetic/index.js";
import type { ErrorTensor } from "../types/errors.js";
import type { InputConfig, InputResult } from "../types/layers/input.js";
import type { Shape } from "../types/shape.js";
import type { paramTotal } from "../types/symbolic-tensor.js";
import type { Tensor } from "../types/tensor.js";
import { fail, isPositiveInteger, valueText } from "./checks.js";
import { coreMethods } from "./layers/core.js";
import { convolutionalMethods } from "./layers/convolutional.js";
import { inputImpl } from "./layers/input.js";
import { poolingMethods } from "./layers/pooling.js";
import { regularizationMethods } from "./layers/regularization.js";
import { normalizationMethods } from "./layers/normalization.js";
import { activationsMethods } from "./layers/activations.js";
import { preprocessingMethods } from "./layers/preprocessing.js";
import { recurrentMethods } from "./layers/recurrent.js";
import { attentionMethods } from "./layers/attention.js";
import { reshapingMethods } from "./layers/reshaping.js";
import { Model, resetSessionRandom } from "./model.js";
import { clearSession as clearNames } from "./naming.js";
import { SymbolicTensorImpl, addLayerMethods } from "./symbolic-tensor.js";

addLayerMethods(convolutionalMethods);
addLayerMethods(poolingMethods);
addLayerMethods(reshapingMethods);
addLayerMethods(coreMethods);
addLayerMethods(regularizationMethods);
addLayerMethods(normalizationMethods);
addLayerMethods(activationsMethods);
addLayerMethods(preprocessingMethods);
addLayerMethods(recurrentMethods);
addLayerMethods(attentionMethods);

export { ShapeError } from "./errors.js";
export { Model } from "./model.js";
export type { PredictOptions } from "./model.js";
export { getKernelBackend, kernelInfo, setKernelBackend } from "./kernels/backend.js";
export type { KernelBackend, ThreadsOption } from "./kernels/backend.js";
export { terminateThreads } from "./kernels/threads.js";
export type { Layer, WeightSpec } from "./layers/layer.js";
export type { SummaryOptions, SummaryStyle } from "./summary/index.js";
export type { SummaryData, SummaryRow, StyleNames } from "./summary/rows.js";
export type * from "../types/index.js";

/**
 * A model input: a symbolic tensor of shape `[null, ...shape]` with no
 * parameters yet; its methods add layers. Named `input_1`, `input_2`, ...
 *
 * @example
 * const inputs = input({ shape: [28, 28, 1] }); // SymbolicTensor<[null, 28, 28, 1], 0>
 */
export function input<const S extends readonly (number | null)[]>(config: InputConfig<S>): InputResult<S> {
  return inputImpl(config) as unknown as InputResult<S>;
}

/** Anything `model()` takes as a tensor: a symbolic tensor of any shape. */
type TensorLike = { readonly shape: Shape; readonly [paramTotal]?: number };
/** What a failed layer call returned. */
type ErrorLike = { readonly error: string };
type ParamsOf<T> = T extends { readonly [paramTotal]?: infer P extends number } ? P : number;

/**
 * The model type for given input and output tensors: an inert error when the
 * output carries one (the error was already reported at the layer).
 */
export type ModelFor<I extends TensorLike | ErrorLike, O extends TensorLike | ErrorLike> = I extends { readonly error: infer M extends string }
  ? ErrorTensor<M>
  : O extends { readonly error: infer M extends string }
    ? ErrorTensor<M>
    : I extends TensorLike
      ? O extends TensorLike
        ? Model<I["shape"], O["shape"], Subtract<ParamsOf<O>, ParamsOf<I>>>
        : never
      : never;

/** The options of {@link model} and {@link sequential}. */
export interface ModelConfig<I, O> {
  /** The input tensor, from `input()`. */
  inputs: I;
  /** The output tensor, reached from `inputs` by layer calls. */
  outputs: O;
  /** Model name; `model`, `model_1`, ... (`sequential`, ... for {@link sequential}) otherwise. */
  name?: string;
  /**
   * Seed of the weight initialiser; without it, a per-process generator that
   * `clearSession` restarts. Layers that already have weights (from an earlier
   * model over the same tensors) keep them, as shared layers do in Keras.
   */
  seed?: number;
}

function modelConfig(method: string, config: unknown): { inputs: SymbolicTensorImpl; outputs: SymbolicTensorImpl; name?: string; seed?: number } {
  if (config === null || typeof config !== "object") fail(`shapewise: ${method} expects a config object, got ${valueText(config)}`);
  const { inputs, outputs, name, seed, ...rest } = config as Record<string, unknown>;
  const extra = Object.keys(rest);
  if (extra.length > 0) fail(`shapewise: ${method} has no option '${extra[0]}' (options: inputs, outputs, name, seed)`);
  if (!(inputs instanceof SymbolicTensorImpl) || inputs.inbound.length !== 0) {
    fail(`shapewise: ${method} inputs must be a tensor from input(), got ${valueText(inputs)}`);
  }
  if (!(outputs instanceof SymbolicTensorImpl)) fail(`shapewise: ${method} outputs must be a symbolic tensor, got ${valueText(outputs)}`);
  if (name !== undefined && (typeof name !== "string" || name.length === 0)) fail(`shapewise: ${method} name must be a non-empty string, got ${valueText(name)}`);
  if (seed !== undefined && !Number.isSafeInteger(seed)) fail(`shapewise: ${method} seed must be an integer, got ${valueText(seed)}`);
  return { inputs, outputs, name: name as string | undefined, seed: seed as number | undefined };
}

/**
 * A functional model from an input to an output (Keras `keras.Model(inputs, outputs)`);
 * named `model`, `model_1`, ... Its type carries input shape, output shape and
 * the exact parameter total.
 *
 * @example
 * const m = model({ inputs, outputs }); // Model<[null, 28, 28, 1], [null, 10], 113162>
 */
export function model<I extends TensorLike | ErrorLike, O extends TensorLike | ErrorLike>(config: ModelConfig<I, O>): ModelFor<I, O> {
  const c = modelConfig("model", config);
  return new Model("functional", c.inputs, c.outputs, c.name, c.seed) as unknown as ModelFor<I, O>;
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
  for (let t: SymbolicTensorImpl = c.outputs; t !== c.inputs; t = t.inbound[0]) {
    if (t.inbound.length !== 1) fail(`shapewise: sequential needs a chain of single-input layers, '${t.layer.name}' has ${t.inbound.length} inputs`);
  }
  return new Model("sequential", c.inputs, c.outputs, c.name, c.seed) as unknown as ModelFor<I, O>;
}

/**
 * A concrete tensor from a shape and its values (row-major); zeros without values.
 *
 * @example
 * const x = tensor([2, 3], [1, 2, 3, 4, 5, 6]); // Tensor<[2, 3]>
 */
export function tensor<const S extends readonly number[]>(shape: S, data?: ArrayLike<number>): Tensor<[...S]> {
  if (!Array.isArray(shape) || !shape.every(isPositiveInteger)) {
    fail(`shapewise: tensor shape sizes must be positive integers, got ${valueText(shape)}`);
  }
  const size = shape.reduce((p, d) => p * d, 1);
  if (data === undefined) return { shape: [...shape] as [...S], data: new Float32Array(size) };
  if (typeof data !== "object" || data === null || typeof data.length !== "number") {
    fail(`shapewise: tensor data must be an array of numbers, got ${valueText(data)}`);
  }
  if (data.length !== size) fail(`shapewise: tensor of shape ${valueText(shape)} needs ${size} values, got ${data.length}`);
  const values = Float32Array.from(data);
  for (let i = 0; i < values.length; i++) {
    if (typeof data[i] !== "number") fail(`shapewise: tensor data must be numbers, got ${valueText(data[i])} at index ${i}`);
  }
  return { shape: [...shape] as [...S], data: values };
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
