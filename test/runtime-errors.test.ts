/**
 * Plain JavaScript callers, `any` values and configs read from JSON get a
 * `ShapeError` that names the layer, the values and the rule, before any
 * computation; never a NaN, a negative size or another kind of exception.
 */
import fc from "fast-check";
import { beforeEach, describe, expect, it } from "vitest";
import { ShapeError, clearSession, input, model, tensor } from "../src/index.js";

// The untyped view a JavaScript caller has.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Untyped = any;
const image = (): Untyped => input({ shape: [28, 28, 3] });

beforeEach(() => clearSession());

describe("configs from untyped code", () => {
  const cases: [string, () => unknown, string][] = [
    [
      "a misspelt option",
      () => image().conv2d({ filters: 8, kernel_size: 3 }),
      "shapewise: conv2d has no option 'kernel_size' (options: filters, kernelSize, strides, padding, dataFormat, dilationRate, groups, activation, useBias, kernelRegularizer, biasRegularizer, activityRegularizer, name)",
    ],
    ["a missing option", () => image().conv2d({ filters: 8 }), "shapewise: conv2d kernelSize must be a positive integer or a pair of them, got undefined"],
    ["a string size", () => image().conv2d({ filters: "8", kernelSize: 3 }), "shapewise: conv2d filters must be a positive integer, got '8'"],
    ["NaN", () => image().conv2d({ filters: Number.NaN, kernelSize: 3 }), "shapewise: conv2d filters must be a positive integer, got NaN"],
    ["Infinity", () => image().dense({ units: Number.POSITIVE_INFINITY }), "shapewise: dense units must be a positive integer, got Infinity"],
    [
      "a triple kernel",
      () => image().conv2d({ filters: 8, kernelSize: [3, 3, 3] }),
      "shapewise: conv2d kernelSize must be a positive integer or a pair of them, got [3, 3, 3]",
    ],
    [
      "an unknown padding",
      () => image().conv2d({ filters: 8, kernelSize: 3, padding: "full" }),
      "shapewise: conv2d padding must be one of 'valid', 'same', got 'full'",
    ],
    ["an unknown activation", () => image().dense({ units: 8, activation: "leaky" }), "shapewise: dense activation must be one of 'linear', 'relu'"],
    ["a non-boolean useBias", () => image().dense({ units: 8, useBias: "no" }), "shapewise: dense useBias must be true or false, got 'no'"],
    ["a config that is not an object", () => image().dense(8), "shapewise: dense expects a config object, got 8"],
    ["a name with a slash", () => image().dense({ units: 8, name: "a/b" }), "shapewise: dense name must be a non-empty string without '/', got 'a/b'"],
    ["an activation layer with a bad name", () => image().activation("relu7"), "shapewise: activation activation must be one of"],
    ["a dropout rate as a string", () => image().dropout({ rate: "0.5" }), "shapewise: dropout rate must be at least 0 and below 1, got '0.5'"],
    ["an input shape that is not an array", () => (input as Untyped)({ shape: 28 }), "shapewise: input shape sizes must be positive integers or null, got 28"],
    [
      "an input shape with a fraction",
      () => (input as Untyped)({ shape: [28, 2.5] }),
      "shapewise: input shape sizes must be positive integers or null, got [28, 2.5]",
    ],
    [
      "a pool window larger than a padded-out image",
      () => image().conv2d({ filters: 4, kernelSize: 28 }).maxPooling2d({ poolSize: 2 }),
      "shapewise: maxPooling2d poolSize 2 is larger than input height 1 with padding 'valid'",
    ],
    [
      "model outputs that are not tensors",
      () => (model as Untyped)({ inputs: image(), outputs: 3 }),
      "shapewise: model outputs must be a symbolic tensor, got 3",
    ],
    [
      "model inputs that are not inputs",
      () => {
        const x = image().flatten();
        return (model as Untyped)({ inputs: x, outputs: x.dense({ units: 2 }) });
      },
      "shapewise: model inputs must be a tensor from input()",
    ],
    [
      "outputs that do not come from the inputs",
      () => (model as Untyped)({ inputs: image(), outputs: image().flatten() }),
      "shapewise: model outputs do not come from its inputs (they reach input 'input_",
    ],
    ["a tensor with the wrong amount of data", () => (tensor as Untyped)([2, 3], [1, 2, 3]), "shapewise: tensor of shape [2, 3] needs 6 values, got 3"],
    ["a tensor with a zero size", () => (tensor as Untyped)([2, 0]), "shapewise: tensor shape sizes must be positive integers, got [2, 0]"],
  ];

  it.each(cases)("%s", (_label, run, message) => {
    expect(run).toThrow(ShapeError);
    expect(run).toThrow(message);
  });

  it("a config read from JSON goes through the same rules", () => {
    const config = JSON.parse('{"filters": 16, "kernelSize": [3, 3], "strides": 2, "padding": "same"}');
    expect(image().conv2d(config).shape).toEqual([null, 14, 14, 16]);
    const bad = JSON.parse('{"filters": 16, "kernelSize": [30, 3]}');
    expect(() => image().conv2d(bad)).toThrow("shapewise: conv2d kernelSize 30 is larger than input height 28 with padding 'valid'");
  });
});

describe("generated invalid configs", () => {
  const badNumber = fc.oneof(
    fc.integer({ min: -1000, max: 0 }),
    fc.double({ min: 0.01, max: 100, noNaN: true }).filter((x) => !Number.isInteger(x)),
    fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 2 ** 60),
    fc.constantFrom("3", null, true, {}, [1, 2, 3], []),
  );
  const good = fc.integer({ min: 1, max: 5 });

  it("every bad size, count or stride gives a ShapeError and nothing else", () => {
    fc.assert(
      fc.property(fc.constantFrom("filters", "kernelSize", "strides", "dilationRate", "units", "poolSize"), badNumber, good, (key, bad, k) => {
        clearSession();
        const x: Untyped = input({ shape: [16, 16, 4] });
        const build = (): unknown => {
          if (key === "units") return x.dense({ units: bad });
          if (key === "poolSize") return x.maxPooling2d({ poolSize: bad });
          return x.conv2d({ filters: 4, kernelSize: k, [key]: bad });
        };
        expect(build).toThrow(ShapeError);
        expect(build).toThrow(/^shapewise: (conv2d|dense|maxPooling2d) /);
      }),
      { seed: 20261125, numRuns: 400 },
    );
  });

  it("windows too large for their input are caught, never give a size below 1", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 3 }),
        (size, kernel, dilation, stride) => {
          clearSession();
          const x: Untyped = input({ shape: [size, size, 2] });
          const span = dilation * (kernel - 1) + 1;
          const config = { filters: 3, kernelSize: kernel, dilationRate: dilation, strides: dilation > 1 ? 1 : stride };
          if (span > size) {
            expect(() => x.conv2d(config)).toThrow(ShapeError);
          } else {
            const shape = x.conv2d(config).shape as number[];
            expect(shape[1]).toBeGreaterThanOrEqual(1);
            expect(Number.isInteger(shape[1])).toBe(true);
          }
        },
      ),
      { seed: 7, numRuns: 500 },
    );
  });
});

describe("predict with sizes known only at run time", () => {
  it("checks the rules again for the concrete sizes, before computing", () => {
    const x = input({ shape: [null, null, 2] });
    const m = model({ inputs: x, outputs: x.conv2d({ filters: 1, kernelSize: 3 }).maxPooling2d() });
    expect(m.predict(tensor([1, 6, 7, 2])).shape).toEqual([1, 2, 2, 1]);
    expect(() => m.predict(tensor([1, 2, 2, 2]))).toThrow(ShapeError);
    expect(() => m.predict(tensor([1, 2, 2, 2]))).toThrow("shapewise: conv2d kernelSize 3 is larger than input height 2 with padding 'valid'");
    expect(() => m.predict(tensor([1, 3, 3, 2]))).toThrow("shapewise: maxPooling2d poolSize 2 is larger than input height 1 with padding 'valid'");
  });

  it("never hands the caller's input buffer back", () => {
    const x = input({ shape: [2, 3] });
    const t = tensor([1, 2, 3], [1, 2, 3, 4, 5, 6]);
    for (const outputs of [x.flatten(), x.dropout({ rate: 0.5 }), x.activation("linear")]) {
      const y = model({ inputs: x, outputs }).predict(t);
      expect(y.data).not.toBe(t.data);
      y.data[0] = 99;
      expect(t.data[0]).toBe(1);
    }
  });
});
