// An embedding table after another one takes the running total past 2^53 - 1: its `outputDim` carries the sentence.
import { input, model } from "../../../src/index.js";

const i = input({ shape: [4] });
export const m = model({ inputs: i, outputs: i.embedding({ inputDim: 67108864, outputDim: 67108864 }).embedding({ inputDim: 67108864, outputDim: 67108864 }) });
