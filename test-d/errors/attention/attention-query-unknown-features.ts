// The query projection is sized from the query's features, which must be known.
import { input } from "../../../src/index.js";

const x = input({ shape: [8, null] });
export const y = x.multiHeadAttention({ numHeads: 2, keyDim: 16, value: x }).flatten();
