/**
 * The input layer at the type level (runtime twin: `src/layers/input.ts`).
 */
import type { IsSafePositiveInteger } from "../arithmetic/index.js";
import type { Certainly, ErrorTensor, Fault, Field, NoFault } from "../errors.js";
import type { ShapeText } from "../shape.js";
import type { SymbolicTensor } from "../symbolic-tensor.js";

/** The options of `input`. */
export interface InputOptions {
  /** The shape of one sample, without the batch dimension; `null` for a size known only at run time. */
  shape: readonly (number | null)[];
  /** Layer name; `input_1`, `input_2`, ... otherwise. */
  name?: string;
}

type BadDims<S extends readonly (number | null)[]> = false extends {
  [I in keyof S]: S[I] extends null ? true : IsSafePositiveInteger<S[I] & number> extends false ? false : true;
}[number]
  ? true
  : false;

/** The fault of an input shape with a zero, negative or fractional size. */
export type InputFault<S extends readonly (number | null)[]> =
  Certainly<BadDims<S>> extends true ? Fault<"shape", `shapewise: input shape sizes must be positive integers or null, got ${ShapeText<S>}`> : NoFault;

/** The config type of `input` for an inferred shape `S`. */
export type InputConfig<S extends readonly (number | null)[]> = {
  shape: Field<InputFault<S>, "shape", S>;
  name?: string;
};

/** The tensor `input` returns: batch `null`, then the sample shape. */
export type InputTensor<S extends readonly (number | null)[]> = SymbolicTensor<[null, ...S], 0>;

/** What `input` returns: the tensor, or an inert error tensor after a bad shape. */
export type InputResult<S extends readonly (number | null)[]> = InputFault<S> extends Fault<string, infer M> ? ErrorTensor<M> : SymbolicTensor<[null, ...S], 0>;
