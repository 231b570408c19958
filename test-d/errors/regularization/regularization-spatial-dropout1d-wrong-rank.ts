import { input } from "../../../src/index.js";

export const x = input({ shape: [10] }).spatialDropout1d({ rate: 0.2 });
