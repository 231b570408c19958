/**
 * Type-level views of a model: its input shape, output shape and parameter
 * total, read from the `Model` class in `src/model.ts`.
 */
import type { Shape } from "./shape.js";

/**
 * The output shape of a model, batch first.
 *
 * @example
 * type S = OutputShape<typeof m>; // [null, 10]
 */
export type OutputShape<M> = M extends { readonly outputShape: infer O extends Shape } ? O : never;

/**
 * The input shape of a model, batch first.
 *
 * @example
 * type S = InputShape<typeof m>; // [null, 28, 28, 1]
 */
export type InputShape<M> = M extends { readonly inputShape: infer I extends Shape } ? I : never;

/**
 * The exact number of parameters of a model, as a number literal type.
 *
 * @example
 * type P = ParamCount<typeof m>; // 113162
 */
export type ParamCount<M> = M extends { countParams(): infer P extends number } ? P : never;

/**
 * A shape with its unknown (`null`) sizes read as plain `number`: the shape
 * of a concrete tensor.
 *
 * @example
 * type C = Concrete<[null, 28]>; // [number, 28]
 */
export type Concrete<S extends readonly unknown[], Acc extends number[] = []> = S extends readonly [infer H, ...infer R]
  ? Concrete<R, [...Acc, H extends number ? H : number]>
  : S extends readonly []
    ? Acc
    : number[];

/** A shape without its batch dimension. */
export type SampleShape<S extends Shape> = S extends readonly [unknown, ...infer R] ? R : Shape;

/**
 * The shape of a concrete batch of `N` samples for a model shape `S`.
 *
 * @example
 * type B = BatchShape<2, [null, 10]>; // [2, 10]
 */
export type BatchShape<N extends number, S extends Shape> = [N, ...Concrete<SampleShape<S>>];
