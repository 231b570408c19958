import type { CompareDigits, MaxSafeDigits } from "./digits.js";
/**
 * Integer tests for number literal types.
 *
 * @packageDocumentation
 */

/**
 * Classifies one `${number}` text: non-negative integer or not. A minus sign
 * (a negative number) is not; an exponent form with `e+` (1e21 and above,
 * e.g. `1.5e+21`) always is; otherwise a decimal point, a negative exponent
 * (`1e-7`), `Infinity` or `NaN` is not, and plain digits are.
 */
type IntegerText<S extends string> = S extends `-${string}`
  ? false
  : S extends `${string}e+${string}`
    ? true
    : S extends `${string}.${string}` | `${string}e${string}` | `${string}I${string}` | `${string}N${string}`
      ? false
      : true;

/**
 * `true` when `N` is a non-negative integer literal (including 0), `false`
 * for negative, fractional or non-finite literals, `boolean` for the
 * non-literal `number`. Unions distribute (`IsInteger<1 | 2.5>` = `boolean`).
 * Literals of 1e21 and above are integers too, but the arithmetic types treat
 * them as out of range (`number`).
 *
 * @example
 * ```ts
 * type A = IsInteger<0>;       // true
 * type B = IsInteger<2.5>;     // false
 * type C = IsInteger<-3>;      // false
 * type D = IsInteger<number>;  // boolean
 * ```
 */
export type IsInteger<N extends number> = N extends unknown ? (number extends N ? boolean : IntegerText<`${N}`>) : never;

/**
 * `true` when `N` is a positive integer literal (1, 2, …), `false` for 0,
 * negative, fractional or non-finite literals, `boolean` for the non-literal
 * `number`. Unions distribute.
 *
 * @example
 * ```ts
 * type A = IsPositiveInteger<3>;       // true
 * type B = IsPositiveInteger<0>;       // false
 * type C = IsPositiveInteger<2.5>;     // false
 * type D = IsPositiveInteger<number>;  // boolean
 * ```
 */
export type IsPositiveInteger<N extends number> = N extends unknown ? (number extends N ? boolean : N extends 0 ? false : IntegerText<`${N}`>) : never;

/** `true` when a digit string has at least 16 digits: only then can it pass 2^53 − 1. */
type Has16Digits<S extends string> =
  S extends `${infer _1}${infer _2}${infer _3}${infer _4}${infer _5}${infer _6}${infer _7}${infer _8}${infer _9}${infer _10}${infer _11}${infer _12}${infer _13}${infer _14}${infer _15}${infer _16}${string}`
    ? true
    : false;

/**
 * `true` when a canonical digit string is at most `Number.MAX_SAFE_INTEGER`
 * (2^53 − 1), `false` past it.
 *
 * @example
 * ```ts
 * type A = SafeDigits<"9007199254740991">; // true
 * type B = SafeDigits<"9007199254740992">; // false
 * ```
 */
export type SafeDigits<S extends string> = Has16Digits<S> extends false ? true : CompareDigits<S, MaxSafeDigits> extends "gt" ? false : true;

/**
 * `true` for a positive integer literal that JavaScript holds exactly (at most
 * 2^53 − 1, as `Number.isSafeInteger` requires); `false` for zero, negatives,
 * fractions and larger values such as `1e21`; `boolean` for `number`.
 *
 * @example
 * ```ts
 * type A = IsSafePositiveInteger<9007199254740991>; // true
 * type B = IsSafePositiveInteger<9007199254740992>; // false
 * ```
 */
export type IsSafePositiveInteger<N extends number> = N extends unknown
  ? number extends N
    ? boolean
    : IsPositiveInteger<N> extends true
      ? `${N}` extends `${string}e${string}`
        ? false
        : SafeDigits<`${N}`>
      : false
  : never;

/**
 * `true` for an integer literal, negative or not, that `Number.isSafeInteger`
 * accepts; `boolean` for `number`.
 *
 * @example
 * ```ts
 * type A = IsSafeInteger<-3>;  // true
 * type B = IsSafeInteger<1.5>; // false
 * ```
 */
export type IsSafeInteger<N extends number> = N extends unknown
  ? number extends N
    ? boolean
    : N extends 0
      ? true
      : `${N}` extends `-${infer A extends number}`
        ? IsSafePositiveInteger<A>
        : IsSafePositiveInteger<N>
  : never;
