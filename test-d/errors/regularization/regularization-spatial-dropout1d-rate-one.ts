import { input } from "../../../src/index.js";

export const x = input({ shape: [5, 2] }).spatialDropout1d({ rate: 1 });
