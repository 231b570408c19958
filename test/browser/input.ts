/**
 * The images both sides of the browser test feed the seed models: a fixed
 * pattern in [0, 1), so Node and the page compute on the same numbers.
 *
 * @example
 * tensor([4, 28, 28, 1], browserInput(4));
 */
export function browserInput(batch: number): Float32Array {
  const out = new Float32Array(batch * 28 * 28);
  for (let i = 0; i < out.length; i++) out[i] = Math.abs(Math.sin(i * 12.9898) * 43758.5453) % 1;
  return out;
}
