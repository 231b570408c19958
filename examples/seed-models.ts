import { input, model } from "../src/index.js";
import type { OutputShape, ParamCount } from "../src/index.js";

const inputsA = input({ shape: [28, 28, 1] });
const outputsA = inputsA
  .conv2d({ filters: 32, kernelSize: 3, activation: "relu" })
  .maxPooling2d({ poolSize: 2 })
  .conv2d({ filters: 64, kernelSize: 3, activation: "relu" })
  .maxPooling2d({ poolSize: 2 })
  .conv2d({ filters: 128, kernelSize: 3, activation: "relu" })
  .flatten()
  .dense({ units: 10, activation: "softmax" });
const modelA = model({ inputs: inputsA, outputs: outputsA });
type SA = OutputShape<typeof modelA>;
type PA = ParamCount<typeof modelA>;
const check: [SA, PA] = [[null, 10], 104202];
console.log(check);
modelA.summary();
