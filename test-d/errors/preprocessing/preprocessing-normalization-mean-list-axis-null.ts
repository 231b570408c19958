import { input } from "../../../src/index.js";

export const x = input({ shape: [28, 4] }).normalization({ mean: [1, 2], variance: [1, 2], axis: null });
