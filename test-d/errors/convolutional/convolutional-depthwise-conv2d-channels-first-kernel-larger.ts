// channelsFirst [channels, height, width]: the width is 3, the window 4 wide.
import { input } from "../../../src/index.js";

export const x = input({ shape: [8, 16, 3] }).depthwiseConv2d({ kernelSize: [3, 4], dataFormat: "channelsFirst" });
