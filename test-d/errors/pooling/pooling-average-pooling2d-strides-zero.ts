import { input } from "../../../src/index.js";

export const x = input({ shape: [28, 28, 1] }).averagePooling2d({ poolSize: 2, strides: 0 });
