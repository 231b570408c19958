/**
 * Normalisation layers at the type level: `batchNormalization` and
 * `layerNormalization` (runtime twin: `src/layers/normalization.ts`).
 *
 * Both keep the shape. Their weights are sized by the input's sizes on the
 * normalised axes (Keras 3 `build`): BatchNormalization has `gamma`, `beta`
 * (trainable) and `moving_mean`, `moving_variance` (not trainable), one of each
 * per channel of its `axis`; LayerNormalization has `gamma` and `beta` with the
 * shape of its axes.
 */
import type { RegularizerOption } from "../regularizers.js";
import type { Add, Multiply, Product } from "../arithmetic/index.js";
import type { ErrorTensor, Fault, Field, FirstFault } from "../errors.js";
import type { AxisIndex, AxisList, Shape, SizeAt } from "../shape.js";
import type { SymbolicTensor } from "../symbolic-tensor.js";
import type { AxesFault, KnownAxes, MinRank2, OnOptionOrReceiver, PositiveFault, Receiver, UnitIntervalFault } from "../checks.js";

/** batchNormalization takes one non-batch axis. */
type BatchNormAxesRule = { lowest: 1; negative: true; empty: false; repeats: false; what: "an integer" };
/** layerNormalization takes one non-batch axis or a list of them. */
type LayerNormAxesRule = { lowest: 1; negative: true; empty: false; repeats: false; what: "an integer or a list of integers" };

/**
 * The sizes of `S` on the listed axes, in the listed order; `number[]` when
 * the list is not known.
 *
 * @example
 * type Z = SizesAt<[null, 10, 64], [-1, 1]>; // [64, 10]
 */
export type SizesAt<S extends Shape, A> = SizesLoop<S, AxisList<A>, []>;

type SizesLoop<S extends Shape, L, Acc extends number[]> = L extends readonly [infer H extends number, ...infer Rest]
  ? SizesLoop<S, Rest, [...Acc, SizeAt<S, AxisIndex<S["length"], H>>]>
  : L extends readonly []
    ? Acc
    : number[];

/**
 * How many per-channel vectors a layer with these `center` and `scale`
 * options has: `Counts` gives the count with neither, one, and both.
 */
type CopyCount<Ce extends boolean, Sc extends boolean, Counts extends readonly [number, number, number]> = [Ce, Sc] extends [true, true]
  ? Counts[2]
  : [Ce, Sc] extends [true, false] | [false, true]
    ? Counts[1]
    : [Ce, Sc] extends [false, false]
      ? Counts[0]
      : number;

/** How many of `gamma` and `beta` a layer with these `center` and `scale` options has. */
type AffineCopies<Ce extends boolean, Sc extends boolean> = CopyCount<Ce, Sc, [0, 1, 2]>;

/** The same count plus BatchNormalization's two moving statistics. */
type BatchNormCopies<Ce extends boolean, Sc extends boolean> = CopyCount<Ce, Sc, [2, 3, 4]>;

/** The options both normalisation layers take, as TensorFlow.js names them. */
interface AffineNormOptions {
  /** Added to the variance before the square root (default 1e-3); must be positive. */
  epsilon?: number;
  /** Whether to add the learned offset `beta` (default `true`). */
  center?: boolean;
  /** Whether to multiply by the learned `gamma` (default `true`). */
  scale?: boolean;
  /** Penalty on `beta` added to the training loss (Keras `beta_regularizer`). */
  betaRegularizer?: RegularizerOption;
  /** Penalty on `gamma` (Keras `gamma_regularizer`). */
  gammaRegularizer?: RegularizerOption;
}

/**
 * The options of {@link NormalizationMethods.batchNormalization}.
 *
 * @example
 * const options: BatchNormalizationOptions = { axis: 1, epsilon: 1e-5 };
 */
export interface BatchNormalizationOptions extends AffineNormOptions {
  /** The channel axis (default -1; 1 for channels-first data). */
  axis?: number;
  /** Momentum of the moving averages, in `[0, 1]` (default 0.99; used only in training). */
  momentum?: number;
  /** Layer name; `batch_normalization`, `batch_normalization_1`, ... otherwise. */
  name?: string;
}

/**
 * The options of {@link NormalizationMethods.layerNormalization}.
 *
 * @example
 * const options: LayerNormalizationOptions = { axis: [1, 2], center: false };
 */
export interface LayerNormalizationOptions extends AffineNormOptions {
  /** The axis or axes normalised together (default -1). */
  axis?: number | readonly number[];
  /** Layer name. */
  name?: string;
}

type BatchNormFault<S extends Shape, Ax extends number | undefined, Mo extends number, Ep extends number> = FirstFault<
  [
    MinRank2<"batchNormalization", S>,
    AxesFault<"batchNormalization", "axis", S, Ax extends number ? Ax : -1, BatchNormAxesRule>,
    OnOptionOrReceiver<Ax, KnownAxes<"batchNormalization", "axis", S, Ax extends number ? Ax : -1, "to size its weights">>,
    UnitIntervalFault<"batchNormalization", "momentum", Mo>,
    PositiveFault<"batchNormalization", "epsilon", Ep>,
  ]
>;

type LayerNormFault<S extends Shape, Ax, Ep extends number> = FirstFault<
  [
    MinRank2<"layerNormalization", S>,
    AxesFault<"layerNormalization", "axis", S, Ax extends undefined ? -1 : Ax, LayerNormAxesRule>,
    OnOptionOrReceiver<Ax, KnownAxes<"layerNormalization", "axis", S, Ax extends undefined ? -1 : Ax, "to size its weights">>,
    PositiveFault<"layerNormalization", "epsilon", Ep>,
  ]
>;

/**
 * Weights of a `batchNormalization` over `C` channels: `gamma` and `beta`
 * (unless `scale` / `center` is false) and the two moving statistics.
 *
 * @example
 * type P = BatchNormalizationParams<32, true, true>;  // 128
 * type Q = BatchNormalizationParams<10, true, false>; // 30
 */
export type BatchNormalizationParams<C extends number, Ce extends boolean, Sc extends boolean> = Multiply<C, BatchNormCopies<Ce, Sc>>;

/**
 * Weights of a `layerNormalization` whose axes hold `Sizes`: `gamma` and
 * `beta` of that shape (unless `scale` / `center` is false).
 *
 * @example
 * type P = LayerNormalizationParams<[64], true, true>; // 128
 */
export type LayerNormalizationParams<Sizes extends readonly number[], Ce extends boolean, Sc extends boolean> = Multiply<Product<Sizes>, AffineCopies<Ce, Sc>>;

type WithParams<S extends Shape, P extends number, Macs extends string | number, N extends number, E> =
  E extends Fault<string, infer M> ? ErrorTensor<M> : SymbolicTensor<S, Add<P, N>, Macs>;

/**
 * Normalization methods of a {@link SymbolicTensor} with shape `S` and `P` parameters so far.
 *
 * @example
 * input({ shape: [28, 28, 32] }).batchNormalization().layerNormalization(); // SymbolicTensor<[null, 28, 28, 32], 192>
 */
export interface NormalizationMethods<S extends Shape, P extends number, Macs extends string | number> {
  /**
   * Normalises each channel of `axis` (Keras `BatchNormalization`); at
   * inference `gamma * (x - moving_mean) / sqrt(moving_variance + epsilon) + beta`.
   * Its `4 * C` weights split into `2 * C` trainable and `2 * C` not.
   *
   * @example
   * input({ shape: [28, 28, 32] }).batchNormalization();             // SymbolicTensor<[null, 28, 28, 32], 128>
   * input({ shape: [16, 8, 8] }).batchNormalization({ axis: 1 });    // SymbolicTensor<[null, 16, 8, 8], 64>
   */
  batchNormalization<
    const Ax extends number | undefined = undefined,
    const Mo extends number = 0.99,
    const Ep extends number = 0.001,
    const Ce extends boolean = true,
    const Sc extends boolean = true,
  >(
    this: Receiver<BatchNormFault<S, Ax, Mo, Ep>>,
    config?: {
      axis?: Field<BatchNormFault<S, Ax, Mo, Ep>, "axis", Ax>;
      momentum?: Field<BatchNormFault<S, Ax, Mo, Ep>, "momentum", Mo>;
      epsilon?: Field<BatchNormFault<S, Ax, Mo, Ep>, "epsilon", Ep>;
      center?: Ce;
      scale?: Sc;
      betaRegularizer?: RegularizerOption;
      gammaRegularizer?: RegularizerOption;
      name?: string;
    },
  ): WithParams<S, P, Macs, BatchNormalizationParams<SizeAt<S, AxisIndex<S["length"], Ax extends number ? Ax : -1>>, Ce, Sc>, BatchNormFault<S, Ax, Mo, Ep>>;

  /**
   * Normalises each sample over `axis` (Keras `LayerNormalization`):
   * `gamma * (x - mean) / sqrt(variance + epsilon) + beta`, the statistics
   * taken over those axes, `gamma` and `beta` shaped like them.
   *
   * @example
   * input({ shape: [10, 64] }).layerNormalization();               // SymbolicTensor<[null, 10, 64], 128>
   * input({ shape: [10, 64] }).layerNormalization({ axis: [1, 2] }); // SymbolicTensor<[null, 10, 64], 1280>
   */
  layerNormalization<
    const Ax extends number | readonly number[] | undefined = undefined,
    const Ep extends number = 0.001,
    const Ce extends boolean = true,
    const Sc extends boolean = true,
  >(
    this: Receiver<LayerNormFault<S, Ax, Ep>>,
    config?: {
      axis?: Field<LayerNormFault<S, Ax, Ep>, "axis", Ax>;
      epsilon?: Field<LayerNormFault<S, Ax, Ep>, "epsilon", Ep>;
      center?: Ce;
      scale?: Sc;
      betaRegularizer?: RegularizerOption;
      gammaRegularizer?: RegularizerOption;
      name?: string;
    },
  ): WithParams<S, P, Macs, LayerNormalizationParams<SizesAt<S, Ax extends undefined ? -1 : Ax>, Ce, Sc>, LayerNormFault<S, Ax, Ep>>;
}
