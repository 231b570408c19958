/**
 * A batch whose largest layer output passes 8 MiB a slice runs on the
 * WebAssembly kernels in slices of samples: the outputs are those of each
 * sample run alone and of the reference kernels, and a profile keeps one
 * row per layer with the slices' times summed.
 */
import { afterEach, describe, expect, it } from "vitest";
import { input, kernelInfo, model } from "../src/index.js";
import { getKernelBackend, setKernelBackend } from "../src/kernels/backend.js";
import type { KernelBackend } from "../src/kernels/backend.js";
import { createRandom } from "../src/kernels/random.js";
import { randomTensor } from "./support/layer-harness.js";

/** The functional API's tensors and models, as a plain JavaScript caller holds them. */
type Untyped = any;

const initial: KernelBackend = getKernelBackend();
afterEach(() => setKernelBackend(initial));

describe("a large batch in slices", () => {
  it("gives each sample's own output, the reference kernels' within float32 rounding, and one profile row per layer", () => {
    // 512 x 512 x 8 floats is 8 MiB a sample: a batch of 3 runs one sample at a time.
    const x: Untyped = input({ shape: [512, 512, 3] });
    const y = x.conv2d({ filters: 8, kernelSize: 3, padding: "same", activation: "relu" }).globalAveragePooling2d();
    const m: Untyped = model({ inputs: x, outputs: y, seed: 7 });
    const batch = randomTensor([3, 512, 512, 3], createRandom(11), 0, 1);
    setKernelBackend("fast");
    const whole = m.predict(batch, { threads: 1, profile: true });
    const rows = kernelInfo().profile ?? [];
    expect(rows.map((r: Untyped) => r.className)).toEqual(["Conv2D", "GlobalAveragePooling2D"]);
    const per = 512 * 512 * 3;
    for (let s = 0; s < 3; s++) {
      const alone = m.predict({ shape: [1, 512, 512, 3], data: batch.data.slice(s * per, (s + 1) * per) }, { threads: 1 });
      expect(Array.from(whole.data.slice(s * 8, (s + 1) * 8))).toEqual(Array.from(alone.data));
    }
    setKernelBackend("reference");
    const reference = m.predict(batch);
    for (let i = 0; i < whole.data.length; i++) expect(Math.abs(whole.data[i] - reference.data[i])).toBeLessThanOrEqual(1e-5);
  });
});
