// Head sizes are positive.
import { input } from "../../../src/index.js";

const x = input({ shape: [8, 32] });
export const y = x.multiHeadAttention({ numHeads: 2, keyDim: -16, value: x });
