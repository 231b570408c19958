// Axis 0 is the batch axis, whose size is unknown.
import { input } from "../../../src/index.js";

export const x = input({ shape: [28, 28, 4] }).batchNormalization({ axis: -4 });
