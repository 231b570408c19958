// With dataFormat 'channelsFirst' the rank message shows the channels-first layout.
import { input } from "../../../src/index.js";

export const x = input({ shape: [3, 32] }).conv2d({ filters: 8, kernelSize: 3, dataFormat: "channelsFirst" });
