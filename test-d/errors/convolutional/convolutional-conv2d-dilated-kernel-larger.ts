// A 3-tap kernel dilated by 3 spans 7 pixels, more than the 5 it is given.
import { input } from "../../../src/index.js";

export const x = input({ shape: [5, 5, 1] }).conv2d({ filters: 4, kernelSize: 3, dilationRate: 3 });
