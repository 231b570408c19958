import { expectType } from "tsd";
import { input } from "../src/index.js";
import type { ErrorTensor, SymbolicTensor } from "../src/index.js";

const image = input({ shape: [28, 28, 32] });
const seq = input({ shape: [10, 64] });
const flat = input({ shape: [10] });
declare const n: number;
declare const flag: boolean;

// batchNormalization: 4 weights per channel of `axis` (2 of them moving statistics); scale/center drop one each.
expectType<SymbolicTensor<[null, 28, 28, 32], 128, "0">>(image.batchNormalization());
expectType<SymbolicTensor<[null, 28, 28, 32], 128, "0">>(image.batchNormalization({}));
expectType<SymbolicTensor<[null, 10], 40, "0">>(flat.batchNormalization());
expectType<SymbolicTensor<[null, 16, 8, 8], 64, "0">>(input({ shape: [16, 8, 8] }).batchNormalization({ axis: 1 }));
expectType<SymbolicTensor<[null, 16, 8, 8], 64, "0">>(input({ shape: [16, 8, 8] }).batchNormalization({ axis: -3 }));
expectType<SymbolicTensor<[null, 28, 28, 32], 112, "0">>(image.batchNormalization({ axis: 2 }));
expectType<SymbolicTensor<[null, 10], 30, "0">>(flat.batchNormalization({ scale: false }));
expectType<SymbolicTensor<[null, 10], 30, "0">>(flat.batchNormalization({ center: false }));
expectType<SymbolicTensor<[null, 10], 20, "0">>(flat.batchNormalization({ center: false, scale: false }));
expectType<SymbolicTensor<[null, 10], 40, "0">>(flat.batchNormalization({ momentum: 0.9, epsilon: 1e-5, name: "bn" }));
expectType<SymbolicTensor<[null, 10], 40, "0">>(flat.batchNormalization({ momentum: 0, epsilon: 2 }));
expectType<SymbolicTensor<[null, 10], 40, "0">>(flat.batchNormalization({ momentum: 1 }));
// Running totals add up.
expectType<SymbolicTensor<[null, 26, 26, 8], 288, "26*26*216">>(
  input({ shape: [28, 28, 3] })
    .conv2d({ filters: 8, kernelSize: 3 })
    .batchNormalization()
    .batchNormalization(),
);

// layerNormalization: gamma and beta with the sizes of the axes.
expectType<SymbolicTensor<[null, 10, 64], 128, "0">>(seq.layerNormalization());
expectType<SymbolicTensor<[null, 10, 64], 20, "0">>(seq.layerNormalization({ axis: 1 }));
expectType<SymbolicTensor<[null, 10, 64], 1280, "0">>(seq.layerNormalization({ axis: [1, 2] }));
expectType<SymbolicTensor<[null, 10, 64], 1280, "0">>(seq.layerNormalization({ axis: [-1, -2] }));
expectType<SymbolicTensor<[null, 10, 64], 64, "0">>(seq.layerNormalization({ center: false }));
expectType<SymbolicTensor<[null, 10, 64], 0, "0">>(seq.layerNormalization({ center: false, scale: false, epsilon: 1e-6 }));
expectType<SymbolicTensor<[null, 28, 28, 32], 26996, "0">>(
  image
    .layerNormalization({ axis: [2, 3] })
    .layerNormalization({ axis: [1, 2, 3], center: false })
    .layerNormalization({ axis: 1, scale: false })
    .batchNormalization({ axis: 1, center: false, scale: false })
    .layerNormalization({ axis: [3], center: false, scale: false })
    .layerNormalization({ axis: -1, center: false })
    .layerNormalization({ axis: 1, center: false, scale: false })
    .layerNormalization({ axis: 3, scale: false, center: false })
    .layerNormalization({ axis: [1], scale: false, center: false }),
);

// Unknown sizes off the normalised axes stay null; non-literal options give number, never an error or any.
expectType<SymbolicTensor<[null, null, null, 3], 12, "0">>(input({ shape: [null, null, 3] }).batchNormalization());
expectType<SymbolicTensor<[null, null, 64], 128, "0">>(input({ shape: [null, 64] }).layerNormalization());
expectType<SymbolicTensor<[null, 28, 28, 32], number, "0">>(image.batchNormalization({ axis: n }));
expectType<SymbolicTensor<[null, 28, 28, 32], number, "0">>(image.batchNormalization({ scale: flag }));
expectType<SymbolicTensor<[null, 28, 28, 32], 128, "0">>(image.batchNormalization({ momentum: n, epsilon: n }));
expectType<SymbolicTensor<[null, number, 4], number, "0">>(input({ shape: [n, 4] }).batchNormalization({ axis: 1 }));
expectType<SymbolicTensor<[null, 10, 64], number, "0">>(seq.layerNormalization({ axis: [n] }));
expectType<SymbolicTensor<[null, 10, 64], number, "0">>(seq.layerNormalization({ axis: [1, n] }));
expectType<SymbolicTensor<[null, 10, 64], number, "0">>(seq.layerNormalization({ center: flag }));

// Faults give an inert error tensor (the diagnostics themselves are in test-d/errors/).
expectType<ErrorTensor<"shapewise: batchNormalization needs a known size on axis 3 to size its weights, got [null, 28, 28, null]">>(
  // @ts-expect-error the receiver carries the fault of the default axis
  input({ shape: [28, 28, null] }).batchNormalization(),
);
