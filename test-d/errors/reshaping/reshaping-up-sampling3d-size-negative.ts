import { input, model } from "../../../src/index.js";

const inputs = input({ shape: [4, 4, 4, 2] });
export const m = model({ inputs, outputs: inputs.upSampling3d({ size: -2 }).flatten() });
