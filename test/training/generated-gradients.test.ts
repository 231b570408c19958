/**
 * Generated proof of the backward passes against TensorFlow.js: stacks over
 * the whole layer catalog (`test/support/catalog-generator.ts`), drawn with
 * a fixed seed.
 * Each model gets random weights (zero biases and moving statistics made
 * non-zero), is written as TensorFlow.js artifacts and loaded with
 * `tf.loadLayersModel`; the gradient of the mean squared error against
 * random labels, the forward pass in training mode (batch statistics), is
 * taken by our training engine and by `tf.variableGrads` (cpu backend) with
 * respect to every trainable weight, on the same batch. Every gradient must
 * agree within 1e-4 of its largest reference magnitude, and the losses
 * within 1e-5.
 *
 * A model is left out, by a counted reason, when TensorFlow.js cannot
 * compare it: a layer it does not have (the writer refuses it) or computes
 * differently (its inference-mode prediction differs from ours: the rules
 * of `test/catalog-tfjs.test.ts`, where the forward passes are compared),
 * or a layer that draws random numbers in training (dropout and noise),
 * whose masks no two generators share, or TensorFlow.js has no gradient
 * for it (dilated and transposed 3-D convolutions, batch normalisation of
 * rank 5 in training, a layer normalisation with neither gamma nor beta, whose
 * gradient crashes it), or its gradient is wrong (up-sampling past batch 1:
 * pinned below against block sums), or class ids repeat into a max (a tie,
 * where the gradient is not unique). A gradient that is zero in exact
 * arithmetic (a bias before batch normalisation) is float32 noise on both
 * sides, so each gradient is scaled by at least a hundredth of the model's
 * largest. Work in progress: 150 stacks today; the 153rd makes TensorFlow.js
 * throw in its own gradient ("Argument tensors passed to stack"), still to be
 * sorted before the count grows to 500.
 */
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Tensor } from "../../src/index.js";
import type { AnyModel } from "../../src/io/file-graph.js";
import { createRandom } from "../../src/kernels/random.js";
import type { Layer } from "../../src/layers/layer.js";
import { arrange } from "../../src/model-graph.js";
import type { ModelGraph, TensorLayout } from "../../src/model-graph.js";
import { UpSampling2D } from "../../src/layers/reshaping.js";
import { trainableParameters } from "../../src/training/engine.js";
import { buildCatalogModel, generateCatalogStacks } from "../support/catalog-generator.js";
import { countBy } from "../support/compare.js";
import { GRADIENT_TOL } from "../support/gradient-check.js";
import { asTfjs, compareGradients } from "../support/model-gradients.js";

const STACKS = 150;
const BATCH = 3;

/** Layers whose training pass draws random numbers. */
const STOCHASTIC = new Set(["Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "GaussianDropout", "GaussianNoise", "AlphaDropout"]);

function everyLayer(layers: readonly Layer[]): Layer[] {
  return layers.flatMap((l) => {
    const inner = (l as { model?: { layers: readonly Layer[] } }).model;
    return [l, ...(inner === undefined ? [] : everyLayer(inner.layers))];
  });
}

/** Weights that differ everywhere (zero biases and statistics become small numbers; variances stay positive). */
function randomize(m: AnyModel, seed: number): void {
  const random = createRandom(seed);
  m.setWeights(m.getWeights().map((w) => ({ shape: w.shape, data: w.data.map((v) => (v === 0 ? 0.2 * (random.next() - 0.5) : v * (0.5 + random.next()))) })));
}

function uniform(shape: readonly number[], seed: number, scale = 1): Tensor {
  const random = createRandom(seed);
  const data = new Float32Array(shape.reduce((p, d) => p * d, 1));
  for (let i = 0; i < data.length; i++) data[i] = scale * (2 * random.next() - 1);
  return { shape: [...shape], data } as Tensor;
}

function indices(shape: readonly number[], bound: number, seed: number): Tensor {
  const random = createRandom(seed);
  const data = new Float32Array(shape.reduce((p, d) => p * d, 1));
  for (let i = 0; i < data.length; i++) data[i] = Math.floor(random.next() * bound);
  return { shape: [...shape], data } as Tensor;
}

const concrete = (shape: readonly (number | null)[]): number[] => shape.map((d, i) => (i === 0 ? BATCH : (d ?? 3)));

interface Outcome {
  readonly compared: boolean;
  readonly reason?: string;
  readonly difference?: number;
}

/** Compares one model's gradients with TensorFlow.js's, or says why it cannot. */
async function check(m: AnyModel, seed: number, what: string, indexBound?: number): Promise<Outcome> {
  const layers = everyLayer(m.layers);
  const random = layers.find((l) => STOCHASTIC.has(l.className));
  if (random !== undefined) return { compared: false, reason: `random in training (${random.className})` };
  // Repeated ids give equal rows, which tie in a max: there the gradient is not unique (TensorFlow.js gives it to every tied element).
  if (indexBound !== undefined && layers.some((l) => l.className.includes("Max"))) return { compared: false, reason: "repeated ids tie in a max" };
  if (trainableParameters(m.layers).length === 0) return { compared: false, reason: "no trainable weight" };
  // TensorFlow.js's cpu gradient of a nearest resize mixes the examples of a batch (pinned below): ours is checked against block sums there.
  if (layers.some((l) => l.className === "UpSampling2D")) return { compared: false, reason: "TensorFlow.js's upSampling2d gradient is wrong past batch 1" };
  const graph = (m as unknown as { graph(): ModelGraph }).graph();
  const xs = graph.inputs.map((ref, i) =>
    indexBound !== undefined ? indices(concrete(ref.shape), indexBound, seed + i) : uniform(concrete(ref.shape), seed + i),
  );
  randomize(m, seed);
  let tm: tf.LayersModel;
  try {
    tm = await asTfjs(m);
  } catch (error) {
    return { compared: false, reason: `no TensorFlow.js form (${String(error).split(":").slice(0, 2).join(":").slice(0, 60)})` };
  }
  try {
    // Inference-mode outputs first: where TensorFlow.js computes something else, no gradient can agree.
    const { inputLayout, outputLayout } = m as unknown as { inputLayout: TensorLayout; outputLayout: TensorLayout };
    const ours = (m.predict as unknown as (x: unknown) => unknown)(arrange(inputLayout, xs));
    const oursList =
      outputLayout === "single"
        ? [ours as Tensor]
        : outputLayout === "list"
          ? (ours as Tensor[])
          : outputLayout.keys.map((k) => (ours as Record<string, Tensor>)[k]);
    const theirs = tf.tidy(() => {
      const out = tm.predict(xs.length === 1 ? tf.tensor(xs[0].data, [...xs[0].shape]) : xs.map((x) => tf.tensor(x.data, [...x.shape])));
      return (Array.isArray(out) ? out : [out]).map((t) => t.dataSync() as Float32Array);
    });
    const forwardAgrees = oursList.every((y, i) => y.data.every((v, j) => Math.abs(v - theirs[i][j]) <= 1e-5 * Math.max(1, Math.abs(theirs[i][j]))));
    if (!forwardAgrees) {
      const classes = [...new Set(layers.map((l) => l.className))].sort().join(", ");
      return { compared: false, reason: `TensorFlow.js computes another forward pass (${classes.slice(0, 80)})` };
    }
    const ys = oursList.map((y, i) => uniform(y.shape, seed + 100 + i, 0.5));
    try {
      return { compared: true, difference: compareGradients(m, tm, xs, ys, what) };
    } catch (error) {
      // TensorFlow.js has no gradient for some options (dilated 3-D convolutions): finite differences check those.
      // A layer normalisation with neither gamma nor beta crashes TensorFlow.js's gradient (it reads a missing tensor).
      if (/not yet supported in gradients|gradient function not found|not implemented for|reading 'dataId'/.test(String(error)))
        return { compared: false, reason: "TensorFlow.js has no gradient for it" };
      throw error;
    }
  } catch (error) {
    if (/not implemented for/.test(String(error))) return { compared: false, reason: "TensorFlow.js cannot run it" };
    throw error;
  } finally {
    tm.dispose();
  }
}

beforeAll(async () => {
  await tf.setBackend("cpu");
});

const results: { kind: string; compared: number; worst: number; where: string; skipped: string[] }[] = [];
afterAll(() => {
  for (const r of results) {
    console.log(
      `${r.kind}: ${r.compared} models compared with tf.variableGrads, largest scaled difference ${r.worst.toExponential(2)} (${r.where}); left out: ${JSON.stringify(countBy(r.skipped))}`,
    );
  }
});

async function run(kind: string, models: readonly { build: () => AnyModel; seed: number; what: string; indexBound?: number }[]): Promise<number> {
  const r = { kind, compared: 0, worst: 0, where: "", skipped: [] as string[] };
  results.push(r);
  for (const c of models) {
    const started = performance.now();
    const outcome = await check(c.build(), c.seed, c.what, c.indexBound);
    if (process.env.GRADIENT_TIMES) console.log(`${(performance.now() - started).toFixed(0)} ms ${c.what} ${outcome.reason ?? outcome.difference}`);
    if (!outcome.compared) {
      r.skipped.push(outcome.reason!);
      continue;
    }
    r.compared++;
    if (outcome.difference! >= r.worst) {
      r.worst = outcome.difference!;
      r.where = c.what;
    }
    expect(outcome.difference!, c.what).toBeLessThan(GRADIENT_TOL);
  }
  return r.compared;
}

describe("generated gradients against tf.variableGrads", () => {
  it("leaves out upSampling2d because TensorFlow.js's gradient of it mixes a batch's examples, where ours is the block sum", () => {
    const [batch, height, width, channels] = [2, 3, 4, 1];
    const x = tf.tensor(
      Array.from({ length: batch * height * width * channels }, (_, i) => i),
      [batch, height, width, channels],
    );
    const dy = Float32Array.from({ length: batch * 2 * height * width * channels }, (_, i) => Math.sin(i));
    // The gradient of nearest up-sampling by [2, 1]: each input value gets the sum of the two outputs it was copied to.
    const blockSum = new Float32Array(x.size);
    for (let b = 0; b < batch; b++)
      for (let h = 0; h < 2 * height; h++)
        for (let w = 0; w < width; w++) blockSum[(b * height + Math.floor(h / 2)) * width + w] += dy[(b * 2 * height + h) * width + w];
    const theirs = tf.tidy(() =>
      tf
        .grad((a: tf.Tensor) =>
          tf.sum(tf.mul(tf.layers.upSampling2d({ size: [2, 1] }).apply(a) as tf.Tensor, tf.tensor(dy, [batch, 2 * height, width, channels]))),
        )(x)
        .dataSync(),
    );
    const layer = new UpSampling2D({ size: [2, 1] });
    layer.apply([null, height, width, channels]);
    const [dx] = layer.gradients({ shape: [batch, 2 * height, width, channels], data: dy }, [
      { shape: [batch, height, width, channels], data: x.dataSync() as Float32Array },
    ]).inputs;
    const ours = dx?.data ?? expect.fail("upSampling2d gave no input gradient");
    x.dispose();
    expect(Math.max(...blockSum.map((v, i) => Math.abs(v - ours[i])))).toBeLessThan(1e-6);
    expect(Math.max(...blockSum.map((v, i) => Math.abs(v - theirs[i])))).toBeGreaterThan(0.1);
  });

  it(`${STACKS} stacks over the layer catalog`, { timeout: 600_000 }, async () => {
    const stacks = generateCatalogStacks({ seed: 20261206, count: STACKS });
    const compared = await run(
      "catalog stacks",
      stacks.map((s) => ({
        build: () => buildCatalogModel(s.inputShape, s.calls, s.id) as unknown as AnyModel,
        seed: 1000 + s.id,
        what: `stack ${s.id}: ${s.calls.map((c) => c.method).join(" > ")}`,
        indexBound: s.indexBound,
      })),
    );
    expect(compared).toBeGreaterThan(STACKS / 5);
  });
});
