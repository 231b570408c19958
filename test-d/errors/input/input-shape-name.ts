// A size in an input shape is a number, null, or a name with an optional stated factor: not an expression.
import { input } from "../../../src/index.js";

export const x = input({ shape: ["H+1", 3] });
