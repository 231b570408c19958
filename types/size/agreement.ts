/**
 * Whether two sizes that must agree (merges, `dot`, attention) do: the
 * difference of their forms is zero (the same size), provably non-zero for
 * some binding of the names (a sentence saying when they differ), or
 * neither (undecided: the size becomes `number`, never a false error).
 * Runtime twin: `sizeAgreement` in `src/size.ts`.
 *
 * @packageDocumentation
 */
import type { DivFloor, Mod } from "../arithmetic/index.js";
import type { ScaleForm, Size, SumForms } from "./algebra.js";
import type { Form, FormOf, SizeOfForm, Term } from "./form.js";
import type { IsNegative, Negate, SignedMultiply } from "./signed.js";

/**
 * The verdict on two sizes: `"same"`, `"unknown"`, or `{ differ }` with the
 * condition under which they differ (`"H is odd"`).
 *
 * @example
 * type A = SizeAgreement<"H", "2*floor(H/2)">; // { differ: "H is odd" }
 * type B = SizeAgreement<"16*H", "16*H">;      // "same"
 */
export type SizeAgreement<X extends Size, Y extends Size> = [X] extends [Y]
  ? [Y] extends [X]
    ? number extends X
      ? "unknown"
      : "same"
    : Decide<X, Y>
  : Decide<X, Y>;

type Decide<X extends Size, Y extends Size> = number extends X | Y ? "unknown" : Classify<SumForms<FormOf<X>, ScaleForm<FormOf<Y>, -1>>>;

type HasFloor<T extends readonly Term[]> = [Extract<T[number][2], `${string}floor(${string}`>] extends [never] ? false : true;

/**
 * `c N - c k floor(N/k)` (either order): non-zero exactly when `N` is not a
 * multiple of `k`; likewise `c floor(N/a) - c q floor(N/(a q))`, non-zero
 * exactly when `floor(N/a)` is not a multiple of `q` (a floor of a floor
 * folds into one node, so the deeper levels of a U-Net meet this form).
 */
type Remainder<T extends readonly Term[]> = T extends readonly [infer A extends Term, infer B extends Term] ? RemainderTry<B, A> | RemainderTry<A, B> : never;

type RemainderTry<Name extends Term, Node extends Term> = Node[2] extends `floor(${infer N}/${infer K extends number})` ? RemainderOf<Name, Node, N, K> : never;

type RemainderOf<Name extends Term, Node extends Term, N extends string, K extends number> = Name[2] extends N
  ? RemainderClause<Name, Node, K>
  : Name[2] extends `floor(${N}/${infer A extends number})`
    ? Mod<K, A> extends 0
      ? RemainderClause<Name, Node, DivFloor<K, A>>
      : never
    : never;

type RemainderClause<Name extends Term, Node extends Term, Q extends number> =
  SignedMultiply<Name[0], Negate<Q>> extends Node[0]
    ? Q extends 1
      ? never
      : Q extends 2
        ? `${Name[2]} is odd`
        : `${Name[2]} is not a multiple of ${Q}`
    : never;

type Classify<D extends Form> = D[0] extends readonly []
  ? D[1] extends 0
    ? "same"
    : { differ: "always" }
  : D[1] extends 0
    ? [Remainder<D[0]>] extends [never]
      ? NoFloor<D>
      : { differ: Remainder<D[0]> }
    : NoFloor<D>;

/** A non-zero polynomial in positive integers is non-zero somewhere; with floor nodes the algebra does not decide. */
type NoFloor<D extends Form> = HasFloor<D[0]> extends true ? "unknown" : Sides<SplitSigns<D[0]>, D[1], IsNegative<D[0][0][0]>>;

/** The terms with a positive coefficient, and the others negated, each in order. */
type SplitSigns<T extends readonly Term[], Pos extends readonly Term[] = [], Neg extends readonly Term[] = []> = T extends readonly [
  infer H extends Term,
  ...infer R extends Term[],
]
  ? IsNegative<H[0]> extends true
    ? SplitSigns<R, Pos, [...Neg, [Negate<H[0]>, H[1], H[2]]]>
    : SplitSigns<R, [...Pos, H], Neg>
  : [Pos, Neg];

/**
 * `P is not N` with each side a sum of positive terms (`H+W is not T`), the
 * side of the first term first; one side empty, the sizes always differ.
 */
type Sides<S extends [readonly Term[], readonly Term[]], K extends number, FirstNegative extends boolean> =
  IsNegative<K> extends true ? SidesText<[S[0], 0], [S[1], Negate<K>], FirstNegative> : SidesText<[S[0], K], [S[1], 0], FirstNegative>;

type SidesText<P extends Form, N extends Form, FirstNegative extends boolean> = P[0] extends readonly []
  ? P[1] extends 0
    ? { differ: "always" }
    : Said<N, P, FirstNegative>
  : N[0] extends readonly []
    ? N[1] extends 0
      ? { differ: "always" }
      : Said<N, P, FirstNegative>
    : Said<N, P, FirstNegative>;

type Said<N extends Form, P extends Form, FirstNegative extends boolean> = FirstNegative extends true
  ? { differ: `${SizeOfForm<N>} is not ${SizeOfForm<P>}` }
  : { differ: `${SizeOfForm<P>} is not ${SizeOfForm<N>}` };

/**
 * The clause a sentence ends with for a verdict: `"they differ when H is odd"`.
 *
 * @example
 * type T = DifferText<{ differ: "H is odd" }>; // "they differ when H is odd"
 */
export type DifferText<V> = V extends { differ: infer C extends string } ? (C extends "always" ? "they always differ" : `they differ when ${C}`) : never;
