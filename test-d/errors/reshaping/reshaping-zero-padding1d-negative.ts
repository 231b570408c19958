import { input, model } from "../../../src/index.js";

const inputs = input({ shape: [10, 4] });
export const m = model({ inputs, outputs: inputs.zeroPadding1d({ padding: [1, -1] }).flatten() });
