// The kernel holds input channels per group: 2^27 channels in 2 groups, 2^27 filters, a 3x3x3 kernel.
import { input } from "../../../src/index.js";

export const x = input({ shape: [4, 4, 4, 134217728] }).conv3d({ filters: 134217728, kernelSize: 3, groups: 2, padding: "same" });
