import { expectType } from "tsd";
import { input, model } from "../src/index.js";
import type { ErrorTensor, Model, SymbolicTensor } from "../src/index.js";
import type { MultiHeadAttentionParams } from "../types/layers/attention.js";
import type { Equal, Expect } from "./equal.js";

// Self-attention (Keras layer_case:mha_self): the query's shape, 4,224 parameters.
const x = input({ shape: [8, 32] });
expectType<SymbolicTensor<[null, 8, 32], 4224, "8*32*2*16+8*32*2*16+8*32*2*16+2*8*8*16+2*8*8*16+8*2*16*32">>(
  x.multiHeadAttention({ numHeads: 2, keyDim: 16, value: x }),
);
expectType<SymbolicTensor<[null, 8, 32], 4096, "8*32*2*16+8*32*2*16+8*32*2*16+2*8*8*16+2*8*8*16+8*2*16*32">>(
  x.multiHeadAttention({ numHeads: 2, keyDim: 16, value: x, useBias: false }),
);
expectType<Model<[null, 8, 32], [null, 8, 32], 4224, "8*32*2*16+8*32*2*16+8*32*2*16+2*8*8*16+2*8*8*16+8*2*16*32">>(
  model({ inputs: x, outputs: x.multiHeadAttention({ numHeads: 2, keyDim: 16, value: x }) }),
);

// Cross-attention (layer_case:mha_cross_value_dim, layer_case:mha_output_shape).
const q = input({ shape: [5, 20] });
const v = input({ shape: [7, 12] });
expectType<SymbolicTensor<[null, 5, 20], 1900, "5*20*4*8+7*12*4*8+7*12*4*6+4*5*7*8+4*5*7*6+5*4*6*20">>(
  q.multiHeadAttention({ numHeads: 4, keyDim: 8, valueDim: 6, value: v }),
);
expectType<SymbolicTensor<[null, 5, 10], 466, "5*20*2*4+7*12*2*4+7*12*2*4+2*5*7*4+2*5*7*4+5*2*4*10">>(
  q.multiHeadAttention({ numHeads: 2, keyDim: 4, outputShape: 10, value: v, name: "cross" }),
);
// A key of other features: 2*4*(20+9+2) + 2*4*(12+1) + 2*4*20 + 20 = 532.
expectType<SymbolicTensor<[null, 5, 20], 532, "5*20*2*4+7*9*2*4+7*12*2*4+2*5*7*4+2*5*7*4+5*2*4*20">>(
  q.multiHeadAttention({ numHeads: 2, keyDim: 4, value: v, key: input({ shape: [7, 9] }) }),
);

// Unknown steps stay null; the key may have unknown steps when the value does too.
const anySteps = input({ shape: [null, 16] });
expectType<SymbolicTensor<[null, null, 16], 1088, number>>(anySteps.multiHeadAttention({ numHeads: 2, keyDim: 8, value: anySteps }));
expectType<SymbolicTensor<[null, 5, 20], 1900, number>>(q.multiHeadAttention({ numHeads: 4, keyDim: 8, valueDim: 6, value: input({ shape: [null, 12] }) }));

// The running total: value and key on the query's path (or the query on theirs) are counted once.
const proj = x.dense({ units: 12 });
expectType<SymbolicTensor<[null, 8, 32], 1156, "8*32*12+8*32*2*4+8*12*2*4+8*12*2*4+2*8*8*4+2*8*8*4+8*2*4*32">>(
  x.multiHeadAttention({ numHeads: 2, keyDim: 4, value: proj }),
);
expectType<SymbolicTensor<[null, 8, 4], 1064, "8*32*12+8*12*2*4+8*32*2*4+8*32*2*4+2*8*8*4+2*8*8*4+8*2*4*4">>(
  proj.multiHeadAttention({ numHeads: 2, keyDim: 4, outputShape: 4, value: x }),
);
expectType<Model<[null, 8, 32], [null, 8, 32], 1156, "8*32*12+8*32*2*4+8*12*2*4+8*12*2*4+2*8*8*4+2*8*8*4+8*2*4*32">>(
  model({ inputs: x, outputs: x.multiHeadAttention({ numHeads: 2, keyDim: 4, value: proj }) }),
);

// A transformer-style block: self-attention, then a position-wise dense, on an embedded sequence.
const tokens = input({ shape: [16] });
const embedded = tokens.embedding({ inputDim: 1000, outputDim: 32 });
expectType<SymbolicTensor<[null, 16, 32], 37280, "16*32*4*8+16*32*4*8+16*32*4*8+4*16*16*8+4*16*16*8+16*4*8*32+16*32*32">>(
  embedded.multiHeadAttention({ numHeads: 4, keyDim: 8 }).dense({ units: 32, activation: "relu" }),
);
// The same tensor given as value (both carry the embedding): exact only with `shared`.
expectType<SymbolicTensor<[null, 16, 32], number, "16*32*4*8+16*32*4*8+16*32*4*8+4*16*16*8+4*16*16*8+16*4*8*32">>(
  embedded.multiHeadAttention({ numHeads: 4, keyDim: 8, value: embedded }),
);
expectType<SymbolicTensor<[null, 16, 32], 36224, "16*32*4*8+16*32*4*8+16*32*4*8+4*16*16*8+4*16*16*8+16*4*8*32">>(
  embedded.multiHeadAttention({ numHeads: 4, keyDim: 8, value: embedded, shared: embedded }),
);
// Cross-attention over two parameterised paths: number unless their meeting point is named.
const decoderIn = input({ shape: [4] }).embedding({ inputDim: 10, outputDim: 32 });
expectType<SymbolicTensor<[null, 4, 32], number, "4*32*2*8+16*32*2*8+16*32*2*8+2*4*16*8+2*4*16*8+4*2*8*32">>(
  decoderIn.multiHeadAttention({ numHeads: 2, keyDim: 8, value: embedded }),
);
expectType<SymbolicTensor<[null, 4, 32], 34448, "4*32*2*8+16*32*2*8+16*32*2*8+2*4*16*8+2*4*16*8+4*2*8*32">>(
  decoderIn.multiHeadAttention({ numHeads: 2, keyDim: 8, value: embedded, shared: "none" }),
);

// Non-literal numbers give number, never an error or any.
declare const n: number;
expectType<SymbolicTensor<[null, 8, 32], number, number>>(x.multiHeadAttention({ numHeads: n, keyDim: 16, value: x }));
expectType<SymbolicTensor<[null, 8, number], number, number>>(x.multiHeadAttention({ numHeads: 2, keyDim: 16, outputShape: n, value: x }));
expectType<SymbolicTensor<[null, 8, 32], number, number>>(x.multiHeadAttention({ numHeads: 2, keyDim: 16, value: input({ shape: [8, n] }) }));
expectType<SymbolicTensor<[null, 5, 20], 1900, "5*20*4*8+7*12*4*8+7*12*4*6+4*5*7*8+4*5*7*6+5*4*6*20">>(
  q.multiHeadAttention({ numHeads: 4, keyDim: 8, valueDim: 6, value: v, key: input({ shape: [n, 12] }) }),
);

// An error tensor as value or key carries its error on, with no second one.
declare const broken: ErrorTensor<"shapewise: dense units must be a positive integer, got 0">;
expectType<ErrorTensor<"shapewise: dense units must be a positive integer, got 0">>(x.multiHeadAttention({ numHeads: 2, keyDim: 4, value: broken }));
expectType<ErrorTensor<"shapewise: dense units must be a positive integer, got 0">>(x.multiHeadAttention({ numHeads: 2, keyDim: 4, value: x, key: broken }));

// The parameter formula (semantics §2).
type _p1 = Expect<Equal<MultiHeadAttentionParams<2, 16, 16, 32, 32, 32, 32, true>, 4224>>;
type _p2 = Expect<Equal<MultiHeadAttentionParams<4, 8, 6, 20, 12, 12, 20, true>, 1900>>;
type _p3 = Expect<Equal<MultiHeadAttentionParams<2, 4, 4, 20, 12, 12, 10, true>, 466>>;
type _p4 = Expect<Equal<MultiHeadAttentionParams<2, 16, 16, 32, 32, 32, 32, false>, 4096>>;
