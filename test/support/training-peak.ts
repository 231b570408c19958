/**
 * Measures what one training step holds at its peak, the end of its backward
 * pass: run with `node --expose-gc --import tsx` and
 * SHAPEWISE_KERNELS=reference (every tensor a JavaScript array), it wraps
 * each layer's backward call so that, right after it in a second step (the
 * optimizer's slots made by the first), a collection leaves only what the
 * step still holds, and prints per
 * case the ArrayBuffer bytes above those held before the step (weights,
 * data), less what the kernels' WebAssembly memory grew by (scratch space,
 * a high-water mark the estimate leaves out), next to
 * `memory({ training })`'s estimate of the same. One case per process
 * (its index as the argument), so no other case's garbage is counted.
 */
import { input, model, optimizers, tensor } from "../../src/index.js";
import type { Model, Optimizer } from "../../src/index.js";
import { wasmKernels } from "../../src/kernels/wasm.js";
import { seedModel } from "./seed-models.js";

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error("run with node --expose-gc");

interface Case {
  readonly name: string;
  readonly build: () => Model;
  readonly batch: number;
  readonly optimizer: () => Optimizer;
}

function mlp(): Model {
  const x = input({ shape: [512] });
  const y = x.dense({ units: 1024, activation: "relu" }).dense({ units: 512, activation: "relu" }).dense({ units: 10, activation: "softmax" });
  return model({ inputs: x, outputs: y, seed: 3 }) as unknown as Model;
}

const CASES: Case[] = [
  { name: "seed Model B, Adam, batch 32", build: () => seedModel("same", "model") as unknown as Model, batch: 32, optimizer: () => optimizers.adam() },
  {
    name: "seed Model A, SGD with momentum, batch 64",
    build: () => seedModel("valid", "model") as unknown as Model,
    batch: 64,
    optimizer: () => optimizers.sgd({ momentum: 0.9 }),
  },
  { name: "dense 512-1024-512-10, RMSprop, batch 128", build: mlp, batch: 128, optimizer: () => optimizers.rmsprop() },
];

/** A full collection, then a pause: V8 frees array buffers' memory on a background thread after it. */
function settle(): void {
  const cell = new Int32Array(new SharedArrayBuffer(4));
  for (let i = 0; i < 3; i++) {
    gc!();
    Atomics.wait(cell, 0, 0, 30);
  }
}

const wasmBytes = () => wasmKernels()?.memoryBytes() ?? 0;
const results = [];
const only = process.argv[2] === undefined ? undefined : Number(process.argv[2]);
for (const c of CASES.filter((_, i) => only === undefined || i === only)) {
  const m = c.build();
  m.getWeights();
  const shape = m.inputShape as unknown as (number | null)[];
  const sample = shape.slice(1).reduce<number>((a, d) => a * (d ?? 1), 1);
  const data = new Float32Array(c.batch * sample).map((_, i) => ((i * 7919) % 1000) / 1000);
  const x = tensor([c.batch, ...shape.slice(1)] as never, data);
  const y = tensor(
    [c.batch] as never,
    new Float32Array(c.batch).map((_, i) => i % 10),
  );
  const opt = c.optimizer();
  const compiled = m.compile({ optimizer: opt, loss: "sparseCategoricalCrossentropy" } as never) as unknown as {
    trainOnBatch(x: unknown, y: unknown): unknown;
  };
  // The step holds most at the end of its backward pass: every activation it saved and every gradient made.
  // Measured after each layer's backward call in a second step, when the optimizer's slots already exist.
  let measuring = false;
  let held = 0;
  let scratch = 0;
  for (const layer of m.layers as unknown as { gradients?: (...args: unknown[]) => unknown }[]) {
    if (typeof layer.gradients !== "function") continue;
    const backward = layer.gradients.bind(layer);
    layer.gradients = (...args: unknown[]) => {
      const result = backward(...args);
      if (measuring) {
        settle();
        held = Math.max(held, process.memoryUsage().arrayBuffers);
        scratch = Math.max(scratch, wasmBytes());
      }
      return result;
    };
  }
  compiled.trainOnBatch(x, y);
  settle();
  const before = process.memoryUsage().arrayBuffers;
  const scratchBefore = wasmBytes();
  measuring = true;
  compiled.trainOnBatch(x, y);
  measuring = false;
  const estimate = m.memory({ batch: c.batch, training: { optimizer: opt } }).training!;
  results.push({
    name: c.name,
    measured: held - before - (scratch - scratchBefore),
    scratch: scratch - scratchBefore,
    // The weights, the batch and the optimizer's slots were allocated before the measured step.
    estimated: estimate.totalBytes - m.countParams() * 4 - data.byteLength - estimate.optimizerBytes,
  });
}
console.log(JSON.stringify(results));
