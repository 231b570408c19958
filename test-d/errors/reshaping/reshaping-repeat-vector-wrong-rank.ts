import { input, model } from "../../../src/index.js";

const inputs = input({ shape: [10, 32] });
export const m = model({ inputs, outputs: inputs.repeatVector({ n: 3 }).flatten() });
