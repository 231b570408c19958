import { input, model } from "../../../src/index.js";

// No poolSize written: the default window of 2 does not fit one step, so the receiver carries the error.
const inputs = input({ shape: [1, 8] });
export const m = model({ inputs, outputs: inputs.avgPool1d({ padding: "valid" }).flatten() });
