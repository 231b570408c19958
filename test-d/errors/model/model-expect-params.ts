// Pinning a wrong parameter total reads as a sentence about parameters (expectParams says it at run time).
import { expectParams, input, model } from "../../../src/index.js";
import type { ExpectParams } from "../../../src/index.js";

const inputs = input({ shape: [784] });
const m = model({ inputs, outputs: inputs.dense({ units: 10 }) });
export const right: ExpectParams<typeof m, 7850> = expectParams(m, 7850);
export const checked: ExpectParams<typeof m, 7840> = expectParams(m, 7840);
