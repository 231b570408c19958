/**
 * The input layer at the type level (runtime twin: `src/layers/input.ts`).
 */
import type { IsSafePositiveInteger } from "../arithmetic/index.js";
import type { Certainly, ErrorTensor, Fault, Field, FirstFault, NoFault } from "../errors.js";
import type { ShapeText } from "../shape.js";
import type { SymbolicTensor } from "../symbolic-tensor.js";

/** A size `input` takes: a positive integer, `null`, or a name with an optional stated factor (`"T"`, `"16*H"`). */
export type InputDim = number | null | string;

/** The options of `input`. */
export interface InputOptions {
  /**
   * The shape of one sample, without the batch dimension: `null` for a size
   * known only at run time, a name (`"T"`) for one the layers compute with,
   * `"16*H"` for a name stated to be a multiple of 16.
   */
  shape: readonly InputDim[];
  /** A fixed batch size (Keras's `batch_size`): the first dimension of every shape, which `predict` then requires. */
  batchSize?: number;
  /** `"float32"` (default) or `"int32"` (Keras's `dtype`): an input of ids, which `predict` takes as an `Int32Array`. */
  dtype?: "float32" | "int32";
  /** Layer name; `input_1`, `input_2`, ... otherwise. */
  name?: string;
}

type NameChar = "_" | "0" | "1" | "2" | "3" | "4" | "5" | "6" | "7" | "8" | "9" | Lowercase<Letter> | Letter;
type Letter =
  | "A"
  | "B"
  | "C"
  | "D"
  | "E"
  | "F"
  | "G"
  | "H"
  | "I"
  | "J"
  | "K"
  | "L"
  | "M"
  | "N"
  | "O"
  | "P"
  | "Q"
  | "R"
  | "S"
  | "T"
  | "U"
  | "V"
  | "W"
  | "X"
  | "Y"
  | "Z";
type Digit = "0" | "1" | "2" | "3" | "4" | "5" | "6" | "7" | "8" | "9";

type NameRest<S extends string> = S extends `${infer C}${infer R}` ? (C extends NameChar ? NameRest<R> : false) : true;

/** Whether a text is a name: a letter or `_`, then letters, digits or `_`; not `floor`. */
type IsName<S extends string> = S extends "floor"
  ? false
  : S extends `${infer C}${infer R}`
    ? C extends Digit
      ? false
      : C extends NameChar
        ? NameRest<R>
        : false
    : false;

/**
 * The size a stated name denotes in canonical text (`"1*H"` is `"H"`);
 * `never` for a text that is not `name` or `factor*name`.
 *
 * @example
 * type A = StatedSize<"16*H">; // "16*H"
 */
export type StatedSize<S extends string> = S extends `${infer K extends number}*${infer N}`
  ? `${K}` extends `${Digit}${string}`
    ? IsSafePositiveInteger<K> extends true
      ? IsName<N> extends true
        ? K extends 1
          ? N
          : S
        : never
      : never
    : never
  : IsName<S> extends true
    ? S
    : never;

type BadDims<S extends readonly InputDim[]> = false extends {
  [I in keyof S]: S[I] extends null | string ? true : IsSafePositiveInteger<S[I] & number> extends false ? false : true;
}[number]
  ? true
  : false;

type BadNames<S extends readonly InputDim[]> = S extends readonly (number | null)[] ? false : NameFaults<S>;

type NameFaults<S extends readonly InputDim[]> = true extends {
  [I in keyof S]: S[I] extends string ? ([StatedSize<S[I]>] extends [never] ? true : false) : false;
}[number]
  ? true
  : false;

/** A shape as the runtime's `valueText` prints a value: names in quotes. */
type QuotedText<S extends readonly unknown[], Acc extends string = ""> = S extends readonly [infer H, ...infer R]
  ? QuotedText<R, `${Acc extends "" ? "" : `${Acc}, `}${H extends string ? `'${H}'` : ShapeText<H>}`>
  : `[${Acc}]`;

/** The fault of an input shape with a zero, negative or fractional size, or a text that is not a name. */
export type InputFault<S extends readonly InputDim[]> =
  Certainly<BadDims<S>> extends true
    ? Fault<"shape", `shapewise: input shape sizes must be positive integers or null, got ${ShapeText<S>}`>
    : BadNames<S> extends true
      ? Fault<"shape", `shapewise: input shape names must be a name or a factor times a name, like 'T' or '16*H', got ${QuotedText<S>}`>
      : NoFault;

/** The fault of a batch size that is not a positive integer. */
type BatchFault<B> = [B] extends [null]
  ? NoFault
  : B extends number
    ? IsSafePositiveInteger<B> extends false
      ? Fault<"batchSize", `shapewise: input batchSize must be a positive integer, got ${ShapeText<B>}`>
      : NoFault
    : NoFault;

/** Every fault of an `input` config, the first in the run time's order. */
export type InputConfigFault<S extends readonly InputDim[], B> = FirstFault<[InputFault<S>, BatchFault<B>]>;

/** The config type of `input` for an inferred shape `S` and batch size `B` (`null` when not given). */
export type InputConfig<S extends readonly InputDim[], B extends number | null = null> = {
  shape: Field<InputConfigFault<S, B>, "shape", S>;
  batchSize?: Field<InputConfigFault<S, B>, "batchSize", B>;
  dtype?: "float32" | "int32";
  name?: string;
};

/**
 * The sample shape with each stated name in canonical text. A mapped type,
 * not a recursion: while a call is inferred the checker meets it with the
 * shape still generic, and a mapped type costs nothing there (a recursive
 * alias cost every model about 450 instantiations, named sizes or not).
 */
type Canonical<S extends readonly InputDim[]> = { -readonly [I in keyof S]: S[I] extends string ? StatedSize<S[I]> : S[I] };

/** The tensor `input` returns: batch `B` (`null` unless `batchSize` fixes it), then the sample shape. */
export type InputTensor<S extends readonly InputDim[], B extends number | null = null> = SymbolicTensor<
  S extends readonly (number | null)[] ? [B, ...S] : [B, ...Canonical<S>],
  0,
  "0"
>;

/** What `input` returns: the tensor, or an inert error tensor after a bad shape or batch size. */
export type InputResult<S extends readonly InputDim[], B extends number | null = null> =
  InputConfigFault<S, B> extends Fault<string, infer M>
    ? ErrorTensor<M>
    : SymbolicTensor<S extends readonly (number | null)[] ? [B, ...S] : [B, ...Canonical<S>], 0, "0">;
