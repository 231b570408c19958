// No sharedAxes written: the receiver carries the fault.
import { input } from "../../../src/index.js";

export const x = input({ shape: [null, 4] }).pReLU();
