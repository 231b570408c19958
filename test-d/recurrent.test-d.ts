import { expectType } from "tsd";
import { input, model } from "../src/index.js";
import type { ErrorTensor, Model, Shape, SymbolicTensor } from "../src/index.js";
import type { GRUParams, LSTMParams, SimpleRNNParams } from "../types/layers/recurrent.js";
import type { Equal, Expect } from "./equal.js";

const seq = input({ shape: [10, 8] });

// simpleRNN, lstm, gru: [batch, units], or [batch, steps, units] with returnSequences (Keras 3 layer cases).
expectType<SymbolicTensor<[null, 32], 1312, "10*1*32*8+10*1*32*32">>(seq.simpleRNN({ units: 32 }));
expectType<SymbolicTensor<[null, 10, 32], 1312, "10*1*32*8+10*1*32*32">>(seq.simpleRNN({ units: 32, returnSequences: true }));
expectType<SymbolicTensor<[null, 32], 5248, "10*4*32*8+10*4*32*32">>(seq.lstm({ units: 32 }));
expectType<SymbolicTensor<[null, 10, 32], 5248, "10*4*32*8+10*4*32*32">>(seq.lstm({ units: 32, returnSequences: true, goBackwards: true }));
expectType<SymbolicTensor<[null, 32], 4032, "10*3*32*8+10*3*32*32">>(seq.gru({ units: 32 }));
expectType<SymbolicTensor<[null, 32], 3936, "10*3*32*8+10*3*32*32">>(seq.gru({ units: 32, resetAfter: false }));
expectType<SymbolicTensor<[null, 10, 32], 4032, "10*3*32*8+10*3*32*32">>(seq.gru({ units: 32, resetAfter: true, returnSequences: true }));

// Options that do not change the shape, and useBias.
expectType<SymbolicTensor<[null, 16], 384, "10*1*16*8+10*1*16*16">>(seq.simpleRNN({ units: 16, activation: "relu", useBias: false }));
expectType<SymbolicTensor<[null, 16], 1536, "10*4*16*8+10*4*16*16">>(seq.lstm({ units: 16, recurrentActivation: "hard_sigmoid", useBias: false }));
expectType<SymbolicTensor<[null, 16], 1152, "10*3*16*8+10*3*16*16">>(seq.gru({ units: 16, useBias: false }));
expectType<SymbolicTensor<[null, 16], 1152, "10*3*16*8+10*3*16*16">>(seq.gru({ units: 16, useBias: false, resetAfter: false }));
expectType<SymbolicTensor<[null, 4], 208, "10*4*4*8+10*4*4*4">>(seq.lstm({ units: 4, returnState: false, name: "encoder" }));

// returnState: a readonly tuple [output, ...states], each with the same running total.
expectType<
  readonly [
    SymbolicTensor<[null, 4], 208, "10*4*4*8+10*4*4*4">,
    SymbolicTensor<[null, 4], 208, "10*4*4*8+10*4*4*4">,
    SymbolicTensor<[null, 4], 208, "10*4*4*8+10*4*4*4">,
  ]
>(seq.lstm({ units: 4, returnState: true }));
expectType<readonly [SymbolicTensor<[null, 10, 4], 168, "10*3*4*8+10*3*4*4">, SymbolicTensor<[null, 4], 168, "10*3*4*8+10*3*4*4">]>(
  seq.gru({ units: 4, returnState: true, returnSequences: true }),
);
expectType<readonly [SymbolicTensor<[null, 4], 52, "10*1*4*8+10*1*4*4">, SymbolicTensor<[null, 4], 52, "10*1*4*8+10*1*4*4">]>(
  seq.simpleRNN({ units: 4, returnState: true }),
);
const [encoded, stateH, stateC] = seq.lstm({ units: 4, returnState: true });
expectType<SymbolicTensor<[null, 4], 208, "10*4*4*8+10*4*4*4">>(encoded);
expectType<SymbolicTensor<[null, 4], 208, "10*4*4*8+10*4*4*4">>(stateC);
expectType<Model<[null, 10, 8], [null, 2], 218, "10*4*4*8+10*4*4*4+4*2">>(model({ inputs: seq, outputs: stateH.dense({ units: 2 }) }));

// Stacks: the running total grows; steps pass through.
expectType<SymbolicTensor<[null, 5], 2245, "10*4*16*8+10*4*16*16+10*3*8*16+10*3*8*8+8*5">>(
  seq.lstm({ units: 16, returnSequences: true }).gru({ units: 8, resetAfter: false }).dense({ units: 5 }),
);

// Unknown steps stay null; unknown batch-free shapes keep their nulls.
const anySteps = input({ shape: [null, 8] });
expectType<SymbolicTensor<[null, null, 32], 5248, number>>(anySteps.lstm({ units: 32, returnSequences: true }));
expectType<SymbolicTensor<[null, 32], 4032, number>>(anySteps.gru({ units: 32 }));

// Non-literal numbers give number, never an error or any.
declare const n: number;
declare const flag: boolean;
expectType<SymbolicTensor<[null, number], number, number>>(seq.lstm({ units: n }));
expectType<SymbolicTensor<[null, 10, number], number, number>>(seq.simpleRNN({ units: n, returnSequences: true }));
expectType<SymbolicTensor<[null, 32], number, number>>(input({ shape: [10, n] }).gru({ units: 32 }));
expectType<SymbolicTensor<[null, 32], number, "10*3*32*8+10*3*32*32">>(seq.gru({ units: 32, resetAfter: flag }));
expectType<SymbolicTensor<[null, 32], number, "10*4*32*8+10*4*32*32">>(seq.lstm({ units: 32, useBias: flag }));
// A non-literal returnSequences leaves the rank open; a non-literal returnState gives either form.
expectType<SymbolicTensor<Shape, 1312, "10*1*32*8+10*1*32*32">>(seq.simpleRNN({ units: 32, returnSequences: flag }));
expectType<
  | readonly [SymbolicTensor<[null, 4], 52, "10*1*4*8+10*1*4*4">, SymbolicTensor<[null, 4], 52, "10*1*4*8+10*1*4*4">]
  | SymbolicTensor<[null, 4], 52, "10*1*4*8+10*1*4*4">
>(seq.simpleRNN({ units: 4, returnState: flag }));

// Exact past 2^32.
expectType<SymbolicTensor<[null, 40000], 12800160000, "10*4*40000*40000+10*4*40000*40000">>(input({ shape: [10, 40000] }).lstm({ units: 40000 }));

// Parameter formulas (semantics §2).
type _p1 = Expect<Equal<SimpleRNNParams<8, 32, true>, 1312>>;
type _p2 = Expect<Equal<LSTMParams<8, 32, true>, 5248>>;
type _p3 = Expect<Equal<GRUParams<8, 32, true, true>, 4032>>;
type _p4 = Expect<Equal<GRUParams<8, 32, true, false>, 3936>>;
type _p5 = Expect<Equal<GRUParams<8, 32, false, true>, 3840>>;

// bidirectional: concat doubles the last dimension; parameters twice the inner layer's.
expectType<SymbolicTensor<[null, 64], 10496, "2*10*4*32*8+2*10*4*32*32">>(seq.bidirectional((t) => t.lstm({ units: 32 })));
expectType<SymbolicTensor<[null, 10, 64], 10496, "2*10*4*32*8+2*10*4*32*32">>(
  seq.bidirectional((t) => t.lstm({ units: 32, returnSequences: true }), { mergeMode: "concat" }),
);
expectType<SymbolicTensor<[null, 16], 2496, "2*10*3*16*8+2*10*3*16*16">>(seq.bidirectional((t) => t.gru({ units: 16 }), { mergeMode: "sum" }));
expectType<SymbolicTensor<[null, 16], 2400, "2*10*3*16*8+2*10*3*16*16">>(
  seq.bidirectional((t) => t.gru({ units: 16, resetAfter: false }), { mergeMode: "ave" }),
);
expectType<SymbolicTensor<[null, 10, 16], 800, "2*10*1*16*8+2*10*1*16*16">>(
  seq.bidirectional((t) => t.simpleRNN({ units: 16, returnSequences: true }), { mergeMode: "mul", name: "birnn" }),
);
expectType<readonly [SymbolicTensor<[null, 16], 2496, "2*10*3*16*8+2*10*3*16*16">, SymbolicTensor<[null, 16], 2496, "2*10*3*16*8+2*10*3*16*16">]>(
  seq.bidirectional((t) => t.gru({ units: 16 }), { mergeMode: null }),
);
expectType<SymbolicTensor<[null, null, 64], 10496, number>>(anySteps.bidirectional((t) => t.lstm({ units: 32, returnSequences: true })));
expectType<SymbolicTensor<[null, number], number, number>>(seq.bidirectional((t) => t.lstm({ units: n })));
// The callback offers only the recurrent layers, and nothing can be chained on their result.
// @ts-expect-error dense is not a recurrent layer
seq.bidirectional((t) => t.dense({ units: 4 }));
// @ts-expect-error a second call on the inner result
seq.bidirectional((t) => t.lstm({ units: 4, returnSequences: true }).lstm({ units: 4 }));
// A stack after a bidirectional layer.
expectType<SymbolicTensor<[null, 3], 18467, "2*10*4*32*8+2*10*4*32*32+2*10*3*16*64+2*10*3*16*16+32*3">>(
  seq
    .bidirectional((t) => t.lstm({ units: 32, returnSequences: true }))
    .bidirectional((t) => t.gru({ units: 16 }))
    .dense({ units: 3 }),
);

// timeDistributed: the callback gets one step; parameters are the inner layer's.
const frames = input({ shape: [10, 16] });
expectType<SymbolicTensor<[null, 10, 8], 136, "10*16*8">>(frames.timeDistributed((t) => t.dense({ units: 8 })));
expectType<SymbolicTensor<[null, 5, 30, 30, 4], 112, "5*30*30*108">>(
  input({ shape: [5, 32, 32, 3] }).timeDistributed((t) => t.conv2d({ filters: 4, kernelSize: 3 })),
);
expectType<SymbolicTensor<[null, 5, 3072], 0, "0">>(input({ shape: [5, 32, 32, 3] }).timeDistributed((t) => t.flatten(), { name: "per_frame" }));
expectType<SymbolicTensor<[null, null, 8], 136, number>>(input({ shape: [null, 16] }).timeDistributed((t) => t.dense({ units: 8 })));
expectType<SymbolicTensor<[null, 10, number], number, number>>(frames.timeDistributed((t) => t.dense({ units: n })));
expectType<SymbolicTensor<[null, 10, 4], 88, "10*16*4+10*4*4">>(frames.dense({ units: 4 }).timeDistributed((t) => t.dense({ units: 4 })));

// embedding: (*input_shape, outputDim), inputDim * outputDim parameters.
expectType<SymbolicTensor<[null, 10, 64], 64000, "0">>(input({ shape: [10] }).embedding({ inputDim: 1000, outputDim: 64 }));
expectType<SymbolicTensor<[null, 8], 80, "0">>(input({ shape: [] }).embedding({ inputDim: 10, outputDim: 8, name: "lookup" }));
expectType<SymbolicTensor<[null, null, 3, 16], 1600, "0">>(input({ shape: [null, 3] }).embedding({ inputDim: 100, outputDim: 16 }));
expectType<SymbolicTensor<[null, 10, number], number, "0">>(input({ shape: [10] }).embedding({ inputDim: 1000, outputDim: n }));
expectType<SymbolicTensor<[null, 2], 2017090, "100*4*32*100+100*4*32*32+32*2">>(
  input({ shape: [100] })
    .embedding({ inputDim: 20000, outputDim: 100 })
    .lstm({ units: 32 })
    .dense({ units: 2 }),
);

// A fault returns an inert error tensor; later calls add nothing.
type _e1 = Expect<Equal<ReturnType<typeof seq.lstm<0>>, ErrorTensor<"shapewise: lstm units must be a positive integer, got 0">>>;
type _e2 = Expect<Equal<ReturnType<typeof frames.timeDistributed<ErrorTensor<"x">>>, ErrorTensor<"x">>>;
