/**
 * Shapes at the type level: a tuple of dimensions whose first entry is the
 * batch size. `null` is a size not known until run time (Keras `None`);
 * `number` is a size the type checker cannot see (a non-literal value).
 */

/** One dimension: a literal size, `number` when not a literal, `null` when unknown. */
export type Dim = number | null;

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
export type Pair<T extends Size2> = T extends readonly [infer A extends number, infer B extends number]
  ? [A, B]
  : T extends number
    ? [T, T]
    : [number, number];

/**
 * The text of a dimension, as messages print it (`null` for an unknown size).
 *
 * @example
 * type T = DimText<null>; // "null"
 */
export type DimText<D> = D extends null ? "null" : D extends number ? (number extends D ? "number" : `${D}`) : "?";

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
export type ShapeText<S> = S extends readonly unknown[]
  ? number extends S["length"]
    ? "[number[]]"
    : `[${JoinDims<S>}]`
  : DimText<S>;

/** The last element of a non-empty shape. */
export type Last<S extends Shape> = S extends readonly [...unknown[], infer L extends Dim] ? L : Dim;

/** A shape with its last dimension replaced. */
export type ReplaceLast<S extends Shape, D extends Dim> = S extends readonly [...infer Init extends Dim[], Dim]
  ? [...Init, D]
  : Dim[];

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
