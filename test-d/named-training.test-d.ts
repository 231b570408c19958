import { expectType } from "tsd";
import { input, model, optimizers, tensor } from "../src/index.js";
import type { CompiledModel, History, Logs } from "../src/index.js";

// A sequence tagger: its output keeps the input's length T, so labels of any length type-check
// (x binds T when data arrives; the run-time check compares y with it).
const t = input({ shape: ["T", 8] });
const tagger = model({ inputs: t, outputs: t.dense({ units: 5, activation: "softmax" }) });
// The model's type keeps the names; its shapes are Keras's, with None for them.
expectType<[null, null, 5]>(tagger.outputShape);
const tags = tagger.compile({ optimizer: optimizers.sgd(), loss: "sparseCategoricalCrossentropy" });
expectType<CompiledModel<[null, "T", 8], [null, "T", 5], "sparseCategoricalCrossentropy">>(tags);
expectType<Logs>(tags.trainOnBatch(tensor([2, 37, 8]), tensor([2, 37])));
expectType<Logs>(tags.evaluate(tensor([2, 37, 8]), tensor([2, 37, 1]), { verbose: 0 }));
const dense = tagger.compile({ optimizer: optimizers.sgd(), loss: "meanSquaredError" });
expectType<Promise<History>>(dense.fit(tensor([2, 37, 8]), tensor([2, 37, 5]), { verbose: 0 }));
// @ts-expect-error refused: the concrete axis still fits the output's 5 only
dense.trainOnBatch(tensor([2, 37, 8]), tensor([2, 37, 4]));

// A side stated as 16*H upsampled back: 37 cannot be a multiple of 16.
const img = input({ shape: ["16*H", 3] });
const seg = model({ inputs: img, outputs: img.maxPooling1d({ poolSize: 2 }).upSampling1d({ size: 2 }).dense({ units: 1 }) });
const segs = seg.compile({ optimizer: optimizers.sgd(), loss: "meanSquaredError" });
expectType<CompiledModel<[null, "16*H", 3], [null, "16*H", 1], "meanSquaredError">>(segs);
expectType<Logs>(segs.trainOnBatch(tensor([2, 48, 3]), tensor([2, 48, 1])));
// @ts-expect-error refused: 37 is not a multiple of 16
segs.trainOnBatch(tensor([2, 48, 3]), tensor([2, 37, 1]));
// A length with a constant: 2*T+1 is odd and at least 3.
const odd = input({ shape: ["T", 4] });
const padded = model({ inputs: odd, outputs: odd.upSampling1d({ size: 2 }).zeroPadding1d({ padding: [1, 0] }) });
const pads = padded.compile({ optimizer: optimizers.sgd(), loss: "meanSquaredError" });
expectType<CompiledModel<[null, "T", 4], [null, "2*T+1", 4], "meanSquaredError">>(pads);
expectType<Logs>(pads.trainOnBatch(tensor([2, 5, 4]), tensor([2, 11, 4])));
// @ts-expect-error refused: 36 is not 2*T+1 for any T
pads.trainOnBatch(tensor([2, 5, 4]), tensor([2, 36, 4]));
// An undecided floor node takes any length.
const down = input({ shape: ["T", 4] });
const pooled = model({ inputs: down, outputs: down.maxPooling1d({ poolSize: 2 }) });
const pools = pooled.compile({ optimizer: optimizers.sgd(), loss: "meanSquaredError" });
expectType<CompiledModel<[null, "T", 4], [null, "floor(T/2)", 4], "meanSquaredError">>(pools);
expectType<Logs>(pools.trainOnBatch(tensor([2, 9, 4]), tensor([2, 4, 4])));
