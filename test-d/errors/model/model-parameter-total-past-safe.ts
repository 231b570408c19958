// Two layers whose counts are each exact take the running total past 2^53 - 1: the second one's `units` carries the sentence model() throws at run time.
import { input, model } from "../../../src/index.js";

const i = input({ shape: [67108864] });
export const m = model({ inputs: i, outputs: i.dense({ units: 67108864 }).dense({ units: 67108864 }) });
