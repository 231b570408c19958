/**
 * Exact subtraction of non-negative integer number literal types
 * (non-negative domain: a negative result is `never`).
 *
 * @packageDocumentation
 */
import type { SubBorrow, SubDigit } from "./digit-tables.js";
import type { ParseDigits, PlainPair, Reverse, StripLeadingZeros } from "./digits.js";

/**
 * `A - B` on canonical digit strings; `never` when `B > A`.
 *
 * @example
 * ```ts
 * type S = SubtractDigits<"1000000000000", "1">; // "999999999999"
 * type N = SubtractDigits<"5", "7">;             // never
 * ```
 * @internal
 */
export type SubtractDigits<A, B> = SubLoop<Reverse<A>, Reverse<B>, "0", "">;

/** Reversed operands, result built most significant digit first. */
type SubLoop<A, B, Br extends string, Acc extends string> = A extends `${infer a}${infer AR}`
  ? B extends `${infer b}${infer BR}`
    ? SubLoop<AR, BR, SubBorrow[`${Br}${a}${b}`], `${SubDigit[`${Br}${a}${b}`]}${Acc}`>
    : Br extends "0"
      ? StripLeadingZeros<Reverse<A, Acc>>
      : SubLoop<AR, "", SubBorrow[`1${a}0`], `${SubDigit[`1${a}0`]}${Acc}`>
  : B extends ""
    ? Br extends "0"
      ? StripLeadingZeros<Acc>
      : never
    : never;

/**
 * `A - B` for non-negative integer literals; `never` when `B > A` (the result
 * would be negative). Non-literal, negative or fractional operands give
 * `number`; a union operand distributes (negative members drop out as
 * `never`).
 *
 * @example
 * ```ts
 * type A = Subtract<1000000000000, 1>; // 999999999999
 * type B = Subtract<5, 7>;             // never
 * type C = Subtract<number, 1>;        // number
 * ```
 */
export type Subtract<A extends number, B extends number> = A extends unknown
  ? B extends unknown
    ? PlainPair<A, B> extends true
      ? ParseDigits<SubtractDigits<`${A}`, `${B}`>>
      : number
    : never
  : never;
