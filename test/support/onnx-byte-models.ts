/**
 * Small models whose ONNX bytes are pinned in `test/fixtures/onnx/`: every
 * way the export lays out a weight (conv kernels of rank 1 to 3, depthwise
 * and separable kernels, transposed kernels, dense, recurrent gates, moving
 * statistics), a layer applied twice and a nested model (whose weights are
 * Constant nodes). Seeded, so that the same code writes the same bytes.
 */
import { add, clearSession, input, layers, model } from "../../src/index.js";
import type { Model } from "../../src/index.js";

/** One pinned model: its fixture name and how to build it. */
export interface PinnedModel {
  readonly name: string;
  readonly build: () => Model;
}

export const PINNED_MODELS: readonly PinnedModel[] = [
  {
    name: "convolutions",
    build: () => {
      clearSession();
      const x = input({ shape: [8, 8, 3] });
      const y = x
        .conv2d({ filters: 5, kernelSize: [3, 2], padding: "same", activation: "relu" })
        .depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2 })
        .separableConv2d({ filters: 4, kernelSize: 3, depthMultiplier: 2, padding: "same" })
        .conv2dTranspose({ filters: 3, kernelSize: 3, strides: 2 })
        .conv2d({ filters: 6, kernelSize: 3, groups: 3, useBias: false })
        .batchNormalization()
        .maxPooling2d()
        .flatten()
        .dense({ units: 7, activation: "softmax" });
      return model({ inputs: x, outputs: y, seed: 11 }) as unknown as Model;
    },
  },
  {
    name: "ranks-1-and-3",
    build: () => {
      clearSession();
      const a = input({ shape: [9, 3], name: "a" });
      const b = input({ shape: [3, 4, 4, 2], name: "b" });
      const ya = a
        .conv1d({ filters: 4, kernelSize: 3, padding: "causal" })
        .depthwiseConv1d({ kernelSize: 2, depthMultiplier: 3 })
        .separableConv1d({ filters: 2, kernelSize: 2 })
        .conv1dTranspose({ filters: 3, kernelSize: 3, strides: 2, padding: "same" });
      const yb = b.conv3d({ filters: 3, kernelSize: [2, 3, 3], padding: "same" }).conv3dTranspose({ filters: 2, kernelSize: 2, strides: 2 });
      return model({ inputs: [a, b], outputs: [ya, yb], seed: 12 }) as unknown as Model;
    },
  },
  {
    name: "recurrent-shared-nested",
    build: () => {
      clearSession();
      const ix = input({ shape: [6, 6, 2] });
      const inner = model({ inputs: ix, outputs: ix.conv2d({ filters: 3, kernelSize: 3 }).globalAveragePooling2d(), name: "inner", seed: 13 });
      const left = input({ shape: [6, 6, 2], name: "left" });
      const right = input({ shape: [6, 6, 2], name: "right" });
      const seq = input({ shape: [5, 4], name: "seq" });
      const lstm = seq.lstm({ units: 3 });
      const gru = seq.gru({ units: 2 }).dense({ units: 3 });
      // A layer value applied twice: its kernel is written once and read by both calls.
      const shared = layers.conv2d({ filters: 3, kernelSize: 2, name: "shared_conv" });
      const both = add([shared.apply(left), shared.apply(right)]).globalMaxPooling2d();
      const y = add([inner.apply(left), inner.apply(right), lstm, gru, both]);
      return model({ inputs: [left, right, seq], outputs: y, seed: 14 }) as unknown as Model;
    },
  },
];
