// The written axis has no known size: the fault is on `axis`.
import { input } from "../../../src/index.js";

export const x = input({ shape: [null, 28, 3] }).batchNormalization({ axis: 1 });
