import { input, model } from "../../../src/index.js";

const inputs = input({ shape: [14, 14, 8] });
export const m = model({ inputs, outputs: inputs.upSampling3d().flatten() });
