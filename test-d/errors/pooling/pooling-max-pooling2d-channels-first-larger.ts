import { input, model } from "../../../src/index.js";

// Channels first: [channels, height, width] = [3, 32, 2], so a window of 3 is wider than the image.
const inputs = input({ shape: [3, 32, 2] });
export const m = model({ inputs, outputs: inputs.maxPooling2d({ poolSize: 3, dataFormat: "channelsFirst" }).flatten() });
