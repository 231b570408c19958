// Cross-attention keeps the query's length T; adding the key's sequence of length S back is the mistake.
import { add, input } from "../../../src/index.js";

const target = input({ shape: ["T", 64] });
const source = input({ shape: ["S", 64] });
const attended = target.multiHeadAttention({ numHeads: 4, keyDim: 16, value: source });
export const y = add([source, attended]).layerNormalization();
