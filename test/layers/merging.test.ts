/**
 * The merge family at run time (`src/layers/merging.ts`): add, subtract,
 * multiply, average, maximum, minimum, concatenate and dot, against
 *
 * - the Keras 3.15.1 `layer_case:*` merge entries copied into
 *   `test/fixtures/merging-cases.json` (shapes, parameters, error cases);
 * - every rule and its exact `ShapeError` sentence (the type level prints
 *   the same sentences);
 * - TensorFlow.js 4.22 (cpu backend) merge layers applied to random tensors,
 *   or TF.js ops where TF.js has no such layer or departs from Keras 3
 *   (marked `TF.js divergence`), within 1e-6.
 */
import { readFileSync } from "node:fs";
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { ShapeError, clearSession } from "../../src/index.js";
import type { Tensor } from "../../src/kernels/tensor.js";
import { createRandom } from "../../src/kernels/random.js";
import type { Random } from "../../src/kernels/random.js";
import type { Layer } from "../../src/layers/layer.js";
import { Add, Average, Concatenate, Dot, MERGE_KINDS, Maximum, Minimum, Multiply, Subtract, mergeLayer } from "../../src/layers/merging.js";
import type { MergeKind } from "../../src/layers/merging.js";
import { layerFamilyHarness, randomTensor } from "../support/layer-harness.js";
import type { Shape } from "../../src/shape.js";

const TOL = 1e-6;
const expectClose = layerFamilyHarness("layers/merging.test.ts", TOL, 44);

type Dim = number | null;
interface MergeCase {
  name: string;
  input_shapes: Dim[][];
  class_name: string;
  config: Record<string, unknown>;
  output_shape: Dim[] | null;
  total_params: number | null;
  keras3_error?: { type: string; message: string };
  "tfjs_4.22": { output_shape?: Dim[]; supported?: false; error?: unknown; differs_from_keras3?: boolean };
}
const cases = (JSON.parse(readFileSync(new URL("../fixtures/merging-cases.json", import.meta.url), "utf8")) as { cases: MergeCase[] }).cases;

/** A layer applied to shapes, with the loose signature a plain JavaScript caller has. */
const applyTo = (layer: Layer, ...shapes: unknown[]): Shape => (layer.apply as (...s: unknown[]) => Shape).call(layer, ...shapes);
const callOn = (layer: Layer, ...tensors: unknown[]): Tensor => (layer.call as (...t: unknown[]) => Tensor).call(layer, ...tensors);
const make = (kind: string, config?: unknown): Layer => mergeLayer(kind as MergeKind, config);

/** Expects a `ShapeError` with exactly this sentence. */
function expectShapeError(run: () => unknown, sentence: string): void {
  let caught: unknown;
  try {
    run();
  } catch (e) {
    caught = e;
  }
  expect(caught, sentence).toBeInstanceOf(ShapeError);
  expect((caught as Error).message).toBe(sentence);
}

/** Our sentence for each Keras 3 error case (Keras words it its own way; both refuse the same input). */
const OUR_ERRORS: Record<string, string> = {
  "layer_case:concatenate_error": "shapewise: concatenate input 2 of shape [null, 5, 4, 16] does not match input 1 [null, 4, 4, 8] except on axis -1",
  "layer_case:add_error": "shapewise: add input 2 of shape [null, 8] does not broadcast with [null, 16]: size 8 against 16",
};

describe("Keras 3 reference cases", () => {
  it("covers the ten merge cases of the reference", () => {
    expect(cases.map((c) => c.name.replace("layer_case:", ""))).toEqual([
      "concatenate_last",
      "concatenate_axis1",
      "concatenate_error",
      "add",
      "add_broadcast",
      "add_error",
      "multiply3",
      "subtract",
      "average",
      "maximum",
    ]);
  });

  for (const c of cases) {
    it(`${c.name}: ${c.keras3_error ? "an error, as in Keras 3" : `${JSON.stringify(c.output_shape)} with no weights`}`, () => {
      clearSession();
      const layer = make(c.class_name.toLowerCase(), c.config);
      expect(layer.className).toBe(c.class_name);
      if (c.keras3_error !== undefined) {
        expect(c.name in OUR_ERRORS, `${c.name} needs its sentence`).toBe(true);
        expectShapeError(() => applyTo(layer, ...c.input_shapes), OUR_ERRORS[c.name]);
        // TF.js refuses it too.
        expect(c["tfjs_4.22"].error).toBeDefined();
        return;
      }
      expect(applyTo(layer, ...c.input_shapes)).toEqual(c.output_shape);
      expect(layer.weightSpecs()).toEqual([]);
      expect(layer.countParams()).toBe(c.total_params);
      const tfjs = c["tfjs_4.22"];
      if (tfjs.output_shape !== undefined) expect(c.output_shape).toEqual(tfjs.output_shape);
    });
  }

  it("TF.js computes the same output shapes for the cases it supports", () => {
    for (const c of cases.filter((c) => c.output_shape !== null && c["tfjs_4.22"].supported !== false)) {
      const layer = (tf.layers as unknown as Record<string, (config: object) => tf.layers.Layer>)[c.class_name.toLowerCase()](c.config);
      const inputs = c.input_shapes.map((s) => tf.input({ shape: s.slice(1) as number[] }));
      const out = layer.apply(inputs) as tf.SymbolicTensor;
      expect(out.shape, c.name).toEqual(c.output_shape);
    }
  });
});

describe("names and configs", () => {
  it("counts names per class as Keras does, and takes a user's name", () => {
    clearSession();
    const names = [
      new Add(),
      new Add(),
      new Concatenate(),
      new Dot({ axes: 1 }),
      mergeLayer("add"),
      new Subtract(),
      new Average(),
      new Maximum(),
      new Minimum(),
      new Multiply(),
    ].map((l) => l.names);
    expect(names.map((n) => n.keras2)).toEqual(["add", "add_1", "concatenate", "dot", "add_2", "subtract", "average", "maximum", "minimum", "multiply"]);
    expect(names.map((n) => n.tfjs).slice(0, 4)).toEqual(["add_Add1", "add_Add2", "concatenate_Concatenate1", "dot_Dot1"]);
    expect(new Add({ name: "skip" }).names).toEqual({ keras2: "skip", keras3: "skip", tfjs: "skip" });
  });

  it("gives each kind its class", () => {
    const classes = MERGE_KINDS.map((k) => make(k, k === "dot" ? { axes: 1 } : undefined).className);
    expect(classes).toEqual(["Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "Dot"]);
  });

  it("reports the options it was made with, defaults resolved", () => {
    clearSession();
    expect(new Concatenate().getConfig()).toEqual({ axis: -1, name: "concatenate" });
    expect(new Concatenate({ axis: 1, name: "c" }).getConfig()).toEqual({ axis: 1, name: "c" });
    expect(new Dot({ axes: [2, 1] }).getConfig()).toEqual({ axes: [2, 1], normalize: false, name: "dot" });
    expect(new Dot({ axes: -1, normalize: true }).getConfig()).toEqual({ axes: -1, normalize: true, name: "dot_1" });
    expect(new Add().getConfig()).toEqual({ name: "add" });
  });

  it("keeps its own copy of a pair of axes", () => {
    const axes = [2, 1];
    const layer = new Dot({ axes });
    axes[0] = 0;
    expect(applyTo(layer, [null, 3, 5], [null, 5, 4])).toEqual([null, 3, 4]);
  });

  it("refuses bad configs from untyped callers", () => {
    expectShapeError(() => new Add({ axis: 1 }), "shapewise: add has no option 'axis' (options: name)");
    expectShapeError(() => make("maximum", 3), "shapewise: maximum expects a config object, got 3");
    expectShapeError(() => make("minimum", [1]), "shapewise: minimum expects a config object, got [1]");
    expectShapeError(() => new Concatenate({ axes: 1 }), "shapewise: concatenate has no option 'axes' (options: axis, name)");
    expectShapeError(() => new Dot({ axis: 1 }), "shapewise: dot has no option 'axis' (options: axes, normalize, name)");
    expectShapeError(() => new Dot({ axes: 1, normalize: "yes" }), "shapewise: dot normalize must be true or false, got 'yes'");
    expectShapeError(() => new Multiply({ name: "a/b" }), "shapewise: multiply name must be a non-empty string without '/', got 'a/b'");
    expectShapeError(() => new Subtract({ name: 7 }), "shapewise: subtract name must be a non-empty string without '/', got 7");
    expectShapeError(
      () => make("sum"),
      "shapewise: merge kind must be one of 'add', 'subtract', 'multiply', 'average', 'maximum', 'minimum', 'concatenate', 'dot', got 'sum'",
    );
  });
});

describe("rules shared by every merge", () => {
  const ELEMENTWISE = ["add", "multiply", "average", "maximum", "minimum"] as const;

  it("needs at least 2 inputs; subtract and dot exactly 2", () => {
    for (const kind of [...ELEMENTWISE, "concatenate"]) {
      expectShapeError(() => applyTo(make(kind), [null, 4]), `shapewise: ${kind} needs at least 2 inputs, got 1`);
      expect(applyTo(make(kind), [null, 4], [null, 4], [null, 4], [null, 4])).toEqual([null, kind === "concatenate" ? 16 : 4]);
    }
    expectShapeError(() => applyTo(new Subtract(), [null, 4]), "shapewise: subtract takes exactly 2 inputs, got 1");
    expectShapeError(() => applyTo(new Subtract(), [null, 4], [null, 4], [null, 4]), "shapewise: subtract takes exactly 2 inputs, got 3");
    expectShapeError(() => applyTo(new Dot({ axes: 1 }), [null, 4]), "shapewise: dot takes exactly 2 inputs, got 1");
    expectShapeError(() => applyTo(new Dot({ axes: 1 }), [null, 4], [null, 4], [null, 4]), "shapewise: dot takes exactly 2 inputs, got 3");
  });

  it("needs a batch dimension and at least one more on every input", () => {
    for (const kind of MERGE_KINDS) {
      const layer = () => make(kind, kind === "dot" ? { axes: 1 } : undefined);
      expectShapeError(() => applyTo(layer(), [null], [null, 4]), `shapewise: ${kind} input 1 must have a batch dimension and at least one more, got [null]`);
      expectShapeError(() => applyTo(layer(), [null, 4], []), `shapewise: ${kind} input 2 must have a batch dimension and at least one more, got []`);
    }
  });

  it("refuses values that are not shapes, from untyped callers", () => {
    expectShapeError(() => applyTo(new Add(), [null, 4], 4), "shapewise: add input 2 must have a batch dimension and at least one more, got 4");
    expectShapeError(() => applyTo(new Add(), undefined, [null, 4]), "shapewise: add input 1 must have a batch dimension and at least one more, got undefined");
    expectShapeError(
      () => applyTo(new Concatenate(), [null, "4"], [null, 4]),
      "shapewise: concatenate input 1 must have a batch dimension and at least one more, got [null, '4']",
    );
    expectShapeError(
      () => applyTo(new Multiply(), [null, 4], [null, -1]),
      "shapewise: multiply input 2 must have a batch dimension and at least one more, got [null, -1]",
    );
    expectShapeError(
      () => applyTo(new Dot({ axes: 1 }), [null, 2.5], [null, 4]),
      "shapewise: dot input 1 must have a batch dimension and at least one more, got [null, 2.5]",
    );
  });
});

describe("element-wise merges: shapes", () => {
  it("broadcasts non-batch sizes aligned from the right, a 1 or a missing dimension taking the other size", () => {
    expect(applyTo(new Add(), [null, 4, 16], [null, 1, 16])).toEqual([null, 4, 16]);
    expect(applyTo(new Add(), [null, 1, 16], [null, 4, 1])).toEqual([null, 4, 16]);
    expect(applyTo(new Multiply(), [null, 2, 3, 4], [null, 4])).toEqual([null, 2, 3, 4]);
    expect(applyTo(new Maximum(), [null, 4], [null, 2, 3, 4])).toEqual([null, 2, 3, 4]);
    expect(applyTo(new Minimum(), [null, 3, 1], [null, 1, 5], [null, 2, 1, 1])).toEqual([null, 2, 3, 5]);
    expect(applyTo(new Subtract(), [null, 1], [null, 7])).toEqual([null, 7]);
  });

  it("gives null where either size is null, as Keras gives None", () => {
    expect(applyTo(new Add(), [null, null], [null, 8])).toEqual([null, null]);
    expect(applyTo(new Add(), [null, 8], [null, null])).toEqual([null, null]);
    expect(applyTo(new Average(), [null, 3, 4], [null, null])).toEqual([null, 3, null]);
    expect(applyTo(new Average(), [null, null, 4], [null, 1])).toEqual([null, null, 4]);
    expect(applyTo(new Multiply(), [null, 1, 3], [null, null, 3])).toEqual([null, null, 3]);
  });

  it("checks each input against the running broadcast of the ones before it", () => {
    expectShapeError(
      () => applyTo(new Add(), [null, 16], [null, 8]),
      "shapewise: add input 2 of shape [null, 8] does not broadcast with [null, 16]: size 8 against 16",
    );
    expectShapeError(
      () => applyTo(new Multiply(), [null, 4, 1], [null, 1, 5], [null, 3, 5]),
      "shapewise: multiply input 3 of shape [null, 3, 5] does not broadcast with [null, 4, 5]: size 3 against 4",
    );
    // A longer input: the sizes are still aligned from the right; x is input i's size.
    expectShapeError(
      () => applyTo(new Maximum(), [null, 5], [null, 3, 4]),
      "shapewise: maximum input 2 of shape [null, 3, 4] does not broadcast with [null, 5]: size 4 against 5",
    );
    // The first offending pair from the left.
    expectShapeError(
      () => applyTo(new Subtract(), [null, 2, 3], [null, 4, 5]),
      "shapewise: subtract input 2 of shape [null, 4, 5] does not broadcast with [null, 2, 3]: size 4 against 2",
    );
    expectShapeError(
      () => applyTo(new Average(), [null, 6], [null, 6], [null, 2, 7]),
      "shapewise: average input 3 of shape [null, 2, 7] does not broadcast with [null, 6]: size 7 against 6",
    );
    expectShapeError(
      () => applyTo(new Minimum(), [null, null, 3], [null, 2, 4]),
      "shapewise: minimum input 2 of shape [null, 2, 4] does not broadcast with [null, null, 3]: size 4 against 3",
    );
  });
});

describe("concatenate: shapes", () => {
  it("sums the axis and keeps the rest; null if one size on the axis is null", () => {
    expect(applyTo(new Concatenate(), [null, 4, 4, 8], [null, 4, 4, 16], [null, 4, 4, 1])).toEqual([null, 4, 4, 25]);
    expect(applyTo(new Concatenate({ axis: 1 }), [null, 3, 8], [null, 5, 8])).toEqual([null, 8, 8]);
    expect(applyTo(new Concatenate({ axis: -2 }), [null, 3, 8], [null, 5, 8])).toEqual([null, 8, 8]);
    expect(applyTo(new Concatenate(), [null, 3, null], [null, 3, 8])).toEqual([null, 3, null]);
    // null matches any size off the axis; the output keeps input 1's size.
    expect(applyTo(new Concatenate(), [null, null, 2], [null, 3, 8])).toEqual([null, null, 10]);
    expect(applyTo(new Concatenate(), [null, 3, 2], [null, null, 8])).toEqual([null, 3, 10]);
  });

  it("takes an integer axis from -(rank - 1) to rank - 1 other than 0, checked against input 1's rank", () => {
    const sentence = (axis: string) => `shapewise: concatenate axis must be an integer from -2 to 2 other than 0 (the batch axis), got ${axis}`;
    for (const axis of [1, 2, -1, -2])
      expect(applyTo(new Concatenate({ axis }), [null, 3, 3], [null, 3, 3])).toEqual([null, ...(axis === 1 || axis === -2 ? [6, 3] : [3, 6])]);
    for (const [axis, text] of [
      [0, "0"],
      [3, "3"],
      [-3, "-3"],
      [-4, "-4"],
      [1.5, "1.5"],
      [Number.NaN, "NaN"],
      ["1", "'1'"],
      [null, "null"],
      [[1], "[1]"],
    ] as const) {
      expectShapeError(() => applyTo(new Concatenate({ axis }), [null, 3, 3], [null, 3, 3]), sentence(text));
    }
    expectShapeError(
      () => applyTo(new Concatenate({ axis: 2 }), [null, 3], [null, 3, 3]),
      "shapewise: concatenate axis must be an integer from -1 to 1 other than 0 (the batch axis), got 2",
    );
  });

  it("needs one rank and equal sizes off the axis", () => {
    expectShapeError(
      () => applyTo(new Concatenate(), [null, 4, 4, 8], [null, 5, 4, 16]),
      "shapewise: concatenate input 2 of shape [null, 5, 4, 16] does not match input 1 [null, 4, 4, 8] except on axis -1",
    );
    expectShapeError(
      () => applyTo(new Concatenate({ axis: 1 }), [null, 3, 8], [null, 5, 8], [null, 5, 9]),
      "shapewise: concatenate input 3 of shape [null, 5, 9] does not match input 1 [null, 3, 8] except on axis 1",
    );
    expectShapeError(
      () => applyTo(new Concatenate(), [null, 3, 8], [null, 8]),
      "shapewise: concatenate input 2 of shape [null, 8] does not match input 1 [null, 3, 8] except on axis -1",
    );
    // Keras 3 squeezes size-1 axes before comparing and lets this pass until data arrives; shapewise refuses it at once.
    expectShapeError(
      () => applyTo(new Concatenate(), [null, 1, 8], [null, 3, 8]),
      "shapewise: concatenate input 2 of shape [null, 3, 8] does not match input 1 [null, 1, 8] except on axis -1",
    );
  });
});

describe("dot: shapes", () => {
  it("drops the two axes and input 2's batch; a rank-1 result becomes [batch, 1]", () => {
    expect(applyTo(new Dot({ axes: 1 }), [null, 8], [null, 8])).toEqual([null, 1]);
    expect(applyTo(new Dot({ axes: -1 }), [null, 8], [null, 8])).toEqual([null, 1]);
    expect(applyTo(new Dot({ axes: [2, 1] }), [null, 3, 5], [null, 5, 4])).toEqual([null, 3, 4]);
    expect(applyTo(new Dot({ axes: [1, 2] }), [null, 5, 3], [null, 4, 5])).toEqual([null, 3, 4]);
    expect(applyTo(new Dot({ axes: [1, 2] }), [null, 20], [null, 30, 20])).toEqual([null, 30]);
    expect(applyTo(new Dot({ axes: -1 }), [null, 3, 6], [null, 6])).toEqual([null, 3]);
    // Keras 3 takes any rank from 2 (TF.js refuses rank 4).
    expect(applyTo(new Dot({ axes: [3, 1] }), [null, 2, 3, 4], [null, 4, 5, 6])).toEqual([null, 2, 3, 5, 6]);
  });

  it("normalises negative axes per input with Python's modulo, as Keras does", () => {
    expect(applyTo(new Dot({ axes: -1 }), [null, 3, 5], [null, 5])).toEqual([null, 3]);
    expect(applyTo(new Dot({ axes: [-1, -2] }), [null, 3, 5], [null, 5, 4])).toEqual([null, 3, 4]);
    // -4 % 3 = 2 and -5 % 3 = 1 in Python.
    expect(applyTo(new Dot({ axes: [-4, -5] }), [null, 3, 5], [null, 5, 4])).toEqual([null, 3, 4]);
  });

  it("refuses the batch axis, axes past the rank and anything but an integer or a pair of them", () => {
    const sentence = (axes: string) => `shapewise: dot axes must be an integer or a pair of integers from 1 to rank - 1 (or negative), got ${axes}`;
    for (const [axes, text] of [
      [0, "0"],
      [[1, 0], "[1, 0]"],
      [[0, 1], "[0, 1]"],
      [2, "2"],
      [[1, 3], "[1, 3]"],
      [-2, "-2"],
      [-6, "-6"],
      [[1], "[1]"],
      [[1, 1, 1], "[1, 1, 1]"],
      ["1", "'1'"],
      [1.5, "1.5"],
      [[1, Number.NaN], "[1, NaN]"],
      [undefined, "undefined"],
      [null, "null"],
    ] as const) {
      expectShapeError(() => applyTo(new Dot({ axes }), [null, 3], [null, 3]), sentence(text));
    }
    // Each axis is checked against its own input's rank.
    expectShapeError(() => applyTo(new Dot({ axes: 2 }), [null, 3, 3], [null, 3]), sentence("2"));
    expectShapeError(() => applyTo(new Dot({ axes: -3 }), [null, 4, 3], [null, 3, 3]), sentence("-3"));
  });

  it("needs equal sizes on the two axes; null matches", () => {
    expectShapeError(
      () => applyTo(new Dot({ axes: 1 }), [null, 8], [null, 6]),
      "shapewise: dot input 1 size 8 at axis 1 differs from input 2 size 6 at axis 1",
    );
    expectShapeError(
      () => applyTo(new Dot({ axes: [-1, 1] }), [null, 3, 5], [null, 4, 5]),
      "shapewise: dot input 1 size 5 at axis 2 differs from input 2 size 4 at axis 1",
    );
    expect(applyTo(new Dot({ axes: [2, 1] }), [null, 3, null], [null, 5, 4])).toEqual([null, 3, 4]);
    expect(applyTo(new Dot({ axes: [2, 1] }), [null, null, 5], [null, null, null])).toEqual([null, null, null]);
  });
});

describe("rules again on concrete tensors", () => {
  const t = (shape: number[]): Tensor => ({ shape, data: new Float32Array(shape.reduce((p, d) => p * d, 1)) });

  it("checks sizes that were null at definition once data arrives", () => {
    const add = new Add();
    expect(applyTo(add, [null, null], [null, 8])).toEqual([null, null]);
    expectShapeError(() => callOn(add, t([2, 5]), t([2, 8])), "shapewise: add input 2 of shape [2, 8] does not broadcast with [2, 5]: size 8 against 5");
    const concat = new Concatenate();
    applyTo(concat, [null, null, 2], [null, 3, 4]);
    expectShapeError(
      () => callOn(concat, t([1, 4, 2]), t([1, 3, 4])),
      "shapewise: concatenate input 2 of shape [1, 3, 4] does not match input 1 [1, 4, 2] except on axis -1",
    );
    const dot = new Dot({ axes: 1 });
    applyTo(dot, [null, null], [null, 8]);
    expectShapeError(() => callOn(dot, t([2, 5]), t([2, 8])), "shapewise: dot input 1 size 5 at axis 1 differs from input 2 size 8 at axis 1");
  });

  it("returns the concrete shapes, batch included", () => {
    expect(applyTo(new Add(), [3, 4], [3, 1])).toEqual([3, 4]);
    expect(applyTo(new Concatenate({ axis: 1 }), [3, 2, 5], [null, 4, 5])).toEqual([3, 6, 5]);
    expect(applyTo(new Dot({ axes: 1 }), [3, 4], [3, 4])).toEqual([3, 1]);
    expect(callOn(new Concatenate(), t([2, 3]), t([2, 1])).shape).toEqual([2, 4]);
  });

  it("refuses inputs with different batch sizes, as Keras does", () => {
    expectShapeError(() => callOn(new Add(), t([2, 4]), t([3, 4])), "shapewise: add input 2 has batch size 3, input 1 has batch size 2");
    expectShapeError(() => callOn(new Maximum(), t([2, 4]), t([2, 4]), t([1, 4])), "shapewise: maximum input 3 has batch size 1, input 1 has batch size 2");
    expectShapeError(() => callOn(new Concatenate(), t([2, 4]), t([3, 4])), "shapewise: concatenate input 2 has batch size 3, input 1 has batch size 2");
    expectShapeError(() => callOn(new Dot({ axes: 1 }), t([2, 4]), t([3, 4])), "shapewise: dot input 2 has batch size 3, input 1 has batch size 2");
  });

  it("refuses tensors whose data does not fill their shape", () => {
    expectShapeError(
      () => callOn(new Add(), t([2, 4]), { shape: [2, 4], data: new Float32Array(7) }),
      "shapewise: add input 2 must be a tensor whose data fills its shape, got shape [2, 4]",
    );
    expectShapeError(
      () => callOn(new Multiply(), t([2, 4]), { shape: [2, 4], data: [1, 2] }),
      "shapewise: multiply input 2 must be a tensor whose data fills its shape, got shape [2, 4]",
    );
    expectShapeError(
      () => callOn(new Dot({ axes: 1 }), null, t([2, 4])),
      "shapewise: dot input 1 must be a tensor whose data fills its shape, got shape undefined",
    );
    expectShapeError(
      () => callOn(new Concatenate(), t([2, 4]), { shape: [2, null], data: new Float32Array(0) }),
      "shapewise: concatenate input 2 must be a tensor whose data fills its shape, got shape [2, null]",
    );
  });
});

// ---------------------------------------------------------------------------
// forward pass against TensorFlow.js
// ---------------------------------------------------------------------------

const toTf = (x: Tensor): tf.Tensor => tf.tensor(x.data, [...x.shape]);

/** Runs a TF.js merge layer (or op) on our tensors and returns its values and shape. */
function theirs(run: (xs: tf.Tensor[]) => tf.Tensor, inputs: readonly Tensor[]): { shape: number[]; data: Float32Array } {
  return tf.tidy(() => {
    const y = run(inputs.map(toTf));
    return { shape: y.shape, data: y.dataSync() as Float32Array };
  });
}

const TF_LAYER: Record<Exclude<MergeKind, "subtract" | "concatenate" | "dot">, () => tf.layers.Layer> = {
  add: () => tf.layers.add({}),
  multiply: () => tf.layers.multiply({}),
  average: () => tf.layers.average({}),
  maximum: () => tf.layers.maximum({}),
  minimum: () => tf.layers.minimum({}),
};

/**
 * The TF.js computation of an element-wise merge. TF.js divergence: TF.js
 * 4.22 has no `subtract` layer (the reference case says unsupported), so
 * subtract is checked against `tf.sub` after Keras's expansion of a
 * lower-rank input at axis 1.
 */
function tfElementwise(kind: Exclude<MergeKind, "concatenate" | "dot">): (xs: tf.Tensor[]) => tf.Tensor {
  if (kind === "subtract") {
    return ([a, b]) => {
      const rank = Math.max(a.rank, b.rank);
      const expand = (x: tf.Tensor) => x.reshape([x.shape[0], ...new Array<number>(rank - x.rank).fill(1), ...x.shape.slice(1)]);
      return tf.sub(expand(a), expand(b));
    };
  }
  return (xs) => TF_LAYER[kind]().apply(xs) as tf.Tensor;
}

/** Shapes for `count` inputs that broadcast together: each size is the common one or 1, ranks from 2 to 4. */
function broadcastableShapes(random: Random, count: number, batch: number): number[][] {
  const rank = 2 + Math.floor(random.next() * 3);
  const full = Array.from({ length: rank - 1 }, () => 1 + Math.floor(random.next() * 4));
  return Array.from({ length: count }, () => {
    const drop = Math.floor(random.next() * (rank - 1));
    return [batch, ...full.slice(drop).map((d) => (random.next() < 0.3 ? 1 : d))];
  });
}

describe("forward pass: element-wise merges against TF.js", () => {
  const random = createRandom(20261125);
  const kinds = ["add", "subtract", "multiply", "average", "maximum", "minimum"] as const;
  const fixed: [string, number[][]][] = [
    [
      "same shapes",
      [
        [3, 16],
        [3, 16],
      ],
    ],
    [
      "broadcast a 1",
      [
        [2, 4, 16],
        [2, 1, 16],
      ],
    ],
    [
      "broadcast both ways",
      [
        [2, 1, 5],
        [2, 4, 1],
      ],
    ],
    [
      "a lower-rank input",
      [
        [2, 3, 4],
        [2, 4],
      ],
    ],
    [
      "the lower-rank input first",
      [
        [2, 4],
        [2, 3, 4],
      ],
    ],
    [
      "three inputs",
      [
        [2, 8, 8],
        [2, 8, 8],
        [2, 8, 8],
      ],
    ],
    [
      "four inputs, mixed ranks",
      [
        [2, 3, 1, 5],
        [2, 5],
        [2, 4, 1],
        [2, 1, 1, 1],
      ],
    ],
  ];

  for (const kind of kinds) {
    it(`${kind}: fixed cases and 25 random broadcasts, within 1e-6`, () => {
      const list = kind === "subtract" ? fixed.filter(([, shapes]) => shapes.length === 2) : fixed;
      const generated: [string, number[][]][] = Array.from({ length: 25 }, (_, i) => [
        `random ${i}`,
        broadcastableShapes(random, kind === "subtract" ? 2 : 2 + Math.floor(random.next() * 3), 1 + Math.floor(random.next() * 3)),
      ]);
      for (const [label, shapes] of [...list, ...generated]) {
        const layer = make(kind);
        const inputs = shapes.map((s) => randomTensor(s, random));
        applyTo(layer, ...shapes.map((s) => [null, ...s.slice(1)]));
        const ours = layer.call(inputs[0], ...inputs.slice(1));
        const expected = theirs(tfElementwise(kind), inputs);
        expect(ours.shape, `${kind} ${label} ${JSON.stringify(shapes)}`).toEqual(expected.shape);
        expectClose(ours.data, expected.data, `${kind} ${label} ${JSON.stringify(shapes)}`, `${kind}`);
      }
    });
  }

  it("averages by the count and keeps the extreme of several inputs exactly", () => {
    const a = { shape: [1, 3], data: Float32Array.from([1, -2, 3]) };
    const b = { shape: [1, 3], data: Float32Array.from([4, 5, -6]) };
    const c = { shape: [1, 1], data: Float32Array.from([2]) };
    expect([...new Average().call(a, b, c).data]).toEqual([7 / 3, 5 / 3, -1 / 3].map(Math.fround));
    expect([...new Maximum().call(a, b, c).data]).toEqual([4, 5, 3]);
    expect([...new Minimum().call(a, b, c).data]).toEqual([1, -2, -6]);
    expect([...new Subtract().call(a, b).data]).toEqual([-3, -7, 9]);
  });
});

describe("forward pass: concatenate against TF.js", () => {
  const random = createRandom(77);
  const list: [number, number[][]][] = [
    [
      -1,
      [
        [2, 4, 4, 8],
        [2, 4, 4, 16],
      ],
    ],
    [
      1,
      [
        [2, 3, 8],
        [2, 5, 8],
      ],
    ],
    [
      2,
      [
        [3, 2, 1, 4],
        [3, 2, 5, 4],
        [3, 2, 2, 4],
      ],
    ],
    [
      -3,
      [
        [2, 3, 2, 2],
        [2, 1, 2, 2],
      ],
    ],
    [
      1,
      [
        [1, 2],
        [1, 3],
        [1, 1],
        [1, 4],
      ],
    ],
  ];
  for (const [axis, shapes] of list) {
    it(`axis ${axis} on ${JSON.stringify(shapes)}`, () => {
      const layer = new Concatenate({ axis });
      const inputs = shapes.map((s) => randomTensor(s, random));
      applyTo(layer, ...shapes.map((s) => [null, ...s.slice(1)]));
      const ours = layer.call(inputs[0], ...inputs.slice(1));
      // TF.js divergence: its Concatenate layer reads every negative axis as -1
      // (tfjs-layers `K.concatenate`), so other negative axes are checked against `tf.concat`.
      const tfjsLayerAgrees = axis >= 0 || axis === -1;
      const expected = theirs((xs) => (tfjsLayerAgrees ? (tf.layers.concatenate({ axis }).apply(xs) as tf.Tensor) : tf.concat(xs, axis)), inputs);
      expect(ours.shape).toEqual(expected.shape);
      expectClose(ours.data, expected.data, `concatenate axis ${axis}`, "concatenate");
      // Concatenation only moves values: they must be bit-identical.
      expect([...ours.data]).toEqual([...expected.data]);
    });
  }
});

/**
 * Keras `batch_dot` written with TF.js ops, for what the TF.js `Dot` layer
 * cannot take. TF.js divergence: the TF.js layer refuses inputs of rank 4
 * or more, and does not normalise a negative axis given in a pair when it
 * computes the output shape.
 */
function tfBatchDot(a1: number, a2: number): (xs: tf.Tensor[]) => tf.Tensor {
  return ([x, y]) => {
    const xPerm = [...x.shape.keys()].filter((k) => k !== a1).concat(a1);
    const yPerm = [0, a2, ...[...y.shape.keys()].filter((k) => k !== 0 && k !== a2)];
    const b = x.shape[0];
    const k = x.shape[a1];
    const xRest = x.shape.filter((_, i) => i !== 0 && i !== a1);
    const yRest = y.shape.filter((_, i) => i !== 0 && i !== a2);
    const m = xRest.reduce((p, d) => p * d, 1);
    const n = yRest.reduce((p, d) => p * d, 1);
    const product = tf.matMul(tf.transpose(x, xPerm).reshape([b, m, k]), tf.transpose(y, yPerm).reshape([b, k, n]));
    const shape = [b, ...xRest, ...yRest];
    return product.reshape(shape.length === 1 ? [b, 1] : shape);
  };
}

/** Keras 3 `normalize` along an axis with TF.js ops: `x * min(rsqrt(sum(x^2)), 1e7)`. */
const kerasNormalize = (x: tf.Tensor, axis: number): tf.Tensor => tf.mul(x, tf.minimum(tf.rsqrt(tf.sum(tf.square(x), axis, true)), 1e7));

describe("forward pass: dot against TF.js", () => {
  const random = createRandom(4242);
  const list: [number | [number, number], number[], number[]][] = [
    [1, [3, 8], [3, 8]],
    [-1, [3, 8], [3, 8]],
    [
      [2, 1],
      [2, 3, 5],
      [2, 5, 4],
    ],
    [
      [1, 2],
      [2, 5, 3],
      [2, 4, 5],
    ],
    [
      [1, 1],
      [2, 5, 3],
      [2, 5, 4],
    ],
    [2, [2, 3, 6], [2, 4, 6]],
    [
      [1, 2],
      [2, 6],
      [2, 3, 6],
    ],
    [
      [2, 1],
      [2, 3, 6],
      [2, 6],
    ],
    [
      [1, 1],
      [2, 6],
      [2, 6, 3],
    ],
    [-1, [2, 3, 6], [2, 6]],
  ];
  for (const normalize of [false, true]) {
    for (const [axes, s1, s2] of list) {
      it(`axes ${JSON.stringify(axes)} on ${JSON.stringify(s1)} and ${JSON.stringify(s2)}${normalize ? ", normalised" : ""}`, () => {
        const layer = new Dot({ axes, normalize });
        const inputs = [randomTensor(s1, random), randomTensor(s2, random)];
        applyTo(layer, [null, ...s1.slice(1)], [null, ...s2.slice(1)]);
        const ours = layer.call(inputs[0], inputs[1]);
        const expected = theirs((xs) => tf.layers.dot({ axes, normalize }).apply(xs) as tf.Tensor, inputs);
        expect(ours.shape).toEqual(expected.shape);
        expectClose(ours.data, expected.data, `dot ${JSON.stringify(axes)}`, normalize ? "dot, normalised" : "dot");
      });
    }
  }

  it("takes rank 4 and more and negative axes in a pair, as Keras 3 (TF.js divergence: checked against TF.js ops)", () => {
    const more: [number | [number, number], number, number, number[], number[]][] = [
      [[3, 1], 3, 1, [2, 2, 3, 4], [2, 4, 5, 3]],
      [[2, 3], 2, 3, [2, 3, 4, 2], [2, 2, 5, 4]],
      [[-1, -2], 2, 1, [2, 3, 5], [2, 5, 4]],
      [[-3, 1], 1, 1, [2, 4, 2, 3], [2, 4, 3]],
      [-1, 4, 3, [1, 2, 2, 2, 3], [1, 2, 2, 3]],
    ];
    for (const normalize of [false, true]) {
      for (const [axes, a1, a2, s1, s2] of more) {
        const layer = new Dot({ axes, normalize });
        const inputs = [randomTensor(s1, random), randomTensor(s2, random)];
        const shape = applyTo(layer, [null, ...s1.slice(1)], [null, ...s2.slice(1)]);
        const ours = layer.call(inputs[0], inputs[1]);
        const expected = theirs(([x, y]) => tfBatchDot(a1, a2)(normalize ? [kerasNormalize(x, a1), kerasNormalize(y, a2)] : [x, y]), inputs);
        expect(ours.shape).toEqual(expected.shape);
        expect(ours.shape.slice(1)).toEqual(shape.slice(1));
        expectClose(ours.data, expected.data, `dot ${JSON.stringify(axes)} rank ${s1.length}/${s2.length}`, "dot, rank 4+ or negative pair");
      }
    }
  });

  it("normalises as Keras 3 does for tiny and zero vectors (TF.js divergence: it floors the squared norm at 1e-7)", () => {
    // |x| = 1e-5: Keras 3 divides by the norm itself (x / max(|x|, 1e-7)), so
    // the cosine is 1; TF.js divides by sqrt(1e-7) and gives about 0.0316.
    const x = { shape: [2, 2], data: Float32Array.from([1e-5, 0, 0, 0]) };
    const y = { shape: [2, 2], data: Float32Array.from([3, 0, 1, 1]) };
    const out = new Dot({ axes: 1, normalize: true }).call(x, y);
    expect(out.shape).toEqual([2, 1]);
    expectClose(out.data, [1, 0], "dot normalise tiny and zero", "dot, tiny norms (Keras 3 formula)");
    expect(out.data.every(Number.isFinite)).toBe(true);
    const tfjs = theirs((xs) => tf.layers.dot({ axes: 1, normalize: true }).apply(xs) as tf.Tensor, [x, y]);
    expect(Math.abs(tfjs.data[0] - 1)).toBeGreaterThan(0.5);
  });
});
