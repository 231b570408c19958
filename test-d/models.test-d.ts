import { expectType } from "tsd";
import { input, model, sequential, tensor } from "../src/index.js";
import type { ErrorModel, ErrorTensor, Inert, InputShape, Model, OutputShape, ParamCount, SymbolicTensor, Tensor } from "../src/index.js";
import type { Equal, Expect } from "./equal.js";

// Seed Model A: no padding, the image shrinks by 2 pixels per convolution.
const inputsA = input({ shape: [28, 28, 1] });
expectType<SymbolicTensor<[null, 28, 28, 1], 0, "0">>(inputsA);
const a1 = inputsA.conv2d({ filters: 32, kernelSize: 3, activation: "relu" });
expectType<SymbolicTensor<[null, 26, 26, 32], 320, "26*26*288">>(a1);
const a2 = a1.maxPooling2d({ poolSize: 2 });
expectType<SymbolicTensor<[null, 13, 13, 32], 320, "26*26*288">>(a2);
const a3 = a2.conv2d({ filters: 64, kernelSize: 3, activation: "relu" });
expectType<SymbolicTensor<[null, 11, 11, 64], 18816, "26*26*288+11*11*18432">>(a3);
const a4 = a3.maxPooling2d({ poolSize: 2 });
expectType<SymbolicTensor<[null, 5, 5, 64], 18816, "26*26*288+11*11*18432">>(a4);
const a5 = a4.conv2d({ filters: 128, kernelSize: 3, activation: "relu" });
expectType<SymbolicTensor<[null, 3, 3, 128], 92672, "26*26*288+11*11*18432+3*3*73728">>(a5);
const a6 = a5.flatten();
expectType<SymbolicTensor<[null, 1152], 92672, "26*26*288+11*11*18432+3*3*73728">>(a6);
const a7 = a6.dense({ units: 10, activation: "softmax" });
expectType<SymbolicTensor<[null, 10], 104202, "26*26*288+11*11*18432+3*3*73728+1152*10">>(a7);
const modelA = model({ inputs: inputsA, outputs: a7 });
expectType<Model<[null, 28, 28, 1], [null, 10], 104202, "26*26*288+11*11*18432+3*3*73728+1152*10">>(modelA);
type _a = Expect<Equal<OutputShape<typeof modelA>, [null, 10]>>;
type _b = Expect<Equal<ParamCount<typeof modelA>, 104202>>;
type _c = Expect<Equal<InputShape<typeof modelA>, [null, 28, 28, 1]>>;

// Seed Model B: "same" padding keeps 28x28 through the first convolution.
const inputsB = input({ shape: [28, 28, 1] });
const modelB = model({
  inputs: inputsB,
  outputs: inputsB
    .conv2d({ filters: 32, kernelSize: 3, activation: "relu", padding: "same" })
    .maxPooling2d({ poolSize: 2 })
    .conv2d({ filters: 64, kernelSize: 3, activation: "relu" })
    .maxPooling2d({ poolSize: 2 })
    .conv2d({ filters: 128, kernelSize: 3, activation: "relu" })
    .flatten()
    .dense({ units: 10, activation: "softmax" }),
});
expectType<Model<[null, 28, 28, 1], [null, 10], 113162, "28*28*288+12*12*18432+4*4*73728+2048*10">>(modelB);
type _d = Expect<Equal<OutputShape<typeof modelB>, [null, 10]>>;
type _e = Expect<Equal<ParamCount<typeof modelB>, 113162>>;
expectType<113162>(modelB.countParams());
expectType<[null, 10]>(modelB.outputShape);

// The Keras MNIST convnet, with dropout: 34,826 parameters.
const mnistIn = input({ shape: [28, 28, 1] });
const mnist = sequential({
  inputs: mnistIn,
  outputs: mnistIn
    .conv2d({ filters: 32, kernelSize: [3, 3], activation: "relu" })
    .maxPooling2d({ poolSize: [2, 2] })
    .conv2d({ filters: 64, kernelSize: [3, 3], activation: "relu" })
    .maxPooling2d({ poolSize: [2, 2] })
    .flatten()
    .dropout({ rate: 0.5 })
    .dense({ units: 10, activation: "softmax" }),
});
type _f = Expect<Equal<OutputShape<typeof mnist>, [null, 10]>>;
type _g = Expect<Equal<ParamCount<typeof mnist>, 34826>>;

// predict is typed by the batch it is given.
const y = modelB.predict(tensor([2, 28, 28, 1]));
expectType<Tensor<[2, 10]>>(y);

// An error makes the rest of the chain and the model inert, with the message in the type.
const bad = input({ shape: [3, 3, 1] })
  // @ts-expect-error kernel larger than the input
  .conv2d({ filters: 8, kernelSize: 5 });
type Msg = "shapewise: conv2d kernelSize 5 is larger than input height 3 with padding 'valid'";
expectType<ErrorTensor<Msg>>(bad);
expectType<ErrorTensor<Msg>>(bad.flatten().dense({ units: 3 }));
const inert = model({ inputs: input({ shape: [3, 3, 1] }), outputs: bad });
expectType<ErrorModel<Msg>>(inert);
// Every use of the inert model is accepted: the mistake stays one error.
expectType<Inert>(inert.summary({ flops: true }));
expectType<Inert>(inert.predict(tensor([2, 3, 3, 1])).data);
