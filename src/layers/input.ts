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

/** Where a model's data enters (Keras `InputLayer`); named `input_1`, `input_2`, ... */
export class InputLayer extends Layer {
  readonly className = "InputLayer";
  constructor(
    readonly batchShape: Shape,
    userName: string | undefined,
  ) {
    super(inputNames(userName));
    this.inputShape = batchShape;
    this.outputShape = batchShape;
  }

  computeOutputShape(inputShape: Shape): Shape {
    return inputShape;
  }

  /** The options of `input()`: the shape without the batch dimension, and the name. */
  override getConfig(): Record<string, unknown> {
    return { shape: this.batchShape.slice(1), name: this.name };
  }

  call(input: Tensor): Tensor {
    return input;
  }
}

registerLayer({ family: "input", className: "InputLayer", method: "input", style: "input", options: ["shape", "name"], formats: EVERY_FORMAT });

/**
 * A model input: a symbolic tensor of shape `[null, ...shape]` with no
 * parameters yet. Its methods add layers.
 *
 * @example
 * const inputs = input({ shape: [28, 28, 1] }); // SymbolicTensor<[null, 28, 28, 1], 0>, layer "input_1"
 */
export function inputImpl(config: unknown): SymbolicTensorImpl {
  const cfg = configObject("input", config, ["shape", "name"]);
  const shape = cfg.shape;
  if (!Array.isArray(shape) || !shape.every((d) => d === null || typeof d === "string" || isPositiveInteger(d))) {
    fail(`shapewise: input shape sizes must be positive integers or null, got ${valueText(shape)}`);
  }
  if (!shape.every((d) => typeof d !== "string" || isSizeName(d))) {
    fail(`shapewise: input shape names must be a name or a factor times a name, like 'T' or '16*H', got ${valueText(shape)}`);
  }
  // Names are Keras's None in the layer, its summary and files; the tensor keeps them as symbolic sizes.
  const sizes: SizedShape = Object.freeze([null, ...shape.map((d: unknown) => (typeof d === "string" ? statedSize(d) : (d as number | null)))]);
  const layer = new InputLayer(Object.freeze(sizes.map((d) => (typeof d === "string" ? null : d))), optionalName("input", cfg.name));
  return new SymbolicTensorImpl(layer.batchShape, layer, [], 0, 0, sizes);
}
