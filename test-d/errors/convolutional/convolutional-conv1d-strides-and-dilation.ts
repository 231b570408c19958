// Keras refuses strides above 1 together with a dilation above 1.
import { input } from "../../../src/index.js";

export const x = input({ shape: [100, 8] }).conv1d({ filters: 4, kernelSize: 3, strides: 2, dilationRate: 2 });
