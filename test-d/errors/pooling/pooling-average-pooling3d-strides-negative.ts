import { input, model } from "../../../src/index.js";

const inputs = input({ shape: [8, 8, 8, 3] });
export const m = model({ inputs, outputs: inputs.averagePooling3d({ strides: -1 }).flatten() });
