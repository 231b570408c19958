// Keras 3 takes stddev in [0, 1].
import { input } from "../../../src/index.js";

export const x = input({ shape: [4] }).gaussianNoise({ stddev: 2 });
