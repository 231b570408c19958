import { input } from "../../../src/index.js";

export const x = input({ shape: [null, 64] }).layerNormalization({ axis: [2, 1] });
