import { input } from "../../../src/index.js";

export const x = input({ shape: [4, 4, 2] }).spatialDropout2d({ rate: -0.1 });
