/**
 * Type-check benchmark fixture: a 4-level U-Net (22 layer calls, skip
 * connections by concatenate) on 32x32 images: the concrete twin of `unet-named`.
 */
import { concatenate, input } from "../../src/index.js";

const x = input({ shape: [32, 32, 3] });
const c1 = x.conv2d({ filters: 8, kernelSize: 3, padding: "same", activation: "relu" });
const c2 = c1.maxPooling2d({ poolSize: 2 }).conv2d({ filters: 16, kernelSize: 3, padding: "same", activation: "relu" });
const c3 = c2.maxPooling2d({ poolSize: 2 }).conv2d({ filters: 32, kernelSize: 3, padding: "same", activation: "relu" });
const c4 = c3.maxPooling2d({ poolSize: 2 }).conv2d({ filters: 64, kernelSize: 3, padding: "same", activation: "relu" });
const bottom = c4.maxPooling2d({ poolSize: 2 }).conv2d({ filters: 128, kernelSize: 3, padding: "same", activation: "relu" });
const u4 = concatenate([c4, bottom.conv2dTranspose({ filters: 64, kernelSize: 2, strides: 2, padding: "same" })]).conv2d({
  filters: 64,
  kernelSize: 3,
  padding: "same",
});
const u3 = concatenate([c3, u4.upSampling2d({ size: 2 })]).conv2d({ filters: 32, kernelSize: 3, padding: "same" });
const u2 = concatenate([c2, u3.upSampling2d({ size: 2 })]).conv2d({ filters: 16, kernelSize: 3, padding: "same" });
export const out = concatenate([c1, u2.upSampling2d({ size: 2 })]).conv2d({ filters: 1, kernelSize: 1, activation: "sigmoid" });
