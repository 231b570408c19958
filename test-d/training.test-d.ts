import { expectType } from "tsd";
import { input, losses, model, optimizers, sequential, tensor } from "../src/index.js";
import type { CompiledModel, History, LabelShape, LabelTensor, Logs } from "../src/index.js";
import type { Equal, Expect } from "./equal.js";

// The label shape follows the loss: class ids for the sparse loss, the output's shape otherwise.
type _sparse = Expect<Equal<LabelShape<[null, 10], "sparseCategoricalCrossentropy">, [null]>>;
type _dense = Expect<Equal<LabelShape<[null, 10], "categoricalCrossentropy">, [null, 10]>>;
type _seq = Expect<Equal<LabelShape<[null, 5, 7], "sparseCategoricalCrossentropy">, [null, 5]>>;

const i = input({ shape: [28, 28, 1] });
const m = model({ inputs: i, outputs: i.flatten().dense({ units: 10, activation: "softmax" }) });

// compile keeps the model's shapes and the loss's name in the type.
const sparse = m.compile({ optimizer: optimizers.adam(), loss: "sparseCategoricalCrossentropy", metrics: ["accuracy"] });
expectType<CompiledModel<[null, 28, 28, 1], [null, 10], "sparseCategoricalCrossentropy">>(sparse);
const x = tensor([64, 28, 28, 1]);
expectType<Promise<History>>(sparse.fit(x, tensor([64]), { epochs: 1, verbose: 0 }));
// Class ids may come as integers, and with Keras's trailing axis of 1.
const ids: LabelTensor<[64]> = { shape: [64], data: new Int32Array(64) };
expectType<Logs>(sparse.trainOnBatch(x, ids));
expectType<Logs>(sparse.evaluate(x, tensor([64, 1]), { verbose: 0 }));
// Sizes the types cannot see are checked at run time.
const n: number = 64;
expectType<Logs>(sparse.trainOnBatch(tensor([n, 28, 28, 1]), tensor([n])));
// @ts-expect-error refused: the shapes do not fit
sparse.fit(x, tensor([64, 10]));
// @ts-expect-error refused: the shapes do not fit
sparse.trainOnBatch(x, tensor([32]));
// @ts-expect-error refused: the shapes do not fit
sparse.trainOnBatch(tensor([64, 28, 28, 3]), tensor([64]));

// A loss object carries its name too.
const dense = m.compile({ optimizer: optimizers.sgd({ momentum: 0.9 }), loss: losses.categoricalCrossentropy({ labelSmoothing: 0.1 }) });
expectType<CompiledModel<[null, 28, 28, 1], [null, 10], "categoricalCrossentropy">>(dense);
expectType<Logs>(dense.trainOnBatch(x, tensor([64, 10])));
// @ts-expect-error refused: the shapes do not fit
dense.trainOnBatch(x, tensor([64]));
// @ts-expect-error refused: the shapes do not fit
dense.trainOnBatch(x, tensor([64, 9]));

// A sequential model of regression outputs.
const ri = input({ shape: [3] });
const r = sequential({ inputs: ri, outputs: ri.dense({ units: 2 }) }).compile({ optimizer: "sgd", loss: "meanSquaredError" });
expectType<Logs>(r.trainOnBatch(tensor([8, 3]), tensor([8, 2])));
// @ts-expect-error refused: the shapes do not fit
r.trainOnBatch(tensor([8, 3]), tensor([8, 3]));

// fitDataset: batches of any size, inputs as predict takes them, labels as the loss needs them.
const b = (k: number) => ({ xs: tensor([k, 28, 28, 1]), ys: tensor([k]) });
expectType<Promise<History>>(sparse.fitDataset([b(32), b(16)], { epochs: 2, verbose: 0 }));
// @ts-expect-error refused: one-hot rows for the sparse loss
sparse.fitDataset([{ xs: tensor([32, 28, 28, 1]), ys: tensor([32, 10]) }]);
