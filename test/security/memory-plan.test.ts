/**
 * A forward pass whose activations cannot fit the kernels' 4 GiB is refused
 * before any work, naming the layer whose output does not fit and the bytes,
 * on the fast and the reference kernels alike.
 */
import { describe, expect, it } from "vitest";
import { ShapeError, input, model, tensor } from "../../src/index.js";
import type { Model } from "../../src/index.js";
import { setKernelBackend } from "../../src/kernels/backend.js";
import type { KernelBackend } from "../../src/kernels/backend.js";

const predict = (m: Model, x: unknown) => (m as unknown as { predict(x: unknown): unknown }).predict(x);

describe("the memory plan of predict", () => {
  it.each<KernelBackend>(["fast", "reference"])("an activation past 4 GiB is refused up front on the %s kernels", (backend) => {
    setKernelBackend(backend);
    try {
      // 64 values in, 2^27 x 16 out per sample: at batch 1 that is 8 GiB for the second dense.
      const x = input({ shape: [8] });
      const m = model({
        inputs: x,
        outputs: x
          .dense({ units: 16 })
          .reshape({ targetShape: [1, 16] })
          .upSampling1d({ size: 2 ** 27 }),
        seed: 1,
      }) as unknown as Model;
      const started = performance.now();
      let caught: unknown;
      try {
        predict(m, tensor([1, 8]));
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(ShapeError);
      expect((caught as Error).message).toMatch(
        /^shapewise: predict cannot hold the output of layer 'up_sampling1d\w*' \(\[1, 134217728, 16\], 8,589,934,592 bytes\): with the weights and the tensors still to be read it needs 8,589,935,\d{3} bytes, more than the kernels' 4,294,967,296 bytes; predict a smaller batch$/,
      );
      // Refused before any kernel ran: nothing was computed or allocated for it.
      expect(performance.now() - started).toBeLessThan(5_000);
    } finally {
      setKernelBackend((process.env.SHAPEWISE_KERNELS as KernelBackend | undefined) ?? "fast");
    }
  });

  it("the batch counts: a batch that fits runs, the same model at a larger batch is refused naming it", () => {
    // 1 MiB of output per sample.
    const x = input({ shape: [16] });
    const m = model({ inputs: x, outputs: x.dense({ units: 2 ** 18 }).dense({ units: 2 }), seed: 2 }) as unknown as Model;
    expect(() => predict(m, tensor([4, 16]))).not.toThrow();
    expect(() => predict(m, tensor([5000, 16]))).toThrow(
      /^shapewise: predict cannot hold the output of layer 'dense\w*' \(\[5000, 262144\], 5,242,880,000 bytes\)/,
    );
  });
});
