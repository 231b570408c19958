// A model stating its input's length as a multiple of 16 cannot take a sequence of 37 steps.
import { input, model } from "../../../src/index.js";

const i = input({ shape: ["16*H", 3] });
const m = model({ inputs: i, outputs: i.dense({ units: 2 }) });
const outer = input({ shape: [37, 3] });
m.apply(outer);
