/**
 * A model's weights: where each layer's initial values come from in the
 * seeded stream, when they are drawn (first use, after a check that they
 * fit the machine), and replacing them all from a caller's tensors.
 */
import { fail, valueText } from "./checks.js";
import { weightArray } from "./kernels/packed-weights.js";
import type { Tensor } from "./kernels/tensor.js";
import { byteText } from "./layers/layer.js";
import type { Layer, WeightSpec } from "./layers/layer.js";
import { numericData } from "./model-inputs.js";
import { host } from "./platform.js";

/** The weights of the model in the order `getWeights` returns them. */
export interface WeightSlot {
  readonly layer: Layer;
  readonly spec: WeightSpec;
}

/**
 * A model's generator as a position in a seeded stream: each layer takes its
 * initial values from where the previous one stopped, drawn when first read.
 */
interface WeightStream {
  readonly seed: number;
  draws: number;
}

/** The generator for models built without a `seed`: deterministic per process, reset by `clearSession`. */
let sessionStream: WeightStream = { seed: 1337, draws: 0 };

/** Restarts the generator of unseeded models (called by `clearSession`). */
export function resetSessionRandom(): void {
  sessionStream = { seed: 1337, draws: 0 };
}

/**
 * Places every layer that has no weights of its own yet in the model's
 * stream: the session's for a model built without a `seed`, a fresh one
 * for a seeded model. Nothing is drawn until the weights are first read.
 */
export function scheduleModelWeights(layers: readonly Layer[], seed: number | undefined): void {
  // Weights are drawn on first use, each layer at the place in the stream it
  // would have had if every layer were drawn now, in this order.
  const stream = seed === undefined ? sessionStream : { seed, draws: 0 };
  for (const layer of layers) {
    // Only the position modulo 2^32 matters to the generator (its period), and it keeps the count exact.
    if (!layer.hasWeightSource()) stream.draws = (stream.draws + layer.scheduleWeights(stream.seed, stream.draws)) % 2 ** 32;
  }
}

/**
 * Draws every weight not yet drawn, layer by layer, after checking that
 * they fit: more than the machine's memory is a sentence with the bytes
 * needed, before anything is allocated. `what` and `name` name the model.
 */
export function allocateWeights(what: string, name: string, layers: readonly Layer[]): void {
  let total = 0;
  let largest: Layer | undefined;
  for (const layer of layers) {
    const bytes = layer.pendingWeightBytes();
    total += bytes;
    if (bytes > 0 && (largest === undefined || bytes > largest.pendingWeightBytes())) largest = layer;
  }
  if (largest === undefined) return;
  const memory = machineMemoryBytes();
  if (memory !== undefined && total > memory) {
    fail(
      `shapewise: ${what} '${name}' cannot allocate its weights: they need ${byteText(total)} (layer '${largest.name}' alone ${byteText(largest.pendingWeightBytes())}), more than this machine's memory (${byteText(memory)})`,
    );
  }
  for (const layer of layers) void layer.weights;
}

/** Every weight of the layers, in the order `getWeights` returns them. */
export function weightSlots(layers: readonly Layer[]): WeightSlot[] {
  return layers.flatMap((layer) => layer.weightSpecs().map((spec) => ({ layer, spec })));
}

/**
 * Replaces every weight of the layers with copies of `weights`, in
 * `getWeights` order, after checking the count, each shape and each value.
 * A reader that made the arrays for this model alone hands them over
 * (`handOver`): they are kept as they are, so a model read from a file
 * holds its weights once, not twice.
 */
export function setLayerWeights(layers: readonly Layer[], weights: readonly Tensor[], handOver = false): void {
  const slots = weightSlots(layers);
  if (!Array.isArray(weights) || weights.length !== slots.length) {
    const got = Array.isArray(weights) ? weights.length : valueText(weights);
    const first = slots[Array.isArray(weights) ? Math.min(weights.length, slots.length - 1) : 0];
    const hint = first === undefined ? "" : `; weight ${slots.indexOf(first)} is ${first.layer.name}/${first.spec.name} ${valueText(first.spec.shape)}`;
    fail(`shapewise: setWeights expects ${slots.length} tensors in Keras order, got ${got}${hint}`);
  }
  const checked = slots.map((slot, i) => {
    const w = weights[i];
    const label = `${slot.layer.name}/${slot.spec.name}`;
    const shape = w?.shape;
    if (!Array.isArray(shape) || shape.length !== slot.spec.shape.length || shape.some((d, j) => d !== slot.spec.shape[j])) {
      fail(`shapewise: setWeights weight ${i} (${label}) must have shape ${valueText(slot.spec.shape)}, got ${valueText(shape)}`);
    }
    const data = numericData(`setWeights weight ${i} (${label})`, w.data, slot.spec.shape);
    // The model keeps its own copy, as Keras does: later writes to the caller's array change nothing.
    // The copy is made where the kernels read weights in place, so the next predict copies none in.
    return { shape: [...slot.spec.shape], data: data === w.data && !handOver ? ownCopy(data) : data };
  });
  let next = 0;
  for (const layer of layers) {
    const count = layer.weightSpecs().length;
    layer.weights = checked.slice(next, next + count);
    next += count;
  }
}

/** A copy of `data` in an array of {@link weightArray}: WebAssembly memory when the fast kernels are loaded and it fits the budget. */
function ownCopy(data: Float32Array): Float32Array {
  const copy = weightArray(data.length, false);
  copy.set(data);
  return copy;
}

/**
 * The machine's memory in bytes where the runtime says (Node: `os.totalmem()`),
 * the bound on a model's weights; `undefined` elsewhere, where the engine's
 * own allocation limit is the bound.
 */
function machineMemoryBytes(): number | undefined {
  return host().totalMemory?.();
}
