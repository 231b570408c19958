import { input, model } from "../../../src/index.js";

const inputs = input({ shape: [3, 32] });
export const m = model({ inputs, outputs: inputs.averagePooling2d({ dataFormat: "channelsFirst" }).flatten() });
