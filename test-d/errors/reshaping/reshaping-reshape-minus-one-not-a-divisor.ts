import { input, model } from "../../../src/index.js";

// 784 values cannot fill rows of 15.
const inputs = input({ shape: [28, 28, 1] });
export const m = model({ inputs, outputs: inputs.reshape({ targetShape: [-1, 15] }).flatten() });
