// 'same' with outputPadding gives (L - 1) * s + span % 2 + op: 0 rows for one input row and an even kernel.
import { input } from "../../../src/index.js";

export const x = input({ shape: [1, 8, 4] }).conv2dTranspose({ filters: 16, kernelSize: 2, strides: 2, padding: "same", outputPadding: 0 });
