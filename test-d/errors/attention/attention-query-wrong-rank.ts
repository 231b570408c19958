// multiHeadAttention reads [batch, steps, features]; a flat vector is not a sequence.
import { input } from "../../../src/index.js";

const x = input({ shape: [32] });
export const y = x.multiHeadAttention({ numHeads: 2, keyDim: 16, value: x });
