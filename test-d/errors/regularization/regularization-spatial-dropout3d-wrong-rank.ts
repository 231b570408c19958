// spatialDropout3d needs a batch of volumes; an image batch has rank 4.
import { input } from "../../../src/index.js";

export const x = input({ shape: [8, 8, 4] }).spatialDropout3d({ rate: 0.2 });
