// subtract takes exactly two tensors.
import { input, subtract } from "../../../src/index.js";

const a = input({ shape: [4] });
export const y = subtract([a, a, a]);
