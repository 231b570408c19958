/**
 * `predict(x, { profile: true })`: per layer, which kernels ran and how long,
 * read back with `kernelInfo().profile`, so that a layer falling back to the
 * reference kernels is never silent. Runs in both vitest projects: on the
 * fast kernels the convolution is WebAssembly and a layer without a
 * WebAssembly kernel names its fallback; on the reference kernels every
 * computing layer says the reference kernels were chosen.
 */
import { describe, expect, it } from "vitest";
import { ShapeError, input, model, tensor } from "../src/index.js";
import { getKernelBackend, kernelInfo } from "../src/kernels/backend.js";
import type { LayerProfile } from "../src/kernels/profile.js";
import { createRandom } from "../src/kernels/random.js";
import { randomTensor } from "./support/layer-harness.js";

/** What a plain JavaScript caller holds. */
type Untyped = any;

function build() {
  const x = input({ shape: [6, 6, 3] });
  const c = x.conv2d({ filters: 8, kernelSize: 3, activation: "relu", name: "conv" });
  const f = c.flatten({ name: "flat" });
  const d = f.dense({ units: 4, activation: "elu", name: "head" });
  const b = d.batchNormalization({ name: "norm" }).activation({ activation: "sigmoid", name: "squash" });
  const r = b.reshape({ targetShape: [4, 1], name: "steps" }).simpleRNN({ units: 2, name: "rnn" });
  return model({ inputs: x, outputs: r });
}

function row(rows: readonly LayerProfile[], layer: string): LayerProfile {
  const found = rows.find((r) => r.layer === layer);
  expect(found, `a profile row for ${layer}`).toBeDefined();
  return found!;
}

describe("predict profile", () => {
  const m = build();
  const x = randomTensor([2, 6, 6, 3], createRandom(7));

  it("reports every layer with its kernel and time", () => {
    const plain = m.predict(tensor([2, 6, 6, 3], x.data));
    const profiled = m.predict(tensor([2, 6, 6, 3], x.data), { profile: true });
    expect(Array.from(profiled.data)).toEqual(Array.from(plain.data));
    const rows = kernelInfo().profile!;
    expect(rows.map((r) => r.layer)).toEqual(["conv", "flat", "head", "norm", "squash", "steps", "rnn"]);
    for (const r of rows) expect(r.ms).toBeGreaterThanOrEqual(0);
    expect(row(rows, "rnn").className).toBe("SimpleRNN");
    expect(row(rows, "flat").kernel).toBe("view");
    if (getKernelBackend() === "reference") {
      for (const name of ["conv", "head", "norm", "squash", "rnn"]) {
        expect(row(rows, name).kernel).toBe("reference");
        expect(row(rows, name).reason).toMatch(/reference kernels are chosen/);
      }
    } else {
      expect(kernelInfo().wasm).toBe(true);
      // The elu after the matrix product too, on the elementwise kernels.
      for (const name of ["conv", "head", "norm", "squash", "rnn"]) {
        expect(row(rows, name)).toMatchObject({ kernel: "wasm" });
        expect(row(rows, name).reason).toBeUndefined();
      }
    }
  });

  it("names the form a layer falls back for", () => {
    const x2 = input({ shape: [2, 3, 4] });
    const m2 = model({ inputs: x2, outputs: x2.softmax({ axis: [1, 3], name: "spread" }).softmax({ axis: [1, 2], name: "joined" }) });
    m2.predict(tensor([2, 2, 3, 4], randomTensor([2, 2, 3, 4], createRandom(5)).data), { profile: true });
    const rows = kernelInfo().profile!;
    if (getKernelBackend() === "reference") return;
    expect(row(rows, "spread")).toMatchObject({ kernel: "reference", reason: "softmax over the axes [1, 3], not adjacent, runs on the reference kernels" });
    expect(row(rows, "joined")).toMatchObject({ kernel: "wasm" });
  });

  it("names the layers of a nested model through it", () => {
    const inner = build();
    const x2 = input({ shape: [6, 6, 3] });
    const outer = model({ inputs: x2, outputs: inner.apply(x2) });
    outer.predict(tensor([1, 6, 6, 3], randomTensor([1, 6, 6, 3], createRandom(3)).data), { profile: true });
    const rows = kernelInfo().profile!;
    expect(rows.map((r) => r.layer)).toEqual([
      `${inner.name}/conv`,
      `${inner.name}/flat`,
      `${inner.name}/head`,
      `${inner.name}/norm`,
      `${inner.name}/squash`,
      `${inner.name}/steps`,
      `${inner.name}/rnn`,
    ]);
  });

  it("runs a permutation that only moves axes of length 1 as a view, and says so", () => {
    const x2 = input({ shape: [3, 1, 5] });
    const moved = x2.permute({ dims: [2, 1, 3], name: "unit_first" }).permute({ dims: [1, 3, 2], name: "swap" });
    const m2 = model({ inputs: x2, outputs: [moved, x2.reshape({ targetShape: [15, 1, 1] }).flatten({ dataFormat: "channelsFirst", name: "flat_first" })] });
    const data = randomTensor([2, 3, 1, 5], createRandom(9)).data;
    const [y, flat] = m2.predict(tensor([2, 3, 1, 5], data), { profile: true }) as unknown as { shape: number[]; data: Float32Array }[];
    const rows = kernelInfo().profile!;
    expect(row(rows, "unit_first").kernel).toBe("view");
    expect(row(rows, "swap").kernel).toBe(getKernelBackend() === "reference" ? "reference" : "wasm");
    expect(row(rows, "flat_first").kernel).toBe("view");
    // [2, 1, 3, 5] with its last two axes swapped.
    expect(y.shape).toEqual([2, 1, 5, 3]);
    const expected = new Float32Array(30);
    for (let b = 0; b < 2; b++) for (let i = 0; i < 3; i++) for (let j = 0; j < 5; j++) expected[b * 15 + j * 3 + i] = data[b * 15 + i * 5 + j];
    expect(Array.from(y.data)).toEqual(Array.from(expected));
    // Channels first, [15, 1, 1] is 15 maps of one pixel: flattened as channels last, the same order.
    expect(flat.shape).toEqual([2, 15]);
    expect(Array.from(flat.data)).toEqual(Array.from(data));
    expect(m2.layers.find((l) => l.name === "unit_first")!.passesBuffer()).toBe(true);
    expect(m2.layers.find((l) => l.name === "swap")!.passesBuffer()).toBe(false);
    expect(m2.layers.find((l) => l.name === "flat_first")!.passesBuffer()).toBe(true);
  });

  it("leaves the last profile alone when not asked", () => {
    m.predict(tensor([2, 6, 6, 3], x.data), { profile: true });
    const before = kernelInfo().profile;
    m.predict(tensor([2, 6, 6, 3], x.data));
    expect(kernelInfo().profile).toBe(before);
  });

  it("refuses a profile option that is not a boolean", () => {
    expect(() => m.predict(tensor([2, 6, 6, 3], x.data), { profile: "yes" as Untyped })).toThrow(ShapeError);
    expect(() => m.predict(tensor([2, 6, 6, 3], x.data), { profile: "yes" as Untyped })).toThrow(/predict profile must be true or false, got .*yes/);
  });
});
