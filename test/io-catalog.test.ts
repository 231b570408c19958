/**
 * Generated proof of the file formats over the whole layer catalog: random
 * valid stacks (`test/support/catalog-generator.ts`, fixed seed) of every
 * family, each with random weights, go
 *
 * - through Keras 3 JSON (`toKerasJSON` -> `modelFromKerasJSON`): the same
 *   classes, names and configs, the same text written again, and with the
 *   same weights the same predictions;
 * - through codegen, run: the same classes, names, configs and totals;
 * - to TensorFlow.js (`modelToTfjsArtifacts` -> `tf.loadLayersModel`): either
 *   the writer refuses with the reason TensorFlow.js would compute something
 *   else (every refusal counted by reason), or TensorFlow.js predicts the
 *   same numbers to 1e-5, and shapewise reads the same file back to the same
 *   weights and predictions.
 */
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import * as shapewise from "../src/index.js";
import { ShapeError, clearSession } from "../src/index.js";
import type { Tensor } from "../src/index.js";
import { codegen } from "../src/io/codegen.js";
import type { AnyModel } from "../src/io/file-graph.js";
import { modelFromKerasJSON } from "../src/io/keras/json-read.js";
import { toKerasJSON } from "../src/io/keras/json-write.js";
import { modelFromTfjsArtifacts } from "../src/io/tfjs/read.js";
import { modelToTfjsArtifacts, tfjsModelJson } from "../src/io/tfjs/write.js";
import { createRandom } from "../src/kernels/random.js";
import { expectClose } from "./support/compare.js";
import { buildCatalogModel, generateCatalogStacks } from "./support/catalog-generator.js";
import type { CatalogStack } from "./support/catalog-generator.js";

const SEED = 20261125;
const STACKS = 1000;

const stacks = generateCatalogStacks({ seed: SEED, count: STACKS, minLayers: 1, maxLayers: 6 });
const refused = new Map<string, number>();
let tfjsCompared = 0;

function build(s: CatalogStack): AnyModel {
  clearSession();
  const m = buildCatalogModel(s.inputShape, s.calls, s.id) as unknown as AnyModel;
  const random = createRandom(s.id + 1);
  // Scaled initial values and small random numbers for zeros: biases and statistics matter, variances stay positive.
  m.setWeights(m.getWeights().map((w) => ({ shape: w.shape, data: w.data.map((v) => (v === 0 ? 0.2 * (random.next() - 0.5) : v * (0.5 + random.next()))) })));
  return m;
}

/**
 * A batch of 2 for a stack; unknown sizes start at 6 (the largest the
 * generator draws) and double while the stack's windows do not fit them.
 */
function sample(s: CatalogStack, m: AnyModel): Tensor {
  for (let unknown = 6; ; unknown *= 2) {
    const random = createRandom(1000 + s.id);
    const shape = [2, ...s.inputShape.map((d) => d ?? unknown)];
    const size = shape.reduce((p, d) => p * d, 1);
    const data = new Float32Array(size).map(() => (s.indexBound === undefined ? 2 * random.next() - 1 : Math.floor(random.next() * s.indexBound)));
    const x = { shape, data } as Tensor;
    try {
      predict(m, x);
      return x;
    } catch (error) {
      if (!(error instanceof ShapeError) || !s.inputShape.includes(null) || unknown >= 96) throw error;
    }
  }
}

const predict = (m: AnyModel, x: Tensor): Float32Array => (m.predict as unknown as (t: Tensor) => Tensor)(x).data;

/** Runs codegen's source with the package's functions in scope (imports and `export` are the only non-JavaScript parts). */
function runSource(source: string): AnyModel {
  const body = source
    .split("\n")
    .filter((l) => !l.startsWith("import "))
    .join("\n")
    .replace(/^export const m = /m, "return ");
  const names = ["input", "layers", "model", "sequential", "add", "subtract", "multiply", "average", "maximum", "minimum", "concatenate", "dot"];
  const api = shapewise as unknown as Record<string, unknown>;
  return new Function(...names, body)(...names.map((n) => api[n])) as AnyModel;
}

beforeAll(async () => {
  await tf.setBackend("cpu");
});

afterAll(() => {
  const lines = [...refused.entries()].sort((a, b) => b[1] - a[1]).map(([reason, n]) => `  ${n} x ${reason}`);
  console.log(`io-catalog: ${stacks.length} stacks; TensorFlow.js compared ${tfjsCompared}, refused ${stacks.length - tfjsCompared}:\n${lines.join("\n")}`);
});

describe(`${STACKS} generated catalog stacks through every model format`, () => {
  it("Keras 3 JSON and codegen give the same model back; predictions equal with the same weights", () => {
    for (const s of stacks) {
      const m = build(s);
      const describeModel = (x: AnyModel) => x.layers.map((l) => [l.className, l.name, l.getConfig()]);
      const text = toKerasJSON(m);
      const back = modelFromKerasJSON(text);
      expect(describeModel(back), `stack ${s.id} via Keras JSON`).toEqual(describeModel(m));
      expect(toKerasJSON(back), `stack ${s.id} text again`).toBe(text);
      back.setWeights(m.getWeights());
      const x = sample(s, m);
      expectClose(predict(back, x), predict(m, x), `stack ${s.id} via Keras JSON`, 0);

      const generated = runSource(codegen(m));
      expect(describeModel(generated), `stack ${s.id} via codegen`).toEqual(describeModel(m));
      expect(generated.countParams()).toBe(s.params);
    }
  });

  it("TensorFlow.js predicts the same, or the writer says why it cannot; shapewise reads its file back", async () => {
    for (const s of stacks) {
      const m = build(s);
      let artifacts: ReturnType<typeof modelToTfjsArtifacts>;
      try {
        artifacts = modelToTfjsArtifacts(m);
      } catch (error) {
        expect(error, `stack ${s.id}`).toBeInstanceOf(ShapeError);
        const message = (error as Error).message;
        expect(message).toMatch(/^shapewise: cannot write layer '[^']+' \([A-Za-z0-9]+\) for TensorFlow\.js: /);
        const reason = message
          .replace(/^.*for TensorFlow\.js: /, "")
          .replace(/\d+/g, "N")
          .replace(/'[^']*'/g, "'…'");
        refused.set(reason, (refused.get(reason) ?? 0) + 1);
        continue;
      }
      const x = sample(s, m);
      const ours = predict(m, x);
      const theirs = await tf.loadLayersModel(
        tf.io.fromMemory({ modelTopology: artifacts.modelTopology, weightSpecs: artifacts.weightSpecs, weightData: artifacts.weightData }),
      );
      // The TensorFlow.js cpu backend cannot normalise rank-5 tensors: the file is right, the backend lacks the kernel.
      const rank5Norm = m.layers.some((l) => /Normalization$/.test(l.className) && (l.inputShape?.length ?? 0) === 5);
      if (!rank5Norm) {
        const y = tf.tidy(() => (theirs.predict(tf.tensor(x.data, [...x.shape])) as tf.Tensor).dataSync() as Float32Array);
        expectClose(y, ours, `stack ${s.id} in TensorFlow.js (${s.calls.map((c) => c.method).join(", ")})`, 1e-5);
      }
      theirs.dispose();
      tfjsCompared++;
      const back = modelFromTfjsArtifacts(tfjsModelJson(artifacts), new Uint8Array(artifacts.weightData));
      expect(
        back.getWeights().map((w) => Array.from(w.data)),
        `stack ${s.id} weights`,
      ).toEqual(m.getWeights().map((w) => Array.from(w.data)));
      expectClose(predict(back, x), ours, `stack ${s.id} read back`, 0);
    }
    // Most stacks are written: refusals are the documented TensorFlow.js gaps, not the rule.
    expect(tfjsCompared).toBeGreaterThan(STACKS / 3);
  }, 120_000);
});
