// groups is a positive count of channel groups.
import { input } from "../../../src/index.js";

export const x = input({ shape: [16, 16, 4] }).conv2d({ filters: 8, kernelSize: 3, groups: 0 });
