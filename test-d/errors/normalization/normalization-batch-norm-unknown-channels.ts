// No axis written: the default axis -1 has no known size, so the receiver carries the fault.
import { input } from "../../../src/index.js";

export const x = input({ shape: [28, 28, null] })
  .batchNormalization()
  .flatten();
