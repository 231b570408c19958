/**
 * The playground's starting points. Each is a whole file as a user would
 * write it: it imports shapewise and exports its model as the default export,
 * which the page summarises, draws and runs.
 */

/** One entry of the examples menu. */
export interface Example {
  id: string;
  title: string;
  code: string;
}

/** Seed Model B, as the README's tour writes it: the page opens on it. */
export const MODEL_B = `import { input, model } from "shapewise";

const inputs = input({ shape: [28, 28, 1] });
const outputs = inputs
  .conv2d({ filters: 32, kernelSize: 3, activation: "relu", padding: "same" })
  .maxPooling2d({ poolSize: 2 })
  .conv2d({ filters: 64, kernelSize: 3, activation: "relu" })
  .maxPooling2d({ poolSize: 2 })
  .conv2d({ filters: 128, kernelSize: 3, activation: "relu" })
  .flatten()
  .dense({ units: 10, activation: "softmax" });

export default model({ inputs, outputs, seed: 42 });
`;

/**
 * The examples menu, in order.
 *
 * @example
 * EXAMPLES.map((e) => e.title); // ["Seed model A (no padding)", ...]
 */
export const EXAMPLES: readonly Example[] = [
  { id: "model-b", title: "Seed model B (same padding)", code: MODEL_B },
  {
    id: "model-a",
    title: "Seed model A (no padding)",
    code: `import { input, model } from "shapewise";

// Without padding every 3x3 convolution takes two pixels off each side.
const inputs = input({ shape: [28, 28, 1] });
const outputs = inputs
  .conv2d({ filters: 32, kernelSize: 3, activation: "relu" })
  .maxPooling2d({ poolSize: 2 })
  .conv2d({ filters: 64, kernelSize: 3, activation: "relu" })
  .maxPooling2d({ poolSize: 2 })
  .conv2d({ filters: 128, kernelSize: 3, activation: "relu" })
  .flatten()
  .dense({ units: 10, activation: "softmax" });

export default model({ inputs, outputs, seed: 1 });
`,
  },
  {
    id: "mnist",
    title: "MNIST convnet (Keras example)",
    code: `import { input, model } from "shapewise";

// keras.io/examples/vision/mnist_convnet
const inputs = input({ shape: [28, 28, 1] });
const outputs = inputs
  .conv2d({ filters: 32, kernelSize: 3, activation: "relu" })
  .maxPooling2d({ poolSize: 2 })
  .conv2d({ filters: 64, kernelSize: 3, activation: "relu" })
  .maxPooling2d({ poolSize: 2 })
  .flatten()
  .dropout({ rate: 0.5 })
  .dense({ units: 10, activation: "softmax" });

export default model({ inputs, outputs, name: "mnist_convnet" });
`,
  },
  {
    id: "residual",
    title: "Residual block",
    code: `import { input, model } from "shapewise";

// The shortcut is added back to the block's output; the type keeps the exact total.
const inputs = input({ shape: [32, 32, 3], name: "img" });
const x = inputs
  .conv2d({ filters: 32, kernelSize: 3, activation: "relu" })
  .conv2d({ filters: 64, kernelSize: 3, activation: "relu" })
  .maxPooling2d({ poolSize: 3 });
const y = x.residual((b) =>
  b
    .conv2d({ filters: 64, kernelSize: 3, activation: "relu", padding: "same" })
    .conv2d({ filters: 64, kernelSize: 3, activation: "relu", padding: "same" }),
);
const outputs = y.globalAveragePooling2d().dense({ units: 10 });

export default model({ inputs, outputs, name: "residual_block" });
`,
  },
  {
    id: "text",
    title: "Text classifier (embedding, LSTM)",
    code: `import { input, model } from "shapewise";

// 100 word ids per text, from a vocabulary of 10,000 words.
const inputs = input({ shape: [100], dtype: "int32" });
const outputs = inputs
  .embedding({ inputDim: 10000, outputDim: 64 })
  .bidirectional((t) => t.lstm({ units: 32 }))
  .dense({ units: 64, activation: "relu" })
  .dense({ units: 1, activation: "sigmoid" });

export default model({ inputs, outputs, name: "text_classifier" });
`,
  },
  {
    id: "mistake",
    title: "A model with one mistake",
    code: `import { input, model } from "shapewise";

// Two valid convolutions leave 3x3 pixels: the third kernel does not fit.
const inputs = input({ shape: [7, 7, 1] });
const outputs = inputs
  .conv2d({ filters: 16, kernelSize: 3, activation: "relu" })
  .conv2d({ filters: 16, kernelSize: 3, activation: "relu" })
  .conv2d({ filters: 32, kernelSize: 5, activation: "relu" })
  .flatten()
  .dense({ units: 10, activation: "softmax" });

export default model({ inputs, outputs });
`,
  },
];
