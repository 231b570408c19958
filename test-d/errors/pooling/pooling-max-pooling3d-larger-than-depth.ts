import { input, model } from "../../../src/index.js";

const inputs = input({ shape: [2, 16, 16, 3] });
export const m = model({ inputs, outputs: inputs.maxPooling3d({ poolSize: [3, 2, 2] }).flatten() });
