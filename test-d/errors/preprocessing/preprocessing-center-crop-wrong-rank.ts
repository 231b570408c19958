import { input } from "../../../src/index.js";

export const x = input({ shape: [28] }).centerCrop({ height: 4, width: 4 });
