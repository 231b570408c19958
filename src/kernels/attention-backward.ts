/**
 * Multi-head attention in training: the forward pass of
 * {@link multiHeadAttention} with its projections, attention weights and
 * per-head context kept, and the backward pass through them (the softmax's
 * Jacobian per query step and head, both batched products, the four
 * projections as dense products). Sums are accumulated in float64.
 */
import { denseLayer } from "./fast-dense.js";
import { denseBackward } from "./dense-backward.js";
import { attentionSteps, softmaxScores } from "./attention-mha.js";
import type { AttentionWeights } from "./attention-mha.js";
import type { Tensor } from "./tensor.js";

/** Head counts and sizes. */
export interface AttentionSizes {
  readonly numHeads: number;
  readonly keyDim: number;
  readonly valueDim: number;
}

/**
 * What the forward pass keeps: the projections `q`, `k`, `v` (`[batch,
 * steps, heads, dim]`), the attention weights `p` (`[batch, heads, tq, tv]`)
 * and the context (`[batch, tq, heads, valueDim]`).
 */
export interface AttentionTape {
  readonly q: Float32Array;
  readonly k: Float32Array;
  readonly v: Float32Array;
  readonly p: Float32Array;
  readonly context: Float32Array;
}

/** Gradients of multi-head attention with respect to its three inputs and eight weights (biases `null` without them). */
export interface AttentionGradients {
  readonly query: Tensor;
  readonly value: Tensor;
  readonly key: Tensor;
  readonly weights: { readonly [K in keyof AttentionWeights]: AttentionWeights[K] extends Tensor ? Tensor : Tensor | null };
}

const flat = (t: Tensor, cols: number): Tensor => ({ shape: [t.data.length / cols, cols], data: t.data });
const shaped = (data: Float32Array, shape: readonly number[]): Tensor => ({ shape: [...shape], data });

function projection(x: Tensor, kernel: Tensor, bias: Tensor | null): Float32Array {
  const width = kernel.data.length / kernel.shape[0];
  return denseLayer(flat(x, x.shape[2]), flat(kernel, width), bias === null ? null : { shape: [width], data: bias.data }, "linear").data as Float32Array;
}

/**
 * The forward pass, with what the backward pass needs.
 *
 * @example
 * ```ts
 * const { output, tape } = attentionTraining(x, x, x, weights, { numHeads: 2, keyDim: 4, valueDim: 4 });
 * ```
 */
export function attentionTraining(
  query: Tensor,
  value: Tensor,
  key: Tensor,
  weights: AttentionWeights,
  sizes: AttentionSizes,
): { output: Tensor; tape: AttentionTape } {
  const { numHeads: h, keyDim: kd, valueDim: vd } = sizes;
  const { batch, tq, tv } = attentionSteps(query, value, key);
  const q = projection(query, weights.queryKernel, weights.queryBias);
  const k = projection(key, weights.keyKernel, weights.keyBias);
  const v = projection(value, weights.valueKernel, weights.valueBias);
  // Keras scales the query before the product: (q / sqrt(kd)) · k.
  const scale = Math.fround(1 / Math.sqrt(kd));
  const p = new Float32Array(batch * h * tq * tv);
  const context = new Float32Array(batch * tq * h * vd);
  const scores = new Float64Array(tv);
  for (let b = 0; b < batch; b++) {
    for (let head = 0; head < h; head++) {
      for (let i = 0; i < tq; i++) {
        const sum = softmaxScores(q, k, (b * tq + i) * h * kd + head * kd, b * tv * h * kd + head * kd, h * kd, kd, scale, scores);
        const pOff = ((b * h + head) * tq + i) * tv;
        for (let j = 0; j < tv; j++) p[pOff + j] = scores[j] / sum;
        for (let d = 0; d < vd; d++) {
          let c = 0;
          for (let j = 0; j < tv; j++) c += p[pOff + j] * v[(b * tv + j) * h * vd + head * vd + d];
          context[(b * tq + i) * h * vd + head * vd + d] = c;
        }
      }
    }
  }
  const out = weights.outputKernel;
  const outDim = out.shape[2];
  const bias = weights.outputBias;
  const y = denseLayer(shaped(context, [batch * tq, h * vd]), flat(out, outDim), bias, "linear");
  return { output: shaped(y.data as Float32Array, [batch, tq, outDim]), tape: { q, k, v, p, context } };
}

/**
 * The backward pass from the output's gradient `dOutput` (`[batch, tq, outputDim]`).
 *
 * @example
 * ```ts
 * const g = attentionBackward(x, x, x, weights, sizes, tape, dy); // g.query, g.weights.queryKernel, ...
 * ```
 */
export function attentionBackward(
  query: Tensor,
  value: Tensor,
  key: Tensor,
  weights: AttentionWeights,
  sizes: AttentionSizes,
  tape: AttentionTape,
  dOutput: Tensor,
): AttentionGradients {
  const { numHeads: h, keyDim: kd, valueDim: vd } = sizes;
  const [batch, tq] = query.shape;
  const tv = value.shape[1];
  const { q, k, v, p, context } = tape;
  const outDim = weights.outputKernel.shape[2];
  const o = denseBackward(
    shaped(context, [batch * tq, h * vd]),
    flat(weights.outputKernel, outDim),
    shaped(dOutput.data as Float32Array, [batch * tq, outDim]),
  );
  const dContext = o.input.data;
  const scale = Math.fround(1 / Math.sqrt(kd));
  const dq = new Float64Array(q.length);
  const dk = new Float64Array(k.length);
  const dv = new Float64Array(v.length);
  const dp = new Float64Array(tv);
  for (let b = 0; b < batch; b++) {
    for (let head = 0; head < h; head++) {
      for (let i = 0; i < tq; i++) {
        const pOff = ((b * h + head) * tq + i) * tv;
        const cOff = (b * tq + i) * h * vd + head * vd;
        let dot = 0;
        for (let j = 0; j < tv; j++) {
          const vOff = (b * tv + j) * h * vd + head * vd;
          let s = 0;
          for (let d = 0; d < vd; d++) {
            s += dContext[cOff + d] * v[vOff + d];
            dv[vOff + d] += p[pOff + j] * dContext[cOff + d];
          }
          dp[j] = s;
          dot += s * p[pOff + j];
        }
        const qOff = (b * tq + i) * h * kd + head * kd;
        for (let j = 0; j < tv; j++) {
          const ds = p[pOff + j] * (dp[j] - dot);
          const kOff = (b * tv + j) * h * kd + head * kd;
          for (let d = 0; d < kd; d++) {
            dq[qOff + d] += ds * k[kOff + d] * scale;
            dk[kOff + d] += ds * q[qOff + d] * scale;
          }
        }
      }
    }
  }
  const back = (x: Tensor, kernel: Tensor, dProj: Float64Array) => {
    const width = kernel.data.length / kernel.shape[0];
    return denseBackward(flat(x, x.shape[2]), flat(kernel, width), shaped(Float32Array.from(dProj), [dProj.length / width, width]));
  };
  const gq = back(query, weights.queryKernel, dq);
  const gk = back(key, weights.keyKernel, dk);
  const gv = back(value, weights.valueKernel, dv);
  const like = (g: Tensor, t: Tensor): Tensor => shaped(g.data as Float32Array, t.shape);
  const biasLike = (g: Tensor, t: Tensor | null): Tensor | null => (t === null ? null : like(g, t));
  return {
    query: like(gq.input, query),
    key: like(gk.input, key),
    value: like(gv.input, value),
    weights: {
      queryKernel: like(gq.kernel, weights.queryKernel),
      queryBias: biasLike(gq.bias, weights.queryBias),
      keyKernel: like(gk.kernel, weights.keyKernel),
      keyBias: biasLike(gk.bias, weights.keyBias),
      valueKernel: like(gv.kernel, weights.valueKernel),
      valueBias: biasLike(gv.bias, weights.valueBias),
      outputKernel: like(o.kernel, weights.outputKernel),
      outputBias: biasLike(o.bias, weights.outputBias),
    },
  };
}
