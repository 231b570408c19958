/**
 * Every layer's backward pass (`Layer.gradients` after `Layer.callTraining`)
 * against TensorFlow.js's gradients (cpu backend) of the same forward
 * computation written in TF.js operations, on generated shapes and options:
 * the gradient of sum(layer(x) * dy) with respect to every input and every
 * weight, within 1e-4 of the reference's largest magnitude. The forward
 * outputs are compared too, so an oracle that computes something else fails.
 */
import * as tf from "@tensorflow/tfjs";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clearSession } from "../../src/index.js";
import { createRandom } from "../../src/kernels/random.js";
import type { Tensor } from "../../src/kernels/tensor.js";
import { ELU, LeakyReLU, PReLU, ReLU, Softmax } from "../../src/layers/activations.js";
import type { Layer } from "../../src/layers/layer.js";
import { Embedding } from "../../src/layers/core.js";
import { mergeLayer } from "../../src/layers/merging.js";
import { CenterCrop, Normalization, Rescaling, Resizing } from "../../src/layers/preprocessing.js";
import {
  AveragePooling1D,
  AveragePooling2D,
  AveragePooling3D,
  GlobalAveragePooling1D,
  GlobalAveragePooling2D,
  GlobalAveragePooling3D,
  GlobalMaxPooling1D,
  GlobalMaxPooling2D,
  GlobalMaxPooling3D,
  MaxPooling1D,
  MaxPooling2D,
  MaxPooling3D,
} from "../../src/layers/pooling.js";
import { BatchNormalization, LayerNormalization } from "../../src/layers/normalization.js";
import type { MergeKind } from "../../src/layers/merging.js";
import {
  ActivityRegularization,
  AlphaDropout,
  Dropout,
  GaussianDropout,
  GaussianNoise,
  SpatialDropout1D,
  SpatialDropout2D,
  SpatialDropout3D,
} from "../../src/layers/regularization.js";
import { normalDraw } from "../../src/kernels/dropout-backward.js";
import {
  Cropping1D,
  Cropping2D,
  Cropping3D,
  Flatten,
  Permute,
  RepeatVector,
  Reshape,
  UpSampling1D,
  UpSampling2D,
  UpSampling3D,
  ZeroPadding1D,
  ZeroPadding2D,
  ZeroPadding3D,
} from "../../src/layers/reshaping.js";
import { randomTensor as seededTensor } from "../support/layer-harness.js";
import { scaledDifference } from "../support/compare.js";
import { GRADIENT_TOL, checkLayer, randomTensor, tfOf, worstLines, worstOf } from "../support/gradient-check.js";
import type { Oracle } from "../support/gradient-check.js";

const TOL = GRADIENT_TOL;

beforeAll(async () => {
  await tf.setBackend("cpu");
  await tf.ready();
});

/** The cases a skip rule sent elsewhere, printed after the run with the largest difference per group. */
const skipped = new Map<string, number>();
afterAll(() => {
  const skips = [...skipped.entries()].map(([rule, n]) => `  ${rule}: ${n}`);
  console.log(
    `layer gradients against TF.js: largest scaled difference per group\n${worstLines()}\nskip rules applied:\n${skips.join("\n")}\nTF.js tensors left: ${tf.memory().numTensors}`,
  );
});

/** Nearest up-sampling of one axis in TF.js operations: every index repeated `s` times (a gather: TF.js has no rank-5 tile gradient). */
function repeatAxis(x: tf.Tensor, axis: number, s: number): tf.Tensor {
  const indices = Array.from({ length: x.shape[axis] * s }, (_, i) => Math.floor(i / s));
  return tf.gather(x, tf.tensor1d(indices, "int32"), axis);
}

/** `x > t` as a condition TF.js does not differentiate through (it has no gradient for `Greater`). */
const above = (x: tf.Tensor, t: number): tf.Tensor => tf.tensor(x.dataSync(), x.shape).greater(t);

/** 3-D max pooling in TF.js operations: the maximum over the window offsets of strided picks, "same" padded with -Infinity (before: half, floored). */
function maxPool3dOps(x: tf.Tensor, pool: number[], stride: number, padding: "same" | "valid"): tf.Tensor {
  const spatial = x.shape.slice(1, 4);
  const out = spatial.map((d, i) => (padding === "same" ? Math.ceil(d / stride) : Math.floor((d - pool[i]) / stride) + 1));
  const pads = spatial.map((d, i) => (padding === "same" ? Math.max((out[i] - 1) * stride + pool[i] - d, 0) : 0));
  const padded = x.pad([[0, 0], ...pads.map((p) => [Math.floor(p / 2), p - Math.floor(p / 2)] as [number, number]), [0, 0]], -Infinity);
  const slices: tf.Tensor[] = [];
  for (let a = 0; a < pool[0]; a++)
    for (let b = 0; b < pool[1]; b++)
      for (let c = 0; c < pool[2]; c++) {
        // Gathers, not strided slices: TF.js has no StridedSlice gradient.
        const picks = [a, b, c].map((start, i) =>
          tf.tensor1d(
            Array.from({ length: out[i] }, (_, k) => start + k * stride),
            "int32",
          ),
        );
        slices.push(picks.reduce((t, idx, i) => tf.gather(t, idx, i + 1), padded));
      }
  return tf.stack(slices).max(0);
}

const small = (min: number, max: number) => fc.integer({ min, max });
const seedArb = fc.integer({ min: 0, max: 1e6 });
const runs = { numRuns: 40, seed: 12 };

describe("reshaping family", () => {
  it("flatten (both data formats), reshape, permute and repeatVector", () => {
    fc.assert(
      fc.property(small(1, 3), small(1, 4), small(1, 4), small(1, 4), seedArb, (n, a, b, c, seed) => {
        checkLayer(
          "flatten channelsFirst",
          new Flatten({ dataFormat: "channelsFirst" }),
          [[n, a, b, c]],
          ([x]) => x.transpose([0, 2, 3, 1]).reshape([n, -1]),
          seed,
        );
        checkLayer("flatten", new Flatten(), [[n, a, b, c]], ([x]) => x.reshape([n, -1]), seed);
        checkLayer("reshape", new Reshape({ targetShape: [c, -1] }), [[n, a, b, c]], ([x]) => x.reshape([n, c, a * b]), seed);
        const dims = [
          [1, 2, 3],
          [3, 1, 2],
          [2, 3, 1],
          [3, 2, 1],
        ][seed % 4];
        checkLayer("permute", new Permute({ dims }), [[n, a, b, c]], ([x]) => x.transpose([0, ...dims]), seed);
        checkLayer("repeatVector", new RepeatVector({ n: b }), [[n, a]], ([x]) => x.expandDims(1).tile([1, b, 1]), seed);
      }),
      runs,
    );
  });

  it("zero padding, cropping and up-sampling in 1, 2 and 3 dimensions, both data formats", () => {
    fc.assert(
      fc.property(
        small(1, 2),
        fc.array(small(2, 5), { minLength: 3, maxLength: 3 }),
        small(1, 3),
        fc.array(small(0, 2), { minLength: 6, maxLength: 6 }),
        fc.boolean(),
        seedArb,
        (n, sizes, ch, amounts, first, seed) => {
          for (const rank of [1, 2, 3] as const) {
            const spatial = sizes.slice(0, rank);
            const cf = rank > 1 && first;
            const shape = cf ? [n, ch, ...spatial] : [n, ...spatial, ch];
            const axes = spatial.map((_, i) => (cf ? i + 2 : i + 1));
            const pairs = spatial.map((_, i) => [amounts[2 * i], amounts[2 * i + 1]] as [number, number]);
            const format = rank > 1 ? { dataFormat: cf ? "channelsFirst" : "channelsLast" } : {};
            const padding = rank === 1 ? pairs[0] : pairs;
            const Pad = [ZeroPadding1D, ZeroPadding2D, ZeroPadding3D][rank - 1];
            checkLayer(
              `zeroPadding${rank}d`,
              new Pad({ padding, ...format }),
              [shape],
              ([x]) =>
                x.pad(
                  shape.map((_, k) => {
                    const i = axes.indexOf(k);
                    return i < 0 ? [0, 0] : pairs[i];
                  }) as [number, number][],
                ),
              seed,
            );
            // Cropping needs at least one value left on every axis.
            const crops = pairs.map(([a, b], i) => (a + b < spatial[i] ? [a, b] : [0, 0]) as [number, number]);
            const Crop = [Cropping1D, Cropping2D, Cropping3D][rank - 1];
            checkLayer(
              `cropping${rank}d`,
              new Crop({ cropping: rank === 1 ? crops[0] : crops, ...format }),
              [shape],
              ([x]) => {
                const begin = shape.map((_, k) => (axes.includes(k) ? crops[axes.indexOf(k)][0] : 0));
                const size = shape.map((d, k) => (axes.includes(k) ? d - crops[axes.indexOf(k)][0] - crops[axes.indexOf(k)][1] : d));
                return x.slice(begin, size);
              },
              seed,
            );
            const factors = spatial.map((_, i) => 1 + (amounts[i] % 3));
            const Up = [UpSampling1D, UpSampling2D, UpSampling3D][rank - 1];
            checkLayer(
              `upSampling${rank}d`,
              new Up({ size: rank === 1 ? factors[0] : factors, ...format }),
              [shape],
              ([x]) => axes.reduce((t, axis, i) => repeatAxis(t, axis, factors[i]), x),
              seed,
            );
          }
        },
      ),
      { numRuns: 25, seed: 13 },
    );
  });
});

describe("merges", () => {
  const ops: Record<string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor> = {
    add: (a, b) => a.add(b),
    subtract: (a, b) => a.sub(b),
    multiply: (a, b) => a.mul(b),
    maximum: (a, b) => tf.maximum(a, b),
    minimum: (a, b) => tf.minimum(a, b),
  };

  it("element-wise merges of two to four inputs, with broadcast axes", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("add", "subtract", "multiply", "average", "maximum", "minimum"),
        small(2, 4),
        small(1, 3),
        small(1, 4),
        small(1, 4),
        fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
        seedArb,
        (kind, count, n, a, b, ones, seed) => {
          const k = kind === "subtract" ? 2 : count;
          // Inputs after the first may hold 1 on a non-batch axis: the merge broadcasts it.
          const shapes = Array.from({ length: k }, (_, i) => [n, i > 0 && ones[2 * i] ? 1 : a, i > 0 && ones[2 * i + 1] ? 1 : b]);
          // Broadcast first: TF.js's maximum and minimum gradients do not sum over broadcast axes.
          const oracle: Oracle = (given) => {
            const xs = given.map((x) => tf.broadcastTo(x, [n, a, b]));
            return kind === "average"
              ? xs
                  .slice(1)
                  .reduce((acc, x) => acc.add(x), xs[0])
                  .div(k)
              : xs.slice(1).reduce((acc, x) => ops[kind](acc, x), xs[0]);
          };
          checkLayer(kind, mergeLayer(kind as MergeKind), shapes, oracle, seed);
        },
      ),
      { numRuns: 120, seed: 14 },
    );
  });

  it("concatenate along every axis", () => {
    fc.assert(
      fc.property(small(2, 3), small(1, 3), small(1, 3), small(1, 3), small(1, 3), small(1, 3), seedArb, (count, n, a, b, c, axis, seed) => {
        const shapes = Array.from({ length: count }, (_, i) => {
          const s = [n, a, b, c];
          s[axis] = 1 + ((i + seed) % 3);
          return s;
        });
        checkLayer("concatenate", mergeLayer("concatenate", { axis: seed % 2 === 0 ? axis : axis - 4 }), shapes, (xs) => tf.concat(xs, axis), seed);
      }),
      runs,
    );
  });
});

describe("dot", () => {
  it("dot of rank-2 and rank-3 inputs over the first input's last axis and the second's first, with and without normalize", () => {
    fc.assert(
      fc.property(
        small(1, 3),
        small(1, 4),
        small(1, 4),
        small(1, 4),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        seedArb,
        (n, a, b, k0, rank3x, rank3y, normalize, seed) => {
          // A normalised axis of size 1 is ±1 whatever the input: its gradient is zero up to rounding, which no relative tolerance measures.
          const k = normalize ? Math.max(k0, 2) : k0;
          // x: [n, a, k] or [n, k]; y: [n, k, b] or [n, k]; contracted over k.
          const xShape = rank3x ? [n, a, k] : [n, k];
          const yShape = rank3y ? [n, k, b] : [n, k];
          const axes: [number, number] = [rank3x ? 2 : 1, 1];
          const oracle: Oracle = ([x0, y0]) => {
            const unit = (t: tf.Tensor, axis: number) => t.div(tf.maximum(t.square().sum(axis, true).sqrt(), 1e-7));
            const x = normalize ? unit(x0, axes[0]) : x0;
            const y = normalize ? unit(y0, axes[1]) : y0;
            const x3 = rank3x ? x : x.expandDims(1);
            const y3 = rank3y ? y : y.expandDims(2);
            const out = tf.matMul(x3 as tf.Tensor3D, y3 as tf.Tensor3D);
            return out.reshape([n, ...(rank3x ? [a] : []), ...(rank3y ? [b] : [])].concat(rank3x || rank3y ? [] : [1]));
          };
          checkLayer(`dot${normalize ? " normalize" : ""}`, mergeLayer("dot", { axes, normalize }), [xShape, yShape], oracle, seed);
        },
      ),
      runs,
    );
  });
});

describe("activation layers", () => {
  it("reLU with maxValue, negativeSlope and threshold; leakyReLU; elu; pReLU with shared axes; softmax over axes", () => {
    fc.assert(
      fc.property(small(1, 3), small(1, 4), small(1, 4), fc.boolean(), fc.boolean(), seedArb, (n, a, b, shareA, shareB, seed) => {
        const shape = [n, a, b];
        const maxValue = [undefined, 0.5, 6][seed % 3];
        const negativeSlope = [0, 0.2][seed % 2];
        const threshold = [0, 0.3][(seed >> 1) % 2];
        checkLayer(
          "reLU",
          new ReLU({ maxValue, negativeSlope, threshold }),
          [shape],
          ([x]) => {
            let y = tf.where(above(x, threshold), x, tf.zerosLike(x));
            if (maxValue !== undefined) y = tf.minimum(y, maxValue);
            return negativeSlope === 0 ? y : y.sub(tf.relu(tf.scalar(threshold).sub(x)).mul(negativeSlope));
          },
          seed,
        );
        checkLayer("leakyReLU", new LeakyReLU({ alpha: 0.25 }), [shape], ([x]) => tf.leakyRelu(x, 0.25), seed);
        checkLayer("elu", new ELU({ alpha: 0.7 }), [shape], ([x]) => tf.where(above(x, 0), x, tf.exp(x).sub(1).mul(0.7)), seed);
        const sharedAxes = [...(shareA ? [1] : []), ...(shareB ? [2] : [])];
        checkLayer("pReLU", new PReLU({ sharedAxes }), [shape], ([x], [alpha]) => tf.relu(x).sub(alpha.mul(tf.relu(x.neg()))), seed);
        const axis = [-1, 1, [1, 2]][seed % 3] as number | number[];
        const axes = Array.isArray(axis) ? axis : [axis === -1 ? 2 : axis];
        checkLayer(
          "softmax",
          new Softmax({ axis }),
          [shape],
          ([x]) => {
            const e = tf.exp(x.sub(x.max(axes, true)));
            return e.div(e.sum(axes, true));
          },
          seed,
        );
      }),
      runs,
    );
  });
});

describe("pooling", () => {
  it("max and average pooling in 1, 2 and 3 dimensions, both paddings, both data formats", () => {
    fc.assert(
      fc.property(
        small(1, 2),
        fc.array(small(2, 6), { minLength: 3, maxLength: 3 }),
        small(1, 3),
        small(1, 3),
        small(1, 3),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        seedArb,
        (n, sizes, ch, p, st, same, max, first, seed) => {
          for (const rank of [1, 2, 3] as const) {
            const spatial = sizes.slice(0, rank);
            const pool = spatial.map((d) => Math.min(p, d));
            // TF.js's average pooling gradient with "same" padding divides border windows by the whole window, unlike its own forward pass and Keras: valid only there.
            const padding = same && max ? "same" : "valid";
            const cf = first && rank > 1;
            const shape = cf ? [n, ch, ...spatial] : [n, ...spatial, ch];
            const Layer = max ? [MaxPooling1D, MaxPooling2D, MaxPooling3D][rank - 1] : [AveragePooling1D, AveragePooling2D, AveragePooling3D][rank - 1];
            const layer = new Layer({
              poolSize: rank === 1 ? pool[0] : pool,
              strides: rank === 1 ? st : pool.map(() => st),
              padding,
              dataFormat: cf ? "channelsFirst" : "channelsLast",
            });
            const toLast = [0, ...Array.from({ length: rank }, (_, i) => i + 2), 1];
            const toFirst = [0, rank + 1, ...Array.from({ length: rank }, (_, i) => i + 1)];
            checkLayer(
              `${max ? "max" : "average"}Pooling${rank}d`,
              layer,
              [shape],
              ([x0]) => {
                const x = cf ? x0.transpose(toLast) : x0;
                let y: tf.Tensor;
                if (rank === 1) {
                  const x4 = x.expandDims(2) as tf.Tensor4D;
                  const y4 = max ? tf.maxPool(x4, [pool[0], 1], [st, 1], padding) : tf.avgPool(x4, [pool[0], 1], [st, 1], padding);
                  y = y4.squeeze([2]);
                } else if (rank === 2) {
                  y = max
                    ? tf.maxPool(x as tf.Tensor4D, pool as [number, number], st, padding)
                    : tf.avgPool(x as tf.Tensor4D, pool as [number, number], st, padding);
                } else {
                  // TF.js 4.22's maxPool3d is wrong both ways (its gradient is all zeros for a [2, 3, 2] window on [2, 3, 2] cells, its "same"
                  // windows start late when the stride exceeds the window): 3-D max pooling is written as the maximum over window offsets.
                  y = max ? maxPool3dOps(x, pool, st, padding) : tf.avgPool3d(x as tf.Tensor5D, pool as [number, number, number], st, padding);
                }
                return cf ? y.transpose(toFirst) : y;
              },
              seed,
            );
          }
        },
      ),
      { numRuns: 30, seed: 15 },
    );
  });

  it("global max and average pooling in 1, 2 and 3 dimensions, keepdims, both data formats", () => {
    fc.assert(
      fc.property(
        small(1, 2),
        fc.array(small(1, 4), { minLength: 3, maxLength: 3 }),
        small(1, 3),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        seedArb,
        (n, sizes, ch, keepdims, max, first, seed) => {
          for (const rank of [1, 2, 3] as const) {
            const spatial = sizes.slice(0, rank);
            const shape = first ? [n, ch, ...spatial] : [n, ...spatial, ch];
            const axes = spatial.map((_, i) => (first ? i + 2 : i + 1));
            const Layer = max
              ? [GlobalMaxPooling1D, GlobalMaxPooling2D, GlobalMaxPooling3D][rank - 1]
              : [GlobalAveragePooling1D, GlobalAveragePooling2D, GlobalAveragePooling3D][rank - 1];
            checkLayer(
              `global${max ? "Max" : "Average"}Pooling${rank}d`,
              new Layer({ keepdims, dataFormat: first ? "channelsFirst" : "channelsLast" }),
              [shape],
              ([x]) => (max ? x.max(axes, keepdims) : x.mean(axes, keepdims)),
              seed,
            );
          }
        },
      ),
      runs,
    );
  });
});

/** A frozen batch normalisation against TF.js's inference-mode formula: the output and the input's gradient. */
function checkFrozen(layer: Layer, shape: number[], seed: number): number {
  clearSession();
  (layer.apply as (s: unknown) => unknown).call(layer, shape);
  const specs = layer.weightSpecs();
  // Positive variances: the moving variance is drawn in [0.5, 1.5).
  layer.weights = specs.map((spec, i) => seededTensor(spec.shape, createRandom(seed * 31 + 100 + i), spec.name === "moving_variance" ? 0.5 : -1, 1.5));
  const x = randomTensor(shape, seed * 31);
  const { output, saved, updates } = layer.callTraining([x], { random: createRandom(seed) });
  expect(updates).toBeUndefined();
  const dy = randomTensor(output.shape, seed * 31 + 50);
  const ours = layer.gradients!(dy, [x], output, saved);
  expect(ours.weights.every((g) => g === null)).toBe(true);
  const w = layer.weights!.map(tfOf);
  const f = (t: tf.Tensor) => {
    const [gamma, beta, mean, variance] = specs.length === 4 ? w : [w[0], null, w[1], w[2]];
    const y = t.sub(mean!).div(variance!.add(1e-3).sqrt()).mul(gamma!);
    return beta === null ? y : y.add(beta);
  };
  const [forward, grad] = tf.tidy(() => [
    f(tfOf(x)).dataSync() as Float32Array,
    tf
      .grad((t: tf.Tensor) => f(t).mul(tfOf(dy)).sum())(tfOf(x))
      .dataSync() as Float32Array,
  ]);
  w.forEach((t) => t.dispose());
  const worst = Math.max(scaledDifference(output.data, forward, "frozen output"), scaledDifference(ours.inputs[0]!.data, grad, "frozen input gradient"));
  const s = worstOf.get("batchNormalization frozen") ?? { worst: 0, cases: 0 };
  worstOf.set("batchNormalization frozen", { worst: Math.max(s.worst, worst), cases: s.cases + 1 });
  return worst;
}

describe("normalisation layers", () => {
  it("batchNormalization in training: batch statistics, gamma and beta gradients, moving statistics moved by momentum", () => {
    fc.assert(
      fc.property(
        small(2, 4),
        small(1, 3),
        small(1, 3),
        small(1, 4),
        small(1, 3),
        fc.boolean(),
        fc.boolean(),
        seedArb,
        (n, a, b, c, axis, center, scale, seed) => {
          const shape = [n, a, b, c];
          const layer = new BatchNormalization({ axis: axis === 3 ? -1 : axis, center, scale, momentum: 0.9 });
          const reduce = [0, 1, 2, 3].filter((k) => k !== axis);
          const bshape = shape.map((d, k) => (k === axis ? d : 1));
          checkLayer(
            "batchNormalization",
            layer,
            [shape],
            ([x], w) => {
              const { mean, variance } = tf.moments(x, reduce, true);
              let y = x.sub(mean).div(variance.add(1e-3).sqrt());
              if (scale) y = y.mul(w[0].reshape(bshape));
              if (center) y = y.add(w[scale ? 1 : 0].reshape(bshape));
              return y;
            },
            seed,
          );
          // The moving statistics the step writes: momentum * old + (1 - momentum) * batch (biased variance).
          const x = randomTensor(shape, seed * 31);
          const { updates } = (layer as Layer).callTraining([x], { random: createRandom(seed) });
          const at = (scale ? 1 : 0) + (center ? 1 : 0);
          const [oldMean, oldVariance] = [layer.weights![at].data, layer.weights![at + 1].data];
          const [mean, variance] = tf.tidy(() => {
            const m = tf.moments(tfOf(x), reduce);
            return [m.mean.dataSync() as Float32Array, m.variance.dataSync() as Float32Array];
          });
          expect(updates!.map((u) => u.index)).toEqual([at, at + 1]);
          expect(
            scaledDifference(
              updates![0].value,
              Float32Array.from(oldMean, (v, i) => 0.9 * v + 0.1 * mean[i]),
              "moving mean",
            ),
          ).toBeLessThan(1e-5);
          expect(
            scaledDifference(
              updates![1].value,
              Float32Array.from(oldVariance, (v, i) => 0.9 * v + 0.1 * variance[i]),
              "moving variance",
            ),
          ).toBeLessThan(1e-5);
        },
      ),
      runs,
    );
  });

  it("a frozen batchNormalization (trainable false) runs on its moving statistics and passes the gradient through them", () => {
    fc.assert(
      fc.property(small(1, 3), small(1, 3), small(1, 4), fc.boolean(), seedArb, (n, a, c, center, seed) => {
        const layer = new BatchNormalization({ center });
        layer.trainable = false;
        // Every weight frozen: only the input's gradient flows, and the oracle is inference-mode normalisation.
        const trained = checkFrozen(layer, [n, a, c], seed);
        expect(trained).toBeLessThan(TOL);
      }),
      runs,
    );
  });

  it("layerNormalization over one axis or several", () => {
    fc.assert(
      fc.property(small(1, 3), small(1, 4), small(2, 4), fc.boolean(), fc.boolean(), seedArb, (n, a, b, center, scale, seed) => {
        const shape = [n, a, b];
        const axis = [-1, [1, 2], [2, 1]][seed % 3] as number | number[];
        const axes = Array.isArray(axis) ? [...axis].sort() : [2];
        const wshape = shape.map((d, k) => (axes.includes(k) ? d : 1));
        checkLayer(
          "layerNormalization",
          new LayerNormalization({ axis, center, scale }),
          [shape],
          ([x], w) => {
            const { mean, variance } = tf.moments(x, axes, true);
            let y = x.sub(mean).div(variance.add(1e-3).sqrt());
            if (scale) y = y.mul(w[0].reshape(wshape));
            if (center) y = y.add(w[scale ? 1 : 0].reshape(wshape));
            return y;
          },
          seed,
        );
      }),
      runs,
    );
  });
});

describe("embedding and preprocessing", () => {
  it("embedding: the table's gradient sums the rows by index, repeated indices included", () => {
    fc.assert(
      fc.property(small(1, 3), small(1, 6), small(1, 8), small(1, 5), seedArb, (n, steps, rows, dim, seed) => {
        const random = createRandom(seed);
        const indices: Tensor = { shape: [n, steps], data: Float32Array.from({ length: n * steps }, () => Math.floor(random.next() * rows)) };
        checkLayer(
          "embedding",
          new Embedding({ inputDim: rows, outputDim: dim }),
          [[n, steps]],
          ([ids], [table]) => tf.gather(table, ids),
          seed,
          undefined,
          indices,
        );
      }),
      runs,
    );
  });

  it("rescaling, normalization (and its inverse), nearest resizing and center cropping", () => {
    fc.assert(
      fc.property(small(1, 2), small(2, 6), small(2, 6), small(1, 3), small(1, 6), small(1, 6), fc.boolean(), seedArb, (n, h, w, c, th, tw, invert, seed) => {
        const shape = [n, h, w, c];
        checkLayer("rescaling", new Rescaling({ scale: 1 / 255, offset: -0.5 }), [shape], ([x]) => x.mul(1 / 255).sub(0.5), seed);
        const mean = Array.from({ length: c }, (_, i) => 0.1 * i - 0.2);
        const variance = Array.from({ length: c }, (_, i) => 0.5 + i);
        const root = tf.tensor1d(variance.map((v) => Math.max(Math.sqrt(v), 1e-7)));
        checkLayer(
          "normalization",
          new Normalization({ mean, variance, invert }),
          [shape],
          ([x]) => (invert ? x.mul(root).add(tf.tensor1d(mean)) : x.sub(tf.tensor1d(mean)).div(root)),
          seed,
        );
        checkLayer(
          "resizing nearest",
          new Resizing({ height: th, width: tw, interpolation: "nearest" }),
          [shape],
          ([x]) => {
            // jax.image.resize's nearest pick, floor((i + 0.5) * from / to) per axis (TF.js rounds half-pixel centres differently).
            const pick = (from: number, to: number) =>
              tf.tensor1d(
                Array.from({ length: to }, (_, i) => Math.floor(((i + 0.5) * from) / to)),
                "int32",
              );
            return tf.gather(tf.gather(x, pick(h, th), 1), pick(w, tw), 2);
          },
          seed,
        );
        if (th <= h && tw <= w) {
          checkLayer(
            "centerCrop",
            new CenterCrop({ height: th, width: tw }),
            [shape],
            ([x]) => x.slice([0, Math.floor((h - th) / 2), Math.floor((w - tw) / 2), 0], [n, th, tw, c]),
            seed,
          );
        }
      }),
      runs,
    );
  });
});

describe("regularisation layers", () => {
  it("activityRegularization passes its input and gradient through; its penalty is the trainer's, as any activity regulariser's", () => {
    fc.assert(
      fc.property(small(1, 3), small(1, 5), fc.constantFrom(0, 0.01, 0.5), fc.constantFrom(0, 0.02, 1), seedArb, (n, a, l1, l2, seed) => {
        const layer = new ActivityRegularization({ l1, l2 });
        checkLayer("activityRegularization", layer, [[n, a]], ([x]) => x, seed);
        expect(layer.activityRegularizer()).toEqual(l1 === 0 && l2 === 0 ? undefined : { l1, l2 });
      }),
      runs,
    );
  });
});

/** Mean and standard deviation. */
function moments(values: ArrayLike<number>): { mean: number; std: number } {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  const mean = sum / values.length;
  let sq = 0;
  for (let i = 0; i < values.length; i++) sq += (values[i] - mean) ** 2;
  return { mean, std: Math.sqrt(sq / values.length) };
}

/** A training call of `layer` on `x`, and its input gradient for `dy`. */
function trainOn(layer: Layer, x: Tensor, dy: Tensor, seed: number): { y: Tensor; dx: Tensor } {
  clearSession();
  (layer.apply as (s: unknown) => unknown).call(layer, x.shape);
  const { output, saved } = layer.callTraining([x], { random: createRandom(seed) });
  return { y: output, dx: layer.gradients!(dy, [x], output, saved).inputs[0]! };
}

describe("training-mode noise, as Keras 3 draws it", () => {
  const N = 40_000;
  const x = randomTensor([8, N / 8], 1);
  const dy = randomTensor([8, N / 8], 2);

  it("dropout zeroes a fraction rate, scales the rest by 1 / (1 - rate), and passes the gradient through the same mask", () => {
    for (const rate of [0, 0.1, 0.5, 0.8]) {
      const { y, dx } = trainOn(new Dropout({ rate }), x, dy, 3);
      let zeros = 0;
      let worst = 0;
      for (let i = 0; i < N; i++) {
        const kept = y.data[i] !== 0;
        if (!kept) zeros++;
        worst = Math.max(worst, Math.abs(y.data[i] - (kept ? x.data[i] / (1 - rate) : 0)), Math.abs(dx.data[i] - (kept ? dy.data[i] / (1 - rate) : 0)));
      }
      expect(worst).toBeLessThan(1e-5);
      expect(Math.abs(zeros / N - rate)).toBeLessThan(0.01);
    }
  });

  it("spatial dropout draws one factor per sample and channel, shared along the spatial axes, in both data formats", () => {
    const cases: [Layer, number[], number][] = [
      [new SpatialDropout1D({ rate: 0.5 }), [4, 50, 6], 2],
      [new SpatialDropout2D({ rate: 0.5 }), [4, 10, 5, 6], 3],
      [new SpatialDropout2D({ rate: 0.5, dataFormat: "channelsFirst" }), [4, 6, 10, 5], 1],
      [new SpatialDropout3D({ rate: 0.5 }), [4, 3, 5, 2, 6], 4],
    ];
    for (const [layer, shape, channelAxis] of cases) {
      const xs = randomTensor(shape, 5);
      const { y, dx } = trainOn(layer, xs, xs, 6);
      const factor = new Map<string, number>();
      const strides = shape.map((_, k) => shape.slice(k + 1).reduce((p, d) => p * d, 1));
      for (let i = 0; i < y.data.length; i++) {
        const key = `${Math.floor(i / strides[0])},${Math.floor(i / strides[channelAxis]) % shape[channelAxis]}`;
        const f = y.data[i] / xs.data[i];
        if (!factor.has(key)) factor.set(key, f);
        expect(f, `${layer.className} ${key}`).toBeCloseTo(factor.get(key)!, 4);
        expect(dx.data[i]).toBeCloseTo(xs.data[i] * f, 4);
      }
      const values = [...factor.values()];
      expect(values.every((f) => Math.abs(f) < 1e-4 || Math.abs(f - 2) < 1e-4)).toBe(true);
      expect(values.some((f) => f === 0) && values.some((f) => f !== 0)).toBe(true);
    }
  });

  it("gaussianDropout multiplies by N(1, rate / (1 - rate)) and gaussianNoise adds N(0, stddev^2), both with the matching gradient", () => {
    const gd = trainOn(new GaussianDropout({ rate: 0.3 }), x, dy, 7);
    const factors = Array.from(gd.y.data, (v, i) => v / x.data[i]);
    const m = moments(factors);
    expect(Math.abs(m.mean - 1)).toBeLessThan(0.02);
    expect(Math.abs(m.std - Math.sqrt(0.3 / 0.7)) / Math.sqrt(0.3 / 0.7)).toBeLessThan(0.02);
    for (let i = 0; i < N; i++) expect(gd.dx.data[i]).toBeCloseTo(dy.data[i] * factors[i], 3);
    const gn = trainOn(new GaussianNoise({ stddev: 0.4 }), x, dy, 8);
    const noise = moments(Array.from(gn.y.data, (v, i) => v - x.data[i]));
    expect(Math.abs(noise.mean)).toBeLessThan(0.01);
    expect(Math.abs(noise.std - 0.4) / 0.4).toBeLessThan(0.02);
    expect(Array.from(gn.dx.data)).toEqual(Array.from(dy.data));
  });

  it("alphaDropout keeps a standard normal input's mean and variance, and its gradient is the affine factor on kept values", () => {
    const random = createRandom(9);
    const normal: Tensor = { shape: [8, N / 8], data: Float32Array.from({ length: N }, () => normalDraw(random)) };
    const rate = 0.2;
    const { y, dx } = trainOn(new AlphaDropout({ rate }), normal, dy, 10);
    const m = moments(y.data);
    expect(Math.abs(m.mean)).toBeLessThan(0.03);
    expect(Math.abs(m.std - 1)).toBeLessThan(0.03);
    const alphaP = -1.6732632423543772 * 1.0507009873554805;
    const a = ((1 - rate) * (1 + rate * alphaP * alphaP)) ** -0.5;
    const b = -a * alphaP * rate;
    let dropped = 0;
    for (let i = 0; i < N; i++) {
      const kept = Math.abs(y.data[i] - (a * alphaP + b)) > 1e-6;
      if (!kept) dropped++;
      expect(dx.data[i]).toBeCloseTo(kept ? a * dy.data[i] : 0, 5);
    }
    expect(Math.abs(dropped / N - rate)).toBeLessThan(0.01);
  });
});
