/**
 * A whole model's training gradients against TensorFlow.js's: the same loss
 * (mean squared error summed over the outputs, the forward pass in training
 * mode) differentiated by our backward pass (`src/training/graph-pass.ts`,
 * nothing written to the model) and by `tf.variableGrads` with respect to
 * the same trainable weights and, where asked, the model's inputs, on the
 * same data. The TensorFlow.js model is either loaded from shapewise's
 * artifacts ({@link asTfjs}) or built by a test with the same layers.
 */
import * as tf from "@tensorflow/tfjs";
import { expect } from "vitest";
import type { Tensor } from "../../src/index.js";
import type { AnyModel } from "../../src/io/file-graph.js";
import { modelToTfjsArtifacts } from "../../src/io/tfjs/write.js";
import { createRandom } from "../../src/kernels/random.js";
import type { Layer } from "../../src/layers/layer.js";
import type { ModelGraph } from "../../src/model-graph.js";
import { trainableParameters } from "../../src/training/engine.js";
import { backwardTraining, forwardTraining, tensorKey } from "../../src/training/graph-pass.js";
import { resolveLoss } from "../../src/training/losses.js";
import { scaledDifference } from "./compare.js";

/** The parts of a model the training passes read. */
interface Trainable {
  graph(): ModelGraph;
  readonly layers: readonly Layer[];
}

/** One side's loss, trainable weights' gradients (Keras's order) and inputs' gradients (null where none is asked or none flows). */
export interface ModelGradients {
  readonly loss: number;
  readonly gradients: readonly Float32Array[];
  readonly shapes: readonly number[][];
  readonly inputs: readonly (Float32Array | null)[];
}

/** Our loss and gradients for inputs `xs` and dense labels `ys`, mean squared error summed over the outputs. */
export function ourGradients(m: AnyModel, xs: readonly Tensor[], ys: readonly Tensor[]): ModelGradients {
  const t = m as unknown as Trainable;
  const graph = t.graph();
  const loss = resolveLoss("meanSquaredError");
  const pass = forwardTraining(graph, xs, { random: createRandom(0) });
  let total = pass.loss ?? 0;
  const outputGrads = graph.outputs.map((ref, i) => {
    const pred = pass.values.get(tensorKey(ref, ref.tensorIndex))!;
    const r = loss.compute(ys[i].data, pred.data, pred.shape);
    total += r.value;
    return r.grad;
  });
  const { inputs, weights } = backwardTraining(graph, pass, outputGrads);
  const parameters = trainableParameters(t.layers);
  return {
    loss: total,
    gradients: parameters.map((p, i) => weights.get(p.layer)?.[p.index] ?? expect.fail(`no gradient for trainable weight ${i} (${p.layer.name})`)),
    shapes: parameters.map((p) => [...p.layer.weights![p.index].shape]),
    inputs,
  };
}

/** The model as TensorFlow.js loads it from shapewise's artifacts. */
export async function asTfjs(m: AnyModel): Promise<tf.LayersModel> {
  const a = modelToTfjsArtifacts(m);
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: a.modelTopology, weightSpecs: a.weightSpecs, weightData: a.weightData }));
}

/**
 * TensorFlow.js's loss and gradients of `variables` (by default its model's
 * `trainableWeights`, in that order) and of the inputs flagged in
 * `differentiate`.
 */
export function tfjsGradients(
  tm: tf.LayersModel,
  xs: readonly Tensor[],
  ys: readonly Tensor[],
  variables: readonly tf.LayerVariable[] = tm.trainableWeights,
  differentiate: readonly boolean[] = [],
): ModelGradients {
  const inputVars = xs.map((x, i) => (differentiate[i] ? tf.variable(tf.tensor(x.data, [...x.shape])) : null));
  let result: ModelGradients | undefined;
  try {
    tf.tidy(() => {
      const vars = variables.map((w) => w.read() as tf.Variable);
      const inputs = xs.map((x, i) => inputVars[i] ?? tf.tensor(x.data, [...x.shape]));
      const labels = ys.map((y) => tf.tensor(y.data, [...y.shape]));
      const wanted = [...vars, ...inputVars.filter((v): v is tf.Variable => v !== null)];
      const { value, grads } = tf.variableGrads(() => {
        const out = tm.apply(inputs.length === 1 ? inputs[0] : inputs, { training: true }) as tf.Tensor | tf.Tensor[];
        const preds = Array.isArray(out) ? out : [out];
        return preds.map((p, i) => tf.mean(tf.squaredDifference(p, labels[i]))).reduce((a, b) => a.add(b)) as tf.Scalar;
      }, wanted);
      const read = (v: tf.Variable) => (grads[v.name] === undefined ? new Float32Array(v.size) : (grads[v.name].dataSync() as Float32Array));
      result = {
        loss: value.dataSync()[0],
        gradients: vars.map(read),
        shapes: vars.map((v) => v.shape),
        inputs: inputVars.map((v) => (v === null ? null : read(v))),
      };
    });
  } finally {
    for (const v of inputVars) v?.dispose();
  }
  return result!;
}

function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]));
  return m;
}

/**
 * Both sides' gradients: the same count and shapes in the same order, the
 * losses within 1e-5 relative; returns the largest difference of a weight's
 * or an input's gradient, scaled by that gradient's largest reference
 * magnitude, or by a hundredth of the largest over all of them where that
 * is more (a gradient zero in exact arithmetic is float32 noise on both
 * sides, which follows the rounding of the largest).
 */
export function gradientDifference(ours: ModelGradients, theirs: ModelGradients, what: string): number {
  return worstGradient(ours, theirs, what).difference;
}

/** {@link gradientDifference} with the gradient where it is largest named (`what: gradient 3`, `what: input 0`). */
export function worstGradient(ours: ModelGradients, theirs: ModelGradients, what: string): { difference: number; label: string } {
  expect(ours.shapes, `${what}: trainable weights`).toEqual(theirs.shapes);
  expect(Math.abs(ours.loss - theirs.loss) / Math.max(1, Math.abs(theirs.loss)), `${what}: loss ${ours.loss} vs ${theirs.loss}`).toBeLessThan(1e-5);
  const pairs: [ArrayLike<number>, ArrayLike<number>, string][] = ours.gradients.map((g, i) => [g, theirs.gradients[i], `${what}: gradient ${i}`]);
  theirs.inputs.forEach((g, i) => {
    if (g !== null) pairs.push([ours.inputs[i] ?? new Float32Array(g.length), g, `${what}: input ${i}`]);
  });
  const largest = Math.max(0, ...pairs.map(([, g]) => maxAbs(g)));
  return worstOf(pairs.map(([a, b, label]) => ({ difference: scaledDifference(a, b, label, largest / 100), label })));
}

/** The largest of labelled differences, with its label. */
function worstOf(items: readonly { difference: number; label: string }[]): { difference: number; label: string } {
  return items.reduce((w, d) => (d.difference > w.difference ? d : w), { difference: 0, label: "" });
}

/**
 * Compares one model's trainable weights' gradients with TensorFlow.js's
 * (its `trainableWeights` order, as loaded by {@link asTfjs}); returns the
 * largest scaled difference ({@link gradientDifference}).
 *
 * @example
 * const worst = compareGradients(m, await asTfjs(m), [x], [y], "siamese");
 */
export function compareGradients(m: AnyModel, tm: tf.LayersModel, xs: readonly Tensor[], ys: readonly Tensor[], what: string): number {
  return gradientDifference(ourGradients(m, xs, ys), tfjsGradients(tm, xs, ys), what);
}
