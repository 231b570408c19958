// conv1d needs [batch, steps, channels]; an image has rank 4.
import { input } from "../../../src/index.js";

export const x = input({ shape: [28, 28, 1] })
  .conv1d({ filters: 8, kernelSize: 3 })
  .flatten();
