import { input } from "../../../src/index.js";

export const x = input({ shape: [10, 10, 3] }).pReLU({ sharedAxes: 1.5 });
