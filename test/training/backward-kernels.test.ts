import * as tf from "@tensorflow/tfjs";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { ACTIVATIONS, activate } from "../../src/kernels/activations.js";
import { conv2d } from "../../src/kernels/conv2d.js";
import { averagePool2d } from "../../src/kernels/pooling.js";
import { activationBackward } from "../../src/kernels/activations-backward.js";
import { conv2dBackward } from "../../src/kernels/conv2d-backward.js";
import { denseBackward } from "../../src/kernels/dense-backward.js";
import { pool2dBackward } from "../../src/kernels/pooling-backward.js";
import { createRandom } from "../../src/kernels/random.js";
import type { Tensor } from "../../src/kernels/tensor.js";
import { randomTensor as seededTensor } from "../support/layer-harness.js";
import { scaledDifference } from "../support/compare.js";

/**
 * Every backward kernel against TensorFlow.js's gradients (cpu backend) of
 * the same forward operation, on generated shapes and options: the gradient
 * of sum(forward(x) * dy) with respect to each argument.
 */
beforeAll(async () => {
  await tf.setBackend("cpu");
  await tf.ready();
});

/** Values in [-1, 1) from a generator seeded per call, so each case is reproducible on its own. */
const randomTensor = (shape: number[], seed: number): Tensor => seededTensor(shape, createRandom(seed), -1, 1);

const tfOf = (t: Tensor) => tf.tensor(t.data, [...t.shape]);

/**
 * The gradient of sum(f(x) * dy) for an f linear in x, read exactly off the
 * forward kernel by feeding it each unit vector: the oracle where TF.js has
 * no gradient (dilated convolutions) or a different one (its "same" average
 * pooling gradient divides by the whole window, unlike its own forward pass).
 */
function linearGradient(f: (x: Tensor) => Tensor, shape: number[], dy: Tensor): Float32Array {
  const size = shape.reduce((a, b) => a * b, 1);
  const g = new Float32Array(size);
  const unit: Tensor = { shape, data: new Float32Array(size) };
  for (let i = 0; i < size; i++) {
    unit.data[i] = 1;
    const y = f(unit).data;
    unit.data[i] = 0;
    let s = 0;
    for (let j = 0; j < y.length; j++) s += y[j] * dy.data[j];
    g[i] = s;
  }
  return g;
}

describe("backward kernels against TF.js gradients", () => {
  it("conv2d: input, kernel and bias, over strides, dilations and both paddings", () => {
    let worst = 0;
    fc.assert(
      fc.property(
        fc.record({
          n: fc.integer({ min: 1, max: 2 }),
          h: fc.integer({ min: 3, max: 9 }),
          w: fc.integer({ min: 3, max: 9 }),
          cin: fc.integer({ min: 1, max: 5 }),
          cout: fc.integer({ min: 1, max: 6 }),
          kh: fc.integer({ min: 1, max: 3 }),
          kw: fc.integer({ min: 1, max: 3 }),
          s: fc.integer({ min: 1, max: 2 }),
          d: fc.integer({ min: 1, max: 2 }),
          same: fc.boolean(),
          seed: fc.integer({ min: 0, max: 1e6 }),
        }),
        (c) => {
          const d = c.s > 1 ? 1 : c.d; // TF.js refuses strides and dilation both above 1, as Keras does
          if (!c.same && (c.h < d * (c.kh - 1) + 1 || c.w < d * (c.kw - 1) + 1)) return;
          const x = randomTensor([c.n, c.h, c.w, c.cin], c.seed);
          const k = randomTensor([c.kh, c.kw, c.cin, c.cout], c.seed + 1);
          const padding = c.same ? "same" : "valid";
          const yShape = tf.tidy(() => tf.conv2d(tfOf(x) as tf.Tensor4D, tfOf(k) as tf.Tensor4D, c.s, padding, "NHWC", d).shape);
          const dy = randomTensor(yShape, c.seed + 2);
          const ours = conv2dBackward(x, k, dy, { strides: [c.s, c.s], dilationRate: [d, d], padding });
          const options = { strides: [c.s, c.s], dilationRate: [d, d], padding } as const;
          const [gx, gk] =
            d > 1
              ? [
                  linearGradient((a) => conv2d(a, k, null, options), x.shape as number[], dy),
                  linearGradient((b) => conv2d(x, b, null, options), k.shape as number[], dy),
                ]
              : tf.tidy(() => {
                  const f = (a: tf.Tensor, b: tf.Tensor) =>
                    tf
                      .conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.s, padding, "NHWC", d)
                      .mul(tfOf(dy))
                      .sum();
                  return tf
                    .grads(f)([tfOf(x), tfOf(k)])
                    .map((g) => g.dataSync() as Float32Array);
                });
          const db = tf.tidy(() => tfOf(dy).sum([0, 1, 2]).dataSync() as Float32Array);
          worst = Math.max(worst, scaledDifference(ours.input.data, gx), scaledDifference(ours.kernel.data, gk), scaledDifference(ours.bias.data, db));
          expect(worst).toBeLessThan(1e-5);
        },
      ),
      { numRuns: 150, seed: 11 },
    );
    console.log(`conv2d backward: largest scaled difference from TF.js ${worst.toExponential(2)}`);
  });

  it("dense: input, kernel and bias, for inputs of rank 2 and 3", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 1, max: 7 }),
        fc.boolean(),
        (n, t, inDim, units, rank3) => {
          const xShape = rank3 ? [n, t, inDim] : [n, inDim];
          const x = randomTensor(xShape, n * 7 + inDim);
          const k = randomTensor([inDim, units], units);
          const dy = randomTensor([...xShape.slice(0, -1), units], 3);
          const ours = denseBackward(x, k, dy);
          const [gx, gk] = tf.tidy(() =>
            tf
              .grads((a: tf.Tensor, b: tf.Tensor) =>
                tf
                  .dot(a.reshape([-1, inDim]), b)
                  .mul(tfOf(dy).reshape([-1, units]))
                  .sum(),
              )([tfOf(x), tfOf(k)])
              .map((g) => g.dataSync() as Float32Array),
          );
          expect(scaledDifference(ours.input.data, gx)).toBeLessThan(1e-5);
          expect(scaledDifference(ours.kernel.data, gk)).toBeLessThan(1e-5);
        },
      ),
      { numRuns: 60, seed: 12 },
    );
  });

  for (const kind of ["max", "avg"] as const) {
    it(`${kind} pooling 2-D, both paddings`, () => {
      fc.assert(
        fc.property(
          fc.record({
            n: fc.integer({ min: 1, max: 2 }),
            h: fc.integer({ min: 2, max: 8 }),
            w: fc.integer({ min: 2, max: 8 }),
            c: fc.integer({ min: 1, max: 4 }),
            p: fc.integer({ min: 1, max: 3 }),
            s: fc.integer({ min: 1, max: 3 }),
            same: fc.boolean(),
            seed: fc.integer({ min: 0, max: 1e6 }),
          }),
          (c) => {
            if (!c.same && (c.h < c.p || c.w < c.p)) return;
            const padding = c.same ? "same" : "valid";
            const x = randomTensor([c.n, c.h, c.w, c.c], c.seed);
            const pool = (a: tf.Tensor) => (kind === "max" ? tf.maxPool(a as tf.Tensor4D, c.p, c.s, padding) : tf.avgPool(a as tf.Tensor4D, c.p, c.s, padding));
            const yShape = tf.tidy(() => pool(tfOf(x)).shape);
            const dy = randomTensor(yShape, c.seed + 1);
            const ours = pool2dBackward(kind, x, dy, { poolSize: [c.p, c.p], strides: [c.s, c.s], padding });
            const g =
              kind === "avg" && c.same
                ? linearGradient((a) => averagePool2d(a, { poolSize: [c.p, c.p], strides: [c.s, c.s], padding }), x.shape as number[], dy)
                : tf.tidy(
                    () =>
                      tf
                        .grad((a: tf.Tensor) => pool(a).mul(tfOf(dy)).sum())(tfOf(x))
                        .dataSync() as Float32Array,
                  );
            expect(scaledDifference(ours.data, g)).toBeLessThan(1e-5);
          },
        ),
        { numRuns: 80, seed: 13 },
      );
    });
  }

  it("every activation against central differences of the forward kernel", () => {
    for (const name of ACTIVATIONS) {
      const shape = [3, 5];
      const z = randomTensor(shape, 99);
      for (let i = 0; i < z.data.length; i++) z.data[i] *= 4;
      const y = activate(name, z);
      const dy = randomTensor(shape, 7);
      const dz = activationBackward(name, shape, z.data, y.data, dy.data);
      for (let i = 0; i < z.data.length; i++) {
        const keep = z.data[i];
        const h = 1e-3;
        z.data[i] = keep + h;
        const upAt = z.data[i];
        const up = activate(name, z).data;
        z.data[i] = keep - h;
        const downAt = z.data[i];
        const down = activate(name, z).data;
        z.data[i] = keep;
        let numeric = 0;
        for (let j = 0; j < up.length; j++) numeric += ((up[j] - down[j]) / (upAt - downAt)) * dy.data[j];
        // float32 outputs limit central differences to about 1e-3 of the slope
        expect(Math.abs(dz[i] - numeric), `${name} element ${i}`).toBeLessThan(2e-3 * Math.max(1, Math.abs(numeric)));
      }
    }
  });
});
