// outputPadding adds positions: it cannot be negative.
import { input } from "../../../src/index.js";

export const x = input({ shape: [10, 4] }).conv1dTranspose({ filters: 6, kernelSize: 3, strides: 2, outputPadding: -1 });
