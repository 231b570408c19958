// A sparse crossentropy takes class ids, one per sample, not one-hot rows.
import { input, model, optimizers, tensor } from "../../../src/index.js";

const i = input({ shape: [4] });
const m = model({ inputs: i, outputs: i.dense({ units: 3, activation: "softmax" }) });
const c = m.compile({ optimizer: optimizers.sgd(), loss: "sparseCategoricalCrossentropy" });
await c.fit(tensor([2, 4]), tensor([2, 3]), { verbose: 0 });
