import { input } from "../../../src/index.js";

export const x = input({ shape: [10] }).reLU({ threshold: -1 });
