// Each of the 4 groups needs the same number of filters: 6 does not split in 4.
import { input } from "../../../src/index.js";

export const x = input({ shape: [16, 16, 4] }).conv2d({ filters: 6, kernelSize: 3, groups: 4 });
