/**
 * Generated proof of the backward passes against TensorFlow.js: stacks over
 * the whole layer catalog (`test/support/catalog-generator.ts`), drawn with
 * a fixed seed. Each model gets random weights (zero biases and moving
 * statistics made non-zero), is written as TensorFlow.js artifacts and
 * loaded with `tf.loadLayersModel`; the gradient of the mean squared error
 * against random labels, the forward pass in training mode (batch
 * statistics), is taken by our backward pass and by `tf.variableGrads` (cpu
 * backend) with respect to every trainable weight and to the model's input
 * (unless it is class ids), on the same batch. Every gradient must agree
 * within 1e-4 of its largest reference magnitude, or of a hundredth of the
 * model's largest gradient where that is more (a gradient zero in exact
 * arithmetic, such as a bias before batch normalisation, is float32 noise on
 * both sides, which follows the rounding of the largest); the losses within
 * 1e-5. The models TensorFlow.js cannot compare are left out by the counted
 * reasons of `test/support/generated-gradients.ts`.
 */
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AnyModel } from "../../src/io/file-graph.js";
import { buildCatalogModel, generateCatalogStacks } from "../support/catalog-generator.js";
import { runCases, tallyLine } from "../support/generated-gradients.js";
import type { Tally } from "../support/generated-gradients.js";
import { asTfjs } from "../support/model-gradients.js";

const STACKS = 1500;
const BATCH = 3;

beforeAll(async () => {
  await tf.setBackend("cpu");
});

const tallies: Tally[] = [];
afterAll(() => {
  for (const t of tallies) console.log(tallyLine(t));
});

describe("generated gradients against tf.variableGrads", () => {
  it(`${STACKS} stacks over the layer catalog`, { timeout: 600_000 }, async () => {
    const stacks = generateCatalogStacks({ seed: 20261206, count: STACKS });
    const t = await runCases(
      "catalog stacks",
      stacks.map((s) => ({
        build: () => buildCatalogModel(s.inputShape, s.calls, s.id) as unknown as AnyModel,
        twin: async (m: AnyModel) => ({ model: await asTfjs(m) }),
        seed: 1000 + s.id,
        what: `stack ${s.id}: ${s.calls.map((c) => c.method).join(" > ")}`,
        indexBound: s.indexBound,
      })),
      BATCH,
    );
    tallies.push(t);
    expect(t.compared).toBeGreaterThan(STACKS / 4);
  });
});
