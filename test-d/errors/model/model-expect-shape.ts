// Pinning a wrong output shape reads as a sentence about shapes (expectShape says it at run time).
import { expectShape, input, model } from "../../../src/index.js";
import type { ExpectShape } from "../../../src/index.js";

const inputs = input({ shape: [32, 32, 3] });
const m = model({ inputs, outputs: inputs.conv2d({ filters: 10, kernelSize: 3, strides: 2 }) });
export const right: ExpectShape<typeof m, [null, 15, 15, 10]> = expectShape(m, [null, 15, 15, 10]);
export const checked: ExpectShape<typeof m, [null, 10]> = expectShape(m, [null, 10]);
