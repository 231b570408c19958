// DepthwiseConv1D takes 'valid' or 'same' only, as Keras standardises its padding without 'causal'.
import { input } from "../../../src/index.js";

export const x = input({ shape: [50, 8] }).depthwiseConv1d({ kernelSize: 3, padding: "causal" });
