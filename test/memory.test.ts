/**
 * `m.memory()` against what the fast kernels really hold: every allocation
 * and release of the WebAssembly memory's allocator is watched during a
 * `predict` (after a first one has packed the weights and grown the scratch
 * blocks), and the peak of the bytes held must be within 10 % of the
 * estimate, batch by batch.
 */
import { describe, expect, it } from "vitest";

import { clearSession, getKernelBackend, input, model, tensor } from "../src/index.js";
import type { Model } from "../src/index.js";
import { wasmKernels } from "../src/kernels/wasm.js";
import { toyResnet } from "../examples/toy-resnet.js";
import { seedModel } from "./support/seed-models.js";

/** The peak of WebAssembly bytes held (allocated and not yet freed) while `run` runs. */
function measuredPeak(run: () => void): number {
  const k = wasmKernels()!;
  const alloc = k.alloc.bind(k);
  const free = k.free.bind(k);
  const sizes = new Map<number, number>();
  let held = 0;
  let peak = 0;
  k.alloc = (bytes: number) => {
    const ptr = alloc(bytes);
    sizes.set(ptr, bytes);
    held += bytes;
    peak = Math.max(peak, held);
    return ptr;
  };
  k.free = (ptr: number) => {
    held -= sizes.get(ptr) ?? 0;
    sizes.delete(ptr);
    free(ptr);
  };
  try {
    run();
  } finally {
    delete (k as { alloc?: unknown }).alloc;
    delete (k as { free?: unknown }).free;
  }
  return peak;
}

function batchOf(m: Pick<Model, "inputShape">, n: number) {
  const shape = [n, ...(m.inputShape as readonly number[]).slice(1)];
  const data = new Float32Array(shape.reduce((p, d) => p * d, 1)).map((_, i) => Math.sin(i));
  return tensor(shape, data);
}

const fast = getKernelBackend() === "fast" && wasmKernels() !== null;

describe.runIf(fast)("the activation estimate against the fast kernels' measured peak", () => {
  const models: [string, () => Pick<Model, "inputShape" | "predict" | "memory">][] = [
    ["seed model A", () => seedModel("valid", "model")],
    ["seed model B", () => seedModel("same", "model")],
    ["toy ResNet", () => toyResnet()],
    [
      "a chain with a reshape and dropout",
      () => {
        const x = input({ shape: [16, 16, 3] });
        return model({ inputs: x, outputs: x.conv2d({ filters: 8, kernelSize: 3 }).flatten().dropout({ rate: 0.2 }).dense({ units: 32 }).dense({ units: 4 }) });
      },
    ],
  ];
  for (const [name, build] of models) {
    it(`${name}: within 10 % at batch 1 and 8`, () => {
      clearSession();
      const m = build();
      for (const batch of [1, 8]) {
        const x = batchOf(m, batch);
        m.predict(x as never, { threads: 1 });
        const measured = measuredPeak(() => m.predict(x as never, { threads: 1 }));
        const estimate = m.memory({ batch }).activationBytes;
        console.log(`memory ${name} batch ${batch}: estimate ${estimate} B, measured ${measured} B (${((measured / estimate - 1) * 100).toFixed(1)} %)`);
        expect(Math.abs(measured - estimate) / estimate, `${name} batch ${batch}: estimate ${estimate}, measured ${measured}`).toBeLessThanOrEqual(0.1);
      }
    });
  }
});
