// Without padding each 3x3 convolution takes 2 pixels: 8 -> 6 -> 4 -> 2, and the fourth cannot fit.
import { input } from "../../../src/index.js";

export const x = input({ shape: [8, 8, 1] })
  .conv2d({ filters: 8, kernelSize: 3 })
  .conv2d({ filters: 8, kernelSize: 3 })
  .conv2d({ filters: 8, kernelSize: 3 })
  .conv2d({ filters: 8, kernelSize: 3 })
  .flatten();
