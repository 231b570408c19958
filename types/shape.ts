/**
 * Shapes at the type level: a tuple of dimensions whose first entry is the
 * batch size. `null` is a size not known until run time (Keras `None`);
 * `number` is a size the type checker cannot see (a non-literal value).
 * Data formats, axis names and the arithmetic of windows (output length,
 * dilated span, fit) live here too, read by every family (runtime twin:
 * `src/shape.ts`).
 */
import type { Add, DivCeil, DivFloor, Lt, Lte, Multiply, Subtract } from "./arithmetic/index.js";
import type { Certainly, Fault, NoFault } from "./errors.js";
import type { SizeAdd, SizeDivCeil, SizeDivFloor, SizeSubtract } from "./size/index.js";

/**
 * One dimension: a literal size, `number` when not a literal, `null` when
 * unknown, or a symbolic size in canonical text (`"8*H"`, see `./size/`).
 */
export type Dim = number | null | string;

/** A tensor shape, batch dimension first. */
export type Shape = readonly Dim[];

/** A layer size option: one number for every spatial axis, or one per axis. */
export type Size2 = number | readonly [number, number];

/**
 * The per-axis pair of a {@link Size2} option.
 *
 * @example
 * type A = Pair<3>;        // [3, 3]
 * type B = Pair<[3, 5]>;   // [3, 5]
 */
export type Pair<T extends Size2> = T extends readonly [infer A extends number, infer B extends number] ? [A, B] : T extends number ? [T, T] : [number, number];

/**
 * The text of a dimension, as messages print it (`null` for an unknown size).
 *
 * @example
 * type T = DimText<null>; // "null"
 */
export type DimText<D> = D extends null ? "null" : D extends number ? (number extends D ? "number" : `${D}`) : D extends string ? D : "?";

type JoinDims<S extends readonly unknown[], Acc extends string = ""> = S extends readonly [infer H, ...infer R]
  ? JoinDims<R, Acc extends "" ? DimText<H> : `${Acc}, ${DimText<H>}`>
  : Acc;

/**
 * The text of a shape or of a size option, as messages print it.
 *
 * @example
 * type T = ShapeText<[null, 28, 28, 1]>; // "[null, 28, 28, 1]"
 * type U = ShapeText<3>;                 // "3"
 */
export type ShapeText<S> = S extends readonly unknown[] ? (number extends S["length"] ? "[number[]]" : `[${JoinDims<S>}]`) : DimText<S>;

/** The last element of a non-empty shape. */
export type Last<S extends Shape> = S extends readonly [...unknown[], infer L extends Dim] ? L : Dim;

/** A shape with its last dimension replaced. */
export type ReplaceLast<S extends Shape, D extends Dim> = S extends readonly [...infer Init extends Dim[], Dim] ? [...Init, D] : Dim[];

/**
 * A computed shape with every size worked out now. A tuple written in a
 * type's result is evaluated lazily, so each layer's shape would keep
 * pointing at the previous one and a long chain would nest a hundred deep
 * (TS2589); reading the tuple through `infer` settles it at each layer.
 *
 * @example
 * type S = Resolved<[null, 26, 26, 32]>; // [null, 26, 26, 32]
 */
export type Resolved<S extends readonly Dim[]> = S extends readonly [...infer R extends Dim[]] ? R : never;

/**
 * Where the channels are: `"channelsLast"` (`[batch, ...spatial, channels]`,
 * the default) or `"channelsFirst"` (`[batch, channels, ...spatial]`).
 *
 * @example
 * const f: DataFormat = "channelsFirst";
 */
export type DataFormat = "channelsLast" | "channelsFirst";

/**
 * A size option of a 1-D layer: a number, or a one-element tuple as Keras also accepts.
 *
 * @example
 * const k: Size1 = [5];
 */
export type Size1 = number | readonly [number];

/**
 * A size option of a 3-D layer: one number for every axis, or `[depth, height, width]`.
 *
 * @example
 * const k: Size3 = [3, 3, 1];
 */
export type Size3 = number | readonly [number, number, number];

/** How a window meets the border: `"valid"` uses real pixels only, `"same"` pads to keep `ceil(L / s)`. */
export type Padding = "valid" | "same";

/**
 * The size a window of size `K`, stride `St` and dilation `D` leaves of a
 * length `L`.
 *
 * @example
 * type A = WindowOutput<28, 3, 1, 1, "valid">; // 26
 * type B = WindowOutput<28, 3, 2, 1, "same">;  // 14
 */
export type WindowOutput<L extends Dim, K extends number, St extends number, D extends number, Pd extends Padding> = L extends null
  ? null
  : L extends number
    ? [Pd] extends ["same"]
      ? St extends 1
        ? L
        : DivCeil<L, St>
      : [Pd] extends ["valid"]
        ? ValidOutput<L, Dilated<K, D>, St>
        : number
    : L extends string
      ? SymbolicWindowOutput<L, Dilated<K, D>, St, Pd>
      : never;

/** The window output of a symbolic length: the same formulas in the size algebra. */
type SymbolicWindowOutput<L extends string, Span extends number, St extends number, Pd extends Padding> = number extends Span | St
  ? number
  : [Pd] extends ["same"]
    ? SizeDivCeil<L, St>
    : [Pd] extends ["valid"]
      ? SizeAdd<SizeDivFloor<SizeSubtract<L, Span>, St>, 1>
      : number;

/** `floor((L - span) / s) + 1`, without arithmetic for the common stride 1 and span 1. */
type ValidOutput<L extends number, Span extends number, St extends number> = St extends 1
  ? Span extends 1
    ? L
    : Subtract<Add<L, 1>, Span>
  : Add<DivFloor<Subtract<L, Span>, St>, 1>;

/**
 * The span of a kernel of size `K` with dilation `D`: `D * (K - 1) + 1`.
 *
 * @example
 * type S = Dilated<3, 2>; // 5
 */
export type Dilated<K extends number, D extends number> = D extends 1 ? K : Add<Multiply<D, Subtract<K, 1>>, 1>;

/**
 * A fault when a window does not fit its input along one axis with `"valid"`
 * padding (the output would have zero size).
 */
export type WindowFits<
  Method extends string,
  Key extends string,
  Axis extends string,
  L extends Dim,
  K extends number,
  D extends number,
  Pd extends Padding,
> = [Pd] extends ["valid"]
  ? L extends number
    ? Certainly<Dilated<K, D> extends 1 ? false : SpanExceeds<L, K, D>> extends true
      ? Fault<
          Key,
          D extends 1
            ? `shapewise: ${Method} ${Key} ${K} is larger than input ${Axis} ${L} with padding 'valid'`
            : `shapewise: ${Method} ${Key} ${K} with dilationRate ${D} spans ${SpanText<K, D>}, larger than input ${Axis} ${L} with padding 'valid'`
        >
      : NoFault
    : NoFault
  : NoFault;

/**
 * Whether a dilated kernel spans more than `L`; a span past 2^53 - 1 (the
 * arithmetic then gives `number` for literal operands) certainly does.
 */
type SpanExceeds<L extends number, K extends number, D extends number> =
  number extends Dilated<K, D> ? (number extends K | D | L ? boolean : true) : Lt<L, Dilated<K, D>>;

/** The span as a message prints it: a span past 2^53 - 1 has no exact number. */
type SpanText<K extends number, D extends number> = number extends Dilated<K, D> ? "more than 9007199254740991" : `${Dilated<K, D>}`;

/**
 * Number of spatial axes of a layer: 1, 2 or 3.
 *
 * @example
 * type N = SpatialRank; // 1 | 2 | 3
 */
export type SpatialRank = 1 | 2 | 3;

/**
 * The names messages give the spatial axes.
 *
 * @example
 * type A = AxisNames<3>; // ["depth", "height", "width"]
 */
export type AxisNames<N extends SpatialRank> = N extends 1 ? ["steps"] : N extends 2 ? ["height", "width"] : ["depth", "height", "width"];

type AxesText<N extends SpatialRank> = N extends 1 ? "steps" : N extends 2 ? "height, width" : "depth, height, width";

/**
 * The input layout messages print for a spatial rank and data format.
 *
 * @example
 * type T = LayoutText<2, "channelsFirst">; // "[batch, channels, height, width]"
 */
export type LayoutText<N extends SpatialRank, Df> = [Df] extends ["channelsFirst"] ? `[batch, channels, ${AxesText<N>}]` : `[batch, ${AxesText<N>}, channels]`;

/**
 * The rank of the input a layer with `N` spatial axes takes.
 *
 * @example
 * type R = RankOf<2>; // 4
 */
export type RankOf<N extends SpatialRank> = N extends 1 ? 3 : N extends 2 ? 4 : 5;

/**
 * The spatial dimensions of a shape: between the batch and the channels
 * (`channelsLast`), or after both (`channelsFirst`). A data format that is not
 * a literal leaves every spatial size unknown (`number | null`).
 *
 * @example
 * type A = SpatialOf<[null, 28, 28, 3], "channelsLast">;  // [28, 28]
 * type B = SpatialOf<[null, 3, 28, 28], "channelsFirst">; // [28, 28]
 */
export type SpatialOf<S extends Shape, Df> = [Df] extends ["channelsFirst"]
  ? S extends readonly [Dim, Dim, ...infer Sp extends Dim[]]
    ? Sp
    : Dim[]
  : [Df] extends ["channelsLast"]
    ? S extends readonly [Dim, ...infer Sp extends Dim[], Dim]
      ? Sp
      : Dim[]
    : S extends readonly [Dim, Dim, ...infer Sp extends Dim[]]
      ? { [I in keyof Sp]: Dim }
      : Dim[];

/**
 * The channel dimension of a shape for a data format.
 *
 * @example
 * type C = ChannelsOf<[null, 3, 28, 28], "channelsFirst">; // 3
 */
export type ChannelsOf<S extends Shape, Df> = [Df] extends ["channelsFirst"] ? S[1] : [Df] extends ["channelsLast"] ? Last<S> : Dim;

/**
 * A shape rebuilt with new spatial dimensions, batch and channels in place.
 *
 * @example
 * type S = WithSpatial<[null, 28, 28, 3], "channelsLast", [14, 14]>; // [null, 14, 14, 3]
 */
export type WithSpatial<S extends Shape, Df, Sp extends readonly Dim[]> = [Df] extends ["channelsFirst"]
  ? [S[0], S[1], ...Sp]
  : [S[0], ...Sp, ChannelsOf<S, Df>];

/**
 * The per-axis sizes of a size option for `N` axes: a number repeats, a
 * tuple is taken as written, anything else gives `number` per axis.
 *
 * @example
 * type A = PerAxis<2, 3>;         // [2, 2, 2]
 * type B = PerAxis<[1, 2, 3], 3>; // [1, 2, 3]
 */
export type PerAxis<V, N extends SpatialRank> = V extends readonly [number, ...number[]]
  ? V
  : V extends number
    ? N extends 1
      ? [V]
      : N extends 2
        ? [V, V]
        : [V, V, V]
    : N extends 1
      ? [number]
      : N extends 2
        ? [number, number]
        : [number, number, number];

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

/**
 * The size of `S` at a normalised index: `number` when the index or the size
 * is not known to the checker.
 *
 * @example
 * type C = SizeAt<[null, 28, 28, 32], 3>; // 32
 */
export type SizeAt<S extends Shape, I> = number extends I ? number : S[I & number] extends infer D extends number ? D : number;
