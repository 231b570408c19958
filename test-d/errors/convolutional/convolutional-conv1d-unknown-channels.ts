// The kernel of conv1d is sized by the channel count, which must be known.
import { input } from "../../../src/index.js";

export const x = input({ shape: [100, null] }).conv1d({ filters: 8, kernelSize: 3 });
