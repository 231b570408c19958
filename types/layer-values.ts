/**
 * Layers as values (`layers.dense({ units: 64 })`), applied to several
 * tensors with one set of weights (runtime twin: `src/layer-values.ts`).
 *
 * A layer value's call gives a tensor of unknown sizes and total
 * (`SymbolicTensor<Shape, number, number>`): the type checker cannot tell a first
 * call (which adds the weights) from a later one (which adds none), and a
 * method's general signature is no sound guide to its output. The runtime
 * still checks every rule. For exact types, share a whole model instead: a
 * model applied as a layer keeps them.
 */
import type { Shape } from "./shape.js";
import type { LayerMethodName, SymbolicTensor } from "./symbolic-tensor.js";

type AnyArgs = readonly unknown[];

/** Methods that may give several tensors (a recurrent layer's states, an unmerged bidirectional). */
type SeveralOutputMethod = "simpleRNN" | "lstm" | "gru" | "bidirectional";

/**
 * What a layer value's call returns: a tensor of unknown shape and total, or
 * for a recurrent layer possibly its output and states.
 *
 * @example
 * type Y = LayerValueResult<"dense">; // SymbolicTensor<Shape, number, number>
 */
export type LayerValueResult<M extends LayerMethodName> = M extends SeveralOutputMethod
  ? SymbolicTensor<Shape, number, number> | readonly SymbolicTensor<Shape, number, number>[]
  : SymbolicTensor<Shape, number, number>;

/**
 * One layer that can be applied to several tensors, sharing its weights
 * (counted once in the model summary, as Keras counts a shared layer).
 *
 * @example
 * const shared = layers.dense({ units: 64 });
 * const ya = shared.apply(a); // the layer's first call builds its weights
 * const yb = shared.apply(b); // same weights: b must have a's shape
 */
export interface LayerValue<M extends LayerMethodName> {
  /** The method the layer came from (`"dense"`). */
  readonly method: M;
  /** Applies the layer to a tensor; every call after the first reuses its weights. */
  apply(tensor: { readonly shape: Shape }): LayerValueResult<M>;
}

/**
 * A factory per layer method: `layers.conv2d({ ... })` takes the method's
 * options and returns a {@link LayerValue}.
 *
 * @example
 * const encoder = layers.lstm({ units: 32 });
 */
export type LayerFactories = {
  readonly [M in Exclude<LayerMethodName, "residual" | "branches" | "multiHeadAttention">]: (...options: AnyArgs) => LayerValue<M>;
};
