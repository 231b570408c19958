import { input } from "../../../src/index.js";

export const x = input({ shape: [28, 28, 1] }).conv2d({ filters: 0, kernelSize: 3 });
