// conv2d needs [batch, height, width, channels]; a flat vector has rank 2.
import { input } from "../../../src/index.js";

export const x = input({ shape: [784] })
  .conv2d({ filters: 8, kernelSize: 3 })
  .flatten();
