/**
 * Signed integer arithmetic on number literal types, over the non-negative
 * digit arithmetic of `types/arithmetic/`: the coefficients of a symbolic
 * size may be negative (`H-2`, `H-2*floor(H/2)`). A result past 2^53 − 1 is
 * `number`, as there.
 *
 * @packageDocumentation
 */
import type { Add, DivCeil, DivFloor, Lt, Mod, Multiply, Subtract } from "../arithmetic/index.js";

/**
 * Whether an integer literal is negative.
 *
 * @example
 * type N = IsNegative<-3>; // true
 */
export type IsNegative<N extends number> = `${N}` extends `-${string}` ? true : false;

/**
 * The absolute value of an integer literal.
 *
 * @example
 * type A = Abs<-3>; // 3
 */
export type Abs<N extends number> = `${N}` extends `-${infer P extends number}` ? P : N;

/**
 * `-N` for an integer literal.
 *
 * @example
 * type A = Negate<3>; // -3
 */
export type Negate<N extends number> = number extends N
  ? number
  : N extends 0
    ? 0
    : `${N}` extends `-${infer P extends number}`
      ? P
      : `-${N}` extends `${infer M extends number}`
        ? M
        : number;

/** `A - B` for non-negative literals, negative when `B > A`. */
type Difference<A extends number, B extends number> = Lt<A, B> extends true ? Negate<Subtract<B, A>> : Subtract<A, B>;

/**
 * `A + B` for signed integer literals.
 *
 * @example
 * type S = SignedAdd<3, -5>; // -2
 */
export type SignedAdd<A extends number, B extends number> = number extends A | B
  ? number
  : IsNegative<A> extends true
    ? IsNegative<B> extends true
      ? Negate<Add<Abs<A>, Abs<B>>>
      : Difference<B, Abs<A>>
    : IsNegative<B> extends true
      ? Difference<A, Abs<B>>
      : Add<A, B>;

/**
 * `A × B` for signed integer literals.
 *
 * @example
 * type P = SignedMultiply<-3, 4>; // -12
 */
export type SignedMultiply<A extends number, B extends number> = number extends A | B
  ? number
  : IsNegative<A> extends IsNegative<B>
    ? Multiply<Abs<A>, Abs<B>>
    : Negate<Multiply<Abs<A>, Abs<B>>>;

/**
 * `floor(A / K)` for a signed `A` and a positive `K`.
 *
 * @example
 * type Q = SignedDivFloor<-3, 2>; // -2
 */
export type SignedDivFloor<A extends number, K extends number> = IsNegative<A> extends true ? Negate<DivCeil<Abs<A>, K>> : DivFloor<A, K>;

/**
 * `A mod K` in `0 .. K - 1` for a signed `A` and a positive `K`.
 *
 * @example
 * type R = SignedMod<-3, 2>; // 1
 */
export type SignedMod<A extends number, K extends number> =
  IsNegative<A> extends true ? (Mod<Abs<A>, K> extends infer M extends number ? (M extends 0 ? 0 : Subtract<K, M>) : never) : Mod<A, K>;

/**
 * The greatest common divisor of two non-negative literals.
 *
 * @example
 * type G = Gcd<12, 18>; // 6
 */
export type Gcd<A extends number, B extends number> = number extends A | B ? number : B extends 0 ? A : Gcd<B, Mod<A, B>>;
