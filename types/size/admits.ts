/**
 * Whether a concrete length may be a symbolic size for some binding of its
 * names (each a positive integer): the check a label's axis or a tensor
 * handed to a model meets where the size is named and the length is known
 * but the names are not bound yet. Runtime twin: `sizeAdmits` in
 * `src/size.ts`.
 *
 * @packageDocumentation
 */
import type { Lt } from "../arithmetic/index.js";
import type { Size } from "./algebra.js";
import type { FormOf, Term } from "./form.js";
import type { Gcd, IsNegative, Negate, SignedAdd, SignedMod } from "./signed.js";

/** The names a form's terms mention, joined for a sentence (`"H, W"`). */
type NamesText<T extends readonly Term[], Acc extends string = ""> = T extends readonly [infer H extends Term, ...infer R extends Term[]]
  ? NamesText<R, AddNames<H[1], Acc>>
  : Acc;
type AddNames<A extends readonly string[], Acc extends string> = A extends readonly [infer H extends string, ...infer R extends string[]]
  ? AddNames<R, Acc extends "" ? H : Acc extends H | `${H}, ${string}` | `${string}, ${H}` | `${string}, ${H}, ${string}` ? Acc : `${Acc}, ${H}`>
  : Acc;

/** Sum and greatest common divisor of the coefficients, when every one is positive and no term holds a floor node. */
type Plain<T extends readonly Term[], Sum extends number = 0, G extends number = 0> = T extends readonly [infer H extends Term, ...infer R extends Term[]]
  ? IsNegative<H[0]> extends true
    ? never
    : H[2] extends `${string}floor(${string}`
      ? never
      : Plain<R, SignedAdd<Sum, H[0]>, Gcd<H[0], G>>
  : [Sum, G];

type Verdict<
  S extends string,
  V extends number,
  T extends readonly Term[],
  K extends number,
  Sum extends number,
  G extends number,
  D extends number = SignedAdd<V, Negate<K>>,
> =
  IsNegative<D> extends true
    ? `${V} is not ${S} for any ${NamesText<T>}`
    : Lt<D, Sum> extends true
      ? `${V} is not ${S} for any ${NamesText<T>}`
      : SignedMod<D, G> extends 0
        ? true
        : K extends 0
          ? T extends readonly [Term]
            ? `${V} is not a multiple of ${G}`
            : `${V} is not ${S} for any ${NamesText<T>}`
          : `${V} is not ${S} for any ${NamesText<T>}`;

/**
 * `true` when the length `V` may be the size `S` (always for a number
 * literal equal to it, and wherever the algebra cannot rule it out: a size
 * with a negative coefficient or a floor node), otherwise the clause saying
 * why not: `"37 is not a multiple of 16"`, `"2 is not T+2 for any T"`.
 * The size is at least the sum of its coefficients plus its constant (every
 * name at least 1), and differs from its constant by a multiple of the
 * coefficients' greatest common divisor.
 *
 * @example
 * type A = SizeAdmits<"16*H", 48>; // true
 * type B = SizeAdmits<"16*H", 37>; // "37 is not a multiple of 16"
 * type C = SizeAdmits<"2*T+1", 36>; // "36 is not 2*T+1 for any T"
 */
export type SizeAdmits<S extends Size, V extends number> = number extends S | V
  ? true
  : S extends number
    ? S extends V
      ? true
      : `${V} is not ${S}`
    : S extends string
      ? FormOf<S> extends readonly [infer T extends readonly Term[], infer K extends number]
        ? [Plain<T>] extends [never]
          ? true
          : Plain<T> extends [infer Sum extends number, infer G extends number]
            ? number extends Sum | G | K
              ? true
              : Verdict<S, V, T, K, Sum, G>
            : true
        : true
      : true;
