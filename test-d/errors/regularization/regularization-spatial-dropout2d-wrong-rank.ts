import { input } from "../../../src/index.js";

export const x = input({ shape: [5, 2] }).spatialDropout2d({ rate: 0.2, dataFormat: "channelsFirst" });
