/**
 * Exact integer arithmetic on number literal types.
 *
 * Operands are non-negative integer literals. Internally every value is a
 * decimal digit string, so intermediate values are exact; results are exact up
 * to `Number.MAX_SAFE_INTEGER` (2^53 − 1) and a larger exact result gives
 * `number`. The non-literal `number`, negative and fractional literals give
 * `number` (`boolean` for the comparisons); union operands distribute.
 *
 * @example
 * ```ts
 * import type { Add, Multiply } from "./types/arithmetic/index.js";
 * type Conv = Add<Multiply<Multiply<3, 3>, Multiply<512, 512>>, 512>; // 2359808
 * ```
 *
 * @packageDocumentation
 */
export type { Add, AddDigits, Sum } from "./add.js";
export type {
  Compare,
  Eq,
  Gt,
  Gte,
  Lt,
  Lte,
  Max,
  Min,
  Ordering,
} from "./compare.js";
export type { DivCeil, DivFloor, Mod } from "./divide.js";
export type { IsInteger, IsPositiveInteger, IsSafeInteger, IsSafePositiveInteger, SafeDigits } from "./integer.js";
export type { Multiply, MultiplyDigits, Product, ProductDigits } from "./multiply.js";
export type { Subtract } from "./subtract.js";
