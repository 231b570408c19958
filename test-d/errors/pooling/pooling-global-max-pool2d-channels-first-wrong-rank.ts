import { input, model } from "../../../src/index.js";

const inputs = input({ shape: [512, 49] });
export const m = model({ inputs, outputs: inputs.globalMaxPool2d({ dataFormat: "channelsFirst", keepdims: true }).flatten() });
