/**
 * Generated hostile Keras files for the `.keras` and `.h5` readers: valid
 * files of small models with their `config.json` changed as the JSON loaders'
 * test changes files, their bytes overwritten or cut short (the zip, the
 * HDF5 weights inside it, the legacy `.h5`), and zip entries dropped or
 * swapped. Each read either gives a model whose summary prints or throws an
 * `Error` whose message is a `shapewise:` sentence, within a time bound.
 */
import fc from "fast-check";
import { unzipSync, zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { clearSession, input, model } from "../../src/index.js";
import type { Model } from "../../src/index.js";
import { modelFromKerasFile } from "../../src/io/keras/read.js";
import { modelToKerasFile, modelToLegacyH5 } from "../../src/io/keras/write.js";
import { mutate, mutationOf } from "../support/json-mutations.js";

const CASES = 40;
const SEED = 20_261_207;
/** A case that takes this long is a failure: these files are a few kilobytes. */
const CASE_MS = 10_000;

function seedModels(): Model[] {
  clearSession();
  const x = input({ shape: [4], name: "x" });
  const chain = model({ inputs: x, outputs: x.dense({ units: 3, activation: "relu" }).dense({ units: 2 }), name: "chain" });
  const img = input({ shape: [6, 6, 1], name: "img" });
  const conv = model({ inputs: img, outputs: img.conv2d({ filters: 2, kernelSize: 3 }).maxPooling2d().flatten().dense({ units: 2 }), name: "conv" });
  return [chain, conv] as unknown as Model[];
}

const seeds = seedModels();
const kerasFiles = await Promise.all(seeds.map((m) => modelToKerasFile(m)));
const h5Files = await Promise.all(seeds.map((m) => modelToLegacyH5(m)));

/** Reads the bytes; passes when they load or give a `shapewise:` sentence, within the time bound. */
async function expectReadsOrSentence(what: string, bytes: Uint8Array): Promise<void> {
  clearSession();
  const started = performance.now();
  let error: unknown;
  try {
    (await modelFromKerasFile(bytes)).summary({ printFn: () => {} });
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
}

/** Bytes overwritten at a few places, or the file cut short. */
const byteChange = fc.oneof(
  fc.record({
    kind: fc.constant("overwrite" as const),
    at: fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
  }),
  fc.record({ kind: fc.constant("cut" as const), keep: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }) }),
);

function changedBytes(bytes: Uint8Array, change: typeof byteChange extends fc.Arbitrary<infer C> ? C : never): Uint8Array {
  if (change.kind === "cut") return bytes.slice(0, Math.floor(change.keep * bytes.length));
  const out = bytes.slice();
  for (const [where, value] of change.at) out[Math.floor(where * out.length)] = value;
  return out;
}

describe(`${CASES} generated hostile Keras files per reader`, () => {
  it(".keras files whose config.json has one or two parts replaced", async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: seeds.length - 1 }), mutationOf, async (which, change) => {
        const entries = unzipSync(kerasFiles[which]);
        let text: string | undefined;
        try {
          text = JSON.stringify(mutate(JSON.parse(new TextDecoder().decode(entries["config.json"])), change));
        } catch {
          // A cycle or a shared sub-object cannot be written as a file.
        }
        if (text === undefined) return;
        await expectReadsOrSentence(`seed ${which} config.json`, zipSync({ ...entries, "config.json": new TextEncoder().encode(text) }));
      }),
      { numRuns: CASES, seed: SEED, endOnFailure: true },
    );
  }, 600_000);

  it(".keras files with bytes overwritten or cut short: in the zip, or in the HDF5 weights inside it", async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: seeds.length - 1 }), fc.boolean(), byteChange, async (which, inside, change) => {
        if (!inside) return expectReadsOrSentence(`seed ${which} .keras bytes`, changedBytes(kerasFiles[which], change));
        const entries = unzipSync(kerasFiles[which]);
        const weights = changedBytes(entries["model.weights.h5"], change);
        return expectReadsOrSentence(`seed ${which} model.weights.h5 bytes`, zipSync({ ...entries, "model.weights.h5": weights }));
      }),
      { numRuns: CASES, seed: SEED, endOnFailure: true },
    );
  }, 600_000);

  it(".keras files with an entry missing or two entries swapped", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: seeds.length - 1 }),
        fc.constantFrom("config.json", "metadata.json", "model.weights.h5"),
        fc.boolean(),
        async (which, name, swap) => {
          const entries = unzipSync(kerasFiles[which]);
          if (swap) {
            const other = name === "config.json" ? "model.weights.h5" : "config.json";
            return expectReadsOrSentence(`seed ${which} ${name} swapped`, zipSync({ ...entries, [name]: entries[other], [other]: entries[name] }));
          }
          const { [name]: _dropped, ...rest } = entries;
          return expectReadsOrSentence(`seed ${which} without ${name}`, zipSync(rest));
        },
      ),
      { numRuns: 12, seed: SEED, endOnFailure: true },
    );
  }, 600_000);

  it("legacy .h5 files with bytes overwritten or cut short", async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: seeds.length - 1 }), byteChange, async (which, change) => {
        await expectReadsOrSentence(`seed ${which} .h5 bytes`, changedBytes(h5Files[which], change));
      }),
      { numRuns: CASES, seed: SEED, endOnFailure: true },
    );
  }, 600_000);
});
