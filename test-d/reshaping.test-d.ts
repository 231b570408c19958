import { expectType } from "tsd";
import { input } from "../src/index.js";
import type { Dim, SymbolicTensor } from "../src/index.js";

const image = input({ shape: [28, 28, 1] });
const seq = input({ shape: [10, 4] });
const volume = input({ shape: [4, 4, 4, 2] });
declare const n: number;

// flatten, with either data format (the size is the same; the order differs).
expectType<SymbolicTensor<[null, 784], 0, "0">>(image.flatten());
expectType<SymbolicTensor<[null, 784], 0, "0">>(image.flatten({ dataFormat: "channelsFirst" }));
expectType<SymbolicTensor<[null, 1], 0, "0">>(input({ shape: [] }).flatten());
expectType<SymbolicTensor<[null, 10], 0, "0">>(input({ shape: [10] }).flatten());

// reshape: -1 resolved exactly; sizes kept.
expectType<SymbolicTensor<[null, 49, 16], 0, "0">>(image.reshape({ targetShape: [-1, 16] }));
expectType<SymbolicTensor<[null, 7, 7, 16], 0, "0">>(input({ shape: [784] }).reshape({ targetShape: [7, 7, 16] }));
expectType<SymbolicTensor<[null, 784], 0, "0">>(image.reshape({ targetShape: [-1] }));
expectType<SymbolicTensor<[null, 2, 392, 1], 0, "0">>(image.reshape({ targetShape: [2, -1, 1] }));
expectType<SymbolicTensor<[null, 3, 4], 0, "0">>(input({ shape: [12] }).reshape({ targetShape: [3, 4], name: "r" }));
expectType<SymbolicTensor<[null, 1000000, 1000], 0, "0">>(input({ shape: [1000000000] }).reshape({ targetShape: [1000000, -1] }));
// An unknown input size gives null for -1 (as Keras 3), and known sizes stay.
expectType<SymbolicTensor<[null, null, 4, 7], 0, "0">>(input({ shape: [null, 28, 1] }).reshape({ targetShape: [-1, 4, 7] }));
expectType<SymbolicTensor<[null, 2, 4], 0, "0">>(input({ shape: [null, 4] }).reshape({ targetShape: [2, 4] }));
// Non-literal sizes give number.
expectType<SymbolicTensor<[null, number, 16], 0, "0">>(image.reshape({ targetShape: [n, 16] }));
expectType<SymbolicTensor<[null, number, number], 0, "0">>(image.reshape({ targetShape: [-1, n] }));
expectType<SymbolicTensor<[null, number, 2], 0, "0">>(input({ shape: [n, 4] }).reshape({ targetShape: [-1, 2] }));
declare const target: number[];
expectType<SymbolicTensor<[null, ...number[]], 0, "0">>(image.reshape({ targetShape: target }));

// permute.
expectType<SymbolicTensor<[null, 64, 10], 0, "0">>(input({ shape: [10, 64] }).permute({ dims: [2, 1] }));
expectType<SymbolicTensor<[null, 6, 4, 5], 0, "0">>(input({ shape: [4, 5, 6] }).permute({ dims: [3, 1, 2] }));
expectType<SymbolicTensor<[null, 5, null, 4], 0, "0">>(input({ shape: [null, 4, 5] }).permute({ dims: [3, 1, 2] }));
expectType<SymbolicTensor<[null, Dim, 10], 0, "0">>(input({ shape: [10, 64] }).permute({ dims: [n, 1] }));

// repeatVector.
expectType<SymbolicTensor<[null, 3, 32], 0, "0">>(input({ shape: [32] }).repeatVector({ n: 3 }));
expectType<SymbolicTensor<[null, number, 32], 0, "0">>(input({ shape: [32] }).repeatVector({ n }));
expectType<SymbolicTensor<[null, 3, 10], 160, "4*10+3*10*10">>(
  input({ shape: [4] })
    .dense({ units: 10 })
    .repeatVector({ n: 3 })
    .dense({ units: 10 }),
);

// Zero padding: every form, both data formats, null sizes.
expectType<SymbolicTensor<[null, 12, 4], 0, "0">>(seq.zeroPadding1d());
expectType<SymbolicTensor<[null, 14, 4], 0, "0">>(seq.zeroPadding1d({ padding: 2 }));
expectType<SymbolicTensor<[null, 14, 4], 0, "0">>(seq.zeroPadding1d({ padding: [1, 3] }));
expectType<SymbolicTensor<[null, 30, 30, 1], 0, "0">>(image.zeroPadding2d());
expectType<SymbolicTensor<[null, 30, 32, 1], 0, "0">>(image.zeroPadding2d({ padding: [1, 2] }));
expectType<SymbolicTensor<[null, 31, 35, 1], 0, "0">>(
  image.zeroPadding2d({
    padding: [
      [1, 2],
      [3, 4],
    ],
  }),
);
expectType<SymbolicTensor<[null, 31, 34, 1], 0, "0">>(image.zeroPadding2d({ padding: [[1, 2], 3] }));
expectType<SymbolicTensor<[null, 28, 30, 5], 0, "0">>(image.zeroPadding2d({ padding: [1, 2], dataFormat: "channelsFirst" }));
expectType<SymbolicTensor<[null, 6, 6, 6, 2], 0, "0">>(volume.zeroPadding3d());
expectType<SymbolicTensor<[null, 6, 4, 8, 2], 0, "0">>(volume.zeroPadding3d({ padding: [1, 0, 2] }));
expectType<SymbolicTensor<[null, 7, 5, 10, 2], 0, "0">>(volume.zeroPadding3d({ padding: [[1, 2], [0, 1], 3] }));
expectType<SymbolicTensor<[null, 4, 6, 6, 4], 0, "0">>(volume.zeroPadding3d({ padding: 1, dataFormat: "channelsFirst" }));
expectType<SymbolicTensor<[null, null, 12, 2], 0, "0">>(
  input({ shape: [null, 5, 2] }).zeroPadding2d({
    padding: [
      [1, 2],
      [3, 4],
    ],
  }),
);
expectType<SymbolicTensor<[null, number, 4], 0, "0">>(seq.zeroPadding1d({ padding: n }));

// Cropping.
expectType<SymbolicTensor<[null, 8, 4], 0, "0">>(seq.cropping1d());
expectType<SymbolicTensor<[null, 7, 4], 0, "0">>(seq.cropping1d({ cropping: [1, 2] }));
expectType<SymbolicTensor<[null, 28, 28, 1], 0, "0">>(image.cropping2d());
expectType<SymbolicTensor<[null, 24, 20, 1], 0, "0">>(
  image.cropping2d({
    cropping: [
      [2, 2],
      [4, 4],
    ],
  }),
);
expectType<SymbolicTensor<[null, 24, 24, 1], 0, "0">>(image.cropping2D({ cropping: 2 }));
expectType<SymbolicTensor<[null, 3, 24, 26], 0, "0">>(input({ shape: [3, 28, 28] }).cropping2d({ cropping: [2, 1], dataFormat: "channelsFirst" }));
expectType<SymbolicTensor<[null, 24, 20, 6, 3], 0, "0">>(input({ shape: [28, 28, 10, 3] }).cropping3d({ cropping: [2, 4, 2] }));
expectType<SymbolicTensor<[null, 2, 2, 2, 2], 0, "0">>(volume.cropping3d());
expectType<SymbolicTensor<[null, null, 3, 2], 0, "0">>(input({ shape: [null, 5, 2] }).cropping2d({ cropping: [[2, 1], 1] }));
expectType<SymbolicTensor<[null, number, 4], 0, "0">>(seq.cropping1d({ cropping: n }));

// Up-sampling.
expectType<SymbolicTensor<[null, 20, 4], 0, "0">>(seq.upSampling1d());
expectType<SymbolicTensor<[null, 30, 4], 0, "0">>(seq.upSampling1d({ size: 3 }));
expectType<SymbolicTensor<[null, 56, 56, 1], 0, "0">>(image.upSampling2d());
expectType<SymbolicTensor<[null, 56, 84, 1], 0, "0">>(image.upSampling2d({ size: [2, 3], interpolation: "nearest" }));
expectType<SymbolicTensor<[null, 28, 56, 3], 0, "0">>(image.upSampling2d({ size: [2, 3], dataFormat: "channelsFirst" }));
expectType<SymbolicTensor<[null, 8, 8, 8, 2], 0, "0">>(volume.upSampling3d());
expectType<SymbolicTensor<[null, 4, 8, 12, 2], 0, "0">>(volume.upSampling3d({ size: [1, 2, 3] }));
expectType<SymbolicTensor<[null, null, 15, 2], 0, "0">>(input({ shape: [null, 5, 2] }).upSampling2d({ size: [2, 3] }));
expectType<SymbolicTensor<[null, number, 4], 0, "0">>(seq.upSampling1d({ size: n }));

// Parameters so far pass through.
expectType<SymbolicTensor<[null, 30, 30, 8], 80, "26*26*72">>(image.conv2d({ filters: 8, kernelSize: 3 }).zeroPadding2d({ padding: 2 }));
