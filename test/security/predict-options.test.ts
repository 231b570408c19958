/**
 * `predict` and `predictAsync` options from untyped callers: a thread count
 * is capped at the cores (never one worker per requested thread), and
 * anything but the documented keys and values is a sentence naming it.
 */
import { availableParallelism } from "node:os";
import { afterAll, describe, expect, it, vi } from "vitest";
import { input, model, tensor } from "../../src/index.js";
import type { Model } from "../../src/index.js";
import { kernelInfo, resolveThreads } from "../../src/kernels/backend.js";
import { terminateThreads } from "../../src/kernels/threads.js";

/** Workers started by the kernels; more than a machine could have cores is refused outright. */
const started = vi.hoisted(() => ({ count: 0 }));
vi.mock("node:worker_threads", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:worker_threads")>();
  class CountedWorker extends real.Worker {
    constructor(...args: ConstructorParameters<typeof real.Worker>) {
      started.count += 1;
      if (started.count > 64) throw new Error(`worker ${started.count} started`);
      super(...args);
    }
  }
  return { ...real, Worker: CountedWorker };
});

afterAll(() => terminateThreads());

function small(): Model {
  const x = input({ shape: [12, 12, 3] });
  return model({ inputs: x, outputs: x.conv2d({ filters: 32, kernelSize: 3 }).flatten().dense({ units: 4 }), seed: 1 }) as unknown as Model;
}
const batch = (n: number) =>
  tensor(
    [n, 12, 12, 3],
    Array.from({ length: n * 432 }, (_, i) => Math.sin(i)),
  );
const untyped = (m: Model) =>
  m as unknown as { predict(x: unknown, o?: unknown): { data: Float32Array }; predictAsync(x: unknown, o?: unknown): Promise<{ data: Float32Array }> };

describe("predict options", () => {
  it("threads: 1000 runs on at most the available cores, with the same result as one thread", () => {
    const m = small();
    const x = batch(64);
    const one = untyped(m).predict(x, { threads: 1 });
    const many = untyped(m).predict(x, { threads: 1000 });
    expect(many.data).toEqual(one.data);
    expect(started.count).toBeLessThanOrEqual(availableParallelism() - 1);
    expect(resolveThreads(1000, 1)).toBe(availableParallelism());
    expect(kernelInfo().maxThreads).toBe(availableParallelism());
  });

  it("a string count, a fraction, zero and unknown keys are refused by name", () => {
    const m = untyped(small());
    const x = batch(1);
    expect(() => m.predict(x, { threads: "2" })).toThrow(`shapewise: predict threads must be a positive integer or "auto", got '2'`);
    expect(() => m.predict(x, { threads: 1.5 })).toThrow(/got 1\.5$/);
    expect(() => m.predict(x, { threads: 0 })).toThrow(/got 0$/);
    expect(() => m.predict(x, { thread: 2 })).toThrow("shapewise: predict has no option 'thread' (options: threads, profile)");
    expect(() => m.predict(x, { backend: "onnxruntime" })).toThrow(/predict has no option 'backend'/);
  });

  it("a null or non-object options value is refused; undefined is the default", () => {
    const m = untyped(small());
    const x = batch(1);
    expect(() => m.predict(x, null)).toThrow("shapewise: predict expects a config object, got null");
    expect(() => m.predict(x, 2)).toThrow("shapewise: predict expects a config object, got 2");
    expect(m.predict(x, undefined).data).toEqual(m.predict(x).data);
  });

  it("predictAsync checks the same options, and its backend, on either backend", async () => {
    const m = untyped(small());
    const x = batch(1);
    await expect(m.predictAsync(x, null)).rejects.toThrow("shapewise: predictAsync expects a config object, got null");
    await expect(m.predictAsync(x, { threads: "2" })).rejects.toThrow(`shapewise: predictAsync threads must be a positive integer or "auto", got '2'`);
    await expect(m.predictAsync(x, { backend: "onnxruntime", threads: "2" })).rejects.toThrow(/predictAsync threads .* got '2'/);
    await expect(m.predictAsync(x, { bakend: "onnxruntime" })).rejects.toThrow(
      "shapewise: predictAsync has no option 'bakend' (options: threads, profile, backend)",
    );
    expect((await m.predictAsync(x, { threads: 1000 })).data).toEqual(m.predict(x).data);
  });
});
