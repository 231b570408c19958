/**
 * The input layer at run time (type twin: `types/layers/input.ts`).
 */
import { configObject, fail, isPositiveInteger, optionalName, valueText } from "../checks.js";
import type { Tensor } from "../kernels/tensor.js";
import { inputNames } from "../naming.js";
import { SymbolicTensorImpl } from "../symbolic-tensor.js";
import { Layer } from "./layer.js";
import type { Shape, SizedShape } from "../shape.js";
import { isSizeName, statedSize } from "../size.js";
import { EVERY_FORMAT, registerLayer } from "./registry.js";

/** The element types an input takes: Keras's float32 default, or int32 for ids (embedding lookups). */
export type InputDtype = "float32" | "int32";
const DTYPES: readonly InputDtype[] = ["float32", "int32"];

/** Where a model's data enters (Keras `InputLayer`); named `input_1`, `input_2`, ... */
export class InputLayer extends Layer {
  readonly className = "InputLayer";
  constructor(
    readonly batchShape: Shape,
    userName: string | undefined,
    /** `int32` for an input of ids: `predict` takes an `Int32Array` (or integers) there. */
    readonly dtype: InputDtype = "float32",
  ) {
    super(inputNames(userName));
    this.inputShape = batchShape;
    this.outputShape = batchShape;
  }

  computeOutputShape(inputShape: Shape): Shape {
    return inputShape;
  }

  /** The options of `input()`: the shape without the batch dimension, a fixed batch size and an int32 dtype when given, and the name. */
  override getConfig(): Record<string, unknown> {
    return {
      shape: this.batchShape.slice(1),
      ...(this.batchShape[0] === null ? {} : { batchSize: this.batchShape[0] }),
      ...(this.dtype === "float32" ? {} : { dtype: this.dtype }),
      name: this.name,
    };
  }

  call(input: Tensor): Tensor {
    return input;
  }
}

registerLayer({
  family: "input",
  className: "InputLayer",
  method: "input",
  style: "input",
  options: ["shape", "batchSize", "dtype", "name"],
  formats: EVERY_FORMAT,
});

/**
 * A model input: a symbolic tensor of shape `[batchSize ?? null, ...shape]`
 * with no parameters yet. Its methods add layers. `dtype: "int32"` (Keras's
 * `Input(dtype="int32")`) makes it an input of ids; `batchSize` (Keras's
 * `batch_size`) fixes the batch, which `predict` then requires.
 *
 * @example
 * const inputs = input({ shape: [28, 28, 1] }); // SymbolicTensor<[null, 28, 28, 1], 0>, layer "input_1"
 * const ids = input({ shape: [20], dtype: "int32", batchSize: 8 }); // SymbolicTensor<[8, 20], 0>
 */
export function inputImpl(config: unknown): SymbolicTensorImpl {
  const cfg = configObject("input", config, ["shape", "batchSize", "dtype", "name"]);
  const shape = cfg.shape;
  if (!Array.isArray(shape) || !shape.every((d) => d === null || typeof d === "string" || isPositiveInteger(d))) {
    fail(`shapewise: input shape sizes must be positive integers or null, got ${valueText(shape)}`);
  }
  if (!shape.every((d) => typeof d !== "string" || isSizeName(d))) {
    fail(`shapewise: input shape names must be a name or a factor times a name, like 'T' or '16*H', got ${valueText(shape)}`);
  }
  const batch = cfg.batchSize === undefined || cfg.batchSize === null ? null : cfg.batchSize;
  if (batch !== null && !isPositiveInteger(batch)) fail(`shapewise: input batchSize must be a positive integer, got ${valueText(batch)}`);
  const dtype = cfg.dtype === undefined ? "float32" : cfg.dtype;
  if (!DTYPES.includes(dtype as InputDtype)) fail(`shapewise: input dtype must be 'float32' or 'int32', got ${valueText(dtype)}`);
  // Names are Keras's None in the layer, its summary and files; the tensor keeps them as symbolic sizes.
  const sizes: SizedShape = Object.freeze([
    batch as number | null,
    ...shape.map((d: unknown) => (typeof d === "string" ? statedSize(d) : (d as number | null))),
  ]);
  const layer = new InputLayer(Object.freeze(sizes.map((d) => (typeof d === "string" ? null : d))), optionalName("input", cfg.name), dtype as InputDtype);
  return new SymbolicTensorImpl(layer.batchShape, layer, [], 0, 0, sizes);
}
