// A 5x5 kernel cannot fit a 3x3 image without padding; the later calls add no second error.
import { input, model } from "../../../src/index.js";

const inputs = input({ shape: [3, 3, 1] });
const outputs = inputs.conv2d({ filters: 8, kernelSize: 5 }).flatten().dense({ units: 2 });
export const m = model({ inputs, outputs });
