// batchNormalization needs an axis besides the batch one: the receiver carries the fault.
import { input } from "../../../src/index.js";

export const x = input({ shape: [] }).batchNormalization();
