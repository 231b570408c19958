import { expectType } from "tsd";
import { input } from "../src/index.js";
import type { SymbolicTensor } from "../src/index.js";

declare const n: number;

// conv1d: valid, same, causal (length kept, Keras 3), strides, dilation, 1-tuples, groups, channelsFirst.
const seq = input({ shape: [100, 8] });
expectType<SymbolicTensor<[null, 96, 16], 656, "96*640">>(seq.conv1d({ filters: 16, kernelSize: 5 }));
expectType<SymbolicTensor<[null, 100, 16], 656, "100*640">>(seq.conv1d({ filters: 16, kernelSize: 5, padding: "same" }));
expectType<SymbolicTensor<[null, 100, 16], 656, "100*640">>(seq.conv1d({ filters: 16, kernelSize: 5, padding: "causal" }));
expectType<SymbolicTensor<[null, 100, 16], 400, "100*384">>(seq.conv1d({ filters: 16, kernelSize: 3, padding: "causal", dilationRate: 4 }));
expectType<SymbolicTensor<[null, 34, 16], 656, "34*640">>(seq.conv1d({ filters: 16, kernelSize: 5, padding: "causal", strides: 3 }));
expectType<SymbolicTensor<[null, 32, 16], 656, "32*640">>(seq.conv1d({ filters: 16, kernelSize: 5, strides: 3 }));
expectType<SymbolicTensor<[null, 92, 16], 656, "92*640">>(seq.conv1d({ filters: 16, kernelSize: [5], dilationRate: [2] }));
expectType<SymbolicTensor<[null, 98, 16], 112, "98*96">>(seq.conv1d({ filters: 16, kernelSize: 3, groups: 4 }));
expectType<SymbolicTensor<[null, 98, 16], 96, "98*96">>(seq.conv1d({ filters: 16, kernelSize: 3, groups: 4, useBias: false }));
expectType<SymbolicTensor<[null, 16, 96], 656, "96*640">>(input({ shape: [8, 100] }).conv1d({ filters: 16, kernelSize: 5, dataFormat: "channelsFirst" }));
expectType<SymbolicTensor<[null, 16, 100], 656, "100*640">>(
  input({ shape: [8, 100] }).conv1d({ filters: 16, kernelSize: 5, dataFormat: "channelsFirst", padding: "causal" }),
);
expectType<SymbolicTensor<[null, 96, 16], 656, "96*640">>(
  seq.conv1d({ filters: 16, kernelSize: 5, dataFormat: "channelsLast", activation: "relu", name: "c" }),
);

// conv2d: the existing options plus groups and channelsFirst.
const image = input({ shape: [16, 16, 4] });
expectType<SymbolicTensor<[null, 14, 14, 8], 296, "14*14*288">>(image.conv2d({ filters: 8, kernelSize: 3 }));
expectType<SymbolicTensor<[null, 14, 14, 8], 152, "14*14*144">>(image.conv2d({ filters: 8, kernelSize: 3, groups: 2 }));
expectType<SymbolicTensor<[null, 8, 8, 8], 80, "8*8*72">>(image.conv2d({ filters: 8, kernelSize: 3, groups: 4, strides: 2, padding: "same" }));
expectType<SymbolicTensor<[null, 8, 30, 30], 224, "30*30*216">>(
  input({ shape: [3, 32, 32] }).conv2d({ filters: 8, kernelSize: 3, dataFormat: "channelsFirst" }),
);
expectType<SymbolicTensor<[null, 8, 16, 16], 296, "16*16*288">>(
  input({ shape: [3, 32, 32] }).conv2d({ filters: 8, kernelSize: [3, 4], strides: [2, 2], padding: "same", dataFormat: "channelsFirst", groups: 1 }),
);
expectType<SymbolicTensor<[null, 8, null, null], 224, number>>(
  input({ shape: [3, null, null] }).conv2d({ filters: 8, kernelSize: 3, dataFormat: "channelsFirst" }),
);
expectType<SymbolicTensor<[null, null, null, 8], 224, number>>(input({ shape: [null, null, 3] }).conv2d({ filters: 8, kernelSize: 3 }));

// conv3d: numbers or triples.
const volume = input({ shape: [16, 16, 16, 2] });
expectType<SymbolicTensor<[null, 14, 14, 14, 4], 220, "14*14*14*216">>(volume.conv3d({ filters: 4, kernelSize: 3 }));
expectType<SymbolicTensor<[null, 8, 8, 9, 4], 220, "8*8*9*216">>(
  input({ shape: [15, 16, 17, 2] }).conv3d({ filters: 4, kernelSize: 3, strides: 2, padding: "same" }),
);
expectType<SymbolicTensor<[null, 14, 8, 16, 4], 52, "14*8*16*48">>(volume.conv3d({ filters: 4, kernelSize: [3, 2, 1], strides: [1, 2, 1] }));
expectType<SymbolicTensor<[null, 12, 14, 14, 4], 220, "12*14*14*216">>(volume.conv3d({ filters: 4, kernelSize: 3, dilationRate: [2, 1, 1] }));
expectType<SymbolicTensor<[null, 6, 14, 14, 14], 330, "14*14*14*324">>(
  input({ shape: [4, 16, 16, 16] }).conv3d({ filters: 6, kernelSize: 3, groups: 2, dataFormat: "channelsFirst" }),
);

// Transposed convolutions: reference §1.3 (8x8x4 in, 16 filters).
const small = input({ shape: [8, 8, 4] });
expectType<SymbolicTensor<[null, 10, 10, 16], 592, "8*8*576">>(small.conv2dTranspose({ filters: 16, kernelSize: 3 }));
expectType<SymbolicTensor<[null, 17, 17, 16], 592, "8*8*576">>(small.conv2dTranspose({ filters: 16, kernelSize: 3, strides: 2 }));
expectType<SymbolicTensor<[null, 16, 16, 16], 592, "8*8*576">>(small.conv2dTranspose({ filters: 16, kernelSize: 3, strides: 2, padding: "same" }));
expectType<SymbolicTensor<[null, 24, 24, 16], 272, "8*8*256">>(small.conv2dTranspose({ filters: 16, kernelSize: 2, strides: 3 }));
expectType<SymbolicTensor<[null, 18, 18, 16], 592, "8*8*576">>(small.conv2dTranspose({ filters: 16, kernelSize: 3, strides: 2, outputPadding: 1 }));
expectType<SymbolicTensor<[null, 16, 16, 16], 592, "8*8*576">>(
  small.conv2dTranspose({ filters: 16, kernelSize: 3, strides: 2, padding: "same", outputPadding: 1 }),
);
expectType<SymbolicTensor<[null, 14, 14, 16], 1040, "8*8*1024">>(
  small.conv2dTranspose({ filters: 16, kernelSize: 4, strides: 2, padding: "same", outputPadding: 0 }),
);
expectType<SymbolicTensor<[null, 12, 17, 16], 784, "8*8*768">>(small.conv2dTranspose({ filters: 16, kernelSize: [3, 4], dilationRate: [2, 3] }));
expectType<SymbolicTensor<[null, 16, 10, 10], 592, "8*8*576">>(
  input({ shape: [4, 8, 8] }).conv2dTranspose({ filters: 16, kernelSize: 3, dataFormat: "channelsFirst" }),
);
expectType<SymbolicTensor<[null, 20, 6], 78, "10*72">>(input({ shape: [10, 4] }).conv1dTranspose({ filters: 6, kernelSize: 3, strides: 2, padding: "same" }));
expectType<SymbolicTensor<[null, 22, 6], 78, "10*72">>(
  input({ shape: [10, 4] }).conv1dTranspose({ filters: 6, kernelSize: 3, strides: [2], outputPadding: [1] }),
);
expectType<SymbolicTensor<[null, 9, 9, 9, 2], 164, "4*4*4*162">>(input({ shape: [4, 4, 4, 3] }).conv3dTranspose({ filters: 2, kernelSize: 3, strides: 2 }));
expectType<SymbolicTensor<[null, 7, 8, 7, 2], 56, "4*4*4*54">>(
  input({ shape: [4, 4, 4, 3] }).conv3dTranspose({ filters: 2, kernelSize: [3, 3, 1], strides: 2, padding: "same", outputPadding: [0, 1, 0] }),
);

// Depthwise and separable.
const feature = input({ shape: [32, 32, 8] });
expectType<SymbolicTensor<[null, 30, 30, 8], 80, "30*30*72">>(feature.depthwiseConv2d({ kernelSize: 3 }));
expectType<SymbolicTensor<[null, 16, 16, 16], 160, "16*16*144">>(feature.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, strides: 2, padding: "same" }));
expectType<SymbolicTensor<[null, 30, 30, 8], 72, "30*30*72">>(feature.depthwiseConv2d({ kernelSize: 3, useBias: false }));
expectType<SymbolicTensor<[null, 16, 28, 28], 160, "28*28*144">>(
  input({ shape: [8, 32, 32] }).depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, dilationRate: 2, dataFormat: "channelsFirst" }),
);
expectType<SymbolicTensor<[null, 48, 8], 32, "48*24">>(input({ shape: [50, 8] }).depthwiseConv1d({ kernelSize: 3 }));
expectType<SymbolicTensor<[null, 25, 24], 96, "25*72">>(
  input({ shape: [50, 8] }).depthwiseConv1d({ kernelSize: [3], strides: 2, padding: "same", depthMultiplier: 3 }),
);
expectType<SymbolicTensor<[null, 30, 30, 16], 216, "30*30*200">>(feature.separableConv2d({ filters: 16, kernelSize: 3 }));
expectType<SymbolicTensor<[null, 32, 32, 16], 416, "32*32*400">>(feature.separableConv2d({ filters: 16, kernelSize: 3, depthMultiplier: 2, padding: "same" }));
expectType<SymbolicTensor<[null, 48, 16], 168, "48*152">>(input({ shape: [50, 8] }).separableConv1d({ filters: 16, kernelSize: 3 }));
expectType<SymbolicTensor<[null, 16, 46], 152, "46*152">>(
  input({ shape: [8, 50] }).separableConv1d({ filters: 16, kernelSize: 3, dilationRate: 2, useBias: false, dataFormat: "channelsFirst" }),
);

// Unknown sizes stay null; non-literal numbers give number, never an error or any.
const anyLength = input({ shape: [null, 8] });
expectType<SymbolicTensor<[null, null, 16], 656, number>>(anyLength.conv1d({ filters: 16, kernelSize: 5 }));
expectType<SymbolicTensor<[null, null, null, 16], 592, number>>(input({ shape: [null, null, 4] }).conv2dTranspose({ filters: 16, kernelSize: 3, strides: 2 }));
expectType<SymbolicTensor<[null, 100, number], number, number>>(seq.conv1d({ filters: n, kernelSize: 5, padding: "same" }));
expectType<SymbolicTensor<[null, number, 16], 656, number>>(seq.conv1d({ filters: 16, kernelSize: 5, strides: n }));
expectType<SymbolicTensor<[null, number, 16], 656, number>>(seq.conv1d({ filters: 16, kernelSize: 5, strides: n, dilationRate: 2 }));
expectType<SymbolicTensor<[null, 14, 14, 8], number, number>>(image.conv2d({ filters: 8, kernelSize: 3, groups: n }));
expectType<SymbolicTensor<[null, number, number, 16], 592, "8*8*576">>(small.conv2dTranspose({ filters: 16, kernelSize: 3, strides: 2, outputPadding: n }));
expectType<SymbolicTensor<[null, 30, 30, number], number, number>>(feature.depthwiseConv2d({ kernelSize: 3, depthMultiplier: n }));
expectType<SymbolicTensor<[null, number, number, number, 4], number, number>>(volume.conv3d({ filters: 4, kernelSize: n }));
declare const format: "channelsLast" | "channelsFirst";
expectType<SymbolicTensor<[null, number, number, number], number, number>>(image.conv2d({ filters: 8, kernelSize: 3, dataFormat: format }));

// Totals past 2^32 stay exact.
expectType<SymbolicTensor<[null, 1, 1, 1, 4096], 4294971392, "1*1*1*4294967296">>(input({ shape: [4, 4, 4, 16384] }).conv3d({ filters: 4096, kernelSize: 4 }));
