import { input, model } from "../../../src/index.js";

// Channels first: [channels, height, width] = [3, 28, 8]; 4 + 4 columns leave none.
const inputs = input({ shape: [3, 28, 8] });
export const m = model({
  inputs,
  outputs: inputs
    .cropping2D({
      cropping: [
        [2, 2],
        [4, 4],
      ],
      dataFormat: "channelsFirst",
    })
    .flatten(),
});
