/**
 * The backward passes of every convolution layer against TensorFlow.js's
 * gradients (cpu backend) on generated sizes and options: 1-, 2- and 3-D
 * convolutions with groups, causal padding, dilations and channels-first
 * data; depthwise and separable convolutions; transposed convolutions.
 * TF.js differentiates no dilated convolution (dilated kernels stand in for
 * them), no 3-D transposed convolution, and has no transposed convolution
 * with output padding or dilation: those are left to the finite-difference test.
 */
import * as tf from "@tensorflow/tfjs";
import fc from "fast-check";
import { afterAll, beforeAll, describe, it } from "vitest";
import {
  Conv1D,
  Conv1DTranspose,
  Conv2D,
  Conv2DTranspose,
  Conv3D,
  DepthwiseConv1D,
  DepthwiseConv2D,
  SeparableConv1D,
  SeparableConv2D,
} from "../../src/layers/convolutional.js";
import type { Layer } from "../../src/layers/layer.js";
import { checkLayer, worstLines } from "../support/gradient-check.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
  await tf.ready();
});

afterAll(() => {
  console.log(`convolution gradients against TF.js: largest scaled difference per group\n${worstLines()}\nTF.js tensors left: ${tf.memory().numTensors}`);
});

const small = (min: number, max: number) => fc.integer({ min, max });
const seedArb = fc.integer({ min: 0, max: 1e6 });

const ACTS: Record<string, (t: tf.Tensor) => tf.Tensor> = {
  linear: (t) => t,
  tanh: (t) => t.tanh(),
  sigmoid: (t) => t.sigmoid(),
  softmax: (t) => tf.softmax(t),
};

/** Channels-first data to channels-last and back, for a batch of `rank` spatial axes. */
const toLast = (rank: number) => [0, ...Array.from({ length: rank }, (_, i) => i + 2), 1];
const toFirst = (rank: number) => [0, rank + 1, ...Array.from({ length: rank }, (_, i) => i + 1)];

/**
 * A kernel with `d - 1` zeros between its taps along each spatial axis, made
 * by products with 0/1 matrices so that TF.js differentiates it (TF.js has no
 * gradient for dilated convolutions).
 */
function dilateKernel(k: tf.Tensor, rank: number, d: number): tf.Tensor {
  let out = k;
  for (let axis = 0; axis < rank; axis++) {
    const size = out.shape[axis];
    const span = (size - 1) * d + 1;
    const pick = tf.buffer([span, size]);
    for (let i = 0; i < size; i++) pick.set(1, i * d, i);
    const order = [axis, ...out.shape.map((_, a) => a).filter((a) => a !== axis)];
    const moved = out.transpose(order);
    const rest = moved.shape.slice(1);
    const spread = pick
      .toTensor()
      .matMul(moved.reshape([size, -1]))
      .reshape([span, ...rest]);
    const back = order.map((_, a) => order.indexOf(a));
    out = spread.transpose(back);
  }
  return out;
}

/** A channels-last convolution in TF.js: 1-D as 2-D over one row, groups as convolutions of channel slices, dilations as dilated kernels. */
function tfConv(x: tf.Tensor, k0: tf.Tensor, rank: number, strides: number[], padding: "same" | "valid", dilation: number[], groups: number): tf.Tensor {
  const k = dilation[0] > 1 ? dilateKernel(k0, rank, dilation[0]) : k0;
  const one = (t: tf.Tensor, kern: tf.Tensor): tf.Tensor => {
    if (rank === 3) return tf.conv3d(t as tf.Tensor5D, kern as tf.Tensor5D, strides as [number, number, number], padding, "NDHWC");
    const t4 = rank === 1 ? t.expandDims(1) : t;
    const k4 = rank === 1 ? kern.expandDims(0) : kern;
    const s = rank === 1 ? [1, strides[0]] : strides;
    const y = tf.conv2d(t4 as tf.Tensor4D, k4 as tf.Tensor4D, s as [number, number], padding, "NHWC");
    return rank === 1 ? y.squeeze([1]) : y;
  };
  if (groups === 1) return one(x, k);
  const xs = tf.split(x, groups, -1);
  const ks = tf.split(k, groups, -1);
  return tf.concat(
    xs.map((t, g) => one(t, ks[g])),
    -1,
  );
}

describe("convolutions", () => {
  it("conv1d, conv2d and conv3d: groups, strides or dilations, valid, same and causal padding, both data formats, activations", () => {
    fc.assert(
      fc.property(
        small(1, 3),
        small(1, 2),
        fc.array(small(3, 6), { minLength: 3, maxLength: 3 }),
        small(1, 2),
        small(1, 3),
        small(1, 3),
        small(1, 3),
        fc.constantFrom("valid", "same", "causal"),
        fc.boolean(),
        fc.constantFrom("linear", "tanh", "softmax"),
        fc.boolean(),
        seedArb,
        (rank, n, sizes, groupsDraw, perGroup, filtersPerGroup, kSize, pad, first, activation, dilate, seed) => {
          const spatial = sizes.slice(0, rank);
          const groups = groupsDraw;
          const channels = groups * perGroup;
          const filters = groups * filtersPerGroup;
          // A softmax over an axis of one value has no gradient to compare: "same" keeps two or more.
          const padding = activation === "softmax" ? "same" : rank === 1 ? pad : pad === "causal" ? "same" : pad;
          const dilation = dilate ? 2 : 1;
          // Keras takes strides or dilations above 1, not both.
          const stride = dilation > 1 ? 1 : 1 + (seed % 2);
          // TF.js's conv3d starts "same" windows late where the stride exceeds the kernel (it does not clamp a negative padding at 0 as Keras does).
          const kMin = rank === 3 && padding === "same" ? stride : 1;
          const k = spatial.map((d) => Math.max(kMin, Math.min(kSize, Math.floor((d - 1) / dilation) + 1)));
          const cf = first && padding !== "causal";
          const shape = cf ? [n, channels, ...spatial] : [n, ...spatial, channels];
          const Conv = [Conv1D, Conv2D, Conv3D][rank - 1];
          const layer = new Conv({
            filters,
            kernelSize: rank === 1 ? k[0] : k,
            strides: rank === 1 ? stride : spatial.map(() => stride),
            dilationRate: rank === 1 ? dilation : spatial.map(() => dilation),
            padding,
            groups,
            activation,
            // A channels-first softmax runs along a spatial axis, where a bias is a constant shift: its gradient is zero up to rounding.
            useBias: !(cf && activation === "softmax"),
            dataFormat: cf ? "channelsFirst" : "channelsLast",
          });
          checkLayer(
            `conv${rank}d${groups > 1 ? " grouped" : ""}${padding === "causal" ? " causal" : ""}${cf ? " channelsFirst" : ""}${dilation > 1 ? " dilated" : ""}`,
            layer,
            [shape],
            ([x0], [kernel, bias]) => {
              let x = cf ? x0.transpose(toLast(rank)) : x0;
              // Keras's causal padding: d * (k - 1) zeros in front, then "valid".
              if (padding === "causal")
                x = x.pad([
                  [0, 0],
                  [dilation * (k[0] - 1), 0],
                  [0, 0],
                ]);
              const strides = spatial.map(() => stride);
              const dilations = spatial.map(() => dilation);
              const conv = tfConv(x, kernel, rank, strides, padding === "causal" ? "valid" : padding, dilations, groups);
              const y = bias === undefined ? conv : conv.add(bias);
              return ACTS[activation](cf ? y.transpose(toFirst(rank)) : y);
            },
            seed,
          );
        },
      ),
      { numRuns: 60, seed: 31 },
    );
  });

  it("depthwiseConv1d/2d and separableConv1d/2d: depth multipliers, strides, paddings, bias or none, both data formats", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(1, 2),
        small(1, 2),
        small(3, 6),
        small(3, 6),
        small(1, 3),
        small(1, 2),
        small(1, 3),
        small(1, 3),
        fc.constantFrom("valid", "same") as fc.Arbitrary<"valid" | "same">,
        fc.boolean(),
        fc.boolean(),
        seedArb,
        (rank, n, h, w, channels, depthMultiplier, filters, kSize, padding, useBias, first, seed) => {
          const spatial = rank === 1 ? [w] : [h, w];
          const k = spatial.map((d) => Math.min(kSize, d));
          const stride = 1 + (seed % 2);
          const shape = first ? [n, channels, ...spatial] : [n, ...spatial, channels];
          const format = { dataFormat: first ? "channelsFirst" : "channelsLast" };
          const common = { kernelSize: rank === 1 ? k[0] : k, strides: rank === 1 ? stride : [stride, stride], padding, depthMultiplier, useBias, ...format };
          const depthwise = (x: tf.Tensor, dk: tf.Tensor): tf.Tensor => {
            const x4 = rank === 1 ? x.expandDims(1) : x;
            const k4 = rank === 1 ? dk.expandDims(0) : dk;
            const y = tf.depthwiseConv2d(x4 as tf.Tensor4D, k4 as tf.Tensor4D, rank === 1 ? [1, stride] : [stride, stride], padding);
            return rank === 1 ? y.squeeze([1]) : y;
          };
          const wrap = (f: (x: tf.Tensor, ws: tf.Tensor[]) => tf.Tensor) => (xs: tf.Tensor[], ws: tf.Tensor[]) => {
            const x = first ? xs[0].transpose(toLast(rank)) : xs[0];
            const y = f(x, ws);
            return first ? y.transpose(toFirst(rank)) : y;
          };
          const Depthwise = rank === 1 ? DepthwiseConv1D : DepthwiseConv2D;
          checkLayer(
            `depthwiseConv${rank}d`,
            new Depthwise(common) as Layer,
            [shape],
            wrap((x, [dk, b]) => (useBias ? depthwise(x, dk).add(b) : depthwise(x, dk))),
            seed,
          );
          const Separable = rank === 1 ? SeparableConv1D : SeparableConv2D;
          checkLayer(
            `separableConv${rank}d`,
            new Separable({ ...common, filters, activation: "tanh" }) as Layer,
            [shape],
            wrap((x, [dk, pk, b]) => {
              const d = depthwise(x, dk);
              const y = d.reshape([-1, channels * depthMultiplier]).matMul(pk.reshape([channels * depthMultiplier, filters]));
              const shaped = y.reshape([...d.shape.slice(0, -1), filters]);
              return (useBias ? shaped.add(b) : shaped).tanh();
            }),
            seed,
          );
        },
      ),
      { numRuns: 40, seed: 32 },
    );
  });

  it("conv1dTranspose and conv2dTranspose: strides, both paddings, both data formats", () => {
    fc.assert(
      fc.property(
        small(1, 2),
        small(1, 2),
        fc.array(small(1, 4), { minLength: 3, maxLength: 3 }),
        small(1, 3),
        small(1, 3),
        small(1, 3),
        small(1, 3),
        fc.constantFrom("valid", "same") as fc.Arbitrary<"valid" | "same">,
        fc.boolean(),
        seedArb,
        (rank, n, sizes, channels, filters, kSize, stride, padding, first, seed) => {
          const spatial = sizes.slice(0, rank);
          const k = spatial.map(() => kSize);
          const shape = first ? [n, channels, ...spatial] : [n, ...spatial, channels];
          const Transpose = [Conv1DTranspose, Conv2DTranspose][rank - 1];
          const layer = new Transpose({
            filters,
            kernelSize: rank === 1 ? k[0] : k,
            strides: rank === 1 ? stride : spatial.map(() => stride),
            padding,
            dataFormat: first ? "channelsFirst" : "channelsLast",
          });
          checkLayer(
            `conv${rank}dTranspose${first ? " channelsFirst" : ""}`,
            layer,
            [shape],
            ([x0], [kernel, bias]) => {
              const x = first ? x0.transpose(toLast(rank)) : x0;
              const out = layer.outputShape!.map((d) => d ?? n);
              const outLast = (first ? toLast(rank).map((a) => out[a]) : out) as number[];
              const x4 = rank === 1 ? x.expandDims(1) : x;
              const k4 = rank === 1 ? kernel.expandDims(0) : kernel;
              const o4 = rank === 1 ? [outLast[0], 1, ...outLast.slice(1)] : outLast;
              let y = tf.conv2dTranspose(
                x4 as tf.Tensor4D,
                k4 as tf.Tensor4D,
                o4 as [number, number, number, number],
                rank === 1 ? [1, stride] : stride,
                padding,
              );
              if (rank === 1) y = y.squeeze([1]);
              y = y.add(bias);
              return first ? y.transpose(toFirst(rank)) : y;
            },
            seed,
          );
        },
      ),
      { numRuns: 40, seed: 33 },
    );
  });
});
