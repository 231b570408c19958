import { input } from "../../../src/index.js";

export const x = input({ shape: [] }).layerNormalization();
