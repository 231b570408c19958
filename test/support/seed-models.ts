/**
 * The two seed models of the project (Model A: no padding; Model B:
 * "same" padding on the first convolution), built the way the README shows,
 * for the tests that need them as runtime models.
 */
import { input, model, sequential } from "../../src/index.js";

/**
 * The seed chain's input and output tensors.
 *
 * @example
 * const { inputs, outputs } = seedChain("valid"); // Model A's layers
 */
export function seedChain(padding: "valid" | "same") {
  const inputs = input({ shape: [28, 28, 1] });
  const outputs = inputs
    .conv2d({ filters: 32, kernelSize: 3, activation: "relu", padding })
    .maxPooling2d({ poolSize: 2 })
    .conv2d({ filters: 64, kernelSize: 3, activation: "relu" })
    .maxPooling2d({ poolSize: 2 })
    .conv2d({ filters: 128, kernelSize: 3, activation: "relu" })
    .flatten()
    .dense({ units: 10, activation: "softmax" });
  return { inputs, outputs };
}

/**
 * A seed model as a functional or sequential model.
 *
 * @example
 * seedModel("same", "model").countParams(); // 113162 (Model B)
 */
export function seedModel(padding: "valid" | "same", kind: "model" | "sequential") {
  const { inputs, outputs } = seedChain(padding);
  return kind === "model" ? model({ inputs, outputs }) : sequential({ inputs, outputs });
}
