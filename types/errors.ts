/**
 * How a layer reports a mistake at the type level.
 *
 * A check yields either {@link NoFault} or a {@link Fault} naming the config
 * property that is wrong and the sentence to show. The property's type then
 * becomes that sentence, so the compiler underlines exactly that property, and
 * the call returns an {@link ErrorTensor}, whose methods accept anything, so
 * one mistake gives one error.
 */
import type { LayerMethodName } from "./symbolic-tensor.js";

/** A rule broken by a layer config: which property, and the sentence. */
export interface Fault<K extends string = string, M extends string = string> {
  readonly key: K;
  readonly message: M;
}

/** The result of a check that found nothing wrong. */
export type NoFault = "ok";

/**
 * The type a config property must have: its own inferred type when the check
 * passed or blamed another property, the message when it blamed this one.
 *
 * @example
 * type T = Field<Fault<"kernelSize", "shapewise: ...">, "kernelSize", 5>; // "shapewise: ..."
 */
// Not distributive: while a call's type parameters are still being inferred,
// a distributive form would run every check once per property, messages and
// arithmetic included (about 2.7 times the cost of a whole model).
export type Field<E, Key extends string, V> = [E] extends [Fault<Key, infer M>] ? M : V;

/** The first fault of a list of checks, in order; {@link NoFault} when all pass. */
export type FirstFault<Checks extends readonly unknown[]> = Checks extends readonly [infer H, ...infer R] ? (H extends Fault ? H : FirstFault<R>) : NoFault;

/**
 * `true` only when a condition is certainly true: comparisons of sizes the
 * type checker cannot see give `boolean`, which must not raise an error.
 */
export type Certainly<B> = [B] extends [true] ? true : false;

/**
 * What a layer call returns after a fault: inert, so later calls in the
 * chain compile without a second error. Hover shows the message.
 *
 * @example
 * const bad = input({ shape: [3, 3, 1] }).conv2d({ filters: 8, kernelSize: 5 });
 * //    ^? ErrorTensor<"shapewise: conv2d kernelSize 5 is larger than input height 3 with padding 'valid'">
 */
export type ErrorTensor<M extends string> = {
  readonly error: M;
} & {
  readonly [K in LayerMethodName]: (...args: readonly unknown[]) => ErrorTensor<M>;
};

/** Any type-level error tensor. */
export type AnyErrorTensor = ErrorTensor<string>;

/**
 * Anything done with a model built from a mistake: every property exists and
 * every call accepts anything, so the one error already reported at the
 * offending layer stays the only one.
 *
 * @example
 * declare const m: ErrorModel<"shapewise: ...">;
 * m.summary(); // Inert: no second error
 */
export interface Inert {
  (...args: readonly unknown[]): Inert;
  readonly [key: string]: Inert;
}

/**
 * What `model()` and `sequential()` return when a tensor they are given is
 * an {@link ErrorTensor}: inert (`summary`, `predict`, `apply`, ... accept
 * anything and give {@link Inert}). Hover shows the message.
 *
 * @example
 * const m = model({ inputs, outputs: inputs.conv2d({ filters: 8, kernelSize: 5 }) });
 * //    ^? ErrorModel<"shapewise: conv2d kernelSize 5 is larger than input height 3 with padding 'valid'">
 * m.summary(); // no second error
 */
export type ErrorModel<M extends string> = Inert & { readonly error: M };
