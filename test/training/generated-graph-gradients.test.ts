/**
 * Generated proof of the backward passes against TensorFlow.js on
 * functional graphs (`test/support/graph-generator.ts`, fixed seed): 1-3
 * inputs, merges (`add`, `subtract`, `multiply`, `average`, `maximum`,
 * `minimum`, `concatenate`, `dot`), residuals and branches, a layer value
 * applied to two tensors (shared weights), small models applied as layers
 * once or twice (nested, shared), 1-3 outputs. Each graph is built in
 * shapewise and, step by step, in TensorFlow.js as a `tf.model`
 * (`test/support/graph-tfjs.ts`, its rules counted); TensorFlow.js takes
 * shapewise's random weights layer by layer by name. The mean squared error
 * against random labels, summed over the outputs, the forward pass in
 * training mode, is differentiated by our backward pass and by
 * `tf.variableGrads` (cpu backend) with respect to every trainable weight
 * and every input, on the same batch: every gradient within 1e-4 of its
 * largest reference magnitude, or of a hundredth of the model's largest
 * gradient where that is more (a gradient zero in exact arithmetic is
 * float32 noise on both sides), the losses within 1e-5. Dropout draws masks
 * no two generators share: each dropout of a generated graph is made the
 * identity (a linear activation of the same name) in both, and counted.
 * Graphs TensorFlow.js cannot compare are left out by the counted reasons of
 * `test/support/generated-gradients.ts`. The same graphs are compared a
 * second time on the model `tf.loadLayersModel` reads from shapewise's
 * TensorFlow.js artifacts, which proves the files' nodes as well (a layer
 * called outside the model once made a file TF.js waited on forever); there
 * the built graphs' rules cannot apply, so graphs with `subtract` (no TF.js
 * layer), a concatenation below the last axis or a layer reading one tensor
 * twice are left out, counted.
 */
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clearSession } from "../../src/index.js";
import type { Model } from "../../src/index.js";
import type { AnyModel } from "../../src/io/file-graph.js";
import type { Layer } from "../../src/layers/layer.js";
import type { ModelGraph } from "../../src/model-graph.js";
import { trainableParameters } from "../../src/training/engine.js";
import { countBy } from "../support/compare.js";
import { runCases, tallyLine } from "../support/generated-gradients.js";
import type { GradientCase, Tally } from "../support/generated-gradients.js";
import { asTfjs } from "../support/model-gradients.js";
import { buildGraph, generateGraphs } from "../support/graph-generator.js";
import type { Graph, LayerCall } from "../support/graph-generator.js";
import { buildTf, disposeAll, tfLeafLayers, weightsByLayer } from "../support/graph-tfjs.js";
import type { RuleName } from "../support/graph-tfjs.js";

const SEED = 20261207;
const GRAPHS = 400;
const BATCH = 3;

/** Every dropout call made the identity: a linear activation under the same name. */
function withoutDropout(g: Graph): { graph: Graph; dropouts: number } {
  let dropouts = 0;
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v === null || typeof v !== "object") return v;
    const call = v as LayerCall;
    if (call.method === "dropout" && typeof call.config === "object") {
      dropouts++;
      return { method: "activation", config: { activation: "linear", name: call.config.name } };
    }
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
  };
  return { graph: { ...g, steps: walk(g.steps) as Graph["steps"] }, dropouts };
}

const rulesUsed: RuleName[] = [];
let dropoutsMade = 0;

/** A TF.js model's variables in our trainable weights' order, matched by layer name (nested models opened). */
function variablesOf(tm: tf.LayersModel, ours: Model, what: string): tf.LayerVariable[] {
  const byName = new Map<string, tf.layers.Layer>();
  // A nested model is one layer on our side too: its trainable weights are its inner layers', in order, on both.
  const everyTf = (layers: readonly tf.layers.Layer[]): tf.layers.Layer[] =>
    layers.flatMap((l) => (l instanceof tf.LayersModel ? [l as unknown as tf.layers.Layer, ...everyTf(l.layers)] : [l]));
  for (const layer of everyTf(tm.layers)) byName.set(layer.name, layer);
  return trainableParameters((ours as unknown as { layers: readonly Layer[] }).layers).map((p) => {
    const layer = byName.get(p.layer.name) ?? expect.fail(`${what}: no TF.js layer ${p.layer.name}`);
    const k = p.layer.trainableWeightFlags().slice(0, p.index).filter(Boolean).length;
    return layer.trainableWeights[k];
  });
}

/** The graph built step by step in TF.js with our weights, and its variables in our trainable weights' order. */
function builtTwin(g: Graph, ours: Model): { model: tf.LayersModel; variables: tf.LayerVariable[]; dispose: () => void } {
  const { model, rules, made } = buildTf(g);
  rulesUsed.push(...new Set(rules));
  const mine = weightsByLayer(ours);
  for (const layer of tfLeafLayers(model.layers)) {
    const w = mine.get(layer.name);
    if (layer.getWeights().length === 0) continue;
    expect(
      w?.map((t) => [...t.shape]),
      `graph ${g.id}: weights of ${layer.name}`,
    ).toEqual(layer.getWeights().map((t) => t.shape));
    tf.tidy(() => layer.setWeights(w!.map((t) => tf.tensor(t.data, [...t.shape]))));
  }
  return { model, variables: variablesOf(model, ours, `graph ${g.id}`), dispose: () => disposeAll(model, made) };
}

/**
 * TF.js 4.22's Concatenate joins on the last axis for every negative axis (the
 * rule `concatenateNegativeAxis` of the built graphs gives it the axis counted
 * from the front instead); a file states the axis as Keras does.
 */
function concatenateBelowLast(m: AnyModel): string | undefined {
  const layers = (m as unknown as { layers: readonly Layer[] }).layers;
  const every = (ls: readonly Layer[]): Layer[] => ls.flatMap((l) => [l, ...every((l as { model?: { layers: readonly Layer[] } }).model?.layers ?? [])]);
  if (every(layers).some((l) => l.className === "Concatenate" && (l.getConfig().axis as number) < -1))
    return "TensorFlow.js's Concatenate joins on the last axis for every negative axis (read from a file)";
  // The rule `sameTensorTwice` of the built graphs: TF.js frees the tensor after its first read.
  const twice = (m as unknown as { graph(): ModelGraph }).graph().nodes.some((n) => {
    const keys = n.inbound.map((r) => `${r.layer.name}:${r.nodeIndex}:${r.tensorIndex}`);
    return new Set(keys).size < keys.length;
  });
  return twice ? "TensorFlow.js's predict frees a tensor one layer reads twice (read from a file)" : undefined;
}

/** The graph as TF.js loads it from shapewise's artifacts (weights included). */
async function loadedTwin(g: Graph, ours: Model): Promise<{ model: tf.LayersModel; variables: tf.LayerVariable[]; dispose: () => void }> {
  const model = await asTfjs(ours as unknown as AnyModel);
  return { model, variables: variablesOf(model, ours, `graph ${g.id}`), dispose: () => disposeAll(model, []) };
}

beforeAll(async () => {
  await tf.setBackend("cpu");
});

const tallies: Tally[] = [];
afterAll(() => {
  for (const t of tallies) console.log(tallyLine(t));
  console.log(`graph rules used: ${JSON.stringify(countBy(rulesUsed))}; dropouts made the identity: ${dropoutsMade}`);
});

describe("generated graph gradients against tf.variableGrads", () => {
  clearSession();
  const graphs = generateGraphs({ seed: SEED, count: GRAPHS }).map((g) => {
    const { graph, dropouts } = withoutDropout(g);
    dropoutsMade += dropouts;
    return graph;
  });
  const cases = (twin: (g: Graph, ours: Model) => ReturnType<GradientCase["twin"]>, leftOut?: GradientCase["leftOut"]): GradientCase[] =>
    graphs.map((g) => {
      let ours: Model | undefined;
      return {
        build: () => {
          clearSession();
          ours = buildGraph(g).model;
          return ours as unknown as AnyModel;
        },
        twin: async () => twin(g, ours!),
        seed: 5000 + g.id,
        what: `graph ${g.id}`,
        leftOut,
      };
    });

  it(`${GRAPHS} graphs with several inputs and outputs, merges, shared layers and nested models, built in TensorFlow.js as tf.model`, {
    timeout: 600_000,
  }, async () => {
    const t = await runCases(
      "generated graphs built as tf.model",
      cases(async (g, ours) => builtTwin(g, ours)),
      BATCH,
    );
    tallies.push(t);
    expect(t.compared).toBeGreaterThan(GRAPHS / 2);
  });

  it(`the same ${GRAPHS} graphs as tf.loadLayersModel reads shapewise's TensorFlow.js artifacts`, { timeout: 600_000 }, async () => {
    const t = await runCases("generated graphs loaded from shapewise's artifacts", cases(loadedTwin, concatenateBelowLast), BATCH);
    tallies.push(t);
    expect(t.compared).toBeGreaterThan(GRAPHS / 2);
  });
});
