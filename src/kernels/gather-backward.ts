/**
 * The backward pass of every layer whose forward pass only moves values:
 * each output element is one input element or a zero (reshapes, permutes,
 * repeats, padding, cropping, nearest up-sampling, concatenation). Such a
 * map is read off the forward kernel itself by feeding it the positions of
 * the input elements as values, so the backward pass cannot drift from the
 * forward pass; the gradient then adds every output gradient into the input
 * element it came from.
 */
import { fail } from "../checks.js";
import type { Tensor } from "./tensor.js";

/** Float32 holds every integer up to 2^24 exactly; larger positions are sent in two halves. */
const EXACT = 1 << 24;
const HALF = 1 << 12;

/** The output-to-input map of one forward function at one set of input shapes. */
interface GatherMap {
  readonly key: string;
  /** For each output element: the flat position among all inputs, or -1 for a written zero. */
  readonly source: Int32Array;
  /** Where each input starts in the flat positions. */
  readonly starts: readonly number[];
}

const maps = new WeakMap<object, GatherMap>();

/** Positions `offset + i + 1` (0 stays for a zero) reduced by `digit`, per input. */
function encoded(inputs: readonly Tensor[], starts: readonly number[], digit: (p: number) => number): Tensor[] {
  return inputs.map((t, k) => {
    const data = new Float32Array(t.data.length);
    for (let i = 0; i < data.length; i++) data[i] = digit(starts[k] + i + 1);
    return { shape: [...t.shape], data };
  });
}

function buildMap(forward: (inputs: readonly Tensor[]) => Tensor, inputs: readonly Tensor[], key: string): GatherMap {
  const starts: number[] = [];
  let total = 0;
  for (const t of inputs) {
    starts.push(total);
    total += t.data.length;
  }
  if (total >= 2 ** 31 - 1) fail(`shapewise: the backward pass cannot map ${total} input elements (at most ${2 ** 31 - 2})`);
  let source: Int32Array;
  if (total < EXACT) {
    const out = forward(encoded(inputs, starts, (p) => p)).data;
    source = new Int32Array(out.length);
    for (let o = 0; o < out.length; o++) {
      const v = out[o];
      // A forward pass that mixes values (an interpolation) gives a non-position: refuse rather than train wrongly.
      if (!Number.isInteger(v) || v < 0 || v > total)
        fail(`shapewise: the backward pass expected a forward pass that only moves values, got ${v} at output ${o}`);
      source[o] = v - 1;
    }
  } else {
    // Past 2^24 a position travels as two exact halves: p = high * 2^12 + low.
    const hi = forward(encoded(inputs, starts, (p) => Math.floor(p / HALF) + 1)).data;
    const lo = forward(encoded(inputs, starts, (p) => (p % HALF) + 1)).data;
    source = new Int32Array(hi.length);
    for (let o = 0; o < hi.length; o++) source[o] = hi[o] === 0 ? -1 : (hi[o] - 1) * HALF + (lo[o] - 1) - 1;
  }
  return { key, source, starts };
}

/**
 * The gradients of the inputs of a value-moving forward function, given the
 * gradient of its output. `owner` caches the map per input shapes (the layer).
 *
 * @example
 * const [dx] = gatherBackward(layer, (xs) => layer.call(xs[0]), [x], dy);
 */
export function gatherBackward(owner: object, forward: (inputs: readonly Tensor[]) => Tensor, inputs: readonly Tensor[], dOutput: Tensor): Tensor[] {
  const key = inputs.map((t) => t.shape.join(",")).join(";");
  let map = maps.get(owner);
  if (map === undefined || map.key !== key) {
    map = buildMap(forward, inputs, key);
    maps.set(owner, map);
  }
  if (map.source.length !== dOutput.data.length) {
    fail(`shapewise: the backward pass got an output gradient of ${dOutput.data.length} values for an output of ${map.source.length}`);
  }
  const grads = inputs.map((t) => new Float32Array(t.data.length));
  const { source, starts } = map;
  const d = dOutput.data;
  let k = 0;
  for (let o = 0; o < source.length; o++) {
    const p = source[o];
    if (p < 0) continue;
    // Sources of one input come in runs: find the input by walking from the last one.
    while (k + 1 < starts.length && p >= starts[k + 1]) k++;
    while (k > 0 && p < starts[k]) k--;
    grads[k][p - starts[k]] += d[o];
  }
  return grads.map((data, i) => ({ shape: [...inputs[i].shape], data }));
}
