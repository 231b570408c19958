/**
 * Reshaping layers at the type level (runtime twin: `src/layers/reshaping.ts`):
 * flatten, reshape, permute, repeatVector, and zero padding, cropping and
 * nearest up-sampling in 1, 2 and 3 spatial dimensions. None has weights.
 */
import type { Add, DivFloor, Eq, Gte, IsSafePositiveInteger, Mod, Multiply, Product, ProductDigits, Subtract } from "../arithmetic/index.js";
import type {
  AnyNegative,
  ConfigOr,
  ExactCount,
  ExactRank,
  OnOptionOrReceiver,
  OnReceiver,
  OptionText,
  PositiveCount,
  PositiveSizes,
  Receiver,
} from "../checks.js";
import type { Certainly, ErrorTensor, Fault, Field, FirstFault, NoFault } from "../errors.js";
import type {
  AxisNames,
  DataFormat,
  Dim,
  LayoutText,
  PerAxis,
  RankOf,
  Resolved,
  Shape,
  ShapeText,
  Size2,
  Size3,
  SpatialOf,
  SpatialRank,
  WithSpatial,
} from "../shape.js";
import type { DifferText, SizeAdd, SizeAgreement, SizeDivFloor, SizeMultiply, SizeSubtract } from "../size/index.js";
import type { SymbolicTensor } from "../symbolic-tensor.js";

type Tail<S extends Shape> = S extends readonly [Dim, ...infer R extends Dim[]] ? R : Dim[];

// ---------------------------------------------------------------------------
// flatten
// ---------------------------------------------------------------------------

/**
 * The single size `flatten` gives to all non-batch dimensions: their product,
 * `null` when one is unknown, `1` for a rank-1 input (as Keras 3 does).
 *
 * @example
 * type N = FlatSize<[3, 3, 128]>; // 1152
 */
export type FlatSize<Rest extends readonly Dim[]> = null extends Rest[number]
  ? null
  : Rest extends readonly number[]
    ? Product<Rest>
    : Rest extends readonly (number | string)[]
      ? SymbolicProduct<Rest>
      : number;

/** The product of sizes some of which are symbolic, in the size algebra. */
type SymbolicProduct<Rest extends readonly (number | string)[], Acc extends number | string = 1> = Rest extends readonly [
  infer H extends number | string,
  ...infer R extends (number | string)[],
]
  ? SymbolicProduct<R, SizeMultiply<Acc, H>>
  : Acc;

/**
 * A fault on the receiver when the flattened size passes 2^53 − 1 (only then
 * is the exact product worked out for the sentence).
 *
 * @example
 * type F = FlattenFault<[null, 1073741824, 1073741824, 1073741824]>;
 * // Fault<"(this)", "shapewise: flatten output size 1237940039285380274899124224 is past Number.MAX_SAFE_INTEGER (9007199254740991)">
 */
export type FlattenFault<S extends Shape> =
  Tail<S> extends infer Rest extends readonly number[]
    ? number extends FlatSize<Rest>
      ? ExactCount<"(this)", "flatten", "output size", ProductDigits<Rest>>
      : NoFault
    : NoFault;

// ---------------------------------------------------------------------------
// reshape
// ---------------------------------------------------------------------------

type BadTargetEntries<T extends readonly number[]> = false extends {
  [I in keyof T]: T[I] extends -1 ? true : IsSafePositiveInteger<T[I]> extends false ? false : true;
}[number]
  ? true
  : false;

type CountMinusOnes<T extends readonly number[], Acc extends readonly unknown[] = []> = T extends readonly [infer H, ...infer R extends readonly number[]]
  ? CountMinusOnes<R, H extends -1 ? [...Acc, H] : Acc>
  : Acc["length"];

/** The target sizes other than `-1`. */
type KnownTarget<T extends readonly number[], Acc extends readonly number[] = []> = T extends readonly [
  infer H extends number,
  ...infer R extends readonly number[],
]
  ? KnownTarget<R, H extends -1 ? Acc : [...Acc, H]>
  : number extends T["length"]
    ? number[]
    : Acc;

/** Faults of the target shape alone: entries, then the count of `-1`. */
type TargetFault<T extends readonly number[]> =
  Certainly<BadTargetEntries<T>> extends true
    ? Fault<"targetShape", `shapewise: reshape targetShape must hold positive integers or -1, got ${ShapeText<T>}`>
    : Certainly<Gte<CountMinusOnes<T>, 2>> extends true
      ? Fault<"targetShape", `shapewise: reshape targetShape may hold at most one -1, got ${ShapeText<T>}`>
      : NoFault;

/**
 * The size fault: checked only when every input size is known, as Keras 3
 * does; a size the checker cannot see (`number`) certainly fails nothing.
 */
type ReshapeSizeFault<In extends readonly Dim[], T extends readonly number[]> = null extends In[number]
  ? NoFault
  : In extends readonly number[]
    ? CountMinusOnes<T> extends 0
      ? Eq<Product<In>, Product<T>> extends false
        ? Fault<"targetShape", `shapewise: reshape targetShape ${ShapeText<T>} holds ${Product<T>} values, input ${ShapeText<In>} holds ${Product<In>}`>
        : NoFault
      : Mod<Product<In>, Product<KnownTarget<T>>> extends infer R
        ? [R] extends [0]
          ? NoFault
          : number extends R
            ? NoFault
            : Fault<
                "targetShape",
                `shapewise: reshape targetShape ${ShapeText<T>} cannot hold input ${ShapeText<In>}: ${Product<In>} values are not a multiple of ${Product<KnownTarget<T>>}`
              >
        : NoFault
    : In extends readonly (number | string)[]
      ? NamedSizeFault<In, T, SymbolicProduct<In>>
      : NoFault;

/**
 * The size fault of an input with named sizes: the element count in the
 * size algebra against the target's, a fault only where the algebra proves
 * they may differ, saying when.
 */
type NamedSizeFault<In extends readonly Dim[], T extends readonly number[], N extends number | string> =
  CountMinusOnes<T> extends 0
    ? SizeAgreement<N, Product<T>> extends infer V extends { differ: string }
      ? Fault<"targetShape", `shapewise: reshape targetShape ${ShapeText<T>} holds ${Product<T>} values, input ${ShapeText<In>} holds ${N}: ${DifferText<V>}`>
      : NoFault
    : Product<KnownTarget<T>> extends infer K extends number
      ? SizeAgreement<N, SizeMultiply<SizeDivFloor<N, K>, K>> extends infer V extends { differ: string }
        ? Fault<
            "targetShape",
            `shapewise: reshape targetShape ${ShapeText<T>} cannot hold input ${ShapeText<In>}: ${N} values are not a multiple of ${K} when ${V["differ"]}`
          >
        : NoFault
      : NoFault;

type ReshapeFault<S extends Shape, T extends readonly number[]> = FirstFault<[TargetFault<T>, ReshapeSizeFault<Tail<S>, T>]>;

/** The size a `-1` stands for: `null` when an input size is unknown. */
type Fill<In extends readonly Dim[], T extends readonly number[]> = null extends In[number]
  ? null
  : In extends readonly number[]
    ? DivFloor<Product<In>, Product<KnownTarget<T>>>
    : In extends readonly (number | string)[]
      ? NamedFill<SymbolicProduct<In>, Product<KnownTarget<T>>>
      : number;

/** The `-1` of a named input: the quotient where the algebra proves it exact, `number` otherwise. */
type NamedFill<N extends number | string, K extends number> =
  SizeDivFloor<N, K> extends infer Q extends number | string ? (SizeAgreement<N, SizeMultiply<Q, K>> extends "same" ? Q : number) : number;

type ResolveTarget<T extends readonly number[], X> = { -readonly [I in keyof T]: T[I] extends -1 ? X : T[I] };

// ---------------------------------------------------------------------------
// permute
// ---------------------------------------------------------------------------

/** `[1, 2, ..., N]`. */
type Seq<N extends number, Acc extends number[] = []> = number extends N ? number[] : Acc["length"] extends N ? Acc : Seq<N, [...Acc, [...Acc, 0]["length"]]>;

/** A list of `N` axes holds each of `1..N` exactly when none of `1..N` is missing. */
type NotPermutation<D extends readonly number[]> = number extends D["length"]
  ? false
  : number extends D[number]
    ? false
    : Seq<D["length"]> extends infer Q extends readonly number[]
      ? [Exclude<Q[number], D[number]>] extends [never]
        ? false
        : true
      : false;

type PermuteFault<S extends Shape, D extends readonly number[]> =
  NotPermutation<D> extends true
    ? Fault<"dims", `shapewise: permute dims must list each axis from 1 to ${D["length"]} once, got ${ShapeText<D>}`>
    : number extends S["length"]
      ? NoFault
      : S["length"] extends Add<D["length"], 1>
        ? NoFault
        : Fault<"dims", `shapewise: permute dims ${ShapeText<D>} need input of rank ${Add<D["length"], 1>}, got rank ${S["length"]} ${ShapeText<S>}`>;

type Permuted<S extends Shape, D extends readonly number[]> = [S[0], ...{ -readonly [I in keyof D]: number extends D[I] ? Dim : S[D[I]] }];

// ---------------------------------------------------------------------------
// repeatVector
// ---------------------------------------------------------------------------

type RepeatInputFault<S extends Shape> = ExactRank<"repeatVector", S, 2, "[batch, features]">;
type RepeatFault<S extends Shape, N extends number> = FirstFault<[RepeatInputFault<S>, PositiveCount<"repeatVector", "n", N>]>;

// ---------------------------------------------------------------------------
// Zero padding and cropping
// ---------------------------------------------------------------------------

/**
 * What to add or remove along one axis: the same before and after, or `[before, after]`.
 *
 * @example
 * const amount: AxisAmount = [1, 2];
 */
export type AxisAmount = number | readonly [number, number];
/**
 * A 1-D padding or cropping: one number for both ends, or `[before, after]`.
 *
 * @example
 * input({ shape: [10, 4] }).zeroPadding1d({ padding: [1, 3] }); // SymbolicTensor<[null, 14, 4], 0>
 */
export type Amount1D = AxisAmount;
/**
 * A 2-D padding or cropping: one number, `[height, width]`, or `[[top, bottom], [left, right]]`.
 *
 * @example
 * input({ shape: [28, 28, 3] }).cropping2d({ cropping: [[2, 2], [4, 4]] }); // SymbolicTensor<[null, 24, 20, 3], 0>
 */
export type Amount2D = number | readonly [AxisAmount, AxisAmount];
/**
 * A 3-D padding or cropping: one number, `[depth, height, width]`, or a `[before, after]` pair per axis.
 *
 * @example
 * input({ shape: [4, 4, 4, 2] }).zeroPadding3d({ padding: [[1, 2], 0, 1] }); // SymbolicTensor<[null, 7, 4, 6, 2], 0>
 */
export type Amount3D = number | readonly [AxisAmount, AxisAmount, AxisAmount];

type AmountN<N extends SpatialRank> = N extends 1 ? Amount1D : N extends 2 ? Amount2D : Amount3D;

type AmountForms<N extends SpatialRank> = N extends 1
  ? "a non-negative integer or a pair of them"
  : N extends 2
    ? "a non-negative integer, a pair of them, or a pair of pairs"
    : "a non-negative integer, a triple of them, or a triple of pairs";

type BeforeAfter<A> = A extends readonly [infer B extends number, infer C extends number] ? [B, C] : A extends number ? [A, A] : [number, number];

/** The `[before, after]` pair of every spatial axis. */
type AmountPairs<V, N extends SpatialRank> = N extends 1
  ? [BeforeAfter<V>]
  : V extends readonly unknown[]
    ? { -readonly [I in keyof V]: BeforeAfter<V[I]> }
    : PerAxis<V, N> extends infer A extends readonly number[]
      ? { -readonly [I in keyof A]: [A[I], A[I]] }
      : never;

type PairAt<Pairs, I> = I extends keyof Pairs
  ? Pairs[I] extends readonly [infer A extends number, infer B extends number]
    ? [A, B]
    : [number, number]
  : [number, number];

type Padded<Sp extends readonly Dim[], Pairs> = {
  [I in keyof Sp]: Sp[I] extends null
    ? null
    : Sp[I] extends string
      ? SizeAdd<Sp[I], Add<PairAt<Pairs, I>[0], PairAt<Pairs, I>[1]>>
      : Add<Add<Sp[I] & number, PairAt<Pairs, I>[0]>, PairAt<Pairs, I>[1]>;
};

type Cropped<Sp extends readonly Dim[], Pairs> = {
  [I in keyof Sp]: Sp[I] extends null
    ? null
    : Sp[I] extends string
      ? SizeSubtract<Sp[I], Add<PairAt<Pairs, I>[0], PairAt<Pairs, I>[1]>>
      : Subtract<Sp[I] & number, Add<PairAt<Pairs, I>[0], PairAt<Pairs, I>[1]>>;
};

/** The first axis a cropping removes entirely, in axis order. */
type CropFits<
  Method extends string,
  Text extends string,
  Sp extends readonly Dim[],
  Pairs extends readonly unknown[],
  Names extends readonly string[],
> = Sp extends readonly [infer L extends Dim, ...infer SR extends Dim[]]
  ? Pairs extends readonly [readonly [infer A extends number, infer B extends number], ...infer PR extends readonly unknown[]]
    ? Names extends readonly [infer Nm extends string, ...infer NR extends string[]]
      ? L extends number
        ? Certainly<Gte<Add<A, B>, L>> extends true
          ? Fault<"cropping", `shapewise: ${Method} cropping ${Text} removes ${Add<A, B>} from input ${Nm} ${L}, which leaves nothing`>
          : CropFits<Method, Text, SR, PR, NR>
        : CropFits<Method, Text, SR, PR, NR>
      : NoFault
    : NoFault
  : NoFault;

type RankFault<Method extends string, N extends SpatialRank, S extends Shape, Df> = OnReceiver<ExactRank<Method, S, RankOf<N>, LayoutText<N, Df>>>;

type AmountFault<Method extends string, Key extends string, N extends SpatialRank, V> =
  Certainly<AnyNegative<V>> extends true ? Fault<Key, `shapewise: ${Method} ${Key} must be ${AmountForms<N>}, got ${OptionText<V>}`> : NoFault;

/** The padding in effect: 1 on every side when left out (Keras and TensorFlow.js). */
type PaddingOf<Pa> = [Pa] extends [undefined] ? 1 : Pa;

type ZeroPadFault<Method extends string, N extends SpatialRank, S extends Shape, Pa, Df> = FirstFault<
  [RankFault<Method, N, S, Df>, AmountFault<Method, "padding", N, Pa>]
>;

/** The cropping in effect when left out: Keras crops 1 per side in 1-D and 3-D, nothing in 2-D. */
type CroppingOf<Cr, N extends SpatialRank> = [Cr] extends [undefined] ? (N extends 2 ? 0 : 1) : Cr;

type CropFault<Method extends string, N extends SpatialRank, S extends Shape, Cr, Df> = FirstFault<
  [
    RankFault<Method, N, S, Df>,
    AmountFault<Method, "cropping", N, Cr>,
    OnOptionOrReceiver<Cr, CropFits<Method, OptionText<CroppingOf<Cr, N>>, SpatialOf<S, Df>, AmountPairs<CroppingOf<Cr, N>, N>, AxisNames<N>>>,
  ]
>;

type Unknowns<S extends Shape> = S extends readonly [infer B extends Dim, ...infer R extends Dim[]] ? [B, ...{ [I in keyof R]: Dim }] : S;

/** A shape with new spatial sizes; every size unknown when the data format is not a literal. */
type Respatial<S extends Shape, Df, Sp extends readonly Dim[]> = DataFormat extends Df ? Unknowns<S> : WithSpatial<S, Df, Sp>;

/**
 * The signature of a zero-padding method with `N` spatial axes.
 *
 * @example
 * type M = ZeroPaddingMethod<"zeroPadding2d", 2, [null, 28, 28, 3], 0>;
 */
export type ZeroPaddingMethod<Method extends string, N extends SpatialRank, S extends Shape, P extends number, Macs extends string | number> = <
  const Pa extends AmountN<N> | undefined = undefined,
  const Df extends DataFormat = "channelsLast",
>(
  this: Receiver<ZeroPadFault<Method, N, S, Pa, Df>>,
  config?: N extends 1
    ? { padding?: Field<ZeroPadFault<Method, N, S, Pa, Df>, "padding", Pa>; name?: string }
    : { padding?: Field<ZeroPadFault<Method, N, S, Pa, Df>, "padding", Pa>; dataFormat?: Df; name?: string },
) => ZeroPadFault<Method, N, S, Pa, Df> extends Fault<string, infer M>
  ? ErrorTensor<M>
  : SymbolicTensor<Resolved<Respatial<S, Df, Padded<SpatialOf<S, Df>, AmountPairs<PaddingOf<Pa>, N>>>>, P, Macs>;

/**
 * The signature of a cropping method with `N` spatial axes.
 *
 * @example
 * type M = CroppingMethod<"cropping1d", 1, [null, 10, 4], 0>;
 */
export type CroppingMethod<Method extends string, N extends SpatialRank, S extends Shape, P extends number, Macs extends string | number> = <
  const Cr extends AmountN<N> | undefined = undefined,
  const Df extends DataFormat = "channelsLast",
>(
  this: Receiver<CropFault<Method, N, S, Cr, Df>>,
  config?: N extends 1
    ? { cropping?: Field<CropFault<Method, N, S, Cr, Df>, "cropping", Cr>; name?: string }
    : { cropping?: Field<CropFault<Method, N, S, Cr, Df>, "cropping", Cr>; dataFormat?: Df; name?: string },
) => CropFault<Method, N, S, Cr, Df> extends Fault<string, infer M>
  ? ErrorTensor<M>
  : SymbolicTensor<Resolved<Respatial<S, Df, Cropped<SpatialOf<S, Df>, AmountPairs<CroppingOf<Cr, N>, N>>>>, P, Macs>;

// ---------------------------------------------------------------------------
// Up-sampling
// ---------------------------------------------------------------------------

type UpSizeN<N extends SpatialRank> = N extends 1 ? number : N extends 2 ? Size2 : Size3;
type UpSizeOf<Sz> = [Sz] extends [undefined] ? 2 : Sz;

type UpFault<Method extends string, N extends SpatialRank, S extends Shape, Sz, Df> = FirstFault<
  [RankFault<Method, N, S, Df>, N extends 1 ? PositiveCount<Method, "size", UpSizeOf<Sz> & number> : PositiveSizes<Method, "size", UpSizeOf<Sz>, N>]
>;

type UpSampled<Sp extends readonly Dim[], K extends readonly number[]> = {
  [I in keyof Sp]: Sp[I] extends null
    ? null
    : Sp[I] extends string
      ? SizeMultiply<Sp[I], K[I & keyof K] & number>
      : Multiply<Sp[I] & number, K[I & keyof K] & number>;
};

/**
 * The signature of an up-sampling method with `N` spatial axes.
 *
 * @example
 * type M = UpSamplingMethod<"upSampling3d", 3, [null, 4, 4, 4, 2], 0>;
 */
export type UpSamplingMethod<Method extends string, N extends SpatialRank, S extends Shape, P extends number, Macs extends string | number> = <
  const Sz extends UpSizeN<N> | undefined = undefined,
  const Df extends DataFormat = "channelsLast",
>(
  this: Receiver<UpFault<Method, N, S, Sz, Df>>,
  config?: N extends 1
    ? { size?: Field<UpFault<Method, N, S, Sz, Df>, "size", Sz>; name?: string }
    : N extends 2
      ? { size?: Field<UpFault<Method, N, S, Sz, Df>, "size", Sz>; dataFormat?: Df; interpolation?: "nearest"; name?: string }
      : { size?: Field<UpFault<Method, N, S, Sz, Df>, "size", Sz>; dataFormat?: Df; name?: string },
) => UpFault<Method, N, S, Sz, Df> extends Fault<string, infer M>
  ? ErrorTensor<M>
  : SymbolicTensor<Resolved<Respatial<S, Df, UpSampled<SpatialOf<S, Df>, PerAxis<UpSizeOf<Sz>, N>>>>, P, Macs>;

// ---------------------------------------------------------------------------
// The methods
// ---------------------------------------------------------------------------

/**
 * Reshaping methods of a {@link SymbolicTensor} with shape `S` and `P` parameters so far.
 *
 * @example
 * input({ shape: [784] }).reshape({ targetShape: [28, 28, 1] }).zeroPadding2d().flatten(); // SymbolicTensor<[null, 900], 0>
 */
export interface ReshapingMethods<S extends Shape, P extends number, Macs extends string | number> {
  /**
   * Folds every non-batch dimension into one (Keras `Flatten`); with
   * `dataFormat: "channelsFirst"` the channels are moved last first, as Keras does.
   *
   * @example
   * input({ shape: [3, 3, 128] }).flatten(); // SymbolicTensor<[null, 1152], 0>
   */
  flatten(
    this: Receiver<FlattenFault<S>>,
    config?: { dataFormat?: DataFormat; name?: string },
  ): FlattenFault<S> extends Fault<string, infer M> ? ErrorTensor<M> : SymbolicTensor<Resolved<[S[0], FlatSize<Tail<S>>]>, P, Macs>;

  /**
   * Gives the values a new shape (Keras `Reshape`); one `-1` takes the size
   * that keeps the number of values, `null` when an input size is unknown.
   *
   * @example
   * input({ shape: [28, 28, 1] }).reshape({ targetShape: [-1, 16] }); // SymbolicTensor<[null, 49, 16], 0>
   */
  reshape<const T extends readonly number[]>(config: {
    targetShape: Field<ReshapeFault<S, T>, "targetShape", T>;
    name?: string;
  }): ReshapeFault<S, T> extends Fault<string, infer M> ? ErrorTensor<M> : SymbolicTensor<Resolved<[S[0], ...ResolveTarget<T, Fill<Tail<S>, T>>]>, P, Macs>;

  /**
   * Reorders the non-batch axes (Keras `Permute`); `dims` lists the input axis
   * (from 1) each output axis takes.
   *
   * @example
   * input({ shape: [10, 64] }).permute({ dims: [2, 1] }); // SymbolicTensor<[null, 64, 10], 0>
   */
  permute<const D extends readonly number[]>(config: {
    dims: Field<PermuteFault<S, D>, "dims", D>;
    name?: string;
  }): PermuteFault<S, D> extends Fault<string, infer M> ? ErrorTensor<M> : SymbolicTensor<Resolved<Permuted<S, D>>, P, Macs>;

  /**
   * Repeats a `[batch, features]` input `n` times along a new axis (Keras `RepeatVector`).
   *
   * @example
   * input({ shape: [32] }).repeatVector({ n: 3 }); // SymbolicTensor<[null, 3, 32], 0>
   */
  repeatVector<const N extends number>(
    config: ConfigOr<RepeatInputFault<S>, { n: Field<RepeatFault<S, N>, "n", N>; name?: string }>,
  ): RepeatFault<S, N> extends Fault<string, infer M> ? ErrorTensor<M> : SymbolicTensor<Resolved<[S[0], N, S[1]]>, P, Macs>;

  /**
   * Adds zeros before and after the steps (Keras `ZeroPadding1D`); 1 on each side by default.
   *
   * @example
   * input({ shape: [10, 4] }).zeroPadding1d({ padding: 2 });      // SymbolicTensor<[null, 14, 4], 0>
   * input({ shape: [10, 4] }).zeroPadding1d({ padding: [1, 3] }); // SymbolicTensor<[null, 14, 4], 0>
   */
  zeroPadding1d: ZeroPaddingMethod<"zeroPadding1d", 1, S, P, Macs>;
  /**
   * Adds rows and columns of zeros (Keras `ZeroPadding2D`): one number, `[height, width]`,
   * or `[[top, bottom], [left, right]]`; 1 on each side by default.
   *
   * @example
   * input({ shape: [28, 28, 3] }).zeroPadding2d({ padding: [[1, 2], [3, 4]] }); // SymbolicTensor<[null, 31, 35, 3], 0>
   */
  zeroPadding2d: ZeroPaddingMethod<"zeroPadding2d", 2, S, P, Macs>;
  /**
   * Adds zeros around depth, height and width (Keras `ZeroPadding3D`); 1 on each side by default.
   *
   * @example
   * input({ shape: [4, 4, 4, 2] }).zeroPadding3d(); // SymbolicTensor<[null, 6, 6, 6, 2], 0>
   */
  zeroPadding3d: ZeroPaddingMethod<"zeroPadding3d", 3, S, P, Macs>;

  /**
   * Removes steps at the start and end (Keras `Cropping1D`); 1 on each side by default.
   *
   * @example
   * input({ shape: [10, 4] }).cropping1d({ cropping: [1, 2] }); // SymbolicTensor<[null, 7, 4], 0>
   */
  cropping1d: CroppingMethod<"cropping1d", 1, S, P, Macs>;
  /**
   * Removes rows and columns at the borders (Keras `Cropping2D`): one number, `[height, width]`,
   * or `[[top, bottom], [left, right]]`; nothing by default.
   *
   * @example
   * input({ shape: [28, 28, 3] }).cropping2d({ cropping: [[2, 2], [4, 4]] }); // SymbolicTensor<[null, 24, 20, 3], 0>
   */
  cropping2d: CroppingMethod<"cropping2d", 2, S, P, Macs>;
  /**
   * The same layer as {@link ReshapingMethods.cropping2d}, under its TensorFlow.js spelling.
   *
   * @example
   * input({ shape: [28, 28, 3] }).cropping2D({ cropping: 2 }); // SymbolicTensor<[null, 24, 24, 3], 0>
   */
  cropping2D: CroppingMethod<"cropping2d", 2, S, P, Macs>;
  /**
   * Removes slices at the borders of depth, height and width (Keras `Cropping3D`); 1 on each side by default.
   *
   * @example
   * input({ shape: [28, 28, 10, 3] }).cropping3d({ cropping: [2, 4, 2] }); // SymbolicTensor<[null, 24, 20, 6, 3], 0>
   */
  cropping3d: CroppingMethod<"cropping3d", 3, S, P, Macs>;

  /**
   * Repeats every step `size` times (Keras `UpSampling1D`); 2 by default.
   *
   * @example
   * input({ shape: [10, 4] }).upSampling1d({ size: 3 }); // SymbolicTensor<[null, 30, 4], 0>
   */
  upSampling1d: UpSamplingMethod<"upSampling1d", 1, S, P, Macs>;
  /**
   * Repeats every row and column (Keras `UpSampling2D`, nearest neighbour); 2 by default.
   *
   * @example
   * input({ shape: [14, 14, 8] }).upSampling2d({ size: [2, 3] }); // SymbolicTensor<[null, 28, 42, 8], 0>
   */
  upSampling2d: UpSamplingMethod<"upSampling2d", 2, S, P, Macs>;
  /**
   * Repeats every slice along depth, height and width (Keras `UpSampling3D`); 2 by default.
   *
   * @example
   * input({ shape: [4, 4, 4, 2] }).upSampling3d(); // SymbolicTensor<[null, 8, 8, 8, 2], 0>
   */
  upSampling3d: UpSamplingMethod<"upSampling3d", 3, S, P, Macs>;
}
