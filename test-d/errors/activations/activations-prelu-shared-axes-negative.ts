// Keras 3 indexes alpha's shape with `axis - 1`, so shared axes count from 1.
import { input } from "../../../src/index.js";

export const x = input({ shape: [10, 10, 3] }).prelu({ sharedAxes: -1 });
