// The kernel fits the height but not the width.
import { input } from "../../../src/index.js";

export const x = input({ shape: [28, 4, 1] }).conv2d({ filters: 4, kernelSize: [3, 5] });
