import { input, model } from "../../../src/index.js";

const inputs = input({ shape: [4, 5, 6] });
export const m = model({ inputs, outputs: inputs.permute({ dims: [1, 3, 3] }).flatten() });
