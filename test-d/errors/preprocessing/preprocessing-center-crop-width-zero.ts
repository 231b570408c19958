import { input } from "../../../src/index.js";

export const x = input({ shape: [8, 8, 3] })
  .centerCrop({ height: 4, width: 0 })
  .flatten();
