// With padding 'valid' a 7-step window does not fit 5 steps.
import { input } from "../../../src/index.js";

export const x = input({ shape: [5, 8] }).conv1d({ filters: 4, kernelSize: 7 });
