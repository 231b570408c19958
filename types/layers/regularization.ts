/**
 * Regularisation layers at the type level: `dropout`
 * (runtime twin: `src/layers/regularization.ts`).
 */
import type { Certainly, ErrorTensor, Fault, Field, NoFault } from "../errors.js";
import type { IsSafeInteger } from "../arithmetic/index.js";
import type { Shape } from "../shape.js";
import type { SymbolicTensor } from "../symbolic-tensor.js";

/**
 * `true` when a literal rate is certainly outside `[0, 1)`, read from its
 * decimal text since the rate is a fraction.
 *
 * @example
 * type A = RateOutOfRange<0.5>; // false
 * type B = RateOutOfRange<1>;   // true
 */
export type RateOutOfRange<R extends number> = number extends R
  ? false
  : `${R}` extends "0" | `0.${string}` | `${number}e-${string}`
    ? `${R}` extends `-${string}`
      ? true
      : false
    : true;

type DropoutFault<R extends number, Sd extends number> = Certainly<RateOutOfRange<R>> extends true
  ? Fault<"rate", `shapewise: dropout rate must be at least 0 and below 1, got ${R}`>
  : IsSafeInteger<Sd> extends false
    ? Fault<"seed", `shapewise: dropout seed must be an integer, got ${Sd}`>
    : NoFault;

/** Regularisation methods of a {@link SymbolicTensor} with shape `S` and `P` parameters so far. */
export interface RegularizationMethods<S extends Shape, P extends number> {
  /**
   * Randomly zeroes a fraction `rate` of the inputs while training (Keras
   * `Dropout`); the identity at inference.
   *
   * @example
   * input({ shape: [1600] }).dropout({ rate: 0.5 }); // SymbolicTensor<[null, 1600], 0>
   */
  dropout<const R extends number, const Sd extends number = 0>(config: {
    rate: Field<DropoutFault<R, Sd>, "rate", R>;
    seed?: Field<DropoutFault<R, Sd>, "seed", Sd>;
    name?: string;
  }): DropoutFault<R, Sd> extends Fault<string, infer M> ? ErrorTensor<M> : SymbolicTensor<S, P>;
}
