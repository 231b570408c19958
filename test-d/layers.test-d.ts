import { expectType } from "tsd";
import { input, model } from "../src/index.js";
import type { ErrorTensor, SymbolicTensor, Tensor } from "../src/index.js";

const image = input({ shape: [32, 32, 3] });

// conv2d: sizes, strides, dilation, padding, bias.
expectType<SymbolicTensor<[null, 30, 30, 16], 448, "30*30*432">>(image.conv2d({ filters: 16, kernelSize: 3 }));
expectType<SymbolicTensor<[null, 32, 32, 16], 448, "32*32*432">>(image.conv2d({ filters: 16, kernelSize: 3, padding: "same" }));
expectType<SymbolicTensor<[null, 15, 15, 16], 448, "15*15*432">>(image.conv2d({ filters: 16, kernelSize: 3, strides: 2 }));
expectType<SymbolicTensor<[null, 16, 16, 16], 448, "16*16*432">>(image.conv2d({ filters: 16, kernelSize: 3, strides: 2, padding: "same" }));
expectType<SymbolicTensor<[null, 11, 11, 16], 448, "11*11*432">>(image.conv2d({ filters: 16, kernelSize: 3, strides: 3, padding: "same" }));
expectType<SymbolicTensor<[null, 28, 28, 16], 448, "28*28*432">>(image.conv2d({ filters: 16, kernelSize: 3, dilationRate: 2 }));
expectType<SymbolicTensor<[null, 32, 32, 16], 448, "32*32*432">>(image.conv2d({ filters: 16, kernelSize: 3, dilationRate: 2, padding: "same" }));
expectType<SymbolicTensor<[null, 30, 28, 16], 736, "30*28*720">>(image.conv2d({ filters: 16, kernelSize: [3, 5] }));
expectType<SymbolicTensor<[null, 15, 28, 16], 736, "15*28*720">>(image.conv2d({ filters: 16, kernelSize: [3, 5], strides: [2, 1] }));
expectType<SymbolicTensor<[null, 26, 28, 16], 432, "26*28*432">>(image.conv2d({ filters: 16, kernelSize: 3, dilationRate: [3, 2], useBias: false }));
expectType<SymbolicTensor<[null, 1, 1, 8], 24584, "1*1*24576">>(image.conv2d({ filters: 8, kernelSize: 32 }));
expectType<SymbolicTensor<[null, 112, 112, 64], 9472, "112*112*9408">>(
  input({ shape: [224, 224, 3] }).conv2d({ filters: 64, kernelSize: 7, strides: 2, padding: "same" }),
);

// Pooling: strides default to the pool size.
expectType<SymbolicTensor<[null, 16, 16, 3], 0, "0">>(image.maxPooling2d());
expectType<SymbolicTensor<[null, 16, 16, 3], 0, "0">>(image.maxPool2d({ poolSize: 2 }));
expectType<SymbolicTensor<[null, 15, 15, 3], 0, "0">>(image.maxPooling2d({ poolSize: 3, strides: 2 }));
expectType<SymbolicTensor<[null, 11, 11, 3], 0, "0">>(image.maxPooling2d({ poolSize: 3, padding: "same" }));
expectType<SymbolicTensor<[null, 32, 32, 3], 0, "0">>(image.averagePooling2d({ poolSize: 3, strides: 1, padding: "same" }));
expectType<SymbolicTensor<[null, 16, 10, 3], 0, "0">>(image.averagePooling2d({ poolSize: [2, 3] }));

// flatten, dense on rank 2 and above, dropout, activation.
expectType<SymbolicTensor<[null, 3072], 0, "0">>(image.flatten());
expectType<SymbolicTensor<[null, 32, 32, 10], 40, "32*32*3*10">>(image.dense({ units: 10 }));
expectType<SymbolicTensor<[null, 32, 32, 10], 30, "32*32*3*10">>(image.dense({ units: 10, useBias: false }));
expectType<SymbolicTensor<[null, 32, 32, 3], 0, "0">>(image.dropout({ rate: 0.25 }));
expectType<SymbolicTensor<[null, 32, 32, 3], 0, "0">>(image.dropout({ rate: 0 }));
expectType<SymbolicTensor<[null, 32, 32, 3], 0, "0">>(image.activation("gelu"));
expectType<SymbolicTensor<[null, 32, 32, 3], 0, "0">>(image.activation({ activation: "log_softmax" }));
expectType<SymbolicTensor<[null, 1], 0, "0">>(input({ shape: [] }).flatten());

// Unknown sizes: null stays null, flatten of an unknown size is unknown.
const anySize = input({ shape: [null, null, 3] });
expectType<SymbolicTensor<[null, null, null, 16], 448, number>>(anySize.conv2d({ filters: 16, kernelSize: 3 }));
expectType<SymbolicTensor<[null, null], 0, "0">>(anySize.flatten());
expectType<SymbolicTensor<[null, null, null, 5], 20, number>>(anySize.dense({ units: 5 }));

// Non-literal numbers give number, never an error or any.
declare const n: number;
expectType<SymbolicTensor<[null, 30, 30, number], number, number>>(image.conv2d({ filters: n, kernelSize: 3 }));
expectType<SymbolicTensor<[null, number, number, 16], 448, number>>(image.conv2d({ filters: 16, kernelSize: 3, strides: n }));
expectType<SymbolicTensor<[null, number], number, number>>(input({ shape: [n] }).dense({ units: n }));

// Totals past 2^32 and 1e9 stay exact.
expectType<SymbolicTensor<[null, 100000], 10000100000, "100000*100000">>(input({ shape: [100000] }).dense({ units: 100000 }));
expectType<SymbolicTensor<[null, 60000], 3600060000, "60000*60000">>(input({ shape: [60000] }).dense({ units: 60000 }));

// input: dtype "int32" (ids) and batchSize (Keras's batch_size), whose size leads every shape after it.
expectType<SymbolicTensor<[8, 20], 0, "0">>(input({ shape: [20], batchSize: 8 }));
expectType<SymbolicTensor<[null, 20], 0, "0">>(input({ shape: [20], dtype: "int32" }));
expectType<SymbolicTensor<[8, 20, 3], 30, "0">>(input({ shape: [20], dtype: "int32", batchSize: 8 }).embedding({ inputDim: 10, outputDim: 3 }));
expectType<SymbolicTensor<[4, 5], 55, "10*5">>(input({ shape: [10], batchSize: 4, dtype: "float32" }).dense({ units: 5 }));
expectType<ErrorTensor<"shapewise: input batchSize must be a positive integer, got 0">>(
  // @ts-expect-error batchSize 0
  input({ shape: [20], batchSize: 0 }),
);
// @ts-expect-error dtype is float32 or int32
input({ shape: [20], dtype: "int64" });
{
  const ids = input({ shape: [4], dtype: "int32" });
  const m = model({ inputs: ids, outputs: ids.embedding({ inputDim: 10, outputDim: 2 }).flatten() });
  expectType<Tensor<[2, 8]>>(m.predict({ shape: [2, 4], data: Int32Array.of(1, 2, 3, 9, 0, 0, 5, 7) }));
}
