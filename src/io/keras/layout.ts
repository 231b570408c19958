/**
 * Where Keras keeps each weight in its HDF5 files, for a shapewise model.
 *
 * Keras 3 (`.keras` and `.weights.h5`) stores the state of every object it
 * walks from the model: a layer's own variables in `<path>/vars/0, 1, ...`
 * (trainable ones first, each list in creation order), its sub-objects under
 * the attribute that holds them (`cell`, `forward_layer`, `query_dense`),
 * and the layers of a model under `layers/<class in snake_case>`, numbered
 * `dense`, `dense_1`, ... in the order of `model.layers`. Paths, not layer
 * names, find the weights, so a model built in code with its layers in the
 * same order reads them. Every object with a name gets its `vars` group
 * (with a `name` attribute) even when it holds no variable.
 *
 * tf.keras 2's legacy `.h5` keeps a group per layer name, each with a
 * `weight_names` list in the layer's trainable-first order.
 */
import type { Layer } from "../../layers/layer.js";
import type { AnyModel } from "../file-graph.js";
import { innerLayer, nestedModel } from "../layer-registry.js";

/**
 * One object whose state Keras stores: its path inside the file (`""` is the
 * model itself), the name Keras records for it, and which of the model's
 * weights (indices in `getWeights()` order) its `vars` hold, in Keras order.
 *
 * @example
 * const g: KerasStateGroup = { path: "layers/dense", name: "dense_1", weights: [0, 1] };
 */
export interface KerasStateGroup {
  readonly path: string;
  readonly name: string;
  readonly layer: Layer | undefined;
  readonly weights: readonly number[];
}

/**
 * A class name in snake_case as Keras 3 spells it in paths
 * (`keras.src.utils.naming.to_snake_case`).
 *
 * @example
 * kerasSnakeCase("Conv2DTranspose");    // "conv2d_transpose"
 * kerasSnakeCase("GlobalMaxPooling1D"); // "global_max_pooling1d"
 * kerasSnakeCase("PReLU");              // "p_re_lu"
 */
export function kerasSnakeCase(className: string): string {
  return className
    .replace(/\W+/g, "")
    .replace(/(.)([A-Z][a-z]+)/g, "$1_$2")
    .replace(/([a-z])([A-Z])/g, "$1_$2")
    .toLowerCase();
}

const RECURRENT_CELLS: Readonly<Record<string, string>> = { SimpleRNN: "simple_rnn_cell", LSTM: "lstm_cell", GRU: "gru_cell" };

/** Keras's sub-layers of MultiHeadAttention, by the property `_walk_saveable` reaches them through, and the weight prefix shapewise gives them. */
const ATTENTION_PARTS: readonly (readonly [path: string, prefix: string])[] = [
  ["key_dense", "key"],
  ["output_dense", "attention_output"],
  ["query_dense", "query"],
  ["value_dense", "value"],
];

/** Indices `offset + i` of a layer's weights, trainable ones first, as Keras lists variables. */
function trainableFirst(layer: Layer, offset: number, from = 0, to?: number): number[] {
  const specs = layer.weightSpecs().slice(from, to);
  const index = specs.map((s, i) => ({ s, i: offset + from + i }));
  return [...index.filter((x) => x.s.trainable), ...index.filter((x) => !x.s.trainable)].map((x) => x.i);
}

function removePrefix(name: string, prefix: string): string {
  return name.startsWith(prefix) ? name.slice(prefix.length) : name;
}

/** The layers a model's `layers` list holds in Keras: a Sequential's leaves its input layer out. */
export function kerasContainerLayers(m: AnyModel): readonly Layer[] {
  return m.kind === "sequential" ? m.layers.filter((l: Layer) => l.className !== "InputLayer") : m.layers;
}

function layerGroups(layer: Layer, path: string, offset: number, out: KerasStateGroup[]): void {
  const nested = nestedModel(layer);
  if (nested !== undefined) {
    modelGroups(nested, path, offset, out);
    return;
  }
  const join = (part: string) => (path === "" ? part : `${path}/${part}`);
  const cell = RECURRENT_CELLS[layer.className];
  if (cell !== undefined) {
    out.push({ path, name: layer.name, layer, weights: [] });
    out.push({ path: join("cell"), name: cell, layer, weights: trainableFirst(layer, offset) });
    return;
  }
  const inner = innerLayer(layer);
  if (inner !== undefined && layer.className === "Bidirectional") {
    const half = layer.weightSpecs().length / 2;
    const innerCell = RECURRENT_CELLS[inner.className] ?? kerasSnakeCase(inner.className);
    out.push({ path, name: layer.name, layer, weights: [] });
    // Keras names the copies after the wrapped layer; a file's wrapped layer is already the forward copy.
    const base = removePrefix(removePrefix(inner.name, "forward_"), "backward_");
    for (const [side, from] of [
      ["backward", half],
      ["forward", 0],
    ] as const) {
      out.push({ path: join(`${side}_layer`), name: `${side}_${base}`, layer, weights: [] });
      out.push({ path: join(`${side}_layer/cell`), name: innerCell, layer, weights: trainableFirst(layer, offset, from, from + half) });
    }
    return;
  }
  if (inner !== undefined) {
    // TimeDistributed keeps the wrapped layer under `layer`; its weights are the wrapped layer's.
    out.push({ path, name: layer.name, layer, weights: [] });
    layerGroups(inner, join("layer"), offset, out);
    return;
  }
  if (layer.className === "MultiHeadAttention") {
    const specs = layer.weightSpecs();
    out.push({ path, name: layer.name, layer, weights: [] });
    for (const [part, prefix] of ATTENTION_PARTS) {
      const weights = specs.flatMap((s, i) => (s.name.startsWith(`${prefix}/`) ? [offset + i] : []));
      out.push({ path: join(part), name: prefix, layer, weights });
    }
    // The softmax and dropout sub-layers hold nothing; Keras still records them by their attribute names.
    out.push({ path: join("_dropout_layer"), name: "dropout", layer, weights: [] });
    out.push({ path: join("_softmax"), name: "softmax", layer, weights: [] });
    return;
  }
  out.push({ path, name: layer.name, layer, weights: trainableFirst(layer, offset) });
}

function modelGroups(m: AnyModel, path: string, offset: number, out: KerasStateGroup[]): void {
  out.push({ path, name: m.name, layer: undefined, weights: [] });
  const counts = new Map<string, number>();
  let next = offset;
  const starts = new Map<Layer, number>();
  for (const layer of m.layers as readonly Layer[]) {
    starts.set(layer, next);
    next += layer.weightSpecs().length;
  }
  for (const layer of kerasContainerLayers(m)) {
    const base = kerasSnakeCase(layer.className);
    const seen = counts.get(base);
    counts.set(base, seen === undefined ? 0 : seen + 1);
    const name = seen === undefined ? base : `${base}_${seen + 1}`;
    layerGroups(layer, path === "" ? `layers/${name}` : `${path}/layers/${name}`, starts.get(layer)!, out);
  }
}

/**
 * Every object whose state a Keras 3 weights file of this model holds, in
 * the order Keras walks them, with the model's weights each one stores.
 *
 * @example
 * kerasStateGroups(m).map((g) => g.path); // ["", "layers/input_layer", "layers/conv2d", ...]
 */
export function kerasStateGroups(m: AnyModel): KerasStateGroup[] {
  const out: KerasStateGroup[] = [];
  modelGroups(m, "", 0, out);
  return out;
}

/**
 * A layer's weights (indices in `getWeights()` order) in the order tf.keras
 * 2's legacy `.h5` lists them: trainable ones first (a nested model's: all
 * trainable weights of its layers, then the others).
 *
 * @example
 * legacyWeightOrder(batchNorm, 4); // [4, 5, 6, 7]: gamma, beta, moving_mean, moving_variance
 */
export function legacyWeightOrder(layer: Layer, offset: number): number[] {
  return trainableFirst(layer, offset);
}

/**
 * Every weight's Keras 3 variable path (indices in `getWeights()` order),
 * the names a legacy `.h5` lists in `weight_names` and stores datasets at:
 * the names of the objects from the layer down to the variable
 * (`dense_1/kernel`, `bidirectional/forward_lstm/lstm_cell/kernel`).
 *
 * @example
 * legacyWeightNames(m); // ["dense_1/kernel", "dense_1/bias", ...]
 */
export function legacyWeightNames(m: AnyModel): string[] {
  const specs = (m.layers as readonly Layer[]).flatMap((layer) => layer.weightSpecs());
  const names: string[] = new Array(specs.length);
  const groups = kerasStateGroups(m);
  const byPath = new Map(groups.map((g) => [g.path, g]));
  for (const g of groups) {
    if (g.weights.length === 0) continue;
    const parts = g.path.split("/");
    const chain: string[] = [];
    // From the model's own layer group (`layers/<name>`) down to this one, each object's recorded name.
    for (let end = 2; end <= parts.length; end++) {
      const ancestor = byPath.get(parts.slice(0, end).join("/"));
      if (ancestor !== undefined && ancestor.path !== "") chain.push(ancestor.name);
    }
    for (const index of g.weights) names[index] = [...chain, specs[index].name.split("/").at(-1)].join("/");
  }
  return names;
}
