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
import { arrange, buildGraph, featuresOf, generateGraphs } from "./support/graph-generator.js";
import type { Graph } from "./support/graph-generator.js";
import { buildTf, disposeAll, tfLeafLayers, weightsByLayer } from "./support/graph-tfjs.js";
import type { RuleName } from "./support/graph-tfjs.js";

const SEED = 20261204;
const GRAPHS = 1000;
const TOL = 1e-5;
const BATCH = 2;

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
  const { model: tm, rules, made } = buildTf(g);
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
    disposeAll(tm, made);
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
