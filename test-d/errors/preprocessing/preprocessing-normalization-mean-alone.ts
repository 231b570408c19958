import { input } from "../../../src/index.js";

export const x = input({ shape: [28, 4] }).normalization({ mean: [1, 2, 3, 4] });
