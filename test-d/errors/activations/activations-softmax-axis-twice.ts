import { input } from "../../../src/index.js";

export const x = input({ shape: [5, 4] }).softmax({ axis: [1, -2] });
