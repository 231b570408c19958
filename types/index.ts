/**
 * The type-level engine of shapewise: arithmetic, shapes, errors and one file
 * per layer family. Runtime code lives in `src/`; this folder holds types only.
 */
export type * from "./arithmetic/index.js";
export type { ActivationName } from "./activations.js";
export type { AnyErrorTensor, ErrorTensor, Fault, NoFault } from "./errors.js";
export type { InputShape, OutputShape, ParamCount, BatchShape, Concrete, SampleShape } from "./model.js";
export type { Dim, Pair, Shape, ShapeText, Size2 } from "./shape.js";
export type { LayerMethodName, SymbolicTensor } from "./symbolic-tensor.js";
export type { Tensor } from "./tensor.js";
export type { Conv2DOptions, Conv2DParams, Dilated, Padding, WindowOutput } from "./layers/convolutional.js";
export type { DenseOptions, DenseParams } from "./layers/core.js";
export type { InputConfig, InputOptions, InputResult, InputTensor } from "./layers/input.js";
export type { Pooling2DOptions } from "./layers/pooling.js";
export type { RateOutOfRange } from "./layers/regularization.js";
export type { FlatSize } from "./layers/reshaping.js";
