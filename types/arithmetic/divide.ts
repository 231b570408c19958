/**
 * Exact integer division of non-negative integer number literal types: floor,
 * ceiling and remainder. Dividing by zero gives `never`.
 *
 * @packageDocumentation
 */
import type { IncrementDigits } from "./add.js";
import type { Digit, DivDigit, DivRem } from "./digit-tables.js";
import type { CompareDigits, ParseDigits, PlainPair, StripLeadingZeros } from "./digits.js";
import type { MultiplyDigits } from "./multiply.js";
import type { SubtractDigits } from "./subtract.js";

/**
 * `[quotient, remainder]` of `A / B` on canonical digit strings (`never` for
 * `B = "0"`). Long division, one quotient digit per digit of `A`:
 * - a one-digit divisor (the usual stride or pool size) reads each quotient
 *   digit and remainder from {@link DivDigit} / {@link DivRem};
 * - a longer divisor picks each quotient digit by binary search in the table
 *   of multiples `[0·B, 1·B, …, 9·B]`.
 *
 * @example
 * ```ts
 * type Q = DivModDigits<"1000", "7">;    // ["142", "6"]
 * type R = DivModDigits<"1000", "300">;  // ["3", "100"]
 * ```
 * @internal
 */
export type DivModDigits<A extends string, B extends string> = B extends "0"
  ? never
  : B extends "1"
    ? [A, "0"]
    : B extends Digit
      ? ShortDivLoop<A, B, "0", "">
      : CompareDigits<A, B> extends "lt"
        ? ["0", A]
        : Multiples<B> extends infer M extends MultiplesTuple
          ? DivLoop<A, M, "0", "">
          : never;

/** Division by a one-digit `B` (2…9): `R` is the running remainder. */
type ShortDivLoop<A, B extends string, R extends string, Q extends string> = A extends `${infer d}${infer AR}`
  ? ShortDivLoop<AR, B, DivRem[`${B}${R}${d}`], `${Q}${DivDigit[`${B}${R}${d}`]}`>
  : [StripLeadingZeros<Q>, R];

/** `[0·B, 1·B, …, 9·B]` as digit strings. */
type Multiples<B extends string> = [
  "0",
  B,
  MultiplyDigits<B, "2">,
  MultiplyDigits<B, "3">,
  MultiplyDigits<B, "4">,
  MultiplyDigits<B, "5">,
  MultiplyDigits<B, "6">,
  MultiplyDigits<B, "7">,
  MultiplyDigits<B, "8">,
  MultiplyDigits<B, "9">,
];

/** Ten digit strings: the multiples `0·B … 9·B`. */
type MultiplesTuple = [string, string, string, string, string, string, string, string, string, string];

/** `true` when digit string `X` is below digit string `Y`. */
type Below<X extends string, Y extends string> = CompareDigits<X, Y> extends "lt" ? true : false;

/** The largest `q` with `M[q] <= R` (where `R < 10·B`), by binary search. */
type QuotientDigit<R extends string, M extends MultiplesTuple> =
  Below<R, M[5]> extends true
    ? Below<R, M[2]> extends true
      ? Below<R, M[1]> extends true
        ? "0"
        : "1"
      : Below<R, M[3]> extends true
        ? "2"
        : Below<R, M[4]> extends true
          ? "3"
          : "4"
    : Below<R, M[7]> extends true
      ? Below<R, M[6]> extends true
        ? "5"
        : "6"
      : Below<R, M[8]> extends true
        ? "7"
        : Below<R, M[9]> extends true
          ? "8"
          : "9";

/**
 * Brings down the next digit of `A` (most significant first) into the
 * remainder `Rem`, appends the quotient digit to `Q`.
 */
type DivLoop<A, M extends MultiplesTuple, Rem extends string, Q extends string> = A extends `${infer d}${infer AR}`
  ? (Rem extends "0" ? d : `${Rem}${d}`) extends infer R extends string
    ? QuotientDigit<R, M> extends infer q extends Digit
      ? (q extends "0" ? R : SubtractDigits<R, M[q]>) extends infer NR extends string
        ? DivLoop<AR, M, NR, Q extends "" ? (q extends "0" ? "" : q) : `${Q}${q}`>
        : never
      : never
    : never
  : [Q extends "" ? "0" : Q, Rem];

/** Shared operand handling: distribute, `B = 0` → `never`, invalid → `number`. */
type DivOp<A extends number, B extends number, Op extends "floor" | "ceil" | "mod"> = A extends unknown
  ? B extends unknown
    ? B extends 0
      ? never
      : PlainPair<A, B> extends true
        ? DivModDigits<`${A}`, `${B}`> extends [infer Q extends string, infer R extends string]
          ? ParseDigits<Op extends "floor" ? Q : Op extends "mod" ? R : R extends "0" ? Q : IncrementDigits<Q>>
          : never
        : number
    : never
  : never;

/**
 * `⌊A / B⌋` for non-negative integer literals, exact up to 2^53 − 1. `B = 0`
 * gives `never` (whatever `A` is); otherwise non-literal, negative or
 * fractional operands give `number`; a union operand distributes.
 *
 * @example
 * ```ts
 * type A = DivFloor<7, 2>;                  // 3
 * type B = DivFloor<1000000000000000, 7>;   // 142857142857142
 * type C = DivFloor<7, 0>;                  // never
 * ```
 */
export type DivFloor<A extends number, B extends number> = DivOp<A, B, "floor">;

/**
 * `⌈A / B⌉` for non-negative integer literals, exact up to 2^53 − 1. `B = 0`
 * gives `never`; otherwise non-literal, negative or fractional operands give
 * `number`; a union operand distributes.
 *
 * @example
 * ```ts
 * type A = DivCeil<7, 2>;     // 4
 * type B = DivCeil<224, 2>;   // 112
 * type C = DivCeil<0, 5>;     // 0
 * ```
 */
export type DivCeil<A extends number, B extends number> = DivOp<A, B, "ceil">;

/**
 * `A mod B` (remainder of floor division) for non-negative integer literals.
 * `B = 0` gives `never`; otherwise non-literal, negative or fractional
 * operands give `number`; a union operand distributes.
 *
 * @example
 * ```ts
 * type A = Mod<7, 2>;               // 1
 * type B = Mod<1000000000007, 10>;  // 7
 * type C = Mod<7, 0>;               // never
 * ```
 */
export type Mod<A extends number, B extends number> = DivOp<A, B, "mod">;
