/**
 * `multiHeadAttention` against Keras 3.15.1 layer cases (`layer_case:mha_*`,
 * copied into `test/fixtures/keras-cases/attention.json`: output shape,
 * parameters, weight names, shapes and order) and, for the numbers, against
 * a reference written here with TensorFlow.js tensor ops (per-head
 * projections, `softmax(Q Kᵀ / sqrt(keyDim)) V`, output projection), since
 * TF.js 4.22 has no MultiHeadAttention layer (semantics §1.5) and the
 * reference has no MultiHeadAttention forward case. Agreement: 1e-5.
 */
import { readFileSync } from "node:fs";
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { ShapeError, input, model } from "../../src/index.js";
import type { Tensor } from "../../src/index.js";
import { createRandom } from "../../src/kernels/random.js";
import { MultiHeadAttention } from "../../src/layers/attention.js";
import { layerFamilyHarness, looseModel, randomTensor, run, sizeOf } from "../support/layer-harness.js";

/** What a plain JavaScript caller holds. */
type Untyped = any;

interface KerasCase {
  name: string;
  input_shape: (number | null)[][];
  layers: { class_name: string; config: { num_heads: number; key_dim: number; value_dim?: number; output_shape?: number } }[];
  output_shape: (number | null)[];
  total_params: number;
  trainable_params: number;
  non_trainable_params: number;
  weights_keras3: { path: string; shape: number[]; trainable: boolean }[];
}
const fixture = JSON.parse(readFileSync(new URL("../fixtures/keras-cases/attention.json", import.meta.url), "utf8")) as { cases: KerasCase[] };

const expectClose = layerFamilyHarness("layers/attention.test.ts");

/** Multi-head attention from TF.js ops, weights in Keras order (query, key, value, output; kernel then bias). */
function reference(
  query: Tensor,
  value: Tensor,
  key: Tensor,
  weights: readonly Tensor[],
  heads: number,
  keyDim: number,
  valueDim: number,
  useBias: boolean,
): Float32Array {
  return tf.tidy(() => {
    const w = weights.map((t) => tf.tensor(t.data, [...t.shape]));
    let next = 0;
    const project = (x: Tensor, dim: number) => {
      const [b, t, d] = x.shape;
      const kernel = w[next++];
      let y = tf.matMul(tf.tensor2d(x.data, [b * t, d]), kernel.reshape([d, heads * dim]));
      if (useBias) y = y.add(w[next++].reshape([heads * dim]));
      return y
        .reshape([b, t, heads, dim])
        .transpose([0, 2, 1, 3])
        .reshape([b * heads, t, dim]) as tf.Tensor3D;
    };
    const [batch, tq] = query.shape;
    const q = project(query, keyDim);
    const k = project(key, keyDim);
    const v = project(value, valueDim);
    const scores = tf.matMul(q, k, false, true).div(Math.sqrt(keyDim));
    const context = tf
      .matMul(tf.softmax(scores) as tf.Tensor3D, v)
      .reshape([batch, heads, tq, valueDim])
      .transpose([0, 2, 1, 3])
      .reshape([batch * tq, heads * valueDim]) as tf.Tensor2D;
    const outKernel = w[next++];
    const outDim = outKernel.shape[2]!;
    let out = tf.matMul(context, outKernel.reshape([heads * valueDim, outDim]));
    if (useBias) out = out.add(w[next++]);
    return Float32Array.from(out.dataSync());
  });
}

describe("Keras 3 layer cases", () => {
  it.each(fixture.cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const { num_heads: numHeads, key_dim: keyDim, value_dim: valueDim, output_shape: outputShape } = c.layers[0].config;
    const options: Record<string, unknown> = { numHeads, keyDim };
    if (valueDim !== undefined) options.valueDim = valueDim;
    if (outputShape !== undefined) options.outputShape = outputShape;
    const layer = new MultiHeadAttention(options);
    expect(layer.apply(c.input_shape[0], c.input_shape[1])).toEqual(c.output_shape);
    expect(layer.countParams()).toBe(c.total_params);
    const specs = layer.weightSpecs();
    expect(specs.map((w) => ({ path: `${layer.name}/${w.name}`, shape: [...w.shape], trainable: w.trainable }))).toEqual(
      c.weights_keras3.map((w) => ({ path: w.path, shape: w.shape, trainable: w.trainable })),
    );
    expect(specs.filter((s) => !s.trainable)).toHaveLength(c.non_trainable_params);
  });

  it("layer_case:mha_self as a model: total, trainable split and summary row", () => {
    const c = fixture.cases.find((k) => k.name === "layer_case:mha_self")!;
    const x = input({ shape: [8, 32] });
    const y = x.multiHeadAttention({ numHeads: 2, keyDim: 16, value: x });
    expect(y.shape).toEqual(c.output_shape);
    const m = model({ inputs: x, outputs: y });
    expect(m.countParams()).toBe(c.total_params);
    expect(m.summaryData().trainableParams).toBe(c.trainable_params);
    const text = m.summary({ style: "keras3", lineLength: 120, printFn: () => {} });
    // The Connected to column leaves the name column too narrow for both on one line, as in Keras.
    expect(text).toMatch(/│ multi_head_attention\s+│ \(None, 8, 32\)[^\n]*\n│ \(MultiHeadAttention\)/);
    expect(text).toContain("4,224");
  });
});

describe("forward pass against the TF.js-ops reference", () => {
  it.each([
    ["self-attention, 2 heads", { numHeads: 2, keyDim: 4 }, [6, 8], 2],
    ["one head, one step", { numHeads: 1, keyDim: 3 }, [1, 5], 3],
    ["valueDim and outputShape", { numHeads: 3, keyDim: 2, valueDim: 5, outputShape: 7 }, [4, 6], 2],
    ["no biases", { numHeads: 2, keyDim: 3, useBias: false }, [5, 4], 2],
  ] as const)("%s (model, value = query)", (_label, options, sample, batchSize) => {
    const random = createRandom(31);
    const x: Untyped = input({ shape: [...sample] });
    const m = looseModel({ inputs: x, outputs: x.multiHeadAttention({ ...options, value: x }), seed: 4 });
    m.setWeights(m.getWeights().map((w) => randomTensor(w.shape, random, -0.7, 0.7)));
    const batch = randomTensor([batchSize, ...sample], random, -1.5, 1.5);
    const y = run(m, batch);
    const valueDim = "valueDim" in options ? options.valueDim : options.keyDim;
    const useBias = !("useBias" in options);
    expect(y.shape).toEqual([batchSize, sample[0], "outputShape" in options ? options.outputShape : sample[1]]);
    expectClose(y.data, reference(batch, batch, batch, m.getWeights(), options.numHeads, options.keyDim, valueDim, useBias), _label, "TF.js-ops reference");
  });

  it("cross-attention: query, value and key of different lengths and sizes (layer called directly)", () => {
    const random = createRandom(32);
    const layer = new MultiHeadAttention({ numHeads: 4, keyDim: 8, valueDim: 6 });
    expect(layer.apply([null, 5, 20], [null, 7, 12], [null, 7, 9])).toEqual([null, 5, 20]);
    layer.weights = layer.weightSpecs().map((s) => randomTensor(s.shape, random, -0.4, 0.4));
    const q = randomTensor([2, 5, 20], random, -1, 1);
    const v = randomTensor([2, 7, 12], random, -1, 1);
    const k = randomTensor([2, 7, 9], random, -1, 1);
    expectClose(layer.call(q, v, k).data, reference(q, v, k, layer.weights, 4, 8, 6, true), "cross-attention", "TF.js-ops reference");
  });

  it("value and key from dense branches of the input", () => {
    const random = createRandom(33);
    const x: Untyped = input({ shape: [6, 10] });
    const value = x.dense({ units: 12 });
    const key = x.dense({ units: 5 });
    const m = looseModel({ inputs: x, outputs: x.multiHeadAttention({ numHeads: 2, keyDim: 4, value, key }), seed: 2 });
    expect(m.countParams()).toBe(10 * 12 + 12 + 10 * 5 + 5 + 2 * 4 * (10 + 5 + 2) + 2 * 4 * (12 + 1) + 2 * 4 * 10 + 10);
    m.setWeights(m.getWeights().map((w) => randomTensor(w.shape, random, -0.5, 0.5)));
    const batch = randomTensor([2, 6, 10], random, -1, 1);
    const y = run(m, batch);
    const [vk, vb, kk, kb, ...attention] = m.getWeights();
    const dense = (w: Tensor, b: Tensor): Tensor => {
      const data = tf.tidy(() =>
        tf
          .matMul(tf.tensor2d(batch.data, [12, 10]), tf.tensor2d(w.data, [w.shape[0], w.shape[1]]))
          .add(tf.tensor(b.data))
          .dataSync(),
      );
      return { shape: [2, 6, w.shape[1]], data: Float32Array.from(data) };
    };
    expectClose(y.data, reference(batch, dense(vk, vb), dense(kk, kb), attention, 2, 4, 4, true), "dense branches", "TF.js-ops reference");
  });

  it("attention weights sum to one: constant values give back the value projection", () => {
    const layer = new MultiHeadAttention({ numHeads: 1, keyDim: 2, valueDim: 1, outputShape: 1 });
    layer.apply([null, 3, 2], [null, 4, 1]);
    const one = (shape: number[], value: number): Tensor => ({ shape, data: new Float32Array(sizeOf(shape)).fill(value) });
    layer.weights = layer.weightSpecs().map((s) => one([...s.shape], 0.5));
    const q = randomTensor([1, 3, 2], createRandom(2), -1, 1);
    // value projection 0.5 * 3 + 0.5 = 2 at every step; output 2 * 0.5 + 0.5 = 1.5 whatever the scores.
    expect(Array.from(layer.call(q, one([1, 4, 1], 3)).data)).toEqual([1.5, 1.5, 1.5]);
  });
});

describe("runtime errors", () => {
  const seq = (shape: (number | null)[] = [8, 32]): Untyped => input({ shape });
  const self = (options: Record<string, unknown>, shape?: (number | null)[]) => () => {
    const x = seq(shape);
    return x.multiHeadAttention({ value: x, ...options });
  };
  const cases: [string, () => unknown, string][] = [
    ["numHeads 0", self({ numHeads: 0, keyDim: 4 }), "shapewise: multiHeadAttention numHeads must be a positive integer, got 0"],
    ["negative keyDim", self({ numHeads: 2, keyDim: -4 }), "shapewise: multiHeadAttention keyDim must be a positive integer, got -4"],
    ["fractional valueDim", self({ numHeads: 2, keyDim: 4, valueDim: 1.5 }), "shapewise: multiHeadAttention valueDim must be a positive integer, got 1.5"],
    ["outputShape 0", self({ numHeads: 2, keyDim: 4, outputShape: 0 }), "shapewise: multiHeadAttention outputShape must be a positive integer, got 0"],
    ["too many heads", self({ numHeads: 2 ** 60, keyDim: 4 }), "shapewise: multiHeadAttention numHeads must be a positive integer, got 1152921504606847000"],
    ["null keyDim", self({ numHeads: 2, keyDim: null }), "shapewise: multiHeadAttention keyDim must be a positive integer, got null"],
    [
      "a query of rank 2",
      self({ numHeads: 2, keyDim: 4 }, [32]),
      "shapewise: multiHeadAttention expects input of rank 3 [batch, steps, features], got rank 2 [null, 32]",
    ],
    [
      "a query of rank 4",
      self({ numHeads: 2, keyDim: 4 }, [4, 4, 3]),
      "shapewise: multiHeadAttention expects input of rank 3 [batch, steps, features], got rank 4 [null, 4, 4, 3]",
    ],
    [
      "unknown query features",
      self({ numHeads: 2, keyDim: 4 }, [8, null]),
      "shapewise: multiHeadAttention needs a known last dimension to size its weights, got [null, 8, null]",
    ],
    [
      "a value of rank 2",
      () => seq().multiHeadAttention({ numHeads: 2, keyDim: 4, value: seq().flatten() }),
      "shapewise: multiHeadAttention value must have rank 3 [batch, steps, features], got rank 2 [null, 256]",
    ],
    [
      "unknown value features",
      () => seq().multiHeadAttention({ numHeads: 2, keyDim: 4, value: seq([8, null]) }),
      "shapewise: multiHeadAttention value needs a known last dimension to size its weights, got [null, 8, null]",
    ],
    [
      "a key of rank 4",
      () => seq().multiHeadAttention({ numHeads: 2, keyDim: 4, value: seq(), key: seq([8, 2, 2]) }),
      "shapewise: multiHeadAttention key must have rank 3 [batch, steps, features], got rank 4 [null, 8, 2, 2]",
    ],
    [
      "key steps unlike value steps",
      () => seq().multiHeadAttention({ numHeads: 2, keyDim: 4, value: seq([8, 16]), key: seq([7, 16]) }),
      "shapewise: multiHeadAttention key shape [null, 7, 16] and value shape [null, 8, 16] must match in every dimension but the last",
    ],
    [
      "unknown key steps against known value steps",
      () => seq().multiHeadAttention({ numHeads: 2, keyDim: 4, value: seq([8, 16]), key: seq([null, 16]) }),
      "shapewise: multiHeadAttention key shape [null, null, 16] and value shape [null, 8, 16] must match in every dimension but the last",
    ],
    [
      "a value that is not a tensor",
      () => seq().multiHeadAttention({ numHeads: 2, keyDim: 4, value: [1, 2] }),
      "shapewise: multiHeadAttention value must be a symbolic tensor, got [1, 2]",
    ],
    [
      "a null value",
      () => seq().multiHeadAttention({ numHeads: 2, keyDim: 4, value: null }),
      "shapewise: multiHeadAttention value must be a symbolic tensor, got null",
    ],
    [
      "a shared tensor the inputs do not meet in",
      () => seq().multiHeadAttention({ numHeads: 2, keyDim: 4, value: seq(), shared: seq().dense({ units: 2 }) }),
      "shapewise: multiHeadAttention input 1 does not descend from the shared tensor of dense",
    ],
    [
      "a key that is not a tensor",
      () => seq().multiHeadAttention({ numHeads: 2, keyDim: 4, value: seq(), key: "k" }),
      "shapewise: multiHeadAttention key must be a symbolic tensor, got 'k'",
    ],
    [
      "an unknown option",
      self({ numHeads: 2, key_dim: 4 }),
      "shapewise: multiHeadAttention has no option 'key_dim' (options: numHeads, keyDim, valueDim, outputShape, useBias, value, key, shared, name)",
    ],
    ["a null config", () => seq().multiHeadAttention(null), "shapewise: multiHeadAttention expects a config object, got null"],
    ["a string useBias", self({ numHeads: 2, keyDim: 4, useBias: "no" }), "shapewise: multiHeadAttention useBias must be true or false, got 'no'"],
  ];
  it.each(cases)("%s", (_label, build, message) => {
    expect(build).toThrow(ShapeError);
    expect(build).toThrow(message);
  });

  it("a value from another input is refused when the model is built", () => {
    const x = seq();
    const other = seq();
    const y = x.multiHeadAttention({ numHeads: 2, keyDim: 4, value: other });
    expect(() => looseModel({ inputs: x, outputs: y })).toThrow("shapewise: model outputs do not come from its inputs (they reach input 'input_2')");
  });
});
