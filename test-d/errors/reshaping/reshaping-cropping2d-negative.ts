import { input, model } from "../../../src/index.js";

const inputs = input({ shape: [28, 28, 3] });
export const m = model({
  inputs,
  outputs: inputs
    .cropping2d({
      cropping: [
        [2, 2],
        [-1, 4],
      ],
    })
    .flatten(),
});
