// A U-Net on images of any side: pooling floors an odd side, so the upsampled tensor misses a row at the first skip connection.
import { concatenate, input } from "../../../src/index.js";

const x = input({ shape: ["H", "W", 3] });
const c1 = x.conv2d({ filters: 8, kernelSize: 3, padding: "same" });
const up = c1.maxPooling2d({ poolSize: 2 }).conv2d({ filters: 16, kernelSize: 3, padding: "same" }).upSampling2d({ size: 2 });
export const y = concatenate([c1, up]).conv2d({ filters: 8, kernelSize: 3, padding: "same" });
