// No poolSize written: the default 2x2 window does not fit a 1x1 image, so the receiver carries the error.
import { input, model } from "../../../src/index.js";

const inputs = input({ shape: [1, 1, 3] });
export const m = model({ inputs, outputs: inputs.maxPooling2d().flatten().dense({ units: 10 }) });
