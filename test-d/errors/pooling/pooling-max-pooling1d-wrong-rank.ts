import { input, model } from "../../../src/index.js";

// A rank-4 image given to a 1-D pooling: no written option is wrong, so the receiver carries the error.
const inputs = input({ shape: [28, 28, 3] });
export const m = model({ inputs, outputs: inputs.maxPooling1d({ poolSize: 2 }).flatten().dense({ units: 10 }) });
