/**
 * Models nested through the API are refused past the depth the file readers
 * accept (32 levels) with a sentence, never a stack overflow; error
 * sentences print hostile option values (cyclic, deep, huge arrays and
 * objects, typed arrays, functions) as one short line.
 */
import { beforeEach, describe, expect, it } from "vitest";

import { valueText } from "../../src/checks.js";
import { ShapeError, clearSession, input, model } from "../../src/index.js";
import type { Model } from "../../src/model.js";

/** A model nesting `depth` levels of models, each applying the one below once. */
function nested(depth: number): Model {
  const x = input({ shape: [4] });
  let inner = model({ inputs: x, outputs: x.dense({ units: 4 }), name: "m0" }) as unknown as Model;
  for (let d = 1; d <= depth; d++) {
    const i = input({ shape: [4] });
    inner = model({ inputs: i, outputs: (inner as unknown as { apply: (t: unknown) => never }).apply(i), name: `m${d}` }) as unknown as Model;
  }
  return inner;
}

describe("nesting depth of models built through the API", () => {
  beforeEach(() => clearSession());

  it("builds 32 levels and refuses the 33rd with the limit and the layer", () => {
    expect(nested(32).nestingDepth).toBe(32);
    expect(() => nested(33)).toThrow(ShapeError);
    expect(() => nested(33)).toThrow("shapewise: model 'm33' nests models more than 32 levels deep at layer 'm32'; shapewise builds at most 32 levels");
  });

  it("refuses 3,000 levels with the same sentence instead of overflowing the stack", () => {
    expect(() => nested(3000)).toThrow("nests models more than 32 levels deep");
  });
});

describe("valueText of hostile values", () => {
  it("prints shapes and small values as before", () => {
    expect(valueText([null, 28, 28, 1])).toBe("[null, 28, 28, 1]");
    expect(valueText({ a: [1, 2], b: "s" })).toBe('{"a":[1,2],"b":"s"}');
    expect(valueText("relu")).toBe("'relu'");
  });

  it("prints a cyclic array, a cyclic object and 100,000 levels of nesting in a short line", () => {
    const cyclic: unknown[] = [1];
    cyclic.push(cyclic);
    expect(valueText(cyclic)).toBe("[1, [cycle]]");
    const self: Record<string, unknown> = { a: 1 };
    self.self = self;
    expect(valueText(self)).toBe("[object Object]");
    let deep: unknown = 1;
    let deepObject: unknown = 1;
    for (let i = 0; i < 100_000; i++) {
      deep = [deep];
      deepObject = { a: deepObject };
    }
    expect(valueText(deep)).toBe("[[[[[[[[[...]]]]]]]]]");
    expect(valueText(deepObject)).toBe("[object Object]");
  });

  it("cuts huge arrays, strings and objects, and never prints a function's source", () => {
    const big = new Array(10_000_000).fill(0);
    expect(valueText(big).length).toBeLessThan(300);
    expect(valueText(big)).toMatch(/\.\.\. 9999936 more\]$/);
    expect(valueText("y".repeat(100_000)).length).toBeLessThan(300);
    const wide = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, i]));
    expect(valueText(wide).length).toBeLessThan(300);
    expect(valueText(() => "secret body")).toBe("a function");
    expect(valueText(new Float32Array(1_000_000))).toBe("a Float32Array of 1000000 values");
  });

  it("survives a proxy whose traps throw and a getter that throws", () => {
    const proxy = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error("trap");
        },
      },
    );
    expect(valueText(proxy)).toBe("[object Object]");
    const getter = Object.defineProperty({}, "a", {
      enumerable: true,
      get() {
        throw new Error("getter");
      },
    });
    expect(valueText(getter)).toBe("[object Object]");
  });

  it("a layer option that is a cyclic array is one sentence", () => {
    const cyclic: unknown[] = [3];
    cyclic.push(cyclic);
    const x = input({ shape: [8, 8, 1] });
    expect(() => (x as unknown as { conv2d: (c: unknown) => unknown }).conv2d({ filters: 2, kernelSize: cyclic })).toThrow(ShapeError);
  });
});
