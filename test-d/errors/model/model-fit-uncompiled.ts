// Training needs an optimizer and a loss first: fit belongs to the model compile returns.
import { input, model, tensor } from "../../../src/index.js";

const i = input({ shape: [4] });
const m = model({ inputs: i, outputs: i.dense({ units: 3, activation: "softmax" }) });
await m.fit(tensor([2, 4]), tensor([2]), { epochs: 1 });
