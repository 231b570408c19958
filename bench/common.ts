/**
 * What the benchmarks share: the inputs every engine's process draws alike,
 * and the median of timed runs.
 */

/**
 * Values in [0, 1) from mulberry32 seeded with `seed`: the same in every child process.
 *
 * @example
 * const x = inputData(64 * 784, 1);
 */
export function inputData(n: number, seed: number): Float32Array {
  let state = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  return out;
}

/**
 * The median of a list of times.
 *
 * @example
 * median([3, 1, 2]); // 2
 */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
