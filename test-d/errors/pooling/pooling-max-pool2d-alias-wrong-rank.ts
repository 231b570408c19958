import { input } from "../../../src/index.js";

export const x = input({ shape: [28, 28, 1] })
  .flatten()
  .maxPool2d({ poolSize: 2 });
