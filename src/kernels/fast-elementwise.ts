/**
 * The element-wise layers on the fast kernels: activations (also applied
 * after a product whose epilogue does not fuse them), batch normalisation,
 * merges and zero padding, each falling back to its reference kernel.
 */
import { activate, isActivationName } from "./activations.js";
import type { ActivationName } from "./activations.js";
import { fast } from "./backend.js";
import { softmaxAt, unaryAt, unaryCode } from "./fast-activations.js";
import { padAnyLayer } from "./fast-copy.js";
import { axisAffineAt } from "./fast-norms.js";
import { batchNormInference, checkBatchNormWeights } from "./norm-batch.js";
import type { BatchNormWeights } from "./norm-batch.js";
import { padZeros } from "./reshape-ops.js";
import { addressIn, finish, outputOf, run, split, threadsFor } from "./run-scope.js";
import { checkTensor } from "./tensor.js";
import type { Tensor } from "./tensor.js";
import type { WasmKernels } from "./wasm.js";

/** Activations the kernels apply in their epilogue (codes of `asm/kernels.ts`). */
export function fusedCode(activation: ActivationName): number {
  return activation === "relu" ? 1 : activation === "relu6" ? 2 : 0;
}

/** Softmax's code in `asm/kernels.ts` `activation`, past the elementwise codes it shares with `unary64`. */
const SOFTMAX_CODE = 7;

/**
 * The code of an activation `asm/kernels.ts` `activation` computes: the
 * elementwise codes 0-6 of `unary64` (0-2 also fused into the products'
 * epilogue) and softmax; undefined for the others, which run on
 * `asm/elementwise.ts` (see `fast-activations.ts`).
 */
export function activationCode(name: ActivationName): number | undefined {
  if (name === "softmax") return SOFTMAX_CODE;
  const code = unaryCode(name);
  return code !== undefined && code < SOFTMAX_CODE ? code : undefined;
}

/** Elementwise kernels are bound by memory: a second thread pays off only on large tensors. */
const ELEMENTWISE_FLOPS_PER_FLOAT = 4;

/**
 * Applies `activation` to the `floats` values at `src` (shape `shape`),
 * writing them at `dst`, which may be `src`, on the WebAssembly kernels:
 * `activation` of `asm/kernels.ts` for its codes, `asm/elementwise.ts` for
 * the others (log-softmax on the last axis among them).
 */
function activateAt(k: WasmKernels, activation: ActivationName, shape: readonly number[], src: number, dst: number, floats: number): void {
  const code = activationCode(activation);
  if (floats === 0 || (code === 0 && src === dst)) return;
  if (code === undefined) {
    if (activation === "log_softmax") softmaxAt(k, shape, shape.length - 1, src, dst, true);
    // The elu activation is ELU with alpha 1; the others ignore the parameter.
    else unaryAt(k, unaryCode(activation)!, src, dst, floats, 1);
    return;
  }
  if (activation === "softmax") {
    const rowLen = shape[shape.length - 1];
    const rows = floats / rowLen;
    run(
      k,
      split(rows, threadsFor(floats * 20), 1).map(([r0, r1]) => ({ fn: "activation", args: [code, src, dst, rowLen, r0, r1] })),
    );
    return;
  }
  const perFloat = code <= 2 ? ELEMENTWISE_FLOPS_PER_FLOAT : 20;
  run(
    k,
    split(floats, threadsFor(floats * perFloat), 16).map(([s0, s1]) => ({ fn: "activation", args: [code, src, dst, 0, s0, s1] })),
  );
}

/** The activation a product's epilogue did not fuse, applied to its output before it leaves WebAssembly memory. */
export function applyRest(k: WasmKernels, activation: ActivationName, shape: readonly number[], ptr: number, floats: number): void {
  if (activation !== "linear" && fusedCode(activation) === 0) activateAt(k, activation, shape, ptr, ptr, floats);
}

/**
 * An activation layer's computation on the WebAssembly kernels, every
 * activation of the catalog (softmax and log-softmax on the last axis),
 * reading the input where the previous layer left it in WebAssembly memory;
 * {@link activate} when they are not chosen or the input is empty.
 *
 * @example
 * ```ts
 * const y = activationLayer("relu6", x);
 * ```
 */
export function activationLayer(activation: ActivationName, input: Tensor): Tensor {
  const k = fast();
  if (k === null || !isActivationName(activation)) return activate(activation, input);
  checkTensor(input, `activate(${activation})`);
  const floats = input.data.length;
  if (floats === 0 || ((activation === "softmax" || activation === "log_softmax") && input.shape.length === 0)) return activate(activation, input);
  const temps: number[] = [];
  const x = addressIn(k, input.data, temps);
  const out = outputOf(k, floats, temps);
  activateAt(k, activation, input.shape, x, out, floats);
  return { shape: [...input.shape], data: finish(k, out, floats, temps) };
}

/**
 * A batch normalisation's inference computation, with an optional fused
 * relu or relu6, on the WebAssembly kernels along any axis (the last one,
 * channels last as every convolution here writes, with the activation
 * fused), folded to one float32 multiply-add per value (the statistics folded in float64 and
 * rounded once; within float32 rounding of the reference);
 * {@link batchNormInference} when the kernels are not chosen.
 *
 * @example
 * ```ts
 * const y = batchNormLayer(x, 3, { gamma, beta, movingMean, movingVariance, epsilon: 1e-3 });
 * ```
 */
export function batchNormLayer(input: Tensor, axis: number, w: BatchNormWeights, activation: "linear" | "relu" | "relu6" = "linear"): Tensor {
  const k = fast();
  const rank = input.shape.length;
  const floats = input.data.length;
  if (k === null || floats === 0 || !Number.isInteger(axis) || axis < 0 || axis >= rank) {
    const out = batchNormInference(input, axis, w);
    return activation === "linear" ? out : activate(activation, out);
  }
  const channels = input.shape[axis];
  checkBatchNormWeights(w, channels);
  const temps: number[] = [];
  const x = addressIn(k, input.data, temps);
  // Folded once per call in float64 and rounded: scale = gamma / sqrt(variance + epsilon), shift = beta - mean * scale.
  const scales = new Float32Array(channels);
  const shifts = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    const scale = (w.gamma === null ? 1 : w.gamma[c]) / Math.sqrt(w.movingVariance[c] + w.epsilon);
    scales[c] = scale;
    shifts[c] = (w.beta === null ? 0 : w.beta[c]) - w.movingMean[c] * scale;
  }
  const out = outputOf(k, floats, temps);
  if (axis !== rank - 1) {
    // Another axis (channels first): the same multiply-add along it, the activation after.
    axisAffineAt(k, "axisScaleShift", input.shape, axis, scales, shifts, x, out);
    if (activation !== "linear") activateAt(k, activation, input.shape, out, out, floats);
    return { shape: [...input.shape], data: finish(k, out, floats, temps) };
  }
  const params = k.alloc(channels * 8);
  temps.push(params);
  k.view(params, channels).set(scales);
  k.view(params + channels * 4, channels).set(shifts);
  const pixels = floats / channels;
  const head = [x, out, channels, params, params + channels * 4, fusedCode(activation)];
  run(
    k,
    split(pixels, threadsFor(floats * ELEMENTWISE_FLOPS_PER_FLOAT), 1).map(([p0, p1]) => ({ fn: "channelScaleShift", args: [...head, p0, p1] })),
  );
  return { shape: [...input.shape], data: finish(k, out, floats, temps) };
}

/**
 * The element-wise merges the WebAssembly kernels compute.
 *
 * @example
 * ```ts
 * const kind: FastMerge = "add";
 * ```
 */
export type FastMerge = "add" | "subtract" | "multiply" | "average" | "maximum" | "minimum";

const MERGE_CODES: Readonly<Record<FastMerge, number>> = { add: 0, average: 0, subtract: 1, multiply: 2, maximum: 3, minimum: 4 };

/**
 * An element-wise merge of inputs of one shape on the WebAssembly kernels,
 * folding left in float32 as the reference merge does (the same bits), or
 * `null` when they are not chosen or the inputs broadcast, for the caller to
 * run the reference merge.
 *
 * @example
 * ```ts
 * const y = elementwiseMergeLayer("add", [a, b]) ?? referenceMerge("add", [a, b]);
 * ```
 */
export function elementwiseMergeLayer(kind: FastMerge, inputs: readonly Tensor[]): Tensor | null {
  const k = fast();
  const first = inputs[0];
  const floats = first.data.length;
  if (k === null || floats === 0 || inputs.length < 2) return null;
  const shape = first.shape;
  if (inputs.some((t) => t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i]) || t.data.length !== floats)) return null;
  const temps: number[] = [];
  const ptrs = inputs.map((t) => addressIn(k, t.data, temps));
  const out = outputOf(k, floats, temps);
  const ranges = split(floats, threadsFor(floats * ELEMENTWISE_FLOPS_PER_FLOAT * (inputs.length - 1)), 16);
  for (let i = 1; i < inputs.length; i++) {
    const a = i === 1 ? ptrs[0] : out;
    run(
      k,
      ranges.map(([s0, s1]) => ({ fn: "merge", args: [MERGE_CODES[kind], a, ptrs[i], out, 0, s0, s1] })),
    );
  }
  if (kind === "average") {
    run(
      k,
      ranges.map(([s0, s1]) => ({ fn: "divide", args: [out, out, inputs.length, s0, s1] })),
    );
  }
  return { shape: [...shape], data: finish(k, out, floats, temps) };
}

/**
 * Zero padding on the WebAssembly kernels: the output zero-filled, then the
 * input copied into its interior in runs as long as the unpadded trailing
 * axes allow (whole rows of pixels for a channels-last 2-D padding), so that
 * the next convolution reads it where it lies; {@link padAnyLayer} when the
 * runs are indexed by more than three outer axes, {@link padZeros} when the
 * fast kernels are not chosen.
 *
 * @example
 * ```ts
 * const y = padLayer(x, [[0, 0], [0, 1], [0, 1], [0, 0]]); // MobileNetV2's strided blocks
 * ```
 */
export function padLayer(input: Tensor, pads: readonly (readonly [number, number])[]): Tensor {
  const k = fast();
  const rank = input.shape.length;
  const valid = pads.length === rank && pads.every(([a, b]) => Number.isSafeInteger(a) && Number.isSafeInteger(b) && a >= 0 && b >= 0);
  let last = rank - 1;
  while (last > 0 && valid && pads[last][0] === 0 && pads[last][1] === 0) last--;
  if (k === null || !valid || input.data.length === 0) return padZeros(input, pads);
  if (last > 3) return padAnyLayer(input, pads);
  checkTensor(input, "padZeros input", rank);
  const outShape = input.shape.map((d, i) => d + pads[i][0] + pads[i][1]);
  const outStrides = outShape.map((_, i) => outShape.slice(i + 1).reduce((p, d) => p * d, 1));
  const runFloats = input.shape.slice(last).reduce((p, d) => p * d, 1);
  const start = pads.reduce((s, [before], i) => s + before * outStrides[i], 0);
  // Up to three outer axes index the runs; absent ones have size 1.
  const outer = input.shape.slice(0, last);
  const strides = outStrides.slice(0, last);
  while (outer.length < 3) {
    outer.unshift(1);
    strides.unshift(0);
  }
  const floats = outShape.reduce((p, d) => p * d, 1);
  const temps: number[] = [];
  const x = addressIn(k, input.data, temps);
  const out = outputOf(k, floats, temps);
  run(k, [{ fn: "padCopy", args: [x, out, floats, runFloats, ...outer, ...strides, start] }]);
  return { shape: outShape, data: finish(k, out, floats, temps) };
}
