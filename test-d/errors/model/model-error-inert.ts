// A model built from a broken chain is inert: the one mistake is reported once, at the layer.
import { input, model, sequential } from "../../../src/index.js";

const inputs = input({ shape: [3, 3, 1] });
const outputs = inputs.conv2d({ filters: 8, kernelSize: 5 }).flatten().dense({ units: 10 });
const m = model({ inputs, outputs });
m.summary({ flops: true });
const y = m.predict(undefined as never, { threads: 2 });
export const data = y.data;
export const flops = m.countFlops({ batch: 2 });
export const nested = m.apply(input({ shape: [7] })).dense({ units: 2 });
const s = sequential({ inputs, outputs });
s.summary();
