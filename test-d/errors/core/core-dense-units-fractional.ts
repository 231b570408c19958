import { input } from "../../../src/index.js";

export const x = input({ shape: [784] }).dense({ units: 64.5, activation: "relu" });
