/**
 * ONNX export: a model as an ONNX `ModelProto` (opset 17, IR version 8) that
 * onnxruntime runs with the same outputs as shapewise's own forward pass.
 *
 * The graph keeps shapewise's layout at its boundary: inputs and outputs are
 * channels-last (NHWC) exactly as `predict` takes and gives them, batch axis
 * dynamic. Inside, each convolution and windowed pooling is wrapped in
 * Transposes to ONNX's channels-first layout; a Transpose back that the next
 * layer would undo is skipped (the channels-first value is reused), and nodes
 * no output needs are dropped.
 *
 * The mapping reads the model only through its public graph (`m.graph()`),
 * each layer's `className`, `getConfig()`, `weightSpecs()` and weights.
 * Weights are written in ONNX layouts (conv kernels `[out, in, ...k]`, LSTM
 * gates reordered) as float32 initialisers.
 *
 * @example
 * ```ts
 * import { writeFileSync } from "node:fs";
 * writeFileSync("model.onnx", toONNX(m));
 * ```
 */
import { configObject, fail, valueText } from "../../checks.js";
import type { Tensor } from "../../kernels/tensor.js";
import type { Layer } from "../../layers/layer.js";
import type { ModelGraph, TensorRef } from "../../model-graph.js";
import { ProtoWriter } from "../protobuf.js";
import type { Shape } from "../../shape.js";
import { registrationOf } from "../../layers/registry.js";
import type { AttrValue, ExportableModel, Initializer, OnnxNode, Value } from "./builder.js";
import { FLOAT, GraphBuilder, IR_VERSION, ONNX_OPSET, PermutedFloats, int, unsupported } from "./builder.js";
import { inputDtype } from "../input-dtype.js";

/** ONNX's element type of int32 tensors. */
const INT32 = 6;

/**
 * Options of {@link toONNX}.
 *
 * @example
 * ```ts
 * toONNX(m, { producerVersion: "1.0.0", docString: "digits classifier" });
 * ```
 */
export interface OnnxExportOptions {
  /** Written as the model's `doc_string`. */
  docString?: string;
  /** Written as `producer_version` (default: none). */
  producerVersion?: string;
}

// ---------------------------------------------------------------------------
// Model to graph
// ---------------------------------------------------------------------------

/** A model used as a layer, read through its public `model` field. */
function nestedModel(layer: Layer): ExportableModel | undefined {
  const inner = (layer as Layer & { model?: unknown }).model;
  return inner !== null && typeof inner === "object" && typeof (inner as ExportableModel).graph === "function" ? (inner as ExportableModel) : undefined;
}

/**
 * The operator set of the functions the export defines: one per nested model.
 *
 * @example
 * ```ts
 * MODEL_FUNCTION_DOMAIN; // "shapewise.models"
 * ```
 */
export const MODEL_FUNCTION_DOMAIN = "shapewise.models";

/** A nested model written once as an ONNX function (`FunctionProto`), called by every node that applies it. */
interface OnnxFunction {
  readonly name: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly nodes: readonly OnnxNode[];
}

/**
 * What one export shares across graphs: the functions defined so far, by
 * the layer that wraps the nested model and the weights it was written with.
 */
class ExportContext {
  readonly functions: OnnxFunction[] = [];
  private readonly names = new GraphBuilder();
  private readonly byLayer = new Map<Layer, { weights: readonly Tensor[]; fn: OnnxFunction }[]>();

  /**
   * The function of a nested model, defined on its first call. A model
   * applied twice per level, 16 levels deep, is 17 functions of a few nodes
   * each rather than 2^16 inlined copies.
   */
  functionOf(layer: Layer, inner: ExportableModel, weights: readonly Tensor[]): OnnxFunction {
    const known = this.byLayer.get(layer)?.find((f) => f.weights.length === weights.length && f.weights.every((w, i) => w === weights[i]));
    if (known !== undefined) return known.fn;
    const body = new GraphBuilder();
    const graph = inner.graph();
    const inputs = graph.inputs.map((ref) => {
      body.reserve(ref.layer.name);
      return ref.layer.name;
    });
    // The wrapping layer holds the weights (setWeights on the outer model reaches them), in inner layer order.
    const own = new Map<Layer, readonly Tensor[]>();
    let next = 0;
    for (const l of inner.layers) {
      const count = l.weightSpecs().length;
      own.set(l, weights.slice(next, next + count));
      next += count;
    }
    const results = emitGraph(this, body, graph, inputs, (l) => own.get(l) ?? []);
    // An output may be an input or another output's value: each gets a node of its own.
    const outputs = results.map((r, i) => body.op1("Identity", [r], `output_${i}`));
    const { nodes, initializers } = liveParts(body, outputs);
    // A function has no initialisers: its weights are Constant nodes, written once with the function.
    const constants: OnnxNode[] = initializers.map((t) => ({
      op: "Constant",
      inputs: [],
      outputs: [t.name],
      name: body.fresh(`${t.name}/Constant`),
      attrs: { value: { kind: "tensor", v: t } },
    }));
    const fn: OnnxFunction = { name: this.names.fresh(inner.name), inputs, outputs, nodes: [...constants, ...nodes] };
    this.functions.push(fn);
    this.byLayer.set(layer, [...(this.byLayer.get(layer) ?? []), { weights: [...weights], fn }]);
    return fn;
  }
}

const refKey = (r: { layer: Layer; nodeIndex: number; tensorIndex: number }) => `${r.layer.name}\u0000${r.nodeIndex}\u0000${r.tensorIndex}`;

/** Emits every node of a model graph; returns the names of its outputs. */
function emitGraph(
  ctx: ExportContext,
  g: GraphBuilder,
  graph: ModelGraph,
  inputs: readonly string[],
  weightsOf: (layer: Layer) => readonly Tensor[],
): string[] {
  const values = new Map<string, Value>();
  graph.inputs.forEach((ref, i) => values.set(refKey(ref), { name: inputs[i], shape: ref.shape }));
  for (const node of graph.nodes) {
    if (node.inbound.length === 0) continue; // an input layer: its value is given
    const inbound = node.inbound.map((ref) => {
      const v = values.get(refKey(ref));
      if (v === undefined) throw new Error(`onnx: tensor ${ref.layer.name}[${ref.nodeIndex}][${ref.tensorIndex}] is read before it is computed`);
      return v;
    });
    const outputs = emitLayer(ctx, g, node.layer, inbound, node.outputShapes, weightsOf(node.layer));
    outputs.forEach((name, i) => values.set(refKey({ layer: node.layer, nodeIndex: node.nodeIndex, tensorIndex: i }), { name, shape: node.outputShapes[i] }));
  }
  return graph.outputs.map((ref) => values.get(refKey(ref))!.name);
}

/** Emits one layer call; a nested model is a call of its function, defined once. */
function emitLayer(
  ctx: ExportContext,
  g: GraphBuilder,
  layer: Layer,
  inputs: readonly Value[],
  outputShapes: readonly Shape[],
  weights: readonly Tensor[],
): string[] {
  const inner = nestedModel(layer);
  if (inner !== undefined) {
    const fn = ctx.functionOf(layer, inner, weights);
    const outputs = fn.outputs.map((_, i) => g.fresh(fn.outputs.length === 1 ? layer.name : `${layer.name}_${i}`));
    g.nodes.push({ op: fn.name, domain: MODEL_FUNCTION_DOMAIN, inputs: inputs.map((v) => v.name), outputs, name: g.fresh(`${layer.name}/call`), attrs: {} });
    return outputs;
  }
  const registration = registrationOf(layer.className);
  if (typeof registration?.formats.onnx === "string") return unsupported(layer, registration.formats.onnx);
  const mapping = registration?.writers?.onnx;
  if (mapping === undefined) return unsupported(layer, "it has no ONNX mapping");
  const expected = layer.weightSpecs().length;
  if (weights.length !== expected) unsupported(layer, `it has ${weights.length} weights, expected ${expected}: build the model before exporting it`);
  const outputs = mapping({
    g,
    layer,
    config: layer.getConfig(),
    inputs,
    outputShapes,
    weights,
    nested: (l, ins, shapes, ws) => emitLayer(ctx, g, l, ins, shapes, ws),
  });
  if (outputs.length !== outputShapes.length) throw new Error(`onnx: ${layer.className} mapping gave ${outputs.length} outputs for ${outputShapes.length}`);
  return outputs;
}

/** Keeps only the nodes and initialisers that an output needs. */
function liveParts(g: GraphBuilder, outputs: readonly string[]): { nodes: OnnxNode[]; initializers: Initializer[] } {
  const producer = new Map<string, OnnxNode>();
  for (const n of g.nodes) for (const o of n.outputs) producer.set(o, n);
  const needed = new Set<string>(outputs);
  const live = new Set<OnnxNode>();
  const stack = [...outputs];
  while (stack.length > 0) {
    const n = producer.get(stack.pop()!);
    if (n === undefined || live.has(n)) continue;
    live.add(n);
    for (const i of n.inputs) {
      if (i === "" || needed.has(i)) continue;
      needed.add(i);
      stack.push(i);
    }
  }
  return { nodes: g.nodes.filter((n) => live.has(n)), initializers: g.initializers.filter((i) => needed.has(i.name)) };
}

// ---------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------

function encodeAttr(name: string, a: AttrValue): ProtoWriter {
  const w = new ProtoWriter().string(1, name);
  switch (a.kind) {
    case "float":
      return w.float(2, a.v).uint(20, 1);
    case "int":
      return w.int64(3, a.v).uint(20, 2);
    case "string":
      return w.string(4, a.v).uint(20, 3);
    case "floats":
      return w.packedFloat(7, a.v).uint(20, 6);
    case "ints":
      return w.packedInt64(8, a.v).uint(20, 7);
    case "strings":
      for (const s of a.v) w.string(9, s);
      return w.uint(20, 8);
    case "tensor":
      return w.message(5, encodeInitializer(a.v)).uint(20, 4);
  }
}

function encodeNode(n: OnnxNode): ProtoWriter {
  const w = new ProtoWriter();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name).string(4, n.op);
  for (const [name, a] of Object.entries(n.attrs)) w.message(5, encodeAttr(name, a));
  if (n.domain !== undefined) w.string(7, n.domain);
  return w;
}

const opsetImport = (domain: string, version: number): ProtoWriter => new ProtoWriter().string(1, domain).int64(2, version);

/** A `FunctionProto`: ONNX's operators and the other model functions it calls. */
function encodeFunction(f: OnnxFunction): ProtoWriter {
  const w = new ProtoWriter().string(1, f.name);
  for (const i of f.inputs) w.string(4, i);
  for (const o of f.outputs) w.string(5, o);
  for (const n of f.nodes) w.message(7, encodeNode(n));
  w.message(9, opsetImport("", ONNX_OPSET)).message(9, opsetImport(MODEL_FUNCTION_DOMAIN, 1));
  return w.string(10, MODEL_FUNCTION_DOMAIN);
}

function encodeInitializer(t: Initializer): ProtoWriter {
  const w = new ProtoWriter().packedInt64(1, t.dims).uint(2, t.type).string(8, t.name);
  // raw_data is little-endian float32 bytes: the encoding of a packed float field, written once into the final buffer.
  if (t.data instanceof PermutedFloats) return t.data.length === 0 ? w : w.deferredBytes(9, t.data);
  if (t.type === FLOAT) return w.packedFloat(9, t.data as Float32Array);
  return w.packedInt64(7, t.data as number[]);
}

function encodeValueInfo(name: string, shape: Shape, elemType: number): ProtoWriter {
  const dims = new ProtoWriter();
  shape.forEach((d, i) => {
    const dim = new ProtoWriter();
    if (d !== null) dim.int64(1, d);
    else if (i === 0) dim.string(2, "batch");
    dims.message(1, dim);
  });
  const tensorType = new ProtoWriter().uint(1, elemType).message(2, dims);
  return new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, tensorType));
}

/**
 * The model as ONNX bytes (opset 17). Inputs and outputs are float32,
 * channels-last like `predict`'s, named after the model's input layers and
 * output layers; the batch axis is the symbolic dimension `batch`. Layers
 * ONNX cannot express (or a configuration of one, such as an LSTM with a
 * `gelu` activation) are a `ShapeError` naming the layer and its class.
 *
 * @example
 * ```ts
 * const bytes = toONNX(m);           // Uint8Array
 * writeFileSync("model.onnx", bytes); // runs in onnxruntime with the same outputs as m.predict
 * ```
 */
export function toONNX(m: ExportableModel, options: OnnxExportOptions = {}): Uint8Array {
  if (m === null || typeof m !== "object" || typeof (m as Partial<ExportableModel>).graph !== "function")
    fail(`shapewise: toONNX expects a model, got ${valueText(m)}`);
  const opts = configObject("toONNX", options, ["docString", "producerVersion"]);
  for (const key of ["docString", "producerVersion"] as const) {
    if (opts[key] !== undefined && typeof opts[key] !== "string") fail(`shapewise: toONNX ${key} must be a string, got ${valueText(opts[key])}`);
  }
  const g = new GraphBuilder();
  const graph = m.graph();
  const inputNames = graph.inputs.map((ref) => {
    g.reserve(ref.layer.name);
    return ref.layer.name;
  });
  const own = (layer: Layer): readonly Tensor[] => layer.weights ?? [];
  // An int32 input (ids) is declared int32, as Keras's is, and cast once to the float32 every layer computes in.
  const int32 = graph.inputs.map((ref) => inputDtype(ref.layer) === "int32");
  const values = inputNames.map((name, i) => (int32[i] ? g.op1("Cast", [name], `${name}/float`, { to: int(FLOAT) }) : name));
  const ctx = new ExportContext();
  const results = emitGraph(ctx, g, graph, values, own);
  // Outputs are named after their layers (`dense_1`, `lstm:1` for a second output), each by an Identity.
  const outputNames = graph.outputs.map((ref: TensorRef, i) => {
    const name = g.fresh(ref.tensorIndex === 0 ? ref.layer.name : `${ref.layer.name}:${ref.tensorIndex}`);
    g.nodes.push({ op: "Identity", inputs: [results[i]], outputs: [name], name: g.fresh(`${name}/output`), attrs: {} });
    return name;
  });
  const { nodes, initializers } = liveParts(g, outputNames);
  const body = new ProtoWriter();
  for (const n of nodes) body.message(1, encodeNode(n));
  body.string(2, m.name);
  for (const t of initializers) body.message(5, encodeInitializer(t));
  graph.inputs.forEach((ref, i) => body.message(11, encodeValueInfo(inputNames[i], ref.shape, int32[i] ? INT32 : FLOAT)));
  graph.outputs.forEach((ref, i) => body.message(12, encodeValueInfo(outputNames[i], ref.shape, FLOAT)));
  const model = new ProtoWriter().int64(1, IR_VERSION).string(2, "shapewise");
  if (options.producerVersion !== undefined) model.string(3, options.producerVersion);
  if (options.docString !== undefined) model.string(6, options.docString);
  model.message(7, body).message(8, opsetImport("", ONNX_OPSET));
  if (ctx.functions.length > 0) model.message(8, opsetImport(MODEL_FUNCTION_DOMAIN, 1));
  for (const f of ctx.functions) model.message(25, encodeFunction(f));
  return model.finish();
}
