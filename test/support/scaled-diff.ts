/**
 * The largest difference of `actual` from `expected`, each scaled by the
 * larger of 1 and the expected value's magnitude: how the WebAssembly
 * kernels' tests compare with the reference kernels. Equal values (NaN with
 * NaN too) count 0; a length mismatch or a NaN against a number is Infinity.
 * Free of vitest, so that a child process can use it too.
 *
 * @example
 * maxScaledDiff(Float32Array.of(1, 2), Float32Array.of(1, 2.000001)); // ~5e-7
 */
export function maxScaledDiff(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) return Number.POSITIVE_INFINITY;
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    if (actual[i] === expected[i] || (Number.isNaN(actual[i]) && Number.isNaN(expected[i]))) continue;
    const d = Math.abs(actual[i] - expected[i]) / Math.max(1, Math.abs(expected[i]));
    worst = Math.max(worst, Number.isNaN(d) ? Number.POSITIVE_INFINITY : d);
  }
  return worst;
}
