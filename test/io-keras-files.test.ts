/**
 * Keras model files both ways. Keras 3.15.1's own `.keras`, legacy `.h5` and
 * `.weights.h5` files of four small models (fixtures/keras-files, made by
 * make-reference.py there) load and predict Keras's stored outputs to 1e-5;
 * what shapewise writes reads back to the same numbers and has the zip
 * entries, HDF5 groups, attributes, dataset names, dtypes and layout of
 * Keras's own files of the same models; hostile files are refused, each
 * with a sentence.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { strFromU8, unzipSync, zipSync } from "fflate";
import { afterAll, describe, expect, it } from "vitest";

import {
  clearSession,
  input,
  loadModel,
  loadWeightsFromBytes,
  model,
  modelFromKerasFile,
  modelFromKerasJSON,
  modelToKerasFile,
  tensor,
  weightsToKerasFile,
} from "../src/node/index.js";
import type { Tensor } from "../src/node/index.js";
import type { AnyModel } from "../src/io/file-graph.js";
import { writeHdf5 } from "../src/io/keras/hdf5.js";
import type { H5Group } from "../src/io/keras/hdf5.js";
import { kerasSnakeCase } from "../src/io/keras/layout.js";
import { hdf5 } from "../src/io/keras/libraries.js";
import { repoRoot } from "./support/tsc.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = (name: string) => new Uint8Array(readFileSync(path.join(here, "fixtures/keras-files", name)));

interface KerasCase {
  readonly name: string;
  readonly inputShape: number[];
  readonly input: number[];
  readonly outputShape: number[];
  readonly output: number[];
  readonly params: number;
}
const cases: KerasCase[] = JSON.parse(readFileSync(path.join(here, "fixtures/keras-files/cases.json"), "utf8")).cases;
const caseOf = (name: string) => cases.find((c) => c.name === name)!;

const scratch = mkdtempSync(path.join(tmpdir(), "shapewise-keras-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function predictCase(m: AnyModel, c: KerasCase): Tensor {
  return (m.predict as unknown as (x: Tensor) => Tensor)(tensor(c.inputShape, Float32Array.from(c.input)) as Tensor);
}

function expectKerasOutput(m: AnyModel, c: KerasCase): void {
  const y = predictCase(m, c);
  expect(y.shape).toEqual(c.outputShape);
  const worst = c.output.reduce((w, v, i) => Math.max(w, Math.abs(v - y.data[i])), 0);
  expect(worst).toBeLessThanOrEqual(1e-5);
}

/** Expects a ShapeError whose message contains every part. */
async function refused(run: () => Promise<unknown>, ...parts: string[]): Promise<string> {
  let message = "";
  try {
    await run();
  } catch (error) {
    expect((error as Error).name).toBe("ShapeError");
    message = (error as Error).message;
  }
  expect(message, "the call should have been refused").not.toBe("");
  for (const part of parts) expect(message).toContain(part);
  return message;
}

/**
 * An HDF5 file's structure as text, one line per group, attribute and
 * dataset: names, types (class, size, byte order, string set and
 * variable-length flag), shapes, chunking and filters, and the values of
 * `name` attributes; not the weight values. With `anyCountWidth`, an
 * integer scalar dataset's width is left out (see below).
 */
async function structure(bytes: Uint8Array, anyCountWidth = true): Promise<string[]> {
  const h5 = await hdf5();
  const file = `/structure-${Math.random().toString(36).slice(2)}.h5`;
  h5.FS!.writeFile(file, bytes);
  const f = new h5.File(file, "r");
  const lines: string[] = [];
  const type = (m: { type: number; size: number | string; littleEndian: boolean; cset?: number; vlen: boolean; shape: unknown }) =>
    `class ${m.type} size ${m.size} ${m.littleEndian ? "le" : "be"} cset ${m.cset ?? "-"} vlen ${m.vlen} shape ${JSON.stringify(m.shape)}`;
  const attrs = (p: string, node: { attrs: Record<string, { metadata: never; value: unknown }> }) => {
    for (const [k, a] of Object.entries(node.attrs)) lines.push(`${p} @${k} ${type(a.metadata)}${k === "name" ? ` = ${String(a.value)}` : ""}`);
  };
  const walk = (p: string, g: InstanceType<typeof h5.Group>) => {
    attrs(p, g as never);
    for (const key of g.keys()) {
      const child = g.get(key)!;
      const at = `${p}/${key}`;
      if (child instanceof h5.Group) {
        lines.push(`${at}/`);
        walk(at, child);
      } else if (child instanceof h5.Dataset) {
        // A count (an integer scalar) is int32 in Keras 3 on JAX and int64 on TensorFlow and in tf.keras 2; shapewise writes int64.
        const meta = child.metadata as { type: number; shape: unknown; size: number };
        const count = anyCountWidth && meta.type === 0 && Array.isArray(meta.shape) && meta.shape.length === 0;
        lines.push(
          `${at} ${type((count ? { ...meta, size: "4 or 8" } : meta) as never)} chunks ${JSON.stringify(child.metadata.chunks)} filters ${JSON.stringify(child.filters)}`,
        );
        attrs(at, child as never);
      } else lines.push(`${at} ${child.constructor.name}`);
    }
  };
  walk("", f);
  f.close();
  h5.FS!.unlink(file);
  return lines;
}

/** A legacy .h5 file's `model_config`, `layer_names`, and each layer's `weight_names`. */
async function attributeValues(bytes: Uint8Array): Promise<{ config: string; layerNames: string[]; weightNames: Record<string, string[]> }> {
  const h5 = await hdf5();
  const file = `/values-${Math.random().toString(36).slice(2)}.h5`;
  h5.FS!.writeFile(file, bytes);
  const f = new h5.File(file, "r");
  try {
    const list = (v: unknown): string[] => (Array.isArray(v) ? (v as string[]) : []);
    const root = f.get("model_weights") as InstanceType<typeof h5.Group>;
    const layerNames = list(root.attrs.layer_names.value);
    const weightNames = Object.fromEntries(
      [...layerNames, "top_level_model_weights"].map((n) => [n, list((root.get(n) as InstanceType<typeof h5.Group>).attrs.weight_names.value)]),
    );
    return { config: String(f.attrs.model_config.value), layerNames, weightNames };
  } finally {
    f.close();
    h5.FS!.unlink(file);
  }
}

/** The zip's entries as Keras lays them out: order, names, compression method. */
function zipLayout(bytes: Uint8Array): string[] {
  const out: string[] = [];
  unzipSync(bytes, {
    filter: (e) => {
      out.push(`${e.name} method ${e.compression}`);
      return false;
    },
  });
  return out;
}

/**
 * A copy of a Keras weights file (groups, `name` attributes, float
 * datasets), where `change` may replace a dataset or add to a group.
 */
async function copyWeightsFile(
  bytes: Uint8Array,
  change: { dataset?: (path: string, group: H5Group, data: Float32Array, shape: number[]) => boolean; group?: (path: string, group: H5Group) => void },
): Promise<Uint8Array> {
  const h5 = await hdf5();
  const source = `/copy-source-${Math.random().toString(36).slice(2)}.h5`;
  h5.FS!.writeFile(source, bytes);
  const f = new h5.File(source, "r");
  try {
    return await writeHdf5((out) => {
      const walk = (p: string, from: H5Group, to: H5Group) => {
        for (const [k, a] of Object.entries(from.attrs)) to.create_attribute(k, a.value as string, null, "S");
        for (const key of from.keys()) {
          const child = from.get(key)!;
          const at = p === "" ? key : `${p}/${key}`;
          if (child instanceof h5.Group) walk(at, child, to.create_group(key));
          else {
            const ds = child as InstanceType<typeof h5.Dataset>;
            const data = ds.value as Float32Array;
            if (!change.dataset?.(at, to, data, ds.shape as number[])) to.create_dataset({ name: key, data, shape: ds.shape as number[], dtype: "<f" });
          }
        }
        change.group?.(p, to);
      };
      walk("", f, out);
    });
  } finally {
    f.close();
    h5.FS!.unlink(source);
  }
}

describe("Keras 3.15.1's files read into shapewise", () => {
  for (const c of cases) {
    it(`${c.name}.keras loads with its names and weights and predicts Keras's outputs to 1e-5`, async () => {
      const m = await modelFromKerasFile(fixture(`${c.name}.keras`));
      expect(m.countParams()).toBe(c.params);
      const config = JSON.parse(strFromU8(unzipSync(fixture(`${c.name}.keras`))["config.json"]));
      expect(m.name).toBe(config.config.name);
      expect(m.layers.map((l) => l.name)).toEqual(config.config.layers.map((l: { config: { name: string } }) => l.config.name));
      expectKerasOutput(m, c);
    });

    it(`${c.name}.h5 (legacy format) loads and predicts Keras's outputs to 1e-5`, async () => {
      const m = await loadModel(path.join(here, "fixtures/keras-files", `${c.name}.h5`));
      expect(m.countParams()).toBe(c.params);
      expectKerasOutput(m, c);
    });

    it(`${c.name}.weights.h5 loads onto the same model built from its topology and predicts Keras's outputs`, async () => {
      const config = strFromU8(unzipSync(fixture(`${c.name}.keras`))["config.json"]);
      const m = modelFromKerasJSON(config);
      await m.loadWeights(path.join(here, "fixtures/keras-files", `${c.name}.weights.h5`));
      expectKerasOutput(m, c);
    });
  }

  it("a .weights.h5 reads onto a model built in code whose layer names differ: Keras matches by class and position", async () => {
    clearSession();
    const x = input({ shape: [20] });
    const h = x.dense({ units: 32, name: "hidden" }).batchNormalization().activation({ activation: "gelu" }).dropout({ rate: 0.3 });
    const m = model({ inputs: x, outputs: h.dense({ units: 3, activation: "softmax", name: "classes" }) });
    await loadWeightsFromBytes(m, fixture("mlp.weights.h5"));
    expectKerasOutput(m, caseOf("mlp"));
  });
});

describe("shapewise writes Keras files", () => {
  for (const c of cases) {
    it(`${c.name}: the .keras it writes reads back (path and bytes) and predicts Keras's outputs`, async () => {
      const m = await modelFromKerasFile(fixture(`${c.name}.keras`));
      const file = path.join(scratch, `${c.name}.keras`) as `${string}.keras`;
      const saved = await m.save(file);
      expect(saved.bytes).toBe(readFileSync(file).length);
      const back = await loadModel(file);
      expect(back.layers.map((l) => l.name)).toEqual(m.layers.map((l) => l.name));
      expectKerasOutput(back, c);
      expectKerasOutput(await modelFromKerasFile(await modelToKerasFile(m)), c);
    });

    it(`${c.name}: the legacy .h5 it writes reads back, predicts Keras's outputs and has the HDF5 structure of Keras's own .h5`, async () => {
      const m = await modelFromKerasFile(fixture(`${c.name}.keras`));
      const file = path.join(scratch, `${c.name}.h5`) as `${string}.h5`;
      const saved = await m.save(file);
      expect(saved.bytes).toBe(readFileSync(file).length);
      const back = await loadModel(file);
      expect(back.layers.map((l) => l.name)).toEqual(m.layers.map((l) => l.name));
      expectKerasOutput(back, c);
      expect(await structure(readFileSync(file))).toEqual(await structure(fixture(`${c.name}.h5`)));
      const ours = await attributeValues(readFileSync(file));
      const keras = await attributeValues(fixture(`${c.name}.h5`));
      expect(ours.layerNames).toEqual(keras.layerNames);
      expect(ours.weightNames).toEqual(keras.weightNames);
      // Keras's config has what Keras's own calls add (Dropout's training, BatchNormalization's mask); the rest is the same.
      expect(JSON.parse(ours.config).config.layers.map((l: { class_name: string; name: string }) => [l.class_name, l.name])).toEqual(
        JSON.parse(keras.config).config.layers.map((l: { class_name: string; name: string }) => [l.class_name, l.name]),
      );
      expect(Object.keys(JSON.parse(ours.config))).toEqual(Object.keys(JSON.parse(keras.config)));
    });

    it(`${c.name}: the .weights.h5 it writes reads back onto a fresh model`, async () => {
      const m = await modelFromKerasFile(fixture(`${c.name}.keras`));
      const file = path.join(scratch, `${c.name}.weights.h5`);
      await m.saveWeights(file);
      const fresh = modelFromKerasJSON(m.toKerasJSON());
      await fresh.loadWeights(file);
      expectKerasOutput(fresh, c);
    });

    it(`${c.name}: its weights files have the HDF5 structure of Keras's own (groups, name attributes, datasets, dtypes, layout)`, async () => {
      const m = await modelFromKerasFile(fixture(`${c.name}.keras`));
      const ours = await weightsToKerasFile(m);
      expect(await structure(ours)).toEqual(await structure(fixture(`${c.name}.weights.h5`)));
      const inside = unzipSync(await modelToKerasFile(m));
      expect(await structure(inside["model.weights.h5"])).toEqual(await structure(unzipSync(fixture(`${c.name}.keras`))["model.weights.h5"]));
    });

    it(`${c.name}: its .keras zip has Keras's entries in Keras's order, stored, with the same config`, async () => {
      const m = await modelFromKerasFile(fixture(`${c.name}.keras`));
      const ours = await modelToKerasFile(m);
      expect(zipLayout(ours)).toEqual(zipLayout(fixture(`${c.name}.keras`)));
      const parts = unzipSync(ours);
      expect(JSON.parse(strFromU8(parts["config.json"]))).toEqual(JSON.parse(m.toKerasJSON()));
      expect(Object.keys(JSON.parse(strFromU8(parts["metadata.json"])))).toEqual(
        Object.keys(JSON.parse(strFromU8(unzipSync(fixture(`${c.name}.keras`))["metadata.json"]))),
      );
    });

    it(`${c.name}: each layer's config has only keys Keras 3 writes for that layer, and Keras's build_config form`, async () => {
      const m = await modelFromKerasFile(fixture(`${c.name}.keras`));
      type Entry = { class_name: string; config: Record<string, unknown>; build_config?: Record<string, unknown> };
      const layersOf = (text: string): Entry[] => JSON.parse(text).config.layers;
      const keras = new Map(layersOf(strFromU8(unzipSync(fixture(`${c.name}.keras`))["config.json"])).map((l) => [l.config.name, l]));
      for (const ours of layersOf(m.toKerasJSON())) {
        const theirs = keras.get(ours.config.name)!;
        // Keras 3's SimpleRNN takes `seed` but leaves it out of its config; a load accepts it.
        const extra = Object.keys(ours.config).filter((k) => !(k in theirs.config) && !(k === "seed" && ours.class_name === "SimpleRNN"));
        expect(extra, `${ours.class_name} '${ours.config.name}': keys Keras 3 does not write, which its constructor may refuse`).toEqual([]);
        // Keras leaves build_config out for layers without weights; where it writes one, the form must match (attention builds from named shapes).
        if (theirs.build_config !== undefined)
          expect(Object.keys(ours.build_config ?? {}), `${ours.class_name} '${ours.config.name}' build_config`).toEqual(Object.keys(theirs.build_config));
      }
    });
  }

  it("save refuses a .weights.h5 path and saveWeights a path without .weights.h5, with a sentence", async () => {
    const m = await modelFromKerasFile(fixture("mlp.keras"));
    await refused(() => m.save(path.join(scratch, "m.weights.h5")), "use saveWeights");
    await refused(() => m.saveWeights(path.join(scratch, "m.h5")), "ending in .weights.h5");
  });

  it("an adapted normalization keeps mean, variance and an int64 count through .keras and .weights.h5", async () => {
    const inputs = input({ shape: [3] });
    const m = model({ inputs, outputs: inputs.normalization({ name: "norm" }).dense({ units: 2, name: "head" }), seed: 3 });
    m.adapt("norm", tensor([4, 3], [0, 7, 4, 2, 9, 6, 0, 7, 4, 2, 9, 6]));
    const file = path.join(scratch, "adapted.keras") as `${string}.keras`;
    await m.save(file);
    const back = await loadModel(file);
    expect(back.countParams()).toBe(15);
    expect(back.getWeights()).toEqual(m.getWeights());
    const x = tensor([2, 3], [1, 2, 3, 4, 5, 6]);
    expect(back.predict(x as never)).toEqual(m.predict(x));
    const lines = await structure(unzipSync(readFileSync(file))["model.weights.h5"], false);
    // Keras's three non-trainable variables, the count an int64 scalar as Keras declares it.
    expect(lines.filter((l) => /^\/layers\/normalization\/vars\/\d/.test(l))).toEqual([
      expect.stringMatching(/^\/layers\/normalization\/vars\/0 class 1 size 4 le .* shape \[3\]/),
      expect.stringMatching(/^\/layers\/normalization\/vars\/1 class 1 size 4 le .* shape \[3\]/),
      expect.stringMatching(/^\/layers\/normalization\/vars\/2 class 0 size 8 le .* shape \[\]/),
    ]);
    const legacy = path.join(scratch, "adapted.h5") as `${string}.h5`;
    await m.save(legacy);
    const fromLegacy = await loadModel(legacy);
    expect(fromLegacy.getWeights()).toEqual(m.getWeights());
    expect((await attributeValues(readFileSync(legacy))).weightNames.norm).toEqual(["norm/mean", "norm/variance", "norm/count"]);
    const fresh = modelFromKerasJSON(m.toKerasJSON());
    expect(fresh.getWeights()[0].data).toEqual(new Float32Array(3));
    await loadWeightsFromBytes(fresh, await weightsToKerasFile(m));
    expect(fresh.getWeights()).toEqual(m.getWeights());
  });

  it("class names become Keras's snake_case path names", () => {
    expect(["Conv2DTranspose", "GlobalMaxPooling1D", "PReLU", "SimpleRNN", "InputLayer", "LSTM", "MultiHeadAttention"].map(kerasSnakeCase)).toEqual([
      "conv2d_transpose",
      "global_max_pooling1d",
      "p_re_lu",
      "simple_rnn",
      "input_layer",
      "lstm",
      "multi_head_attention",
    ]);
  });
});

describe("hostile Keras files are refused with a sentence", () => {
  const limits = { maxBytes: 1_000_000, maxJsonBytes: 100_000 };

  it("a truncated .keras zip", async () => {
    const bytes = fixture("mlp.keras");
    await refused(() => modelFromKerasFile(bytes.subarray(0, bytes.length - 200)), "not a readable zip archive");
  });

  it("a zip entry declaring more bytes than the limits, before it is decompressed", async () => {
    const parts = unzipSync(fixture("mlp.keras"));
    const bomb = zipSync({ "config.json": parts["config.json"], "model.weights.h5": [new Uint8Array(5_000_000), { level: 9 }] });
    expect(bomb.length).toBeLessThan(20_000);
    await refused(() => modelFromKerasFile(bomb, limits), "declares 'model.weights.h5' as 5000000 bytes", "limit of 1100000 bytes", "maxBytes");
  });

  it("a zip entry whose data is shorter than its declared size", async () => {
    const parts = unzipSync(fixture("mlp.keras"));
    const zip = zipSync({ "config.json": parts["config.json"], "model.weights.h5": [parts["model.weights.h5"], { level: 0 }] });
    // Raise the declared size in the local and central headers: the data no longer fills it.
    const view = new DataView(zip.buffer);
    for (let i = 0; i + 4 <= zip.length; i++) {
      const sig = view.getUint32(i, true);
      const nameAt = sig === 0x04034b50 ? i + 30 : sig === 0x02014b50 ? i + 46 : -1;
      if (nameAt < 0) continue;
      const nameLength = view.getUint16(i + (sig === 0x04034b50 ? 26 : 28), true);
      if (strFromU8(zip.subarray(nameAt, nameAt + nameLength)) !== "model.weights.h5") continue;
      const at = i + (sig === 0x04034b50 ? 18 : 20);
      view.setUint32(at, view.getUint32(at, true) + 1_000_000, true);
      view.setUint32(at + 4, view.getUint32(at + 4, true) + 1_000_000, true);
    }
    await refused(() => modelFromKerasFile(zip), "entry 'model.weights.h5'", "damaged or truncated");
  });

  it("a truncated HDF5 file", async () => {
    const bytes = fixture("mlp.h5");
    await refused(() => modelFromKerasFile(bytes.subarray(0, bytes.length - 100), { fileName: "mlp.h5" }), "mlp.h5 is not a readable HDF5 file", "truncated");
  });

  it("a weights-only file where a model is expected", async () => {
    await refused(
      () => modelFromKerasFile(fixture("mlp.weights.h5"), { fileName: "mlp.weights.h5" }),
      "this HDF5 file has no model config: it holds weights only; build the model and call loadWeights",
    );
    await refused(() => loadModel(path.join(here, "fixtures/keras-files/seq.weights.h5")), "holds weights only");
  });

  it("neither zip nor HDF5", async () => {
    await refused(() => modelFromKerasFile(new TextEncoder().encode('{"class_name": "Functional"}')), "neither a .keras zip nor an HDF5 .h5 file");
  });

  it("a dataset whose shape disagrees with the topology", async () => {
    clearSession();
    const x = input({ shape: [20] });
    const wide = model({ inputs: x, outputs: x.dense({ units: 33 }).dense({ units: 3 }) });
    const m = await modelFromKerasFile(fixture("mlp.keras"));
    const before = m.getWeights().map((w) => Array.from(w.data));
    const wideFile = await weightsToKerasFile(wide);
    const message = await refused(
      () => loadWeightsFromBytes(m, wideFile, { fileName: "wide.weights.h5" }),
      "wide.weights.h5 holds",
      "with shape [20, 33], but the model needs [20, 32]",
    );
    expect(message).toContain("'layers/dense/vars/0'");
    // Nothing changed.
    expect(m.getWeights().map((w) => Array.from(w.data))).toEqual(before);
  });

  it("huge declared dims in a dataset, refused before a byte is read", async () => {
    const m = await modelFromKerasFile(fixture("mobile.keras"));
    // The last Dense kernel declared 2^40 x 2^20 (chunked, so the file stays small).
    const huge = await copyWeightsFile(await weightsToKerasFile(m), {
      dataset: (at, group) => {
        if (at !== "layers/dense/vars/0") return false;
        group
          .create_dataset({ name: "0", data: new Float32Array(8), shape: [4, 2], maxshape: [null, null], chunks: [4, 2], dtype: "<f" })
          .resize([2 ** 40, 2 ** 20]);
        return true;
      },
    });
    expect(huge.length).toBeLessThan(100_000);
    await refused(() => loadWeightsFromBytes(m, huge), "with shape [1099511627776, 1048576], but the model needs [4, 2]");
  });

  it("a topology declaring weights past maxBytes, refused before the weights are read", async () => {
    const parts = unzipSync(fixture("mlp.keras"));
    const config = strFromU8(parts["config.json"]).replace('"units": 32', '"units": 3200000');
    const zip = zipSync({ "config.json": new TextEncoder().encode(config), "model.weights.h5": parts["model.weights.h5"] });
    await refused(() => modelFromKerasFile(zip, limits), "maxBytes");
  });

  it("missing weights: a file without a layer's group, and an archive without model.weights.h5", async () => {
    clearSession();
    const x = input({ shape: [20] });
    const short = model({ inputs: x, outputs: x.dense({ units: 32 }).dense({ units: 3 }) });
    const m = await modelFromKerasFile(fixture("mlp.keras"));
    const shortFile = await weightsToKerasFile(short);
    await refused(() => loadWeightsFromBytes(m, shortFile), "no weights for layer 'batch_normalization'", "layers/batch_normalization/vars");
    const parts = unzipSync(fixture("mlp.keras"));
    await refused(() => modelFromKerasFile(zipSync({ "config.json": parts["config.json"] })), "has no model.weights.h5");
  });

  it("a weights file holding a layer the model does not have", async () => {
    const m = await modelFromKerasFile(fixture("mlp.keras"));
    const extra = await copyWeightsFile(await weightsToKerasFile(m), {
      group: (at, group) => {
        if (at !== "layers") return;
        const vars = group.create_group("dense_9").create_group("vars");
        vars.create_attribute("name", "dense_9", null, "S");
        vars.create_dataset({ name: "0", data: new Float32Array(4), shape: [2, 2], dtype: "<f" });
      },
    });
    expect(await copyWeightsFile(await weightsToKerasFile(m), {}).then((b) => loadWeightsFromBytes(m, b))).toBeUndefined();
    await refused(() => loadWeightsFromBytes(m, extra), "holds weights at 'layers/dense_9', which no layer of model");
  });
});

describe("the command line reads .keras and .h5 files", () => {
  const run = (...args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [path.join(repoRoot, "bin/shapewise.mjs"), ...args],
        { cwd: repoRoot, encoding: "utf8", timeout: 60_000 },
        (error, stdout, stderr) => {
          resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout, stderr });
        },
      );
    });

  it("summary, codegen and plot of Keras's own files; a weights file gets the sentence", async () => {
    const summary = await run("summary", "test/fixtures/keras-files/mlp.keras");
    expect(summary.code).toBe(0);
    expect(summary.stdout).toContain('Model: "functional_1"');
    expect(summary.stdout).toContain(`Total params: ${caseOf("mlp").params}`);
    const codegen = await run("codegen", "test/fixtures/keras-files/seq.h5");
    expect(codegen.code).toBe(0);
    expect(codegen.stdout).toContain(".bidirectional(");
    const svg = path.join(scratch, "mobile.svg");
    const plot = await run("plot", "test/fixtures/keras-files/mobile.keras", "-o", svg);
    expect(plot.code).toBe(0);
    expect(readFileSync(svg, "utf8")).toContain("separable_conv2d: SeparableConv2D");
    const weights = await run("summary", "test/fixtures/keras-files/mlp.weights.h5");
    expect(weights.code).toBe(1);
    expect(weights.stderr.trim()).toBe(
      "shapewise: mlp.weights.h5: this HDF5 file has no model config: it holds weights only; build the model and call loadWeights",
    );
  }, 180_000);
});
