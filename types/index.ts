/**
 * The type-level engine of shapewise: arithmetic, shapes, errors and one file
 * per layer family. Runtime code lives in `src/`; this folder holds types only.
 */
export type * from "./arithmetic/index.js";
export type { ActivationName } from "./activations.js";
export type { AnyErrorTensor, ErrorModel, ErrorTensor, Fault, Inert, NoFault } from "./errors.js";
export type { InputShape, OutputShape, ParamCount, BatchShape, Concrete, ExpectParams, ExpectShape, SampleShape } from "./model.js";
export type { Dilated, Dim, Padding, Pair, Shape, ShapeText, Size2, WindowOutput } from "./shape.js";
export type { LayerMethodName, MacsOf, MergeMacs, MergeParams, SymbolicTensor } from "./symbolic-tensor.js";
export type { CallMacs, FlopCount } from "./cost.js";
export type { Tensor } from "./tensor.js";
export type { NonNegativeFactor, Regularizer, RegularizerName, RegularizerOption } from "./regularizers.js";
export type { CheckedLabels, DatasetBatch, LabelShape, LabelTensor, SparseLossName } from "./training.js";
export type { Conv2DOptions, Conv2DParams } from "./layers/convolutional.js";
export type { DenseOptions, DenseParams } from "./layers/core.js";
export type { InputConfig, InputOptions, InputResult, InputTensor } from "./layers/input.js";
export type { Pooling2DOptions } from "./layers/pooling.js";
export type { RateOutOfRange } from "./layers/regularization.js";
export type { FlatSize } from "./layers/reshaping.js";
export type {
  Axes,
  Conv1DOptions,
  Conv3DOptions,
  ConvPadding,
  ConvParams,
  ConvTransposeOptions,
  ConvTransposeParams,
  DataFormat,
  DepthwiseConvOptions,
  DepthwiseParams,
  SeparableConvOptions,
  SeparableParams,
  Size1,
  Size3,
  TransposeOutput,
} from "./layers/convolutional.js";
export type { GlobalPoolingOptions, Pooling1DOptions, Pooling3DOptions } from "./layers/pooling.js";
export type { Amount1D, Amount2D, Amount3D, AxisAmount } from "./layers/reshaping.js";
export type { EmbeddingOptions } from "./layers/core.js";
export type { BatchNormalizationOptions, LayerNormalizationOptions } from "./layers/normalization.js";
export type { ReLUOptions } from "./layers/activations.js";
export type { NormalizationOptions, ResizingOptions, Statistic } from "./layers/preprocessing.js";
export type {
  BidirectionalOptions,
  GRUParams,
  LSTMParams,
  MergeMode,
  RecurrentBuilder,
  RecurrentOptions,
  SimpleRNNParams,
  WrappedRecurrent,
} from "./layers/recurrent.js";
export type { MultiHeadAttentionOptions, MultiHeadAttentionParams } from "./layers/attention.js";
export type {
  BranchesOptions,
  ConcatenateFunction,
  ConcatenateOptions,
  DotFunction,
  DotOptions,
  ElementwiseMerge,
  ElementwiseMergeFunction,
  MergeOperand,
  MergeOptions,
  MergeResult,
  ResidualOptions,
} from "./layers/merging.js";
export type { ApplyInputs, ApplyResult, IdTensor, PredictInput, PredictOutput, ShapeTree } from "./model.js";
export type { LayerFactories, LayerValue, LayerValueResult } from "./layer-values.js";
