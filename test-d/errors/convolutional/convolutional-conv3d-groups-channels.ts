// Each of the 2 groups needs the same number of input channels: 3 does not split in 2.
import { input } from "../../../src/index.js";

export const x = input({ shape: [8, 8, 8, 3] }).conv3d({ filters: 4, kernelSize: 3, groups: 2 });
