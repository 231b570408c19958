import { input } from "../../../src/index.js";

export const x = input({ shape: [] }).normalization({ mean: 1, variance: 1 });
