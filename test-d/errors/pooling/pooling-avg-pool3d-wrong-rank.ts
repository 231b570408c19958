import { input, model } from "../../../src/index.js";

const inputs = input({ shape: [16, 16, 3] });
export const m = model({ inputs, outputs: inputs.avgPool3d({ poolSize: 2 }).flatten() });
