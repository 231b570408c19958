/**
 * The canonical form of a symbolic size and its text.
 *
 * A size is a sum of terms, each an integer coefficient times a product of
 * atoms, plus an integer constant. An atom is a name (`H`: a positive
 * integer bound when data arrives) or a floor node `floor(inner/k)` that the
 * algebra could not simplify. Terms are ordered by the text of their product
 * and atoms by their own text (character codes, as JavaScript compares
 * strings), so equal forms print as the same text and the text is the type:
 * `"8*H"`, `"H+W-2"`, `"2*floor((H-1)/2)+1"`. A size with no term is a plain
 * number literal. Runtime twin: `src/size.ts`.
 *
 * @packageDocumentation
 */
import type { Negate, SignedMultiply } from "./signed.js";

/**
 * One term: coefficient, atoms in order (a name repeats for a power), and
 * the atoms' text joined by `*` (the ordering key).
 */
export type Term = readonly [coef: number, atoms: readonly string[], key: string];

/** A size: its terms, ordered by key, none with coefficient 0, and a constant. */
export type Form = readonly [terms: readonly Term[], constant: number];

/** The characters of size texts, in character-code order. */
type Order = "()*+-/0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";

type CharBefore<A extends string, B extends string> = Order extends `${string}${A}${string}${B}${string}` ? true : false;

/**
 * Whether text `A` sorts strictly before `B` (character by character, a
 * prefix first), as JavaScript's `<` on strings.
 *
 * @example
 * type T = TextBefore<"H", "W">; // true
 */
export type TextBefore<A extends string, B extends string> = A extends B
  ? false
  : A extends `${infer a}${infer AR}`
    ? B extends `${infer b}${infer BR}`
      ? a extends b
        ? TextBefore<AR, BR>
        : CharBefore<a, b>
      : false
    : true;

type Digit = "0" | "1" | "2" | "3" | "4" | "5" | "6" | "7" | "8" | "9";

/**
 * Splits a text at the separators that are outside parentheses; a `-`
 * separator stays at the head of the next piece.
 */
type SplitTop<
  S extends string,
  Sep extends string,
  Depth extends string = "",
  Cur extends string = "",
  Acc extends string[] = [],
> = S extends `${infer C}${infer R}`
  ? C extends "("
    ? SplitTop<R, Sep, `${Depth}(`, `${Cur}(`, Acc>
    : C extends ")"
      ? SplitTop<R, Sep, Depth extends `(${infer D}` ? D : "", `${Cur})`, Acc>
      : Depth extends ""
        ? C extends Sep
          ? Cur extends ""
            ? SplitTop<R, Sep, Depth, C extends "-" ? "-" : "", Acc>
            : SplitTop<R, Sep, Depth, C extends "-" ? "-" : "", [...Acc, Cur]>
          : SplitTop<R, Sep, Depth, `${Cur}${C}`, Acc>
        : SplitTop<R, Sep, Depth, `${Cur}${C}`, Acc>
  : Cur extends ""
    ? Acc
    : [...Acc, Cur];

/** Inserts an atom into an ordered list of atoms. */
type InsertAtom<A extends string, L extends readonly string[], Before extends readonly string[] = []> = L extends readonly [
  infer H extends string,
  ...infer R extends string[],
]
  ? TextBefore<H, A> extends true
    ? InsertAtom<A, R, [...Before, H]>
    : [...Before, A, ...L]
  : [...Before, A];

/** Joins texts with `*`. */
export type JoinAtoms<L extends readonly string[], Acc extends string = ""> = L extends readonly [infer H extends string, ...infer R extends string[]]
  ? JoinAtoms<R, Acc extends "" ? H : `${Acc}*${H}`>
  : Acc;

/** A term's factors folded into a coefficient and ordered atoms. */
type ReadFactors<F extends readonly string[], Coef extends number, Atoms extends readonly string[]> = F extends readonly [
  infer H extends string,
  ...infer R extends string[],
]
  ? H extends `${Digit}${string}`
    ? H extends `${infer N extends number}`
      ? ReadFactors<R, Times<Coef, N>, Atoms>
      : never
    : ReadFactors<R, Coef, InsertAtom<H, Atoms>>
  : [Coef, Atoms];

/** Multiplication of a coefficient read so far by a factor (both small, usually 1). */
type Times<A extends number, B extends number> = A extends 1 ? B : A extends -1 ? Negate<B> : SignedMultiply<A, B>;

/** One piece of a sum read as a term, or as a constant (no atoms). */
type ReadPiece<P extends string> = P extends `-${infer Rest}` ? ReadFactors<SplitTop<Rest, "*">, -1, []> : ReadFactors<SplitTop<P, "*">, 1, []>;

/** Folds the pieces of a sum into a form; the caller's text is canonical, so no merging is needed. */
type ReadPieces<P extends readonly string[], Terms extends readonly Term[], C extends number> = P extends readonly [
  infer H extends string,
  ...infer R extends string[],
]
  ? ReadPiece<H> extends [infer K extends number, infer A extends readonly string[]]
    ? A extends readonly []
      ? ReadPieces<R, Terms, K>
      : ReadPieces<R, [...Terms, [K, A, JoinAtoms<A>]], C>
    : never
  : [Terms, C];

/**
 * The form of a size: a number literal is a constant, a canonical text is
 * read term by term (floor nodes stay opaque atoms).
 *
 * @example
 * type F = FormOf<"8*H">; // [[[8, ["H"], "H"]], 0]
 */
export type FormOf<S> = S extends number ? [[], S] : S extends string ? ReadPieces<SplitTop<S, "+" | "-">, [], 0> : never;

/** A term as printed in a sum, sign included. */
type TermText<T extends Term> = T[0] extends 1 ? T[2] : T[0] extends -1 ? `-${T[2]}` : `${T[0]}*${T[2]}`;

type JoinTerms<T extends readonly Term[], Acc extends string = ""> = T extends readonly [infer H extends Term, ...infer R extends Term[]]
  ? JoinTerms<R, Acc extends "" ? TermText<H> : TermText<H> extends `-${string}` ? `${Acc}${TermText<H>}` : `${Acc}+${TermText<H>}`>
  : Acc;

type ConstantText<C extends number> = C extends 0 ? "" : `${C}` extends `-${string}` ? `${C}` : `+${C}`;

/** Whether any coefficient or the constant overflowed to `number`. */
type Overflowed<F extends Form> = number extends F[1] ? true : number extends F[0][number][0] ? true : false;

/**
 * The size a form denotes: its constant when it has no term, its canonical
 * text otherwise, `number` when a coefficient left the exact range.
 *
 * @example
 * type S = SizeOfForm<[[[8, ["H"], "H"]], -2]>; // "8*H-2"
 */
export type SizeOfForm<F extends Form> = Overflowed<F> extends true ? number : F[0] extends readonly [] ? F[1] : `${JoinTerms<F[0]>}${ConstantText<F[1]>}`;

/**
 * Whether a form has more than one part (then a floor node puts it in parentheses).
 */
export type Compound<F extends Form> = F[0] extends readonly [Term] ? (F[1] extends 0 ? false : true) : true;
