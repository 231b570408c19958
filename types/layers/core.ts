/**
 * Core layers at the type level: `dense`, `activation` and `embedding`
 * (runtime twin: `src/layers/core.ts`).
 */
import type { RegularizerOption } from "../regularizers.js";
import type { Add, AddDigits, Multiply, MultiplyDigits } from "../arithmetic/index.js";
import type { ActivationName } from "../activations.js";
import type { ConfigOr, ExactCount, KnownChannels, PositiveCount, TotalFault } from "../checks.js";
import type { ErrorTensor, Fault, Field, FirstFault, NoFault } from "../errors.js";
import type { Last, ReplaceLast, Resolved, Shape, ShapeText } from "../shape.js";
import type { AddMacTerm } from "../cost.js";
import type { SymbolicTensor } from "../symbolic-tensor.js";

/** The options of {@link CoreMethods.dense}. */
export interface DenseOptions {
  /** Number of output features. */
  units: number;
  /** Activation applied after the bias (default `"linear"`). */
  activation?: ActivationName;
  /** Whether the layer adds a bias (default `true`). */
  useBias?: boolean;
  /** Penalty on the kernel added to the training loss: `"l1"`, `"l2"`, `"l1l2"` or `regularizers.l2(1e-4)` (Keras `kernel_regularizer`). */
  kernelRegularizer?: RegularizerOption;
  /** Penalty on the bias (Keras `bias_regularizer`). */
  biasRegularizer?: RegularizerOption;
  /** Penalty on the output, divided by the batch size (Keras `activity_regularizer`). */
  activityRegularizer?: RegularizerOption;
  /** Layer name. */
  name?: string;
}

type MinRank2<S extends Shape> = number extends S["length"]
  ? NoFault
  : S["length"] extends 0 | 1
    ? Fault<"(config)", `shapewise: dense expects input of rank 2 or more [batch, ..., features], got rank ${S["length"]} ${ShapeText<S>}`>
    : NoFault;

type DenseInputFault<S extends Shape> = FirstFault<[MinRank2<S>, KnownChannels<"dense", S, Last<S>>]>;

type DenseFault<S extends Shape, U extends number, B extends boolean> = FirstFault<
  [DenseInputFault<S>, PositiveCount<"dense", "units", U>, DenseCountFault<Last<S> & number, U, B>]
>;

/** The faults of a `dense` call, its weights' share of the running total `P` included. */
type DenseTotalFault<S extends Shape, P extends number, U extends number, B extends boolean> = TotalFault<
  DenseFault<S, U, B>,
  "units",
  P,
  DenseParams<Last<S> & number, U, B>
>;

/** The config of `dense`, its count typed by its checks `E`. */
type DenseConfig<E, U, B> = {
  units: Field<E, "units", U>;
  activation?: ActivationName;
  useBias?: B;
  kernelRegularizer?: RegularizerOption;
  biasRegularizer?: RegularizerOption;
  activityRegularizer?: RegularizerOption;
  name?: string;
};

/** A fault on `units` when the weights of a `dense` pass 2^53 − 1 (their exact count worked out only then). */
type DenseCountFault<In extends number, U extends number, B extends boolean> =
  number extends DenseParams<In, U, B>
    ? number extends In | U
      ? NoFault
      : // A fraction, a negative or an exponent is the units fault's to report: the digit arithmetic takes whole numbers only.
        `${In}|${U}` extends `${string}${"." | "-" | "e"}${string}`
        ? NoFault
        : ExactCount<"units", "dense", "parameter count", AddDigits<MultiplyDigits<`${In}`, `${U}`>, [B] extends [false] ? "0" : `${U}`>>
    : NoFault;

/**
 * Weights of a `dense`: an `[in, units]` kernel and a bias of `units`.
 *
 * @example
 * type P = DenseParams<1152, 10, true>; // 11530
 */
export type DenseParams<In extends number, U extends number, B extends boolean> = Add<
  Multiply<In, U>,
  [B] extends [false] ? 0 : [B] extends [true] ? U : number
>;

/** The axes a `dense` kernel is shared over: all but the batch and the features. */
type SharedAxes<S extends Shape> = S extends readonly [unknown, ...infer Middle, unknown] ? Middle : number[];

/** Every output element sums its `in` products: the kernel's `in * units` at each position of the shared axes. */
type DenseResult<S extends Shape, P extends number, Macs extends string | number, U extends number, B extends boolean, E> =
  E extends Fault<string, infer M>
    ? ErrorTensor<M>
    : SymbolicTensor<ReplaceLast<S, U>, Add<P, DenseParams<Last<S> & number, U, B>>, NoInfer<AddMacTerm<Macs, [...SharedAxes<S>, Last<S>, U]>>>;

/**
 * The options of {@link CoreMethods.embedding}.
 *
 * @example
 * const options: EmbeddingOptions = { inputDim: 1000, outputDim: 64 };
 */
export interface EmbeddingOptions {
  /** Number of rows of the table: indices run from 0 to `inputDim - 1`. */
  inputDim: number;
  /** Size of each vector. */
  outputDim: number;
  /** Penalty on the table added to the training loss (Keras `embeddings_regularizer`). */
  embeddingsRegularizer?: RegularizerOption;
  /** Penalty on the output, divided by the batch size (Keras `activity_regularizer`). */
  activityRegularizer?: RegularizerOption;
  /** Layer name. */
  name?: string;
}

type EmbeddingFault<I extends number, O extends number> = FirstFault<
  [PositiveCount<"embedding", "inputDim", I>, PositiveCount<"embedding", "outputDim", O>, EmbeddingCountFault<I, O>]
>;

/** The faults of an `embedding` call, its table's share of the running total `P` included. */
type EmbeddingTotalFault<P extends number, I extends number, O extends number> = TotalFault<EmbeddingFault<I, O>, "outputDim", P, Multiply<I, O>>;

/** The config of `embedding`, its sizes typed by its checks `E`. */
type EmbeddingConfig<E, I, O> = {
  inputDim: Field<E, "inputDim", I>;
  outputDim: Field<E, "outputDim", O>;
  embeddingsRegularizer?: RegularizerOption;
  activityRegularizer?: RegularizerOption;
  name?: string;
};

/** A fault on `outputDim` when the table of an `embedding` passes 2^53 − 1 (its exact size worked out only then). */
type EmbeddingCountFault<I extends number, O extends number> =
  number extends Multiply<I, O>
    ? number extends I | O
      ? NoFault
      : // A fraction, a negative or an exponent is the count faults' to report: the digit arithmetic takes whole numbers only.
        `${I}|${O}` extends `${string}${"." | "-" | "e"}${string}`
        ? NoFault
        : ExactCount<"outputDim", "embedding", "parameter count", MultiplyDigits<`${I}`, `${O}`>>
    : NoFault;

type EmbeddingResult<S extends Shape, P extends number, Macs extends string | number, I extends number, O extends number, E> =
  E extends Fault<string, infer M> ? ErrorTensor<M> : SymbolicTensor<Resolved<[...S, O]>, Add<P, Multiply<I, O>>, Macs>;

/** Core methods of a {@link SymbolicTensor} with shape `S` and `P` parameters so far. */
export interface CoreMethods<S extends Shape, P extends number, Macs extends string | number> {
  /**
   * A fully connected layer on the last axis (Keras `Dense`); any rank of 2 or
   * more, the kernel shared over the leading axes.
   *
   * @example
   * input({ shape: [1152] }).dense({ units: 10, activation: "softmax" }); // SymbolicTensor<[null, 10], 11530>
   */
  dense<const U extends number, const B extends boolean = true>(
    config: ConfigOr<DenseInputFault<S>, DenseConfig<DenseTotalFault<S, P, U, B>, U, B>>,
  ): DenseResult<S, P, Macs, U, B, DenseFault<S, U, B>>;

  /**
   * Applies an activation function (Keras `Activation`); the shape is unchanged.
   *
   * @example
   * input({ shape: [10] }).activation("relu");              // SymbolicTensor<[null, 10], 0>
   * input({ shape: [10] }).activation({ activation: "tanh" });
   */
  activation(config: ActivationName | { activation: ActivationName; name?: string }): SymbolicTensor<S, P, Macs>;

  /**
   * Looks up a learned vector for every integer index (Keras `Embedding`):
   * `[batch, ...]` gives `[batch, ..., outputDim]`, with an
   * `[inputDim, outputDim]` table. At run time every input value must be an
   * integer in `[0, inputDim)`.
   *
   * @example
   * input({ shape: [10] }).embedding({ inputDim: 1000, outputDim: 64 }); // SymbolicTensor<[null, 10, 64], 64000>
   */
  embedding<const I extends number, const O extends number>(
    config: EmbeddingConfig<EmbeddingTotalFault<P, I, O>, I, O>,
  ): EmbeddingResult<S, P, Macs, I, O, EmbeddingFault<I, O>>;
}
