// outputPadding must stay below the stride on every axis: 2 is not below 2.
import { input } from "../../../src/index.js";

export const x = input({ shape: [8, 8, 4] }).conv2dTranspose({ filters: 16, kernelSize: 3, strides: 2, outputPadding: [1, 2] });
