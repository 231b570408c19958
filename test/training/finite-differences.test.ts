/**
 * Backward passes against central finite differences, for the layers and
 * options TensorFlow.js cannot differentiate (3-D and dilated transposed
 * convolutions, output padding, dilated depthwise and separable
 * convolutions) and for the recurrent and attention layers: the directional
 * derivative of L = Σ y · dy along a random direction of every input and
 * weight, (L(θ + εu) − L(θ − εu)) / 2ε summed in float64, against Σ g · u.
 * Convolutions are linear in their input and in their kernel (L is
 * quadratic in the pair), so there the central difference is exact up to
 * float32 rounding of the forward pass; a separable convolution is cubic in
 * its input and two kernels and takes a small step. Bilinear resizing (and
 * the center crop of an image smaller than the crop, a bilinear resize) has
 * no TensorFlow.js oracle: its gradient kernel ignores half-pixel centres.
 */
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { clearSession } from "../../src/index.js";
import { createRandom } from "../../src/kernels/random.js";
import type { Tensor } from "../../src/kernels/tensor.js";
import { MultiHeadAttention } from "../../src/layers/attention.js";
import { CenterCrop, Resizing } from "../../src/layers/preprocessing.js";
import { Conv1DTranspose, Conv2DTranspose, Conv3D, Conv3DTranspose, DepthwiseConv2D, SeparableConv1D } from "../../src/layers/convolutional.js";
import type { Layer } from "../../src/layers/layer.js";
import { GRU, LSTM, SimpleRNN } from "../../src/layers/recurrent.js";
import { randomTensor, record, worstLines } from "../support/gradient-check.js";

afterAll(() => {
  console.log(`backward passes against central finite differences: largest relative difference per group\n${worstLines()}`);
});

/** The relative difference between the directional derivative and Σ g · u, for one layer, one draw. */
function directional(layer: Layer, shapes: number[][], seed: number, eps: number): number {
  clearSession();
  (layer.apply as (...s: unknown[]) => unknown).call(layer, ...shapes);
  const specs = layer.weightSpecs();
  const weights = specs.map((spec, i) => randomTensor(spec.shape, seed * 31 + 100 + i));
  layer.weights = weights;
  const xs = shapes.map((s, i) => randomTensor(s, seed * 31 + i));
  const context = { random: createRandom(seed) };
  const { output, saved } = layer.callTraining(xs, context);
  const dy = randomTensor(output.shape, seed * 31 + 50);
  const g = layer.gradients!(dy, xs, output, saved);
  const params = [...xs, ...weights];
  const grads = [...g.inputs, ...g.weights];
  const dirs = params.map((t, i) => randomTensor(t.shape, seed * 31 + 200 + i));
  let predicted = 0;
  grads.forEach((t, i) => {
    for (let j = 0; j < t!.data.length; j++) predicted += t!.data[j] * dirs[i].data[j];
  });
  const loss = (sign: number): number => {
    const moved = params.map((t, i): Tensor => ({ shape: t.shape, data: Float32Array.from(t.data, (v, j) => v + sign * eps * dirs[i].data[j]) }));
    layer.weights = moved.slice(xs.length);
    const y = layer.callTraining(moved.slice(0, xs.length), context).output;
    let sum = 0;
    for (let j = 0; j < y.data.length; j++) sum += y.data[j] * dy.data[j];
    return sum;
  };
  const measured = (loss(1) - loss(-1)) / (2 * eps);
  return Math.abs(measured - predicted) / Math.max(1e-3, Math.abs(predicted));
}

const small = (min: number, max: number) => fc.integer({ min, max });
const seedArb = fc.integer({ min: 0, max: 1e6 });

describe("central finite differences", () => {
  it("transposed convolutions in 1, 2 and 3 dimensions with dilations and output padding; dilated 3-D, depthwise and separable convolutions", () => {
    fc.assert(
      fc.property(
        small(1, 2),
        small(2, 4),
        small(1, 3),
        small(1, 3),
        small(1, 2),
        fc.boolean(),
        fc.boolean(),
        seedArb,
        (n, size, ch, filters, stride, same, dilate, seed) => {
          const padding = same ? "same" : "valid";
          // Keras takes strides or dilations above 1, not both; output padding below the stride.
          const dilation = dilate && stride === 1 ? 2 : 1;
          const outputPadding = stride > 1 ? seed % stride : undefined;
          const cases: [string, Layer, number[]][] = [
            [
              "conv1dTranspose",
              new Conv1DTranspose({ filters, kernelSize: 2, strides: stride, dilationRate: dilation, padding, outputPadding }),
              [n, size, ch],
            ],
            [
              "conv2dTranspose",
              new Conv2DTranspose({
                filters,
                kernelSize: [2, 3],
                strides: stride,
                dilationRate: dilation,
                padding,
                outputPadding,
                dataFormat: seed % 2 ? "channelsFirst" : "channelsLast",
              }),
              [n, size, size + 1, ch],
            ],
            ["conv3dTranspose", new Conv3DTranspose({ filters, kernelSize: 2, strides: stride, padding, outputPadding }), [n, size, size, 2, ch]],
            [
              "conv3d dilated",
              new Conv3D({ filters: 2 * filters, kernelSize: 2, dilationRate: dilation, padding, groups: ch % 2 === 0 ? 2 : 1 }),
              [n, size + 1, size + 1, 3, ch],
            ],
            [
              "depthwiseConv2d dilated",
              new DepthwiseConv2D({ kernelSize: 2, dilationRate: dilation, padding, depthMultiplier: 2 }),
              [n, size + 1, size + 1, ch],
            ],
            ["separableConv1d dilated", new SeparableConv1D({ filters, kernelSize: 2, dilationRate: dilation, padding }), [n, size + 2, ch]],
          ];
          for (const [group, layer, shape] of cases) {
            const cubic = group.startsWith("separable");
            const d = directional(layer, [shape], seed, cubic ? 1e-2 : 0.5);
            record(group, d);
            expect(d, `${group} (seed ${seed})`).toBeLessThan(cubic ? 1e-3 : 1e-4);
          }
        },
      ),
      { numRuns: 25, seed: 51 },
    );
  });

  it("bilinear resizing up and down, with and without cropToAspectRatio, and centerCrop of an image smaller than the crop", () => {
    fc.assert(
      fc.property(
        small(1, 2),
        small(1, 7),
        small(1, 7),
        small(1, 3),
        small(1, 7),
        small(1, 7),
        small(0, 3),
        fc.boolean(),
        seedArb,
        (n, h, w, ch, height, width, grow, crop, seed) => {
          const cases: [string, Layer][] = [
            ["resizing bilinear", new Resizing({ height, width, interpolation: "bilinear", cropToAspectRatio: crop })],
            // Larger than the image along at least one axis: Keras resizes instead of cropping.
            ["centerCrop smaller image", new CenterCrop({ height: h + 1 + grow, width: crop ? w : w + grow })],
          ];
          for (const [group, layer] of cases) {
            // Linear in the input: the central difference is exact up to float32 rounding.
            const d = directional(layer, [[n, h, w, ch]], seed, 0.5);
            record(group, d);
            expect(d, `${group} (seed ${seed})`).toBeLessThan(1e-4);
          }
        },
      ),
      { numRuns: 60, seed: 53 },
    );
  });

  it("simpleRNN, lstm, gru and multiHeadAttention", () => {
    fc.assert(
      fc.property(
        small(1, 2),
        small(1, 4),
        small(1, 3),
        small(1, 3),
        fc.boolean(),
        fc.boolean(),
        seedArb,
        (n, steps, features, units, sequences, resetAfter, seed) => {
          const common = { units, returnSequences: sequences };
          const cases: [string, Layer, number[][]][] = [
            ["simpleRNN", new SimpleRNN(common), [[n, steps, features]]],
            ["lstm", new LSTM(common), [[n, steps, features]]],
            ["gru", new GRU({ ...common, resetAfter }), [[n, steps, features]]],
            [
              "multiHeadAttention",
              new MultiHeadAttention({ numHeads: 2, keyDim: units }),
              [
                [n, steps, features],
                [n, 2, features + 1],
              ],
            ],
          ];
          for (const [group, layer, shapes] of cases) {
            // Float32 forward passes: a step large enough for their rounding, small enough for the curvature.
            const d = directional(layer, shapes, seed, 1e-2);
            record(group, d);
            expect(d, `${group} (seed ${seed})`).toBeLessThan(5e-3);
          }
        },
      ),
      { numRuns: 25, seed: 52 },
    );
  });
});
