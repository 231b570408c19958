import { input } from "../../../src/index.js";

export const x = input({ shape: [1073741824, 1073741824, 1073741824] }).flatten();
