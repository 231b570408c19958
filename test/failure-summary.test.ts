/**
 * A summary of a model that failed to build: the layers up to the failing
 * call, then the failing layer marked with its sentence, for models built in
 * untyped code and read from files.
 */
import { describe, expect, it } from "vitest";

import { ShapeError, clearSession, failureSummary, input, model, modelFromKerasJSON } from "../src/index.js";

/** The error a call throws. */
function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error("expected an error");
}

describe("failureSummary", () => {
  it("prints the layers built before the failing call and marks it with its sentence", () => {
    clearSession();
    const x = input({ shape: [8, 8, 3] });
    const y = x.conv2d({ filters: 4, kernelSize: 3 }).maxPooling2d({ poolSize: 2 });
    const error = thrown(() => (y as unknown as { conv2d(c: unknown): unknown }).conv2d({ filters: 8, kernelSize: 5 }));
    expect(error).toBeInstanceOf(ShapeError);
    const text = failureSummary(error)!;
    expect(text.split("\n")).toEqual([
      'Model: "model"',
      "_".repeat(65),
      " Layer (type)                Output Shape              Param #   ",
      "=".repeat(65),
      " input_1 (InputLayer)        [(None, 8, 8, 3)]         0         ",
      " ".repeat(65),
      " conv2d (Conv2D)             (None, 6, 6, 4)           112       ",
      " ".repeat(65),
      " max_pooling2d (MaxPooling2D  (None, 3, 3, 4)          0         ",
      " )                                                               ",
      " ".repeat(65),
      "=".repeat(65),
      "Total params: 112",
      "Trainable params: 112",
      "Non-trainable params: 0",
      "_".repeat(65),
      "Failed at conv2d_1 (Conv2D) on (None, 3, 3, 4): shapewise: conv2d kernelSize 5 is larger than input height 3 with padding 'valid'",
      "",
    ]);
    expect(failureSummary(error, { style: "keras3" })).toContain("│ max_pooling2d (MaxPooling2D)    │ (None, 3, 3, 4)");
  });

  it("moves no name counter and no weight stream: the next model is named and drawn as before", () => {
    clearSession();
    const x = input({ shape: [4] });
    const error = thrown(() => x.dense({ units: 0 as never }));
    failureSummary(error);
    const m = model({ inputs: x, outputs: x.dense({ units: 2 }) });
    expect(m.name).toBe("model");
    clearSession();
    const x2 = input({ shape: [4] });
    const m2 = model({ inputs: x2, outputs: x2.dense({ units: 2 }) });
    expect(m2.getWeights()[0].data).toEqual(m.getWeights()[0].data);
  });

  it("reads the failing layer of a model file", () => {
    clearSession();
    const x = input({ shape: [8, 8, 1] });
    const m = model({ inputs: x, outputs: x.conv2d({ filters: 2, kernelSize: 3 }).conv2d({ filters: 2, kernelSize: 3 }).flatten().dense({ units: 3 }) });
    const json = JSON.parse(m.toKerasJSON());
    json.config.layers[2].config.kernel_size = [7, 7];
    clearSession();
    const error = thrown(() => modelFromKerasJSON(JSON.stringify(json)));
    const text = failureSummary(error)!;
    expect(text).toContain(" conv2d (Conv2D)             (None, 6, 6, 2)           20        \n");
    expect(text.trimEnd().split("\n").at(-1)).toBe(
      "Failed at conv2d_1 (Conv2D) on (None, 6, 6, 2): shapewise: conv2d kernelSize 7 is larger than input height 6 with padding 'valid'",
    );
  });

  it("gives undefined for errors that are not a failed layer call", () => {
    expect(failureSummary(new Error("x"))).toBeUndefined();
    expect(failureSummary(new ShapeError("shapewise: predict expects a tensor"))).toBeUndefined();
    expect(failureSummary(undefined)).toBeUndefined();
  });
});
