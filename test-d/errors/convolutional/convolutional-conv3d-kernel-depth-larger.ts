// Two frames are too few for a 3-frame window.
import { input } from "../../../src/index.js";

export const x = input({ shape: [2, 16, 16, 3] }).conv3d({ filters: 4, kernelSize: 3 });
