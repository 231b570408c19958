// Branches of an Inception block must keep height and width to be concatenated.
import { concatenate, input } from "../../../src/index.js";

const x = input({ shape: [8, 8, 16] });
export const y = concatenate([x.conv2d({ filters: 8, kernelSize: 1 }), x.conv2d({ filters: 8, kernelSize: 3 })]).flatten();
