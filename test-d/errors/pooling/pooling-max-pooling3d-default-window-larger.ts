import { input, model } from "../../../src/index.js";

// No poolSize written: the default 2x2x2 window does not fit a depth of 1, so the receiver carries the error.
const inputs = input({ shape: [1, 16, 16, 3] });
export const m = model({ inputs, outputs: inputs.maxPooling3d().flatten() });
