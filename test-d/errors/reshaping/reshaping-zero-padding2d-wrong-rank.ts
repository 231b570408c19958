import { input, model } from "../../../src/index.js";

// No written option is wrong: a sequence given to 2-D padding puts the error on the receiver.
const inputs = input({ shape: [10, 4] });
export const m = model({ inputs, outputs: inputs.zeroPadding2d({ padding: 1 }).flatten() });
