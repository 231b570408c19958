/**
 * The builder that turns a file's layer list with its connections into a
 * shapewise model through the public building API (so every shape rule is
 * checked again), never allocating weights past a limit.
 */
import { fail } from "../checks.js";
import { model, sequential } from "../functional.js";
import type { Layer } from "../layers/layer.js";
import type { Model } from "../model.js";
import type { SymbolicTensorImpl } from "../symbolic-tensor.js";
import type { FileGraph, FileLayer, FileRef } from "./file-graph.js";
import { applyLayerConfig, entryForClass } from "./layer-registry.js";
/** One call of one layer of a file: the layer's place in the list and the call's index. */
interface FileCall {
  readonly layer: number;
  readonly call: number;
}

/**
 * The order in which a file's layer calls can be made: each after the calls
 * it reads and after the same layer's earlier calls, whatever order the file
 * lists its layers in (Keras lists a shared layer once, and its later calls
 * may read layers listed after it). Linear in the number of calls and
 * references, without recursion; a reference to a layer or call the file
 * does not define, and a cycle, are errors that say which.
 */
function callOrder(layers: readonly FileLayer[]): FileCall[] {
  const index = layerIndex(layers);
  // An input layer has one call, which reads nothing.
  const callCount = (l: FileLayer) => Math.max(1, l.calls.length);
  const first: number[] = [];
  const calls: FileCall[] = [];
  for (const [i, l] of layers.entries()) {
    first.push(calls.length);
    for (let j = 0; j < callCount(l); j++) calls.push({ layer: i, call: j });
  }
  const reads = (id: number): number[] => {
    const { layer: i, call: j } = calls[id];
    const l = layers[i];
    const ids = (l.calls[j] ?? []).map((ref) => {
      const at = index.get(ref.layer);
      if (at === undefined) fail(`shapewise: model file layer '${l.name}' reads layer '${ref.layer}', which the file does not define`);
      const count = callCount(layers[at]);
      if (ref.nodeIndex >= count)
        fail(`shapewise: model file layer '${l.name}' reads call ${ref.nodeIndex} of '${ref.layer}', which has ${count} call${count === 1 ? "" : "s"}`);
      return first[at] + ref.nodeIndex;
    });
    // A layer's calls are made in order: its weights come from the first.
    if (j > 0) ids.push(id - 1);
    return ids;
  };
  const waiting = new Int32Array(calls.length);
  const readers: number[][] = calls.map(() => []);
  for (let id = 0; id < calls.length; id++) {
    for (const dep of reads(id)) {
      waiting[id]++;
      readers[dep].push(id);
    }
  }
  const order: number[] = [];
  for (let id = 0; id < calls.length; id++) if (waiting[id] === 0) order.push(id);
  for (let k = 0; k < order.length; k++) {
    for (const r of readers[order[k]]) if (--waiting[r] === 0) order.push(r);
  }
  if (order.length < calls.length) {
    // Every call left waits for another call left: following those leads round a cycle.
    const label = (id: number) => {
      const { layer: i, call: j } = calls[id];
      return layers[i].calls.length > 1 ? `${layers[i].name} (call ${j})` : layers[i].name;
    };
    const seen = new Map<number, number>();
    const path: number[] = [];
    let id = waiting.findIndex((w) => w > 0);
    while (!seen.has(id)) {
      seen.set(id, path.length);
      path.push(id);
      id = reads(id).find((dep) => waiting[dep] > 0)!;
    }
    const cycle = [...path.slice(seen.get(id)!), id];
    fail(`shapewise: model file layers form a cycle: ${cycle.map(label).join(" -> ")}`);
  }
  return order.map((id) => calls[id]);
}

/** Positions of a file's layers by name; a name defined twice is an error. */
function layerIndex(layers: readonly FileLayer[]): Map<string, number> {
  const index = new Map<string, number>();
  layers.forEach((l, i) => {
    if (index.has(l.name)) fail(`shapewise: model file defines layer '${l.name}' twice`);
    index.set(l.name, i);
  });
  return index;
}

/** Per-tensor results of the calls made so far: layer name -> call index -> outputs. */
type Made = Map<string, (SymbolicTensorImpl | readonly SymbolicTensorImpl[])[]>;

function lookup(made: Made, ref: FileRef, reader: string): SymbolicTensorImpl {
  const calls = made.get(ref.layer);
  // Model ends are checked here: callOrder sees only the layers' calls.
  if (calls === undefined) fail(`shapewise: model file ${reader} reads layer '${ref.layer}', which the file does not define`);
  const out = calls[ref.nodeIndex];
  if (out === undefined) fail(`shapewise: model file layer '${reader}' reads call ${ref.nodeIndex} of '${ref.layer}', which has ${calls.length} calls`);
  const tensors = Array.isArray(out) ? out : [out as SymbolicTensorImpl];
  const t = tensors[ref.tensorIndex];
  if (t === undefined) fail(`shapewise: model file layer '${reader}' reads output ${ref.tensorIndex} of '${ref.layer}', which has ${tensors.length} outputs`);
  return t;
}

/**
 * A check of a model level's layers before `model()` makes it (and could
 * allocate their weights): a file with a weights manifest compares it with
 * the layers' weights here. `outermost` is true for the model the file
 * describes, whose layers are the last to be checked.
 *
 * @example
 * const check: LayerCheck = (layers) => layers.forEach((l) => l.weightSpecs());
 */
export type LayerCheck = (layers: readonly Layer[], outermost: boolean) => void;

/**
 * Builds a model from a file's layer list through the public API: each
 * layer call in an order where it comes after the calls it reads, then a
 * size check on the layers' weights and `check` (both before the model
 * allocates any), then `model()` or `sequential()`.
 *
 * @example
 * const m = buildModel(graph, 2 ** 31); // a Model with the file's names and shapes
 */
export function buildModel(graph: FileGraph, maxBytes: number, check?: LayerCheck): Model {
  return buildWithin(graph, { bytes: maxBytes, maxBytes, check }, true);
}

/**
 * The weight bytes still allowed: nested models are built (and allocate
 * their weights) before the outer model, so they all draw on one budget.
 */
interface Budget {
  bytes: number;
  readonly maxBytes: number;
  readonly check: LayerCheck | undefined;
}

function buildWithin(graph: FileGraph, budget: Budget, outermost: boolean): Model {
  const order = callOrder(graph.layers);
  // Every layer's kind is checked before any is made.
  const entries = graph.layers.map((l) => {
    const entry = entryForClass(l.className, `model file layer '${l.name}'`);
    if (entry.style === "input") {
      if (l.calls.length > 0) fail(`shapewise: model file input layer '${l.name}' cannot read other layers`);
      return entry;
    }
    if (entry.style === "model" && l.nested === undefined) fail(`shapewise: model file layer '${l.name}' (${l.className}) has no model config`);
    if (l.calls.length === 0) fail(`shapewise: model file layer '${l.name}' is never called`);
    if (l.calls.length > 1 && entry.style !== "method" && entry.style !== "merge" && entry.style !== "model") {
      fail(`shapewise: model file layer '${l.name}' (${l.className}) cannot be shared`);
    }
    return entry;
  });
  const made: Made = new Map(graph.layers.map((l) => [l.name, []]));
  const layerOf = new Map<string, Layer>();
  const innerOf = new Map<string, Model>();
  for (const { layer: i, call: j } of order) {
    const l = graph.layers[i];
    const style = entries[i].style;
    const outputs = made.get(l.name)!;
    const inputs = style === "input" ? [] : l.calls[j].map((ref) => lookup(made, ref, l.name));
    if (style === "model") {
      // The inner model first, through the public API; each call applies it, so every call shares its weights.
      let inner = innerOf.get(l.name);
      if (inner === undefined) {
        inner = buildWithin(l.nested!, budget, false);
        if (inner.name !== l.name) fail(`shapewise: model file layer '${l.name}' holds a model named '${inner.name}'; the two names must agree`);
        innerOf.set(l.name, inner);
      }
      outputs.push(applyNested(inner, inputs, l.name));
    } else if (j > 0) {
      // A shared layer is made once and applied again to its later inputs.
      outputs.push(reapply(layerOf.get(l.name)!, inputs, l.name));
    } else {
      outputs.push(applyLayerConfig(l.className, inputs, l.config, l.inner));
    }
    if (j === 0) {
      const layer = firstTensor(outputs[0]).layer;
      if (l.frozen === true) layer.trainable = false;
      layerOf.set(l.name, layer);
    }
  }
  // Weights are float32: a file whose layers would hold more than maxBytes is refused before model() allocates them.
  // Nested models were charged when they were built.
  let params = 0;
  const own: Layer[] = [];
  for (const [name, layer] of layerOf) {
    if (innerOf.has(name)) continue;
    params += layer.countParams();
    own.push(layer);
  }
  if (!(params * 4 <= budget.bytes)) {
    // The count includes every layer read so far, nested models' too: together they pass the limit.
    const { maxBytes } = budget;
    const bytes = params * 4 + (maxBytes - budget.bytes);
    fail(`shapewise: model file layers hold ${bytes / 4} parameters (${bytes} bytes), more than the limit of ${maxBytes} bytes (option maxBytes)`);
  }
  budget.bytes -= params * 4;
  budget.check?.(own, outermost);
  const inputs = graph.inputs.map((r) => lookup(made, r, "(model inputs)"));
  const outputs = graph.outputs.map((r) => lookup(made, r, "(model outputs)"));
  if (inputs.length === 0 || outputs.length === 0) fail(`shapewise: model file must name at least one input and one output`);
  const arrange = (tensors: SymbolicTensorImpl[], keys: readonly string[] | undefined) =>
    keys !== undefined ? Object.fromEntries(keys.map((k, i) => [k, tensors[i]])) : tensors.length === 1 ? tensors[0] : tensors;
  const config = {
    inputs: arrange(inputs, graph.inputKeys),
    outputs: arrange(outputs, graph.outputKeys),
    ...(graph.name === undefined ? {} : { name: graph.name }),
  };
  const build = graph.kind === "sequential" ? sequential : model;
  return build(config as never) as unknown as Model;
}

/**
 * One call of a nested model: its inputs arranged as the model takes them
 * (one tensor, a list or a record), its outputs back as a list.
 */
function applyNested(inner: Model, inputs: SymbolicTensorImpl[], name: string): SymbolicTensorImpl | readonly SymbolicTensorImpl[] {
  const inLayout = inner.inputLayout;
  const count = inLayout === "single" ? 1 : inLayout === "list" ? (inner.inputShape as readonly unknown[]).length : inLayout.keys.length;
  if (inputs.length !== count) fail(`shapewise: model file layer '${name}' is a model with ${count} inputs, but a call gives it ${inputs.length}`);
  const arranged = inLayout === "single" ? inputs[0] : inLayout === "list" ? inputs : Object.fromEntries(inLayout.keys.map((k, i) => [k, inputs[i]]));
  const out = (inner.apply as (x: unknown) => unknown)(arranged);
  const outLayout = inner.outputLayout;
  if (outLayout === "single") return out as SymbolicTensorImpl;
  if (outLayout === "list") return [...(out as readonly SymbolicTensorImpl[])];
  return outLayout.keys.map((k) => (out as Record<string, SymbolicTensorImpl>)[k]);
}

function firstTensor(out: SymbolicTensorImpl | readonly SymbolicTensorImpl[]): SymbolicTensorImpl {
  return Array.isArray(out) ? out[0] : (out as SymbolicTensorImpl);
}

/** A later call of a shared layer: the same layer object on new inputs. */
function reapply(layer: Layer, inputs: SymbolicTensorImpl[], name: string): SymbolicTensorImpl {
  if (inputs.length === 0) fail(`shapewise: model file layer '${name}' has a call without inputs`);
  const [first, ...rest] = inputs;
  return first.applyLayer(layer, ...rest);
}
