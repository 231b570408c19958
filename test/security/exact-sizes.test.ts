/**
 * Sizes and parameter counts stay exact integers: a size, a layer's count or
 * a model's total past 2^53 − 1 (where numbers stop being exact) is a
 * ShapeError with the exact value, never a rounded number in a summary.
 */
import { describe, expect, it } from "vitest";
import { ShapeError, concatenate, input, model, tensor } from "../../src/index.js";

const big = 2 ** 30;
const PAST = "is past Number.MAX_SAFE_INTEGER (9007199254740991)";
const untyped = (x: unknown) => x as Record<string, (config?: unknown) => unknown>;

function refusal(build: () => unknown): string {
  try {
    build();
  } catch (e) {
    expect(e).toBeInstanceOf(ShapeError);
    return (e as Error).message;
  }
  throw new Error("expected a ShapeError");
}

describe("exact sizes and counts", () => {
  it("flatten and reshape of [2^30, 2^30, 2^30] name the exact size instead of printing 1.2379400392853803e+27", () => {
    expect(refusal(() => input({ shape: [big, big, big] }).flatten())).toBe(`shapewise: flatten output size 1237940039285380274899124224 ${PAST}`);
    expect(refusal(() => untyped(input({ shape: [big, big, big] })).reshape({ targetShape: [-1] }))).toBe(
      `shapewise: reshape input size 1237940039285380274899124224 ${PAST}`,
    );
    expect(refusal(() => untyped(input({ shape: [4] })).reshape({ targetShape: [big, big, big, -1] }))).toBe(
      `shapewise: reshape targetShape size 1237940039285380274899124224 ${PAST}`,
    );
    expect(input({ shape: [2 ** 26, 2 ** 26, 1] }).flatten().shape).toEqual([null, 2 ** 52]);
  });

  it("a layer's parameter count and a model's total past 2^53 - 1 are refused with the exact count", () => {
    expect(refusal(() => input({ shape: [big] }).dense({ units: big }))).toBe(`shapewise: dense parameter count 1152921505680588800 ${PAST}`);
    const x = input({ shape: [2 ** 26] });
    const two = x.dense({ units: 2 ** 26 }).dense({ units: 2 ** 26, name: "second" });
    expect(refusal(() => model({ inputs: x, outputs: two, name: "wide" }))).toBe(`shapewise: model parameter total 9007199388958720 ${PAST}`);
    const one = input({ shape: [2 ** 26] });
    expect(model({ inputs: one, outputs: one.dense({ units: 2 ** 26 }) }).countParams()).toBe(2 ** 52 + 2 ** 26);
  });

  it("a convolution's weights past 2^53 - 1 name the method and the exact count, as the type level does", () => {
    const wide = input({ shape: [4, 4, 2 ** 26] });
    expect(refusal(() => wide.conv2d({ filters: 2 ** 26, kernelSize: 3, padding: "same" }))).toBe(
      `shapewise: conv2d parameter count 40532396713443328 ${PAST}`,
    );
    expect(refusal(() => untyped(wide).conv2dTranspose({ filters: 2 ** 26, kernelSize: 3 }))).toBe(
      `shapewise: conv2dTranspose parameter count 40532396713443328 ${PAST}`,
    );
    // channels * depthMultiplier is itself past 2^53 - 1 here: the count is still the exact one.
    expect(refusal(() => untyped(input({ shape: [4, 4, 3 ** 20] })).depthwiseConv2d({ kernelSize: 1, depthMultiplier: 3 ** 20 }))).toBe(
      `shapewise: depthwiseConv2d parameter count ${2n * 3n ** 40n} ${PAST}`,
    );
    expect(refusal(() => untyped(wide).separableConv2d({ filters: 2 ** 27, kernelSize: 1 }))).toBe(
      `shapewise: separableConv2d parameter count 9007199456067584 ${PAST}`,
    );
  });

  it("a model's running total past 2^53 - 1 is the same sentence whether or not the model has a name", () => {
    const x = input({ shape: [4] });
    const two = untyped(untyped(x).embedding({ inputDim: 2 ** 26, outputDim: 2 ** 26 })).embedding({ inputDim: 2 ** 26, outputDim: 2 ** 26 });
    expect(refusal(() => model({ inputs: x, outputs: two as never }))).toBe(`shapewise: model parameter total 9007199254740992 ${PAST}`);
  });

  it("any other rule whose size leaves the exact range names the layer and its input", () => {
    expect(refusal(() => untyped(input({ shape: [2 ** 52, 3] })).zeroPadding1d({ padding: 2 ** 52 }))).toMatch(
      /^shapewise: layer 'zero_padding1d\w*' gives a size past Number\.MAX_SAFE_INTEGER \(9007199254740991\) for input \[null, 4503599627370496, 3\]$/,
    );
    const a = input({ shape: [2 ** 52] });
    const b = input({ shape: [2 ** 52] });
    expect(refusal(() => concatenate([a, b]))).toBe(`shapewise: concatenate axis size 9007199254740992 ${PAST}`);
  });

  it("tensor() of a size past 2^53 - 1 is refused with the exact size", () => {
    expect(refusal(() => tensor([big, big, big]))).toBe(`shapewise: tensor size 1237940039285380274899124224 ${PAST}`);
  });
});
