/**
 * What the single-family layer tests share: loosely typed layer calls for
 * table-driven cases (the typed results are checked in `test-d/`), seeded
 * random tensors, the Keras reference cases copied into `test/fixtures/`,
 * and a per-group record of the largest difference seen.
 */
import { readFileSync } from "node:fs";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, beforeEach } from "vitest";
import { clearSession, input, model } from "../../src/index.js";
import type { Model, Tensor } from "../../src/index.js";
import type { Random } from "../../src/kernels/random.js";
import { expectClose } from "./compare.js";

export type Dim = number | null;

/** A symbolic tensor reached by method name, for tables of configs. */
export interface Loose {
  readonly shape: readonly Dim[];
  readonly layerName: string;
  [method: string]: unknown;
}

export const looseInput = (shape: readonly Dim[]): Loose => input({ shape: [...shape] }) as unknown as Loose;
export const call = (x: Loose, method: string, config?: unknown): Loose => (x[method] as (c?: unknown) => Loose).call(x, config);
export const looseModel = model as unknown as (config: { inputs: Loose; outputs: Loose }) => Model;
export const run = (m: Model, x: Tensor): Tensor => (m.predict as unknown as (x: Tensor) => Tensor).call(m, x);

export const sizeOf = (shape: readonly number[]): number => shape.reduce((p, d) => p * d, 1);

/** A tensor of values drawn uniformly from [-2, 2). */
export function randomTensor(shape: readonly number[], random: Random): Tensor {
  const data = new Float32Array(sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = -2 + 4 * random.next();
  return { shape: [...shape], data };
}

/** One entry of the Keras reference cases, as copied into `test/fixtures/keras-cases/`. */
export interface KerasCase {
  name: string;
  input_shape: Dim[];
  layers: { class_name: string; config: Record<string, unknown> }[];
  output_shape: Dim[] | null;
  total_params: number | null;
  trainable_params: number | null;
  non_trainable_params: number | null;
  weights_keras3?: { name: string; shape: number[]; trainable: boolean }[];
  keras3_error?: { type: string; message: string };
  "tfjs_4.22"?: { output_shape?: Dim[]; supported?: false; differs_from_keras3?: boolean };
  forward_keras3?: { inputs: number[][]; output: number[] };
}

/** The reference cases of one family (`test/fixtures/keras-cases/<family>.json`). */
export function kerasCases(family: string): KerasCase[] {
  const url = new URL(`../fixtures/keras-cases/${family}.json`, import.meta.url);
  return (JSON.parse(readFileSync(url, "utf8")) as { cases: KerasCase[] }).cases;
}

/**
 * Sets up a family's test file (cpu TF.js backend, fresh name counters per
 * test) and returns a closeness check that records the largest scaled
 * difference per group, printed after the run with the TF.js tensors left.
 */
export function layerFamilyHarness(file: string, tol = 1e-5, width = 52) {
  const stats = new Map<string, { abs: number; comparisons: number }>();
  beforeAll(async () => {
    await tf.setBackend("cpu");
    await tf.ready();
  });
  beforeEach(() => clearSession());
  afterAll(() => {
    const rows = [...stats.entries()].map(([g, s]) => `  ${g.padEnd(width)} ${s.abs.toExponential(2)} (${s.comparisons} comparisons)`);
    console.log(`${file}: max scaled difference per group\n${rows.join("\n")}\nTF.js tensors left: ${tf.memory().numTensors}`);
  });
  return (actual: ArrayLike<number>, expected: ArrayLike<number>, label: string, group: string): void => {
    const worst = expectClose(actual, expected, label, tol);
    const s = stats.get(group) ?? { abs: 0, comparisons: 0 };
    stats.set(group, { abs: Math.max(s.abs, worst), comparisons: s.comparisons + 1 });
  };
}
