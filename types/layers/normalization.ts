/**
 * Normalisation layers at the type level: `batchNormalization` and
 * `layerNormalization` (runtime twin: `src/layers/normalization.ts`).
 *
 * Both keep the shape. Their weights are sized by the input's sizes on the
 * normalised axes (Keras 3 `build`): BatchNormalization has `gamma`, `beta`
 * (trainable) and `moving_mean`, `moving_variance` (not trainable), one of each
 * per channel of its `axis`; LayerNormalization has `gamma` and `beta` with the
 * shape of its axes. The axis helpers here are shared by the activation and
 * preprocessing families.
 */
import type { Add, IsSafeInteger, Lt, Lte, Multiply, Product, Subtract } from "../arithmetic/index.js";
import type { Certainly, ErrorTensor, Fault, Field, FirstFault, NoFault } from "../errors.js";
import type { Shape, ShapeText } from "../shape.js";
import type { SymbolicTensor } from "../symbolic-tensor.js";
import type { PositiveFault, UnitIntervalFault } from "./regularization.js";

/**
 * A fault moved onto the receiver: for mistakes no written property can carry.
 *
 * @example
 * type E = OnReceiver<Fault<"axis", "shapewise: ...">>; // Fault<"(this)", "shapewise: ...">
 */
export type OnReceiver<E> = E extends Fault<string, infer M> ? Fault<"(this)", M> : E;

/**
 * The type `this` must have: anything, or the message of a fault reported on the receiver.
 *
 * @example
 * type T = Receiver<NoFault>;                              // unknown
 * type U = Receiver<Fault<"(this)", "shapewise: ...">>;    // "shapewise: ..."
 */
export type Receiver<E> = E extends Fault<"(this)", infer M> ? M : unknown;

/**
 * A fault reported on its key when the option was written, on the receiver
 * when the option's default is in force.
 *
 * @example
 * type E = OnKeyOrReceiver<undefined, Fault<"axis", "shapewise: ...">>; // Fault<"(this)", "shapewise: ...">
 */
export type OnKeyOrReceiver<Written, E> = [Written] extends [undefined] ? OnReceiver<E> : E;

/**
 * A fault when the input has no axis besides the batch one.
 *
 * @example
 * type E = MinRank2<"batchNormalization", [null]>; // a Fault on "(this)"
 */
export type MinRank2<Method extends string, S extends Shape> = number extends S["length"]
  ? NoFault
  : S["length"] extends 0 | 1
    ? Fault<"(this)", `shapewise: ${Method} expects input of rank 2 or more [batch, ..., features], got rank ${S["length"]} ${ShapeText<S>}`>
    : NoFault;

/**
 * The 0-based index of axis `A` (negative counts from the end) in a shape of
 * rank `R`; `-1` when it is outside the shape, `number` when unknown.
 *
 * @example
 * type A = AxisIndex<4, -1>; // 3
 * type B = AxisIndex<4, 4>;  // -1
 */
export type AxisIndex<R extends number, A extends number> = number extends R | A
  ? number
  : `${A}` extends `-${infer K extends number}`
    ? Lte<K, R> extends true
      ? Subtract<R, K>
      : -1
    : Lt<A, R> extends true
      ? A
      : -1;

/**
 * One axis or a list of them, as a list.
 *
 * @example
 * type L = AxisList<-1>;     // [-1]
 * type M = AxisList<[1, 2]>; // [1, 2]
 */
export type AxisList<A> = A extends readonly number[] ? A : A extends number ? [A] : [];

/** `true` when some listed axis is certainly not an integer. */
type AnyNonInteger<L extends readonly number[]> = true extends { [I in keyof L]: IsSafeInteger<L[I]> extends false ? true : false }[number]
  ? true
  : false;

/**
 * `true` when some listed axis certainly falls outside the allowed range:
 * `[Lowest, R - 1]`, and negative axes (counted from the end) only when `Negative`.
 */
type AnyOutside<L extends readonly number[], R extends number, Lowest extends 0 | 1, Negative extends boolean> = true extends {
  [I in keyof L]: Negative extends false
    ? IsNegativeAxis<L[I]> extends true
      ? true
      : AxisIndex<R, L[I]> extends -1 | (Lowest extends 1 ? 0 : -1) ? true : false
    : AxisIndex<R, L[I]> extends -1 | (Lowest extends 1 ? 0 : -1) ? true : false;
}[number]
  ? true
  : false;

type IsNegativeAxis<A extends number> = number extends A ? false : `${A}` extends `-${string}` ? true : false;

/** The normalised indices of a list of axes. */
type Indices<L extends readonly number[], R extends number> = { [I in keyof L]: AxisIndex<R, L[I]> };

/** The first index listed twice, `never` if none (or if some index is unknown). */
type Repeated<T extends readonly unknown[]> = number extends T[number]
  ? never
  : T extends readonly [infer H, ...infer Rest]
    ? H extends Rest[number]
      ? H
      : Repeated<Rest>
    : never;

/** The first of the listed indices whose size in `S` is unknown, `never` if none. */
type FirstUnknown<S extends Shape, T extends readonly unknown[]> = T extends readonly [infer H, ...infer Rest]
  ? number extends H
    ? FirstUnknown<S, Rest>
    : S[H & number] extends null
      ? H
      : FirstUnknown<S, Rest>
    : never;

/** The allowed axis range as messages print it. */
type AxisRangeText<R extends number, Lowest extends 0 | 1, Negative extends boolean> = Lowest extends 0
  ? `-${R} to ${Subtract<R, 1>}`
  : Negative extends true
    ? `1 to ${Subtract<R, 1>} or -${Subtract<R, 1>} to -1`
    : `1 to ${Subtract<R, 1>}`;

/**
 * What an `axis`-like option may hold: `lowest` 1 for non-batch axes only,
 * `negative` whether axes may count from the end, `empty` whether `[]` is
 * allowed, `repeats` whether an axis may be named twice, `what` the wording
 * of the integer rule.
 *
 * @example
 * type Softmax = { lowest: 0; negative: true; empty: false; repeats: false; what: "an integer or a list of integers" };
 */
export interface AxesRule {
  lowest: 0 | 1;
  negative: boolean;
  empty: boolean;
  repeats: boolean;
  what: string;
}

/**
 * The checks of an `axis`-like option, in order: integers, at least one axis
 * (unless the rule allows none), inside the shape, none twice (unless allowed).
 *
 * @example
 * type E = AxesFault<"layerNormalization", "axis", [null, 10, 64], [1, 5], LayerNormAxesRule>;
 * // Fault<"axis", "shapewise: layerNormalization axis [1, 5] must name non-batch axes of input [null, 10, 64]: 1 to 2 or -2 to -1">
 */
export type AxesFault<Method extends string, Key extends string, S extends Shape, A, Rule extends AxesRule> = number extends S["length"]
  ? NoFault
  : AnyNonInteger<AxisList<A>> extends true
    ? Fault<Key, `shapewise: ${Method} ${Key} must be ${Rule["what"]}, got ${ShapeText<A>}`>
    : AxisList<A> extends readonly []
      ? Rule["empty"] extends true
        ? NoFault
        : Fault<Key, `shapewise: ${Method} ${Key} must name at least one axis, got []`>
      : Certainly<AnyOutside<AxisList<A>, S["length"], Rule["lowest"], Rule["negative"]>> extends true
        ? Fault<
            Key,
            `shapewise: ${Method} ${Key} ${ShapeText<A>} must name ${Rule["lowest"] extends 1 ? "non-batch " : ""}axes of input ${ShapeText<S>}: ${AxisRangeText<S["length"], Rule["lowest"], Rule["negative"]>}`
          >
        : Rule["repeats"] extends true
          ? NoFault
          : [Repeated<Indices<AxisList<A>, S["length"]>>] extends [never]
            ? NoFault
            : Fault<Key, `shapewise: ${Method} ${Key} ${ShapeText<A>} names axis ${Repeated<Indices<AxisList<A>, S["length"]>> & number} twice`>;

/** batchNormalization takes one non-batch axis. */
type BatchNormAxesRule = { lowest: 1; negative: true; empty: false; repeats: false; what: "an integer" };
/** layerNormalization takes one non-batch axis or a list of them. */
type LayerNormAxesRule = { lowest: 1; negative: true; empty: false; repeats: false; what: "an integer or a list of integers" };

/**
 * A fault when one of the given axes has an unknown size: the layer cannot
 * size its weights (or its statistics) without it.
 *
 * @example
 * type E = KnownAxes<"batchNormalization", "axis", [null, 8, null], -1, "to size its weights">;
 * // Fault<"axis", "shapewise: batchNormalization needs a known size on axis 2 to size its weights, got [null, 8, null]">
 */
export type KnownAxes<Method extends string, Key extends string, S extends Shape, A, Why extends string> = [
  FirstUnknown<S, Indices<AxisList<A>, S["length"]>>,
] extends [never]
  ? NoFault
  : Fault<Key, `shapewise: ${Method} needs a known size on axis ${FirstUnknown<S, Indices<AxisList<A>, S["length"]>> & number} ${Why}, got ${ShapeText<S>}`>;

/**
 * The size of `S` at a normalised index: `number` when the index or the size
 * is not known to the checker.
 *
 * @example
 * type C = SizeAt<[null, 28, 28, 32], 3>; // 32
 */
export type SizeAt<S extends Shape, I> = number extends I ? number : S[I & number] extends infer D extends number ? D : number;

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

/** How many of `gamma` and `beta` a layer with these `center` and `scale` options has. */
type AffineCopies<Ce extends boolean, Sc extends boolean> = [Ce, Sc] extends [true, true]
  ? 2
  : [Ce, Sc] extends [true, false] | [false, true]
    ? 1
    : [Ce, Sc] extends [false, false]
      ? 0
      : number;

/** The same count plus BatchNormalization's two moving statistics. */
type BatchNormCopies<Ce extends boolean, Sc extends boolean> = [Ce, Sc] extends [true, true]
  ? 4
  : [Ce, Sc] extends [true, false] | [false, true]
    ? 3
    : [Ce, Sc] extends [false, false]
      ? 2
      : number;

/**
 * The options of {@link NormalizationMethods.batchNormalization}.
 *
 * @example
 * const options: BatchNormalizationOptions = { axis: 1, epsilon: 1e-5 };
 */
export interface BatchNormalizationOptions {
  /** The channel axis (default -1; 1 for channels-first data). */
  axis?: number;
  /** Momentum of the moving averages, in `[0, 1]` (default 0.99; used only in training). */
  momentum?: number;
  /** Added to the variance before the square root (default 1e-3); must be positive. */
  epsilon?: number;
  /** Whether to add the learned offset `beta` (default `true`). */
  center?: boolean;
  /** Whether to multiply by the learned `gamma` (default `true`). */
  scale?: boolean;
  /** Layer name; `batch_normalization`, `batch_normalization_1`, ... otherwise. */
  name?: string;
}

/**
 * The options of {@link NormalizationMethods.layerNormalization}.
 *
 * @example
 * const options: LayerNormalizationOptions = { axis: [1, 2], center: false };
 */
export interface LayerNormalizationOptions {
  /** The axis or axes normalised together (default -1). */
  axis?: number | readonly number[];
  /** Added to the variance before the square root (default 1e-3); must be positive. */
  epsilon?: number;
  /** Whether to add the learned offset `beta` (default `true`). */
  center?: boolean;
  /** Whether to multiply by the learned `gamma` (default `true`). */
  scale?: boolean;
  /** Layer name. */
  name?: string;
}

type BatchNormFault<S extends Shape, Ax extends number | undefined, Mo extends number, Ep extends number> = FirstFault<
  [
    MinRank2<"batchNormalization", S>,
    AxesFault<"batchNormalization", "axis", S, Ax extends number ? Ax : -1, BatchNormAxesRule>,
    OnKeyOrReceiver<Ax, KnownAxes<"batchNormalization", "axis", S, Ax extends number ? Ax : -1, "to size its weights">>,
    UnitIntervalFault<"batchNormalization", "momentum", Mo>,
    PositiveFault<"batchNormalization", "epsilon", Ep>,
  ]
>;

type LayerNormFault<S extends Shape, Ax, Ep extends number> = FirstFault<
  [
    MinRank2<"layerNormalization", S>,
    AxesFault<"layerNormalization", "axis", S, Ax extends undefined ? -1 : Ax, LayerNormAxesRule>,
    OnKeyOrReceiver<Ax, KnownAxes<"layerNormalization", "axis", S, Ax extends undefined ? -1 : Ax, "to size its weights">>,
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
export type LayerNormalizationParams<Sizes extends readonly number[], Ce extends boolean, Sc extends boolean> = Multiply<
  Product<Sizes>,
  AffineCopies<Ce, Sc>
>;

type WithParams<S extends Shape, P extends number, N extends number, E> = E extends Fault<string, infer M>
  ? ErrorTensor<M>
  : SymbolicTensor<S, Add<P, N>>;

/**
 * Normalization methods of a {@link SymbolicTensor} with shape `S` and `P` parameters so far.
 *
 * @example
 * input({ shape: [28, 28, 32] }).batchNormalization().layerNormalization(); // SymbolicTensor<[null, 28, 28, 32], 192>
 */
export interface NormalizationMethods<S extends Shape, P extends number> {
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
      name?: string;
    },
  ): WithParams<
    S,
    P,
    BatchNormalizationParams<SizeAt<S, AxisIndex<S["length"], Ax extends number ? Ax : -1>>, Ce, Sc>,
    BatchNormFault<S, Ax, Mo, Ep>
  >;

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
      name?: string;
    },
  ): WithParams<S, P, LayerNormalizationParams<SizesAt<S, Ax extends undefined ? -1 : Ax>, Ce, Sc>, LayerNormFault<S, Ax, Ep>>;
}
