import { expectType } from "tsd";
import { type SymbolicTensor, add, concatenate, dot, input, model } from "../src/index.js";
import type { SizeAgreement } from "../types/size/index.js";
import type { Equal, Expect } from "./equal.js";

// A 4-level U-Net whose sides are stated multiples of 16: every skip connection matches, every size exact.
type Block = SymbolicTensor;
declare const _unused: Block;
const x = input({ shape: ["16*H", "16*W", 3] });
const c1 = x.conv2d({ filters: 8, kernelSize: 3, padding: "same", activation: "relu" });
const c2 = c1.maxPooling2d({ poolSize: 2 }).conv2d({ filters: 16, kernelSize: 3, padding: "same", activation: "relu" });
const c3 = c2.maxPooling2d({ poolSize: 2 }).conv2d({ filters: 32, kernelSize: 3, padding: "same", activation: "relu" });
const c4 = c3.maxPooling2d({ poolSize: 2 }).conv2d({ filters: 64, kernelSize: 3, padding: "same", activation: "relu" });
const bottom = c4.maxPooling2d({ poolSize: 2 }).conv2d({ filters: 128, kernelSize: 3, padding: "same", activation: "relu" });
expectType<[null, "H", "W", 128]>(bottom.sizes);
const u4 = concatenate([c4, bottom.conv2dTranspose({ filters: 64, kernelSize: 2, strides: 2, padding: "same" })]).conv2d({
  filters: 64,
  kernelSize: 3,
  padding: "same",
});
expectType<[null, "2*H", "2*W", 64]>(u4.sizes);
const u3 = concatenate([c3, u4.upSampling2d({ size: 2 })]).conv2d({ filters: 32, kernelSize: 3, padding: "same" });
expectType<[null, "4*H", "4*W", 32]>(u3.sizes);
const u2 = concatenate([c2, u3.upSampling2d({ size: 2 })]).conv2d({ filters: 16, kernelSize: 3, padding: "same" });
expectType<[null, "8*H", "8*W", 16]>(u2.sizes);
const u1 = concatenate([c1, u2.upSampling2d({ size: 2 })]);
expectType<[null, "16*H", "16*W", 24]>(u1.sizes);
const out = u1.conv2d({ filters: 1, kernelSize: 1, activation: "sigmoid" });
expectType<[null, "16*H", "16*W", 1]>(out.sizes);
// Keras's view: names are None.
expectType<[null, null, null, 1]>(out.shape);

// Valid windows and strides keep the exact arithmetic; flatten multiplies names.
const v = input({ shape: ["H", "W", 3] }).conv2d({ filters: 4, kernelSize: 3, strides: 2 });
expectType<[null, "floor((H+1)/2)-1", "floor((W+1)/2)-1", 4]>(v.sizes);
expectType<[null, "192*H*W"]>(x.maxPooling2d({ poolSize: 2 }).flatten().sizes);
expectType<[null, "T", 64]>(input({ shape: ["T", 64] }).sizes);
expectType<[null, "H", 3]>(input({ shape: ["1*H", 3] }).sizes);

// Concatenating along a named axis adds the sizes.
const s = input({ shape: ["S", 8] });
const t = input({ shape: ["T", 8] });
expectType<[null, "S+T", 8]>(concatenate([s, t], { axis: 1 }).sizes);

// Padding and cropping add and take away.
const img = input({ shape: ["H", "W", 3] });
expectType<[null, "H+2", "W+4", 3]>(img.zeroPadding2d({ padding: [1, 2] }).sizes);
expectType<[null, "H-2", "W", 3]>(
  img.cropping2d({
    cropping: [
      [1, 1],
      [0, 0],
    ],
  }).sizes,
);

// A transformer encoder block on ["T", 512] keeps "T" through attention, the residual adds and the feed-forward.
const seq = input({ shape: ["T", 512] });
const selfAttention = seq.multiHeadAttention({ numHeads: 8, keyDim: 64, value: seq });
const attended = add([seq, selfAttention]).layerNormalization();
const ff = attended.dense({ units: 2048, activation: "relu" }).dropout({ rate: 0.1 }).dense({ units: 512 });
const encoded = add([attended, ff]).layerNormalization();
expectType<[null, "T", 512]>(encoded.sizes);
// Cross-attention with keys of length S keeps the query's T.
const memory = input({ shape: ["S", 512] });
const crossAttention = encoded.multiHeadAttention({ numHeads: 8, keyDim: 64, value: memory });
expectType<[null, "T", 512]>(crossAttention.sizes);
const crossed = add([encoded, crossAttention]);
expectType<[null, "T", 512]>(crossed.sizes);

// A size the algebra cannot decide (floor(H/2) against ceil(H/2)) becomes number, never an error.
const row = input({ shape: ["H", 4] });
const undecided = concatenate([row.maxPooling1d({ poolSize: 2 }), row.maxPooling1d({ poolSize: 2, padding: "same" })]);
expectType<[null, number, 8]>(undecided.sizes);

// dot keeps the names off its axes; contracted sizes the algebra cannot decide are accepted.
expectType<[null, "S", "T"]>(dot([s, t], { axes: 2 }).sizes);
expectType<[null, 4, 4]>(dot([row.maxPooling1d({ poolSize: 2 }), row.maxPooling1d({ poolSize: 2, padding: "same" })], { axes: 1 }).sizes);

// Attention: a key of another name than its value's is an error only where the algebra proves they differ.
const memoryKey = memory.dense({ units: 512 });
expectType<[null, "T", 512]>(encoded.multiHeadAttention({ numHeads: 8, keyDim: 64, value: memory, key: memoryKey }).sizes);

// A model on a named length applied to a tensor of length 37: the name takes any size, and outside the model it is unknown.
const encoder = model({ inputs: seq, outputs: encoded });
expectType<[null, null, 512]>(encoder.apply(input({ shape: [37, 512] })).sizes);

// reshape: the -1 of a named input is the quotient where the algebra proves it exact.
expectType<[null, "2*T", 4]>(input({ shape: ["T", 8] }).reshape({ targetShape: [-1, 4] }).sizes);
expectType<[null, "T", 16]>(input({ shape: ["2*T", 8] }).reshape({ targetShape: [-1, 16] }).sizes);

// A proven difference is said with positive terms on each side (the runtime's sentence, `sizeAgreement`).
type _sides = Expect<Equal<SizeAgreement<"H+W", "T">, { differ: "H+W is not T" }>>;
type _sidesFirst = Expect<Equal<SizeAgreement<"T", "H+W">, { differ: "H+W is not T" }>>;
type _sidesConstant = Expect<Equal<SizeAgreement<"2*H", "W+3">, { differ: "2*H is not W+3" }>>;
type _sidesProduct = Expect<Equal<SizeAgreement<"H*W", "4*T">, { differ: "H*W is not 4*T" }>>;
type _sidesAlways = Expect<Equal<SizeAgreement<"H+2", "H">, { differ: "always" }>>;
