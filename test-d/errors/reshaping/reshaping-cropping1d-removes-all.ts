import { input, model } from "../../../src/index.js";

const inputs = input({ shape: [3, 4] });
export const m = model({ inputs, outputs: inputs.cropping1d({ cropping: [1, 2] }).flatten() });
