/**
 * NaN and infinities in the values (not the sizes) of `predict`'s input:
 * passed through as Keras and TensorFlow.js pass them, but only where they
 * flow. An example with a NaN gives NaN outputs; the other examples of the
 * same batch give exactly what they give alone, on every kernel path (the
 * batched matrix products, the Winograd tiles, folded batch normalisation,
 * attention and recurrent steps), so one bad example never poisons a batch.
 */
import { describe, expect, it } from "vitest";
import { input, kernelInfo, model } from "../../src/index.js";
import { packCounts } from "../../src/kernels/packed-weights.js";
import type { Model, Tensor } from "../../src/index.js";

const values = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37 + seed));

function predictRows(m: Model, shape: readonly number[], batch: Float32Array[]): Float32Array[] {
  const per = shape.reduce((p, d) => p * d, 1);
  const data = new Float32Array(per * batch.length);
  batch.forEach((row, i) => data.set(row, i * per));
  const out = (m.predict as unknown as (t: Tensor) => Tensor)({ shape: [batch.length, ...shape], data });
  const width = out.data.length / batch.length;
  return batch.map((_, i) => out.data.slice(i * width, (i + 1) * width));
}

const models: { name: string; shape: number[]; build: () => Model }[] = [
  {
    name: "convolutions (3x3 Winograd and im2col), folded batch normalisation, residual, dense",
    // 16 channels: the fast kernels run a 3x3 stride-1 convolution as Winograd from 16 input channels up.
    shape: [10, 10, 16],
    build: () => {
      const x = input({ shape: [10, 10, 16] });
      const a = x.conv2d({ filters: 16, kernelSize: 3, padding: "same" }).batchNormalization().activation({ activation: "relu" });
      const b = a.conv2d({ filters: 8, kernelSize: 5, padding: "same" }).batchNormalization();
      const y = b
        .residual((t) => t.conv2d({ filters: 8, kernelSize: 1 }))
        .flatten()
        .dense({ units: 4 });
      return model({ inputs: x, outputs: y, seed: 7 }) as unknown as Model;
    },
  },
  {
    name: "attention, layer normalisation and an LSTM",
    shape: [6, 8],
    build: () => {
      const x = input({ shape: [6, 8] });
      const y = x.multiHeadAttention({ numHeads: 2, keyDim: 4 }).layerNormalization().lstm({ units: 5 }).dense({ units: 3 });
      return model({ inputs: x, outputs: y, seed: 7 }) as unknown as Model;
    },
  },
];

describe("NaN and infinities in predict's input", () => {
  for (const c of models) {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY]) {
      it(`${c.name}: ${bad} stays in its own example`, () => {
        const m = c.build();
        const per = c.shape.reduce((p, d) => p * d, 1);
        const rows = [values(per, 1), values(per, 2), values(per, 3)];
        const poisoned = Float32Array.from(rows[1]);
        poisoned[Math.floor(per / 2)] = bad;
        const [first, middle, last] = predictRows(m, c.shape, [rows[0], poisoned, rows[2]]);
        expect(middle.some((v) => !Number.isFinite(v))).toBe(true);
        const alone = [predictRows(m, c.shape, [rows[0]])[0], predictRows(m, c.shape, [rows[2]])[0]];
        expect([...first].every(Number.isFinite)).toBe(true);
        expect([...last].every(Number.isFinite)).toBe(true);
        expect(Math.max(...first.map((v, i) => Math.abs(v - alone[0][i])))).toBeLessThan(1e-5);
        expect(Math.max(...last.map((v, i) => Math.abs(v - alone[1][i])))).toBeLessThan(1e-5);
      });
    }
  }
});

describe("the convolution model above", () => {
  it("runs its 3x3 convolution as Winograd on the fast kernels, so the Winograd tiles are the path under test", () => {
    const info = kernelInfo();
    if (info.backend !== "fast" || !info.wasm) return;
    const before = packCounts().winograd;
    predictRows(models[0].build(), models[0].shape, [values(1600, 1)]);
    expect(packCounts().winograd).toBe(before + 1);
  });
});
