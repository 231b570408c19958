/**
 * One layer's backward pass against TensorFlow.js's gradients (cpu backend)
 * of the same forward computation written in TF.js operations: the gradient
 * of sum(Σ output_i * dy_i) with respect to every input and every trainable
 * weight, within 1e-4 of the reference's largest magnitude. The forward
 * outputs are compared too, so an oracle that computes something else fails.
 */
import * as tf from "@tensorflow/tfjs";
import { expect } from "vitest";
import { clearSession } from "../../src/index.js";
import { createRandom } from "../../src/kernels/random.js";
import type { Tensor } from "../../src/kernels/tensor.js";
import type { Layer } from "../../src/layers/layer.js";
import { scaledDifference } from "./compare.js";
import { randomTensor as seededTensor } from "./layer-harness.js";

/** The agreement every gradient test asks for: 1e-4 of the reference's largest magnitude. */
export const GRADIENT_TOL = 1e-4;

/** Largest difference per group of cases, for the summary a test file prints after its run. */
export const worstOf = new Map<string, { worst: number; cases: number }>();

/**
 * Records one case's largest difference under its group.
 *
 * @example
 * record("lstm", 3e-7);
 */
export function record(group: string, worst: number): void {
  const s = worstOf.get(group) ?? { worst: 0, cases: 0 };
  worstOf.set(group, { worst: Math.max(s.worst, worst), cases: s.cases + 1 });
}

/**
 * The per-group summary as lines of text.
 *
 * @example
 * console.log(`gradients against TF.js\n${worstLines()}`);
 */
export function worstLines(): string {
  return [...worstOf.entries()].map(([g, s]) => `  ${g.padEnd(28)} ${s.worst.toExponential(2)} (${s.cases} cases)`).join("\n");
}

/**
 * A tensor of `shape` with values drawn uniformly in [-1, 1) from the generator seeded with `seed`.
 *
 * @example
 * const x = randomTensor([2, 3], 7);
 */
export const randomTensor = (shape: readonly number[], seed: number): Tensor => seededTensor(shape, createRandom(seed), -1, 1);

/**
 * The same values as a TF.js tensor.
 *
 * @example
 * tfOf(randomTensor([2, 3], 7)).shape; // [2, 3]
 */
export const tfOf = (t: Tensor): tf.Tensor => tf.tensor(t.data, [...t.shape]);

/** What TF.js computes for the layer: the output (or every output) from the inputs and the weights, in the layer's weight order. */
export type Oracle = (inputs: tf.Tensor[], weights: tf.Tensor[]) => tf.Tensor | tf.Tensor[];

/**
 * Applies `layer` to `shapes` (batch included), draws inputs, weights and an
 * output gradient per output from `seed`, and checks the forward outputs and
 * every gradient against TF.js; returns the largest scaled difference. A
 * layer with several outputs gets the gradients of the others as `dOthers`.
 * `zeroGradients` names weights (by index) whose exact gradient is zero:
 * both sides must be below 1e-5 there.
 *
 * @example
 * checkLayer("dense", new Dense({ units: 3 }), [[2, 4]], ([x], [k, b]) => x.matMul(k).add(b), 1);
 */
export function checkLayer(
  group: string,
  layer: Layer,
  shapes: number[][],
  oracle: Oracle,
  seed: number,
  extraLoss?: (inputs: tf.Tensor[]) => tf.Scalar,
  indices?: Tensor,
  zeroGradients: readonly number[] = [],
): number {
  clearSession();
  (layer.apply as (...s: unknown[]) => unknown).call(layer, ...shapes);
  const specs = layer.weightSpecs();
  if (specs.length > 0) layer.weights = specs.map((spec, i) => randomTensor(spec.shape, seed * 31 + 100 + i));
  const all = (t: tf.Tensor | tf.Tensor[]) => (Array.isArray(t) ? t : [t]);
  // Integer indices (an embedding's input) have no gradient: they enter TF.js as int32 constants.
  const xs = indices !== undefined ? [indices] : shapes.map((s, i) => randomTensor(s, seed * 31 + i));
  if (indices !== undefined) {
    const table = (layer.weights ?? []).map(tfOf);
    const lookup = (ws: tf.Tensor[]) => all(oracle([tf.tensor(indices.data, [...indices.shape], "int32")], ws))[0];
    const { output, saved } = layer.callTraining(xs, { random: createRandom(seed) });
    const dy = randomTensor(output.shape, seed * 31 + 50);
    const ours = layer.gradients!(dy, xs, output, saved);
    expect(ours.inputs[0]).toBeNull();
    const [forward, grad] = tf.tidy(() => [
      lookup(table).dataSync() as Float32Array,
      tf
        .grads((w: tf.Tensor) => lookup([w]).mul(tfOf(dy)).sum())(table)[0]
        .dataSync() as Float32Array,
    ]);
    const worst = Math.max(scaledDifference(output.data, forward, `${group} output`), scaledDifference(ours.weights[0]!.data, grad, `${group} table gradient`));
    record(group, worst);
    expect(worst, `${group} (seed ${seed})`).toBeLessThan(GRADIENT_TOL);
    return worst;
  }
  const { output, outputs, saved, loss } = layer.callTraining(xs, { random: createRandom(seed) });
  const every = outputs ?? [output];
  const dys = every.map((t, i) => randomTensor(t.shape, seed * 31 + 50 + i));
  const ours = layer.gradients!(dys[0], xs, output, saved, dys.slice(1));
  const weights = layer.weights ?? [];
  // Non-trainable weights (moving statistics) enter as constants and get no gradient.
  const trained = specs.map((spec, i) => (spec.trainable ? i : -1)).filter((i) => i >= 0);
  const theirs = tf.tidy(() => {
    const args = [...xs, ...weights].map(tfOf);
    const f = (...varied: tf.Tensor[]) => {
      const ws = weights.map((_, i) => (trained.includes(i) ? varied[xs.length + trained.indexOf(i)] : args[xs.length + i]));
      const ys = all(oracle(varied.slice(0, xs.length), ws));
      const y = ys.map((t, i) => t.mul(tfOf(dys[i])).sum()).reduce((a, b) => a.add(b)) as tf.Scalar;
      return extraLoss === undefined ? y : y.add(extraLoss(varied.slice(0, xs.length)));
    };
    const forward = all(oracle(args.slice(0, xs.length), args.slice(xs.length)));
    return {
      shapes: forward.map((t) => t.shape),
      outputs: forward.map((t) => t.dataSync() as Float32Array),
      grads: tf
        .grads(f)([...args.slice(0, xs.length), ...trained.map((i) => args[xs.length + i])])
        .map((g) => g.dataSync() as Float32Array),
      loss: extraLoss === undefined ? undefined : extraLoss(args.slice(0, xs.length)).dataSync()[0],
    };
  });
  expect(
    every.map((t) => t.shape),
    `${group} output shapes`,
  ).toEqual(theirs.shapes);
  let worst = Math.max(...every.map((t, i) => scaledDifference(t.data, theirs.outputs[i], `${group} output ${i}`)));
  ours.weights.forEach((g, i) => {
    if (!specs[i].trainable) expect(g, `${group} gradient of non-trainable weight ${i}`).toBeNull();
  });
  const mine = [...ours.inputs, ...trained.map((i) => ours.weights[i])];
  expect(mine.length).toBe(theirs.grads.length);
  mine.forEach((g, i) => {
    expect(g, `${group} gradient ${i}`).not.toBeNull();
    expect(g!.shape, `${group} gradient ${i} shape`).toEqual(i < xs.length ? xs[i].shape : weights[trained[i - xs.length]].shape);
    // A weight whose exact gradient is zero (a shift the softmax cancels) carries rounding alone, which no relative measure compares.
    if (i >= xs.length && zeroGradients.includes(trained[i - xs.length])) {
      const largest = Math.max(...Array.from(g!.data, Math.abs), ...Array.from(theirs.grads[i], Math.abs));
      expect(largest, `${group} gradient ${i} (zero in exact arithmetic)`).toBeLessThan(1e-5);
      return;
    }
    worst = Math.max(worst, scaledDifference(g!.data, theirs.grads[i], `${group} gradient ${i}`));
  });
  if (theirs.loss !== undefined) worst = Math.max(worst, Math.abs((loss ?? 0) - theirs.loss) / Math.max(1e-6, Math.abs(theirs.loss)));
  record(group, worst);
  expect(worst, `${group} (seed ${seed})`).toBeLessThan(GRADIENT_TOL);
  return worst;
}
