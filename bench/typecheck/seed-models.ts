/**
 * Type-check benchmark fixture: the two seed models (small MNIST-style
 * convnets), one chained expression each.
 *
 * Model A: 104,202 parameters; Model B (first conv padding "same"): 113,162.
 */
import { input, model } from "../../src/index.js";
import type { OutputShape, ParamCount } from "../../src/index.js";

const inputsA = input({ shape: [28, 28, 1] });
const outputsA = inputsA
  .conv2d({ filters: 32, kernelSize: 3, activation: "relu" })
  .maxPooling2d({ poolSize: 2 })
  .conv2d({ filters: 64, kernelSize: 3, activation: "relu" })
  .maxPooling2d({ poolSize: 2 })
  .conv2d({ filters: 128, kernelSize: 3, activation: "relu" })
  .flatten()
  .dense({ units: 10, activation: "softmax" });
export const modelA = model({ inputs: inputsA, outputs: outputsA });

const inputsB = input({ shape: [28, 28, 1] });
const outputsB = inputsB
  .conv2d({ filters: 32, kernelSize: 3, padding: "same", activation: "relu" })
  .maxPooling2d({ poolSize: 2 })
  .conv2d({ filters: 64, kernelSize: 3, activation: "relu" })
  .maxPooling2d({ poolSize: 2 })
  .conv2d({ filters: 128, kernelSize: 3, activation: "relu" })
  .flatten()
  .dense({ units: 10, activation: "softmax" });
export const modelB = model({ inputs: inputsB, outputs: outputsB });

type Equal<X, Y> = (<T>() => T extends X ? 1 : 2) extends <T>() => T extends Y ? 1 : 2 ? true : false;
type Expect<T extends true> = T;
export type Checks = [
  Expect<Equal<OutputShape<typeof modelA>, [null, 10]>>,
  Expect<Equal<ParamCount<typeof modelA>, 104202>>,
  Expect<Equal<OutputShape<typeof modelB>, [null, 10]>>,
  Expect<Equal<ParamCount<typeof modelB>, 113162>>,
];
