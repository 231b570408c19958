/**
 * Convolution layers at the type level (runtime twin: `src/layers/convolutional.ts`):
 * `conv1d`, `conv2d`, `conv3d`, their transposes, `separableConv1d/2d` and
 * `depthwiseConv1d/2d`.
 *
 * Output sizes follow Keras 3 `compute_conv_output_shape`: with padding
 * `"valid"` each spatial size is `floor((L - dk) / s) + 1` where
 * `dk = d * (k - 1) + 1`; with `"same"` (and `"causal"`, conv1d only) it is
 * `ceil(L / s)`. Transposed sizes follow `compute_conv_transpose_output_shape`.
 *
 * Every layer shares one list of checks ({@link ConvFault}), in the order the
 * runtime mirror throws them; options a layer does not have are passed as
 * their defaults, which the checks skip without arithmetic.
 */
import type { RegularizerOption } from "../regularizers.js";
import type { Add, AddDigits, DivFloor, Gt, Gte, IsSafePositiveInteger, Mod, Multiply, ProductDigits, Subtract } from "../arithmetic/index.js";
import type { ActivationName } from "../activations.js";
import type { ConfigOr, ExactCount, ExactRank, KnownChannels, PositiveCount, PositiveSize, TotalFault } from "../checks.js";
import type { Certainly, ErrorTensor, Fault, Field, FirstFault, NoFault } from "../errors.js";
import type { SizeAdd, SizeMultiply, SizeSubtract } from "../size/index.js";
import type { Dilated, Dim, Padding, Resolved, Shape, ShapeText, Size2, WindowFits, WindowOutput } from "../shape.js";
import type { CallMacs } from "../cost.js";
import type { SymbolicTensor } from "../symbolic-tensor.js";
import type { DataFormat, Size1, Size3 } from "../shape.js";
export type { DataFormat, Size1, Size3 };

/**
 * The paddings a convolution option accepts: {@link Padding}, or `"causal"`,
 * which left-pads `d * (k - 1)` zeros so that no output sees a later step
 * (Keras allows it for `conv1d` only; the others report it as a fault).
 *
 * @example
 * const p: ConvPadding = "causal";
 */
export type ConvPadding = Padding | "causal";

/** The spatial rank of a convolution. */
type Rank = 1 | 2 | 3;

/** `true` when some entry is certainly above 1 (a non-literal entry is not). */
type AnyAbove1<V extends readonly number[]> = V extends readonly 1[] ? false : true extends { [I in keyof V]: Certainly<Gt<V[I], 1>> }[number] ? true : false;

// ---------------------------------------------------------------------------
// Per-axis views of options and shapes

/**
 * The per-axis values of a size option of a rank-`N` layer.
 *
 * @example
 * type A = Axes<3, 3>;      // [3, 3, 3]
 * type B = Axes<[2, 5], 2>; // [2, 5]
 */
export type Axes<T, N extends Rank> = T extends readonly [...infer A extends number[]]
  ? A
  : T extends number
    ? N extends 2
      ? [T, T]
      : N extends 1
        ? [T]
        : [T, T, T]
    : never;

/** Which layout a `dataFormat` type names; `"unknown"` for a non-literal one. */
type Layout<Df> = [Df] extends ["channelsLast"] ? "last" : [Df] extends ["channelsFirst"] ? "first" : "unknown";

/** The spatial dimensions of an input of rank `N + 2`. */
type Spatial<S extends Shape, N extends Rank, Df> =
  Layout<Df> extends "last"
    ? N extends 2
      ? [S[1], S[2]]
      : N extends 1
        ? [S[1]]
        : [S[1], S[2], S[3]]
    : Layout<Df> extends "first"
      ? N extends 2
        ? [S[2], S[3]]
        : N extends 1
          ? [S[2]]
          : [S[2], S[3], S[4]]
      : N extends 2
        ? [number, number]
        : N extends 1
          ? [number]
          : [number, number, number];

/** The channel dimension of an input of rank `N + 2`. */
type Channels<S extends Shape, N extends Rank, Df> =
  Layout<Df> extends "last" ? (N extends 2 ? S[3] : N extends 1 ? S[2] : S[4]) : Layout<Df> extends "first" ? S[1] : number;

/**
 * A result shape from its spatial sizes and channel count, in the input's
 * layout. Its parameters are unconstrained and read through `infer`: a
 * constraint would make the compiler relate every generic size expression to
 * `Dim` when it checks these declarations, a large one-time cost.
 */
type Assemble<S extends Shape, Out, C, Df> = Out extends readonly [...infer O]
  ? Layout<Df> extends "first"
    ? [S[0], C, ...O]
    : Layout<Df> extends "last"
      ? [S[0], ...O, C]
      : [S[0], ...{ [I in keyof O]: number }, number]
  : never;

/** The names messages give the spatial axes. */
type AxisNames<N extends Rank> = N extends 2 ? ["height", "width"] : N extends 1 ? ["steps"] : ["depth", "height", "width"];

/** The input layout a rank message shows. */
type LayoutText<N extends Rank, Df> =
  Layout<Df> extends "first"
    ? N extends 2
      ? "[batch, channels, height, width]"
      : N extends 1
        ? "[batch, channels, steps]"
        : "[batch, channels, depth, height, width]"
    : N extends 2
      ? "[batch, height, width, channels]"
      : N extends 1
        ? "[batch, steps, channels]"
        : "[batch, depth, height, width, channels]";

// ---------------------------------------------------------------------------
// Checks

/**
 * Faults of the input alone (rank, unknown channel count), reported on the
 * whole config: no single option is wrong. Each layout's faults depend on
 * the input only, so while `dataFormat` is being inferred the compiler
 * re-reads a cached result instead of redoing the checks.
 *
 * A non-literal `dataFormat` checks nothing here. Besides being the rule for
 * non-literal options (no error the type checker cannot be sure of), this
 * branch keeps the compiler from settling the config type before it has
 * inferred `dataFormat`: were every branch a fault (a wrong rank is one in
 * both layouts), it would take the fault of the default layout.
 */
type ConvInputFault<M extends string, S extends Shape, N extends Rank, Df> = [Df] extends ["channelsLast"]
  ? InputFaultOf<M, S, N, "channelsLast">
  : [Df] extends ["channelsFirst"]
    ? InputFaultOf<M, S, N, "channelsFirst">
    : NoFault;

type InputFaultOf<M extends string, S extends Shape, N extends Rank, Df> = FirstFault<
  [ExactRank<M, S, N extends 2 ? 4 : N extends 1 ? 3 : 5, LayoutText<N, Df>>, ChannelFault<M, S, N, Df>]
>;

type ChannelFault<M extends string, S extends Shape, N extends Rank, Df> =
  Layout<Df> extends "last"
    ? KnownChannels<M, S, Channels<S, N, Df>>
    : Layout<Df> extends "first"
      ? S[1] extends null
        ? Fault<"(config)", `shapewise: ${M} needs a known channel dimension (axis 1 with dataFormat 'channelsFirst') to size its weights, got ${ShapeText<S>}`>
        : NoFault
      : NoFault;

/** How a size option of each rank is described in messages. */
type SizeWords<N extends Rank, Zero extends boolean> = Zero extends true
  ? N extends 2
    ? "a non-negative integer or a pair of them"
    : N extends 1
      ? "a non-negative integer or a one-element tuple of it"
      : "a non-negative integer or a triple of them"
  : N extends 2
    ? "a positive integer or a pair of them"
    : N extends 1
      ? "a positive integer or a one-element tuple of it"
      : "a positive integer or a triple of them";

type NotPositiveEntry<V> = IsSafePositiveInteger<V & number> extends false ? true : false;
type NotNonNegativeEntry<V> = V extends 0 ? false : NotPositiveEntry<V>;

/** `true` when some entry of a size option (a number or a tuple) is certainly bad. */
type AnyBad<V, Zero extends boolean> = V extends readonly unknown[]
  ? true extends { [I in keyof V]: Zero extends true ? NotNonNegativeEntry<V[I]> : NotPositiveEntry<V[I]> }[number]
    ? true
    : false
  : Zero extends true
    ? NotNonNegativeEntry<V>
    : NotPositiveEntry<V>;

/**
 * A fault when a size option of a rank-`N` layer holds anything but positive
 * integers (non-negative ones for `outputPadding`); for 2-D layers the
 * sentence is the one of the shared {@link PositiveSize}.
 */
type SizeFault<M extends string, Key extends string, V, N extends Rank, Zero extends boolean = false> =
  Certainly<AnyBad<V, Zero>> extends true ? Fault<Key, `shapewise: ${M} ${Key} must be ${SizeWords<N, Zero>}, got ${ShapeText<V>}`> : NoFault;

/** Keras allows `"causal"` padding on `Conv1D` only. */
type CausalFault<M extends string, Pd> = [Pd] extends ["causal"]
  ? M extends "conv1d"
    ? NoFault
    : Fault<"padding", `shapewise: ${M} padding 'causal' is only supported by conv1d`>
  : NoFault;

/** `true` when `A` is certainly not a multiple of `B`. */
type NotDivisible<A, B> = number extends A | B ? false : Mod<A & number, B & number> extends 0 ? false : true;

/** `groups` splits channels and filters into equal parts, so it must divide both. */
type GroupsFault<M extends string, F extends number, G extends number, C> = G extends 1
  ? NoFault
  : FirstFault<
      [
        PositiveCount<M, "groups", G>,
        NotDivisible<F, G> extends true ? Fault<"groups", `shapewise: ${M} filters ${F} must be divisible by groups ${G}`> : NoFault,
        NotDivisible<C, G> extends true ? Fault<"groups", `shapewise: ${M} input channels ${C & number} must be divisible by groups ${G}`> : NoFault,
      ]
    >;

type StridesDilationFault<M extends string, N extends Rank, St, D> = [AnyAbove1<Axes<St, N>>, AnyAbove1<Axes<D, N>>] extends [true, true]
  ? Fault<"dilationRate", `shapewise: ${M} strides ${ShapeText<St>} and dilationRate ${ShapeText<D>} cannot both exceed 1`>
  : NoFault;

/** `true` when some axis certainly has `A[i] >= B[i]`. */
type AnyAtLeast<A extends readonly number[], B extends readonly number[]> = true extends {
  [I in keyof A]: Certainly<Gte<A[I], B[I & keyof B] & number>>;
}[number]
  ? true
  : false;

/** Keras requires `outputPadding < strides` on every axis. */
type OutputPaddingFault<M extends string, N extends Rank, Op, St> = [Op] extends [undefined]
  ? NoFault
  : FirstFault<
      [
        SizeFault<M, "outputPadding", Op, N, true>,
        AnyAtLeast<Axes<Op, N>, Axes<St, N>> extends true
          ? Fault<"outputPadding", `shapewise: ${M} outputPadding ${ShapeText<Op>} must be less than strides ${ShapeText<St>} on each axis`>
          : NoFault,
      ]
    >;

/** Windows of `"valid"` padding that do not fit, axis by axis (sizes, kernel sizes, dilations and axis names, zipped). */
type WindowFaults<M extends string, Sp, Ks, Ds, Names, Pd> = [Pd] extends ["valid"] ? WindowFaultsZip<M, Sp, Ks, Ds, Names> : NoFault;

type WindowFaultsZip<M extends string, Sp, Ks, Ds, Names> = Sp extends readonly [infer L extends Dim, ...infer SpR]
  ? Ks extends readonly [infer K extends number, ...infer KR]
    ? Ds extends readonly [infer D extends number, ...infer DR]
      ? Names extends readonly [infer A extends string, ...infer NR]
        ? WindowFits<M, "kernelSize", A, L, K, D, "valid"> extends infer W extends Fault
          ? W
          : WindowFaultsZip<M, SpR, KR, DR, NR>
        : NoFault
      : NoFault
    : NoFault
  : NoFault;

/**
 * With `"same"` padding and an `outputPadding`, Keras gives
 * `(L - 1) * s + dk % 2 + op`: zero for a length of 1, an even span and
 * `outputPadding` 0.
 */
type ZeroTransposeAxis<M extends string, Axis extends string, L, K extends number, D extends number, Op> = L extends 1
  ? Op extends 0
    ? Mod<Dilated<K, D>, 2> extends 0
      ? Fault<
          "outputPadding",
          `shapewise: ${M} outputPadding 0 gives output ${Axis} 0 for input ${Axis} 1 with padding 'same' and the even kernel span ${Dilated<K, D>}`
        >
      : NoFault
    : NoFault
  : NoFault;

type TransposeZeroFault<M extends string, Sp, Ks, Ds, Ops, Names, Pd> = [Ops] extends [undefined]
  ? NoFault
  : [Pd] extends ["same"]
    ? TransposeZeroZip<M, Sp, Ks, Ds, Ops, Names>
    : NoFault;

type TransposeZeroZip<M extends string, Sp, Ks, Ds, Ops, Names> = Sp extends readonly [infer L, ...infer SpR]
  ? Ks extends readonly [infer K extends number, ...infer KR]
    ? Ds extends readonly [infer D extends number, ...infer DR]
      ? Ops extends readonly [infer Op, ...infer OR]
        ? Names extends readonly [infer A extends string, ...infer NR]
          ? ZeroTransposeAxis<M, A, L, K, D, Op> extends infer Z extends Fault
            ? Z
            : TransposeZeroZip<M, SpR, KR, DR, OR, NR>
          : NoFault
        : NoFault
      : NoFault
    : NoFault
  : NoFault;

/** The four kinds of convolution layer, which differ in options and weights. */
type ConvKind = "conv" | "transpose" | "depthwise" | "separable";

/**
 * Every check of a convolution layer, in the order the runtime throws them:
 * input rank and channels, causal padding, depthMultiplier, filters,
 * kernelSize, strides, dilationRate, groups, outputPadding, strides with
 * dilation, then the windows (or a zero-size transposed output). Options a
 * layer does not have come in as their defaults (groups 1, depthMultiplier 1,
 * outputPadding `undefined`), which skip their checks at once.
 */
type ConvFault<
  M extends string,
  S extends Shape,
  N extends Rank,
  Kd extends ConvKind,
  F extends number,
  K,
  St,
  Pd,
  D,
  G extends number,
  Dm extends number,
  Op,
  Df,
  B extends boolean,
> = FirstFault<
  [
    ConvInputFault<M, S, N, Df>,
    CausalFault<M, Pd>,
    Dm extends 1 ? NoFault : PositiveCount<M, "depthMultiplier", Dm>,
    Kd extends "depthwise" ? NoFault : PositiveCount<M, "filters", F>,
    SizeFault<M, "kernelSize", K, N>,
    SizeFault<M, "strides", St, N>,
    SizeFault<M, "dilationRate", D, N>,
    GroupsFault<M, F, G, Channels<S, N, Df>>,
    OutputPaddingFault<M, N, Op, St>,
    StridesDilationFault<M, N, St, D>,
    Kd extends "transpose"
      ? TransposeZeroFault<M, Spatial<S, N, Df>, Axes<K, N>, Axes<D, N>, [Op] extends [undefined] ? undefined : Axes<Op, N>, AxisNames<N>, Pd>
      : WindowFaults<M, Spatial<S, N, Df>, Axes<K, N>, Axes<D, N>, AxisNames<N>, Pd>,
    CountFault<M, Kd, Axes<K, N>, Channels<S, N, Df>, F, G, Dm, B>,
  ]
>;

/** The option a count fault is reported on: the one that sizes the weights (`depthwise` layers have no `filters`). */
type CountKey<Kd extends ConvKind> = Kd extends "depthwise" ? "kernelSize" : "filters";

/** The weights of a call of kind `Kd`. */
type KindParams<Kd extends ConvKind, Ks, C, F, G, Dm, B> = Kd extends "conv"
  ? ConvParams<Ks, C, F, G, B>
  : Kd extends "transpose"
    ? ConvTransposeParams<Ks, C, F, B>
    : Kd extends "depthwise"
      ? DepthwiseParams<Ks, C, Dm, B>
      : SeparableParams<Ks, C, Dm, F, B>;

/**
 * A fault when a call's weights pass 2^53 − 1: their exact count, worked out
 * in digits only when the count is no longer exact and every factor is known
 * (the sentence `exactWeightCount` throws at run time).
 */
type CountFault<M extends string, Kd extends ConvKind, Ks, C, F, G, Dm, B> =
  number extends KindParams<Kd, Ks, C, F, G, Dm, B>
    ? [Ks, C, F, G, Dm] extends [
        infer K extends readonly number[],
        infer Cn extends number,
        infer Fn extends number,
        infer Gn extends number,
        infer Dn extends number,
      ]
      ? ExactCount<CountKey<Kd>, M, "parameter count", KindDigits<Kd, K, Cn, Fn, Gn, Dn, B>>
      : NoFault
    : NoFault;

/** The bias of `N` (a digit string) when `B` is known; `never` (no count) otherwise. */
type BiasDigits<B, N extends string> = [B] extends [false] ? "0" : [B] extends [true] ? N : never;

/** {@link KindParams} as an exact digit string; `never` when a factor is not a plain literal. */
type KindDigits<
  Kd extends ConvKind,
  Ks extends readonly number[],
  C extends number,
  F extends number,
  G extends number,
  Dm extends number,
  B,
> = Kd extends "conv"
  ? AddDigits<ProductDigits<[...Ks, GroupChannels<C, G> & number, F]>, BiasDigits<B, ProductDigits<[F]>>>
  : Kd extends "transpose"
    ? AddDigits<ProductDigits<[...Ks, F, C]>, BiasDigits<B, ProductDigits<[F]>>>
    : Kd extends "depthwise"
      ? AddDigits<ProductDigits<[...Ks, C, Dm]>, BiasDigits<B, ProductDigits<[C, Dm]>>>
      : AddDigits<AddDigits<ProductDigits<[...Ks, C, Dm]>, ProductDigits<[C, Dm, F]>>, BiasDigits<B, ProductDigits<[F]>>>;

// ---------------------------------------------------------------------------
// Output sizes and parameter counts

/** `"causal"` sizes its output as `"same"` does: `ceil(L / s)`. */
type SizePadding<Pd> = Pd extends "causal" ? "same" : Pd & Padding;

/** The output size of every spatial axis: sizes, kernel sizes, strides and dilations zipped. */
type ConvSpatial<Sp, Ks, Ss, Ds, Pd extends Padding> = Sp extends readonly [infer L extends Dim, ...infer SpR]
  ? Ks extends readonly [infer K extends number, ...infer KR]
    ? Ss extends readonly [infer St extends number, ...infer SR]
      ? Ds extends readonly [infer D extends number, ...infer DR]
        ? [WindowOutput<L, K, St, D, Pd>, ...ConvSpatial<SpR, KR, SR, DR, Pd>]
        : []
      : []
    : []
  : [];

/** `max(A - B, 0)`. */
type PositivePart<A extends number, B extends number> = Gt<A, B> extends true ? Subtract<A, B> : Gt<A, B> extends false ? 0 : number;

/**
 * The length a transposed convolution gives an input length `L` (Keras 3
 * `_get_output_shape_given_tf_padding`); `Op` is `undefined` when the
 * `outputPadding` option is left out.
 *
 * @example
 * type A = TransposeOutput<8, 3, 2, 1, "valid", undefined>; // 17
 * type B = TransposeOutput<8, 3, 2, 1, "valid", 1>;         // 18
 * type C = TransposeOutput<8, 4, 2, 1, "same", 0>;          // 14
 */
export type TransposeOutput<
  L extends Dim,
  K extends number,
  St extends number,
  D extends number,
  Pd extends Padding,
  Op extends number | undefined,
> = L extends null
  ? null
  : L extends number
    ? [Op] extends [undefined]
      ? [Pd] extends ["same"]
        ? St extends 1
          ? L
          : Multiply<L, St>
        : [Pd] extends ["valid"]
          ? Add<Multiply<L, St>, PositivePart<Dilated<K, D>, St>>
          : number
      : [Pd] extends ["same"]
        ? Add<Multiply<Subtract<L, 1>, St>, Add<Mod<Dilated<K, D>, 2>, Op & number>>
        : [Pd] extends ["valid"]
          ? Add<Multiply<Subtract<L, 1>, St>, Add<Dilated<K, D>, Op & number>>
          : number
    : L extends string
      ? SymbolicTransposed<L, K, St, D, Pd, Op>
      : never;

/** The transposed length of a symbolic size: the same formulas in the size algebra. */
type SymbolicTransposed<L extends string, K extends number, St extends number, D extends number, Pd, Op> = [Op] extends [undefined]
  ? [Pd] extends ["same"]
    ? SizeMultiply<L, St>
    : [Pd] extends ["valid"]
      ? SizeAdd<SizeMultiply<L, St>, PositivePart<Dilated<K, D>, St>>
      : number
  : [Pd] extends ["same"]
    ? SizeAdd<SizeMultiply<SizeSubtract<L, 1>, St>, Add<Mod<Dilated<K, D>, 2>, Op & number>>
    : [Pd] extends ["valid"]
      ? SizeAdd<SizeMultiply<SizeSubtract<L, 1>, St>, Add<Dilated<K, D>, Op & number>>
      : number;

/** The per-axis `outputPadding`, `undefined` on every axis when it is left out. */
type OpAxes<Op, N extends Rank> = [Op] extends [undefined] ? [undefined, undefined, undefined] : Axes<Op, N>;

/** The transposed output size of every spatial axis, zipped as in {@link ConvSpatial}. */
type TransposeSpatial<Sp, Ks, Ss, Ds, Pd extends Padding, Ops> = Sp extends readonly [infer L extends Dim, ...infer SpR]
  ? Ks extends readonly [infer K extends number, ...infer KR]
    ? Ss extends readonly [infer St extends number, ...infer SR]
      ? Ds extends readonly [infer D extends number, ...infer DR]
        ? Ops extends readonly [infer Op extends number | undefined, ...infer OR]
          ? [TransposeOutput<L, K, St, D, Pd, Op>, ...TransposeSpatial<SpR, KR, SR, DR, Pd, OR>]
          : []
        : []
      : []
    : []
  : [];

type BiasCount<B, N> = [B] extends [false] ? 0 : [B] extends [true] ? N : number;

/** The number of kernel positions: the product of the kernel sizes. */
type KernelArea<Ks> = Ks extends readonly [infer A extends number, infer B extends number]
  ? Multiply<A, B>
  : Ks extends readonly [infer A extends number]
    ? A
    : Ks extends readonly [infer A extends number, infer B extends number, infer C extends number]
      ? Multiply<Multiply<A, B>, C>
      : number;

/** Input channels per group. */
type GroupChannels<C, G> = G extends 1 ? C : DivFloor<Num<C>, Num<G>>;

/**
 * `A * B` for generic operands. `Num` gives each operand and the result a
 * constraint the compiler checks at once: without it, checking the
 * declarations below relates every generic product to `number` (for this
 * file, about 12,000 instantiations in every program, once).
 */
type Mul<A, B> = Num<Multiply<Num<A>, Num<B>>>;

/** `A + B` for generic operands (see {@link Mul}). */
type Plus<A, B> = Num<Add<Num<A>, Num<B>>>;

/** `X` as a number. */
type Num<X> = X extends number ? X : number;

/**
 * Weights of a `conv2d`: a `[kh, kw, in, filters]` kernel and a bias of `filters`.
 *
 * @example
 * type P = Conv2DParams<3, 3, 1, 32, true>; // 320
 */
export type Conv2DParams<KH extends number, KW extends number, C extends number, F extends number, B extends boolean> = ConvParams<[KH, KW], C, F, 1, B>;

/**
 * Weights of a convolution of any rank: a `[...kernel, in / groups, filters]`
 * kernel and a bias of `filters`.
 *
 * @example
 * type P = ConvParams<[3, 3, 3], 2, 4, 1, true>; // 220
 */
export type ConvParams<Ks, C, F, G, B> = Plus<Mul<Mul<KernelArea<Ks>, GroupChannels<C, G>>, F>, BiasCount<B, F>>;

/**
 * Weights of a transposed convolution: a `[...kernel, filters, in]` kernel and a bias of `filters`.
 *
 * @example
 * type P = ConvTransposeParams<[3, 3], 4, 16, true>; // 592
 */
export type ConvTransposeParams<Ks, C, F, B> = Plus<Mul<Mul<KernelArea<Ks>, F>, C>, BiasCount<B, F>>;

/** `C * Dm`, without arithmetic for the default multiplier 1. */
type TimesMultiplier<C, Dm> = Dm extends 1 ? C : Mul<C, Dm>;

/**
 * Weights of a depthwise convolution: a `[...kernel, in, depthMultiplier]`
 * kernel and a bias of `in * depthMultiplier`.
 *
 * @example
 * type P = DepthwiseParams<[3, 3], 8, 2, true>; // 160
 */
export type DepthwiseParams<Ks, C, Dm, B> = Plus<Mul<KernelArea<Ks>, TimesMultiplier<C, Dm>>, BiasCount<B, TimesMultiplier<C, Dm>>>;

/**
 * Weights of a separable convolution: the depthwise kernel
 * `[...kernel, in, depthMultiplier]`, the pointwise kernel
 * `[1, ..., in * depthMultiplier, filters]` and a bias of `filters`.
 *
 * @example
 * type P = SeparableParams<[3, 3], 8, 1, 16, true>; // 216
 */
export type SeparableParams<Ks, C, Dm, F, B> = Plus<Plus<Mul<KernelArea<Ks>, TimesMultiplier<C, Dm>>, Mul<TimesMultiplier<C, Dm>, F>>, BiasCount<B, F>>;

/**
 * The result of a call: an error tensor on a fault, otherwise the new shape
 * and running totals. Reading them through `infer` settles the shape now (as
 * {@link Resolved} does) and spares the declaration checks (see {@link Assemble}).
 * The call's multiply-accumulates are `PerPosition` at each of the
 * `Positions` (see {@link CallMacs}).
 */
type Outcome<E, Out, Params, Macs, Positions, PerPosition> =
  E extends Fault<string, infer M>
    ? ErrorTensor<M>
    : Out extends readonly [...infer O extends Dim[]]
      ? [Params, NoInfer<CallMacs<Macs, Positions, PerPosition>>] extends [infer Pn extends number, infer Mn extends string | number]
        ? SymbolicTensor<O, Pn, Mn>
        : never
      : never;

/** The output's spatial sizes of a convolution, depthwise or separable call. */
type ConvPositions<S extends Shape, N extends Rank, K, St, Pd, D, Df> = ConvSpatial<Spatial<S, N, Df>, Axes<K, N>, Axes<St, N>, Axes<D, N>, SizePadding<Pd>>;

// ---------------------------------------------------------------------------
// Configs

/** The config options every convolution has, each typed by its check. */
type WindowConfig<E, K, St, Pd, D, Df, B> = {
  kernelSize: Field<E, "kernelSize", K>;
  strides?: Field<E, "strides", St>;
  padding?: Field<E, "padding", Pd>;
  dataFormat?: Df;
  dilationRate?: Field<E, "dilationRate", D>;
  activation?: ActivationName;
  useBias?: B;
  biasRegularizer?: RegularizerOption;
  activityRegularizer?: RegularizerOption;
  name?: string;
};

/** The config of `conv1d`, `conv2d` and `conv3d`. */
type ConvConfig<E, F, K, St, Pd, D, G, Df, B> = WindowConfig<E, K, St, Pd, D, Df, B> & {
  filters: Field<E, "filters", F>;
  groups?: Field<E, "groups", G>;
  kernelRegularizer?: RegularizerOption;
};

/** The config of the transposed convolutions. */
type TransposeConfig<E, F, K, St, Pd, Op, D, Df, B> = WindowConfig<E, K, St, Pd, D, Df, B> & {
  filters: Field<E, "filters", F>;
  outputPadding?: Field<E, "outputPadding", Op>;
  kernelRegularizer?: RegularizerOption;
};

/** The config of the depthwise convolutions. */
type DepthwiseConfig<E, K, St, Pd, Dm, D, Df, B> = WindowConfig<E, K, St, Pd, D, Df, B> & {
  depthMultiplier?: Field<E, "depthMultiplier", Dm>;
  depthwiseRegularizer?: RegularizerOption;
};

/** The config of the separable convolutions: a depthwise config with the pointwise step's options. */
type SeparableConfig<E, F, K, St, Pd, Dm, D, Df, B> = DepthwiseConfig<E, K, St, Pd, Dm, D, Df, B> & {
  filters: Field<E, "filters", F>;
  pointwiseRegularizer?: RegularizerOption;
};

/** Options every convolution shares, as TensorFlow.js names them. */
interface ConvCommonOptions<Sz> {
  /** Window size: one number for every axis, or one per axis. */
  kernelSize: Sz;
  /** Step between windows (default 1). Cannot exceed 1 together with `dilationRate`. */
  strides?: Sz;
  /** `"valid"` (default) or `"same"`; `"causal"` for {@link ConvolutionalMethods.conv1d} only. */
  padding?: ConvPadding;
  /** `"channelsLast"` (default) or `"channelsFirst"`; kernels keep the channels-last layout either way. */
  dataFormat?: DataFormat;
  /** Spacing between kernel taps (default 1). */
  dilationRate?: Sz;
  /** Activation applied after the bias (default `"linear"`). */
  activation?: ActivationName;
  /** Whether the layer adds a bias (default `true`). */
  useBias?: boolean;
  /** Penalty on the bias added to the training loss (Keras `bias_regularizer`). */
  biasRegularizer?: RegularizerOption;
  /** Penalty on the output, divided by the batch size (Keras `activity_regularizer`). */
  activityRegularizer?: RegularizerOption;
  /** Layer name; Keras-style automatic names otherwise (`conv2d`, `conv2d_1`, ...). */
  name?: string;
}

/** The options of the plain convolutions of every rank; `Sz` is the size option of the rank. */
interface PlainConvOptions<Sz> extends ConvCommonOptions<Sz> {
  /** Penalty on the kernel added to the training loss: `"l1"`, `"l2"`, `"l1l2"` or `regularizers.l2(1e-4)` (Keras `kernel_regularizer`). */
  kernelRegularizer?: RegularizerOption;
  /** Number of output channels. */
  filters: number;
  /** Channel groups convolved separately (default 1); must divide `filters` and the input channels. */
  groups?: number;
}

/**
 * The options of {@link ConvolutionalMethods.conv2d}, as TensorFlow.js names them.
 *
 * @example
 * const o: Conv2DOptions = { filters: 32, kernelSize: 3, groups: 1, dataFormat: "channelsLast" };
 */
export interface Conv2DOptions extends PlainConvOptions<Size2> {}

/**
 * The options of {@link ConvolutionalMethods.conv1d}.
 *
 * @example
 * const o: Conv1DOptions = { filters: 16, kernelSize: 5, padding: "causal" };
 */
export interface Conv1DOptions extends PlainConvOptions<Size1> {}

/**
 * The options of {@link ConvolutionalMethods.conv3d}.
 *
 * @example
 * const o: Conv3DOptions = { filters: 4, kernelSize: [3, 3, 1] };
 */
export interface Conv3DOptions extends PlainConvOptions<Size3> {}

/**
 * The options of the transposed convolutions (`conv1dTranspose`,
 * `conv2dTranspose`, `conv3dTranspose`); `Sz` is the size option of the rank.
 *
 * @example
 * const o: ConvTransposeOptions<Size2> = { filters: 16, kernelSize: 3, strides: 2, outputPadding: 1 };
 */
export interface ConvTransposeOptions<Sz> extends ConvCommonOptions<Sz> {
  /** Penalty on the kernel added to the training loss: `"l1"`, `"l2"`, `"l1l2"` or `regularizers.l2(1e-4)` (Keras `kernel_regularizer`). */
  kernelRegularizer?: RegularizerOption;
  /** Number of output channels. */
  filters: number;
  /** Extra rows or columns on the far side, each below its stride; sets the output size exactly. */
  outputPadding?: Sz;
}

/**
 * The options of `depthwiseConv1d` and `depthwiseConv2d`.
 *
 * @example
 * const o: DepthwiseConvOptions<Size2> = { kernelSize: 3, depthMultiplier: 2 };
 */
export interface DepthwiseConvOptions<Sz> extends ConvCommonOptions<Sz> {
  /** Penalty on the depthwise kernel added to the training loss (Keras `depthwise_regularizer`). */
  depthwiseRegularizer?: RegularizerOption;
  /** Output channels per input channel (default 1). */
  depthMultiplier?: number;
}

/**
 * The options of `separableConv1d` and `separableConv2d`.
 *
 * @example
 * const o: SeparableConvOptions<Size2> = { filters: 16, kernelSize: 3, depthMultiplier: 2 };
 */
export interface SeparableConvOptions<Sz> extends DepthwiseConvOptions<Sz> {
  /** Penalty on the pointwise kernel added to the training loss (Keras `pointwise_regularizer`). */
  pointwiseRegularizer?: RegularizerOption;
  /** Number of output channels of the pointwise step. */
  filters: number;
}

// ---------------------------------------------------------------------------
// Methods

/** The size option of each rank: a table, so that a default of `1` fits every rank's constraint. */
type SizeOf = { 1: Size1; 2: Size2; 3: Size3 };

/**
 * The call of `conv1d`, `conv2d` and `conv3d` at rank `N`. Written as a
 * method and read back as a function type, so that it keeps a method's
 * bivariant parameter and `S` stays covariant in {@link SymbolicTensor}.
 */
type ConvMethod<M extends string, S extends Shape, P extends number, Macs extends string | number, N extends Rank> = {
  call<
    const F extends number,
    const K extends SizeOf[N],
    const St extends SizeOf[N] = 1,
    const Pd extends ConvPadding = "valid",
    const D extends SizeOf[N] = 1,
    const G extends number = 1,
    const Df extends DataFormat = "channelsLast",
    const B extends boolean = true,
  >(
    config: ConfigOr<
      ConvInputFault<M, S, N, Df>,
      ConvConfig<
        TotalFault<ConvFault<M, S, N, "conv", F, K, St, Pd, D, G, 1, undefined, Df, B>, "filters", P, ConvParams<Axes<K, N>, Channels<S, N, Df>, F, G, B>>,
        F,
        K,
        St,
        Pd,
        D,
        G,
        Df,
        B
      >
    >,
  ): Outcome<
    ConvFault<M, S, N, "conv", F, K, St, Pd, D, G, 1, undefined, Df, B>,
    Assemble<S, ConvPositions<S, N, K, St, Pd, D, Df>, F, Df>,
    Plus<P, ConvParams<Axes<K, N>, Channels<S, N, Df>, F, G, B>>,
    Macs,
    ConvPositions<S, N, K, St, Pd, D, Df>,
    Mul<Mul<KernelArea<Axes<K, N>>, GroupChannels<Channels<S, N, Df>, G>>, F>
  >;
}["call"];

/**
 * The call of the transposed convolutions at rank `N` (see {@link ConvMethod}).
 * A transposed convolution scatters each input position through the kernel to every filter.
 */
type TransposeMethod<M extends string, S extends Shape, P extends number, Macs extends string | number, N extends Rank> = {
  call<
    const F extends number,
    const K extends SizeOf[N],
    const St extends SizeOf[N] = 1,
    const Pd extends ConvPadding = "valid",
    const Op extends SizeOf[N] | undefined = undefined,
    const D extends SizeOf[N] = 1,
    const Df extends DataFormat = "channelsLast",
    const B extends boolean = true,
  >(
    config: ConfigOr<
      ConvInputFault<M, S, N, Df>,
      TransposeConfig<
        TotalFault<ConvFault<M, S, N, "transpose", F, K, St, Pd, D, 1, 1, Op, Df, B>, "filters", P, ConvTransposeParams<Axes<K, N>, Channels<S, N, Df>, F, B>>,
        F,
        K,
        St,
        Pd,
        Op,
        D,
        Df,
        B
      >
    >,
  ): Outcome<
    ConvFault<M, S, N, "transpose", F, K, St, Pd, D, 1, 1, Op, Df, B>,
    Assemble<S, TransposeSpatial<Spatial<S, N, Df>, Axes<K, N>, Axes<St, N>, Axes<D, N>, SizePadding<Pd>, OpAxes<Op, N>>, F, Df>,
    Plus<P, ConvTransposeParams<Axes<K, N>, Channels<S, N, Df>, F, B>>,
    Macs,
    Spatial<S, N, Df>,
    Mul<Mul<KernelArea<Axes<K, N>>, F>, Channels<S, N, Df>>
  >;
}["call"];

/** The call of the depthwise convolutions at rank `N` (see {@link ConvMethod}). */
type DepthwiseMethod<M extends string, S extends Shape, P extends number, Macs extends string | number, N extends Rank> = {
  call<
    const K extends SizeOf[N],
    const St extends SizeOf[N] = 1,
    const Pd extends ConvPadding = "valid",
    const Dm extends number = 1,
    const D extends SizeOf[N] = 1,
    const Df extends DataFormat = "channelsLast",
    const B extends boolean = true,
  >(
    config: ConfigOr<
      ConvInputFault<M, S, N, Df>,
      DepthwiseConfig<
        TotalFault<
          ConvFault<M, S, N, "depthwise", 1, K, St, Pd, D, 1, Dm, undefined, Df, B>,
          "kernelSize",
          P,
          DepthwiseParams<Axes<K, N>, Channels<S, N, Df>, Dm, B>
        >,
        K,
        St,
        Pd,
        Dm,
        D,
        Df,
        B
      >
    >,
  ): Outcome<
    ConvFault<M, S, N, "depthwise", 1, K, St, Pd, D, 1, Dm, undefined, Df, B>,
    Assemble<S, ConvPositions<S, N, K, St, Pd, D, Df>, TimesMultiplier<Channels<S, N, Df>, Dm>, Df>,
    Plus<P, DepthwiseParams<Axes<K, N>, Channels<S, N, Df>, Dm, B>>,
    Macs,
    ConvPositions<S, N, K, St, Pd, D, Df>,
    Mul<KernelArea<Axes<K, N>>, TimesMultiplier<Channels<S, N, Df>, Dm>>
  >;
}["call"];

/**
 * The call of the separable convolutions at rank `N` (see {@link ConvMethod}): the
 * depthwise kernel, then the pointwise one, at each output position.
 */
type SeparableMethod<M extends string, S extends Shape, P extends number, Macs extends string | number, N extends Rank> = {
  call<
    const F extends number,
    const K extends SizeOf[N],
    const St extends SizeOf[N] = 1,
    const Pd extends ConvPadding = "valid",
    const Dm extends number = 1,
    const D extends SizeOf[N] = 1,
    const Df extends DataFormat = "channelsLast",
    const B extends boolean = true,
  >(
    config: ConfigOr<
      ConvInputFault<M, S, N, Df>,
      SeparableConfig<
        TotalFault<
          ConvFault<M, S, N, "separable", F, K, St, Pd, D, 1, Dm, undefined, Df, B>,
          "filters",
          P,
          SeparableParams<Axes<K, N>, Channels<S, N, Df>, Dm, F, B>
        >,
        F,
        K,
        St,
        Pd,
        Dm,
        D,
        Df,
        B
      >
    >,
  ): Outcome<
    ConvFault<M, S, N, "separable", F, K, St, Pd, D, 1, Dm, undefined, Df, B>,
    Assemble<S, ConvPositions<S, N, K, St, Pd, D, Df>, F, Df>,
    Plus<P, SeparableParams<Axes<K, N>, Channels<S, N, Df>, Dm, F, B>>,
    Macs,
    ConvPositions<S, N, K, St, Pd, D, Df>,
    Mul<TimesMultiplier<Channels<S, N, Df>, Dm>, Plus<KernelArea<Axes<K, N>>, F>>
  >;
}["call"];

/** Convolution methods of a {@link SymbolicTensor} with shape `S` and `P` parameters so far. */
export interface ConvolutionalMethods<S extends Shape, P extends number, Macs extends string | number> {
  /**
   * A 1-D convolution over `[batch, steps, channels]` (Keras `Conv1D`);
   * `padding: "causal"` left-pads so that step `t` sees only steps up to `t`.
   *
   * @example
   * input({ shape: [100, 8] }).conv1d({ filters: 16, kernelSize: 5, padding: "causal" });
   * // SymbolicTensor<[null, 100, 16], 656>
   */
  conv1d: ConvMethod<"conv1d", S, P, Macs, 1>;

  /**
   * A 2-D convolution over `[batch, height, width, channels]` (Keras `Conv2D`).
   *
   * @example
   * input({ shape: [28, 28, 1] }).conv2d({ filters: 32, kernelSize: 3, activation: "relu" });
   * // SymbolicTensor<[null, 26, 26, 32], 320>
   */
  conv2d: ConvMethod<"conv2d", S, P, Macs, 2>;

  /**
   * A 3-D convolution over `[batch, depth, height, width, channels]` (Keras `Conv3D`).
   *
   * @example
   * input({ shape: [16, 16, 16, 2] }).conv3d({ filters: 4, kernelSize: 3 });
   * // SymbolicTensor<[null, 14, 14, 14, 4], 220>
   */
  conv3d: ConvMethod<"conv3d", S, P, Macs, 3>;

  /**
   * A transposed 1-D convolution (Keras `Conv1DTranspose`): `"same"` gives
   * `L * s`, `"valid"` gives `L * s + max(dk - s, 0)`, and an `outputPadding`
   * sets the size to `(L - 1) * s + dk + op` (`"valid"`) or `(L - 1) * s + dk % 2 + op` (`"same"`).
   *
   * @example
   * input({ shape: [10, 4] }).conv1dTranspose({ filters: 6, kernelSize: 3, strides: 2, padding: "same" });
   * // SymbolicTensor<[null, 20, 6], 78>
   */
  conv1dTranspose: TransposeMethod<"conv1dTranspose", S, P, Macs, 1>;

  /**
   * A transposed 2-D convolution (Keras `Conv2DTranspose`); sizes as for
   * {@link ConvolutionalMethods.conv1dTranspose}, per axis.
   *
   * @example
   * input({ shape: [8, 8, 4] }).conv2dTranspose({ filters: 16, kernelSize: 3, strides: 2 });
   * // SymbolicTensor<[null, 17, 17, 16], 592>
   */
  conv2dTranspose: TransposeMethod<"conv2dTranspose", S, P, Macs, 2>;

  /**
   * A transposed 3-D convolution (Keras `Conv3DTranspose`).
   *
   * @example
   * input({ shape: [4, 4, 4, 3] }).conv3dTranspose({ filters: 2, kernelSize: 3, strides: 2 });
   * // SymbolicTensor<[null, 9, 9, 9, 2], 164>
   */
  conv3dTranspose: TransposeMethod<"conv3dTranspose", S, P, Macs, 3>;

  /**
   * A depthwise 1-D convolution (Keras `DepthwiseConv1D`): each channel gets
   * its own `depthMultiplier` filters; output channel `c * depthMultiplier + m`.
   *
   * @example
   * input({ shape: [50, 8] }).depthwiseConv1d({ kernelSize: 3 }); // SymbolicTensor<[null, 48, 8], 32>
   */
  depthwiseConv1d: DepthwiseMethod<"depthwiseConv1d", S, P, Macs, 1>;

  /**
   * A depthwise 2-D convolution (Keras `DepthwiseConv2D`).
   *
   * @example
   * input({ shape: [32, 32, 8] }).depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, strides: 2, padding: "same" });
   * // SymbolicTensor<[null, 16, 16, 16], 160>
   */
  depthwiseConv2d: DepthwiseMethod<"depthwiseConv2d", S, P, Macs, 2>;

  /**
   * A separable 1-D convolution (Keras `SeparableConv1D`): a depthwise step,
   * then a pointwise (kernel size 1) convolution to `filters` channels.
   *
   * @example
   * input({ shape: [50, 8] }).separableConv1d({ filters: 16, kernelSize: 3 }); // SymbolicTensor<[null, 48, 16], 168>
   */
  separableConv1d: SeparableMethod<"separableConv1d", S, P, Macs, 1>;

  /**
   * A separable 2-D convolution (Keras `SeparableConv2D`).
   *
   * @example
   * input({ shape: [32, 32, 8] }).separableConv2d({ filters: 16, kernelSize: 3 }); // SymbolicTensor<[null, 30, 30, 16], 216>
   */
  separableConv2d: SeparableMethod<"separableConv2d", S, P, Macs, 2>;
}
