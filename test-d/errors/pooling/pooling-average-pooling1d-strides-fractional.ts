import { input, model } from "../../../src/index.js";

const inputs = input({ shape: [100, 8] });
export const m = model({ inputs, outputs: inputs.averagePooling1d({ poolSize: 2, strides: 1.5 }).flatten() });
