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
export type IsInteger<N extends number> = N extends unknown
  ? number extends N
    ? boolean
    : IntegerText<`${N}`>
  : never;

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
export type IsPositiveInteger<N extends number> = N extends unknown
  ? number extends N
    ? boolean
    : N extends 0
      ? false
      : IntegerText<`${N}`>
  : never;
