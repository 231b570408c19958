/**
 * Numeric comparison shared by the forward-pass tests: every element within
 * `tol * max(1, |expected|)`, and on failure the worst element named.
 */
import { expect } from "vitest";

/**
 * Fails unless `|actual - expected| <= tol * max(1, |expected|)` everywhere
 * (NaN never passes); returns the largest scaled difference.
 *
 * @example
 * expectClose(y.data, expected, "conv2d same", 1e-5);
 */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, label: string, tol = 1e-5): number {
  expect(actual.length, `${label}: number of values`).toBe(expected.length);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i] - expected[i]) / Math.max(1, Math.abs(expected[i]));
    const scaled = Number.isNaN(d) ? Infinity : d;
    if (scaled > worst || at < 0) {
      worst = scaled;
      at = i;
    }
  }
  if (!(worst <= tol)) expect.fail(`${label}: max difference ${worst} > ${tol} at ${at}: got ${actual[at]}, expected ${expected[at]}`);
  return worst;
}

/**
 * How often each string occurs, keys sorted: the per-rule and per-kind
 * counts the generated tests print.
 *
 * @example
 * countBy(["dense", "conv2d", "dense"]); // { conv2d: 1, dense: 2 }
 */
export function countBy(items: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const i of items) counts[i] = (counts[i] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * The largest difference relative to the reference's largest magnitude (at
 * least 1e-6, or `floor` where it is more): how gradient tests compare, since a gradient's small entries
 * carry the rounding of its large ones.
 *
 * @example
 * expect(scaledDifference(ours.data, tfjs.dataSync(), "conv2d kernel")).toBeLessThan(1e-4);
 */
export function scaledDifference(ours: ArrayLike<number>, theirs: ArrayLike<number>, what = "values", floor = 1e-6): number {
  expect(ours.length, what).toBe(theirs.length);
  let scale = Math.max(1e-6, floor);
  let worst = 0;
  for (let i = 0; i < theirs.length; i++) scale = Math.max(scale, Math.abs(theirs[i]));
  for (let i = 0; i < theirs.length; i++) worst = Math.max(worst, Math.abs(ours[i] - theirs[i]));
  return worst / scale;
}
