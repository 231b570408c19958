/**
 * What saves must load: a layer or nested model applied to its own output
 * (TensorFlow.js numbers its calls, so a layer called several times in a
 * chain is no cycle), and in-memory objects that are cyclic or nested
 * 200,000 deep are refused with a sentence, never a TypeError or RangeError.
 */
import { describe, expect, it } from "vitest";
import { ShapeError, clearSession, input, layers, model, modelFromKerasJSON, modelFromTfjsArtifacts, modelToTfjsArtifacts, tensor } from "../../src/index.js";
import type { Model, Tensor } from "../../src/index.js";

const predict = (m: Model, x: Tensor) => [...(m.predict as unknown as (t: Tensor) => Tensor)(x).data];

function roundTrips(m: Model): void {
  const x = tensor([2, 4], [0.1, -0.2, 0.3, 0.4, 1, 2, -3, 0.5]) as Tensor;
  const a = modelToTfjsArtifacts(m);
  const fromTfjs = modelFromTfjsArtifacts({ modelTopology: a.modelTopology, weightSpecs: a.weightSpecs }, a.weightData);
  expect(predict(fromTfjs, x)).toEqual(predict(m, x));
  const fromKeras = modelFromKerasJSON(m.toKerasJSON());
  fromKeras.setWeights(m.getWeights());
  expect(predict(fromKeras, x)).toEqual(predict(m, x));
}

describe("a layer applied to its own output", () => {
  it("saves and loads back (TensorFlow.js artifacts and Keras JSON) with the same predictions", () => {
    clearSession();
    const x = input({ shape: [4], name: "x" });
    const d = layers.dense({ units: 4, name: "d" });
    const y = d.apply(d.apply(x));
    roundTrips(model({ inputs: x, outputs: y, name: "twice" }) as unknown as Model);
  });

  it("loads when a later call reads a layer listed after it (d, then e on d, then d on e)", () => {
    clearSession();
    const x = input({ shape: [4], name: "x" });
    const d = layers.dense({ units: 4, name: "d" });
    const e = layers.dense({ units: 4, name: "e" });
    const y = d.apply(e.apply(d.apply(x)));
    roundTrips(model({ inputs: x, outputs: y, name: "around" }) as unknown as Model);
  });

  it("loads for a nested model applied to its own output", () => {
    clearSession();
    const i = input({ shape: [4], name: "i" });
    const inner = model({ inputs: i, outputs: i.dense({ units: 4, name: "inner_d" }), name: "inner" });
    const x = input({ shape: [4], name: "x" });
    roundTrips(model({ inputs: x, outputs: inner.apply(inner.apply(x)), name: "outer" }) as unknown as Model);
  });

  it("a true cycle is still refused, naming the calls", () => {
    const topology = {
      class_name: "Model",
      config: {
        name: "c",
        layers: [
          { name: "x", class_name: "InputLayer", config: { batch_input_shape: [null, 4], name: "x" }, inbound_nodes: [] },
          { name: "a", class_name: "Activation", config: { activation: "relu", name: "a" }, inbound_nodes: [[["b", 0, 0, {}]]] },
          { name: "b", class_name: "Activation", config: { activation: "relu", name: "b" }, inbound_nodes: [[["a", 0, 0, {}]]] },
        ],
        input_layers: [["x", 0, 0]],
        output_layers: [["b", 0, 0]],
      },
    };
    expect(() => modelFromTfjsArtifacts({ modelTopology: topology }, new Uint8Array(0))).toThrow(/layers form a cycle: (a -> b -> a|b -> a -> b)/);
  });
});

describe("in-memory objects no JSON text could hold", () => {
  const cyclic = () => {
    const config: Record<string, unknown> = { name: "m", layers: [] };
    const top: Record<string, unknown> = { class_name: "Functional", config };
    config.self = top;
    return top;
  };
  const deep = () => {
    let v: unknown = [];
    for (let i = 0; i < 200_000; i++) v = [v];
    return { class_name: "Functional", config: { name: "m", layers: v } };
  };

  it("are refused with a ShapeError that says which", () => {
    const cases: [() => unknown, RegExp][] = [
      [() => modelFromKerasJSON(cyclic()), /Keras JSON contains itself at \.config\.self \(a cycle\)/],
      [() => modelFromKerasJSON(deep()), /Keras JSON nests arrays and objects more than 512 levels deep/],
      [
        () => modelFromTfjsArtifacts({ modelTopology: cyclic() }, new Uint8Array(0)),
        /model\.json contains itself at \.modelTopology\.config\.self \(a cycle\)/,
      ],
      [() => modelFromTfjsArtifacts({ modelTopology: deep() }, new Uint8Array(0)), /model\.json nests arrays and objects more than 512 levels deep/],
      [() => modelFromKerasJSON("[".repeat(200_000)), /Keras JSON nests arrays and objects more than 512 levels deep/],
      [
        () => modelFromTfjsArtifacts('{"modelTopology":' + "[".repeat(200_000), new Uint8Array(0)),
        /model\.json nests arrays and objects more than 512 levels deep/,
      ],
    ];
    for (const [run, message] of cases) {
      let error: unknown;
      try {
        run();
      } catch (e) {
        error = e;
      }
      expect(error, String(message)).toBeInstanceOf(ShapeError);
      expect((error as Error).message).toMatch(message);
    }
  });

  it("a sub-object shared many times over cannot multiply into an unbounded document", () => {
    let v: unknown = "x".repeat(100);
    for (let i = 0; i < 40; i++) v = [v, v];
    // 2^40 copies of the leaf if expanded: the walk stops at the limit, as text of that size would be refused.
    expect(() => modelFromKerasJSON({ class_name: "Functional", config: { name: "m", layers: v } }, { maxJsonBytes: 2 ** 20 })).toThrow(
      /Keras JSON is larger than the limit of 1048576 characters as JSON \(option maxJsonBytes\)/,
    );
  });
});
