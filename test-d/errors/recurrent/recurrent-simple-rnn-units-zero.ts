// A recurrent layer needs at least one unit; the later calls add no second error.
import { input, model } from "../../../src/index.js";

const inputs = input({ shape: [10, 8] });
export const m = model({ inputs, outputs: inputs.simpleRNN({ units: 0 }).dense({ units: 2 }) });
