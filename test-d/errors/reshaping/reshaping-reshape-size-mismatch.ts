import { input, model } from "../../../src/index.js";

const inputs = input({ shape: [28, 28, 1] });
export const m = model({
  inputs,
  outputs: inputs
    .reshape({ targetShape: [5, 5] })
    .flatten()
    .dense({ units: 10 }),
});
