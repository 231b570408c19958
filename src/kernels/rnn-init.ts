/**
 * Initialisers of the recurrent family, as Keras 3 defines them, drawn from
 * the model's seedable generator: `orthogonal` recurrent kernels, the LSTM
 * bias with a unit forget gate, and `uniform(-0.05, 0.05)` embeddings.
 */
import type { Random } from "./random.js";
import { sizeOf } from "./tensor.js";

/**
 * One standard normal sample (Box-Muller). `1 - next()` lies in (0, 1], so
 * the logarithm is always finite.
 *
 * @example
 * ```ts
 * const z = standardNormal(createRandom(3)); // a draw from N(0, 1)
 * ```
 */
export function standardNormal(random: Random): number {
  const u1 = 1 - random.next();
  const u2 = random.next();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/**
 * Keras 3 `Orthogonal(gain=1)`: the Q factor of a QR decomposition of a
 * standard normal matrix of shape `(max(rows, cols), min(rows, cols))`,
 * each column multiplied by the sign of R's diagonal (so the result does not
 * depend on the QR method's sign convention), transposed when there are fewer
 * rows than columns. `rows` is the product of all but the last dimension.
 * Householder reflections in float64 keep Q orthogonal to rounding error.
 *
 * @example
 * ```ts
 * const r = orthogonal([32, 128], createRandom(0)); // rows orthonormal: r · rᵀ = I (32 x 32)
 * ```
 */
export function orthogonal(shape: readonly number[], random: Random): Float32Array {
  if (shape.length < 2) throw new RangeError(`orthogonal: needs a shape of rank 2 or more, got [${shape.join(", ")}]`);
  const cols = shape[shape.length - 1];
  const rows = sizeOf(shape) / cols;
  const m = Math.max(rows, cols);
  const n = Math.min(rows, cols);
  // a: m x n, row-major, overwritten by R above the diagonal and Householder vectors below.
  const a = new Float64Array(m * n);
  for (let i = 0; i < a.length; i++) a[i] = standardNormal(random);
  const vectors: Float64Array[] = [];
  const diag = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let norm = 0;
    for (let i = k; i < m; i++) norm += a[i * n + k] * a[i * n + k];
    norm = Math.sqrt(norm);
    const x0 = a[k * n + k];
    const alpha = x0 >= 0 ? -norm : norm;
    const v = new Float64Array(m - k);
    for (let i = k; i < m; i++) v[i - k] = a[i * n + k];
    v[0] -= alpha;
    let vNorm = 0;
    for (let i = 0; i < v.length; i++) vNorm += v[i] * v[i];
    if (vNorm > 0) {
      // Reflect the remaining columns: A[k:, j] -= 2 v (v · A[k:, j]) / (v · v).
      for (let j = k; j < n; j++) {
        let dot = 0;
        for (let i = k; i < m; i++) dot += v[i - k] * a[i * n + j];
        const f = (2 * dot) / vNorm;
        for (let i = k; i < m; i++) a[i * n + j] -= f * v[i - k];
      }
    }
    diag[k] = a[k * n + k];
    vectors.push(vNorm > 0 ? v.map((e) => e / Math.sqrt(vNorm)) : v);
  }
  // Q = H_0 H_1 ... H_{n-1} applied to the first n columns of the identity.
  const q = new Float64Array(m * n);
  for (let j = 0; j < n; j++) q[j * n + j] = 1;
  for (let k = n - 1; k >= 0; k--) {
    const v = vectors[k];
    for (let j = 0; j < n; j++) {
      let dot = 0;
      for (let i = k; i < m; i++) dot += v[i - k] * q[i * n + j];
      for (let i = k; i < m; i++) q[i * n + j] -= 2 * dot * v[i - k];
    }
  }
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const value = diag[j] < 0 ? -q[i * n + j] : q[i * n + j];
      // q is m x n; with fewer rows than columns the kernel is its transpose.
      if (rows >= cols) out[i * cols + j] = value;
      else out[j * cols + i] = value;
    }
  }
  return out;
}
/** Two uniform draws per value (one Box-Muller normal), whatever the shape. */
orthogonal.drawsPerValue = 2;

/**
 * Keras `RandomUniform(minval, maxval)` as an initialiser function.
 *
 * @example
 * ```ts
 * const init = uniformInitializer(-0.05, 0.05); // the Embedding default
 * init([1000, 64], createRandom(0));
 * ```
 */
export function uniformInitializer(
  min: number,
  max: number,
): ((shape: readonly number[], random: Random) => Float32Array) & { readonly drawsPerValue: number } {
  const init = (shape: readonly number[], random: Random): Float32Array => {
    const out = new Float32Array(sizeOf(shape));
    for (let i = 0; i < out.length; i++) out[i] = min + (max - min) * random.next();
    return out;
  };
  return Object.assign(init, { drawsPerValue: 1 });
}

/**
 * The LSTM bias as Keras initialises it (`unit_forget_bias=True`): zeros,
 * except ones for the forget gate, the second of the four blocks i, f, c, o.
 *
 * @example
 * ```ts
 * unitForgetBias([8]); // Float32Array [0, 0, 1, 1, 0, 0, 0, 0]
 * ```
 */
export function unitForgetBias(shape: readonly number[]): Float32Array {
  const out = new Float32Array(sizeOf(shape));
  const units = out.length / 4;
  out.fill(1, units, 2 * units);
  return out;
}
/** A constant: no draws. */
unitForgetBias.drawsPerValue = 0;
