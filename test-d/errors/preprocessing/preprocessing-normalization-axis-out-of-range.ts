import { input } from "../../../src/index.js";

export const x = input({ shape: [28, 28, 3] }).normalization({ mean: 1, variance: 1, axis: 4 });
