import { input } from "../../../src/index.js";

export const x = input({ shape: [4, 4, 67108864] }).conv2d({ filters: 67108864, kernelSize: 3, padding: "same" });
