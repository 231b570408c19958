import { input } from "../../../src/index.js";

export const x = input({ shape: [10] }).batchNormalization({ momentum: 1.5 });
