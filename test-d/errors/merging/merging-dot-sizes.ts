// A dot product needs equal sizes on the summed axes.
import { dot, input } from "../../../src/index.js";

export const y = dot([input({ shape: [4] }), input({ shape: [5] })], { axes: 1 });
