// The value projection is sized from the value's features, which must be known.
import { input } from "../../../src/index.js";

const x = input({ shape: [8, 32] });
export const y = x.multiHeadAttention({ numHeads: 2, keyDim: 16, value: input({ shape: [8, null] }) });
