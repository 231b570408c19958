// Attention needs at least one head.
import { input } from "../../../src/index.js";

const x = input({ shape: [8, 32] });
export const y = x.multiHeadAttention({ numHeads: 0, keyDim: 16, value: x }).dense({ units: 2 });
