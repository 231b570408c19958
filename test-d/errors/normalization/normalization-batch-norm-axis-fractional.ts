import { input } from "../../../src/index.js";

export const x = input({ shape: [8, 4] }).batchNormalization({ axis: 1.5 });
