/**
 * A whole model's training gradients against TensorFlow.js's: the model is
 * written as TensorFlow.js artifacts, loaded with `tf.loadLayersModel`, and
 * `tf.variableGrads` differentiates the same loss (mean squared error summed
 * over the outputs, the forward pass in training mode) with respect to the
 * same trainable weights on the same data. Ours come from the training
 * engine's backward pass with nothing written to the model.
 */
import * as tf from "@tensorflow/tfjs";
import { expect } from "vitest";
import type { Tensor } from "../../src/index.js";
import type { AnyModel } from "../../src/io/file-graph.js";
import { modelToTfjsArtifacts } from "../../src/io/tfjs/write.js";
import { createRandom } from "../../src/kernels/random.js";
import type { Layer } from "../../src/layers/layer.js";
import type { ModelGraph } from "../../src/model-graph.js";
import { TrainingEngine, trainableParameters } from "../../src/training/engine.js";
import { resolveLoss } from "../../src/training/losses.js";
import { resolveOptimizer } from "../../src/training/optimizers.js";
import { scaledDifference } from "./compare.js";

/** The parts of a model the training engine reads. */
interface Trainable {
  graph(): ModelGraph;
  readonly layers: readonly Layer[];
}

/** Our loss and trainable weights' gradients (Keras's order) for inputs `xs` and dense labels `ys`, mean squared error. */
export function ourGradients(m: AnyModel, xs: readonly Tensor[], ys: readonly Tensor[]): { loss: number; gradients: Float32Array[]; shapes: number[][] } {
  const t = m as unknown as Trainable;
  const engine = new TrainingEngine(t.graph(), t.layers, resolveLoss("meanSquaredError"), [], resolveOptimizer("sgd"), createRandom(0));
  const { loss, gradients } = engine.lossGradients(xs, ys);
  const shapes = trainableParameters(t.layers).map((p) => [...p.layer.weights![p.index].shape]);
  return { loss, gradients: gradients.map((g, i) => g ?? expect.fail(`no gradient for trainable weight ${i}`)), shapes };
}

/** The model as TensorFlow.js loads it from shapewise's artifacts. */
export async function asTfjs(m: AnyModel): Promise<tf.LayersModel> {
  const a = modelToTfjsArtifacts(m);
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: a.modelTopology, weightSpecs: a.weightSpecs, weightData: a.weightData }));
}

/** TensorFlow.js's loss and gradients of its model's trainable weights, in its `trainableWeights` order. */
export function tfjsGradients(
  tm: tf.LayersModel,
  xs: readonly Tensor[],
  ys: readonly Tensor[],
): { loss: number; gradients: Float32Array[]; shapes: number[][] } {
  return tf.tidy(() => {
    const vars = tm.trainableWeights.map((w) => w.read() as tf.Variable);
    const inputs = xs.map((x) => tf.tensor(x.data, [...x.shape]));
    const labels = ys.map((y) => tf.tensor(y.data, [...y.shape]));
    const { value, grads } = tf.variableGrads(() => {
      const out = tm.apply(inputs.length === 1 ? inputs[0] : inputs, { training: true }) as tf.Tensor | tf.Tensor[];
      const preds = Array.isArray(out) ? out : [out];
      return preds.map((p, i) => tf.mean(tf.squaredDifference(p, labels[i]))).reduce((a, b) => a.add(b)) as tf.Scalar;
    }, vars);
    return {
      loss: value.dataSync()[0],
      gradients: vars.map((v) => grads[v.name].dataSync() as Float32Array),
      shapes: vars.map((v) => v.shape),
    };
  });
}

/**
 * Both sides' gradients on one batch: the same count and shapes in the same
 * order, the losses within 1e-5 relative; returns the largest difference
 * scaled by each reference gradient's largest magnitude, or by a hundredth
 * of the largest over all weights where that is more.
 *
 * @example
 * const worst = compareGradients(m, await asTfjs(m), [x], [y], "siamese");
 */
export function compareGradients(m: AnyModel, tm: tf.LayersModel, xs: readonly Tensor[], ys: readonly Tensor[], what: string): number {
  const ours = ourGradients(m, xs, ys);
  const theirs = tfjsGradients(tm, xs, ys);
  expect(ours.shapes, `${what}: trainable weights`).toEqual(theirs.shapes);
  expect(Math.abs(ours.loss - theirs.loss) / Math.max(1, Math.abs(theirs.loss)), `${what}: loss ${ours.loss} vs ${theirs.loss}`).toBeLessThan(1e-5);
  // A gradient that is zero in exact arithmetic (a bias before batch normalisation in training) is float32 noise on both
  // sides: each gradient is scaled by at least a hundredth of the model's largest, whose rounding that noise follows.
  const largest = Math.max(...theirs.gradients.map((g) => g.reduce((m, v) => Math.max(m, Math.abs(v)), 0)));
  return Math.max(0, ...ours.gradients.map((g, i) => scaledDifference(g, theirs.gradients[i], `${what}: gradient ${i}`, largest / 100)));
}
