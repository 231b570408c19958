/**
 * Exact multiplication of non-negative integer number literal types.
 *
 * @packageDocumentation
 */
import type { Digit, KeyTable, MulCarry, MulDigit } from "./digit-tables.js";
import type { IsPlain, PlainPair, Reverse, StripLeadingZeros, ToNumber } from "./digits.js";

/**
 * `A * B` on canonical digit strings, exact at any length. Schoolbook
 * multiplication: one multiply-add pass over `A` per digit of `B`, so
 * O(digits(A) · digits(B)) table lookups. Zero, one and one-digit factors
 * take shortcuts.
 *
 * @example
 * ```ts
 * type P = MultiplyDigits<"99999999", "99999999">; // "9999999800000001"
 * ```
 * @internal
 */
export type MultiplyDigits<A, B> = A extends "0"
  ? "0"
  : B extends "0"
    ? "0"
    : A extends "1"
      ? B
      : B extends "1"
        ? A
        : B extends Digit
          ? A extends Digit
            ? MulCarry[`${B}0${A}`] extends "0"
              ? MulDigit[`${B}0${A}`]
              : `${MulCarry[`${B}0${A}`]}${MulDigit[`${B}0${A}`]}`
            : Reverse<MulAddLoop<Reverse<A>, B, "", "0", "">>
          : A extends Digit
            ? Reverse<MulAddLoop<Reverse<B>, A, "", "0", "">>
            : MulLoop<Reverse<A>, Reverse<B>, "", "">;

/**
 * `A`, `B` reversed. `Acc` (reversed) holds the running sum divided by 10^i;
 * after each digit of `B` its lowest digit is final and moves to `Done`
 * (most significant first). `Acc` never has more digits than `A`.
 */
type MulLoop<A, B, Acc, Done extends string> = B extends `${infer b}${infer BR}`
  ? (b extends "0" ? Acc : MulAddLoop<A, b, Acc, "0", "">) extends `${infer d}${infer Rest}`
    ? MulLoop<A, BR, Rest, `${d}${Done}`>
    : MulLoop<A, BR, "", `0${Done}`>
  : StripLeadingZeros<Reverse<Acc, Done>>;

/**
 * Reversed `X + A * b` with carry `C`, one table lookup per digit of `A`.
 * Output is reversed too (appended in `Out`).
 */
type MulAddLoop<A, b extends string, X, C extends string, Out extends string> = A extends `${infer a}${infer AR}`
  ? X extends `${infer x}${infer XR}`
    ? MulAddLoop<AR, b, XR, MulCarry[`${b}${KeyTable[`${x}${C}`]}${a}`], `${Out}${MulDigit[`${b}${KeyTable[`${x}${C}`]}${a}`]}`>
    : MulAddLoop<AR, b, "", MulCarry[`${b}${C}${a}`], `${Out}${MulDigit[`${b}${C}${a}`]}`>
  : C extends "0"
    ? Out
    : `${Out}${C}`;

/**
 * `A * B` for non-negative integer literals, exact up to
 * `Number.MAX_SAFE_INTEGER` (2^53 − 1); a larger exact result gives `number`.
 * Non-literal, negative or fractional operands give `number`; a union operand
 * distributes (`Multiply<2 | 3, 10>` = `20 | 30`).
 *
 * @example
 * ```ts
 * type A = Multiply<4096, 4096>;           // 16777216
 * type B = Multiply<99999999, 99999999>;   // number (9999999800000001 > 2^53 - 1)
 * type C = Multiply<number, 2>;            // number
 * ```
 */
export type Multiply<A extends number, B extends number> = A extends unknown
  ? B extends unknown
    ? PlainPair<A, B> extends true
      ? ToNumber<MultiplyDigits<`${A}`, `${B}`>>
      : number
    : never
  : never;

/**
 * Product of a tuple of non-negative integer literals (`Product<[]>` = 1). The
 * running product stays a digit string, so only the final result is limited
 * to 2^53 − 1 (larger gives `number`). A non-tuple array, an optional or rest
 * element, or an element that is `number`, negative or fractional gives
 * `number`; union elements distribute.
 *
 * @example
 * ```ts
 * type A = Product<[3, 3, 512, 512]>; // 2359296
 * type B = Product<[]>;               // 1
 * ```
 */
export type Product<T extends readonly number[]> = number extends T["length"] ? number : DigitsToProduct<ProductDigitsLoop<T, "1", "">>;

/** A product's digit string as a number; `""` marks an element that is not a plain literal. */
type DigitsToProduct<D> = D extends "" ? number : ToNumber<D>;

/**
 * The exact product of a tuple of non-negative integer literals as a digit
 * string, at any length: what {@link Product} gives as `number` past 2^53 − 1,
 * for sentences that name the exact value. `never` when an element is not a
 * plain literal or the tuple's length is not known.
 *
 * @example
 * ```ts
 * type D = ProductDigits<[1073741824, 1073741824, 1073741824]>; // "1237940039285380274899124224"
 * ```
 */
export type ProductDigits<T extends readonly number[]> = number extends T["length"] ? never : ProductDigitsLoop<T, "1">;

/** The running product `Acc` times the elements of `T`; `Bad` when an element is not a plain literal. */
type ProductDigitsLoop<T extends readonly number[], Acc extends string, Bad = never> = T extends readonly [
  infer H extends number,
  ...infer R extends readonly number[],
]
  ? IsPlain<H> extends true
    ? MultiplyDigits<Acc, `${H}`> extends infer P extends string
      ? ProductDigitsLoop<R, P, Bad>
      : never
    : Bad
  : T extends readonly []
    ? Acc
    : Bad;
