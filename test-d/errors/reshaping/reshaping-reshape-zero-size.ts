import { input, model } from "../../../src/index.js";

const inputs = input({ shape: [28, 28, 1] });
export const m = model({ inputs, outputs: inputs.reshape({ targetShape: [0, 784] }).flatten() });
