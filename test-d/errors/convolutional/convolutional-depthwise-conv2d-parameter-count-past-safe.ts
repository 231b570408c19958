// A depthwise kernel has no filters: its count is reported on kernelSize.
import { input } from "../../../src/index.js";

export const x = input({ shape: [4, 4, 67108864] }).depthwiseConv2d({ kernelSize: 3, depthMultiplier: 67108864, padding: "same" });
