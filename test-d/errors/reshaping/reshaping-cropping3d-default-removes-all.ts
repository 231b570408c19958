import { input, model } from "../../../src/index.js";

// No cropping written: the default of 1 on each side leaves nothing of a depth of 2, so the receiver carries the error.
const inputs = input({ shape: [2, 8, 8, 3] });
export const m = model({ inputs, outputs: inputs.cropping3d().flatten() });
