import { input, model } from "../../../src/index.js";

const inputs = input({ shape: [100, 8] });
export const m = model({ inputs, outputs: inputs.maxPooling1d({ poolSize: 0 }).flatten().dense({ units: 10 }) });
