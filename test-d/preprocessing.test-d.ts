import { expectType } from "tsd";
import { input } from "../src/index.js";
import type { ErrorTensor, SymbolicTensor } from "../src/index.js";

const image = input({ shape: [32, 48, 3] });
declare const n: number;
declare const values: number[];

// rescaling and normalization keep the shape and add no parameters.
expectType<SymbolicTensor<[null, 32, 48, 3], 0, "0">>(image.rescaling({ scale: 1 / 255 }));
expectType<SymbolicTensor<[null, 32, 48, 3], 0, "0">>(image.rescaling({ scale: 1 / 127.5, offset: -1, name: "scale" }));
expectType<SymbolicTensor<[null, 32, 48, 3], 0, "0">>(image.normalization({ mean: [0.5, 0.4, 0.3], variance: [0.1, 0.1, 0.2] }));
expectType<SymbolicTensor<[null, 32, 48, 3], 0, "0">>(image.normalization({ mean: 0.5, variance: 0.25, axis: null }));
expectType<SymbolicTensor<[null, 32, 48, 3], 0, "0">>(image.normalization({ mean: 0.5, variance: 0.25 }));
expectType<SymbolicTensor<[null, 32, 48, 3], 0, "0">>(image.normalization({ mean: [1], variance: [1] }));
expectType<SymbolicTensor<[null, 32, 48, 3], 0, "0">>(
  image.normalization({ mean: [1, 2, 3], variance: [0, 1, 2], axis: -1, invert: true }).normalization({ mean: values, variance: values, axis: 1 }),
);
expectType<SymbolicTensor<[null, 32, 48, 3], 0, "0">>(image.normalization({ mean: n, variance: n, axis: n }));

// normalization without mean and variance is Keras's adaptable form: mean and variance per position of axis, and count (2n + 1).
expectType<SymbolicTensor<[null, 32, 48, 3], 7, "0">>(image.normalization());
expectType<SymbolicTensor<[null, 32, 48, 3], 7, "0">>(image.normalization({ axis: -1, invert: true }));
expectType<SymbolicTensor<[null, 32, 48, 3], 97, "0">>(image.normalization({ axis: 2 }));
expectType<SymbolicTensor<[null, 32, 48, 3], 65, "0">>(image.normalization({ axis: 1, name: "norm" }));
expectType<SymbolicTensor<[null, 32, 48, 3], 3, "0">>(image.normalization({ axis: null }));
expectType<SymbolicTensor<[null, 4], 74, "10*4">>(
  input({ shape: [10] })
    .normalization()
    .dense({ units: 4 })
    .normalization(),
);
expectType<SymbolicTensor<[null, 32, 48, 3], number, "0">>(image.normalization({ axis: n }));
expectType<ErrorTensor<"shapewise: normalization needs both mean and variance, or neither to adapt them from data, got mean alone">>(
  // @ts-expect-error mean alone
  image.normalization({ mean: 0.5 }),
);

// resizing and centerCrop: [batch, height, width, channels] to the target size.
expectType<SymbolicTensor<[null, 64, 64, 3], 0, "0">>(image.resizing({ height: 64, width: 64 }));
expectType<SymbolicTensor<[null, 16, 8, 3], 0, "0">>(image.resizing({ height: 16, width: 8, interpolation: "nearest", cropToAspectRatio: true }));
expectType<SymbolicTensor<[null, 24, 24, 3], 0, "0">>(image.centerCrop({ height: 24, width: 24 }));
expectType<SymbolicTensor<[null, 100, 10, 3], 0, "0">>(image.centerCrop({ height: 100, width: 10 }));
expectType<SymbolicTensor<[null, 224, 224, 3], 0, "0">>(
  input({ shape: [null, null, 3] })
    .resizing({ height: 256, width: 256 })
    .centerCrop({ height: 224, width: 224 })
    .rescaling({ scale: 2 }),
);
expectType<SymbolicTensor<[null, 7, 7, 8], 224, "7*7*216">>(
  image.resizing({ height: 9, width: 9 }).conv2d({ filters: 8, kernelSize: 3 }).centerCrop({ height: 7, width: 7 }),
);
expectType<SymbolicTensor<[null, number, number, 3], 0, "0">>(image.resizing({ height: n, width: n }));
expectType<SymbolicTensor<[null, 5, number, 3], 0, "0">>(image.centerCrop({ height: 5, width: n }));

// A fault gives an inert error tensor.
expectType<ErrorTensor<"shapewise: normalization needs a known size on axis 3 to broadcast its statistics, got [null, 4, 4, null]">>(
  // @ts-expect-error the receiver carries the fault of the default axis
  input({ shape: [4, 4, null] }).normalization({ mean: 0, variance: 1 }),
);
