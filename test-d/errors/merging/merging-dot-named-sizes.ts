// Contracting a sequence of length S with one of length T: the algebra proves they differ when S is not T.
import { dot, input } from "../../../src/index.js";

const a = input({ shape: ["S", 8] });
const b = input({ shape: ["T", 8] });
export const y = dot([a, b], { axes: 1 });
