import { expectType } from "tsd";
import { add, dot, input, model } from "../src/index.js";
import type { FlopCount, MacsOf, SymbolicTensor } from "../src/index.js";
import type { Equal, Expect } from "./equal.js";

// Each layer call appends its multiply-accumulates as a product of sizes; FlopCount sums them.
const image = input({ shape: [28, 28, 1] });
const conv = image.conv2d({ filters: 32, kernelSize: 3 });
expectType<SymbolicTensor<[null, 26, 26, 32], 320, "26*26*288">>(conv);
type _term = Expect<Equal<MacsOf<typeof conv>, "26*26*288">>;
const seedB = model({
  inputs: image,
  outputs: image
    .conv2d({ filters: 32, kernelSize: 3, activation: "relu", padding: "same" })
    .maxPooling2d({ poolSize: 2 })
    .conv2d({ filters: 64, kernelSize: 3, activation: "relu" })
    .maxPooling2d({ poolSize: 2 })
    .conv2d({ filters: 128, kernelSize: 3, activation: "relu" })
    .flatten()
    .dense({ units: 10, activation: "softmax" }),
});
type _seedB = Expect<Equal<FlopCount<typeof seedB>, 4080128>>;

// Recurrent layers count every step; attention its projections and both products (runtime: 7,688).
const sequence = input({ shape: [16, 8] });
const attended = sequence.lstm({ units: 4, returnSequences: true }).multiHeadAttention({ numHeads: 2, keyDim: 3 });
const textModel = model({ inputs: sequence, outputs: attended.globalAveragePooling1d().dense({ units: 2 }) });
type _text = Expect<Equal<FlopCount<typeof textModel>, 7688>>;

// bidirectional doubles its layer; timeDistributed multiplies its layer by the steps (runtime: 3,300 and 180).
const steps = input({ shape: [10, 6] });
const biModel = model({ inputs: steps, outputs: steps.bidirectional((t) => t.gru({ units: 5 })) });
type _bi = Expect<Equal<FlopCount<typeof biModel>, 3300>>;
const perStep = model({ inputs: steps, outputs: steps.timeDistributed((t) => t.dense({ units: 3 })) });
type _td = Expect<Equal<FlopCount<typeof perStep>, 180>>;

// A shared trunk counts once with `shared`; without it two operands with work give `number` (runtime: 96).
const features = input({ shape: [8] });
const trunk = features.dense({ units: 6 });
const heads = model({ inputs: features, outputs: add([trunk.dense({ units: 4 }), trunk.dense({ units: 4 })], { shared: trunk }) });
type _shared = Expect<Equal<FlopCount<typeof heads>, 96>>;
const unshared = model({ inputs: features, outputs: add([trunk.dense({ units: 4 }), trunk.dense({ units: 4 })]) });
type _unshared = Expect<Equal<FlopCount<typeof unshared>, number>>;

// dot sums the products along its axis at each output element (runtime: 15 + 3).
const left = input({ shape: [5] });
const right = input({ shape: [3] });
const similarity = model({ inputs: [left, right], outputs: dot([left.dense({ units: 3 }), right], { axes: 1 }) });
type _dot = Expect<Equal<FlopCount<typeof similarity>, 18>>;

// A model applied twice does its work twice, though its weights count once (runtime: 128).
const inner = model({ inputs: features, outputs: features.dense({ units: 8 }) });
const start = input({ shape: [8] });
const twice = model({ inputs: start, outputs: inner.apply(inner.apply(start)) });
type _twice = Expect<Equal<FlopCount<typeof twice>, 128>>;

// Separable, depthwise, transposed and plain convolutions (runtime: 43,296).
const small = input({ shape: [12, 12, 4] });
const convs = model({
  inputs: small,
  outputs: small
    .separableConv2d({ filters: 6, kernelSize: 3 })
    .depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2 })
    .conv2dTranspose({ filters: 3, kernelSize: 2, strides: 2 })
    .conv2d({ filters: 4, kernelSize: 3 }),
});
type _convs = Expect<Equal<FlopCount<typeof convs>, 43296>>;

// An unknown size makes the total unknown, never a wrong literal.
const open = input({ shape: [null, 8] });
const openModel = model({ inputs: open, outputs: open.conv1d({ filters: 4, kernelSize: 3 }) });
type _open = Expect<Equal<FlopCount<typeof openModel>, number>>;
