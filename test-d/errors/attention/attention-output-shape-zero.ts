// The output projection needs at least one feature.
import { input } from "../../../src/index.js";

const x = input({ shape: [8, 32] });
export const y = x.multiHeadAttention({ numHeads: 2, keyDim: 16, outputShape: 0, value: x });
