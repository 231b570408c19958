import { expectType } from "tsd";
import { input } from "../src/index.js";
import type { Dim, SymbolicTensor } from "../src/index.js";

const seq = input({ shape: [11, 4] });
const image = input({ shape: [13, 13, 8] });
const volume = input({ shape: [8, 9, 10, 3] });
declare const n: number;

// 1-D: default pool 2, strides default to the pool size, both paddings, list forms, aliases.
expectType<SymbolicTensor<[null, 5, 4], 0, "0">>(seq.maxPooling1d());
expectType<SymbolicTensor<[null, 3, 4], 0, "0">>(seq.maxPool1d({ poolSize: 3 }));
expectType<SymbolicTensor<[null, 9, 4], 0, "0">>(seq.maxPooling1d({ poolSize: [3], strides: [1] }));
expectType<SymbolicTensor<[null, 6, 4], 0, "0">>(seq.averagePooling1d({ poolSize: 3, strides: 2, padding: "same" }));
expectType<SymbolicTensor<[null, 6, 4], 0, "0">>(seq.avgPool1d({ padding: "same" }));
expectType<SymbolicTensor<[null, 11, 4], 0, "0">>(seq.avgPooling1d({ poolSize: 3, strides: 1, padding: "same" }));
expectType<SymbolicTensor<[null, 11, 2], 0, "0">>(seq.maxPooling1d({ dataFormat: "channelsFirst" }));
expectType<SymbolicTensor<[null, 1, 4], 0, "0">>(
  seq
    .maxPooling1d({ poolSize: 11, dataFormat: "channelsLast" })
    .averagePooling1d({ poolSize: 1 })
    .maxPool1d({ poolSize: 1, strides: 1 })
    .avgPooling1d({ poolSize: [1] }),
);

// 2-D: the existing forms, plus channelsFirst and the TF.js aliases.
expectType<SymbolicTensor<[null, 6, 6, 8], 0, "0">>(image.maxPooling2d());
expectType<SymbolicTensor<[null, 6, 6, 8], 0, "0">>(image.maxPooling2d({ poolSize: 3, strides: 2 }));
expectType<SymbolicTensor<[null, 7, 7, 8], 0, "0">>(image.maxPooling2d({ poolSize: 2, padding: "same" }));
expectType<SymbolicTensor<[null, 6, 4, 8], 0, "0">>(image.maxPool2d({ poolSize: [2, 3] }));
expectType<SymbolicTensor<[null, 13, 6, 4], 0, "0">>(image.maxPooling2d({ dataFormat: "channelsFirst" }));
expectType<SymbolicTensor<[null, 3, 16, 16], 0, "0">>(input({ shape: [3, 32, 32] }).maxPooling2d({ poolSize: 2, dataFormat: "channelsFirst" }));
expectType<SymbolicTensor<[null, 6, 6, 8], 0, "0">>(image.averagePooling2d());
expectType<SymbolicTensor<[null, 6, 6, 8], 0, "0">>(image.avgPool2d());
expectType<SymbolicTensor<[null, 13, 13, 8], 0, "0">>(image.avgPooling2d({ poolSize: 3, strides: 1, padding: "same" }));

// 3-D.
expectType<SymbolicTensor<[null, 4, 4, 5, 3], 0, "0">>(volume.maxPooling3d());
expectType<SymbolicTensor<[null, 4, 5, 5, 3], 0, "0">>(volume.averagePooling3d({ padding: "same" }));
expectType<SymbolicTensor<[null, 8, 4, 3, 3], 0, "0">>(volume.avgPool3d({ poolSize: [1, 2, 3] }));
expectType<SymbolicTensor<[null, 4, 9, 3, 3], 0, "0">>(volume.avgPooling3d({ poolSize: [2, 1, 2], strides: [2, 1, 3] }));
expectType<SymbolicTensor<[null, 8, 4, 5, 1], 0, "0">>(volume.maxPooling3d({ dataFormat: "channelsFirst" }));

// Global pooling: channels only, or size-1 spatial axes with keepdims, either data format.
expectType<SymbolicTensor<[null, 4], 0, "0">>(seq.globalMaxPooling1d());
expectType<SymbolicTensor<[null, 1, 4], 0, "0">>(seq.globalMaxPool1d({ keepdims: true }));
expectType<SymbolicTensor<[null, 11], 0, "0">>(seq.globalAveragePooling1d({ dataFormat: "channelsFirst" }));
expectType<SymbolicTensor<[null, 11, 1], 0, "0">>(seq.globalAveragePooling1d({ dataFormat: "channelsFirst", keepdims: true }));
expectType<SymbolicTensor<[null, 8], 0, "0">>(image.globalAveragePooling2d());
expectType<SymbolicTensor<[null, 1, 1, 8], 0, "0">>(image.globalAveragePooling2d({ keepdims: true }));
expectType<SymbolicTensor<[null, 512], 0, "0">>(input({ shape: [512, 7, 7] }).globalMaxPooling2d({ dataFormat: "channelsFirst" }));
expectType<SymbolicTensor<[null, 8], 0, "0">>(image.globalMaxPool2d({ keepdims: false }));
expectType<SymbolicTensor<[null, 3], 0, "0">>(volume.globalMaxPooling3d());
expectType<SymbolicTensor<[null, 1, 1, 1, 3], 0, "0">>(volume.globalAveragePooling3d({ keepdims: true }));
expectType<SymbolicTensor<[null, 8, 1, 1, 1], 0, "0">>(volume.globalAveragePooling3d({ keepdims: true, dataFormat: "channelsFirst" }));

// Parameters so far pass through.
expectType<SymbolicTensor<[null, 5, 5, 16], 1168, "11*11*1152">>(image.conv2d({ filters: 16, kernelSize: 3 }).maxPooling2d());
expectType<SymbolicTensor<[null, 16], 1168, "11*11*1152">>(image.conv2d({ filters: 16, kernelSize: 3 }).globalAveragePooling2d());

// Unknown sizes stay null.
const anySeq = input({ shape: [null, 4] });
expectType<SymbolicTensor<[null, null, 4], 0, "0">>(anySeq.maxPooling1d({ poolSize: 3 }));
expectType<SymbolicTensor<[null, 4], 0, "0">>(anySeq.globalAveragePooling1d());
expectType<SymbolicTensor<[null, null, null, null, 3], 0, "0">>(input({ shape: [null, null, null, 3] }).maxPooling3d({ padding: "same" }));
expectType<SymbolicTensor<[null, null], 0, "0">>(input({ shape: [null, 5, 5] }).globalMaxPooling2d({ dataFormat: "channelsFirst" }));

// Non-literal numbers give number, never an error or any.
expectType<SymbolicTensor<[null, number, 4], 0, "0">>(seq.maxPooling1d({ poolSize: n }));
expectType<SymbolicTensor<[null, number, 4], 0, "0">>(seq.averagePooling1d({ strides: n }));
expectType<SymbolicTensor<[null, number, 6, 8], 0, "0">>(image.maxPooling2d({ poolSize: [n, 2] }));
expectType<SymbolicTensor<[null, number, number, number, 3], 0, "0">>(volume.maxPooling3d({ poolSize: n, padding: "same" }));
expectType<SymbolicTensor<[null, number, number], 0, "0">>(input({ shape: [n, n] }).maxPooling1d());
expectType<SymbolicTensor<[null, number], 0, "0">>(input({ shape: [n, n] }).globalMaxPooling1d());

// A data format that is not a literal leaves every size unknown.
declare const format: "channelsFirst" | "channelsLast";
expectType<SymbolicTensor<[null, Dim, Dim], 0, "0">>(seq.maxPooling1d({ dataFormat: format }));

// keepdims that is not a literal leaves the rank open.
declare const keep: boolean;
expectType<SymbolicTensor<[null, ...Dim[]], 0, "0">>(image.globalAveragePooling2d({ keepdims: keep }));
