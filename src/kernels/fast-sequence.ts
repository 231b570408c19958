/**
 * The sequence layers on the fast kernels: multi-head attention, layer
 * normalisation, LSTM and GRU, embedding lookups, each falling back to its
 * reference kernel.
 */
import { fast } from "./backend.js";
import { multiHeadAttention } from "./attention-mha.js";
import type { AttentionHeads, AttentionWeights } from "./attention-mha.js";
import { embeddingLookup, invalidIndex } from "./embedding.js";
import { productAt } from "./fast-dense.js";
import { unaryCode } from "./fast-activations.js";
import { layerNormAxesLayer } from "./fast-norms.js";
import { layerNorm } from "./norm-layer.js";
import type { LayerNormWeights } from "./norm-layer.js";
import { biasSlice, cachedCopy, columnsOf, derivedWeights, packed } from "./packed-weights.js";
import { GATES, recurrentPass } from "./rnn-cells.js";
import { lookupMade, projectedLookup } from "./rnn-fold.js";
import type { CellKind, RecurrentPassOptions, RecurrentPassResult } from "./rnn-cells.js";
import { addressIn, finish, outputOf, run, scratchFor, split, threadsFor } from "./run-scope.js";
import { checkTensor } from "./tensor.js";
import type { Tensor } from "./tensor.js";

/**
 * A MultiHeadAttention layer's inference computation: the query, key and
 * value projections and the output projection as matrix products on the
 * packed weights, and between them one kernel per (sample, head) that
 * takes the scaled scores and the weighted sum of the values as blocked
 * matrix products with the softmax between them, without leaving
 * WebAssembly memory. The reference
 * {@link multiHeadAttention} when the fast kernels are not chosen.
 *
 * @example
 * ```ts
 * const y = attentionLayer(x, x, x, weights, { numHeads: 4, keyDim: 32, valueDim: 32 });
 * ```
 */
export function attentionLayer(query: Tensor, value: Tensor, key: Tensor, weights: AttentionWeights, options: AttentionHeads): Tensor {
  const k = fast();
  const { numHeads: heads, keyDim: kd, valueDim: vd } = options;
  const out = weights.outputKernel;
  const [batch, tq, dq] = query.shape;
  const tv = value.shape[1];
  const dOut = out.shape[2];
  const fits =
    query.shape.length === 3 &&
    value.shape.length === 3 &&
    key.shape.length === 3 &&
    key.shape[0] === batch &&
    value.shape[0] === batch &&
    key.shape[1] === tv &&
    weights.queryKernel.shape[0] === dq &&
    weights.keyKernel.shape[0] === key.shape[2] &&
    weights.valueKernel.shape[0] === value.shape[2] &&
    out.shape.length === 3;
  if (k === null || !fits || batch * tq * tv * heads * kd * vd * dOut === 0) return multiHeadAttention(query, value, key, weights, options);
  const temps: number[] = [];
  const scratchBlocks: number[] = [];
  try {
    const xq = addressIn(k, query.data, temps);
    const xk = addressIn(k, key.data, temps);
    const xv = addressIn(k, value.data, temps);
    const qRows = batch * tq;
    const vRows = batch * tv;
    const q = k.alloc(qRows * heads * kd * 4);
    const kp = k.alloc(vRows * heads * kd * 4);
    const v = k.alloc(vRows * heads * vd * 4);
    const context = k.alloc(qRows * heads * vd * 4);
    scratchBlocks.push(q, kp, v, context);
    productAt(k, xq, qRows, dq, heads * kd, weights.queryKernel.data, weights.queryBias?.data ?? null, q, 0);
    productAt(k, xk, vRows, key.shape[2], heads * kd, weights.keyKernel.data, weights.keyBias?.data ?? null, kp, 0);
    productAt(k, xv, vRows, value.shape[2], heads * vd, weights.valueKernel.data, weights.valueBias?.data ?? null, v, 0);
    const pairs = batch * heads;
    const head = [q, kp, v, context, tq, tv, heads, kd, vd, Math.fround(1 / Math.sqrt(kd))];
    const need = k.exports.attentionScratchFloats(tv, kd, vd);
    run(
      k,
      split(pairs, threadsFor(2 * pairs * tq * tv * (kd + vd)), 1).map(([p0, p1], t) => ({
        fn: "attention",
        args: [...head, p0, p1, scratchFor(k, t, need)],
      })),
    );
    const floats = qRows * dOut;
    const y = outputOf(k, floats, temps);
    productAt(k, context, qRows, heads * vd, dOut, out.data, weights.outputBias?.data ?? null, y, 0);
    return { shape: [batch, tq, dOut], data: finish(k, y, floats, temps) };
  } finally {
    for (const p of scratchBlocks) k.free(p);
  }
}

/**
 * A LayerNormalization layer's computation on the WebAssembly kernels, the
 * reference arithmetic to the bit: rows of the last axis (the transformer's
 * case), other axes by {@link layerNormAxesLayer}; {@link layerNorm} when
 * the kernels are not chosen.
 *
 * @example
 * ```ts
 * const y = layerNormLayer(x, [2], { gamma, beta, epsilon: 1e-6 });
 * ```
 */
export function layerNormLayer(input: Tensor, axes: readonly number[], w: LayerNormWeights): Tensor {
  const k = fast();
  const rank = input.shape.length;
  const floats = input.data.length;
  if (k === null || floats === 0) return layerNorm(input, axes, w);
  if (axes.length !== 1 || axes[0] !== rank - 1) return layerNormAxesLayer(input, axes, w) ?? layerNorm(input, axes, w);
  checkTensor(input, "layerNorm input");
  const width = input.shape[rank - 1];
  for (const [what, v] of [
    ["gamma", w.gamma],
    ["beta", w.beta],
  ] as const) {
    if (v !== null && v.length !== width) throw new RangeError(`layerNorm: ${what} has ${v.length} values for ${width} positions`);
  }
  const temps: number[] = [];
  const x = addressIn(k, input.data, temps);
  const gamma = w.gamma === null ? 0 : cachedCopy(k, w.gamma, 0);
  const beta = w.beta === null ? 0 : cachedCopy(k, w.beta, 0);
  const out = outputOf(k, floats, temps);
  run(
    k,
    split(floats / width, threadsFor(floats * 8), 1).map(([r0, r1]) => ({ fn: "layerNormRows", args: [x, out, width, gamma, beta, w.epsilon, r0, r1] })),
  );
  return { shape: [...input.shape], data: finish(k, out, floats, temps) };
}

/**
 * A SimpleRNN, LSTM or GRU layer's computation. With activations the
 * WebAssembly kernels compute, every cell runs there: the input projection
 * of every step is one matrix product, or, when the input is an
 * embedding's lookup, rows of the embedding's table projected once
 * ({@link projectedLookup}). Then every cell runs all its steps
 * in one kernel call per thread (each thread its batch rows): per step the
 * rows' recurrent product on the packed recurrent kernel, then per row a
 * sweep activating the gates' columns in place (sigmoid and tanh in
 * float32) and one updating the state four columns at a time. A GRU
 * that resets before its product (Keras's `reset_after=False`) takes two
 * products per step: the update and reset columns, then `r * h` times the
 * candidate's. Other cells run {@link recurrentPass}.
 *
 * @example
 * ```ts
 * const { output, states } = recurrentLayer("lstm", x, { kernel, recurrentKernel, bias }, options);
 * ```
 */
export function recurrentLayer(
  kind: CellKind,
  input: Tensor,
  weights: { readonly kernel: Tensor; readonly recurrentKernel: Tensor; readonly bias: Tensor | null },
  options: RecurrentPassOptions,
): RecurrentPassResult {
  const k = fast();
  // The cells evaluate their gates by the elementwise activations' codes, ELU with Keras's alpha of 1.
  const actCode = unaryCode(options.activation);
  const recCode = unaryCode(options.recurrentActivation);
  const u = options.units;
  const g = GATES[kind];
  const width = g * u;
  const [batch, steps, features] = input.shape;
  const biasLength = kind === "gru" && options.resetAfter ? 2 * width : width;
  const fits =
    input.shape.length === 3 &&
    weights.kernel.shape.length === 2 &&
    weights.kernel.shape[0] === features &&
    weights.kernel.shape[1] === width &&
    weights.recurrentKernel.shape.length === 2 &&
    weights.recurrentKernel.shape[0] === u &&
    weights.recurrentKernel.shape[1] === width &&
    (weights.bias === null || weights.bias.data.length === biasLength);
  if (
    k === null ||
    !fits ||
    actCode === undefined ||
    (kind !== "simpleRNN" && (recCode === undefined || options.recurrentActivation === "softmax")) ||
    options.activation === "softmax" ||
    batch * steps * u === 0 ||
    features === 0
  ) {
    return recurrentPass(kind, input, weights, options);
  }
  checkTensor(input, `${kind} input`, 3);
  const temps: number[] = [];
  const own: number[] = [];
  try {
    const x = addressIn(k, input.data, temps);
    const bias = weights.bias?.data ?? null;
    const twoBiases = kind === "gru" && options.resetAfter;
    const resetBefore = kind === "gru" && !options.resetAfter;
    const inputBias = bias === null ? null : twoBiases ? biasSlice(bias, 0, width) : bias;
    const recurrentBias = bias !== null && twoBiases ? biasSlice(bias, width, width) : null;
    const rec = weights.recurrentKernel.data;
    // The input projections of every step at once: [batch * steps, width].
    const xw = k.alloc(batch * steps * width * 4);
    // Each step's recurrent products: [batch, width] (a GRU resetting first: [batch, 2 * units], then r * h and its product).
    const hw = k.alloc(batch * (resetBefore ? 4 * u : width) * 4);
    own.push(xw, hw);
    const projection = { input: input.data, at: x, rows: batch * steps, features, width, kernel: weights.kernel.data, bias: inputBias, biasSource: bias };
    if (!projectedLookup(k, projection, xw)) productAt(k, x, batch * steps, features, width, weights.kernel.data, inputBias, xw, 0);
    const h = outputOf(k, batch * u, temps);
    k.view(h, batch * u).fill(0);
    const c = kind === "lstm" ? outputOf(k, batch * u, temps) : 0;
    if (c !== 0) k.view(c, batch * u).fill(0);
    const seqFloats = batch * steps * u;
    const seq = options.returnSequences ? outputOf(k, seqFloats, temps) : 0;
    // Known to be computed by the kernels (checked above); a SimpleRNN has no recurrent activation.
    const act = actCode ?? 0;
    const recAct = recCode ?? 0;
    const back = options.goBackwards ? 1 : 0;
    // Batch rows never meet: each thread runs every step of its rows in one call, no hand-off per step.
    const rows = split(batch, threadsFor(2 * batch * steps * u * width), 4);
    const call = (fn: "lstmSequence" | "gruSequence" | "gruResetSequence" | "rnnSequence", args: (b0: number, b1: number, t: number) => number[]) =>
      run(
        k,
        rows.map(([b0, b1], t) => ({ fn, args: args(b0, b1, t) })),
      );
    if (kind === "lstm") {
      const rp = packed(k, rec, u, width, null).ptr;
      call("lstmSequence", (b0, b1, t) => [xw, steps, u, rp, h, c, hw, act, recAct, seq, back, b0, b1, scratchFor(k, t)]);
    } else if (kind === "simpleRNN") {
      const rp = packed(k, rec, u, width, null).ptr;
      call("rnnSequence", (b0, b1, t) => [xw, steps, u, rp, h, hw, act, seq, back, b0, b1, scratchFor(k, t)]);
    } else if (twoBiases || !resetBefore) {
      const rp = packed(k, rec, u, width, recurrentBias);
      const rb = recurrentBias === null ? 0 : rp.biasPtr;
      call("gruSequence", (b0, b1, t) => [xw, steps, u, rp.ptr, rb, h, hw, act, recAct, seq, back, b0, b1, scratchFor(k, t)]);
    } else {
      const gateColumns = derivedWeights(rec, "update and reset columns", () => columnsOf(rec, u, width, 0, 2 * u));
      const candidateColumns = derivedWeights(rec, "candidate columns", () => columnsOf(rec, u, width, 2 * u, u));
      const gp = packed(k, gateColumns, u, 2 * u, null).ptr;
      const cp = packed(k, candidateColumns, u, u, null).ptr;
      // hw holds [batch, 2 * units] of products, then r * h and its product with the candidate columns.
      const rh = hw + batch * 2 * u * 4;
      const hc = rh + batch * u * 4;
      call("gruResetSequence", (b0, b1, t) => [xw, steps, u, gp, cp, h, hw, rh, hc, act, recAct, seq, back, b0, b1, scratchFor(k, t)]);
    }
    const last = outputOf(k, batch * u, temps);
    k.view(last, batch * u).set(k.view(h, batch * u));
    const states: Tensor[] = [{ shape: [batch, u], data: finish(k, h, batch * u, []) }];
    if (c !== 0) states.push({ shape: [batch, u], data: finish(k, c, batch * u, []) });
    const output = seq === 0 ? { shape: [batch, u], data: finish(k, last, batch * u, []) } : { shape: [batch, steps, u], data: finish(k, seq, seqFloats, []) };
    for (const p of temps) k.free(p);
    temps.length = 0;
    return { output, states };
  } finally {
    for (const p of own) k.free(p);
    for (const p of temps) k.free(p);
  }
}

/**
 * An Embedding layer's lookup on the WebAssembly kernels (indices already
 * checked against the table by the layer), writing the rows where the next
 * layer reads them; {@link embeddingLookup} otherwise.
 *
 * @example
 * ```ts
 * const y = embeddingLayer({ shape: [1, 2], data: Float32Array.of(2, 1) }, table); // [1, 2, dim]
 * ```
 */
export function embeddingLayer(input: Tensor, table: Tensor): Tensor {
  const k = fast();
  const dim = table.shape[1];
  const floats = input.data.length * dim;
  if (k === null || table.shape.length !== 2 || floats === 0) return embeddingLookup(input, table);
  checkTensor(input, "embedding input");
  const bad = invalidIndex(input.data, table.shape[0]);
  if (bad !== undefined) return embeddingLookup(input, table);
  const temps: number[] = [];
  const idx = addressIn(k, input.data, temps);
  const tp = cachedCopy(k, table.data, 0);
  const out = outputOf(k, floats, temps);
  run(
    k,
    split(input.data.length, threadsFor(floats), 1).map(([s0, s1]) => ({ fn: "gatherRows", args: [idx, tp, dim, out, s0, s1] })),
  );
  const data = finish(k, out, floats, temps);
  lookupMade(data, input.data, table.data);
  return { shape: [...input.shape, dim], data };
}
