/**
 * Exact addition of non-negative integer number literal types.
 *
 * @packageDocumentation
 */
import type { AddCarry, AddDigit } from "./digit-tables.js";
import type { IsPlain, PlainPair, Reverse, ToNumber } from "./digits.js";

/**
 * Adds two canonical digit strings; the result is exact at any length.
 *
 * @example
 * ```ts
 * type S = AddDigits<"999999999999", "1">; // "1000000000000"
 * ```
 * @internal
 */
export type AddDigits<A, B> = AddLoop<Reverse<A>, Reverse<B>, "0", "">;

/**
 * `A` and `B` are reversed (least significant digit first); the result is
 * built most significant digit first in `Acc`. When `A` runs out the operands
 * swap; when `B` runs out without a carry the rest of `A` is copied over.
 */
type AddLoop<A, B, C extends string, Acc extends string> = A extends `${infer a}${infer AR}`
  ? B extends `${infer b}${infer BR}`
    ? AddLoop<AR, BR, AddCarry[`${C}${a}${b}`], `${AddDigit[`${C}${a}${b}`]}${Acc}`>
    : C extends "0"
      ? Reverse<A, Acc>
      : AddLoop<AR, "", AddCarry[`1${a}0`], `${AddDigit[`1${a}0`]}${Acc}`>
  : B extends ""
    ? C extends "1"
      ? `1${Acc}`
      : Acc
    : AddLoop<B, "", C, Acc>;

/**
 * `S + 1` on a canonical digit string: trailing 9s become 0s, then the last
 * other digit goes up by one. Cheaper than {@link AddDigits} for the common
 * `+ 1` (output sizes, ceiling division).
 *
 * @example
 * ```ts
 * type A = IncrementDigits<"1299">; // "1300"
 * type B = IncrementDigits<"999">;  // "1000"
 * ```
 * @internal
 */
export type IncrementDigits<S, Z extends string = ""> = S extends `${infer P}9`
  ? IncrementDigits<P, `${Z}0`>
  : S extends `${infer P}0`
    ? `${P}1${Z}`
    : S extends `${infer P}1`
      ? `${P}2${Z}`
      : S extends `${infer P}2`
        ? `${P}3${Z}`
        : S extends `${infer P}3`
          ? `${P}4${Z}`
          : S extends `${infer P}4`
            ? `${P}5${Z}`
            : S extends `${infer P}5`
              ? `${P}6${Z}`
              : S extends `${infer P}6`
                ? `${P}7${Z}`
                : S extends `${infer P}7`
                  ? `${P}8${Z}`
                  : S extends `${infer P}8`
                    ? `${P}9${Z}`
                    : `1${Z}`;

/**
 * `A + B` for non-negative integer literals, exact up to
 * `Number.MAX_SAFE_INTEGER` (2^53 − 1); a larger exact result gives `number`.
 * Non-literal, negative or fractional operands give `number`; a union operand
 * distributes (`Add<1 | 2, 10>` = `11 | 12`).
 *
 * @example
 * ```ts
 * type A = Add<999999999999, 1>;      // 1000000000000
 * type B = Add<9007199254740990, 1>;  // 9007199254740991
 * type C = Add<9007199254740991, 1>;  // number (above 2^53 - 1)
 * type D = Add<number, 1>;            // number
 * ```
 */
export type Add<A extends number, B extends number> = A extends unknown
  ? B extends unknown
    ? PlainPair<A, B> extends true
      ? ToNumber<B extends 1 ? IncrementDigits<`${A}`> : A extends 1 ? IncrementDigits<`${B}`> : AddDigits<`${A}`, `${B}`>>
      : number
    : never
  : never;

/**
 * Sum of a tuple of non-negative integer literals (`Sum<[]>` = 0). The running
 * total stays a digit string, so only the final result is limited to 2^53 − 1
 * (larger gives `number`). A non-tuple array, an optional or rest element, or
 * an element that is `number`, negative or fractional gives `number`; union
 * elements distribute (`Sum<[1 | 2, 10]>` = `11 | 12`).
 *
 * @example
 * ```ts
 * type A = Sum<[1792, 36928, 73856, 147584]>; // 260160
 * type B = Sum<[]>;                           // 0
 * type C = Sum<number[]>;                     // number
 * ```
 */
export type Sum<T extends readonly number[]> = number extends T["length"] ? number : SumLoop<T, "0">;

type SumLoop<T extends readonly number[], Acc extends string> = T extends readonly [infer H extends number, ...infer R extends readonly number[]]
  ? IsPlain<H> extends true
    ? AddDigits<Acc, `${H}`> extends infer S extends string
      ? SumLoop<R, S>
      : never
    : number
  : T extends readonly []
    ? ToNumber<Acc>
    : number;
