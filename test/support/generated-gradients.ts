/**
 * The shared part of the generated gradient proofs
 * (`test/training/generated-*-gradients.test.ts`): which models
 * TensorFlow.js cannot compare, each by a named reason that is counted, and
 * the comparison loop with its printed counts.
 *
 * A model is left out when its training pass draws random numbers (dropout
 * and noise: no two generators share masks), when class ids repeat into a
 * max (a tie, where the gradient is not unique), when it has no trainable
 * weight, when TensorFlow.js has no such layer or option (its writer
 * refuses it), computes another forward pass (then no gradient can agree),
 * or has a gradient that is missing or wrong for one of its layers. Each
 * such TensorFlow.js gradient bug is pinned by
 * `test/training/tfjs-gradient-bugs.test.ts`, which fails when TensorFlow.js
 * changes, so that the rule can go.
 */
import * as tf from "@tensorflow/tfjs";
import { expect } from "vitest";
import type { Tensor } from "../../src/index.js";
import type { AnyModel } from "../../src/io/file-graph.js";
import { createRandom } from "../../src/kernels/random.js";
import type { Layer } from "../../src/layers/layer.js";
import { arrange } from "../../src/model-graph.js";
import type { ModelGraph, TensorLayout } from "../../src/model-graph.js";
import { trainableParameters } from "../../src/training/engine.js";
import { countBy } from "./compare.js";
import { GRADIENT_TOL } from "./gradient-check.js";
import { ourGradients, tfjsGradients, worstGradient } from "./model-gradients.js";
import type { ModelGradients } from "./model-gradients.js";

/** Layers whose training pass draws random numbers. */
const STOCHASTIC = new Set(["Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "GaussianDropout", "GaussianNoise", "AlphaDropout"]);

/** The TensorFlow.js gradient bugs a model is left out for; each is pinned in `test/training/tfjs-gradient-bugs.test.ts`. */
export const TFJS_GRADIENT_BUGS = {
  upSampling: "TensorFlow.js's upSampling2d gradient mixes a batch's examples",
  averagePoolSame: "TensorFlow.js's avgPool gradient with padding 'same' divides by the whole window where its forward pass divides by the values inside",
  normalizationWithoutGammaOrBeta: "TensorFlow.js's gradient of a batch or layer normalisation without gamma or beta reads a missing weight",
  recurrentInputGradient: "TensorFlow.js's gradient into a recurrent or timeDistributed layer's input of one time step throws",
  dilatedConvolution: "TensorFlow.js has no gradient for a dilated convolution (2-D, separable, depthwise or 3-D)",
  broadcastMinMax: "TensorFlow.js's gradient of a broadcast maximum or minimum keeps the broadcast shape and throws",
  batchNormalizationRank5: "TensorFlow.js has no batch normalisation of rank 5 in training",
  transposed3d: "TensorFlow.js has no gradient for a 3-D transposed convolution",
} as const;

const everyLayer = (layers: readonly Layer[]): Layer[] =>
  layers.flatMap((l) => {
    const inner = (l as { model?: { layers: readonly Layer[] } }).model;
    const wrapped = (l as { inner?: Layer }).inner;
    return [l, ...(wrapped === undefined ? [] : everyLayer([wrapped])), ...(inner === undefined ? [] : everyLayer(inner.layers))];
  });

/** Why a model cannot be compared before anything runs, or undefined. */
export function staticReason(m: AnyModel, indices: boolean): string | undefined {
  const layers = everyLayer(m.layers);
  const random = layers.find((l) => STOCHASTIC.has(l.className));
  if (random !== undefined) return `random in training (${random.className})`;
  // Repeated ids give equal rows, which tie in a max: there the gradient is not unique (TensorFlow.js gives it to every tied element).
  if (indices && layers.some((l) => l.className.includes("Max"))) return "repeated ids tie in a max";
  if (trainableParameters(m.layers).length === 0) return "no trainable weight";
  for (const l of layers) {
    if (l.className === "UpSampling2D") return TFJS_GRADIENT_BUGS.upSampling;
    const config = l.getConfig();
    if (/^AveragePooling[123]D$/.test(l.className) && config.padding === "same" && (config.poolSize as number[]).some((k) => k > 1))
      return TFJS_GRADIENT_BUGS.averagePoolSame;
    if ((l.className === "BatchNormalization" || l.className === "LayerNormalization") && (config.center === false || config.scale === false))
      return TFJS_GRADIENT_BUGS.normalizationWithoutGammaOrBeta;
  }
  return undefined;
}

/** The reason for an error TensorFlow.js raised, or undefined for an error of ours. */
function tfjsReason(error: unknown): string | undefined {
  const text = String(error);
  if (/Argument tensors passed to stack must be/.test(text)) return TFJS_GRADIENT_BUGS.recurrentInputGradient;
  if (/gradient of (fused )?(conv2D|depthwiseConv2dNative|conv3D): dilation rates greater than 1 are not yet supported/.test(text))
    return TFJS_GRADIENT_BUGS.dilatedConvolution;
  if (/Error in gradient for op (Maximum|Minimum)\. The gradient of input '[ab]' has shape/.test(text)) return TFJS_GRADIENT_BUGS.broadcastMinMax;
  if (/batchNormalization is not implemented for array of rank 5/.test(text)) return TFJS_GRADIENT_BUGS.batchNormalizationRank5;
  if (/gradient function not found for Conv3DBackpropInputV2/.test(text)) return TFJS_GRADIENT_BUGS.transposed3d;
  return undefined;
}

/** The writer's refusal as a reason: the layer's class and the rule, without the layer's name or numbers. */
export function refusalReason(error: unknown): string {
  const text = String(error);
  const m = /\((\w+)\) for TensorFlow\.js: (.*)/.exec(text);
  if (m === null) throw error;
  return `no TensorFlow.js form (${m[1]}: ${m[2].replace(/\s*\(got [^)]*\)/g, "").slice(0, 70)})`;
}

/** One model to compare: built fresh, its TensorFlow.js twin, its trainable weights there in our order. */
export interface GradientCase {
  readonly what: string;
  readonly seed: number;
  readonly build: () => AnyModel;
  /** Inputs are class ids below this bound (an embedding first): no input gradient then. */
  readonly indexBound?: number;
  /** A reason to leave the model out that only this way of making the TensorFlow.js model has, or undefined. */
  readonly leftOut?: (m: AnyModel) => string | undefined;
  /** The TensorFlow.js model with the same weights, and the variables matching our trainable weights in order. */
  readonly twin: (m: AnyModel) => Promise<{ model: tf.LayersModel; variables?: tf.LayerVariable[]; dispose?: () => void }>;
}

export interface Outcome {
  readonly compared: boolean;
  readonly reason?: string;
  readonly difference?: number;
  /** The gradient where the difference is largest. */
  readonly where?: string;
  /** Why the inputs' gradients were not compared, where the weights' were. */
  readonly inputsLeftOut?: string;
}

const sizeOf = (shape: readonly number[]) => shape.reduce((p, d) => p * d, 1);

function uniform(shape: readonly number[], seed: number, scale = 1): Tensor {
  const random = createRandom(seed);
  const data = new Float32Array(sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = scale * (2 * random.next() - 1);
  return { shape: [...shape], data } as Tensor;
}

function ids(shape: readonly number[], bound: number, seed: number): Tensor {
  const random = createRandom(seed);
  const data = new Float32Array(sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = Math.floor(random.next() * bound);
  return { shape: [...shape], data } as Tensor;
}

/** Weights that differ everywhere (zero biases and statistics become small numbers; variances stay positive). */
export function randomize(m: AnyModel, seed: number): void {
  const random = createRandom(seed);
  m.setWeights(m.getWeights().map((w) => ({ shape: w.shape, data: w.data.map((v) => (v === 0 ? 0.2 * (random.next() - 0.5) : v * (0.5 + random.next()))) })));
}

/** Compares one model's gradients (weights and inputs) with TensorFlow.js's, or says why it cannot. */
export async function compareCase(c: GradientCase, batch: number): Promise<Outcome> {
  const m = c.build();
  const early = staticReason(m, c.indexBound !== undefined) ?? c.leftOut?.(m);
  if (early !== undefined) return { compared: false, reason: early };
  const graph = (m as unknown as { graph(): ModelGraph }).graph();
  const concrete = (shape: readonly (number | null)[]) => shape.map((d, i) => (i === 0 ? batch : (d ?? 3)));
  const xs = graph.inputs.map((ref, i) =>
    c.indexBound !== undefined ? ids(concrete(ref.shape), c.indexBound, c.seed + i) : uniform(concrete(ref.shape), c.seed + i),
  );
  randomize(m, c.seed);
  let twin: Awaited<ReturnType<GradientCase["twin"]>>;
  try {
    twin = await c.twin(m);
  } catch (error) {
    return { compared: false, reason: refusalReason(error) };
  }
  const tm = twin.model;
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
    let theirs: Float32Array[];
    try {
      theirs = predictTfjs(tm, xs);
    } catch (error) {
      const reason = tfjsReason(error);
      if (reason === undefined) throw error;
      return { compared: false, reason };
    }
    const forwardAgrees = oursList.every((y, i) => y.data.every((v, j) => Math.abs(v - theirs[i][j]) <= 1e-5 * Math.max(1, Math.abs(theirs[i][j]))));
    if (!forwardAgrees) {
      const classes = [...new Set(everyLayer(m.layers).map((l) => l.className))].sort().join(", ");
      return { compared: false, reason: `TensorFlow.js computes another forward pass (${classes.slice(0, 80)})` };
    }
    const ys = oursList.map((y, i) => uniform(y.shape, c.seed + 100 + i, 0.5));
    const mine = ourGradients(m, xs, ys);
    const differentiate = xs.map(() => c.indexBound === undefined);
    let inputsLeftOut: string | undefined;
    let reference: ModelGradients;
    try {
      reference = tfjsGradients(tm, xs, ys, twin.variables, differentiate);
    } catch (error) {
      const reason = tfjsReason(error);
      if (reason === undefined || !differentiate.some(Boolean)) {
        if (reason === undefined) throw error;
        return { compared: false, reason };
      }
      // Where only the inputs' gradient fails in TensorFlow.js, the weights' are still compared.
      try {
        reference = tfjsGradients(tm, xs, ys, twin.variables);
        inputsLeftOut = reason;
      } catch (again) {
        const r = tfjsReason(again);
        if (r === undefined) throw again;
        return { compared: false, reason: r };
      }
    }
    const worst = worstGradient(mine, reference, c.what);
    return { compared: true, difference: worst.difference, where: worst.label, inputsLeftOut };
  } finally {
    if (twin.dispose !== undefined) twin.dispose();
    else tm.dispose();
  }
}

function predictTfjs(tm: tf.LayersModel, xs: readonly Tensor[]): Float32Array[] {
  return tf.tidy(() => {
    const out = tm.predict(xs.length === 1 ? tf.tensor(xs[0].data, [...xs[0].shape]) : xs.map((x) => tf.tensor(x.data, [...x.shape])));
    return (Array.isArray(out) ? out : [out]).map((y) => y.dataSync() as Float32Array);
  });
}

/** What a run of cases gave, for the printed counts. */
export interface Tally {
  readonly kind: string;
  generated: number;
  compared: number;
  inputsCompared: number;
  worst: number;
  where: string;
  readonly leftOut: string[];
  readonly inputsLeftOut: string[];
  ms: number;
}

/** Compares every case; each difference must stay below GRADIENT_TOL. */
export async function runCases(kind: string, cases: readonly GradientCase[], batch: number): Promise<Tally> {
  const t: Tally = { kind, generated: cases.length, compared: 0, inputsCompared: 0, worst: 0, where: "", leftOut: [], inputsLeftOut: [], ms: 0 };
  const started = performance.now();
  const failures: string[] = [];
  for (const c of cases) {
    const outcome = await compareCase(c, batch);
    if (!outcome.compared) {
      t.leftOut.push(outcome.reason!);
      continue;
    }
    t.compared++;
    if (outcome.inputsLeftOut !== undefined) t.inputsLeftOut.push(outcome.inputsLeftOut);
    else if (c.indexBound === undefined) t.inputsCompared++;
    if (outcome.difference! >= t.worst) {
      t.worst = outcome.difference!;
      t.where = outcome.where!;
    }
    if (!(outcome.difference! < GRADIENT_TOL)) failures.push(`${outcome.where}: scaled difference ${outcome.difference}`);
  }
  t.ms = performance.now() - started;
  expect(failures.slice(0, 10), `${failures.length} of ${t.compared} compared cases beyond ${GRADIENT_TOL}`).toEqual([]);
  return t;
}

/** The counts a closing note quotes. */
export function tallyLine(t: Tally): string {
  return (
    `${t.kind}: ${t.generated} generated, ${t.compared} compared with tf.variableGrads (weights; inputs too in ${t.inputsCompared}), ` +
    `largest scaled difference ${t.worst.toExponential(2)} (${t.where}), ${Math.round(t.ms)} ms; left out: ${JSON.stringify(countBy(t.leftOut))}; ` +
    `inputs' gradients left out: ${JSON.stringify(countBy(t.inputsLeftOut))}`
  );
}
