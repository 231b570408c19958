/**
 * Checks shared by layer families: positive sizes, ranks, known channels.
 * Each yields a {@link Fault} or {@link NoFault}; the sentences here are the
 * ones `src/checks.ts` throws at run time, word for word.
 */
import type { Add, AddDigits, IsSafeInteger, IsSafePositiveInteger, SafeDigits, Subtract } from "./arithmetic/index.js";
import type { Certainly, Fault, NoFault } from "./errors.js";
import type { AxisIndex, AxisList, Shape, ShapeText, Size2, SpatialRank } from "./shape.js";

/**
 * A fault when a size option (a number or a pair) holds anything but positive
 * integers: `shapewise: conv2d kernelSize must be a positive integer or a pair of them, got [3, 0]`.
 */
export type PositiveSize<Method extends string, Key extends string, V extends Size2> =
  Certainly<NotPositive<V>> extends true
    ? Fault<Key, `shapewise: ${Method} ${Key} must be a positive integer or a pair of them, got ${ShapeText<V>}`>
    : NoFault;

/**
 * A fault when a size or count a layer computes passes 2^53 − 1, where numbers
 * stop being exact integers: the sentence gives its exact value (`Digits`,
 * from the digit-string arithmetic). `never` digits (sizes the type checker
 * cannot see) pass.
 *
 * @example
 * type F = ExactCount<"(this)", "flatten", "output size", "1237940039285380274899124224">;
 * // Fault<"(this)", "shapewise: flatten output size 1237940039285380274899124224 is past Number.MAX_SAFE_INTEGER (9007199254740991)">
 */
export type ExactCount<Key extends string, Method extends string, What extends string, Digits extends string> = [Digits] extends [never]
  ? NoFault
  : SafeDigits<Digits> extends true
    ? NoFault
    : Fault<Key, `shapewise: ${Method} ${What} ${Digits} is past Number.MAX_SAFE_INTEGER (9007199254740991)`>;

/**
 * A fault on `Key` when a layer's own `Own` weights take the running
 * parameter total `P` of the model under definition past 2^53 − 1: the
 * sentence `model()` and `sequential()` throw at run time, with the exact
 * total. Worked out in digits only when the sum of two known counts is no
 * longer exact; an unknown count passes (its total is `number` anyway).
 *
 * @example
 * type F = TotalCount<"units", 4503599694479360, 4503599694479360>;
 * // Fault<"units", "shapewise: model parameter total 9007199388958720 is past Number.MAX_SAFE_INTEGER (9007199254740991)">
 */
export type TotalCount<Key extends string, P extends number, Own extends number> =
  number extends Add<P, Own>
    ? number extends P | Own
      ? NoFault
      : // A fraction, a negative or an exponent is the layer's own faults' to report: the digit arithmetic takes whole numbers only.
        `${P}|${Own}` extends `${string}${"." | "-" | "e"}${string}`
        ? NoFault
        : ExactCount<Key, "model", "parameter total", AddDigits<`${P}`, `${Own}`>>
    : NoFault;

/**
 * A call's faults `E`, or, when it has none, the fault of its own weights
 * taking the running total past 2^53 − 1 ({@link TotalCount}). Kept apart
 * from each layer's list of checks, so that list stays independent of the
 * running total and its result is shared by every call with the same shape
 * and options; this one conditional is all a call adds.
 *
 * @example
 * type E = TotalFault<NoFault, "units", 4503599694479360, 4503599694479360>;
 * // Fault<"units", "shapewise: model parameter total 9007199388958720 is past Number.MAX_SAFE_INTEGER (9007199254740991)">
 */
export type TotalFault<E, Key extends string, P extends number, Own extends number> = [E] extends [NoFault] ? TotalCount<Key, P, Own> : E;

/** A fault when a count (filters, units) is not a positive integer. */
export type PositiveCount<Method extends string, Key extends string, V extends number> =
  Certainly<NotPositive<V>> extends true ? Fault<Key, `shapewise: ${Method} ${Key} must be a positive integer, got ${ShapeText<V>}`> : NoFault;

/**
 * A fault when the input rank is not the one a layer takes. Its key is the
 * whole config, since no single property is wrong.
 */
export type ExactRank<Method extends string, S extends Shape, R extends number, Layout extends string> = number extends S["length"]
  ? NoFault
  : S["length"] extends R
    ? NoFault
    : Fault<"(config)", `shapewise: ${Method} expects input of rank ${R} ${Layout}, got rank ${S["length"]} ${ShapeText<S>}`>;

/** A fault when the channel (last) dimension is unknown: the layer cannot size its weights. */
export type KnownChannels<Method extends string, S extends Shape, C> = C extends null
  ? Fault<"(config)", `shapewise: ${Method} needs a known last dimension to size its weights, got ${ShapeText<S>}`>
  : NoFault;

/** The config type a layer method takes: the message itself when the rank check failed. */
export type ConfigOr<E, Config> = E extends Fault<"(config)", infer M> ? M : Config;

/**
 * A fault moved onto the receiver: for mistakes no written option can carry.
 *
 * @example
 * type F = OnReceiver<Fault<"(config)", "shapewise: ...">>; // Fault<"(this)", "shapewise: ...">
 */
export type OnReceiver<E> = E extends Fault<string, infer M> ? Fault<"(this)", M> : E;

/**
 * A fault that belongs to an option when it was written, to the receiver when a default caused it.
 *
 * @example
 * type F = OnOptionOrReceiver<undefined, Fault<"poolSize", "shapewise: ...">>; // Fault<"(this)", "shapewise: ...">
 */
export type OnOptionOrReceiver<Written, E> = [Written] extends [undefined] ? OnReceiver<E> : E;

/**
 * The type `this` must have: anything, or the message of a fault reported on the receiver.
 *
 * @example
 * type T = Receiver<NoFault>;                          // unknown
 * type U = Receiver<Fault<"(this)", "shapewise: ...">>; // "shapewise: ..."
 */
export type Receiver<E> = E extends Fault<"(this)", infer M> ? M : unknown;

type NotPositive<V> = V extends readonly unknown[]
  ? false extends { [I in keyof V]: IsSafePositiveInteger<V[I] & number> extends false ? false : true }[number]
    ? true
    : false
  : IsSafePositiveInteger<V & number> extends false
    ? true
    : false;

/** How messages name the list form of a size option per spatial rank. */
type SizeForms<N extends SpatialRank> = N extends 1 ? "a list of one" : N extends 2 ? "a pair of them" : "a triple of them";

/**
 * A fault when a size option of a layer with `N` spatial axes holds anything
 * but positive integers (the 2-D sentence is the shared one of `conv2d`).
 *
 * @example
 * type F = PositiveSizes<"maxPooling3d", "poolSize", [2, 0, 2], 3>;
 * // Fault<"poolSize", "shapewise: maxPooling3d poolSize must be a positive integer or a triple of them, got [2, 0, 2]">
 */
export type PositiveSizes<Method extends string, Key extends string, V, N extends SpatialRank> = N extends 2
  ? [V] extends [Size2]
    ? PositiveSize<Method, Key, V>
    : NoFault
  : Certainly<NotPositive<V>> extends true
    ? Fault<Key, `shapewise: ${Method} ${Key} must be a positive integer or ${SizeForms<N>}, got ${ShapeText<V>}`>
    : NoFault;

/**
 * `true` when a literal is certainly not a non-negative safe integer; nested lists are read through.
 *
 * @example
 * type A = AnyNegative<[[1, -2], 3]>; // true
 * type B = AnyNegative<number>;       // false
 */
export type AnyNegative<V> = V extends readonly unknown[]
  ? true extends { [I in keyof V]: AnyNegative<V[I]> }[number]
    ? true
    : false
  : V extends number
    ? IsSafeInteger<V> extends false
      ? true
      : `${V}` extends `-${string}`
        ? true
        : false
    : false;

/**
 * The text of an option that may nest lists, as messages print it.
 *
 * @example
 * type T = OptionText<readonly [readonly [1, 2], 3]>; // "[[1, 2], 3]"
 */
export type OptionText<V> = V extends readonly unknown[] ? (number extends V["length"] ? "[number[]]" : `[${JoinOptions<V>}]`) : ShapeText<V>;

type JoinOptions<V extends readonly unknown[], Acc extends string = ""> = V extends readonly [infer H, ...infer R]
  ? JoinOptions<R, Acc extends "" ? OptionText<H> : `${Acc}, ${OptionText<H>}`>
  : Acc;

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

/** `true` when some listed axis is certainly not an integer. */
type AnyNonInteger<L extends readonly number[]> = true extends { [I in keyof L]: IsSafeInteger<L[I]> extends false ? true : false }[number] ? true : false;

/**
 * `true` when some listed axis certainly falls outside the allowed range:
 * `[Lowest, R - 1]`, and negative axes (counted from the end) only when `Negative`.
 */
type AnyOutside<L extends readonly number[], R extends number, Lowest extends 0 | 1, Negative extends boolean> = true extends {
  [I in keyof L]: Negative extends false
    ? IsNegativeAxis<L[I]> extends true
      ? true
      : AxisIndex<R, L[I]> extends -1 | (Lowest extends 1 ? 0 : -1)
        ? true
        : false
    : AxisIndex<R, L[I]> extends -1 | (Lowest extends 1 ? 0 : -1)
      ? true
      : false;
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
 * `true` when a literal is certainly negative (its text starts with a minus
 * sign); `false` for `number`.
 *
 * @example
 * type A = IsNegative<-0.5>; // true
 * type B = IsNegative<0>;    // false
 */
export type IsNegative<V extends number> = number extends V ? false : `${V}` extends `-${string}` ? true : false;

/**
 * A fault when a literal option is negative: `shapewise: reLU maxValue must be at least 0, got -1`.
 *
 * @example
 * type E = NonNegativeFault<"reLU", "maxValue", -1>; // Fault<"maxValue", "shapewise: reLU maxValue must be at least 0, got -1">
 */
export type NonNegativeFault<Method extends string, Key extends string, V extends number> =
  Certainly<IsNegative<V>> extends true ? Fault<Key, `shapewise: ${Method} ${Key} must be at least 0, got ${V}`> : NoFault;

/**
 * A fault when a literal option is zero or negative: `shapewise: batchNormalization epsilon must be positive, got 0`.
 *
 * @example
 * type E = PositiveFault<"layerNormalization", "epsilon", 0>; // a Fault on "epsilon"
 */
export type PositiveFault<Method extends string, Key extends string, V extends number> =
  Certainly<number extends V ? false : V extends 0 ? true : IsNegative<V>> extends true
    ? Fault<Key, `shapewise: ${Method} ${Key} must be positive, got ${V}`>
    : NoFault;

/** `true` when a literal is certainly outside `[0, 1]`. */
type OutsideUnit<V extends number> = number extends V
  ? false
  : `${V}` extends `-${string}`
    ? true
    : `${V}` extends "0" | "1" | `0.${string}` | `${number}e-${string}`
      ? false
      : true;

/**
 * A fault when a literal option is outside `[0, 1]`:
 * `shapewise: gaussianNoise stddev must be at least 0 and at most 1, got 2`.
 *
 * @example
 * type E = UnitIntervalFault<"batchNormalization", "momentum", 1.5>; // a Fault on "momentum"
 */
export type UnitIntervalFault<Method extends string, Key extends string, V extends number> =
  Certainly<OutsideUnit<V>> extends true ? Fault<Key, `shapewise: ${Method} ${Key} must be at least 0 and at most 1, got ${V}`> : NoFault;
