import { input } from "../../../src/index.js";

export const x = input({ shape: [4, 8, 8, 2] }).spatialDropout3d({ rate: 1.5, dataFormat: "channelsFirst" });
