/**
 * The layers that do not train yet: `compile` names each with its sentence,
 * as the README lists them.
 */
import { describe, expect, it } from "vitest";
import { clearSession, input, model, optimizers } from "../../src/node/index.js";
import type { Model } from "../../src/index.js";

const compileOf = (m: unknown) => () => (m as Model).compile({ optimizer: optimizers.sgd(), loss: "meanSquaredError" });

describe("layers without a backward pass", () => {
  it("bilinear resizing, a center crop larger than the image and a nested model holding a refused layer are refused by name", () => {
    clearSession();
    const i = input({ shape: [4, 4, 1] });
    expect(compileOf(model({ inputs: i, outputs: i.resizing({ height: 6, width: 6, interpolation: "bilinear" }).flatten().dense({ units: 2 }) }))).toThrow(
      "shapewise: compile cannot train this model: 'resizing' (Resizing): the backward pass of resizing with interpolation 'bilinear' is not written yet (only 'nearest' trains)",
    );
    clearSession();
    const j = input({ shape: [4, 4, 1] });
    expect(compileOf(model({ inputs: j, outputs: j.centerCrop({ height: 6, width: 6 }).flatten().dense({ units: 2 }) }))).toThrow(
      "the backward pass of centerCrop on images smaller than the crop (a bilinear resize) is not written yet",
    );
    clearSession();
    const a = input({ shape: [4, 4, 1] });
    const inner = model({ inputs: a, outputs: a.resizing({ height: 6, width: 6, name: "inner_resize" }), name: "inner" });
    const b = input({ shape: [4, 4, 1] });
    const outer = model({
      inputs: b,
      outputs: (inner as unknown as { apply: (t: unknown) => { flatten: () => { dense: (c: unknown) => unknown } } })
        .apply(b)
        .flatten()
        .dense({ units: 1 }) as never,
    });
    expect(compileOf(outer)).toThrow(
      "shapewise: compile cannot train this model: 'inner' (Functional): layers inside it do not train: 'inner_resize' (Resizing): the backward pass of resizing with interpolation 'bilinear'",
    );
  });
});
