// A 4-level U-Net on images of any side: the deepest skip connection is the first the algebra proves wrong
// (three poolings give floor(H/8), a fourth and a transposed convolution back give 2*floor(H/16)).
import { concatenate, input } from "../../../src/index.js";

const x = input({ shape: ["H", "W", 3] });
const c1 = x.conv2d({ filters: 8, kernelSize: 3, padding: "same", activation: "relu" });
const c2 = c1.maxPooling2d({ poolSize: 2 }).conv2d({ filters: 16, kernelSize: 3, padding: "same", activation: "relu" });
const c3 = c2.maxPooling2d({ poolSize: 2 }).conv2d({ filters: 32, kernelSize: 3, padding: "same", activation: "relu" });
const c4 = c3.maxPooling2d({ poolSize: 2 }).conv2d({ filters: 64, kernelSize: 3, padding: "same", activation: "relu" });
const bottom = c4.maxPooling2d({ poolSize: 2 }).conv2d({ filters: 128, kernelSize: 3, padding: "same", activation: "relu" });
export const u4 = concatenate([c4, bottom.conv2dTranspose({ filters: 64, kernelSize: 2, strides: 2, padding: "same" })]);
