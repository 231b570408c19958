// A convolution after a wide dense layer takes the running total past 2^53 - 1: its `filters` carries the sentence.
import { input, model } from "../../../src/index.js";

const i = input({ shape: [2, 2, 67108864] });
export const m = model({ inputs: i, outputs: i.dense({ units: 67108864 }).conv2d({ filters: 67108864, kernelSize: 1 }) });
