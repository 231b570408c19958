import { input, model } from "../../../src/index.js";

const inputs = input({ shape: [3, 8] });
export const m = model({ inputs, outputs: inputs.maxPooling1d({ poolSize: [4] }).globalMaxPooling1d() });
