/**
 * Generated proof against TensorFlow.js over random functional graphs.
 *
 * `test/support/graph-generator.ts` draws {@link GRAPHS} graphs (fast-check,
 * fixed seed): 1-3 inputs, chains of core layers, merges (`add`, `subtract`,
 * `multiply`, `average`, `maximum`, `minimum`, `concatenate`, `dot`),
 * `residual` and `branches`, layer values applied to two tensors, small
 * models applied as layers once or twice, 1-3 outputs. Each graph is built
 * in shapewise and, step by step, in `@tensorflow/tfjs` (cpu backend) as a
 * functional `tf.model`: `tf.input`, `tf.layers.*`, the merge layers, a
 * shared layer as one TF.js layer object applied twice, a nested `tf.model`
 * applied as a layer. Every layer has the same explicit name in both, so
 * TF.js takes shapewise's weights (random, so that biases and moving
 * statistics matter) layer by layer by name, nested models included; the test
 * compares every output's shape, the parameter counts (total, trainable,
 * non-trainable) and every output's values on a batch of 2 (within 1e-5
 * scaled, `test/support/compare.ts`).
 *
 * Where TF.js cannot build the same graph, the table {@link RULES} says what
 * is done instead and every use is counted: TF.js 4.22 has no `Subtract`
 * layer, so `subtract([a, b])` becomes `add([a, rescaling(-1)(b)])` (the
 * negation is exact in float32, so the numbers still compare at 1e-5), and
 * TF.js `Concatenate` joins on the last axis for any negative axis, so an
 * axis below -1 is given to it counted from the front, and a layer that
 * would read one tensor twice (two identity branches) reads the second copy
 * through an identity layer, since TF.js predict can fail on it. No
 * graph is skipped: the generator draws `dot` on vectors only (the TF.js
 * `Dot` layer refuses rank 4 or more), flattens images only (TF.js `Flatten`
 * needs rank 3 or more), and draws no layer TF.js computes differently
 * (reference semantics §7).
 */
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { clearSession } from "../src/index.js";
import type { Model, Tensor } from "../src/index.js";
import { createRandom } from "../src/kernels/random.js";
import type { Random } from "../src/kernels/random.js";
import { countBy, expectClose } from "./support/compare.js";
import { arrange, buildGraph, featuresOf, generateGraphs, stepOutputs } from "./support/graph-generator.js";
import type { Graph, LayerCall, Step } from "./support/graph-generator.js";

const SEED = 20261204;
const GRAPHS = 1000;
const TOL = 1e-5;
const BATCH = 2;

/** Every place the TF.js graph is built differently, and why; each use is counted. */
const RULES = {
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
type RuleName = keyof typeof RULES;

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

function buildTf(g: Graph): { model: tf.LayersModel; rules: RuleName[] } {
  const tt: tf.SymbolicTensor[] = [];
  const rules: RuleName[] = [];
  madeLayers = [];
  for (const step of g.steps) {
    const made = runTfStep(step, tt, rules);
    if (made.length !== stepOutputs(step).length) throw new Error(`graph ${g.id}: TF.js step ${step.kind} made ${made.length} tensors`);
    tt.push(...made);
  }
  return { model: tf.model({ inputs: g.inputs.map((i) => tt[i]), outputs: g.outputs.map((o) => tt[o]), name: g.name }), rules };
}

// ---------------------------------------------------------------------------
// Weights, inputs, counts

const sizeOf = (shape: readonly number[]) => shape.reduce((p, d) => p * d, 1);

function randomWeights(m: Model, random: Random): Tensor[] {
  const names = m.layers.flatMap((l) => l.weightSpecs().map((s) => s.name));
  return m.getWeights().map((w, i) => {
    // Variances stay positive; everything else in [-0.5, 0.5), so that biases and statistics take part.
    const positive = /variance/.test(names[i]);
    const data = new Float32Array(w.data.length);
    for (let k = 0; k < data.length; k++) data[k] = positive ? 0.5 + random.next() : random.next() - 0.5;
    return { shape: [...w.shape], data };
  });
}

/**
 * shapewise's weights by layer name: `getWeights()` is Keras order, layer by
 * layer in `m.layers` order; a model applied as a layer lists its inner
 * layers' weights as `inner/weight`.
 */
function weightsByLayer(m: Model): Map<string, Tensor[]> {
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
function tfLeafLayers(layers: readonly tf.layers.Layer[]): tf.layers.Layer[] {
  return layers.flatMap((l) => (l instanceof tf.LayersModel ? tfLeafLayers(l.layers) : [l]));
}

function tfjsCounts(tm: tf.LayersModel): { total: number; trainable: number; nonTrainable: number } {
  const count = (ws: readonly tf.LayerVariable[]) => ws.reduce((p, w) => p + sizeOf(w.shape as number[]), 0);
  return { total: tm.countParams(), trainable: count(tm.trainableWeights), nonTrainable: count(tm.nonTrainableWeights) };
}

/** A model's outputs in order, from one tensor, a tuple or a record. */
function leaves<T>(g: Graph, value: unknown): T[] {
  if (g.outputLayout === "single") return [value as T];
  if (g.outputLayout === "list") return [...(value as T[])];
  return g.outputLayout.keys.map((k) => (value as Record<string, T>)[k]);
}

// ---------------------------------------------------------------------------
// One graph

interface Outcome {
  readonly rules: readonly RuleName[];
  readonly worst: number;
  readonly outputs: number;
}

/**
 * Compares one graph. `perturb` adds 0.05 to the first weight of the first
 * TF.js layer that has any, to show the comparison fails.
 */
function compareGraph(g: Graph, perturb = false): Outcome {
  clearSession();
  const random = createRandom(SEED + g.id);
  const ours = buildGraph(g).model;
  ours.setWeights(randomWeights(ours, random));
  const { model: tm, rules } = buildTf(g);
  const label = `graph ${g.id}`;
  try {
    expect(ours.countParams(), `${label}: shapewise total against the generator's`).toBe(g.params);
    // Shapes and parameter counts.
    expect(
      tm.outputs.map((t) => t.shape.map((d) => d ?? null)),
      `${label}: output shapes`,
    ).toEqual(g.outputShapes);
    const summary = ours.summaryData();
    expect({ total: ours.countParams(), trainable: summary.trainableParams, nonTrainable: summary.nonTrainableParams }, `${label}: parameters`).toEqual(
      tfjsCounts(tm),
    );

    // The same weights, layer by layer by name (TF.js lists a model's
    // trainable weights before its non-trainable ones; Keras and shapewise
    // list each layer's together).
    const mine = weightsByLayer(ours);
    const used = new Set<string>();
    let first = true;
    for (const layer of tfLeafLayers(tm.layers)) {
      const theirs = layer.getWeights();
      if (theirs.length === 0) continue;
      const w = mine.get(layer.name);
      expect(
        w?.map((t) => [...t.shape]),
        `${label}: weights of ${layer.name}`,
      ).toEqual(theirs.map((t) => t.shape));
      used.add(layer.name);
      const values = w!.map((t) => Float32Array.from(t.data));
      if (perturb && first) values[0][0] += 0.05;
      first = false;
      tf.tidy(() => layer.setWeights(w!.map((t, k) => tf.tensor(values[k], [...t.shape]))));
    }
    expect(
      [...mine.keys()].filter((k) => !used.has(k)),
      `${label}: shapewise weights TF.js has no layer for`,
    ).toEqual([]);

    // The same batch.
    const xs: Tensor[] = g.inputs.map((i) => {
      const shape = [BATCH, ...(g.tensors[i].shape.slice(1) as number[])];
      const data = new Float32Array(sizeOf(shape));
      for (let k = 0; k < data.length; k++) data[k] = -2 + 4 * random.next();
      return { shape, data };
    });
    const ys = leaves<Tensor>(g, ours.predict(arrange(g.inputLayout, xs) as never));
    const expected = tf.tidy(() => {
      const out = tm.predict(xs.map((x) => tf.tensor(x.data, [...x.shape])));
      return (Array.isArray(out) ? out : [out]).map((t) => ({ shape: t.shape, data: t.dataSync().slice() }));
    });
    expect(ys.length, `${label}: outputs`).toBe(expected.length);
    let worst = 0;
    ys.forEach((y, k) => {
      expect(y.shape, `${label}: output ${k} shape`).toEqual(expected[k].shape);
      worst = Math.max(worst, expectClose(y.data, expected[k].data, `${label} output ${k}`, TOL));
    });
    return { rules: [...new Set(rules)], worst, outputs: ys.length };
  } finally {
    disposeAll(tm, madeLayers);
  }
}

/**
 * Frees a TF.js model's weights and those of the graph's other layers.
 * `dispose()` releases each layer once, but a TF.js layer counts its calls:
 * a shared layer or a nested model applied twice would keep its weights, and
 * a layer outside the model is never released; so every layer is released
 * until no call is left.
 */
function disposeAll(tm: tf.LayersModel, others: readonly tf.layers.Layer[]): void {
  const layers = new Set([...tfLeafLayers(tm.layers), ...others]);
  tm.dispose();
  for (const layer of layers) {
    while (((layer as unknown as { _refCount: number | null })._refCount ?? 0) > 0) layer.dispose();
  }
}

// ---------------------------------------------------------------------------

clearSession();
const generationStart = performance.now();
const graphs = generateGraphs({ seed: SEED, count: GRAPHS });
const generationMs = performance.now() - generationStart;

describe("functional graphs against TensorFlow.js on generated graphs", () => {
  const outcomes: Outcome[] = [];
  let ms = 0;

  beforeAll(async () => {
    await tf.setBackend("cpu");
    await tf.ready();
  });

  afterAll(() => {
    const perRule = countBy(outcomes.flatMap((o) => o.rules));
    const worst = outcomes.reduce((w, o) => Math.max(w, o.worst), 0);
    console.log(
      `graphs vs TF.js: ${outcomes.length} of ${graphs.length} graphs compared in full (${outcomes.reduce((n, o) => n + o.outputs, 0)} outputs), ` +
        `${graphs.reduce((n, g) => n + g.steps.length, 0)} steps, generated in ${Math.round(generationMs)} ms, compared in ${Math.round(ms)} ms; ` +
        `graphs per rule: ${JSON.stringify(perRule)}; skipped: 0; max scaled difference ${worst.toExponential(2)}; TF.js tensors left: ${tf.memory().numTensors}`,
    );
  });

  it("draws graphs with every form", () => {
    const features = countBy(graphs.flatMap((g) => [...new Set(featuresOf(g))]));
    for (const f of [
      "merge:add",
      "merge:subtract",
      "merge:multiply",
      "merge:average",
      "merge:maximum",
      "merge:minimum",
      "merge:concatenate",
      "merge:dot",
      "merge:broadcast",
      "residual",
      "residual:projected",
      "branches:tuple",
      "branches:concatenate",
      "value:dense",
      "value:conv2d",
      "submodel:once",
      "submodel:twice",
      "inputs:3",
      "outputs:3",
      "outputLayout:record",
      "call:batchNormalization",
      "call:maxPooling2d",
      "call:flatten",
    ]) {
      expect(features[f] ?? 0, f).toBeGreaterThanOrEqual(5);
    }
  });

  it(`${GRAPHS} graphs: output shapes, parameter counts and every output's values agree with TF.js`, { timeout: 240_000 }, () => {
    const start = performance.now();
    const failures: string[] = [];
    for (const g of graphs) {
      try {
        outcomes.push(compareGraph(g));
      } catch (error) {
        const text = String(error).split("\n").slice(0, 8).join("\n");
        failures.push(text.includes(`graph ${g.id}:`) ? text : `graph ${g.id}: ${text}\n${(error as Error).stack?.split("\n").slice(1, 6).join("\n")}`);
      }
    }
    ms = performance.now() - start;
    if (failures.length > 0) console.error(`${failures.length} disagreement(s):\n${failures.slice(0, 10).join("\n\n")}`);
    expect(failures.slice(0, 10)).toEqual([]);
    expect(outcomes.length).toBe(GRAPHS);
  });

  it("the comparison fails when one TF.js weight differs by 0.05", () => {
    // Graphs whose first weighted TF.js layer is a dense or conv kernel every output reads.
    const probes = graphs
      .filter((g) => g.params > 0 && g.outputs.length === 1 && !g.steps.some((s) => s.kind === "call" && s.call.method === "dropout"))
      .slice(0, 20);
    expect(probes.length).toBeGreaterThanOrEqual(10);
    const caught = probes.filter((g) => {
      try {
        compareGraph(g, true);
        return false;
      } catch {
        return true;
      }
    });
    expect(caught.length, `${caught.length} of ${probes.length} perturbed graphs caught`).toBeGreaterThanOrEqual(probes.length * 0.8);
  });
});
