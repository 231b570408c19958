import { input } from "../../../src/index.js";

export const x = input({ shape: [28, 28, 1] }).conv2d({ filters: 2.5, kernelSize: 3 });
