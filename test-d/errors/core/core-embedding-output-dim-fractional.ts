// Embedding vectors have a whole number of entries.
import { input } from "../../../src/index.js";

export const x = input({ shape: [10] }).embedding({ inputDim: 1000, outputDim: 0.5 });
