// filters must be a positive integer.
import { input } from "../../../src/index.js";

export const x = input({ shape: [100, 8] }).conv1d({ filters: -4, kernelSize: 3 });
