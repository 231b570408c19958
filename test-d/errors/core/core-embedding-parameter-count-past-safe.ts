import { input } from "../../../src/index.js";

export const x = input({ shape: [10] }).embedding({ inputDim: 1073741824, outputDim: 1073741824 });
