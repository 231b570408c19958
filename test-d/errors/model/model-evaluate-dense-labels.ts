// A categorical crossentropy takes one-hot rows shaped like the output, not class ids.
import { input, losses, model, optimizers, tensor } from "../../../src/index.js";

const i = input({ shape: [4] });
const m = model({ inputs: i, outputs: i.dense({ units: 3, activation: "softmax" }) });
const c = m.compile({ optimizer: optimizers.adam(), loss: losses.categoricalCrossentropy({ labelSmoothing: 0.1 }) });
c.evaluate(tensor([2, 4]), tensor([2]), { verbose: 0 });
