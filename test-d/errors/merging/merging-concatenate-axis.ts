// Axis 0 is the batch: tensors are never joined along it.
import { concatenate, input } from "../../../src/index.js";

const a = input({ shape: [4, 8] });
export const y = concatenate([a, input({ shape: [4, 8] })], { axis: 0 });
