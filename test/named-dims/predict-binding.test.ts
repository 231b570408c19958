/**
 * predict binds each name an input states from the data once, checks each
 * stated factor and each axis sharing a name, and names the input, the axis,
 * the name and the factor in its sentence.
 */
import { beforeEach, describe, expect, it } from "vitest";

import { add, clearSession, input, model, tensor } from "../../src/index.js";

describe("predict binds named sizes", () => {
  beforeEach(() => clearSession());

  it("takes a side that is a multiple of its stated factor", () => {
    const x = input({ shape: ["16*H", 3], name: "signal" });
    const m = model({ inputs: x, outputs: x.dense({ units: 2 }) });
    expect(m.predict(tensor([1, 48, 3]) as never).shape).toEqual([1, 48, 2]);
  });

  it("refuses a side that is not a multiple of its stated factor, naming input, axis, name and factor", () => {
    const x = input({ shape: ["16*H", 3], name: "signal" });
    const m = model({ inputs: x, outputs: x.dense({ units: 2 }) });
    expect(() => m.predict(tensor([1, 50, 3]) as never)).toThrow(
      "shapewise: predict input 'signal' has 50 on axis 1, stated as 16*H: 50 is not a multiple of 16",
    );
  });

  it("refuses two inputs sharing a name with different lengths, even when no layer compares them", () => {
    const a = input({ shape: ["T", 4], name: "a" });
    const b = input({ shape: ["T", 4], name: "b" });
    const m = model({ inputs: [a, b], outputs: [a.dense({ units: 2 }), b.dense({ units: 2 })] });
    expect(() => m.predict([tensor([1, 37, 4]), tensor([1, 40, 4])] as never)).toThrow(
      "shapewise: predict input 'b' has 40 on axis 1, stated as T (T = 40), but input 'a' binds T = 37 on axis 1",
    );
    const [ya, yb] = m.predict([tensor([1, 37, 4]), tensor([1, 37, 4])] as never) as unknown as { shape: number[] }[];
    expect([ya.shape, yb.shape]).toEqual([
      [1, 37, 2],
      [1, 37, 2],
    ]);
  });

  it("names the dimension where the model relies on an equality of the types", () => {
    const a = input({ shape: ["T", 4], name: "a" });
    const b = input({ shape: ["T", 4], name: "b" });
    const m = model({ inputs: [a, b], outputs: add([a, b]) });
    expect(() => m.predict([tensor([2, 5, 4]), tensor([2, 6, 4])] as never)).toThrow(
      "shapewise: predict input 'b' has 6 on axis 1, stated as T (T = 6), but input 'a' binds T = 5 on axis 1",
    );
  });

  it("binds a factor's name from every axis stating it", () => {
    const x = input({ shape: ["2*N", "4*N", 1], name: "grid" });
    const m = model({ inputs: x, outputs: x.dense({ units: 1 }) });
    expect(m.predict(tensor([1, 6, 12, 1]) as never).shape).toEqual([1, 6, 12, 1]);
    expect(() => m.predict(tensor([1, 6, 8, 1]) as never)).toThrow(
      "shapewise: predict input 'grid' has 8 on axis 2, stated as 4*N (N = 2), but input 'grid' binds N = 3 on axis 1",
    );
  });
});
