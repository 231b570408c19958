/**
 * Arithmetic on symbolic sizes, in canonical form: sums, products, floor and
 * ceil division by a positive constant. Each operation takes and gives sizes
 * (number literals or canonical texts, see `./form.ts`); `number` in gives
 * `number` out. Runtime twin: `src/size.ts`.
 *
 * @packageDocumentation
 */
import type { DivFloor } from "../arithmetic/index.js";
import type { Compound, Form, FormOf, JoinAtoms, SizeOfForm, Term, TextBefore } from "./form.js";
import type { Gcd, SignedAdd, SignedDivFloor, SignedMod, SignedMultiply } from "./signed.js";

/** A size: a number literal, a canonical text, or `number`. */
export type Size = number | string;

/** Merges two ordered term lists, adding coefficients of equal products and dropping zeros. */
type MergeTerms<A extends readonly Term[], B extends readonly Term[], Acc extends readonly Term[] = []> = A extends readonly [
  infer HA extends Term,
  ...infer RA extends Term[],
]
  ? B extends readonly [infer HB extends Term, ...infer RB extends Term[]]
    ? HA[2] extends HB[2]
      ? SignedAdd<HA[0], HB[0]> extends infer C extends number
        ? C extends 0
          ? MergeTerms<RA, RB, Acc>
          : MergeTerms<RA, RB, [...Acc, [C, HA[1], HA[2]]]>
        : never
      : TextBefore<HA[2], HB[2]> extends true
        ? MergeTerms<RA, B, [...Acc, HA]>
        : MergeTerms<A, RB, [...Acc, HB]>
    : [...Acc, ...A]
  : [...Acc, ...B];

/** `A + B` on forms. */
export type SumForms<A extends Form, B extends Form> = [MergeTerms<A[0], B[0]>, SignedAdd<A[1], B[1]>];

/** `K × A` on a form. */
export type ScaleForm<A extends Form, K extends number> = K extends 0 ? [[], 0] : [ScaleTerms<A[0], K>, SignedMultiply<A[1], K>];

type ScaleTerms<T extends readonly Term[], K extends number, Acc extends readonly Term[] = []> = T extends readonly [
  infer H extends Term,
  ...infer R extends Term[],
]
  ? ScaleTerms<R, K, [...Acc, [SignedMultiply<H[0], K>, H[1], H[2]]]>
  : Acc;

/** Merges two ordered atom lists (a product of two terms). */
type MergeAtoms<A extends readonly string[], B extends readonly string[], Acc extends readonly string[] = []> = A extends readonly [
  infer HA extends string,
  ...infer RA extends string[],
]
  ? B extends readonly [infer HB extends string, ...infer RB extends string[]]
    ? TextBefore<HB, HA> extends true
      ? MergeAtoms<A, RB, [...Acc, HB]>
      : MergeAtoms<RA, B, [...Acc, HA]>
    : [...Acc, ...A]
  : [...Acc, ...B];

/** One term times each term of a list (products unordered yet). */
type TermTimesTerms<T extends Term, B extends readonly Term[], Acc extends readonly Term[] = []> = B extends readonly [
  infer H extends Term,
  ...infer R extends Term[],
]
  ? MergeAtoms<T[1], H[1]> extends infer M extends readonly string[]
    ? TermTimesTerms<T, R, [...Acc, [SignedMultiply<T[0], H[0]>, M, JoinAtoms<M>]]>
    : never
  : Acc;

/** Sorts the terms of a product (a term's atoms may move it) by summing them one by one. */
type SumTerms<T extends readonly Term[], Acc extends Form = [[], 0]> = T extends readonly [infer H extends Term, ...infer R extends Term[]]
  ? SumTerms<R, H[0] extends 0 ? Acc : SumForms<Acc, [[H], 0]>>
  : Acc;

/** `A × B` on forms, distributed term by term. */
export type MultiplyForms<A extends Form, B extends Form, Acc extends Form = ScaleForm<B, A[1]>> = A[0] extends readonly [
  infer H extends Term,
  ...infer R extends Term[],
]
  ? MultiplyForms<[R, 0], B, SumForms<Acc, SumTerms<[...TermTimesTerms<H, B[0]>, ...ScaleTerms<[H], B[1]>]>>>
  : Acc;

/** Splits each coefficient `c` into `K q + r`, `0 <= r < K`: the quotient terms and the remainder terms. */
type SplitTerms<T extends readonly Term[], K extends number, Q extends readonly Term[] = [], R extends readonly Term[] = []> = T extends readonly [
  infer H extends Term,
  ...infer Rest extends Term[],
]
  ? SplitTerms<
      Rest,
      K,
      SignedDivFloor<H[0], K> extends infer q extends number ? (q extends 0 ? Q : [...Q, [q, H[1], H[2]]]) : never,
      SignedMod<H[0], K> extends infer r extends number ? (r extends 0 ? R : [...R, [r, H[1], H[2]]]) : never
    >
  : [Q, R];

/** The gcd of `K` and every coefficient. */
type GcdAll<T extends readonly Term[], G extends number> = T extends readonly [infer H extends Term, ...infer R extends Term[]] ? GcdAll<R, Gcd<H[0], G>> : G;

type DivideTerms<T extends readonly Term[], G extends number, Acc extends readonly Term[] = []> = T extends readonly [
  infer H extends Term,
  ...infer R extends Term[],
]
  ? DivideTerms<R, G, [...Acc, [DivFloor<H[0], G>, H[1], H[2]]]>
  : Acc;

/** The floor node of a remainder form whose coefficients are in `1 .. K - 1`, reduced by their gcd with `K`. */
type FloorNode<R extends readonly Term[], Rd extends number, K extends number, G extends number = GcdAll<R, K>> = [
  DivideTerms<R, G>,
  DivFloor<Rd, G>,
] extends infer Inner extends Form
  ? Inner[0] extends readonly [readonly [1, readonly [infer A extends string], string]]
    ? A extends `floor(${infer Body})`
      ? Nested<Body, Inner[1], DivFloor<K, G>>
      : NodeOf<Inner, DivFloor<K, G>>
    : NodeOf<Inner, DivFloor<K, G>>
  : never;

/** The node `floor(inner/K)` as one term. */
type NodeOf<Inner extends Form, K extends number> =
  SizeOfForm<Inner> extends infer Text extends string
    ? `floor(${Compound<Inner> extends true ? `(${Text})` : Text}/${K})` extends infer N extends string
      ? [[[1, [N], N]], 0]
      : never
    : never;

/**
 * `floor((floor(X/a) + d) / K)` is `floor((X + a d) / (a K))` for integers:
 * a floor of a floor is one node.
 */
type Nested<Body extends string, D extends number, K extends number> =
  LastSlash<Body> extends [infer X extends string, infer A extends string]
    ? A extends `${infer a extends number}`
      ? FloorForm<SumForms<FormOf<X extends `(${infer P})` ? P : X>, [[], SignedMultiply<a, D>]>, SignedMultiply<a, K>>
      : never
    : never;

/** A text split at its last `/`. */
type LastSlash<S extends string, Seen extends string = "", Head extends string = "", Tail extends string = ""> = S extends `${infer C}${infer R}`
  ? C extends "/"
    ? LastSlash<R, `${Seen}/`, Seen, "">
    : LastSlash<R, `${Seen}${C}`, Head, `${Tail}${C}`>
  : [Head, Tail];

/**
 * `floor(A / K)` on a form, `K` a positive literal: every whole multiple of
 * `K` leaves the node (`floor((16*H+3)/2)` is `8*H+1`), the rest stays in
 * one floor node.
 */
export type FloorForm<A extends Form, K extends number> = K extends 1
  ? A
  : SplitTerms<A[0], K> extends [infer Q extends readonly Term[], infer R extends readonly Term[]]
    ? R extends readonly []
      ? [Q, SignedDivFloor<A[1], K>]
      : FloorNode<R, SignedMod<A[1], K>, K> extends infer N extends Form
        ? SumForms<[Q, SignedDivFloor<A[1], K>], N>
        : never
    : never;

/** Applies an operation to sizes, `number` for any size the checker cannot see. */
type Known<A> = number extends A ? false : A extends number | string ? true : false;

/**
 * `A + B` on sizes.
 *
 * @example
 * type S = SizeAdd<"H", 1>;      // "H+1"
 * type T = SizeAdd<"H", "W">;    // "H+W"
 */
export type SizeAdd<A extends Size, B extends Size> = Known<A | B> extends true ? SizeOfForm<SumForms<FormOf<A>, FormOf<B>>> : number;

/**
 * `A - B` on sizes.
 *
 * @example
 * type S = SizeSubtract<"H", 2>; // "H-2"
 */
export type SizeSubtract<A extends Size, B extends Size> = Known<A | B> extends true ? SizeOfForm<SumForms<FormOf<A>, ScaleForm<FormOf<B>, -1>>> : number;

/**
 * `A × B` on sizes.
 *
 * @example
 * type P = SizeMultiply<"8*H", "8*W">; // "64*H*W"
 */
export type SizeMultiply<A extends Size, B extends Size> =
  Known<A | B> extends true
    ? A extends number
      ? SizeOfForm<ScaleForm<FormOf<B>, A>>
      : B extends number
        ? SizeOfForm<ScaleForm<FormOf<A>, B>>
        : SizeOfForm<MultiplyForms<FormOf<A>, FormOf<B>>>
    : number;

/**
 * `floor(A / K)` on sizes, `K` a positive literal.
 *
 * @example
 * type Q = SizeDivFloor<"16*H", 2>; // "8*H"
 * type R = SizeDivFloor<"H", 2>;    // "floor(H/2)"
 */
export type SizeDivFloor<A extends Size, K extends number> = Known<A | K> extends true ? SizeOfForm<FloorForm<FormOf<A>, K>> : number;

/**
 * `ceil(A / K)` on sizes, `K` a positive literal: `floor((A + K - 1) / K)`.
 *
 * @example
 * type Q = SizeDivCeil<"H", 2>; // "floor((H+1)/2)"
 */
export type SizeDivCeil<A extends Size, K extends number> =
  Known<A | K> extends true ? SizeOfForm<FloorForm<SumForms<FormOf<A>, [[], SignedAdd<K, -1>]>, K>> : number;
