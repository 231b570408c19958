// The pointwise kernel of a separable convolution: 2^26 channels by 2^27 filters.
import { input } from "../../../src/index.js";

export const x = input({ shape: [4, 4, 67108864] }).separableConv2d({ filters: 134217728, kernelSize: 1 });
