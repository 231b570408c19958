// Axis 1 is unknown and not among the shared axes: the fault is on `sharedAxes`.
import { input } from "../../../src/index.js";

export const x = input({ shape: [null, 5, 4] }).pReLU({ sharedAxes: [2] });
