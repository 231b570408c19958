/**
 * The sequence kernels on WebAssembly (multi-head attention with its fused
 * softmax, layer normalisation on the last axis, LSTM and GRU cells with the
 * input projection of every step as one product, embedding lookups) against
 * the reference kernels they stand for, on generated geometries: head and
 * key sizes that are not multiples of the SIMD width, cross-attention with
 * other step counts, batches of one, steps read backwards, with and without
 * biases. Layer normalisation and the lookup give the reference bits; the
 * products sum in float32, within 1e-5. A profiled predict names the wasm
 * kernels, and a GRU predicts again correctly after its bias is written in
 * place (its two biases are packed from slices of one array). A recurrent
 * layer fed by an embedding reads its projections from the table projected
 * once, with the bits of projecting the lookup, each token projected once
 * until a weight is written, and a lookup changed since is projected as it
 * is. Zero padding
 * (up to rank 5, any axes) and global pooling give the reference bits too.
 *
 * In the `reference` vitest project the comparisons still run: the backend
 * is switched per call.
 */
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { input, kernelInfo, model } from "../src/index.js";
import { multiHeadAttention } from "../src/kernels/attention-mha.js";
import type { AttentionWeights } from "../src/kernels/attention-mha.js";
import { getKernelBackend, setKernelBackend } from "../src/kernels/backend.js";
import { globalPoolLayer } from "../src/kernels/fast-conv.js";
import { padLayer } from "../src/kernels/fast-elementwise.js";
import { attentionLayer, embeddingLayer, layerNormLayer, recurrentLayer } from "../src/kernels/fast-sequence.js";
import { weightsWritten } from "../src/kernels/packed-weights.js";
import type { KernelBackend } from "../src/kernels/backend.js";
import { embeddingLookup } from "../src/kernels/embedding.js";
import { layerNorm } from "../src/kernels/norm-layer.js";
import { globalPool } from "../src/kernels/pool-global.js";
import { createRandom } from "../src/kernels/random.js";
import { padZeros } from "../src/kernels/reshape-ops.js";
import { profileCall } from "../src/kernels/profile.js";
import type { LayerProfile } from "../src/kernels/profile.js";
import { recurrentPass } from "../src/kernels/rnn-cells.js";
import { projectedTableRows } from "../src/kernels/rnn-fold.js";
import type { CellKind } from "../src/kernels/rnn-cells.js";
import type { Tensor } from "../src/kernels/tensor.js";

const TOL = 1e-5;
const initial: KernelBackend = getKernelBackend();
afterEach(() => setKernelBackend(initial));

function onFast<T>(f: () => T): T {
  setKernelBackend("fast");
  try {
    return f();
  } finally {
    setKernelBackend(initial);
  }
}

function randomTensor(shape: number[], seed: number, scale = 1): Tensor {
  const r = createRandom(seed);
  const n = shape.reduce((p, d) => p * d, 1);
  return { shape, data: Float32Array.from({ length: n }, () => scale * (2 * r.next() - 1)) };
}

function maxScaledDiff(a: ArrayLike<number>, e: ArrayLike<number>): number {
  expect(a.length).toBe(e.length);
  let worst = 0;
  for (let i = 0; i < e.length; i++) {
    if (a[i] === e[i]) continue;
    const d = Math.abs(a[i] - e[i]) / Math.max(1, Math.abs(e[i]));
    worst = Math.max(worst, Number.isNaN(d) ? Infinity : d);
  }
  return worst;
}

function expectSameBits(actual: Float32Array, expected: Float32Array): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (Object.is(actual[i], expected[i]) || (Number.isNaN(actual[i]) && Number.isNaN(expected[i]))) continue;
    expect.fail(`element ${i}: ${actual[i]} instead of ${expected[i]}`);
  }
}

/**
 * Draws attention weights for `query` and `value` (biases where `biases` says: query, key, value, output) and holds
 * the fast kernel's output to the reference kernel's.
 */
function expectAttentionAgrees(
  query: Tensor,
  value: Tensor,
  g: { heads: number; kd: number; vd: number; dOut: number; seed: number },
  biases: readonly [boolean, boolean, boolean, boolean],
): void {
  const [dq, dv] = [query.shape[2], value.shape[2]];
  const kernel = (shape: number[], s: number) => randomTensor(shape, g.seed + s, 0.5);
  const weights: AttentionWeights = {
    queryKernel: kernel([dq, g.heads, g.kd], 2),
    queryBias: biases[0] ? kernel([g.heads, g.kd], 3) : null,
    keyKernel: kernel([dv, g.heads, g.kd], 4),
    keyBias: biases[1] ? kernel([g.heads, g.kd], 5) : null,
    valueKernel: kernel([dv, g.heads, g.vd], 6),
    valueBias: biases[2] ? kernel([g.heads, g.vd], 7) : null,
    outputKernel: kernel([g.heads, g.vd, g.dOut], 8),
    outputBias: biases[3] ? kernel([g.dOut], 9) : null,
  };
  const options = { numHeads: g.heads, keyDim: g.kd, valueDim: g.vd };
  const fast = onFast(() => attentionLayer(query, value, value, weights, options));
  const reference = multiHeadAttention(query, value, value, weights, options);
  expect(fast.shape).toEqual(reference.shape);
  expect(maxScaledDiff(fast.data, reference.data)).toBeLessThanOrEqual(TOL);
}

describe("sequence kernels on WebAssembly", () => {
  it("multi-head attention matches the reference kernel on generated geometries", () => {
    fc.assert(
      fc.property(
        fc.record({
          batch: fc.integer({ min: 1, max: 3 }),
          tq: fc.integer({ min: 1, max: 9 }),
          tv: fc.integer({ min: 1, max: 11 }),
          dq: fc.integer({ min: 1, max: 13 }),
          dv: fc.integer({ min: 1, max: 9 }),
          heads: fc.integer({ min: 1, max: 4 }),
          kd: fc.integer({ min: 1, max: 10 }),
          vd: fc.integer({ min: 1, max: 10 }),
          dOut: fc.integer({ min: 1, max: 12 }),
          bias: fc.boolean(),
          self: fc.boolean(),
          seed: fc.integer({ min: 1, max: 1e6 }),
        }),
        (g) => {
          const query = randomTensor([g.batch, g.tq, g.dq], g.seed, 2);
          const value = g.self ? query : randomTensor([g.batch, g.tv, g.dv], g.seed + 1, 2);
          expectAttentionAgrees(query, value, g, [g.bias, g.bias, g.bias, g.bias]);
        },
      ),
      { seed: 1313, numRuns: 120 },
    );
  });

  it("multi-head attention matches the reference kernel on long sequences: query blocks past 128 steps, keys past 512", () => {
    fc.assert(
      fc.property(
        fc.record({
          tq: fc.oneof(fc.integer({ min: 1, max: 70 }), fc.integer({ min: 125, max: 140 })),
          tv: fc.oneof(fc.integer({ min: 1, max: 70 }), fc.integer({ min: 509, max: 530 })),
          heads: fc.integer({ min: 1, max: 3 }),
          kd: fc.integer({ min: 1, max: 40 }),
          vd: fc.integer({ min: 1, max: 20 }),
          seed: fc.integer({ min: 1, max: 1e6 }),
        }),
        (g) => {
          const query = randomTensor([1, g.tq, 6], g.seed, 2);
          const value = randomTensor([1, g.tv, 6], g.seed + 1, 2);
          expectAttentionAgrees(query, value, { ...g, dOut: 5 }, [true, false, true, false]);
        },
      ),
      { seed: 1314, numRuns: 40 },
    );
  });

  it("layer normalisation on the last axis (float32 SIMD) agrees with the reference kernel", () => {
    fc.assert(
      fc.property(
        fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 70 })),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 1, max: 1e6 }),
        (shape, scale, center, seed) => {
          const x = randomTensor([...shape], seed, 30);
          const width = shape[2];
          const w = {
            gamma: scale ? randomTensor([width], seed + 1).data : null,
            beta: center ? randomTensor([width], seed + 2).data : null,
            epsilon: 1e-3,
          };
          const fast = onFast(() => layerNormLayer(x, [2], w));
          expect(maxScaledDiff(fast.data, layerNorm(x, [2], w).data)).toBeLessThanOrEqual(TOL);
        },
      ),
      { seed: 1314, numRuns: 100 },
    );
  });

  const cells: readonly { kind: CellKind; resetAfter: boolean; label: string; seed: number }[] = [
    { kind: "lstm", resetAfter: true, label: "lstm", seed: 1315 },
    { kind: "gru", resetAfter: true, label: "gru", seed: 1316 },
    { kind: "gru", resetAfter: false, label: "gru (reset before the product)", seed: 1318 },
    { kind: "simpleRNN", resetAfter: true, label: "simpleRNN", seed: 1319 },
  ];
  for (const { kind, resetAfter, label, seed } of cells) {
    it(`${label} cells match the reference pass on generated geometries`, () => {
      fc.assert(
        fc.property(
          fc.record({
            // Up to 33 rows: several four-row tiles of the recurrent product and a one-row tail.
            batch: fc.oneof(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 6, max: 33 })),
            steps: fc.integer({ min: 1, max: 12 }),
            features: fc.integer({ min: 1, max: 11 }),
            units: fc.integer({ min: 1, max: 19 }),
            bias: fc.boolean(),
            returnSequences: fc.boolean(),
            goBackwards: fc.boolean(),
            activations: fc.constantFrom(
              ["tanh", "sigmoid"],
              ["relu", "hard_sigmoid"],
              ["linear", "sigmoid"],
              ["elu", "sigmoid"],
              ["softsign", "hard_sigmoid"],
              ["gelu", "sigmoid"],
              ["selu", "sigmoid"],
              ["softplus", "hard_sigmoid"],
            ),
            seed: fc.integer({ min: 1, max: 1e6 }),
          }),
          (g) => {
            const gates = kind === "lstm" ? 4 : kind === "gru" ? 3 : 1;
            const width = gates * g.units;
            const x = randomTensor([g.batch, g.steps, g.features], g.seed, 2);
            const weights = {
              kernel: randomTensor([g.features, width], g.seed + 1, 0.6),
              recurrentKernel: randomTensor([g.units, width], g.seed + 2, 0.6),
              bias: g.bias ? randomTensor(kind === "gru" && resetAfter ? [2, width] : [width], g.seed + 3, 0.5) : null,
            };
            const [activation, recurrentActivation] = g.activations as ["tanh", "sigmoid"];
            const options = {
              units: g.units,
              activation,
              recurrentActivation,
              returnSequences: g.returnSequences,
              goBackwards: g.goBackwards,
              resetAfter,
            };
            // Every pair of activations runs on the WebAssembly cells, none falls back.
            const rows: LayerProfile[] = [];
            const fast = onFast(() => {
              let out: ReturnType<typeof recurrentLayer> | undefined;
              profileCall(rows, "cell", kind, [x], () => {
                out = recurrentLayer(kind, x, weights, options);
                return [out.output];
              });
              return out!;
            });
            expect(rows[0].kernel).toBe("wasm");
            const reference = recurrentPass(kind, x, weights, options);
            expect(fast.output.shape).toEqual(reference.output.shape);
            expect(maxScaledDiff(fast.output.data, reference.output.data)).toBeLessThanOrEqual(TOL);
            expect(fast.states.length).toBe(reference.states.length);
            fast.states.forEach((s, i) => expect(maxScaledDiff(s.data, reference.states[i].data)).toBeLessThanOrEqual(TOL));
          },
        ),
        { seed, numRuns: 100 },
      );
    });
  }

  it("embedding lookups give the table's rows", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 1e6 }), (rows, dim, seed) => {
        const table = randomTensor([rows, dim], seed);
        const r = createRandom(seed + 1);
        const idx = { shape: [2, 5], data: Float32Array.from({ length: 10 }, () => Math.floor(r.next() * rows)) };
        expectSameBits(onFast(() => embeddingLayer(idx, table)).data, embeddingLookup(idx, table).data);
      }),
      { seed: 1317, numRuns: 60 },
    );
  });

  it("a profiled predict of a transformer block and an LSTM runs every layer on the wasm kernels", () => {
    onFast(() => {
      if (!kernelInfo().wasm) return;
      const x = input({ shape: [6, 16] });
      const a = x
        .multiHeadAttention({ numHeads: 2, keyDim: 8 })
        .layerNormalization()
        .lstm({ units: 5, returnSequences: true })
        .simpleRNN({ units: 4, returnSequences: true })
        .gru({ units: 4, returnSequences: true, resetAfter: false })
        .gru({ units: 3 });
      const m = model({ inputs: x, outputs: a, seed: 1 });
      m.predict({ shape: [2, 6, 16], data: randomTensor([2, 6, 16], 5).data }, { profile: true });
      const rows = kernelInfo().profile ?? [];
      expect(rows.map((r) => `${r.className} ${r.kernel}`)).toEqual([
        "MultiHeadAttention wasm",
        "LayerNormalization wasm",
        "LSTM wasm",
        "SimpleRNN wasm",
        "GRU wasm",
        "GRU wasm",
      ]);
    });
  });

  it("recurrent layers split over two threads give one thread's bits and the reference's values", () => {
    onFast(() => {
      if (!kernelInfo().wasm) return;
      const x = input({ shape: [20, 9] });
      const y = x
        .lstm({ units: 40, returnSequences: true })
        .gru({ units: 40, returnSequences: true, resetAfter: false })
        .gru({ units: 37, returnSequences: true, goBackwards: true })
        .simpleRNN({ units: 64 });
      const m = model({ inputs: x, outputs: y, seed: 2 });
      // 37 sequences: the two threads' shares of batch rows are not both whole four-row tiles.
      const data = randomTensor([37, 20, 9], 21).data;
      const one = m.predict({ shape: [37, 20, 9], data }, { threads: 1 });
      expect(m.predict({ shape: [37, 20, 9], data }, { threads: 2 }).data).toEqual(one.data);
      setKernelBackend("reference");
      expect(maxScaledDiff(one.data, m.predict({ shape: [37, 20, 9], data }).data)).toBeLessThanOrEqual(TOL);
    });
  });

  describe("an embedding feeding a recurrent layer", () => {
    const foldCases: readonly { kind: CellKind; resetAfter: boolean; goBackwards: boolean; units: number }[] = [
      { kind: "lstm", resetAfter: true, goBackwards: false, units: 7 },
      { kind: "gru", resetAfter: true, goBackwards: true, units: 5 },
      { kind: "gru", resetAfter: false, goBackwards: false, units: 9 },
      { kind: "simpleRNN", resetAfter: true, goBackwards: true, units: 6 },
    ];
    const distinct = (idx: Tensor) => new Set(idx.data).size;
    for (const { kind, resetAfter, goBackwards, units } of foldCases) {
      it(`${kind}${resetAfter ? "" : " (reset before)"}: projections from the projected table give the bits of projecting the lookup`, () => {
        onFast(() => {
          if (!kernelInfo().wasm) return;
          const [vocab, dim, steps] = [23, 9, 6];
          const width = (kind === "lstm" ? 4 : kind === "gru" ? 3 : 1) * units;
          const table = randomTensor([vocab, dim], 31);
          const weights = {
            kernel: randomTensor([dim, width], 32, 0.6),
            recurrentKernel: randomTensor([units, width], 33, 0.6),
            bias: randomTensor(kind === "gru" && resetAfter ? [2, width] : [width], 34, 0.5),
          };
          const options = { units, activation: "tanh", recurrentActivation: "sigmoid", returnSequences: true, goBackwards, resetAfter } as const;
          const tokens = (values: number[]): Tensor => ({ shape: [values.length / steps, steps], data: Float32Array.from(values) });
          // Batch 5 over tokens 0..11; then batch 1 with one token no call read before (a product of one row).
          const first = tokens(Array.from({ length: 5 * steps }, (_, i) => (i * 7) % 12));
          const second = tokens([3, 12, 3, 0, 11, 5]);
          const check = (idx: Tensor, projectedRows: number) => {
            const before = projectedTableRows();
            const lookup = embeddingLayer(idx, table);
            const folded = recurrentLayer(kind, lookup, weights, options);
            expect(projectedTableRows() - before).toBe(projectedRows);
            const plain = recurrentLayer(kind, { shape: lookup.shape, data: Float32Array.from(lookup.data) }, weights, options);
            expectSameBits(folded.output.data, plain.output.data);
            folded.states.forEach((st, i) => expectSameBits(st.data, plain.states[i].data));
            expect(maxScaledDiff(folded.output.data, recurrentPass(kind, lookup, weights, options).output.data)).toBeLessThanOrEqual(TOL);
          };
          check(first, distinct(first));
          check(first, 0);
          check(second, 1);
          // Written weights are projected again: the input kernel, the bias (a GRU's two biases are one array), the table.
          for (const written of [weights.kernel.data, weights.bias.data, table.data]) {
            written[1] += 0.25;
            weightsWritten([written]);
            check(second, distinct(second));
          }
          // A lookup changed after the fact is projected as it is.
          const lookup = embeddingLayer(first, table);
          lookup.data[4] += 1;
          const before = projectedTableRows();
          const changed = recurrentLayer(kind, lookup, weights, options);
          expect(projectedTableRows()).toBe(before);
          expectSameBits(
            changed.output.data,
            recurrentLayer(kind, { shape: lookup.shape, data: Float32Array.from(lookup.data) }, weights, options).output.data,
          );
        });
      });
    }

    it("a text model projects each token once over its predicts, and agrees with the reference kernels", () => {
      onFast(() => {
        if (!kernelInfo().wasm) return;
        const inputs = input({ shape: [8], dtype: "int32" });
        const outputs = inputs.embedding({ inputDim: 40, outputDim: 6 }).lstm({ units: 11, returnSequences: true }).gru({ units: 4 });
        const m = model({ inputs, outputs, seed: 5 });
        const data = Float32Array.from({ length: 3 * 8 }, (_, i) => (i * 13) % 40);
        const before = projectedTableRows();
        const y = m.predict({ shape: [3, 8], data }, { profile: true });
        expect(projectedTableRows() - before).toBe(new Set(data).size);
        m.predict({ shape: [3, 8], data });
        expect(projectedTableRows() - before).toBe(new Set(data).size);
        expect((kernelInfo().profile ?? []).map((r) => `${r.className} ${r.kernel}`)).toEqual(["Embedding wasm", "LSTM wasm", "GRU wasm"]);
        setKernelBackend("reference");
        expect(maxScaledDiff(y.data, m.predict({ shape: [3, 8], data }).data)).toBeLessThanOrEqual(TOL);
      });
    });
  });

  it("a GRU sees its bias written in place", () => {
    onFast(() => {
      const x = randomTensor([2, 3, 4], 11);
      const bias = randomTensor([2, 9], 12);
      const weights = { kernel: randomTensor([4, 9], 13), recurrentKernel: randomTensor([3, 9], 14), bias };
      const options = { units: 3, activation: "tanh", recurrentActivation: "sigmoid", returnSequences: true, goBackwards: false, resetAfter: true } as const;
      recurrentLayer("gru", x, weights, options);
      bias.data.fill(0.25);
      weightsWritten([bias.data]);
      const fast = recurrentLayer("gru", x, weights, options);
      expect(maxScaledDiff(fast.output.data, recurrentPass("gru", x, weights, options).output.data)).toBeLessThanOrEqual(TOL);
    });
  });

  it("zero padding gives the reference kernel's bits on any axes up to rank 5", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 5 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })), { minLength: 5, maxLength: 5 }),
        fc.integer({ min: 1, max: 1e6 }),
        (shape, allPads, seed) => {
          const x = randomTensor(shape, seed);
          const pads = allPads.slice(0, shape.length);
          const fast = onFast(() => padLayer(x, pads));
          const reference = padZeros(x, pads);
          expect(fast.shape).toEqual(reference.shape);
          expectSameBits(fast.data, reference.data);
        },
      ),
      { seed: 1318, numRuns: 150 },
    );
  });

  it("global pooling gives the reference kernel's bits, NaN included", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 3, maxLength: 5 }),
        fc.constantFrom("max" as const, "avg" as const),
        fc.boolean(),
        fc.integer({ min: 1, max: 1e6 }),
        (shape, kind, nan, seed) => {
          const x = randomTensor(shape, seed, 50);
          if (nan) x.data[seed % x.data.length] = Number.NaN;
          const fast = onFast(() => globalPoolLayer(kind, x));
          const reference = globalPool(kind, x);
          expect(fast.shape).toEqual(reference.shape);
          expectSameBits(fast.data, reference.data);
        },
      ),
      { seed: 1319, numRuns: 150 },
    );
  });
});
