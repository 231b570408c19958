/**
 * fit, evaluate and trainOnBatch bind each name the inputs state from x
 * once and hold the labels to the sizes the outputs compute from them; a
 * model applied as a layer binds its names from the lengths it is given.
 */
import { beforeEach, describe, expect, it } from "vitest";

import { clearSession, input, model, optimizers, tensor } from "../../src/index.js";
import { sizeAdmits } from "../../src/size.js";

describe("training labels of a model with named sizes", () => {
  beforeEach(() => clearSession());

  function tagger() {
    const x = input({ shape: ["T", 4], name: "tokens" });
    return model({
      inputs: x,
      outputs: x
        .upSampling1d({ size: 2 })
        .zeroPadding1d({ padding: [1, 0] })
        .dense({ units: 3 }),
    });
  }

  it("trains when the labels have the lengths x makes the output's expressions", () => {
    const c = tagger().compile({ optimizer: optimizers.sgd(), loss: "meanSquaredError" });
    const logs = c.trainOnBatch(tensor([2, 5, 4]), tensor([2, 11, 3]));
    expect(Number.isFinite(logs.loss)).toBe(true);
    expect(Number.isFinite(c.evaluate(tensor([2, 6, 4]), tensor([2, 13, 3]), { verbose: 0 }).loss)).toBe(true);
  });

  it("refuses labels whose length is not the one x binds, naming the axis, the expression, its value and the binding", () => {
    const c = tagger().compile({ optimizer: optimizers.sgd(), loss: "meanSquaredError" });
    expect(() => c.trainOnBatch(tensor([2, 5, 4]), tensor([2, 13, 3]))).toThrow(
      "shapewise: trainOnBatch y has 13 on axis 1, where the output has 2*T+1, which x makes 11 (T = 5)",
    );
    expect(() => c.evaluate(tensor([2, 5, 4]), tensor([2, 15, 3]), { verbose: 0 })).toThrow(
      "shapewise: evaluate y has 15 on axis 1, where the output has 2*T+1, which x makes 11 (T = 5)",
    );
  });

  it("holds sparse labels to the output's named sizes without the class axis", async () => {
    const x = input({ shape: ["T", 4] });
    const c = model({ inputs: x, outputs: x.dense({ units: 3, activation: "softmax" }) }).compile({
      optimizer: optimizers.sgd(),
      loss: "sparseCategoricalCrossentropy",
    });
    const ids = { shape: [2, 7] as [2, 7], data: new Int32Array(14) };
    await expect(c.fit(tensor([2, 7, 4]), ids, { verbose: 0 })).resolves.toBeDefined();
    await expect(c.fit(tensor([2, 8, 4]), ids, { verbose: 0 })).rejects.toThrow("shapewise: fit y has 7 on axis 1, where the output has T, which x binds to 8");
  });

  it("checks each factor x states before any label", () => {
    const x = input({ shape: ["16*H", 3], name: "signal" });
    const c = model({ inputs: x, outputs: x.dense({ units: 1 }) }).compile({ optimizer: optimizers.sgd(), loss: "meanSquaredError" });
    expect(() => c.trainOnBatch(tensor([1, 40, 3]) as never, tensor([1, 40, 1]) as never)).toThrow(
      "shapewise: trainOnBatch input 'signal' has 40 on axis 1, stated as 16*H: 40 is not a multiple of 16",
    );
  });
});

describe("a model with named sizes applied as a layer", () => {
  beforeEach(() => clearSession());

  it("binds its names from a known length and refuses one its factor rules out", () => {
    const i = input({ shape: ["16*H", 3], name: "signal" });
    const inner = model({ inputs: i, outputs: i.dense({ units: 2 }), name: "enc" });
    expect(inner.apply(input({ shape: [48, 3] })).shape).toEqual([null, null, 2]);
    const j = input({ shape: ["16*H", 3], name: "signal" });
    const other = model({ inputs: j, outputs: j.dense({ units: 2 }), name: "enc" });
    expect(() => other.apply(input({ shape: [37, 3] }) as never)).toThrow(
      "shapewise: a model applied as a layer expects input shape [null, 16*H, 3], got [null, 37, 3]: 37 is not a multiple of 16",
    );
  });

  it("binds one name once: two axes stating it take one length", () => {
    const i = input({ shape: ["T", "T", 1], name: "grid" });
    const inner = model({ inputs: i, outputs: i.dense({ units: 2 }), name: "square" });
    expect(() => inner.apply(input({ shape: [5, 6, 1] }))).toThrow(
      "shapewise: model 'square' applied as a layer: input 'grid' has 6 on axis 2, stated as T (T = 6), but input 'grid' binds T = 5 on axis 1",
    );
  });

  it("binds them from the data when the outer model leaves the length unknown", () => {
    const i = input({ shape: ["16*H", 3], name: "signal" });
    const inner = model({ inputs: i, outputs: i.dense({ units: 2 }), name: "enc" });
    const o = input({ shape: [null, 3] });
    const outer = model({ inputs: o, outputs: inner.apply(o) });
    expect(outer.predict(tensor([1, 32, 3])).shape).toEqual([1, 32, 2]);
    expect(() => outer.predict(tensor([1, 33, 3]))).toThrow(
      "shapewise: a model applied as a layer expects input shape [null, 16*H, 3], got [1, 33, 3]: 33 is not a multiple of 16",
    );
  });
});

describe("sizeAdmits", () => {
  it("rules out only what every binding of the names rules out", () => {
    expect(sizeAdmits("16*H", 48)).toBe(true);
    expect(sizeAdmits("16*H", 37)).toBe("37 is not a multiple of 16");
    expect(sizeAdmits("2*T+1", 36)).toBe("36 is not 2*T+1 for any T");
    expect(sizeAdmits("T+2", 2)).toBe("2 is not T+2 for any T");
    expect(sizeAdmits("2*H+4*W", 4)).toBe("4 is not 2*H+4*W for any H, W");
    expect(sizeAdmits("floor(H/2)", 5)).toBe(true);
    expect(sizeAdmits("T-1", 4)).toBe(true);
    expect(sizeAdmits(7, 4)).toBe("4 is not 7");
  });
});
