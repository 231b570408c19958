/**
 * A generated graph (`test/support/graph-generator.ts`) built step by step in
 * TensorFlow.js as a functional `tf.model`: `tf.input`, `tf.layers.*`, the
 * merge layers, a shared layer as one TF.js layer object applied twice, a
 * nested `tf.model` applied as a layer, every layer under the same explicit
 * name as in shapewise, so that weights can be copied layer by layer by name.
 * Where TF.js cannot build the same graph, {@link RULES} says what is built
 * instead; `test/graph-tfjs.test.ts` (outputs) and
 * `test/training/generated-graph-gradients.test.ts` (gradients) use it.
 *
 * @example
 * const { model, rules, made } = buildTf(graph);
 */
import * as tf from "@tensorflow/tfjs";

import type { Model, Tensor } from "../../src/index.js";
import { stepOutputs } from "./graph-generator.js";
import type { Graph, LayerCall, Step } from "./graph-generator.js";

/** Every place the TF.js graph is built differently, and why; each use is counted. */
export const RULES = {
  subtractAsAdd: {
    reason: "TF.js 4.22 has no Subtract layer: subtract([a, b]) is built as add([a, rescaling({ scale: -1 })(b)]), the same numbers",
  },
  sameTensorTwice: {
    reason:
      "TF.js 4.22 predict can fail ('Cannot read properties of undefined (reading backend)': the tensor is freed before its second read) when one layer reads the same tensor twice, as concatenate([t, t]) from two identity branches: the TF.js graph reads the second copy through a linear Activation layer (the identity)",
  },
  concatenateNegativeAxis: {
    reason:
      "TF.js 4.22 Concatenate joins on the last axis for every negative axis (its backend concatenate sets any axis < 0 to the rank) while its output shape uses the axis given: the TF.js graph gets the same axis counted from the front (rank + axis)",
  },
} as const;
export type RuleName = keyof typeof RULES;

// ---------------------------------------------------------------------------
// The same graph in TF.js

type Factory = (config: object) => tf.layers.Layer;
const tfLayers = tf.layers as unknown as Record<string, Factory>;

/**
 * Every TF.js layer made for the current graph, those that lead to no output
 * included (a generated graph may leave tensors unused), so that their
 * weights can be freed.
 */
let madeLayers: tf.layers.Layer[] = [];

/** One layer call as a TF.js layer: the same method and options (the generator uses only names TF.js spells the same way). */
function tfLayer(call: LayerCall): tf.layers.Layer {
  const factory = tfLayers[call.method];
  if (factory === undefined) throw new Error(`no TF.js layer for ${call.method}`);
  const layer = factory({ ...call.config });
  madeLayers.push(layer);
  return layer;
}

const applyTf = (layer: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]): tf.SymbolicTensor => layer.apply(x) as tf.SymbolicTensor;
const chainTf = (x: tf.SymbolicTensor, calls: readonly LayerCall[]): tf.SymbolicTensor => calls.reduce((t, c) => applyTf(tfLayer(c), t), x);

/** A merge layer of TF.js over `inputs`; `subtract` by rule {@link RULES.subtractAsAdd}. */
function mergeTf(fn: string, given: tf.SymbolicTensor[], options: { [key: string]: unknown }, rules: RuleName[]): tf.SymbolicTensor {
  const inputs = given.map((t, k) => {
    if (given.indexOf(t) === k) return t;
    rules.push("sameTensorTwice");
    return applyTf(tf.layers.activation({ activation: "linear" }), t);
  });
  if (fn === "subtract") {
    rules.push("subtractAsAdd");
    const negated = applyTf(tf.layers.rescaling({ scale: -1, offset: 0 }), inputs[1]);
    return applyTf(tf.layers.add({ name: options.name as string }), [inputs[0], negated]);
  }
  if (fn === "concatenate" && typeof options.axis === "number" && options.axis < -1) {
    rules.push("concatenateNegativeAxis");
    return applyTf(tf.layers.concatenate({ ...options, axis: inputs[0].shape.length + options.axis }), inputs);
  }
  return applyTf(tfLayers[fn](options), inputs);
}

/** Runs one step in TF.js; the new tensors in order. */
function runTfStep(step: Step, tt: readonly tf.SymbolicTensor[], rules: RuleName[]): tf.SymbolicTensor[] {
  switch (step.kind) {
    case "input":
      return [tf.input({ shape: [...step.shape], name: step.name })];
    case "call":
      return [applyTf(tfLayer(step.call), tt[step.from])];
    case "merge":
      // The shared option only guides shapewise's type-level count: nothing to build.
      return [
        mergeTf(
          step.fn,
          step.from.map((i) => tt[i]),
          step.options,
          rules,
        ),
      ];
    case "residual": {
      const start = tt[step.from];
      const main = chainTf(start, step.main);
      const shortcut = step.shortcut === undefined ? start : chainTf(start, step.shortcut);
      return [applyTf(tf.layers.add({ name: step.name }), step.shortcutFirst ? [shortcut, main] : [main, shortcut])];
    }
    case "branches": {
      const ends = step.branches.map((calls) => chainTf(tt[step.from], calls));
      if (step.merge === undefined) return ends;
      return [mergeTf(step.merge, ends, { name: step.name, ...(step.axis !== undefined ? { axis: step.axis } : {}) }, rules)];
    }
    case "value": {
      // One TF.js layer object applied twice: one set of weights.
      const layer = tfLayer(step.call);
      return step.from.map((i) => applyTf(layer, tt[i]));
    }
    case "submodel": {
      const i = tf.input({ shape: [...step.inputShape], name: step.inputName });
      const inner = tf.model({ inputs: i, outputs: chainTf(i, step.calls), name: step.name });
      return step.from.map((k) => applyTf(inner as unknown as tf.layers.Layer, tt[k]));
    }
  }
}

export function buildTf(g: Graph): { model: tf.LayersModel; rules: RuleName[]; made: tf.layers.Layer[] } {
  const tt: tf.SymbolicTensor[] = [];
  const rules: RuleName[] = [];
  madeLayers = [];
  for (const step of g.steps) {
    const made = runTfStep(step, tt, rules);
    if (made.length !== stepOutputs(step).length) throw new Error(`graph ${g.id}: TF.js step ${step.kind} made ${made.length} tensors`);
    tt.push(...made);
  }
  return { model: tf.model({ inputs: g.inputs.map((i) => tt[i]), outputs: g.outputs.map((o) => tt[o]), name: g.name }), rules, made: madeLayers };
}

/**
 * shapewise's weights by layer name: `getWeights()` is Keras order, layer by
 * layer in `m.layers` order; a model applied as a layer lists its inner
 * layers' weights as `inner/weight`.
 */
export function weightsByLayer(m: Model): Map<string, Tensor[]> {
  const weights = m.getWeights();
  const byLayer = new Map<string, Tensor[]>();
  let next = 0;
  for (const layer of m.layers) {
    for (const spec of layer.weightSpecs()) {
      const key = layer.className === "Functional" ? spec.name.split("/")[0] : layer.name;
      byLayer.set(key, [...(byLayer.get(key) ?? []), weights[next++]]);
    }
  }
  return byLayer;
}

/** The TF.js layers that hold weights, nested models opened. */
export function tfLeafLayers(layers: readonly tf.layers.Layer[]): tf.layers.Layer[] {
  return layers.flatMap((l) => (l instanceof tf.LayersModel ? tfLeafLayers(l.layers) : [l]));
}

/**
 * Frees a TF.js model's weights and those of the graph's other layers.
 * `dispose()` releases each layer once, but a TF.js layer counts its calls:
 * a shared layer or a nested model applied twice would keep its weights, and
 * a layer outside the model is never released; so every layer is released
 * until no call is left.
 */
export function disposeAll(tm: tf.LayersModel, others: readonly tf.layers.Layer[]): void {
  const layers = new Set([...tfLeafLayers(tm.layers), ...others]);
  tm.dispose();
  for (const layer of layers) {
    while (((layer as unknown as { _refCount: number | null })._refCount ?? 0) > 0) layer.dispose();
  }
}
