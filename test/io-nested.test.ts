/**
 * Models nested as layers in the file formats and in codegen: an encoder
 * applied once, and a siamese model applying it twice (shared weights).
 * TensorFlow.js 4.22 is the judge of its format both ways (its own nested
 * models read by shapewise, shapewise's read by `tf.loadLayersModel`); the
 * Keras 3 JSON round trip must give the same model and text; generated
 * sources must type-check on TypeScript 5.9 and 7 and rebuild the model.
 * Hostile files: nesting past 32 levels, a nested model read at its own
 * node 0, and layer names that collide where TensorFlow.js names weights.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { ShapeError, clearSession, concatenate, input, layers, model, sequential, tensor } from "../src/index.js";
import type { Tensor } from "../src/index.js";
import { codegen } from "../src/io/codegen.js";
import type { AnyModel } from "../src/io/file-graph.js";
import { modelFromKerasJSON } from "../src/io/keras/json-read.js";
import { toKerasJSON } from "../src/io/keras/json-write.js";
import { modelFromTfjsArtifacts } from "../src/io/tfjs/read.js";
import { modelToTfjsArtifacts, tfjsModelJson } from "../src/io/tfjs/write.js";
import type { TfjsArtifacts } from "../src/io/tfjs/format.js";
import { createRandom } from "../src/kernels/random.js";
import { expectClose } from "./support/compare.js";
import { checkProject } from "./support/tsc.js";

const repoRoot = fileURLToPath(new URL("..", import.meta.url));
const workDir = join(repoRoot, ".vitest-tmp", "nested-codegen");
const indexImport = relative(workDir, join(repoRoot, "src", "index.js"))
  .split("\\")
  .join("/");

/** Weights that differ everywhere (zero biases become small random numbers), so a weight in the wrong place shows. */
function randomize(m: AnyModel, seed: number): void {
  const random = createRandom(seed);
  m.setWeights(m.getWeights().map((w) => ({ shape: w.shape, data: w.data.map((v) => (v === 0 ? 0.2 * (random.next() - 0.5) : v * (0.5 + random.next()))) })));
}

function randomInput(shape: number[], seed: number): Tensor {
  const random = createRandom(seed);
  return tensor(
    shape,
    new Float32Array(shape.reduce((p, d) => p * d, 1)).map(() => 2 * random.next() - 1),
  ) as Tensor;
}

function predictAll(m: AnyModel, xs: Tensor[]): Float32Array[] {
  const y = (m.predict as unknown as (x: unknown) => unknown)(xs.length === 1 ? xs[0] : xs) as Tensor | Tensor[];
  return (Array.isArray(y) ? y : [y]).map((t) => t.data);
}

function tfjsPredict(m: tf.LayersModel, xs: Tensor[]): Float32Array[] {
  return tf.tidy(() => {
    const out = m.predict(xs.length === 1 ? tf.tensor(xs[0].data, [...xs[0].shape]) : xs.map((x) => tf.tensor(x.data, [...x.shape])));
    return (Array.isArray(out) ? out : [out]).map((t) => t.dataSync() as Float32Array);
  });
}

async function tfjsFromArtifacts(a: TfjsArtifacts): Promise<tf.LayersModel> {
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: a.modelTopology, weightSpecs: a.weightSpecs, weightData: a.weightData }));
}

async function tfjsSaved(m: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let saved: tf.io.ModelArtifacts | undefined;
  await m.save(
    tf.io.withSaveHandler(async (a) => {
      saved = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
    }),
  );
  return saved!;
}

function savedBytes(a: tf.io.ModelArtifacts): Uint8Array {
  const d = a.weightData!;
  return new Uint8Array(Array.isArray(d) ? Buffer.concat(d.map((b) => Buffer.from(b))) : d);
}

/** Every layer name, nested models' layers after their model's, as `outer/inner`. */
function layerNames(m: AnyModel, prefix = ""): string[] {
  return m.layers.flatMap((l) => {
    const inner = (l as { model?: AnyModel }).model;
    return [`${prefix}${l.name}`, ...(inner === undefined ? [] : layerNames(inner, `${prefix}${l.name}/`))];
  });
}

/** An encoder: 6 features to 3, through two dense layers. */
function encoder(): AnyModel {
  const x = input({ shape: [6], name: "enc_in" });
  return model({
    inputs: x,
    outputs: x.dense({ units: 5, activation: "relu", name: "enc_hidden" }).dense({ units: 3, name: "enc_code" }),
    name: "encoder",
  }) as unknown as AnyModel;
}

interface Case {
  readonly name: string;
  readonly build: () => AnyModel;
  readonly inputs: number[][];
  readonly params: number;
}

const ENCODER_PARAMS = 6 * 5 + 5 + 5 * 3 + 3;
const cases: Case[] = [
  {
    name: "an encoder applied once",
    build: () => {
      clearSession();
      const enc = encoder();
      const a = input({ shape: [6], name: "features" });
      const out = (enc.apply(a as never) as unknown as ReturnType<typeof input>).dense({ units: 2, activation: "softmax", name: "head" });
      return model({ inputs: a, outputs: out, name: "classifier" }) as unknown as AnyModel;
    },
    inputs: [[4, 6]],
    params: ENCODER_PARAMS + 3 * 2 + 2,
  },
  {
    name: "a siamese model applying the encoder twice",
    build: () => {
      clearSession();
      const enc = encoder();
      const a = input({ shape: [6], name: "left" });
      const b = input({ shape: [6], name: "right" });
      const joined = concatenate([enc.apply(a as never), enc.apply(b as never)] as never, { name: "joined" }) as unknown as ReturnType<typeof input>;
      return model({ inputs: [a, b], outputs: joined.dense({ units: 1, activation: "sigmoid", name: "same" }), name: "siamese" }) as unknown as AnyModel;
    },
    inputs: [
      [3, 6],
      [3, 6],
    ],
    params: ENCODER_PARAMS + 6 * 1 + 1,
  },
  {
    name: "a nested sequential model as the output",
    build: () => {
      clearSession();
      const x = input({ shape: [4], name: "seq_in" });
      const inner = sequential({ inputs: x, outputs: x.dense({ units: 3, activation: "tanh", name: "seq_dense" }), name: "stack" }) as unknown as AnyModel;
      const a = input({ shape: [5], name: "raw" });
      return model({ inputs: a, outputs: inner.apply(a.dense({ units: 4, name: "pre" }) as never) as never, name: "wrapper" }) as unknown as AnyModel;
    },
    inputs: [[2, 5]],
    params: 5 * 4 + 4 + 4 * 3 + 3,
  },
];

beforeAll(async () => {
  await tf.setBackend("cpu");
});
afterAll(() => {
  if (!process.env.KEEP_CODEGEN_TMP) rmSync(workDir, { recursive: true, force: true });
});

describe("nested models: shapewise -> TensorFlow.js", () => {
  it.each(cases)("$name: tf.loadLayersModel predicts the same numbers with the same count", async (c) => {
    const m = c.build();
    expect(m.countParams()).toBe(c.params);
    randomize(m, 7);
    const a = modelToTfjsArtifacts(m);
    const nestedEntry = (a.modelTopology.config as { layers: { class_name: string; config: { layers?: unknown[] } }[] }).layers.find(
      (l) => l.class_name === "Model" || l.class_name === "Sequential",
    )!;
    expect(nestedEntry.config.layers!.length).toBeGreaterThan(0);
    const tfModel = await tfjsFromArtifacts(a);
    expect(tfModel.countParams()).toBe(c.params);
    const xs = c.inputs.map((s, i) => randomInput(s, 100 + i));
    const want = predictAll(m, xs);
    tfjsPredict(tfModel, xs).forEach((y, i) => expectClose(y, want[i], `${c.name} output ${i}`));
    // And back: the same layers, nested ones included, and the same numbers.
    const back = modelFromTfjsArtifacts(tfjsModelJson(a), new Uint8Array(a.weightData));
    // A TensorFlow.js Sequential lists no input layer: reading one names it after its first layer, as TensorFlow.js does.
    expect(layerNames(back)).toEqual(layerNames(m).map((n) => (n === "stack/seq_in" ? "stack/seq_dense_input" : n)));
    predictAll(back, xs).forEach((y, i) => expectClose(y, want[i], `${c.name} read back, output ${i}`));
  });

  it("writes a nested model's weights under its own layers' names, once for a model applied twice", () => {
    const a = modelToTfjsArtifacts(cases[1].build());
    expect(a.weightSpecs.map((w) => w.name)).toEqual(["enc_hidden/kernel", "enc_hidden/bias", "enc_code/kernel", "enc_code/bias", "same/kernel", "same/bias"]);
    const layers = (a.modelTopology.config as { layers: { name: string; inbound_nodes: unknown[] }[] }).layers;
    // Node 0 of a nested model is its own graph: its two calls are nodes 1 and 2.
    expect(layers.find((l) => l.name === "joined")!.inbound_nodes).toEqual([
      [
        ["encoder", 1, 0, {}],
        ["encoder", 2, 0, {}],
      ],
    ]);
  });
});

describe("nested models: TensorFlow.js -> shapewise", () => {
  it("reads a TensorFlow.js model with a nested model applied twice and a nested Sequential: same names, same numbers, written back identically", async () => {
    const x = tf.input({ shape: [4], name: "enc_input" });
    const enc = tf.model({
      inputs: x,
      outputs: tf.layers.dense({ units: 3, activation: "relu", name: "enc_dense" }).apply(x) as tf.SymbolicTensor,
      name: "enc",
    });
    const stack = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3], name: "stack_dense" })], name: "stack" });
    const a = tf.input({ shape: [4], name: "a" });
    const b = tf.input({ shape: [4], name: "b" });
    const sum = tf.layers.add({ name: "sum" }).apply([enc.apply(a) as tf.SymbolicTensor, enc.apply(b) as tf.SymbolicTensor]) as tf.SymbolicTensor;
    const tfModel = tf.model({ inputs: [a, b], outputs: stack.apply(sum) as tf.SymbolicTensor, name: "pair" });
    // Non-zero biases, so a bias in the wrong place shows.
    tfModel.setWeights(tfModel.getWeights().map((w, i) => tf.add(w, tf.scalar(0.05 * (i + 1)))));
    const saved = await tfjsSaved(tfModel);
    const json = { modelTopology: saved.modelTopology, weightsManifest: [{ paths: [], weights: saved.weightSpecs }] };
    const m = modelFromTfjsArtifacts(json, savedBytes(saved));
    expect(layerNames(m)).toEqual(["a", "b", "enc", "enc/enc_input", "enc/enc_dense", "sum", "stack", "stack/stack_dense_input", "stack/stack_dense"]);
    expect(m.countParams()).toBe(tfModel.countParams());
    const xs = [randomInput([5, 4], 1), randomInput([5, 4], 2)];
    const want = tfjsPredict(tfModel, xs);
    predictAll(m, xs).forEach((y, i) => expectClose(y, want[i], `output ${i}`));
    // Written back, the topology is the one TensorFlow.js wrote, key for key.
    const again = modelToTfjsArtifacts(m);
    expect(JSON.stringify(again.modelTopology)).toBe(JSON.stringify(saved.modelTopology));
    expect(again.weightSpecs).toEqual(saved.weightSpecs);
  });
});

describe("nested models: Keras 3 JSON", () => {
  it.each(cases)("$name: the round trip gives the same model and the same text", (c) => {
    const m = c.build();
    randomize(m, 11);
    const text = toKerasJSON(m);
    const back = modelFromKerasJSON(text) as AnyModel;
    expect(layerNames(back)).toEqual(layerNames(m));
    expect(back.countParams()).toBe(c.params);
    expect(toKerasJSON(back)).toBe(text);
    back.setWeights(m.getWeights());
    const xs = c.inputs.map((s, i) => randomInput(s, 200 + i));
    const want = predictAll(m, xs);
    predictAll(back, xs).forEach((y, i) => expectClose(y, want[i], `${c.name} output ${i}`, 0));
  });

  it("numbers a nested Functional's calls as Keras 3 does: from 0 in keras_history, from 1 in output_layers", () => {
    clearSession();
    const enc = encoder();
    const a = input({ shape: [6], name: "a" });
    const m = model({ inputs: a, outputs: enc.apply(a as never) as never, name: "outer" }) as unknown as AnyModel;
    const json = JSON.parse(toKerasJSON(m));
    const entry = json.config.layers[1];
    expect([entry.module, entry.class_name, entry.registered_name, entry.name]).toEqual(["keras.src.models.functional", "Functional", "Functional", "encoder"]);
    expect(entry.config.layers.map((l: { name: string }) => l.name)).toEqual(["enc_in", "enc_hidden", "enc_code"]);
    expect(entry.inbound_nodes[0].args[0].config.keras_history).toEqual(["a", 0, 0]);
    expect(json.config.output_layers).toEqual(["encoder", 1, 0]);
    // Node 0 is the model's own graph: an output read from it is refused.
    json.config.output_layers = ["encoder", 0, 0];
    expect(() => modelFromKerasJSON(JSON.stringify(json))).toThrow(
      /^shapewise: model file output_layers reads node 0 of nested model 'encoder', which is the model's own graph/,
    );
  });

  it("lets a nested model reuse an outer layer name, as Keras scopes names per model", () => {
    clearSession();
    const x = input({ shape: [3], name: "x" });
    const inner = model({ inputs: x, outputs: x.dense({ units: 2, name: "dense" }), name: "inner" }) as unknown as AnyModel;
    const y = input({ shape: [3], name: "y" });
    const m = model({
      inputs: y,
      outputs: (inner.apply(y as never) as unknown as ReturnType<typeof input>).dense({ units: 1, name: "dense" }),
      name: "outer",
    }) as unknown as AnyModel;
    const back = modelFromKerasJSON(toKerasJSON(m)) as AnyModel;
    expect(layerNames(back)).toEqual(["y", "inner", "inner/x", "inner/dense", "dense"]);
    // TensorFlow.js names weights by layer name only: the same file would hold 'dense/kernel' twice.
    expect(() => modelToTfjsArtifacts(m)).toThrow(ShapeError);
    expect(() => modelToTfjsArtifacts(m)).toThrow(
      /^shapewise: cannot write model 'outer' for TensorFlow.js: layers 'dense' and 'dense' would both write weight 'dense\/kernel'/,
    );
  });
});

/** A TensorFlow.js topology nesting `levels` models, the innermost holding one dense layer. */
function deepTopology(levels: number): Record<string, unknown> {
  let layer: Record<string, unknown> = {
    name: "core",
    class_name: "Model",
    config: {
      name: "core",
      layers: [
        {
          name: "core_in",
          class_name: "InputLayer",
          config: { batch_input_shape: [null, 2], dtype: "float32", sparse: false, name: "core_in" },
          inbound_nodes: [],
        },
        {
          name: "core_dense",
          class_name: "Dense",
          config: { units: 2, activation: "linear", use_bias: true, name: "core_dense", trainable: true },
          inbound_nodes: [[["core_in", 0, 0, {}]]],
        },
      ],
      input_layers: [["core_in", 0, 0]],
      output_layers: [["core_dense", 0, 0]],
    },
  };
  for (let i = 1; i < levels; i++) {
    const inner = layer;
    const name = `level_${i}`;
    layer = {
      name,
      class_name: "Model",
      config: {
        name,
        layers: [
          {
            name: `${name}_in`,
            class_name: "InputLayer",
            config: { batch_input_shape: [null, 2], dtype: "float32", sparse: false, name: `${name}_in` },
            inbound_nodes: [],
          },
          { ...inner, inbound_nodes: [[[`${name}_in`, 0, 0, {}]]] },
        ],
        input_layers: [[`${name}_in`, 0, 0]],
        output_layers: [[inner.name, 1, 0]],
      },
    };
  }
  return {
    class_name: "Model",
    config: {
      name: "top",
      layers: [
        {
          name: "top_in",
          class_name: "InputLayer",
          config: { batch_input_shape: [null, 2], dtype: "float32", sparse: false, name: "top_in" },
          inbound_nodes: [],
        },
        { ...layer, inbound_nodes: [[["top_in", 0, 0, {}]]] },
      ],
      input_layers: [["top_in", 0, 0]],
      output_layers: [[layer.name, 1, 0]],
    },
  };
}

describe("nested models: hostile files", () => {
  const weights = [
    { name: "core_dense/kernel", shape: [2, 2], dtype: "float32" },
    { name: "core_dense/bias", shape: [2], dtype: "float32" },
  ];
  const bytes = new Float32Array([1, 2, 3, 4, 0.5, -0.5]);

  it("reads 32 levels of nesting and refuses 33 with a sentence", () => {
    clearSession();
    const m = modelFromTfjsArtifacts({ modelTopology: deepTopology(32), weightsManifest: [{ paths: [], weights }] }, new Uint8Array(bytes.buffer));
    const y = m.predict(tensor([1, 2], [1, 1]) as never) as Tensor;
    expect([...y.data]).toEqual([4.5, 5.5]);
    const deep = { modelTopology: deepTopology(33), weightsManifest: [{ paths: [], weights }] };
    expect(() => modelFromTfjsArtifacts(deep, new Uint8Array(bytes.buffer))).toThrow(ShapeError);
    expect(() => modelFromTfjsArtifacts(deep, new Uint8Array(bytes.buffer))).toThrow(/^shapewise: model file nests models more than 32 levels deep at layer '/);
  });

  it("counts a nested model's weights against maxBytes before the outer model allocates its own", () => {
    const text = toKerasJSON(cases[1].build());
    const bytes = 4 * cases[1].params;
    expect(modelFromKerasJSON(text, { maxBytes: bytes }).countParams()).toBe(cases[1].params);
    expect(() => modelFromKerasJSON(text, { maxBytes: bytes - 1 })).toThrow(
      new RegExp(`^shapewise: model file layers hold ${cases[1].params} parameters \\(${bytes} bytes\\), more than the limit of ${bytes - 1} bytes`),
    );
    // The encoder alone passes a smaller limit: it is refused before the outer layers are counted.
    expect(() => modelFromKerasJSON(text, { maxBytes: 4 * ENCODER_PARAMS - 1 })).toThrow(
      new RegExp(`^shapewise: model file layers hold ${ENCODER_PARAMS} parameters`),
    );
  });

  it("refuses a Keras JSON document nesting models more than 32 levels deep", () => {
    clearSession();
    let m = encoder();
    // The API builds as deep as the files may nest, no deeper: the last level is added in the JSON.
    for (let i = 0; i < 32; i++) {
      const x = input({ shape: [6], name: `in_${i}` });
      m = model({ inputs: x, outputs: m.apply(x as never) as never, name: `wrap_${i}` }) as unknown as AnyModel;
    }
    const deepest = JSON.parse(toKerasJSON(m));
    expect(() => modelFromKerasJSON(deepest)).not.toThrow();
    const tensorFrom = (layer: string) => ({ class_name: "__keras_tensor__", config: { shape: [null, 6], dtype: "float32", keras_history: [layer, 0, 0] } });
    const top = {
      module: "keras.src.models.functional",
      class_name: "Functional",
      config: {
        name: "wrap_top",
        trainable: true,
        layers: [
          {
            module: "keras.layers",
            class_name: "InputLayer",
            config: { batch_shape: [null, 6], dtype: "float32", name: "in_top" },
            name: "in_top",
            inbound_nodes: [],
          },
          { ...deepest, name: deepest.config.name, inbound_nodes: [{ args: [tensorFrom("in_top")], kwargs: {} }] },
        ],
        input_layers: ["in_top", 0, 0],
        output_layers: [deepest.config.name, 1, 0],
      },
    };
    expect(() => modelFromKerasJSON(top)).toThrow(/^shapewise: model file nests models more than 32 levels deep at layer '/);
  });

  it("refuses a TensorFlow.js file reading a nested model at its own node 0", () => {
    const topology = deepTopology(2) as { config: { output_layers: unknown[] } };
    topology.config.output_layers = [["level_1", 0, 0]];
    expect(() => modelFromTfjsArtifacts({ modelTopology: topology, weightsManifest: [{ paths: [], weights }] }, new Uint8Array(bytes.buffer))).toThrow(
      /^shapewise: model file output_layers reads node 0 of nested model 'level_1', which is the model's own graph, not a call of it \(calls start at node 1\)/,
    );
  });

  it("refuses a nested model whose name differs from its layer's name", () => {
    const topology = deepTopology(2) as { config: { layers: { config: { name: string } }[] } };
    topology.config.layers[1].config.name = "other";
    expect(() => modelFromTfjsArtifacts({ modelTopology: topology, weightsManifest: [{ paths: [], weights }] }, new Uint8Array(bytes.buffer))).toThrow(
      /^shapewise: model layer 1 is named 'level_1' but holds a model named 'other'; the two names must agree/,
    );
  });
});

describe("nested models: codegen", () => {
  it("writes the inner model first and applies it at each call; the sources type-check on TypeScript 5.9 and 7 and rebuild the same model", async () => {
    rmSync(workDir, { recursive: true, force: true });
    mkdirSync(workDir, { recursive: true });
    const models = cases.map((c) => c.build());
    const files = ["once", "siamese", "sequential"];
    const sources = models.map((m) => codegen(m, { importFrom: indexImport }));
    expect(sources[1]).toContain('export const m = model({ inputs: [left, right], outputs: same, name: "siamese" });');
    expect(sources[1]).toMatch(/const encoder = model\(\{ inputs: enc_in, outputs: [^,]+, name: "encoder" \}\);/);
    expect(sources[1]).toContain("const encoder_out = encoder.apply(left);");
    expect(sources[1]).toContain("const encoder_out_1 = encoder.apply(right);");
    expect(sources[1]).toContain('concatenate([encoder_out, encoder_out_1], { name: "joined" })');
    expect(sources[1].indexOf("const encoder = model(")).toBeLessThan(sources[1].indexOf("encoder.apply(left)"));
    expect(sources[2]).toContain('const stack = sequential({ inputs: seq_in, outputs: seq_dense, name: "stack" });');
    const checks = [
      `import type { ParamCount } from ${JSON.stringify(indexImport)};`,
      "type Equal<X, Y> = (<T>() => T extends X ? 1 : 2) extends (<T>() => T extends Y ? 1 : 2) ? true : false;",
      "type Expect<T extends true> = T;",
    ];
    files.forEach((f, i) => {
      writeFileSync(join(workDir, `${f}.ts`), sources[i]);
      checks.push(`import { m as ${f} } from "./${f}.js";`);
    });
    // Applied to a model input, the nested model's total is exact. Applied twice, the merge cannot
    // tell what its operands share, and applied past layers with weights, `apply` cannot either:
    // their totals are `number`, never a wrong number.
    checks.push(
      `export type once_check = Expect<Equal<ParamCount<typeof once>, ${cases[0].params}>>;`,
      `export type siamese_check = Expect<Equal<ParamCount<typeof siamese>, number>>;`,
      `export type sequential_check = Expect<Equal<ParamCount<typeof sequential>, number>>;`,
      `export type output_check = Expect<Equal<(typeof sequential)["outputShape"], [null, 3]>>;`,
      // A wrong total must fail, so the assertions above can fail.
      `export type wrong_check = Expect<Equal<ParamCount<typeof once>, ${cases[0].params + 1}>>;`,
    );
    writeFileSync(join(workDir, "checks.ts"), `${checks.join("\n")}\n`);
    writeFileSync(
      join(workDir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          noEmit: true,
          skipLibCheck: true,
          types: ["node"],
        },
        files: ["checks.ts"],
      }),
    );
    const [ts5, ts7] = await Promise.all([
      checkProject(join(repoRoot, "node_modules/typescript/bin/tsc"), join(workDir, "tsconfig.json"), workDir),
      checkProject(join(repoRoot, "node_modules/typescript7/bin/tsc"), join(workDir, "tsconfig.json"), workDir),
    ]);
    for (const result of [ts5, ts7]) {
      expect(result.diagnostics.map((d) => d.text.split("\n")[0].replace(/^.*?: error /, ""))).toEqual([
        expect.stringMatching(/^TS2344: Type 'false' does not satisfy the constraint 'true'\.$/),
      ]);
      expect(result.diagnostics[0].file).toMatch(/checks\.ts$/);
    }
    // The generated modules run and make the same model, nested layers included.
    for (const [i, f] of files.entries()) {
      clearSession();
      const generated = (await import(pathToFileURL(join(workDir, `${f}.ts`)).href)).m as AnyModel;
      const m = models[i];
      expect(layerNames(generated)).toEqual(layerNames(m));
      expect(generated.layers.map((l) => l.className)).toEqual(m.layers.map((l) => l.className));
      expect(generated.graph().nodes.length).toBe(m.graph().nodes.length);
      expect(generated.countParams()).toBe(cases[i].params);
      generated.setWeights(m.getWeights());
      const xs = cases[i].inputs.map((s, k) => randomInput(s, 300 + k));
      const want = predictAll(m, xs);
      predictAll(generated, xs).forEach((y, k) => expectClose(y, want[k], `${f} output ${k}`, 0));
    }
  }, 120_000);
});

describe("a layer called outside the model it is written with", () => {
  it("TensorFlow.js artifacts count only the calls the model holds, so that tf.loadLayersModel resolves them", async () => {
    await tf.setBackend("cpu");
    clearSession();
    const x = input({ shape: [5] });
    const a = x.dense({ units: 3, name: "a" });
    const si = input({ shape: [3], name: "si" });
    const sub = model({ inputs: si, outputs: si.dense({ units: 4, name: "inner" }), name: "sub" });
    const shared = layers.dense({ units: 2, name: "shared" });
    // First calls on a tensor no output reads: they are not part of the model.
    const unused = x.dense({ units: 3, name: "unused" });
    sub.apply(unused);
    shared.apply(unused);
    const y = sub.apply(a).dense({ units: 2, name: "after_sub" });
    const z = shared.apply(a).dense({ units: 2, name: "after_shared" });
    const m = model({ inputs: x, outputs: concatenate([y, z], { name: "both" }), name: "outer" });
    const artifacts = modelToTfjsArtifacts(m as unknown as AnyModel);
    const config = (artifacts.modelTopology as { config: { layers: { name: string; inbound_nodes: [string, number, number, object][][] }[] } }).config;
    const reads = (name: string) => config.layers.find((l) => l.name === name)!.inbound_nodes[0][0];
    // The nested model's first call in this model is its node 1 (node 0 is its own graph); the shared layer's is node 0.
    expect(reads("after_sub").slice(0, 2)).toEqual(["sub", 1]);
    expect(reads("after_shared").slice(0, 2)).toEqual(["shared", 0]);
    expect(config.layers.find((l) => l.name === "shared")!.inbound_nodes).toHaveLength(1);
    const tm = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
    const xs = { shape: [2, 5], data: Float32Array.from({ length: 10 }, (_, i) => Math.sin(i)) } as Tensor;
    const ours = (m.predict as unknown as (t: Tensor) => Tensor)(xs);
    const theirs = tf.tidy(() => (tm.predict(tf.tensor(xs.data, [2, 5])) as tf.Tensor).dataSync());
    expectClose(ours.data, theirs, "outer output", 1e-5);
    tm.dispose();
  });

  it("Keras 3 JSON counts only the calls the model holds too, and reads back to the same outputs", () => {
    clearSession();
    const x = input({ shape: [5] });
    const a = x.dense({ units: 3, name: "a" });
    const si = input({ shape: [3], name: "si" });
    const sub = model({ inputs: si, outputs: si.dense({ units: 4, name: "inner" }), name: "sub" });
    const shared = layers.dense({ units: 3, name: "shared" });
    const unused = x.dense({ units: 3, name: "unused" });
    sub.apply(unused);
    shared.apply(unused);
    const y = sub.apply(a).dense({ units: 2, name: "after_sub" });
    const z = shared.apply(shared.apply(a)).dense({ units: 2, name: "after_shared" });
    const m = model({ inputs: x, outputs: concatenate([y, z, sub.apply(a)], { name: "all" }), name: "outer" }) as unknown as AnyModel;
    const json = JSON.parse(toKerasJSON(m)) as {
      config: {
        layers: { name: string; inbound_nodes: { args: { config: { keras_history: [string, number, number] } }[] }[] }[];
        output_layers: unknown;
      };
    };
    const history = (name: string, call = 0) => json.config.layers.find((l) => l.name === name)!.inbound_nodes[call].args[0].config.keras_history;
    // In keras_history a nested model's calls count from 0 as any layer's; only the calls this model holds are counted.
    expect(history("after_sub")).toEqual(["sub", 0, 0]);
    expect(history("shared", 1)).toEqual(["shared", 0, 0]);
    expect(history("after_shared")).toEqual(["shared", 1, 0]);
    const merged = json.config.layers.find((l) => l.name === "all")!.inbound_nodes[0].args[0] as unknown as { config: { keras_history: unknown } }[];
    expect(merged.map((t) => t.config.keras_history)).toEqual([
      ["after_sub", 0, 0],
      ["after_shared", 0, 0],
      ["sub", 1, 0],
    ]);
    expect(json.config.layers.find((l) => l.name === "shared")!.inbound_nodes).toHaveLength(2);
    expect(json.config.layers.find((l) => l.name === "sub")!.inbound_nodes).toHaveLength(2);
    const back = modelFromKerasJSON(json);
    back.setWeights(m.getWeights());
    const xs = { shape: [2, 5], data: Float32Array.from({ length: 10 }, (_, i) => Math.sin(i)) } as Tensor;
    const ours = (m.predict as unknown as (t: Tensor) => Tensor)(xs);
    expectClose((back.predict as unknown as (t: Tensor) => Tensor)(xs).data, ours.data, "outer output read back", 1e-6);
  });
});
