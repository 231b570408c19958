/**
 * Comparison of non-negative integer number literal types.
 *
 * Operands: non-negative integer literals (exact at any size below 1e21).
 * - the non-literal `number`, a negative or fractional literal: `Compare`
 *   gives `"lt" | "eq" | "gt"`, the boolean forms give `boolean`, `Max`/`Min`
 *   give `number`;
 * - a union operand distributes (`Compare<1 | 5, 3>` = `"lt" | "gt"`,
 *   `Gt<1 | 5, 3>` = `boolean`, `Max<1 | 5, 3>` = `3 | 5`);
 * - `never` gives `never`.
 *
 * @packageDocumentation
 */
import type { Ordering } from "./digit-tables.js";
import type { CompareDigits, PlainPair } from "./digits.js";

export type { Ordering };

/**
 * Compares two non-negative integer literals: `"lt"`, `"eq"` or `"gt"`.
 * Non-literal, negative or fractional operands give `"lt" | "eq" | "gt"`;
 * unions distribute.
 *
 * @example
 * ```ts
 * type A = Compare<999, 1000>;             // "lt"
 * type B = Compare<1000000000000, 1e12>;   // "eq"
 * type C = Compare<number, 3>;             // "lt" | "eq" | "gt"
 * ```
 */
export type Compare<A extends number, B extends number> = A extends unknown
  ? B extends unknown
    ? PlainPair<A, B> extends true
      ? CompareDigits<`${A}`, `${B}`>
      : Ordering
    : never
  : never;

/** Maps each ordering in `C` to whether it is one of `T` (distributes). */
type OrderingIs<C, T extends Ordering> = C extends T ? true : false;

/**
 * `A > B`. `boolean` when unknown (non-literal, negative or fractional
 * operands, or a union whose members disagree).
 *
 * @example
 * ```ts
 * type A = Gt<1000, 999>;   // true
 * type B = Gt<5, 5>;        // false
 * type C = Gt<number, 5>;   // boolean
 * ```
 */
export type Gt<A extends number, B extends number> = OrderingIs<Compare<A, B>, "gt">;

/**
 * `A >= B`. `boolean` when unknown.
 *
 * @example
 * ```ts
 * type A = Gte<5, 5>;    // true
 * type B = Gte<4, 50>;   // false
 * ```
 */
export type Gte<A extends number, B extends number> = OrderingIs<Compare<A, B>, "gt" | "eq">;

/**
 * `A < B`. `boolean` when unknown.
 *
 * @example
 * ```ts
 * type A = Lt<99, 100>;   // true
 * type B = Lt<-1, 100>;   // boolean (negative operand)
 * ```
 */
export type Lt<A extends number, B extends number> = OrderingIs<Compare<A, B>, "lt">;

/**
 * `A <= B`. `boolean` when unknown.
 *
 * @example
 * ```ts
 * type A = Lte<100, 100>;   // true
 * type B = Lte<101, 100>;   // false
 * ```
 */
export type Lte<A extends number, B extends number> = OrderingIs<Compare<A, B>, "lt" | "eq">;

/**
 * `A === B` for non-negative integer literals. `boolean` when unknown.
 *
 * @example
 * ```ts
 * type A = Eq<224, 224>;      // true
 * type B = Eq<224, 225>;      // false
 * type C = Eq<number, 224>;   // boolean
 * ```
 */
export type Eq<A extends number, B extends number> = OrderingIs<Compare<A, B>, "eq">;

/**
 * The larger of `A` and `B`. `number` for non-literal, negative or fractional
 * operands; unions distribute.
 *
 * @example
 * ```ts
 * type A = Max<7, 1000>;   // 1000
 * type B = Max<number, 1>; // number
 * ```
 */
export type Max<A extends number, B extends number> = Extreme<A, B, "lt">;

/**
 * The smaller of `A` and `B`. `number` for non-literal, negative or fractional
 * operands; unions distribute.
 *
 * @example
 * ```ts
 * type A = Min<7, 1000>;   // 7
 * type B = Min<2.5, 1>;    // number
 * ```
 */
export type Min<A extends number, B extends number> = Extreme<A, B, "gt">;

/**
 * `B` when `A` compares to it as `Yields` (`"lt"` for the larger, `"gt"` for
 * the smaller), `A` otherwise: the one body of {@link Max} and {@link Min}.
 * Unions distribute.
 */
type Extreme<A extends number, B extends number, Yields extends "lt" | "gt"> = A extends unknown
  ? B extends unknown
    ? PlainPair<A, B> extends true
      ? CompareDigits<`${A}`, `${B}`> extends Yields
        ? B
        : A
      : number
    : never
  : never;
