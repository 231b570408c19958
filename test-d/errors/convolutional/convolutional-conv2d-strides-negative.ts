import { input } from "../../../src/index.js";

export const x = input({ shape: [28, 28, 1] }).conv2d({ filters: 8, kernelSize: 3, strides: -1 });
