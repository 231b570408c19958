// Units are whole numbers.
import { input } from "../../../src/index.js";

export const x = input({ shape: [10, 8] }).lstm({ units: 2.5, returnSequences: true });
