import { input } from "../../../src/index.js";

export const x = input({ shape: [10] }).alphaDropout({ rate: 0.1, seed: 0.5 });
