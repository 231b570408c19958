// Labels of a model whose output length is a stated multiple of 16 cannot have 37 steps.
import { input, model, optimizers, tensor } from "../../../src/index.js";

const i = input({ shape: ["16*H", 3] });
const m = model({ inputs: i, outputs: i.dense({ units: 1 }) });
const c = m.compile({ optimizer: optimizers.sgd(), loss: "meanSquaredError" });
await c.fit(tensor([2, 48, 3]), tensor([2, 37, 1]), { verbose: 0 });
