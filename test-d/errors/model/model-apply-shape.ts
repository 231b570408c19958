// A model applied as a layer takes tensors of its own input shape.
import { input, model } from "../../../src/index.js";

const i = input({ shape: [3] });
const inner = model({ inputs: i, outputs: i.dense({ units: 2 }) });
export const y = inner.apply(input({ shape: [4] }));
