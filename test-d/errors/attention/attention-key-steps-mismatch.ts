// Every key must have a value: key and value agree in all but their last dimension.
import { input } from "../../../src/index.js";

const q = input({ shape: [5, 20] });
export const y = q.multiHeadAttention({ numHeads: 2, keyDim: 8, value: input({ shape: [7, 12] }), key: input({ shape: [6, 12] }) }).flatten();
