/**
 * The two seed models: the same network without and with padding on its
 * first convolution. Without padding every 3x3 convolution eats two pixels
 * ("runs out of pixels"); `padding: "same"` keeps height and width.
 *
 * Run: npm start
 */
import { input, model, tensor } from "../src/node/index.js";
import { toyResnet } from "./toy-resnet.js";
import type { OutputShape, ParamCount } from "../src/node/index.js";

/** Seed Model A: 28x28 -> 26 -> 13 -> 11 -> 5 -> 3, then 1152 features. */
export function buildModelA() {
  const inputs = input({ shape: [28, 28, 1] });
  const outputs = inputs
    .conv2d({ filters: 32, kernelSize: 3, activation: "relu" }) // SymbolicTensor<[null, 26, 26, 32], 320>
    .maxPooling2d({ poolSize: 2 }) // SymbolicTensor<[null, 13, 13, 32], 320>
    .conv2d({ filters: 64, kernelSize: 3, activation: "relu" }) // SymbolicTensor<[null, 11, 11, 64], 18816>
    .maxPooling2d({ poolSize: 2 }) // SymbolicTensor<[null, 5, 5, 64], 18816>
    .conv2d({ filters: 128, kernelSize: 3, activation: "relu" }) // SymbolicTensor<[null, 3, 3, 128], 92672>
    .flatten() // SymbolicTensor<[null, 1152], 92672>
    .dense({ units: 10, activation: "softmax" }); // SymbolicTensor<[null, 10], 104202>
  return model({ inputs, outputs }); // Model<[null, 28, 28, 1], [null, 10], 104202>
}

/** Seed Model B: "same" padding keeps 28x28 through the first convolution: 2048 features. */
export function buildModelB() {
  const inputs = input({ shape: [28, 28, 1] });
  const outputs = inputs
    .conv2d({ filters: 32, kernelSize: 3, activation: "relu", padding: "same" }) // SymbolicTensor<[null, 28, 28, 32], 320>
    .maxPooling2d({ poolSize: 2 }) // SymbolicTensor<[null, 14, 14, 32], 320>
    .conv2d({ filters: 64, kernelSize: 3, activation: "relu" }) // SymbolicTensor<[null, 12, 12, 64], 18816>
    .maxPooling2d({ poolSize: 2 }) // SymbolicTensor<[null, 6, 6, 64], 18816>
    .conv2d({ filters: 128, kernelSize: 3, activation: "relu" }) // SymbolicTensor<[null, 4, 4, 128], 92672>
    .flatten() // SymbolicTensor<[null, 2048], 92672>
    .dense({ units: 10, activation: "softmax" }); // SymbolicTensor<[null, 10], 113162>
  return model({ inputs, outputs, seed: 42 }); // Model<[null, 28, 28, 1], [null, 10], 113162>
}

/** A small batch of 28x28 images: a bright square, a cross, a ring and a gradient. */
function demoBatch() {
  const images = 4;
  const data = new Float32Array(images * 28 * 28);
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      const at = (n: number) => n * 784 + y * 28 + x;
      data[at(0)] = x > 8 && x < 20 && y > 8 && y < 20 ? 1 : 0;
      data[at(1)] = Math.abs(x - 14) < 2 || Math.abs(y - 14) < 2 ? 1 : 0;
      data[at(2)] = Math.abs(Math.hypot(x - 13.5, y - 13.5) - 9) < 1.5 ? 1 : 0;
      data[at(3)] = (x + y) / 54;
    }
  }
  return tensor([images, 28, 28, 1], data);
}

const modelA = buildModelA();
const modelB = buildModelB();

// The type checker knows both results before anything runs.
const shapeB: OutputShape<typeof modelB> = [null, 10];
const paramsA: ParamCount<typeof modelA> = 104202;
const paramsB: ParamCount<typeof modelB> = 113162;

modelA.summary();
console.log();
modelB.summary();
console.log();
console.log(
  `Model A: ${paramsA.toLocaleString("en-US")} parameters; Model B: ${paramsB.toLocaleString("en-US")} parameters, output ${JSON.stringify(shapeB)}.`,
);

const batch = demoBatch();
const probabilities = modelB.predict(batch); // Tensor<[4, 10]>
const names = ["square", "cross", "ring", "gradient"];
console.log(`\nClass probabilities from ${modelB.name} (untrained, seed 42) for a batch of ${batch.shape[0]}:`);
for (let i = 0; i < probabilities.shape[0]; i++) {
  const row = Array.from(probabilities.data.subarray(i * 10, i * 10 + 10));
  const best = row.indexOf(Math.max(...row));
  const sum = row.reduce((s, p) => s + p, 0);
  console.log(`  ${names[i].padEnd(8)} [${row.map((p) => p.toFixed(4)).join(", ")}]  argmax ${best}, sum ${sum.toFixed(4)}`);
}

// A graph: the Keras guide's toy ResNet, two residual blocks added to their input.
const resnet = toyResnet();
console.log(`\nA graph with residual connections (examples/toy-resnet.ts), ${resnet.countParams().toLocaleString("en-US")} parameters:`);
resnet.summary({ style: "keras3", lineLength: 108 });
