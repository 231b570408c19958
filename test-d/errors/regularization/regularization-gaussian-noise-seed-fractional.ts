import { input } from "../../../src/index.js";

export const x = input({ shape: [4] }).gaussianNoise({ stddev: 0.1, seed: 1.5 });
