import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ShapeError, clearSession, input, loadModel, model, optimizers, schedules, tensor } from "../../src/node/index.js";
import type { Optimizer, Tensor } from "../../src/index.js";
import { createRandom } from "../../src/kernels/random.js";
import { randomTensor } from "../support/layer-harness.js";

/** A compiled model saved with its optimizer resumes training where it stopped. */
const dir = mkdtempSync(join(tmpdir(), "shapewise-optimizer-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  await tf.setBackend("cpu");
});

function net() {
  clearSession();
  const i = input({ shape: [5] });
  return model({ inputs: i, outputs: i.dense({ units: 6, activation: "tanh" }).dense({ units: 3, activation: "softmax" }), seed: 3 });
}

const batches = Array.from({ length: 4 }, (_, k) => ({
  x: randomTensor([8, 5], createRandom(20 + k), -1, 1) as Tensor<[8, 5]>,
  y: tensor(
    [8],
    Array.from({ length: 8 }, (_, j) => (j + k) % 3),
  ),
}));

const cases: [string, () => Optimizer][] = [
  ["Adam", () => optimizers.adam({ learningRate: 0.05 })],
  ["AdamW", () => optimizers.adamw({ learningRate: 0.05, weightDecay: 0.1 })],
  ["SGD with momentum", () => optimizers.sgd({ learningRate: 0.1, momentum: 0.9 })],
  ["SGD with Nesterov momentum", () => optimizers.sgd({ learningRate: 0.1, momentum: 0.8, nesterov: true })],
  ["plain SGD", () => optimizers.sgd({ learningRate: 0.1 })],
  ["RMSprop", () => optimizers.rmsprop({ learningRate: 0.01 })],
  ["RMSprop with momentum, centred", () => optimizers.rmsprop({ learningRate: 0.01, momentum: 0.5, centered: true })],
  ["Adagrad", () => optimizers.adagrad({ learningRate: 0.1 })],
  ["Adam with clipnorm", () => optimizers.adam({ learningRate: 0.05, clipnorm: 0.5 })],
];

function weightsOf(m: { getWeights(): { data: Float32Array }[] }): Float32Array[] {
  return m.getWeights().map((w) => w.data.slice());
}

describe("save with includeOptimizer, then loadModel and compile with the saved optimizer", () => {
  for (const [name, make] of cases) {
    it(`${name}: three steps, save, load, one step equals four steps straight`, async () => {
      const straight = net().compile({ optimizer: make(), loss: "sparseCategoricalCrossentropy" });
      for (const b of batches) straight.trainOnBatch(b.x, b.y);
      const expected = weightsOf(straight.model);

      const first = net().compile({ optimizer: make(), loss: "sparseCategoricalCrossentropy", metrics: ["accuracy"] });
      for (const b of batches.slice(0, 3)) first.trainOnBatch(b.x, b.y);
      const path = join(dir, name.replace(/\W+/g, "-"));
      await first.save(path, { includeOptimizer: true });
      const back = await loadModel(path);
      const saved = back.savedTraining!;
      expect(saved.loss).toBe("sparse_categorical_crossentropy");
      expect(saved.metrics).toEqual(["accuracy"]);
      expect(saved.optimizer.iterations).toBe(3);
      expect(saved.optimizer.className).toBe(first.optimizer.className);
      const resumed = back.compile({ optimizer: saved.optimizer, loss: "sparseCategoricalCrossentropy" });
      resumed.trainOnBatch(batches[3].x, batches[3].y);
      const got = weightsOf(back);
      let worst = 0;
      got.forEach((w, i) => w.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - expected[i][j])))));
      expect(worst).toBeLessThan(1e-6);
      // Without the state, the fourth step differs (the test can fail).
      if (name !== "plain SGD") {
        const fresh = await loadModel(path);
        fresh.compile({ optimizer: make(), loss: "sparseCategoricalCrossentropy" }).trainOnBatch(batches[3].x, batches[3].y);
        const other = weightsOf(fresh);
        let gap = 0;
        other.forEach((w, i) => w.forEach((v, j) => (gap = Math.max(gap, Math.abs(v - expected[i][j])))));
        expect(gap).toBeGreaterThan(1e-4);
      }
    });
  }

  it("a nested model: three steps, save, load, one step equals four steps straight", async () => {
    const build = () => {
      clearSession();
      const ii = input({ shape: [5] });
      const inner = model({
        inputs: ii,
        outputs: ii.dense({ units: 4, activation: "tanh", name: "inner_a" }).dense({ units: 4, activation: "tanh", name: "inner_b" }),
        seed: 5,
        name: "inner",
      });
      const i = input({ shape: [5] });
      const h = (inner as unknown as { apply(t: unknown): typeof i }).apply(i.dense({ units: 5, name: "outer" }));
      return model({ inputs: i, outputs: h.dense({ units: 3, activation: "softmax", name: "head" }), seed: 6 });
    };
    const straight = build().compile({ optimizer: optimizers.adam({ learningRate: 0.05 }), loss: "sparseCategoricalCrossentropy" });
    for (const b of batches) straight.trainOnBatch(b.x, b.y);
    const expected = weightsOf(straight.model);

    const first = build().compile({ optimizer: optimizers.adam({ learningRate: 0.05 }), loss: "sparseCategoricalCrossentropy" });
    for (const b of batches.slice(0, 3)) first.trainOnBatch(b.x, b.y);
    const path = join(dir, "nested");
    await first.save(path, { includeOptimizer: true });
    const back = await loadModel(path);
    const resumed = back.compile({ optimizer: back.savedTraining!.optimizer, loss: "sparseCategoricalCrossentropy" });
    resumed.trainOnBatch(batches[3].x, batches[3].y);
    const got = weightsOf(back);
    expect(got.length).toBe(expected.length);
    let worst = 0;
    got.forEach((w, i) => w.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - expected[i][j])))));
    expect(worst).toBeLessThan(1e-6);
  });

  it("writes the manifest as TensorFlow.js does: iter (int32) first, then each slot kind for every weight", async () => {
    const c = net().compile({ optimizer: optimizers.adam({ learningRate: 0.05 }), loss: "sparseCategoricalCrossentropy" });
    c.trainOnBatch(batches[0].x, batches[0].y);
    await c.save(join(dir, "layout"), { includeOptimizer: true });
    const json = JSON.parse(readFileSync(join(dir, "layout", "model.json"), "utf8"));
    const specs = json.weightsManifest[0].weights as { name: string; dtype: string; group?: string }[];
    expect(specs.filter((s) => s.group === "optimizer").map((s) => `${s.name}:${s.dtype}`)).toEqual([
      "iter:int32",
      "dense/kernel/m:float32",
      "dense/bias/m:float32",
      "dense_1/kernel/m:float32",
      "dense_1/bias/m:float32",
      "dense/kernel/v:float32",
      "dense/bias/v:float32",
      "dense_1/kernel/v:float32",
      "dense_1/bias/v:float32",
    ]);
    expect(json.trainingConfig).toEqual({
      loss: "sparse_categorical_crossentropy",
      metrics: [],
      optimizer_config: { class_name: "Adam", config: { learningRate: 0.05, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 } },
    });
  });
});

/** TensorFlow.js artifacts from a directory shapewise wrote. */
function artifactsAt(path: string): tf.io.ModelArtifacts {
  const json = JSON.parse(readFileSync(join(path, "model.json"), "utf8"));
  const bytes = readFileSync(join(path, "weights.bin"));
  return {
    modelTopology: json.modelTopology,
    weightSpecs: json.weightsManifest[0].weights,
    weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
    trainingConfig: json.trainingConfig,
  };
}

describe("TensorFlow.js reads the optimizer back", () => {
  // The last flag: whether TensorFlow.js's next step is Keras's. Its centred RMSProp subtracts epsilon
  // inside the square root (sqrt(ms - (mg^2 + eps))) where Keras adds it, so only its state is compared.
  const tfjsCases: [string, () => Optimizer, string, boolean][] = [
    ["Adam", () => optimizers.adam({ learningRate: 0.05 }), "Adam", true],
    ["SGD with momentum", () => optimizers.sgd({ learningRate: 0.1, momentum: 0.9 }), "Momentum", true],
    ["SGD with Nesterov momentum", () => optimizers.sgd({ learningRate: 0.1, momentum: 0.8, nesterov: true }), "Momentum", true],
    ["RMSprop with momentum", () => optimizers.rmsprop({ learningRate: 0.01, momentum: 0.5 }), "RMSProp", true],
    ["RMSprop centred with momentum", () => optimizers.rmsprop({ learningRate: 0.01, momentum: 0.5, centered: true }), "RMSProp", false],
    ["Adagrad", () => optimizers.adagrad({ learningRate: 0.1 }), "Adagrad", true],
  ];
  for (const [name, make, tfjsClass, sameStep] of tfjsCases) {
    it(`${name}: tf.loadLayersModel compiles with ${tfjsClass} and holds the file's optimizer weights${sameStep ? "; its next step is ours" : ""}`, async () => {
      const c = net().compile({ optimizer: make(), loss: "sparseCategoricalCrossentropy" });
      for (const b of batches.slice(0, 3)) c.trainOnBatch(b.x, b.y);
      const path = join(dir, `tfjs-${name.replace(/\W+/g, "-")}`);
      await c.save(path, { includeOptimizer: true });
      const artifacts = artifactsAt(path);
      const theirs = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
      expect(theirs.optimizer.getClassName()).toBe(tfjsClass);
      const named = await theirs.optimizer.getWeights();
      const specs = (artifacts.weightSpecs ?? []).filter((s) => s.group === "optimizer");
      expect(named.map((w) => w.name)).toEqual(specs.map((s) => s.name));
      expect(named[0].tensor.dataSync()[0]).toBe(3);
      const decoded = tf.io.decodeWeights(artifacts.weightData!, artifacts.weightSpecs!);
      for (const w of named.slice(1)) expect(Array.from(w.tensor.dataSync())).toEqual(Array.from(decoded[w.name].dataSync()));
      if (!sameStep) return;
      // One more step in TensorFlow.js lands where ours does.
      c.trainOnBatch(batches[3].x, batches[3].y);
      const xs = tf.tensor(Array.from(batches[3].x.data), [8, 5]);
      const ys = tf.oneHot(tf.tensor1d(Array.from(batches[3].y.data), "int32"), 3);
      theirs.compile({ optimizer: theirs.optimizer, loss: "categoricalCrossentropy" });
      await theirs.trainOnBatch(xs, ys);
      const ours = weightsOf(c.model);
      const tfWeights = theirs.getWeights().map((w) => w.dataSync());
      let worst = 0;
      tfWeights.forEach((w, i) => w.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - ours[i][j])))));
      expect(worst).toBeLessThan(1e-5);
      theirs.dispose();
    });
  }
});

describe("bad optimizer files", () => {
  async function savedAdam(name: string): Promise<string> {
    const c = net().compile({ optimizer: optimizers.adam({ learningRate: 0.05 }), loss: "sparseCategoricalCrossentropy" });
    c.trainOnBatch(batches[0].x, batches[0].y);
    const path = join(dir, name);
    await c.save(path, { includeOptimizer: true });
    return path;
  }
  function edit(path: string, change: (json: Record<string, any>) => void): void {
    const file = join(path, "model.json");
    const json = JSON.parse(readFileSync(file, "utf8"));
    change(json);
    writeFileSync(file, JSON.stringify(json));
  }

  it("an unknown optimizer class is named", async () => {
    const path = await savedAdam("unknown");
    edit(path, (j) => {
      j.trainingConfig.optimizer_config.class_name = "Lion";
    });
    await expect(loadModel(path)).rejects.toThrow("unknown optimizer 'Lion' in trainingConfig; shapewise reads SGD, Momentum, Adam, AdamW, RMSProp, Adagrad");
  });

  it("optimizer weights without iter first", async () => {
    const path = await savedAdam("no-iter");
    edit(path, (j) => {
      const specs = j.weightsManifest[0].weights;
      specs[4].name = "step";
    });
    await expect(loadModel(path)).rejects.toThrow("optimizer weights must start with 'iter', a scalar step count, got 'step'");
  });

  it("a slot whose shape is not its weight's", async () => {
    const path = await savedAdam("bad-slot");
    edit(path, (j) => {
      const specs = j.weightsManifest[0].weights;
      // Same byte count, other shape: only the shape check can catch it.
      specs[5].shape = [6, 5];
    });
    await expect(loadModel(path)).rejects.toThrow(
      "optimizer weight 'dense/kernel/m' has shape [6, 5] (float32), but weight 'dense/kernel' has shape [5, 6] (float32)",
    );
  });

  it("a slot missing", async () => {
    const path = await savedAdam("missing-slot");
    const bytes = readFileSync(join(path, "weights.bin"));
    edit(path, (j) => {
      j.weightsManifest[0].weights.pop();
    });
    writeFileSync(join(path, "weights.bin"), bytes.subarray(0, bytes.byteLength - 3 * 4));
    await expect(loadModel(path)).rejects.toThrow(
      "Adam keeps 2 slot(s) per trainable weight (m, v), so 8 optimizer weights for this model's 4 trainable weights, got 7",
    );
  });

  it("includeOptimizer on a model that was not compiled, with a schedule, with amsgrad", async () => {
    await expect(net().save(join(dir, "plain"), { includeOptimizer: true })).rejects.toThrow(ShapeError);
    await expect(net().save(join(dir, "plain"), { includeOptimizer: true })).rejects.toThrow("save with includeOptimizer needs a compiled model");
    const scheduled = optimizers.sgd({ learningRate: schedules.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5 }) });
    const c = net().compile({ optimizer: scheduled, loss: "sparseCategoricalCrossentropy" });
    await expect(c.save(join(dir, "scheduled"), { includeOptimizer: true })).rejects.toThrow(
      "save with includeOptimizer needs a fixed learning rate (TensorFlow.js files have no schedules), got a 'ExponentialDecay' schedule",
    );
    const a = net().compile({ optimizer: optimizers.adam({ amsgrad: true }), loss: "sparseCategoricalCrossentropy" });
    await expect(a.save(join(dir, "amsgrad"), { includeOptimizer: true })).rejects.toThrow("cannot write Adam with amsgrad");
  });

  it("TensorFlow.js has no AdamW: tf.loadLayersModel refuses the file, shapewise reads it", async () => {
    const c = net().compile({ optimizer: optimizers.adamw({ learningRate: 0.05 }), loss: "sparseCategoricalCrossentropy" });
    c.trainOnBatch(batches[0].x, batches[0].y);
    const path = join(dir, "adamw");
    await c.save(path, { includeOptimizer: true });
    await expect(tf.loadLayersModel(tf.io.fromMemory(artifactsAt(path)))).rejects.toThrow(/AdamW/);
    expect((await loadModel(path)).savedTraining?.optimizer.className).toBe("AdamW");
  });

  it("a state of other sizes is refused at the first step", async () => {
    const opt = optimizers.adam();
    opt.setState({
      iterations: 2,
      slots: [
        { name: "momentum", values: [new Float32Array(3)] },
        { name: "velocity", values: [new Float32Array(3)] },
      ],
    });
    const c = net().compile({ optimizer: opt, loss: "sparseCategoricalCrossentropy" });
    expect(() => c.trainOnBatch(batches[0].x, batches[0].y)).toThrow("adam was built for 1 weights of sizes [3] and cannot update others");
    expect(() => opt.setState({ iterations: 1, slots: [{ name: "m", values: [] }] })).toThrow("adam (Adam) keeps the slots [momentum, velocity], got ['m']");
  });
});
