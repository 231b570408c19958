// A residual connection whose branch halved the image: the shortcut no longer fits.
import { add, input } from "../../../src/index.js";

const x = input({ shape: [8, 8, 16] });
export const y = add([x.conv2d({ filters: 16, kernelSize: 3, strides: 2, padding: "same" }), x]).flatten();
