/**
 * Reshaping layers at the type level (runtime twin: `src/layers/reshaping.ts`).
 */
import type { Product } from "../arithmetic/index.js";
import type { Dim, Resolved, Shape } from "../shape.js";
import type { SymbolicTensor } from "../symbolic-tensor.js";

/**
 * The single size `flatten` gives to all non-batch dimensions: their product,
 * `null` when one is unknown, `1` for a rank-1 input (as Keras 3 does).
 *
 * @example
 * type N = FlatSize<[3, 3, 128]>; // 1152
 */
export type FlatSize<Rest extends readonly Dim[]> = null extends Rest[number]
  ? null
  : Rest extends readonly number[]
    ? Product<Rest>
    : number;

type Tail<S extends Shape> = S extends readonly [Dim, ...infer R extends Dim[]] ? R : Dim[];

/** Reshaping methods of a {@link SymbolicTensor} with shape `S` and `P` parameters so far. */
export interface ReshapingMethods<S extends Shape, P extends number> {
  /**
   * Folds every non-batch dimension into one (Keras `Flatten`).
   *
   * @example
   * input({ shape: [3, 3, 128] }).flatten(); // SymbolicTensor<[null, 1152], 0>
   */
  flatten(config?: { name?: string }): SymbolicTensor<Resolved<[S[0], FlatSize<Tail<S>>]>, P>;
}
