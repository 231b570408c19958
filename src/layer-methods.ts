/**
 * Every layer method of every symbolic tensor, attached once when this
 * module loads, and the same set as layer values (`layers.dense(...)`).
 * Importing `input()` brings this module along, so every tensor a caller
 * can hold has its methods.
 */
import type { LayerFactories } from "../types/layer-values.js";
import { activationsMethods } from "./layers/activations.js";
import { attentionMethods } from "./layers/attention.js";
import { convolutionalMethods } from "./layers/convolutional.js";
import { coreMethods } from "./layers/core.js";
import { mergingMethods } from "./layers/merging.js";
import { normalizationMethods } from "./layers/normalization.js";
import { poolingMethods } from "./layers/pooling.js";
import { preprocessingMethods } from "./layers/preprocessing.js";
import { recurrentMethods } from "./layers/recurrent.js";
import { regularizationMethods } from "./layers/regularization.js";
import { reshapingMethods } from "./layers/reshaping.js";
import { layerFactories } from "./layer-values.js";
import { addLayerMethods } from "./symbolic-tensor.js";

addLayerMethods(convolutionalMethods);
addLayerMethods(poolingMethods);
addLayerMethods(reshapingMethods);
addLayerMethods(coreMethods);
addLayerMethods(regularizationMethods);
addLayerMethods(normalizationMethods);
addLayerMethods(activationsMethods);
addLayerMethods(preprocessingMethods);
addLayerMethods(recurrentMethods);
addLayerMethods(attentionMethods);
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
