import { input, model } from "../../../src/index.js";

const inputs = input({ shape: [4, 4, 4, 2] });
export const m = model({ inputs, outputs: inputs.zeroPadding3d({ padding: [[1, 0.5], 1, 1] }).flatten() });
