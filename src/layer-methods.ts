/**
 * Every layer method of every symbolic tensor, attached once when this
 * module loads from the registrations of the family files, and the same set
 * as layer values (`layers.dense(...)`).
 * Importing `input()` brings this module along, so every tensor a caller
 * can hold has its methods.
 */
import type { LayerFactories } from "../types/layer-values.js";
import "./layers/activations.js";
import "./layers/attention.js";
import "./layers/convolutional.js";
import "./layers/core.js";
import "./layers/input.js";
import { mergingMethods } from "./layers/merging.js";
import "./layers/normalization.js";
import "./layers/pooling.js";
import "./layers/preprocessing.js";
import "./layers/recurrent.js";
import "./layers/regularization.js";
import "./layers/reshaping.js";
import { layerRegistrations, methodOf } from "./layers/registry.js";
import type { LayerMethod } from "./layers/registry.js";
import { layerFactories } from "./layer-values.js";
import { addLayerMethods } from "./symbolic-tensor.js";

/** Every registered layer's method under its name and its aliases, in catalog order. */
function registeredMethods(): Record<string, LayerMethod> {
  const methods: Record<string, LayerMethod> = {};
  for (const registration of layerRegistrations()) {
    const method = methodOf(registration);
    if (method === undefined) continue;
    for (const name of [registration.method, ...(registration.aliases ?? [])]) methods[name] = method;
  }
  return methods;
}

addLayerMethods(registeredMethods());
// The branch combinators (residual, branches) make merge layers; they are methods of no layer class.
addLayerMethods(mergingMethods);

/**
 * Layers as values, one factory per layer method: build a layer once and
 * apply it to several tensors with the same weights (Keras shared layers).
 * A layer value's call is typed `SymbolicTensor<Shape, number>` (the
 * runtime checks every rule); share a whole model (`m.apply(t)`) to keep
 * exact types.
 *
 * @example
 * const shared = layers.dense({ units: 64, activation: "relu" });
 * const merged = concatenate([shared.apply(left), shared.apply(right)]);
 */
export const layers = layerFactories() as unknown as LayerFactories;
