// The depthwise window of a separable convolution must fit too.
import { input } from "../../../src/index.js";

export const x = input({ shape: [4, 8] }).separableConv1d({ filters: 16, kernelSize: 5 });
