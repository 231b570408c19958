/**
 * Multi-head attention's backward pass against TensorFlow.js's gradients
 * (cpu backend) of the same attention written in TF.js operations, on
 * generated sizes: self-attention (one tensor as query, value and key), a
 * separate value (serving as key), a separate key, bias or none, value and
 * output sizes of their own.
 */
import * as tf from "@tensorflow/tfjs";
import fc from "fast-check";
import { afterAll, beforeAll, describe, it } from "vitest";
import { MultiHeadAttention } from "../../src/layers/attention.js";
import { checkLayer, worstLines } from "../support/gradient-check.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
  await tf.ready();
});

afterAll(() => {
  console.log(`attention gradients against TF.js: largest scaled difference per group\n${worstLines()}\nTF.js tensors left: ${tf.memory().numTensors}`);
});

const small = (min: number, max: number) => fc.integer({ min, max });

describe("multiHeadAttention", () => {
  it("self-attention, a separate value, a separate key; bias or none; valueDim and outputShape", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(1, 2, 3),
        small(1, 2),
        small(1, 4),
        small(1, 4),
        small(1, 3),
        small(1, 3),
        small(1, 3),
        small(1, 3),
        small(1, 4),
        small(1, 4),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 0, max: 1e6 }),
        (inputs, n, tq, tv0, heads, keyDim, valueDim, outputShape, dq, dv, useBias, sizes, seed) => {
          const tv = inputs === 1 ? tq : tv0;
          const dValue = inputs === 1 ? dq : dv;
          const dKey = inputs === 3 ? 1 + ((dv + seed) % 4) : dValue;
          const layer = new MultiHeadAttention({ numHeads: heads, keyDim, useBias, ...(sizes ? { valueDim, outputShape } : {}) });
          const vd = sizes ? valueDim : keyDim;
          const out = sizes ? outputShape : dq;
          const shapes = [
            [n, tq, dq],
            [n, tv, dValue],
            [n, tv, dKey],
          ].slice(0, inputs);
          checkLayer(
            `mha ${["self", "query value", "query value key"][inputs - 1]}${useBias ? "" : " no bias"}`,
            layer,
            shapes,
            (xs, w) => {
              const [query, value = query, key = value] = xs;
              const [qk, qb, kk, kb, vk, vb, ok, ob] = useBias ? w : [w[0], null, w[1], null, w[2], null, w[3], null];
              const project = (x: tf.Tensor, kernel: tf.Tensor, bias: tf.Tensor | null, steps: number, dim: number) => {
                const y = x.reshape([-1, x.shape[2]!]).matMul(kernel.reshape([x.shape[2]!, heads * dim]));
                return (bias === null ? y : y.add(bias.reshape([heads * dim]))).reshape([n, steps, heads, dim]).transpose([0, 2, 1, 3]);
              };
              const q = project(query, qk, qb, tq, keyDim).mul(1 / Math.sqrt(keyDim));
              const k = project(key, kk, kb, tv, keyDim);
              const v = project(value, vk, vb, tv, vd);
              const p = tf.softmax(tf.matMul(q, k, false, true));
              const c = tf
                .matMul(p, v)
                .transpose([0, 2, 1, 3])
                .reshape([n * tq, heads * vd]);
              const y = c.matMul(ok.reshape([heads * vd, out]));
              return (ob === null ? y : y.add(ob)).reshape([n, tq, out]);
            },
            seed,
            undefined,
            undefined,
            // The key's bias adds q · b to every score of a query step: the softmax cancels it.
            useBias ? [3] : [],
          );
        },
      ),
      { numRuns: 80, seed: 41 },
    );
  });
});
