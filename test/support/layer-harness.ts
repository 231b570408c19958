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
export const looseModel = model as unknown as (config: { inputs: Loose | Loose[]; outputs: Loose | Loose[]; seed?: number }) => Model;
export const run = (m: Model, x: Tensor): Tensor => (m.predict as unknown as (x: Tensor) => Tensor).call(m, x);

export const sizeOf = (shape: readonly number[]): number => shape.reduce((p, d) => p * d, 1);

/** `n` values drawn uniformly from [lo, hi). */
export function randomData(n: number, random: Random, lo: number, hi: number): Float32Array {
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = lo + (hi - lo) * random.next();
  return data;
}

/** A tensor of values drawn uniformly from [lo, hi), by default [-2, 2). */
export function randomTensor(shape: readonly number[], random: Random, lo = -2, hi = 2): Tensor {
  return { shape: [...shape], data: randomData(sizeOf(shape), random, lo, hi) };
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
  weights_keras3?: { name: string; path?: string; shape: number[]; trainable: boolean }[];
  keras3_error?: { type: string; message: string };
  "tfjs_4.22"?: { output_shape?: Dim[]; supported?: false; differs_from_keras3?: boolean };
  forward_keras3?: { inputs: number[][]; weights?: { path: string; shape: number[]; values: number[] }[]; output: number[] };
}

/** The reference cases of one family (`test/fixtures/keras-cases/<family>.json`). */
export function kerasCases(family: string): KerasCase[] {
  const url = new URL(`../fixtures/keras-cases/${family}.json`, import.meta.url);
  return (JSON.parse(readFileSync(url, "utf8")) as { cases: KerasCase[] }).cases;
}

/**
 * Sets up a family's test file (cpu TF.js backend, fresh name counters per
 * test) and returns a closeness check (`tol` unless a call gives its own)
 * that returns the largest scaled difference and records it per group,
 * printed after the run with the TF.js tensors left; a check without a
 * group (one that is meant to fail, say) is not recorded.
 *
 * @example
 * const expectClose = layerFamilyHarness("layers/pooling.test.ts");
 * expectClose(ours.data, theirs, "maxPooling2d same", "against TF.js");
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
  return (actual: ArrayLike<number>, expected: ArrayLike<number>, label: string, group?: string, tolerance = tol): number => {
    const worst = expectClose(actual, expected, label, tolerance);
    if (group !== undefined) {
      const s = stats.get(group) ?? { abs: 0, comparisons: 0 };
      stats.set(group, { abs: Math.max(s.abs, worst), comparisons: s.comparisons + 1 });
    }
    return worst;
  };
}
