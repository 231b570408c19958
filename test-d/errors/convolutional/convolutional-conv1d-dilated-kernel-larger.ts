// A 3-tap kernel with dilation 4 spans 9 steps, more than the 8 there are.
import { input } from "../../../src/index.js";

export const x = input({ shape: [8, 2] }).conv1d({ filters: 4, kernelSize: 3, dilationRate: 4 });
