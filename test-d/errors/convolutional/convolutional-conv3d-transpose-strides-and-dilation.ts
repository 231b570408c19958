// The transposed convolutions share the strides-with-dilation rule.
import { input } from "../../../src/index.js";

export const x = input({ shape: [4, 4, 4, 3] }).conv3dTranspose({ filters: 2, kernelSize: 3, strides: [1, 1, 2], dilationRate: 2 });
