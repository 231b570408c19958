/**
 * Type-level views of a model: its input shape, output shape and parameter
 * total, read from the `Model` class in `src/model.ts`.
 */
import type { ErrorTensor } from "./errors.js";
import type { Shape, ShapeText } from "./shape.js";
import type { SizeAdmits } from "./size/index.js";
import type { JoinMacs } from "./cost.js";
import type { KerasShape, MergeMacs, MergeParams, SymbolicTensor } from "./symbolic-tensor.js";
import type { Tensor } from "./tensor.js";

/**
 * The output shape of a model, batch first.
 *
 * @example
 * type S = OutputShape<typeof m>; // [null, 10]
 */
export type OutputShape<M> = M extends { readonly outputShape: infer O extends ShapeTree } ? O : never;

/**
 * The input shape of a model, batch first.
 *
 * @example
 * type S = InputShape<typeof m>; // [null, 28, 28, 1]
 */
export type InputShape<M> = M extends { readonly inputShape: infer I extends ShapeTree } ? I : never;

/**
 * The exact number of parameters of a model, as a number literal type.
 *
 * @example
 * type P = ParamCount<typeof m>; // 113162
 */
export type ParamCount<M> = M extends { countParams(): infer P extends number } ? P : never;

/** Exact equality of two types: `number` is not `10`, a union is not one of its members. */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

/** A model's shapes as a sentence shows them: one shape, or each of a tuple's or record's. */
type TreeText<T> = T extends Shape ? ShapeText<T> : T extends readonly Shape[] ? `(${JoinTexts<{ [K in keyof T]: ShapeText<T[K]> }>})` : "a record of shapes";
type JoinTexts<T> = T extends readonly [infer H extends string, ...infer R] ? (R extends readonly [] ? H : `${H}, ${JoinTexts<R>}`) : "";

/**
 * Pins a model's output shape: the model's own type when it is exactly `S`,
 * otherwise a sentence about the shapes, which the assignment reports. A
 * model built from a mistake passes (its error was already reported).
 *
 * @example
 * const checked: ExpectShape<typeof m, [null, 10]> = m;
 * // Type 'Model<...>' is not assignable to type '"shapewise: expected output shape [null, 10], got [null, 15, 15, 10]"'.
 */
export type ExpectShape<M, S extends ShapeTree> = M extends { readonly error: string }
  ? M
  : Same<OutputShape<M>, S> extends true
    ? M
    : `shapewise: expected output shape ${TreeText<S>}, got ${TreeText<OutputShape<M>>}`;

/**
 * Pins a model's exact parameter total, as {@link ExpectShape} pins its shape.
 *
 * @example
 * const checked: ExpectParams<typeof m, 113162> = m;
 * // Type 'Model<...>' is not assignable to type '"shapewise: expected 113162 parameters, got 104202"'.
 */
export type ExpectParams<M, P extends number> = M extends { readonly error: string }
  ? M
  : Same<ParamCount<M>, P> extends true
    ? M
    : `shapewise: expected ${P} parameters, got ${number extends ParamCount<M> ? "a total the types cannot see (number)" : ParamCount<M>}`;

/**
 * A shape with its unknown (`null`) sizes read as plain `number`: the shape
 * of a concrete tensor.
 *
 * @example
 * type C = Concrete<[null, 28]>; // [number, 28]
 */
export type Concrete<S extends readonly unknown[], Acc extends number[] = []> = S extends readonly [infer H, ...infer R]
  ? Concrete<R, [...Acc, H extends number ? H : number]>
  : S extends readonly []
    ? Acc
    : number[];

/** A shape without its batch dimension. */
export type SampleShape<S extends Shape> = S extends readonly [unknown, ...infer R] ? R : Shape;

/**
 * The shape of a concrete batch of `N` samples for a model shape `S`.
 *
 * @example
 * type B = BatchShape<2, [null, 10]>; // [2, 10]
 */
export type BatchShape<N extends number, S extends Shape> = [N, ...Concrete<SampleShape<S>>];

/**
 * The inputs or outputs of a model: one shape, a tuple of shapes, or a
 * record of shapes, as the model was defined.
 *
 * @example
 * type T = ShapeTree; // [null, 10] | readonly [[null, 4], [null, 2]] | { readonly image: [null, 8, 8, 3] }
 */
export type ShapeTree = Shape | readonly Shape[] | { readonly [key: string]: Shape };

/**
 * A model's shapes as Keras sees them (its `inputShape` and `outputShape`):
 * a named size is `None` (`null`). A model's type keeps the names.
 *
 * @example
 * type K = KerasShapes<[null, "T", 5]>; // [null, null, 5]
 */
export type KerasShapes<T extends ShapeTree> = T extends Shape
  ? [Extract<T[number], string>] extends [never]
    ? T
    : KerasShape<T>
  : { readonly [K in keyof T]: T[K] extends Shape ? KerasShapes<T[K]> : T[K] };

/**
 * What `predict` takes for a model with inputs `I`: one tensor, or a tuple or
 * record of tensors with one batch size `N`.
 *
 * @example
 * type X = PredictInput<2, readonly [[null, 4], [null, 2]]>; // readonly [Tensor<[2, 4]>, Tensor<[2, 2]>]
 */
export type PredictInput<N extends number, I extends ShapeTree> = I extends Shape
  ? Tensor<Readonly<BatchShape<N, I>>> | IdTensor<Readonly<BatchShape<N, I>>>
  : { readonly [K in keyof I]: I[K] extends Shape ? Tensor<Readonly<BatchShape<N, I[K]>>> | IdTensor<Readonly<BatchShape<N, I[K]>>> : never };

/**
 * A batch of ids for an `input({ dtype: "int32" })`: `predict` takes its
 * `Int32Array` as it is (an input of float32 refuses it at run time, with a
 * sentence naming the input).
 *
 * @example
 * const ids: IdTensor<[2, 4]> = { shape: [2, 4], data: Int32Array.of(1, 2, 3, 9, 0, 0, 5, 7) };
 */
export interface IdTensor<S extends readonly number[] = readonly number[]> {
  readonly shape: S;
  readonly data: Int32Array;
}

/**
 * What `predict` gives for a model with outputs `O` and a batch of `N`.
 *
 * @example
 * type Y = PredictOutput<2, { readonly score: [null, 1] }>; // { readonly score: Tensor<[2, 1]> }
 */
export type PredictOutput<N extends number, O extends ShapeTree> = O extends Shape
  ? Tensor<BatchShape<N, O>>
  : { readonly [K in keyof O]: O[K] extends Shape ? Tensor<BatchShape<N, O[K]>> : never };

type Fits<Given extends Shape, Expected extends Shape> = Given extends readonly [unknown, ...infer G]
  ? Expected extends readonly [unknown, ...infer E]
    ? G["length"] extends E["length"]
      ? {
          // A named size of the model's input (Keras's None) takes any size; predict binds it from the data.
          // A stated name takes any length it may be (16*H takes 48, not 37); predict binds it from the data.
          [K in keyof E]: E[K] extends null
            ? true
            : K extends keyof G
              ? G[K] extends E[K]
                ? true
                : number extends G[K]
                  ? true
                  : E[K] extends string
                    ? G[K] extends number
                      ? SizeAdmits<E[K], G[K]> extends true
                        ? true
                        : false
                      : true
                    : false
              : false;
        }[number] extends true
        ? true
        : false
      : false
    : true
  : true;

type MismatchText<
  Given extends Shape,
  Expected extends Shape,
> = `shapewise: a model applied as a layer expects input shape ${ShapeText<Expected>}, got ${ShapeText<Given>}${NamedClause<Given, Expected>}`;

/** Why a length cannot be the named size the model states on that axis (`: 37 is not a multiple of 16`), or nothing. */
type NamedClause<Given extends Shape, Expected extends Shape> = Given["length"] extends Expected["length"]
  ? {
      [K in keyof Expected]: Expected[K] extends string
        ? K extends keyof Given
          ? Given[K] extends number
            ? number extends Given[K]
              ? never
              : SizeAdmits<Expected[K], Given[K]> extends infer V extends string
                ? `: ${V}`
                : never
            : never
          : never
        : never;
    }[number] extends infer C extends string
    ? [C] extends [never]
      ? ""
      : C
    : ""
  : "";

/**
 * The tensors of a tensor, tuple or record, as a tuple. A record goes by its
 * keys, which are distinct: two outputs of the same type still count twice.
 */
export type Leaves<T> = T extends { readonly shape: Shape } | { readonly error: string }
  ? [T]
  : T extends readonly unknown[]
    ? T
    : ValuesAt<T, UnionToTuple<keyof T>>;
type ValuesAt<T, Keys extends readonly unknown[]> = { [I in keyof Keys]: T[Keys[I] & keyof T] };
type UnionToTuple<U> = [U] extends [never] ? [] : LastOf<U> extends infer L ? [...UnionToTuple<Exclude<U, L>>, L] : never;
type LastOf<U> = (U extends unknown ? (x: () => U) => void : never) extends (x: infer F) => void ? (F extends () => infer R ? R : never) : never;

/**
 * The symbolic tensors a model applied as a layer takes: as given when their
 * shapes fit, the sentence in place of the one that does not.
 */
export type ApplyInputs<T, I extends ShapeTree> = I extends Shape
  ? T extends { readonly error: string }
    ? T
    : T extends { readonly shape: infer G extends Shape }
      ? Fits<G, I> extends true
        ? T
        : MismatchText<G, I>
      : T
  : {
      [K in keyof T]: K extends keyof I
        ? T[K] extends { readonly shape: infer G extends Shape }
          ? Fits<G, I[K] & Shape> extends true
            ? T[K]
            : MismatchText<G, I[K] & Shape>
          : T[K]
        : T[K];
    };

/** A wrapped model's output shape outside it: its names belong to the model's own inputs, so they are unknown (`null`), as at run time. */
type Unnamed<S extends Shape> = [Extract<S[number], string>] extends [never]
  ? S
  : { -readonly [I in keyof S]: S[I] extends string ? null : S[I] } extends infer U extends Shape
    ? U
    : Shape;

type FirstErrorOf<T extends readonly unknown[]> = T extends readonly [infer H, ...infer R]
  ? H extends { readonly error: infer M extends string }
    ? ErrorTensor<M>
    : FirstErrorOf<R>
  : never;

/**
 * What a model applied as a layer returns: its outputs, each carrying the
 * model's total when the inputs carry none. When they carry parameters, the
 * same model may already be among their ancestors (applied twice in a row,
 * its weights count once), which the types cannot see: the total is `number`.
 * Its multiply-accumulates `F` add to the inputs' at every application.
 *
 * @example
 * type Y = ApplyResult<SymbolicTensor<[null, 4], 0, "0">, [null, 2], 10, "4*2">;     // SymbolicTensor<[null, 2], 10, "4*2">
 * type Z = ApplyResult<SymbolicTensor<[null, 4], 20, "4*4">, [null, 2], 10, "4*2">; // SymbolicTensor<[null, 2], number, "4*4+4*2">
 */
export type ApplyResult<T, O extends ShapeTree, P extends number, F extends string | number = number> = [FirstErrorOf<Leaves<T>>] extends [never]
  ? [MergeParams<Leaves<T>, undefined> extends 0 ? P : number, JoinMacs<MergeMacs<Leaves<T>, undefined>, F>] extends [
      infer Total extends number,
      infer Macs extends string | number,
    ]
    ? O extends Shape
      ? SymbolicTensor<Unnamed<O>, Total, Macs>
      : { readonly [K in keyof O]: O[K] extends Shape ? SymbolicTensor<Unnamed<O[K]>, Total, Macs> : never }
    : never
  : FirstErrorOf<Leaves<T>>;
