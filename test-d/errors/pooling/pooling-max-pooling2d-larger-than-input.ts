import { input } from "../../../src/index.js";

export const x = input({ shape: [4, 4, 1] })
  .conv2d({ filters: 8, kernelSize: 3 })
  .maxPooling2d({ poolSize: 3 });
