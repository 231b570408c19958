import { sizeOf } from "./tensor.js";

/**
 * A source of uniform random numbers in [0, 1).
 *
 * @example
 * ```ts
 * const r: Random = createRandom(42);
 * const u = r.next(); // 0 <= u < 1
 * ```
 */
export interface Random {
  next(): number;
}

/**
 * A seedable PRNG: mulberry32 (Tommy Ettinger, public domain). 32-bit state,
 * period 2^32, passes gjrand/PractRand for far more draws than weight
 * initialisation needs. Chosen over Math.random because initial weights must be
 * reproducible from a seed; it is not cryptographic and not bit-compatible with
 * any Keras/TF.js generator (those cannot be reproduced outside their runtimes).
 *
 * The seed is any safe integer; it is reduced modulo 2^32, so `-1` and
 * `2**32 - 1` give the same stream. Each `next()` returns a multiple of 2^-32.
 * `skip` starts the stream that many draws in, in constant time, as if
 * `next()` had been called `skip` times.
 *
 * @example
 * ```ts
 * const a = createRandom(7), b = createRandom(7);
 * a.next() === b.next(); // true
 * a.next(); createRandom(7, 2).next() === a.next(); // true
 * ```
 */
export function createRandom(seed: number, skip = 0): Random {
  if (!Number.isSafeInteger(seed)) {
    throw new RangeError(`createRandom: seed must be a safe integer, got ${String(seed)}`);
  }
  if (!Number.isSafeInteger(skip) || skip < 0) {
    throw new RangeError(`createRandom: skip must be a non-negative safe integer, got ${String(skip)}`);
  }
  // The state after k draws is seed + k * 0x6d2b79f5 (mod 2^32): skipping costs one multiplication.
  let state = ((seed >>> 0) + Math.imul(skip % 2 ** 32, 0x6d2b79f5)) | 0;
  return {
    next(): number {
      state = (state + 0x6d2b79f5) | 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  };
}

/**
 * Keras' fan computation (`keras/src/initializers/random_initializers.py`
 * `compute_fans`). TF.js differs for ranks outside 2..5, which is why this does
 * not borrow its rule.
 */
function computeFans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  const rank = shape.length;
  if (rank === 0) return { fanIn: 1, fanOut: 1 };
  if (rank === 1) return { fanIn: shape[0], fanOut: shape[0] };
  if (rank === 2) return { fanIn: shape[0], fanOut: shape[1] };
  let receptiveField = 1;
  for (let i = 0; i < rank - 2; i++) receptiveField *= shape[i];
  return { fanIn: shape[rank - 2] * receptiveField, fanOut: shape[rank - 1] * receptiveField };
}

/**
 * Glorot (Xavier) uniform initialiser with Keras 3 semantics: uniform in
 * [-limit, limit) with `limit = sqrt(6 / (fan_in + fan_out))`, fans as in
 * Keras (rank 1: both `shape[0]`; rank 2: `[in, out]`; rank >= 3: receptive
 * field = product of `shape[:-2]`, `fan_in = shape[-2] * rf`,
 * `fan_out = shape[-1] * rf`). Like Keras, the fan average is clamped to at
 * least 1, which only matters for shapes with zero-sized dimensions.
 *
 * Values are drawn in float64 and then stored as float32, so the float32 result
 * lies in [fround(-limit), fround(limit)]. They are written into `out` when
 * given (an array of the shape's size, such as one the kernels read in
 * place), else into a new array.
 *
 * @example
 * ```ts
 * // Conv2D(32, 3) on 1 channel: fan_in 9, fan_out 288, limit ≈ 0.14213
 * const w = glorotUniform([3, 3, 1, 32], createRandom(0));
 * ```
 */
export function glorotUniform(shape: readonly number[], random: Random, out: Float32Array = new Float32Array(sizeOf(shape))): Float32Array {
  const n = sizeOf(shape);
  if (out.length !== n) throw new RangeError(`glorotUniform: shape [${shape.join(", ")}] has ${n} values, the array to draw into holds ${out.length}`);
  const { fanIn, fanOut } = computeFans(shape);
  const limit = Math.sqrt(3 / Math.max(1, (fanIn + fanOut) / 2));
  for (let i = 0; i < n; i++) out[i] = limit * (2 * random.next() - 1);
  return out;
}

/**
 * A zero-filled buffer for a tensor of the given shape (Keras' default bias
 * initialiser).
 *
 * @example
 * ```ts
 * zeros([2, 3]); // Float32Array(6) [0, 0, 0, 0, 0, 0]
 * ```
 */
export function zeros(shape: readonly number[]): Float32Array {
  return new Float32Array(sizeOf(shape));
}

/**
 * A one-filled buffer for a tensor of the given shape (Keras' default for
 * BatchNormalization gamma and moving variance).
 *
 * @example
 * ```ts
 * ones([3]); // Float32Array(3) [1, 1, 1]
 * ```
 */
export function ones(shape: readonly number[]): Float32Array {
  return new Float32Array(sizeOf(shape)).fill(1);
}
