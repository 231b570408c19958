// A 3-D kernel size holds three positive integers.
import { input } from "../../../src/index.js";

export const x = input({ shape: [8, 8, 8, 2] }).conv3d({ filters: 4, kernelSize: [3, 0, 3] });
