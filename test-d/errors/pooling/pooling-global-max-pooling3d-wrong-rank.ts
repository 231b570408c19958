import { input, model } from "../../../src/index.js";

const inputs = input({ shape: [7, 7, 512] });
export const m = model({ inputs, outputs: inputs.globalMaxPooling3d({ keepdims: false }).dense({ units: 10 }) });
