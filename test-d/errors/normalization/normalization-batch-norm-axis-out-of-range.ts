import { input } from "../../../src/index.js";

export const x = input({ shape: [28, 28, 4] }).batchNormalization({ axis: 4 });
