// -1 and 2 are the same axis of a rank-3 input.
import { input } from "../../../src/index.js";

export const x = input({ shape: [10, 64] }).layerNormalization({ axis: [2, -1] });
