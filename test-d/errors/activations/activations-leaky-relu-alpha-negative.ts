import { input } from "../../../src/index.js";

export const x = input({ shape: [10] }).leakyReLU({ alpha: -0.1 });
