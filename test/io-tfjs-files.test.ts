/**
 * `saveModel` / `loadModel` on disk, and the files a loader must refuse:
 * malformed JSON, prototype keys, unknown classes, bad shapes, manifests that
 * disagree with the weight bytes, paths out of the model directory, cycles,
 * and sizes past `maxBytes` (refused before anything is read or allocated).
 */
import { mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { ShapeError, clearSession, concatenate, input, model, tensor } from "../src/index.js";
import type { Tensor } from "../src/index.js";
import type { AnyModel as Model } from "../src/io/file-graph.js";
import { modelFromTfjsArtifacts } from "../src/io/tfjs/read.js";
import { modelToTfjsArtifacts, tfjsModelJson } from "../src/io/tfjs/write.js";
import { loadModel } from "../src/io/tfjs/load.js";
import { saveModel } from "../src/io/tfjs/save.js";
import { expectClose } from "./support/compare.js";

let root: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), "shapewise-io-"));
  await tf.setBackend("cpu");
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function smallModel(): Model {
  clearSession();
  const x = input({ shape: [4], name: "features" });
  const y = x.dense({ units: 3, activation: "relu", name: "hidden" }).dense({ units: 2, name: "logits" });
  const m = model({ inputs: x, outputs: y, name: "small" });
  m.setWeights(m.getWeights().map((w) => ({ shape: w.shape, data: w.data.map((_, i) => Math.sin(i + w.data.length)) })));
  return m;
}

const x = tensor([2, 4], [0.1, -0.2, 0.3, 0.4, 1, 2, -3, 0.5]) as Tensor;

/** A fresh directory holding the small model's files, and its model.json as an object to mutate. */
async function modelDir(name: string): Promise<{ dir: string; json: Record<string, any>; weights: Uint8Array }> {
  const dir = path.join(root, name);
  await saveModel(smallModel(), dir);
  const json = JSON.parse(await readFile(path.join(dir, "model.json"), "utf8"));
  const weights = new Uint8Array(await readFile(path.join(dir, "weights.bin")));
  return { dir, json, weights };
}

async function rejectsWith(promise: Promise<unknown>, message: RegExp): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected a ShapeError matching ${message}`).toBeInstanceOf(ShapeError);
  expect((error as Error).message).toMatch(/^shapewise: /);
  expect((error as Error).message).toMatch(message);
}

describe("saveModel and loadModel", () => {
  it("write model.json and weights.bin that TensorFlow.js and shapewise both read back to the same numbers", async () => {
    const m = smallModel();
    const expected = (m.predict as unknown as (t: Tensor) => Tensor)(x).data;
    const dir = path.join(root, "saved");
    const result = await saveModel(m, dir);
    expect(result.weightBytes).toBe(m.countParams() * 4);
    expect((await readdir(dir)).sort()).toEqual(["model.json", "weights.bin"]);
    const json = JSON.parse(await readFile(result.modelJson, "utf8"));
    expect(json).toEqual(tfjsModelJson(modelToTfjsArtifacts(m)));
    expect(json.weightsManifest[0].paths).toEqual(["./weights.bin"]);

    const back = await loadModel(dir);
    expect(back.name).toBe("small");
    expect(back.layers.map((l) => l.name)).toEqual(["features", "hidden", "logits"]);
    expectClose((back.predict as unknown as (t: Tensor) => Tensor)(x).data, expected, "loaded from disk", 0);
    // The model.json path works as well as its directory.
    expect((await loadModel(result.modelJson)).countParams()).toBe(m.countParams());

    const bytes = await readFile(result.weights);
    const theirs = await tf.loadLayersModel(
      tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: new Uint8Array(bytes).buffer }),
    );
    const y = tf.tidy(() => (theirs.predict(tf.tensor(x.data, [2, 4])) as tf.Tensor).dataSync());
    expectClose(y, expected, "TensorFlow.js from disk", 1e-6);
  });

  it("keep the weights read from files once, in the buffer they were read into; a caller's bytes are copied", async () => {
    const { dir, json, weights } = await modelDir("held-once");
    const back = await loadModel(dir);
    const arrays = back.layers.flatMap((l) => (l as unknown as { weights?: Tensor[] }).weights ?? []).map((w) => w.data as Float32Array);
    expect(arrays).toHaveLength(4);
    // Views of one buffer of exactly the file's bytes, not a copy per weight.
    expect(new Set(arrays.map((a) => a.buffer)).size).toBe(1);
    expect(arrays[0].buffer.byteLength).toBe(weights.byteLength);
    expect(back.getWeights().map((w) => Array.from(w.data))).toEqual(
      smallModel()
        .getWeights()
        .map((w) => Array.from(w.data)),
    );

    const artifacts = { modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights };
    const bytes = new Uint8Array(weights);
    const fromMemory = modelFromTfjsArtifacts(artifacts, bytes);
    const before = (fromMemory.predict as unknown as (t: Tensor) => Tensor)(x).data;
    bytes.fill(0);
    expectClose((fromMemory.predict as unknown as (t: Tensor) => Tensor)(x).data, before, "after the caller's bytes changed", 0);
  });

  it("are the package's exports, and m.save is saveModel", async () => {
    const index = await import("../src/index.js");
    expect(index.loadModel).toBe(loadModel);
    expect(index.saveModel).toBe(saveModel);
    const m = smallModel();
    const dir = path.join(root, "method");
    const result = await m.save(dir);
    expect("weightBytes" in result && result.weightBytes).toBe(92);
    const back = await index.loadModel(dir);
    expect(back.getWeights().map((w) => Array.from(w.data))).toEqual(m.getWeights().map((w) => Array.from(w.data)));
  });

  it("leave nothing behind when writing fails", async () => {
    // A model TensorFlow.js cannot hold fails before the file system is touched.
    clearSession();
    const t = input({ shape: [8, 8, 2] });
    const bad = model({ inputs: t, outputs: t.conv2d({ filters: 2, kernelSize: 3, groups: 2 }) });
    const dir = path.join(root, "never");
    await rejectsWith(saveModel(bad, dir), /ignores groups/);
    await expect(readdir(dir)).rejects.toThrow();
    // A failure while writing (weights.bin is a directory, so the rename fails) removes the temporary files.
    const blocked = path.join(root, "blocked");
    await mkdir(path.join(blocked, "weights.bin"), { recursive: true });
    await expect(saveModel(smallModel(), blocked)).rejects.toThrow();
    expect(await readdir(blocked)).toEqual(["weights.bin"]);
  });
});

describe("hostile and malformed files", () => {
  const cases: { name: string; change: (json: Record<string, any>) => unknown; message: RegExp }[] = [
    { name: "not JSON", change: () => "{ not json", message: /model\.json is not valid JSON/ },
    { name: "a wrong format", change: (j) => ({ ...j, format: "graph-model" }), message: /format must be 'layers-model', got 'graph-model'/ },
    { name: "no modelTopology", change: ({ modelTopology, ...rest }) => rest, message: /model\.json is missing the key 'modelTopology'/ },
    {
      name: "a layer without class_name",
      change: (j) => {
        delete j.modelTopology.config.layers[1].class_name;
        return j;
      },
      message: /model layer 1 is missing the key 'class_name'/,
    },
    {
      name: "an unknown layer class",
      change: (j) => {
        j.modelTopology.config.layers[1].class_name = "Lambda";
        return j;
      },
      message: /unknown layer class 'Lambda' \(known: InputLayer, Conv1D, /,
    },
    {
      name: "a __proto__ key",
      change: (j) => JSON.stringify(j).replace('"config":{"units":3', '"config":{"__proto__":{"polluted":true},"units":3'),
      message: /forbidden key '__proto__'/,
    },
    {
      name: "a constructor key",
      change: (j) => JSON.stringify(j).replace('"format":', '"constructor":{"prototype":{}},"format":'),
      message: /forbidden key '(constructor|prototype)'/,
    },
    {
      name: "a prototype key deep in a manifest",
      change: (j) => JSON.stringify(j).replace('"dtype":"float32"}', '"dtype":"float32","prototype":1}'),
      message: /forbidden key 'prototype'/,
    },
    {
      name: "a negative input size",
      change: (j) => {
        j.modelTopology.config.layers[0].config.batch_input_shape = [null, -4];
        return j;
      },
      message: /input layer 'features' shape sizes must be positive integers or null, got \[null, -4\]/,
    },
    {
      name: "a fractional input size",
      change: (j) => {
        j.modelTopology.config.layers[0].config.batch_input_shape = [null, 2.5];
        return j;
      },
      message: /shape sizes must be positive integers or null, got \[null, 2\.5\]/,
    },
    {
      name: "an input size past 2^53",
      change: (j) => JSON.stringify(j).replace('"batch_input_shape":[null,4]', '"batch_input_shape":[null,9007199254740993]'),
      message: /input layer 'features' shape sizes must be positive integers or null, got \[null, 9007199254740992\]/,
    },
    {
      name: "a negative weight size",
      change: (j) => {
        j.weightsManifest[0].weights[1].shape = [-3];
        return j;
      },
      message: /weight 'hidden\/bias' shape must hold non-negative integers, got \[-3\]/,
    },
    {
      name: "a huge layer (10^15 parameters), refused before any weight is allocated",
      change: (j) => {
        j.modelTopology.config.layers[1].config.units = 1e12;
        return j;
      },
      message: /layers hold 7000000000002 parameters \(28000000000008 bytes\), more than the limit of 2147483648 bytes/,
    },
    {
      name: "a manifest that claims more bytes than weights.bin holds",
      change: (j) => {
        j.weightsManifest[0].weights.push({ name: "extra/kernel", shape: [10], dtype: "float32" });
        return j;
      },
      message: /manifest claims 132 bytes, but the weight files are 92 bytes \(too few bytes/,
    },
    {
      name: "a manifest that claims fewer bytes than weights.bin holds",
      change: (j) => {
        j.weightsManifest[0].weights.pop();
        return j;
      },
      message: /manifest claims 84 bytes, but the weight files are 92 bytes \(too many bytes/,
    },
    {
      name: "a weight whose shape does not fit its layer",
      change: (j) => {
        j.weightsManifest[0].weights[0].shape = [3, 4];
        return j;
      },
      message: /weight 'hidden\/kernel' has shape \[3, 4\] in the file, but layer 'hidden' needs \[4, 3\]/,
    },
    {
      name: "a weight the model does not use",
      change: (j) => {
        j.weightsManifest[0].weights[3].name = "other/bias";
        return j;
      },
      message: /no weight 'logits\/bias' for layer 'logits'/,
    },
    {
      name: "a weight listed twice",
      change: (j) => {
        j.weightsManifest[0].weights[3].name = "hidden/kernel";
        return j;
      },
      message: /lists 'hidden\/kernel' twice/,
    },
    {
      name: "an int32 weight",
      change: (j) => {
        j.weightsManifest[0].weights[1].dtype = "int32";
        return j;
      },
      message: /weight 'hidden\/bias' has dtype 'int32'; shapewise reads only float32/,
    },
    {
      name: "a manifest weight of 2^40 bytes",
      change: (j) => {
        j.weightsManifest[0].weights[0].shape = [2 ** 19, 2 ** 19];
        return j;
      },
      message: /weight 'hidden\/kernel' of shape \[524288, 524288\] is larger than the limit of 2147483648 bytes/,
    },
    {
      name: "a path out of the model directory",
      change: (j) => {
        j.weightsManifest[0].paths = ["../../etc/passwd"];
        return j;
      },
      message: /path '\.\.\/\.\.\/etc\/passwd' leads outside the model directory/,
    },
    {
      name: "an absolute path",
      change: (j) => {
        j.weightsManifest[0].paths = ["/etc/passwd"];
        return j;
      },
      message: /path '\/etc\/passwd' leads outside the model directory/,
    },
    {
      name: "a cycle in inbound nodes",
      change: (j) => {
        j.modelTopology.config.layers[1].inbound_nodes = [[["logits", 0, 0, {}]]];
        return j;
      },
      message: /layers form a cycle: (hidden -> logits -> hidden|logits -> hidden -> logits)/,
    },
    {
      name: "a reference to a layer that does not exist",
      change: (j) => {
        j.modelTopology.config.layers[2].inbound_nodes = [[["ghost", 0, 0, {}]]];
        return j;
      },
      message: /layer 'logits' reads layer 'ghost', which the file does not define/,
    },
  ];

  for (const c of cases) {
    it(`refuses ${c.name}`, async () => {
      const { dir, json } = await modelDir(c.name.replace(/[^a-z0-9]+/gi, "-"));
      const changed = c.change(json);
      await writeFile(path.join(dir, "model.json"), typeof changed === "string" ? changed : JSON.stringify(changed));
      await rejectsWith(loadModel(dir), c.message);
    });
  }

  it("reads layers listed in any order, as Keras does: each call is made once the calls it reads are", async () => {
    const { dir, json } = await modelDir("reordered");
    const [inp, hidden, logits] = json.modelTopology.config.layers;
    json.modelTopology.config.layers = [logits, inp, hidden];
    await writeFile(path.join(dir, "model.json"), JSON.stringify(json));
    const back = await loadModel(dir);
    expect(back.layers.map((l) => l.name)).toEqual(["features", "hidden", "logits"]);
    const predict = (m: Model) => (m.predict as unknown as (t: Tensor) => Tensor)(x).data;
    expectClose(predict(back), predict(smallModel()), "reordered", 0);
  });

  it("refuses a symbolic link that leads out of the model directory", async () => {
    const { dir, json } = await modelDir("symlink");
    const outside = path.join(root, "outside.bin");
    await writeFile(outside, new Uint8Array(92));
    await symlink(outside, path.join(dir, "link.bin"));
    json.weightsManifest[0].paths = ["./link.bin"];
    await writeFile(path.join(dir, "model.json"), JSON.stringify(json));
    await rejectsWith(loadModel(dir), /path '\.\/link\.bin' leads outside the model directory/);
  });

  it("checks sizes against maxBytes before reading: weight files and model.json", async () => {
    const { dir } = await modelDir("limits");
    await rejectsWith(loadModel(dir, { maxBytes: 80 }), /weights manifest claims more than the limit of 80 bytes \(option maxBytes\)/);
    // A weights file larger than the limit is refused by its size on disk, whatever the manifest says.
    await writeFile(path.join(dir, "weights.bin"), new Uint8Array(4096));
    await rejectsWith(loadModel(dir, { maxBytes: 1000 }), /weights\.bin is 4096 bytes, more than the limit of 1000 bytes \(option maxBytes\)/);
    await rejectsWith(loadModel(dir, { maxJsonBytes: 40 }), /model\.json is \d+ bytes, more than the limit of 40 bytes \(option maxJsonBytes\)/);
    await rejectsWith(loadModel(dir, { maxBytes: -1 }), /maxBytes must be a positive integer, got -1/);
    await rejectsWith(loadModel(dir, { maxByts: 10 } as never), /load options have no option 'maxByts' \(options: maxBytes, maxJsonBytes\)/);
    // A topology whose weights exceed the limit is refused before the model allocates them.
    const m = smallModel();
    const a = modelToTfjsArtifacts(m);
    expect(() => modelFromTfjsArtifacts(tfjsModelJson(a), new Uint8Array(a.weightData), { maxBytes: 91 })).toThrow(/more than the limit of 91 bytes/);
  });

  it("reads a model.json whose topology is Keras 3's (as the Python converter writes it), calls as { args, kwargs }", () => {
    clearSession();
    const a = input({ shape: [5], name: "a" });
    const b = input({ shape: [5], name: "b" });
    const m = model({
      inputs: [a, b],
      outputs: concatenate([a.dense({ units: 3, name: "left" }), b.dense({ units: 2, name: "right" })], { name: "joined" }),
      name: "two",
    });
    m.setWeights(m.getWeights().map((w) => ({ shape: w.shape, data: w.data.map((_, i) => Math.cos(i)) })));
    const artifacts = modelToTfjsArtifacts(m);
    const converted = { ...tfjsModelJson(artifacts), modelTopology: { keras_version: "3.15.1", backend: "jax", model_config: JSON.parse(m.toKerasJSON()) } };
    expect(JSON.stringify(converted.modelTopology)).toContain('"__keras_tensor__"');
    const back = modelFromTfjsArtifacts(converted, new Uint8Array(artifacts.weightData));
    expect(back.layers.map((l) => l.name)).toEqual(m.layers.map((l) => l.name));
    const xs = [tensor([1, 5], [1, 2, 3, 4, 5]), tensor([1, 5], [5, 4, 3, 2, 1])];
    const run = (mm: Model) => (mm.predict as unknown as (x: unknown) => Tensor)(xs).data;
    expectClose(run(back), run(m), "converted topology", 0);
  });

  it("refuses a wrapper inside a wrapper before walking further", () => {
    const a = modelToTfjsArtifacts(smallModel());
    const json = tfjsModelJson(a) as Record<string, any>;
    const hidden = json.modelTopology.config.layers[1];
    const nested = {
      class_name: "TimeDistributed",
      config: {
        name: "td",
        layer: { class_name: "TimeDistributed", config: { name: "td2", layer: { class_name: "Dense", config: { units: 2, name: "d" } } } },
      },
    };
    json.modelTopology.config.layers[1] = { ...hidden, class_name: "TimeDistributed", config: { name: "hidden", layer: nested } };
    expect(() => modelFromTfjsArtifacts(json, new Uint8Array(a.weightData))).toThrow(
      /layer 'hidden' wrapped layer is a TimeDistributed inside a wrapper; shapewise wraps only plain layers/,
    );
  });

  it("refuses weight data of the wrong size in memory too", () => {
    const a = modelToTfjsArtifacts(smallModel());
    expect(() => modelFromTfjsArtifacts(tfjsModelJson(a), new Uint8Array(a.weightData).subarray(4))).toThrow(
      /claims 92 bytes, but the weight data is 88 bytes/,
    );
    expect(() => modelFromTfjsArtifacts(JSON.parse('{"__proto__": {"x": 1}, "modelTopology": {}}'), new Uint8Array(0))).toThrow(/forbidden key '__proto__'/);
  });
});
