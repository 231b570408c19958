import { input, regularizers } from "../../../src/index.js";

export const x = input({ shape: [784] }).dense({ units: 10, kernelRegularizer: regularizers.l2(-0.1) });
