/**
 * What a model costs per sample at the type level (runtime twin: each
 * layer's `cost` in `src/layers/`, summed by `Model.countFlops`).
 *
 * Every symbolic tensor carries its multiply-accumulates as a sum of
 * products left unevaluated (`"26*26*288+11*11*18432"`): a layer call only
 * appends its term, which costs the type checker a few instantiations, where
 * adding 11-digit numbers in the digit arithmetic would cost hundreds per
 * call. {@link FlopCount} evaluates the sum once, when it is asked for.
 */
import type { AddDigits, ProductDigits } from "./arithmetic/index.js";
import type { ToNumber } from "./arithmetic/digits.js";
import type { macTotal } from "./symbolic-tensor.js";

/**
 * A running multiply-accumulate total: a sum of products of known sizes
 * (`"0"` for none), or `number` once a size is unknown.
 *
 * @example
 * type M = MacTerms; // "0" | "26*26*288" | "26*26*288+11*11*18432" | number ...
 */
export type MacTerms = string | number;

/** `T`'s numbers as a product, `"a*b*c"`. */
type FactorText<T extends readonly number[]> = T extends readonly [infer H extends number, ...infer R extends readonly number[]]
  ? R extends readonly []
    ? `${H}`
    : `${H}*${FactorText<R>}`
  : "1";

/**
 * A total with one more term: the product of `Factors`; `number` when a
 * factor is not a known number. Each rule maps a wider total to a wider
 * result (a literal total to a literal, `string` to `string`, `number` to
 * `number`), so a tensor with a known total is a `SymbolicTensor<S, P>` of any
 * total: the compiler finds the interface covariant in its total.
 *
 * @example
 * type M = AddMacTerm<"0", [26, 26, 288]>; // "26*26*288"
 */
export type AddMacTerm<Macs, Factors extends readonly unknown[]> = Factors extends readonly number[]
  ? number extends Factors[number]
    ? number
    : true extends AnyUnion<Factors>
      ? string | number
      : AppendTerm<Macs, FactorText<NoInfer<Factors>>>
  : number;

/** `Macs` with the term `T` added, member by member. */
type AppendTerm<Macs, T extends string> = Macs extends string ? (Macs extends "0" ? T : `${Macs}+${T}`) : number;

/**
 * `true` for a union: a size the checker has not settled (while it infers a
 * call's type from its context) would make a union of every combination of
 * the members' texts.
 */
type IsUnion<T, All = T> = T extends unknown ? ([All] extends [T] ? false : true) : never;

/** `true` when an element of `T` is a union (see {@link IsUnion}). */
type AnyUnion<T extends readonly unknown[]> = T extends readonly [infer H, ...infer R] ? (true extends IsUnion<H> ? true : AnyUnion<R>) : false;

/**
 * The total after a call that does `PerPosition` multiply-accumulates at each
 * of its `Positions` (the sizes whose product is the number of positions).
 *
 * @example
 * type M = CallMacs<"0", [26, 26], 288>; // "26*26*288" (conv2d 3x3, 1 -> 32 channels on 28x28)
 */
export type CallMacs<Macs, Positions, PerPosition> = Positions extends readonly unknown[] ? AddMacTerm<Macs, [...Positions, PerPosition]> : number;

/**
 * Two totals added: `"0"` is no term, `number` absorbs.
 *
 * @example
 * type M = JoinMacs<"4*8", "2*3">; // "4*8+2*3"
 */
export type JoinMacs<A, B> = A extends string ? (B extends string ? (A extends "0" ? B : B extends "0" ? A : `${A}+${B}`) : number) : number;

/**
 * Every term of a total multiplied by `N` (a layer applied at `N` steps).
 *
 * @example
 * type M = ScaleMacs<"16*8", 10>; // "10*16*8"
 */
export type ScaleMacs<Macs, N> = N extends number
  ? number extends N
    ? number
    : true extends IsUnion<N>
      ? string | number
      : Macs extends string
        ? Macs extends "0"
          ? "0"
          : string extends Macs
            ? string
            : ScaleTerms<Macs, N>
        : number
  : number;

type ScaleTerms<Macs extends string, N extends number> = Macs extends `${infer T}+${infer R}` ? `${N}*${T}+${ScaleTerms<R, N>}` : `${N}*${Macs}`;

/**
 * A total evaluated: the exact sum as a number literal, `number` when a size
 * is unknown or the sum passes 2^53 − 1.
 *
 * @example
 * type M = EvaluateMacs<"26*26*288+11*11*18432">; // 2424960
 */
export type EvaluateMacs<Macs> = Macs extends string ? (string extends Macs ? number : SumTerms<Macs, "0">) : number;

type SumTerms<Macs extends string, Acc extends string> = Macs extends `${infer T}+${infer R}`
  ? SumTerms<R, AddDigits<Acc, ProductDigits<Factors<T>>>>
  : ToNumber<AddDigits<Acc, ProductDigits<Factors<Macs>>>>;

type Factors<T extends string> = T extends `${infer H extends number}*${infer R}` ? [H, ...Factors<R>] : T extends `${infer N extends number}` ? [N] : never;

/**
 * The multiply-accumulates one sample costs a model, exact as a literal
 * wherever every size is known (`number` otherwise); equal to
 * `m.countFlops()` at run time.
 *
 * @example
 * type M = FlopCount<typeof vgg16>; // 15470264320
 */
export type FlopCount<M> = M extends { readonly [macTotal]?: infer F } ? EvaluateMacs<F> : never;
