// depthMultiplier counts output channels per input channel: at least 1.
import { input } from "../../../src/index.js";

export const x = input({ shape: [32, 32, 8] }).separableConv2d({ filters: 16, kernelSize: 3, depthMultiplier: 0 });
