/**
 * Run as a script (`node --import tsx test/support/kernel-builds.ts`, under
 * whatever engine flags and `SHAPEWISE_WASM_BUILD` the caller chose): puts
 * the build of the WebAssembly kernels the loader picked through the matrix
 * products and convolutions whose multiply-adds the relaxed SIMD build fuses
 * (dense with K blocks and tails, im2col and Winograd convolutions,
 * depthwise 3x3 and general, attention, layer normalisation, the recurrent
 * cells' step products and gates), each against the reference kernel,
 * and prints one JSON line: the build, whether relaxed SIMD validated, and
 * per case the largest difference scaled by max(1, |reference|) and whether
 * only WebAssembly kernels ran.
 */
import "../../src/node/index.js";
import type { ActivationName } from "../../src/kernels/activations.js";
import type { AttentionWeights } from "../../src/kernels/attention-mha.js";
import { kernelInfo, setKernelBackend } from "../../src/kernels/backend.js";
import { conv2dLayer, depthwise2dLayer } from "../../src/kernels/fast-conv.js";
import { denseLayer } from "../../src/kernels/fast-dense.js";
import { attentionLayer, layerNormLayer, recurrentLayer } from "../../src/kernels/fast-sequence.js";
import { profileCall } from "../../src/kernels/profile.js";
import type { LayerProfile } from "../../src/kernels/profile.js";
import { createRandom } from "../../src/kernels/random.js";
import type { CellKind } from "../../src/kernels/rnn-cells.js";
import type { Tensor } from "../../src/kernels/tensor.js";
import { relaxedSimdSupported } from "../../src/kernels/wasm.js";
import { maxScaledDiff } from "./scaled-diff.js";

let seed = 0;
function draw(shape: readonly number[], scale = 1): Tensor {
  const r = createRandom(++seed);
  return { shape: [...shape], data: Float32Array.from({ length: shape.reduce((p, d) => p * d, 1) }, () => (r.next() * 2 - 1) * scale) };
}

const cases: Record<string, { diff: number; kernel: string }> = {};
function compare(name: string, f: () => Tensor): void {
  setKernelBackend("fast");
  const rows: LayerProfile[] = [];
  const [fast] = profileCall(rows, name, name, [], () => [f()]);
  setKernelBackend("reference");
  const reference = f();
  cases[name] = { diff: maxScaledDiff(fast.data as Float32Array, reference.data as Float32Array), kernel: rows[0].kernel };
}

for (const [m, k, n, act] of [
  [5, 7, 3, "linear"],
  [37, 600, 19, "relu"],
  [64, 1100, 33, "linear"],
  [130, 96, 70, "relu6"],
] as const) {
  const x = draw([m, k]);
  const w = draw([k, n], 0.2);
  const b = draw([n]);
  const residual = draw([m, n]);
  compare(`dense ${m}x${k}x${n} ${act}`, () => denseLayer(x, w, b, act as ActivationName));
  compare(`dense ${m}x${k}x${n} + residual`, () => denseLayer(x, w, null, "linear", residual));
}
const convs: [number[], number[], number, number, "valid" | "same"][] = [
  [[2, 9, 7, 3], [5, 5, 3, 10], 2, 1, "same"],
  [[2, 6, 6, 70], [3, 3, 70, 9], 1, 1, "valid"],
  [[2, 8, 7, 32], [3, 3, 32, 36], 1, 1, "same"],
  [[1, 4, 6, 32], [3, 3, 32, 20], 1, 1, "valid"], // 2x4 outputs: Winograd F(2x2, 3x3); the two above take F(4x4, 3x3)
  [[1, 9, 9, 5], [3, 3, 5, 12], 1, 2, "same"],
];
for (const [xs, ks, s, d, padding] of convs) {
  const x = draw(xs);
  const kernel = draw(ks, 0.3);
  const b = draw([ks[3]]);
  const options = { strides: [s, s] as [number, number], dilationRate: [d, d] as [number, number], padding };
  compare(`conv2d ${xs.join("x")} k${ks.join("x")} s${s} d${d} ${padding}`, () => conv2dLayer(x, kernel, b, options, "relu"));
}
for (const [xs, ks, s, d, padding] of [
  [[2, 10, 9, 16], [3, 3, 16, 1], 1, 1, "same"],
  [[2, 9, 9, 24], [3, 3, 24, 1], 2, 1, "same"],
  [[1, 11, 11, 8], [5, 5, 8, 1], 1, 2, "valid"],
  [[1, 7, 7, 6], [3, 3, 6, 2], 1, 1, "same"],
] as [number[], number[], number, number, "valid" | "same"][]) {
  const x = draw(xs);
  const kernel = draw(ks, 0.5);
  const b = draw([ks[2] * ks[3]]);
  const options = { strides: [s, s] as [number, number], dilationRate: [d, d] as [number, number], padding };
  compare(`depthwise ${xs.join("x")} k${ks.join("x")} s${s} d${d} ${padding}`, () => depthwise2dLayer(x, kernel, b, options, "relu6"));
}
{
  const [batch, t, dModel, heads, kd, vd] = [2, 9, 24, 4, 8, 6];
  const x = draw([batch, t, dModel]);
  const weights: AttentionWeights = {
    queryKernel: draw([dModel, heads, kd], 0.5),
    queryBias: draw([heads, kd], 0.5),
    keyKernel: draw([dModel, heads, kd], 0.5),
    keyBias: draw([heads, kd], 0.5),
    valueKernel: draw([dModel, heads, vd], 0.5),
    valueBias: draw([heads, vd], 0.5),
    outputKernel: draw([heads, vd, dModel], 0.5),
    outputBias: draw([dModel], 0.5),
  };
  compare("attention 2x9x24, 4 heads", () => attentionLayer(x, x, x, weights, { numHeads: heads, keyDim: kd, valueDim: vd }));
}

for (const [rows, width, offset] of [
  [33, 128, 0],
  [5, 7, 0],
  [9, 130, 300],
]) {
  const x = draw([rows, width], 30);
  for (let i = 0; i < x.data.length; i++) x.data[i] += offset;
  const w = { gamma: draw([width]).data, beta: draw([width]).data, epsilon: 1e-3 };
  compare(`layer normalisation ${rows}x${width} around ${offset}`, () => layerNormLayer(x, [1], w));
}

for (const [kind, resetAfter, batch, units, goBackwards] of [
  ["lstm", true, 5, 13, false],
  ["gru", true, 6, 21, true],
  ["gru", false, 3, 10, false],
  ["simpleRNN", true, 9, 17, true],
] as [CellKind, boolean, number, number, boolean][]) {
  const [steps, features] = [11, 7];
  const width = (kind === "lstm" ? 4 : kind === "gru" ? 3 : 1) * units;
  const x = draw([batch, steps, features], 2);
  const weights = {
    kernel: draw([features, width], 0.6),
    recurrentKernel: draw([units, width], 0.6),
    bias: draw(kind === "gru" && resetAfter ? [2, width] : [width], 0.5),
  };
  const options = { units, activation: "tanh", recurrentActivation: "sigmoid", returnSequences: true, goBackwards, resetAfter } as const;
  compare(
    `${kind}${kind === "gru" && !resetAfter ? " (reset before)" : ""} ${batch}x${steps}x${features}, ${units} units`,
    () => recurrentLayer(kind, x, weights, options).output,
  );
}

setKernelBackend("fast");
const info = kernelInfo();
console.log(JSON.stringify({ build: info.build ?? null, reason: info.reason ?? null, relaxedSimd: relaxedSimdSupported(), cases }));
