import { input } from "../../../src/index.js";

export const x = input({ shape: [10, 64] }).layerNormalization({ axis: [1, 5] });
