/**
 * Multi-head dot-product attention (Keras 3 `MultiHeadAttention`, inference)
 * over `[batch, steps, features]` tensors, with the Keras weight layouts:
 * projections `[features, heads, dim]` with biases `[heads, dim]`, and the
 * output projection `[heads, valueDim, outputDim]` with bias `[outputDim]`.
 *
 * Sums accumulate in float64; projections, scores and outputs are rounded to
 * float32, as the float32 frameworks store them.
 */
import { checkTensor } from "./tensor.js";
import type { Tensor } from "./tensor.js";

/**
 * The eight weights of a multi-head attention layer (biases `null` without `useBias`).
 *
 * @example
 * ```ts
 * const [queryKernel, queryBias, keyKernel, keyBias, valueKernel, valueBias, outputKernel, outputBias] = layer.weights;
 * ```
 */
export interface AttentionWeights {
  readonly queryKernel: Tensor;
  readonly queryBias: Tensor | null;
  readonly keyKernel: Tensor;
  readonly keyBias: Tensor | null;
  readonly valueKernel: Tensor;
  readonly valueBias: Tensor | null;
  readonly outputKernel: Tensor;
  readonly outputBias: Tensor | null;
}

/**
 * How an attention layer splits its projections: the number of heads and
 * each head's key and value width.
 *
 * @example
 * ```ts
 * const heads: AttentionHeads = { numHeads: 4, keyDim: 32, valueDim: 32 };
 * ```
 */
export interface AttentionHeads {
  readonly numHeads: number;
  readonly keyDim: number;
  readonly valueDim: number;
}

/** `[batch * steps, features]` times `[features, width]` plus bias, rounded to float32. */
function project(x: Tensor, kernel: Tensor, bias: Tensor | null, what: string): Float32Array {
  checkTensor(x, `multiHeadAttention ${what}`, 3);
  const features = x.shape[2];
  const width = kernel.data.length / kernel.shape[0];
  if (kernel.shape[0] !== features) throw new RangeError(`multiHeadAttention: ${what} kernel expects ${kernel.shape[0]} features, got ${features}`);
  const rows = x.shape[0] * x.shape[1];
  const out = new Float32Array(rows * width);
  const acc = new Float64Array(width);
  for (let r = 0; r < rows; r++) {
    if (bias === null) acc.fill(0);
    else for (let j = 0; j < width; j++) acc[j] = bias.data[j];
    for (let k = 0; k < features; k++) {
      const v = x.data[r * features + k];
      const off = k * width;
      for (let j = 0; j < width; j++) acc[j] += v * kernel.data[off + j];
    }
    out.set(acc, r * width);
  }
  return out;
}

/**
 * The batch size and the query and value steps of an attention call, after
 * checking that query, value and key fit together (RangeError otherwise).
 *
 * @example
 * ```ts
 * attentionSteps(x, x, x); // { batch: x.shape[0], tq: x.shape[1], tv: x.shape[1] }
 * ```
 */
export function attentionSteps(query: Tensor, value: Tensor, key: Tensor): { batch: number; tq: number; tv: number } {
  const [batch, tq] = query.shape;
  const tv = value.shape[1];
  if (key.shape[0] !== batch || value.shape[0] !== batch || key.shape[1] !== tv) {
    throw new RangeError(
      `multiHeadAttention: query [${query.shape.join(", ")}], value [${value.shape.join(", ")}] and key [${key.shape.join(", ")}] do not fit together`,
    );
  }
  return { batch, tq, tv };
}

/**
 * One query step of one head against every key step: the scaled scores
 * (each rounded to float32; the query is scaled before the product, as
 * Keras does), then the softmax numerators `exp(score - max)` left in
 * `scores` (one per key step); returns their sum. The query's `depth`
 * values start at `qOff`, key step `j`'s at `kOff + j * kStride`.
 *
 * @example
 * ```ts
 * const sum = softmaxScores(q, k, qOff, kOff, heads * kd, kd, scale, scores); // weight j = scores[j] / sum
 * ```
 */
export function softmaxScores(
  q: Float32Array,
  k: Float32Array,
  qOff: number,
  kOff: number,
  kStride: number,
  depth: number,
  scale: number,
  scores: Float64Array,
): number {
  let max = -Infinity;
  for (let j = 0; j < scores.length; j++) {
    const at = kOff + j * kStride;
    let dot = 0;
    for (let d = 0; d < depth; d++) dot += Math.fround(q[qOff + d] * scale) * k[at + d];
    scores[j] = Math.fround(dot);
    if (scores[j] > max) max = scores[j];
  }
  let sum = 0;
  for (let j = 0; j < scores.length; j++) {
    scores[j] = Math.exp(scores[j] - max);
    sum += scores[j];
  }
  return sum;
}

/**
 * `softmax(Q Kᵀ / sqrt(keyDim)) V` per head, then the output projection.
 * `query` is `[batch, tq, dq]`, `key` and `value` `[batch, tv, dk]` and
 * `[batch, tv, dv]`; returns `[batch, tq, outputDim]`.
 *
 * @example
 * ```ts
 * const y = multiHeadAttention(x, x, x, weights, { numHeads: 2, keyDim: 16, valueDim: 16 });
 * ```
 */
export function multiHeadAttention(query: Tensor, value: Tensor, key: Tensor, weights: AttentionWeights, options: AttentionHeads): Tensor {
  const { numHeads: h, keyDim: kd, valueDim: vd } = options;
  const { batch, tq, tv } = attentionSteps(query, value, key);
  const q = project(query, weights.queryKernel, weights.queryBias, "query");
  const k = project(key, weights.keyKernel, weights.keyBias, "key");
  const v = project(value, weights.valueKernel, weights.valueBias, "value");
  const out = weights.outputKernel;
  checkTensor(out, "multiHeadAttention output kernel", 3);
  const dOut = out.shape[2];
  // Keras scales the query before the product: (q / sqrt(kd)) · k.
  const scale = Math.fround(1 / Math.sqrt(kd));
  const result = new Float32Array(batch * tq * dOut);
  const scores = new Float64Array(tv);
  const context = new Float32Array(h * vd);
  const acc = new Float64Array(dOut);
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < tq; i++) {
      for (let head = 0; head < h; head++) {
        const sum = softmaxScores(q, k, (b * tq + i) * h * kd + head * kd, b * tv * h * kd + head * kd, h * kd, kd, scale, scores);
        for (let d = 0; d < vd; d++) {
          let c = 0;
          for (let j = 0; j < tv; j++) c += Math.fround(scores[j] / sum) * v[(b * tv + j) * h * vd + head * vd + d];
          context[head * vd + d] = c;
        }
      }
      if (weights.outputBias === null) acc.fill(0);
      else for (let o = 0; o < dOut; o++) acc[o] = weights.outputBias.data[o];
      for (let c = 0; c < h * vd; c++) {
        const cv = context[c];
        const off = c * dOut;
        for (let o = 0; o < dOut; o++) acc[o] += cv * out.data[off + o];
      }
      result.set(acc, (b * tq + i) * dOut);
    }
  }
  return { shape: [batch, tq, dOut], data: result };
}
