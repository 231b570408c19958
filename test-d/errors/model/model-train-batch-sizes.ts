// Inputs and labels are one batch: as many label rows as input samples.
import { input, model, optimizers, tensor } from "../../../src/index.js";

const i = input({ shape: [4] });
const m = model({ inputs: i, outputs: i.dense({ units: 1 }) });
const c = m.compile({ optimizer: optimizers.sgd(), loss: "meanSquaredError" });
c.trainOnBatch(tensor([2, 4]), tensor([3, 1]));
