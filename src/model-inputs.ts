/**
 * The values callers hand a model (a batch for `predict`, weights for
 * `setWeights`), each size and value checked before the kernels see it.
 */
import { fail, valueText } from "./checks.js";
import type { ThreadsOption } from "./kernels/backend.js";
import type { Tensor } from "./kernels/tensor.js";
import { InputLayer } from "./layers/input.js";
import { checkConcreteShapes, unarrange } from "./model-graph.js";
import type { GraphParts, TensorLayout } from "./model-graph.js";
import type { SizedShape } from "./shape.js";
import { bindStatedSizes, evaluateSize, sizeAdmits, sizeNames } from "./size.js";
import type { SymbolicTensorImpl } from "./symbolic-tensor.js";

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
export const PREDICT_OPTIONS: readonly (keyof PredictOptions)[] = ["threads", "profile"];

/**
 * The caller's batch as one tensor per model input, every size and value
 * checked; each name an input states (`"T"`, `"16*H"`) is bound from the
 * data once, its factor and every other axis stating it checked, and sizes
 * the model left unknown are checked through every layer.
 */
export function predictInputs(parts: GraphParts, layout: TensorLayout, x: unknown): Tensor[] {
  const names = parts.inputs.map((t) => t.layer.name);
  const list = unarrange("predict", layout, x, names);
  const several = list.length > 1;
  const tensors = list.map((value, i) => {
    const shape = (value as Tensor | undefined)?.shape;
    const expected = parts.inputs[i].shape;
    const fits =
      Array.isArray(shape) &&
      shape.length === expected.length &&
      shape.every((d, j) => Number.isSafeInteger(d) && d > 0 && (expected[j] === null || expected[j] === d));
    const what = several ? `predict input ${names[i]}` : "predict";
    if (!fits) fail(`shapewise: ${what} expects a tensor of shape ${valueText(expected)}, got ${valueText(shape)}`);
    const label = several ? `predict input ${names[i]}` : "predict input";
    const layer = parts.inputs[i].layer;
    const data =
      layer instanceof InputLayer && layer.dtype === "int32"
        ? integerData(label, names[i], (value as Tensor).data, shape)
        : numericData(label, (value as Tensor).data, shape);
    return { shape: [...shape] as number[], data };
  });
  const batch = tensors[0].shape[0];
  const other = tensors.findIndex((t) => t.shape[0] !== batch);
  if (other >= 0) fail(`shapewise: predict inputs must share one batch size, got ${batch} for ${names[0]} and ${tensors[other].shape[0]} for ${names[other]}`);
  boundInputSizes(
    "predict",
    parts.inputs,
    tensors.map((t) => t.shape),
  );
  if (parts.inputs.some((t) => t.shape.some((d, i) => i > 0 && d === null)))
    checkConcreteShapes(
      parts.nodes,
      parts.inputs,
      tensors.map((t) => t.shape),
    );
  return tensors;
}

/**
 * Binds each name the inputs state (`"T"`, `"16*H"`) from the caller's
 * shapes, one per input: a side that is not a multiple of its stated factor,
 * or two axes stating one name with different lengths, is a sentence naming
 * the input, the axis and the name.
 *
 * @example
 * boundInputSizes("fit", inputs, [[2, 37, 8]]); // { T: 37 } for an input stated ["T", 8]
 */
export function boundInputSizes(owner: string, inputs: readonly SymbolicTensorImpl[], shapes: readonly (readonly number[])[]): Record<string, number> {
  return bindStatedSizes(
    owner,
    inputs.flatMap((t, i) => t.sizes.flatMap((d, axis) => (typeof d === "string" ? [{ input: t.layer.name, axis, stated: d, given: shapes[i][axis] }] : []))),
  );
}

/**
 * Checks labels against an output's named sizes (`expected`, batch first,
 * as the loss reads them) once `x` has bound the names: a length other than
 * the one the data makes the expression is a sentence naming the axis, the
 * expression, its value and the binding.
 *
 * @example
 * checkNamedLabels("fit y", [null, "2*T+1"], [2, 36], { T: 37 });
 * // ShapeError: shapewise: fit y has 36 on axis 1, where the output has 2*T+1, which x makes 75 (T = 37)
 */
export function checkNamedLabels(what: string, expected: SizedShape, given: readonly number[], bound: Readonly<Record<string, number>>): void {
  for (const [axis, size] of expected.entries()) {
    if (typeof size !== "string") continue;
    // A length no binding allows is the sentence the types give, whatever x binds.
    const admitted = sizeAdmits(size, given[axis]);
    if (admitted !== true) fail(`shapewise: ${what} has ${given[axis]} on axis ${axis}, where the output has ${size}: ${admitted}`);
    const value = evaluateSize(size, bound);
    if (value === undefined || value === given[axis]) continue;
    const names = sizeNames(size)
      .map((n) => `${n} = ${bound[n]}`)
      .join(", ");
    const made = Object.hasOwn(bound, size) ? `which x binds to ${value}` : `which x makes ${value} (${names})`;
    fail(`shapewise: ${what} has ${given[axis]} on axis ${axis}, where the output has ${size}, ${made}`);
  }
}

/**
 * The values of a tensor given by a caller: a Float32Array, or an array of
 * finite numbers, of exactly the size of its shape.
 */
export function numericData(what: string, data: unknown, shape: readonly number[]): Float32Array {
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
export function integerData(what: string, inputName: string, data: unknown, shape: readonly number[]): Float32Array {
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
