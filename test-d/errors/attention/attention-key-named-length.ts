// A key of length U for a value of length S: Keras sees two None, the algebra proves they differ when S is not U.
import { input } from "../../../src/index.js";

const query = input({ shape: ["T", 16] });
const value = input({ shape: ["S", 16] });
const key = input({ shape: ["U", 16] });
export const y = query.multiHeadAttention({ numHeads: 2, keyDim: 8, value, key });
