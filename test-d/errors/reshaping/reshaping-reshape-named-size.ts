// A sequence of T steps of 8 values in rows of 16: the algebra proves it fits only when T is even.
import { input } from "../../../src/index.js";

export const y = input({ shape: ["T", 8] }).reshape({ targetShape: [-1, 16] });
