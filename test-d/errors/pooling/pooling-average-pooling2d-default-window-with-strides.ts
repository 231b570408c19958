import { input } from "../../../src/index.js";

export const x = input({ shape: [1, 5, 3] }).averagePooling2d({ strides: 3 });
