import { input } from "../../../src/index.js";

export const x = input({ shape: [5, 2] }).spatialDropout1d({ rate: 0.1, seed: 0.5 });
