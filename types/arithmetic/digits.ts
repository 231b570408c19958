/**
 * Internal building blocks of the type-level arithmetic: digit-string
 * helpers (reversal, leading zeros, comparison, parsing). The digit lookup
 * tables are in `digit-tables.ts`.
 *
 * Numbers are handled as their decimal digit strings (`${N}`), so every
 * intermediate value is exact however long it gets. Loops that need the least
 * significant digit first work on reversed strings ("1024" → "4201").
 *
 * Design notes (they keep both the per-use cost and the one-time cost of
 * checking these declarations low):
 * - Every recursive type is tail-recursive: TypeScript evaluates those in a
 *   loop (up to 1000 iterations) instead of nesting them (depth limit 100).
 * - Lookup tables are flat object types keyed by the concatenated digits
 *   (`AddDigit["195"]` is the digit of 1 + 9 + 5): see `digit-tables.ts`.
 * - Type parameters that are only pattern-matched carry no constraint, and a
 *   loop result that must be a string is narrowed with `infer … extends string`
 *   rather than passed to a constrained parameter, so the checker never has
 *   to compute the constraint of a recursive conditional type.
 *
 * @internal
 * @packageDocumentation
 */
import type { CmpTable, Ordering } from "./digit-tables.js";

/**
 * Reverses a string, four characters per step; `Reverse<S, Acc>` is
 * reverse(S) + Acc. Strings of up to three characters take a single step.
 *
 * @example
 * ```ts
 * type R = Reverse<"12345">;        // "54321"
 * type P = Reverse<"21", "345">;    // "12345"
 * ```
 * @internal
 */
export type Reverse<S, Acc extends string = ""> = S extends `${infer A}${infer B}${infer R}`
  ? R extends `${infer C}${infer D}${infer R2}`
    ? Reverse<R2, `${D}${C}${B}${A}${Acc}`>
    : `${R}${B}${A}${Acc}`
  : `${S & string}${Acc}`;

/**
 * Removes leading zeros from a digit string, keeping a single `"0"` for zero.
 *
 * @example
 * ```ts
 * type S = StripLeadingZeros<"000120">; // "120"
 * type Z = StripLeadingZeros<"000">;    // "0"
 * ```
 * @internal
 */
export type StripLeadingZeros<S> = S extends `0${infer R}` ? (R extends "" ? "0" : StripLeadingZeros<R>) : S;

/**
 * Text patterns that mark a `${number}` as something other than a
 * non-negative integer in plain digits: a sign, a decimal point, an exponent
 * (`1e+21`, `1e-7`), `Infinity` or `NaN`.
 *
 * @example
 * ```ts
 * type A = "-3" extends NotPlainDigits ? true : false;  // true
 * type B = "2.5" extends NotPlainDigits ? true : false; // true
 * type C = "42" extends NotPlainDigits ? true : false;  // false
 * ```
 * @internal
 */
export type NotPlainDigits = `${string}-${string}` | `${string}.${string}` | `${string}e${string}` | `${string}I${string}` | `${string}N${string}`;

/**
 * `true` when every member of the number literal type `N` prints as plain
 * digits (a non-negative integer below 1e21), otherwise `false`; `false` for
 * the non-literal `number`.
 *
 * @example
 * ```ts
 * type A = IsPlain<1024>;    // true
 * type B = IsPlain<-1 | 2>;  // false
 * type C = IsPlain<number>;  // false
 * ```
 * @internal
 */
export type IsPlain<N extends number> = number extends N ? false : [Extract<`${N}`, NotPlainDigits>] extends [never] ? true : false;

/**
 * `true` when both `A` and `B` are single number literals printed as plain
 * digits (non-negative integers below 1e21); `false` for the non-literal
 * `number`, negative, fractional or exponent-form literals. Expects `A` and
 * `B` to be distributed already (no unions).
 *
 * @example
 * ```ts
 * type A = PlainPair<12, 3>;       // true
 * type B = PlainPair<12, -3>;      // false
 * type C = PlainPair<number, 3>;   // false
 * ```
 * @internal
 */
export type PlainPair<A extends number, B extends number> = number extends A | B ? false : `${A}${B}` extends NotPlainDigits ? false : true;

/**
 * Compares two canonical digit strings (no leading zeros) of any length.
 * One pass over both strings: the first differing digit decides unless the
 * lengths differ.
 *
 * @example
 * ```ts
 * type A = CompareDigits<"999", "1000">; // "lt"
 * type B = CompareDigits<"1250", "1205">; // "gt"
 * ```
 * @internal
 */
export type CompareDigits<A, B> = A extends B ? "eq" : CompareLoop<A, B>;

/** Same-length prefix so far: look for the first differing digit. */
type CompareLoop<A, B> = A extends `${infer a}${infer AR}`
  ? B extends `${infer b}${infer BR}`
    ? CmpTable[`${a}${b}`] extends "eq"
      ? CompareLoop<AR, BR>
      : LengthThen<AR, BR, CmpTable[`${a}${b}`]>
    : "gt"
  : B extends ""
    ? "eq"
    : "lt";

/** A digit already differs: the longer string wins, else `R` decides. */
type LengthThen<A, B, R extends Ordering> = A extends `${infer _a}${infer _b}${infer _c}${infer _d}${infer AR}`
  ? B extends `${infer _a}${infer _b}${infer _c}${infer _d}${infer BR}`
    ? LengthThen<AR, BR, R>
    : "gt"
  : A extends `${infer _a}${infer AR}`
    ? B extends `${infer _a}${infer BR}`
      ? LengthThen<AR, BR, R>
      : "gt"
    : B extends ""
      ? R
      : "lt";

/** `Number.MAX_SAFE_INTEGER` (2^53 − 1) as a digit string. @internal */
export type MaxSafeDigits = "9007199254740991";

/**
 * Converts a canonical digit string (no leading zeros) to its number literal
 * type, for results known to be at most `Number.MAX_SAFE_INTEGER`.
 * Distributes over unions; `never` stays `never`.
 *
 * @example
 * ```ts
 * type N = ParseDigits<"138357544">; // 138357544
 * ```
 * @internal
 */
export type ParseDigits<S> = S extends `${infer N extends number}` ? N : never;

/**
 * Converts a canonical digit string (no leading zeros) to its number literal
 * type. Results above `Number.MAX_SAFE_INTEGER` (2^53 − 1), which a number
 * literal could not hold exactly, give `number`. Distributes over unions;
 * `never` stays `never`.
 *
 * Fast path: `${S}1` reads back as a number literal only when that odd
 * number is exactly representable, i.e. below 2^53, which always holds for up
 * to 14 digits of `S` and never from 16 on; a literal there proves `S` safe.
 * Otherwise `S` is compared with 2^53 − 1 digit by digit.
 *
 * @example
 * ```ts
 * type N = ToNumber<"138357544">;          // 138357544
 * type S = ToNumber<"9007199254740991">;   // 9007199254740991
 * type O = ToNumber<"9007199254740992">;   // number
 * ```
 * @internal
 */
export type ToNumber<S> = S extends string
  ? `${S}1` extends `${infer P extends number}`
    ? number extends P
      ? ToNumberLong<S>
      : ParseDigits<S>
    : ToNumberLong<S>
  : never;

/** {@link ToNumber} for 15 or more digits: compare with 2^53 − 1. */
type ToNumberLong<S extends string> = CompareDigits<S, MaxSafeDigits> extends "gt" ? number : ParseDigits<S>;
