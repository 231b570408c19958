/**
 * Generated hostile model files for every loader: random nested JSON, and
 * valid TensorFlow.js artifacts and Keras JSON with one part replaced (a
 * wrong type, a huge, negative or fractional size, a `__proto__` key, deep
 * nesting, a shared sub-object, a cycle). Each loader either loads or
 * throws an `Error` whose message is a `shapewise:` sentence: never a
 * `TypeError`, `RangeError` or `SyntaxError` from inside, never a hang.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { add, clearSession, input, layers, loadModel, model, modelFromKerasJSON, modelFromTfjsArtifacts, modelToTfjsArtifacts } from "../../src/index.js";
import type { Model } from "../../src/index.js";
import { mutate, mutationOf } from "../support/json-mutations.js";
import type { Json } from "../support/json-mutations.js";

const CASES = 120;
const SEED = 20_261_206;
/** A case that takes this long is a failure: loading is linear in the file, and these files are small. */
const CASE_MS = 10_000;

function seedModels(): Model[] {
  clearSession();
  const x = input({ shape: [4], name: "x" });
  const chain = model({ inputs: x, outputs: x.dense({ units: 3, activation: "relu" }).dense({ units: 2 }), name: "chain" });
  const img = input({ shape: [6, 6, 1], name: "img" });
  const conv = model({ inputs: img, outputs: img.conv2d({ filters: 2, kernelSize: 3 }).maxPooling2d().flatten().dense({ units: 2 }), name: "conv" });
  const i = input({ shape: [4], name: "i" });
  const inner = model({ inputs: i, outputs: i.dense({ units: 4, name: "inner_d" }), name: "inner" });
  const o = input({ shape: [4], name: "o" });
  const shared = layers.dense({ units: 4, name: "shared" });
  const a = shared.apply(inner.apply(o));
  const nested = model({ inputs: o, outputs: add([a, shared.apply(a)] as never) as never, name: "nested" });
  return [chain, conv, nested] as unknown as Model[];
}

const seeds = seedModels();
const tfjs = seeds.map((m) => modelToTfjsArtifacts(m));
const keras = seeds.map((m) => JSON.parse(m.toKerasJSON()) as Json);

const mutation = fc.record({
  which: fc.nat({ max: seeds.length - 1 }),
  change: mutationOf,
});

function isJsonable(value: Json): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}

/** Runs a load; passes when it loads or throws a plain `Error` (or `ShapeError`) with a `shapewise:` sentence, within the time bound. */
async function expectLoadsOrSentence(what: string, load: () => unknown): Promise<void> {
  const started = performance.now();
  let error: unknown;
  try {
    const loaded = await load();
    // What loads is a model whose summary prints.
    (loaded as Model).summary({ printFn: () => {} });
  } catch (e) {
    error = e;
  }
  const ms = performance.now() - started;
  expect(ms, `${what} took ${Math.round(ms)} ms`).toBeLessThan(CASE_MS);
  if (error === undefined) return;
  expect(error, `${what}: ${String(error)}`).toBeInstanceOf(Error);
  const e = error as Error;
  expect(["Error", "ShapeError"], `${what}: ${e.name}: ${e.message}\n${e.stack}`).toContain(e.name);
  expect(e.message, `${what}: ${e.stack}`).toMatch(/^shapewise: /);
  expect(e.message.length, what).toBeLessThan(2000);
  expect(({} as Record<string, unknown>).polluted, "Object.prototype was polluted").toBeUndefined();
}

async function allLoaders(label: string, topology: Json, kerasJson: Json, weightData: ArrayBuffer, weightSpecs: Json): Promise<void> {
  clearSession();
  await expectLoadsOrSentence(`${label} modelFromTfjsArtifacts`, () => modelFromTfjsArtifacts({ modelTopology: topology, weightSpecs } as never, weightData));
  await expectLoadsOrSentence(`${label} modelFromKerasJSON (object)`, () => modelFromKerasJSON(kerasJson as object));
  const text = isJsonable(kerasJson);
  if (text !== undefined) await expectLoadsOrSentence(`${label} modelFromKerasJSON (text)`, () => modelFromKerasJSON(text));
  const modelJson = isJsonable({ modelTopology: topology, weightsManifest: [{ paths: ["weights.bin"], weights: weightSpecs }], format: "layers-model" });
  if (modelJson !== undefined) {
    await expectLoadsOrSentence(`${label} loadModel (files)`, () =>
      loadModel([new File([modelJson], "model.json"), new File([new Uint8Array(weightData)], "weights.bin")] as never),
    );
  }
}

describe(`${CASES} generated hostile model files per loader`, () => {
  it("random nested JSON in place of a whole file", async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 6 }), async (random) => {
        await allLoaders("random", random, random, new ArrayBuffer(0), random);
      }),
      { numRuns: CASES, seed: SEED, endOnFailure: true },
    );
  }, 600_000);

  it("valid files with one or two parts replaced", async () => {
    await fc.assert(
      fc.asyncProperty(mutation, async (m) => {
        const base = tfjs[m.which];
        const topology = mutate(base.modelTopology, m.change);
        const weightSpecs = mutate(base.weightSpecs, m.change);
        const kerasJson = mutate(keras[m.which], m.change);
        await allLoaders(`seed ${m.which}`, topology, kerasJson, base.weightData as ArrayBuffer, weightSpecs);
      }),
      { numRuns: CASES, seed: SEED, endOnFailure: true },
    );
  }, 600_000);
});
