// channelsFirst: the channels are axis 1, here unknown (the last dimension being known does not help).
import { input } from "../../../src/index.js";

export const x = input({ shape: [null, 32, 32] }).conv2d({ filters: 8, kernelSize: 3, dataFormat: "channelsFirst" });
