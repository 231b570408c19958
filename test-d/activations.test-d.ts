import { expectType } from "tsd";
import { input } from "../src/index.js";
import type { ErrorTensor, SymbolicTensor } from "../src/index.js";

const image = input({ shape: [10, 10, 3] });
const flat = input({ shape: [10] });
declare const n: number;
declare const axes: number[];

// Parameter-free activations keep shape and total.
expectType<SymbolicTensor<[null, 10], 0, "0">>(flat.reLU());
expectType<SymbolicTensor<[null, 10], 0, "0">>(flat.reLU({ maxValue: 6 }));
expectType<SymbolicTensor<[null, 10], 0, "0">>(flat.reLU({ maxValue: 0, negativeSlope: 0.1, threshold: 0.5, name: "r" }));
expectType<SymbolicTensor<[null, 10], 0, "0">>(flat.leakyReLU());
expectType<SymbolicTensor<[null, 10], 0, "0">>(flat.leakyReLU({ alpha: 0.1 }));
expectType<SymbolicTensor<[null, 10], 0, "0">>(flat.leakyReLU({ alpha: 0 }));
expectType<SymbolicTensor<[null, 10], 0, "0">>(flat.elu());
expectType<SymbolicTensor<[null, 10], 0, "0">>(flat.elu({ alpha: -0.5 }));
expectType<SymbolicTensor<[null, 10], 0, "0">>(flat.softmax());
expectType<SymbolicTensor<[null, 10, 10, 3], 0, "0">>(image.softmax({ axis: 1 }));
expectType<SymbolicTensor<[null, 10, 10, 3], 0, "0">>(image.softmax({ axis: [1, 2] }));
expectType<SymbolicTensor<[null, 10, 10, 3], 0, "0">>(image.softmax({ axis: -4 }));
expectType<SymbolicTensor<[null, 10, 10, 3], 0, "0">>(image.softmax({ axis: 0 }));
expectType<SymbolicTensor<[null, 10, 10, 16], 64, "10*10*48">>(image.conv2d({ filters: 16, kernelSize: 1 }).reLU().leakyReLU().elu().softmax());

// pReLU: alpha shaped like a sample, shared axes of size 1; prelu is the same layer.
expectType<SymbolicTensor<[null, 10, 10, 3], 300, "0">>(image.pReLU());
expectType<SymbolicTensor<[null, 10, 10, 3], 300, "0">>(image.prelu());
expectType<SymbolicTensor<[null, 10, 10, 3], 3, "0">>(image.pReLU({ sharedAxes: [1, 2] }));
expectType<SymbolicTensor<[null, 10, 10, 3], 30, "0">>(image.prelu({ sharedAxes: 1 }));
expectType<SymbolicTensor<[null, 10, 10, 3], 100, "0">>(image.pReLU({ sharedAxes: [3, 3] }));
expectType<SymbolicTensor<[null, 10, 10, 3], 300, "0">>(image.pReLU({ sharedAxes: [] }));
expectType<SymbolicTensor<[null, 10], 10, "0">>(flat.pReLU());
expectType<SymbolicTensor<[null, 10, 10, 3], 303, "0">>(image.pReLU().pReLU({ sharedAxes: [1, 2] }));

// Unknown sizes: a shared unknown axis is fine; non-literal options give number, never an error or any.
expectType<SymbolicTensor<[null, null, 4], 4, "0">>(input({ shape: [null, 4] }).pReLU({ sharedAxes: 1 }));
expectType<SymbolicTensor<[null, 10, 10, 3], number, "0">>(image.pReLU({ sharedAxes: n }));
expectType<SymbolicTensor<[null, 10, 10, 3], number, "0">>(image.pReLU({ sharedAxes: axes }));
expectType<SymbolicTensor<[null, number, 3], number, "0">>(input({ shape: [n, 3] }).pReLU());
expectType<SymbolicTensor<[null, 10], 0, "0">>(flat.reLU({ maxValue: n, negativeSlope: n, threshold: n }));
expectType<SymbolicTensor<[null, 10], 0, "0">>(flat.leakyReLU({ alpha: n }));
expectType<SymbolicTensor<[null, 10, 10, 3], 0, "0">>(image.softmax({ axis: n }));
expectType<SymbolicTensor<[null, 10, 10, 3], 0, "0">>(image.softmax({ axis: axes }));

// A fault gives an inert error tensor.
expectType<ErrorTensor<"shapewise: pReLU needs a known size on axis 1 to size its weights, got [null, null, 4]">>(
  // @ts-expect-error the receiver carries the fault: no sharedAxes was written
  input({ shape: [null, 4] }).pReLU(),
);
