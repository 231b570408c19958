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
import { configObject, fail, valueText } from "../checks.js";
import { transpose } from "../kernels/reshape-ops.js";
import { aspectWindow } from "../kernels/preprocess-image.js";
import type { Tensor } from "../kernels/tensor.js";
import type { Layer } from "../layers/layer.js";
import type { ModelGraph, PredictOptions, TensorRef } from "../model.js";
import { ProtoWriter } from "./protobuf.js";
import type { Shape } from "../shape.js";
import { convOutputGeometry, dilatedSpan, transposeAxis } from "../shape.js";
import { registrationOf } from "../layers/registry.js";

/**
 * The opset the exporter writes: LayerNormalization needs 17.
 *
 * @example
 * ```ts
 * ONNX_OPSET; // 17
 * ```
 */
export const ONNX_OPSET = 17;
/** The IR version that goes with opset 17. */
const IR_VERSION = 8;

/** ONNX `TensorProto.DataType` codes used here. */
const FLOAT = 1;
const INT64 = 7;

/**
 * The public surface of a model that the exporter reads: every `Model` has it.
 *
 * @example
 * ```ts
 * const exportable: ExportableModel = m;
 * ```
 */
export interface ExportableModel {
  readonly name: string;
  graph(): ModelGraph;
  readonly layers: readonly Layer[];
}

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
// Graph builder
// ---------------------------------------------------------------------------

type AttrValue =
  | { kind: "int"; v: number }
  | { kind: "ints"; v: readonly number[] }
  | { kind: "float"; v: number }
  | { kind: "floats"; v: readonly number[] }
  | { kind: "string"; v: string }
  | { kind: "strings"; v: readonly string[] };

const int = (v: number): AttrValue => ({ kind: "int", v });
const ints = (v: readonly number[]): AttrValue => ({ kind: "ints", v });
const float = (v: number): AttrValue => ({ kind: "float", v });
const str = (v: string): AttrValue => ({ kind: "string", v });
const strs = (v: readonly string[]): AttrValue => ({ kind: "strings", v });

interface OnnxNode {
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly name: string;
  readonly attrs: Readonly<Record<string, AttrValue>>;
}

interface Initializer {
  readonly name: string;
  readonly dims: readonly number[];
  readonly type: typeof FLOAT | typeof INT64;
  readonly data: Float32Array | readonly number[];
}

/** A value of the graph under construction: its name and its shape (batch axis `null`). */
interface Value {
  readonly name: string;
  readonly shape: Shape;
}

/** Collects nodes and initialisers with unique names. */
class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: Initializer[] = [];
  private readonly names = new Set<string>();
  private readonly byHint = new Map<string, Initializer[]>();
  /** The channels-first twin of a channels-last value, when a layer already computed it. */
  readonly channelsFirst = new Map<string, string>();

  /** A name not used yet, from a readable hint. */
  fresh(hint: string): string {
    const base = hint.replace(/[^A-Za-z0-9_./:-]/g, "_");
    let name = base;
    for (let i = 1; this.names.has(name); i++) name = `${base}_${i}`;
    this.names.add(name);
    return name;
  }

  reserve(name: string): void {
    if (this.names.has(name)) throw new Error(`onnx: name ${name} is already used`);
    this.names.add(name);
  }

  /** Adds a node and returns its output names. */
  op(op: string, inputs: readonly string[], hint: string, attrs: Record<string, AttrValue> = {}, outputs = 1): string[] {
    const names = Array.from({ length: outputs }, (_, i) => this.fresh(outputs === 1 ? hint : `${hint}_${i}`));
    this.nodes.push({ op, inputs, outputs: names, name: this.fresh(`${hint}/${op}`), attrs });
    return names;
  }

  /** Adds a node with one output and returns its name. */
  op1(op: string, inputs: readonly string[], hint: string, attrs: Record<string, AttrValue> = {}): string {
    return this.op(op, inputs, hint, attrs)[0];
  }

  floatConst(hint: string, dims: readonly number[], data: Float32Array | readonly number[]): string {
    const values = data instanceof Float32Array ? data : Float32Array.from(data);
    if (values.length !== dims.reduce((p, d) => p * d, 1)) throw new Error(`onnx: initializer ${hint} has ${values.length} values for ${valueText(dims)}`);
    // A shared layer's second call asks for the same weights under the same hint: write them once.
    const same = (this.byHint.get(hint) ?? []).find(
      (t) => t.dims.length === dims.length && t.dims.every((d, i) => d === dims[i]) && (t.data as Float32Array).every((v, i) => Object.is(v, values[i])),
    );
    if (same !== undefined) return same.name;
    const name = this.fresh(hint);
    const initializer: Initializer = { name, dims: [...dims], type: FLOAT, data: values };
    this.initializers.push(initializer);
    this.byHint.set(hint, [...(this.byHint.get(hint) ?? []), initializer]);
    return name;
  }

  scalar(hint: string, value: number): string {
    return this.floatConst(hint, [], [value]);
  }

  int64Const(hint: string, values: readonly number[]): string {
    const name = this.fresh(hint);
    this.initializers.push({ name, dims: [values.length], type: INT64, data: [...values] });
    return name;
  }
}

// ---------------------------------------------------------------------------
// Tensor helpers (weights rearranged at export time, not in the graph)
// ---------------------------------------------------------------------------

/** Gate blocks along the last axis of `[rows, g * units]`, reordered and transposed to ONNX's `[g * units, rows]`. */
function gatesToOnnx(t: Tensor, units: number, order: readonly number[]): Float32Array {
  const [rows, width] = t.shape;
  const out = new Float32Array(rows * width);
  order.forEach((block, slot) => {
    for (let u = 0; u < units; u++) {
      for (let r = 0; r < rows; r++) out[(slot * units + u) * rows + r] = t.data[r * width + block * units + u];
    }
  });
  return out;
}

function reorderBias(data: Float32Array, units: number, order: readonly number[]): Float32Array {
  const out = new Float32Array(order.length * units);
  order.forEach((block, slot) => out.set(data.subarray(block * units, (block + 1) * units), slot * units));
  return out;
}

// ---------------------------------------------------------------------------
// Mapping context
// ---------------------------------------------------------------------------

/** What a layer mapping gets: the builder, the layer, its inputs and weights. */
interface Emit {
  readonly g: GraphBuilder;
  readonly layer: Layer;
  readonly config: Record<string, unknown>;
  readonly inputs: readonly Value[];
  readonly outputShapes: readonly Shape[];
  readonly weights: readonly Tensor[];
  /** Maps a layer nested in this one (TimeDistributed, nested models) with its own weights. */
  readonly nested: (layer: Layer, inputs: readonly Value[], outputShapes: readonly Shape[], weights: readonly Tensor[]) => string[];
}

type Mapping = (e: Emit) => string[];

/** Refuses a configuration ONNX cannot express, naming the layer and the reason. */
function unsupported(layer: Layer, why: string): never {
  return fail(`shapewise: toONNX cannot export layer '${layer.name}' (${layer.className}): ${why}`);
}

function cfgString(e: Emit, key: string): string {
  return e.config[key] as string;
}

function cfgNumbers(e: Emit, key: string): number[] {
  return e.config[key] as number[];
}

// ---------------------------------------------------------------------------
// Activations
// ---------------------------------------------------------------------------

const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

/** A Keras activation by name, on the last axis where it has one (softmax). */
function activation(g: GraphBuilder, name: string, x: string, hint: string, layer: Layer): string {
  switch (name) {
    case "linear":
      return x;
    case "relu":
      return g.op1("Relu", [x], hint);
    case "relu6":
      return g.op1("Clip", [x, g.scalar(`${hint}/zero`, 0), g.scalar(`${hint}/six`, 6)], hint);
    case "elu":
      return g.op1("Elu", [x], hint, { alpha: float(1) });
    case "selu":
      return g.op1("Selu", [x], hint, { alpha: float(SELU_ALPHA), gamma: float(SELU_SCALE) });
    case "gelu": {
      // Opset 17 has no Gelu: the exact form x/2 * (1 + erf(x / sqrt 2)), as Keras' default.
      const scaled = g.op1("Mul", [x, g.scalar(`${hint}/rsqrt2`, Math.SQRT1_2)], `${hint}/scaled`);
      const erf = g.op1("Erf", [scaled], `${hint}/erf`);
      const onePlus = g.op1("Add", [erf, g.scalar(`${hint}/one`, 1)], `${hint}/one_plus`);
      const half = g.op1("Mul", [x, g.scalar(`${hint}/half`, 0.5)], `${hint}/half_x`);
      return g.op1("Mul", [half, onePlus], hint);
    }
    case "swish":
    case "silu":
      return g.op1("Mul", [x, g.op1("Sigmoid", [x], `${hint}/sigmoid`)], hint);
    case "sigmoid":
      return g.op1("Sigmoid", [x], hint);
    case "hard_sigmoid":
      // Keras 3: relu6(x + 3) / 6, which is ONNX HardSigmoid with alpha 1/6, beta 1/2.
      return g.op1("HardSigmoid", [x], hint, { alpha: float(1 / 6), beta: float(0.5) });
    case "tanh":
      return g.op1("Tanh", [x], hint);
    case "softplus":
      return g.op1("Softplus", [x], hint);
    case "softsign":
      return g.op1("Softsign", [x], hint);
    case "softmax":
      return g.op1("Softmax", [x], hint, { axis: int(-1) });
    case "log_softmax":
      return g.op1("LogSoftmax", [x], hint, { axis: int(-1) });
    case "exponential":
      return g.op1("Exp", [x], hint);
    default:
      return unsupported(layer, `activation ${valueText(name)} has no ONNX form here`);
  }
}

// ---------------------------------------------------------------------------
// Layouts
// ---------------------------------------------------------------------------

/** `[0, r+1, 1..r]`: channels-last to channels-first for spatial rank `r`. */
const toFirstPerm = (r: number): number[] => [0, r + 1, ...Array.from({ length: r }, (_, i) => i + 1)];
/** `[0, 2..r+1, 1]`: channels-first to channels-last. */
const toLastPerm = (r: number): number[] => [0, ...Array.from({ length: r }, (_, i) => i + 2), 1];

/** The channels-first form of a channels-last value, reusing one a layer already made. */
function channelsFirstOf(g: GraphBuilder, x: Value, r: number, hint: string): string {
  const known = g.channelsFirst.get(x.name);
  if (known !== undefined) return known;
  const y = g.op1("Transpose", [x.name], `${hint}/to_channels_first`, { perm: ints(toFirstPerm(r)) });
  g.channelsFirst.set(x.name, y);
  return y;
}

/** Back to channels-last, remembering the channels-first twin for the next layer. */
function channelsLastOf(g: GraphBuilder, y: string, r: number, hint: string): string {
  const x = g.op1("Transpose", [y], `${hint}/to_channels_last`, { perm: ints(toLastPerm(r)) });
  g.channelsFirst.set(x, y);
  return x;
}

/** Activations that work element by element, so the layout they run in does not matter. */
const elementwise = (name: string): boolean => name !== "softmax" && name !== "log_softmax";

/**
 * Runs `body` on the channels-first form of a windowed layer's input, and
 * gives the result back in the layer's own layout, with the layer's
 * activation. An element-wise activation runs before the Transpose back, so
 * that the next windowed layer can reuse the channels-first value; softmax
 * runs over the last axis of the layer's own layout, as Keras applies it.
 */
function inChannelsFirst(e: Emit, r: number, body: (x: string) => string, activationName = "linear"): string {
  const hint = e.layer.name;
  const first = cfgString(e, "dataFormat") === "channelsFirst";
  const x = first ? e.inputs[0].name : channelsFirstOf(e.g, e.inputs[0], r, hint);
  const early = first || elementwise(activationName);
  let y = body(x);
  if (early) y = activation(e.g, activationName, y, `${hint}/activation`, e.layer);
  const out = first ? y : channelsLastOf(e.g, y, r, hint);
  return early ? out : activation(e.g, activationName, out, `${hint}/activation`, e.layer);
}

/** The spatial sizes of a layer's input in its own layout (`null` where unknown). */
function spatialSizes(e: Emit, r: number): (number | null)[] {
  const shape = e.inputs[0].shape;
  return cfgString(e, "dataFormat") === "channelsFirst" ? shape.slice(2, 2 + r) : shape.slice(1, 1 + r);
}

/** ONNX pads (`[begins..., ends...]`) or `auto_pad` for Keras `"valid"`/`"same"` windows. */
function windowPadding(sizes: readonly (number | null)[], kernel: readonly number[], strides: readonly number[], dilations: readonly number[], padding: string): Record<string, AttrValue> {
  if (padding === "valid") return { pads: ints(new Array<number>(2 * kernel.length).fill(0)) };
  // With stride 1 the padding does not depend on the length: span - 1 in all, the odd pixel after.
  const known = sizes.map((s, i) => (s === null && strides[i] === 1 ? dilatedSpan(kernel[i], dilations[i]) : s));
  if (known.some((s) => s === null)) {
    if (dilations.some((d) => d !== 1)) return fail(`shapewise: toONNX cannot export a strided, dilated 'same' window over unknown sizes ${valueText(sizes)}`);
    // Keras puts the odd pixel after (bottom/right), as SAME_UPPER does.
    return { auto_pad: str("SAME_UPPER") };
  }
  const geometry = known.map((s, i) => convOutputGeometry(s as number, kernel[i], strides[i], dilations[i], "same"));
  return { pads: ints([...geometry.map((x) => x.padBefore), ...geometry.map((x) => x.padAfter)]) };
}

// ---------------------------------------------------------------------------
// Layer mappings
// ---------------------------------------------------------------------------

const dense: Mapping = (e) => {
  const { g, layer } = e;
  const x = e.inputs[0];
  const [kernel, bias] = e.weights;
  const w = g.floatConst(`${layer.name}/kernel`, kernel.shape, kernel.data);
  const useBias = e.config.useBias !== false;
  let y: string;
  if (x.shape.length === 2 && useBias) {
    y = g.op1("Gemm", [x.name, w, g.floatConst(`${layer.name}/bias`, bias.shape, bias.data)], `${layer.name}/gemm`);
  } else {
    y = g.op1("MatMul", [x.name, w], `${layer.name}/matmul`);
    if (useBias) y = g.op1("Add", [y, g.floatConst(`${layer.name}/bias`, bias.shape, bias.data)], `${layer.name}/bias_add`);
  }
  return [activation(g, cfgString(e, "activation"), y, `${layer.name}/activation`, layer)];
};

/** Spatial rank from the class name's `1D`/`2D`/`3D`. */
function rankOf(layer: Layer): number {
  const m = /([123])D/.exec(layer.className);
  return m === null ? 2 : Number(m[1]);
}

const convolution: Mapping = (e) => {
  const { g, layer } = e;
  const r = rankOf(layer);
  const kernelSize = cfgNumbers(e, "kernelSize");
  const strides = cfgNumbers(e, "strides");
  const dilations = cfgNumbers(e, "dilationRate");
  const padding = cfgString(e, "padding");
  const useBias = e.config.useBias !== false;
  const kind = layer.className.startsWith("Depthwise") ? "depthwise" : layer.className.startsWith("Separable") ? "separable" : "conv";
  const sizes = spatialSizes(e, r);
  const kernelPerm = [r + 1, r, ...Array.from({ length: r }, (_, i) => i)];
  const pads: Record<string, AttrValue> =
    padding === "causal"
      ? { pads: ints([dilations[0] * (kernelSize[0] - 1), 0]) }
      : windowPadding(sizes, kernelSize, strides, dilations, padding);
  const window = { kernel_shape: ints(kernelSize), strides: ints(strides), dilations: ints(dilations), ...pads };
  const bias = useBias ? e.weights[e.weights.length - 1] : undefined;
  const biasName = () => (bias === undefined ? [] : [g.floatConst(`${layer.name}/bias`, bias.shape, bias.data)]);
  const y = inChannelsFirst(e, r, (x) => {
    if (kind === "conv") {
      const k = e.weights[0];
      const w = transpose(k, kernelPerm);
      const groups = (e.config.groups as number | undefined) ?? 1;
      return g.op1("Conv", [x, g.floatConst(`${layer.name}/kernel`, w.shape, w.data), ...biasName()], `${layer.name}/conv`, { ...window, group: int(groups) });
    }
    // Depthwise: `[...k, C, m]` is `[...k, 1, C * m]`, one group per input channel.
    const dk = e.weights[0];
    const channels = dk.shape[r];
    const multiplier = dk.shape[r + 1];
    const w = transpose({ shape: [...dk.shape.slice(0, r), 1, channels * multiplier], data: dk.data }, kernelPerm);
    const depthwiseBias = kind === "depthwise" ? biasName() : [];
    const depth = g.op1("Conv", [x, g.floatConst(`${layer.name}/depthwise_kernel`, w.shape, w.data), ...depthwiseBias], `${layer.name}/depthwise`, {
      ...window,
      group: int(channels),
    });
    if (kind === "depthwise") return depth;
    const pk = e.weights[1];
    const pw = transpose(pk, kernelPerm);
    return g.op1("Conv", [depth, g.floatConst(`${layer.name}/pointwise_kernel`, pw.shape, pw.data), ...biasName()], `${layer.name}/pointwise`, {
      kernel_shape: ints(new Array<number>(r).fill(1)),
    });
  }, cfgString(e, "activation"));
  return [y];
};

const convTranspose: Mapping = (e) => {
  const { g, layer } = e;
  const r = rankOf(layer);
  const kernelSize = cfgNumbers(e, "kernelSize");
  const strides = cfgNumbers(e, "strides");
  const dilations = cfgNumbers(e, "dilationRate");
  const padding = cfgString(e, "padding") as "valid" | "same";
  const outputPadding = e.config.outputPadding as number[] | undefined;
  const sizes = spatialSizes(e, r);
  if (sizes.some((s) => s === null)) unsupported(layer, `transposed convolution needs known spatial sizes, got input ${valueText(e.inputs[0].shape)}`);
  // ONNX ConvTranspose: output position i * s + k * d - padBegin, full length (L - 1) * s + span + outputPadding - pads.
  const begins: number[] = [];
  const ends: number[] = [];
  const extra: number[] = [];
  sizes.forEach((length, i) => {
    const axis = transposeAxis(length as number, kernelSize[i], strides[i], dilations[i], padding, outputPadding?.[i]);
    const span = dilatedSpan(kernelSize[i], dilations[i]);
    const full = ((length as number) - 1) * strides[i] + span;
    const end = full - axis.crop - axis.outputLength;
    begins.push(axis.crop);
    ends.push(Math.max(end, 0));
    extra.push(Math.max(-end, 0));
  });
  const k = e.weights[0];
  const w = transpose(k, [r + 1, r, ...Array.from({ length: r }, (_, i) => i)]);
  const useBias = e.config.useBias !== false;
  const bias = e.weights[e.weights.length - 1];
  const y = inChannelsFirst(e, r, (x) =>
    g.op1(
      "ConvTranspose",
      [x, g.floatConst(`${layer.name}/kernel`, w.shape, w.data), ...(useBias ? [g.floatConst(`${layer.name}/bias`, bias.shape, bias.data)] : [])],
      `${layer.name}/conv_transpose`,
      { kernel_shape: ints(kernelSize), strides: ints(strides), dilations: ints(dilations), pads: ints([...begins, ...ends]), output_padding: ints(extra) },
    ),
    cfgString(e, "activation"),
  );
  return [y];
};

const pooling: Mapping = (e) => {
  const { g, layer } = e;
  const r = rankOf(layer);
  const poolSize = cfgNumbers(e, "poolSize");
  const strides = cfgNumbers(e, "strides");
  const padding = cfgString(e, "padding");
  const max = layer.className.startsWith("Max");
  const attrs: Record<string, AttrValue> = {
    kernel_shape: ints(poolSize),
    strides: ints(strides),
    ...windowPadding(spatialSizes(e, r), poolSize, strides, new Array<number>(r).fill(1), padding),
  };
  // Keras 'same' averaging divides by the pixels inside the image: count_include_pad 0.
  if (!max) attrs.count_include_pad = int(0);
  return [inChannelsFirst(e, r, (x) => g.op1(max ? "MaxPool" : "AveragePool", [x], `${layer.name}/pool`, attrs))];
};

const globalPooling: Mapping = (e) => {
  const { g, layer } = e;
  const r = rankOf(layer);
  const first = cfgString(e, "dataFormat") === "channelsFirst";
  const axes = Array.from({ length: r }, (_, i) => i + (first ? 2 : 1));
  const op = layer.className.startsWith("GlobalMax") ? "ReduceMax" : "ReduceMean";
  return [g.op1(op, [e.inputs[0].name], `${layer.name}/reduce`, { axes: ints(axes), keepdims: int(e.config.keepdims === true ? 1 : 0) })];
};

const identity: Mapping = (e) => [e.inputs[0].name];

const flatten: Mapping = (e) => {
  const { g, layer } = e;
  const x = e.inputs[0];
  const rank = x.shape.length;
  // Keras flattens channels-last order; a channels-first input moves its channels last first.
  const source = cfgString(e, "dataFormat") === "channelsFirst" && rank > 2 ? g.op1("Transpose", [x.name], `${layer.name}/to_channels_last`, { perm: ints(toLastPerm(rank - 2)) }) : x.name;
  return [g.op1("Reshape", [source, g.int64Const(`${layer.name}/shape`, [0, -1])], `${layer.name}/reshape`)];
};

const reshape: Mapping = (e) => {
  const target = cfgNumbers(e, "targetShape");
  return [e.g.op1("Reshape", [e.inputs[0].name, e.g.int64Const(`${e.layer.name}/shape`, [0, ...target])], `${e.layer.name}/reshape`)];
};

const permuteLayer: Mapping = (e) => [e.g.op1("Transpose", [e.inputs[0].name], `${e.layer.name}/transpose`, { perm: ints([0, ...cfgNumbers(e, "dims")]) })];

const repeatVector: Mapping = (e) => {
  const { g, layer } = e;
  const n = e.config.n as number;
  const expanded = g.op1("Unsqueeze", [e.inputs[0].name, g.int64Const(`${layer.name}/axis`, [1])], `${layer.name}/unsqueeze`);
  return [g.op1("Expand", [expanded, g.int64Const(`${layer.name}/shape`, [1, n, 1])], `${layer.name}/expand`)];
};

/** The spatial axes of a 1-3D spatial layer's input. */
function spatialAxes(e: Emit, r: number): number[] {
  const first = e.config.dataFormat === "channelsFirst";
  return Array.from({ length: r }, (_, i) => i + (first ? 2 : 1));
}

/** `[before, after]` per spatial axis from a padding or cropping config (1-D: one pair). */
function amountPairs(value: unknown, r: number): [number, number][] {
  if (r === 1) return [value as [number, number]];
  return value as [number, number][];
}

const zeroPadding: Mapping = (e) => {
  const { g, layer } = e;
  const r = rankOf(layer);
  const rank = e.inputs[0].shape.length;
  const pairs = amountPairs(e.config.padding, r);
  const begins = new Array<number>(rank).fill(0);
  const ends = new Array<number>(rank).fill(0);
  spatialAxes(e, r).forEach((a, i) => {
    begins[a] = pairs[i][0];
    ends[a] = pairs[i][1];
  });
  return [g.op1("Pad", [e.inputs[0].name, g.int64Const(`${layer.name}/pads`, [...begins, ...ends])], `${layer.name}/pad`, { mode: str("constant") })];
};

/** ONNX's "to the end" for Slice. */
const INT64_MAX = Number.MAX_SAFE_INTEGER;

const cropping: Mapping = (e) => {
  const { g, layer } = e;
  const r = rankOf(layer);
  const pairs = amountPairs(e.config.cropping, r);
  const axes = spatialAxes(e, r);
  const starts = pairs.map((p) => p[0]);
  const ends = pairs.map((p) => (p[1] === 0 ? INT64_MAX : -p[1]));
  return [
    g.op1(
      "Slice",
      [e.inputs[0].name, g.int64Const(`${layer.name}/starts`, starts), g.int64Const(`${layer.name}/ends`, ends), g.int64Const(`${layer.name}/axes`, axes)],
      `${layer.name}/slice`,
    ),
  ];
};

const upSampling: Mapping = (e) => {
  const { g, layer } = e;
  const r = rankOf(layer);
  const size = e.config.size;
  const factors = typeof size === "number" ? [size] : (size as number[]);
  const rank = e.inputs[0].shape.length;
  const scales = new Array<number>(rank).fill(1);
  spatialAxes(e, r).forEach((a, i) => (scales[a] = factors[i]));
  // Nearest with asymmetric coordinates and floor is repeating each pixel `factor` times.
  return [
    g.op1("Resize", [e.inputs[0].name, "", g.floatConst(`${layer.name}/scales`, [rank], scales)], `${layer.name}/resize`, {
      mode: str("nearest"),
      coordinate_transformation_mode: str("asymmetric"),
      nearest_mode: str("floor"),
    }),
  ];
};

const activationLayer: Mapping = (e) => [activation(e.g, cfgString(e, "activation"), e.inputs[0].name, `${e.layer.name}/activation`, e.layer)];

const relu: Mapping = (e) => {
  const { g, layer } = e;
  const x = e.inputs[0].name;
  const maxValue = e.config.maxValue as number | undefined;
  const slope = e.config.negativeSlope as number;
  const threshold = e.config.threshold as number;
  // Keras: x where x > threshold (else 0), capped at maxValue, minus slope * (threshold - x) below threshold.
  let y =
    threshold === 0
      ? g.op1("Relu", [x], `${layer.name}/relu`)
      : g.op1("Where", [g.op1("Greater", [x, g.scalar(`${layer.name}/threshold`, threshold)], `${layer.name}/above`), x, g.scalar(`${layer.name}/zero`, 0)], `${layer.name}/thresholded`);
  if (maxValue !== undefined) y = g.op1("Min", [y, g.scalar(`${layer.name}/max_value`, maxValue)], `${layer.name}/capped`);
  if (slope !== 0) {
    const below = g.op1("Relu", [g.op1("Sub", [g.scalar(`${layer.name}/threshold_below`, threshold), x], `${layer.name}/below`)], `${layer.name}/below_relu`);
    y = g.op1("Sub", [y, g.op1("Mul", [below, g.scalar(`${layer.name}/slope`, slope)], `${layer.name}/leak`)], `${layer.name}/leaky`);
  }
  return [y];
};

const leakyRelu: Mapping = (e) => [e.g.op1("LeakyRelu", [e.inputs[0].name], `${e.layer.name}/leaky_relu`, { alpha: float(e.config.alpha as number) })];

const prelu: Mapping = (e) => {
  const alpha = e.weights[0];
  return [e.g.op1("PRelu", [e.inputs[0].name, e.g.floatConst(`${e.layer.name}/alpha`, alpha.shape, alpha.data)], `${e.layer.name}/prelu`)];
};

const elu: Mapping = (e) => [e.g.op1("Elu", [e.inputs[0].name], `${e.layer.name}/elu`, { alpha: float(e.config.alpha as number) })];

/** A non-negative axis index for a rank. */
const axisIndex = (axis: number, rank: number): number => (axis < 0 ? axis + rank : axis);

const softmax: Mapping = (e) => {
  const { g, layer } = e;
  const x = e.inputs[0];
  const rank = x.shape.length;
  const given = e.config.axis;
  const axes = (Array.isArray(given) ? (given as number[]) : [given as number]).map((a) => axisIndex(a, rank));
  if (axes.length === 1) return [g.op1("Softmax", [x.name], `${layer.name}/softmax`, { axis: int(axes[0]) })];
  // Several axes: exp(x - max) / sum, both over all of them, as Keras does.
  const max = g.op1("ReduceMax", [x.name], `${layer.name}/max`, { axes: ints(axes), keepdims: int(1) });
  const exp = g.op1("Exp", [g.op1("Sub", [x.name, max], `${layer.name}/shifted`)], `${layer.name}/exp`);
  const sum = g.op1("ReduceSum", [exp, g.int64Const(`${layer.name}/axes`, axes)], `${layer.name}/sum`, { keepdims: int(1) });
  return [g.op1("Div", [exp, sum], `${layer.name}/softmax`)];
};

/** `[size]` reshaped to broadcast along `axis` of a tensor of rank `rank`: `[size, 1, ..., 1]`. */
function alongAxis(size: number, axis: number, rank: number): number[] {
  return [size, ...new Array<number>(rank - axis - 1).fill(1)];
}

const batchNormalization: Mapping = (e) => {
  const { g, layer } = e;
  const x = e.inputs[0];
  const rank = x.shape.length;
  const axis = axisIndex(e.config.axis as number, rank);
  const w = [...e.weights];
  const gamma = e.config.scale !== false ? w.shift()!.data : null;
  const beta = e.config.center !== false ? w.shift()!.data : null;
  const [mean, variance] = w.map((t) => t.data);
  const epsilon = e.config.epsilon as number;
  const size = mean.length;
  // Inference: y = x * a + b with a = gamma / sqrt(var + eps), b = beta - mean * a (float64, then float32).
  const a = new Float32Array(size);
  const b = new Float32Array(size);
  for (let c = 0; c < size; c++) {
    const inv = 1 / Math.sqrt(variance[c] + epsilon);
    const scale = (gamma === null ? 1 : gamma[c]) * inv;
    a[c] = scale;
    b[c] = (beta === null ? 0 : beta[c]) - mean[c] * scale;
  }
  const dims = alongAxis(size, axis, rank);
  const scaled = g.op1("Mul", [x.name, g.floatConst(`${layer.name}/scale`, dims, a)], `${layer.name}/scaled`);
  return [g.op1("Add", [scaled, g.floatConst(`${layer.name}/offset`, dims, b)], `${layer.name}/normalized`)];
};

const layerNormalization: Mapping = (e) => {
  const { g, layer } = e;
  const x = e.inputs[0];
  const rank = x.shape.length;
  const given = e.config.axis;
  const axes = (Array.isArray(given) ? (given as number[]) : [given as number]).map((a) => axisIndex(a, rank)).sort((p, q) => p - q);
  const w = [...e.weights];
  const gamma = e.config.scale !== false ? w.shift()! : null;
  const beta = e.config.center !== false ? w.shift()! : null;
  const sizes = axes.map((a) => x.shape[a] as number);
  const count = sizes.reduce((p, d) => p * d, 1);
  // ONNX normalises over the trailing axes from `axis` on: other axes are moved there and back.
  const trailing = axes.every((a, i) => a === rank - axes.length + i);
  const others = Array.from({ length: rank }, (_, i) => i).filter((i) => !axes.includes(i));
  const perm = [...others, ...axes];
  const inverse = perm.map((_, i) => perm.indexOf(i));
  const source = trailing ? x.name : g.op1("Transpose", [x.name], `${layer.name}/axes_last`, { perm: ints(perm) });
  const scale = g.floatConst(`${layer.name}/gamma`, sizes, gamma === null ? new Float32Array(count).fill(1) : gamma.data);
  const inputs = [source, scale, ...(beta === null ? [] : [g.floatConst(`${layer.name}/beta`, sizes, beta.data)])];
  const y = g.op1("LayerNormalization", inputs, `${layer.name}/layer_norm`, { axis: int(rank - axes.length), epsilon: float(e.config.epsilon as number) });
  return [trailing ? y : g.op1("Transpose", [y], `${layer.name}/axes_back`, { perm: ints(inverse) })];
};

const embedding: Mapping = (e) => {
  const { g, layer } = e;
  const table = e.weights[0];
  // shapewise feeds indices as float32 values: the graph casts them to int64 for Gather.
  const indices = g.op1("Cast", [e.inputs[0].name], `${layer.name}/indices`, { to: int(INT64) });
  return [g.op1("Gather", [g.floatConst(`${layer.name}/embeddings`, table.shape, table.data), indices], `${layer.name}/gather`, { axis: int(0) })];
};

const rescaling: Mapping = (e) => {
  const { g, layer } = e;
  const scaled = g.op1("Mul", [e.inputs[0].name, g.scalar(`${layer.name}/scale`, e.config.scale as number)], `${layer.name}/scaled`);
  return [g.op1("Add", [scaled, g.scalar(`${layer.name}/offset`, e.config.offset as number)], `${layer.name}/rescaled`)];
};

const normalization: Mapping = (e) => {
  const { g, layer } = e;
  const x = e.inputs[0];
  const rank = x.shape.length;
  const list = (v: unknown): number[] => (Array.isArray(v) ? (v as number[]) : [v as number]);
  const mean = list(e.config.mean).map(Math.fround);
  // Keras divides by max(sqrt(variance), 1e-7).
  const denom = list(e.config.variance).map((v) => Math.max(Math.fround(Math.sqrt(Math.fround(v))), Math.fround(1e-7)));
  const axis = e.config.axis === null ? null : axisIndex(e.config.axis as number, rank);
  const dims = axis === null || mean.length === 1 ? [] : alongAxis(mean.length, axis, rank);
  const m = g.floatConst(`${layer.name}/mean`, dims, mean);
  const d = g.floatConst(`${layer.name}/std`, dims, denom);
  if (e.config.invert === true) return [g.op1("Add", [g.op1("Mul", [x.name, d], `${layer.name}/scaled`), m], `${layer.name}/denormalized`)];
  return [g.op1("Div", [g.op1("Sub", [x.name, m], `${layer.name}/centred`), d], `${layer.name}/normalized`)];
};

/** The dynamic `[n, c]` of a channels-first batch joined with fixed sizes: the `sizes` input of Resize. */
function resizeSizes(g: GraphBuilder, x: string, hint: string, height: number, width: number): string {
  const shape = g.op1("Shape", [x], `${hint}/shape`);
  const nc = g.op1("Slice", [shape, g.int64Const(`${hint}/nc_start`, [0]), g.int64Const(`${hint}/nc_end`, [2])], `${hint}/nc`);
  return g.op1("Concat", [nc, g.int64Const(`${hint}/hw`, [height, width])], `${hint}/sizes`, { axis: int(0) });
}

/** Keras 3 (JAX) image resizing: half-pixel centres; nearest takes floor((i + 0.5) * from / to). */
function resizeImage(g: GraphBuilder, x: Value, hint: string, height: number, width: number, method: string): string {
  const first = channelsFirstOf(g, x, 2, hint);
  const attrs: Record<string, AttrValue> =
    method === "nearest"
      ? { mode: str("nearest"), coordinate_transformation_mode: str("half_pixel"), nearest_mode: str("round_prefer_ceil") }
      : { mode: str("linear"), coordinate_transformation_mode: str("half_pixel") };
  const y = g.op1("Resize", [first, "", "", resizeSizes(g, first, hint, height, width)], `${hint}/resize`, attrs);
  return channelsLastOf(g, y, 2, hint);
}

/** A centred crop of an NHWC batch (Keras `smart_resize`'s crop box). */
function centreCrop(g: GraphBuilder, x: Value, hint: string, top: number, left: number, height: number, width: number): Value {
  const y = g.op1(
    "Slice",
    [x.name, g.int64Const(`${hint}/starts`, [top, left]), g.int64Const(`${hint}/ends`, [top + height, left + width]), g.int64Const(`${hint}/axes`, [1, 2])],
    `${hint}/crop`,
  );
  return { name: y, shape: [x.shape[0], height, width, x.shape[3]] };
}

/** The crop box `smart_resize` takes before resizing to a different aspect ratio. */
function aspectCrop(e: Emit, height: number, width: number): [number, number, number, number] {
  const [, h, w] = e.inputs[0].shape;
  if (h === null || w === null) unsupported(e.layer, `cropping to the aspect ratio needs known image sizes, got input ${valueText(e.inputs[0].shape)}`);
  const win = aspectWindow(h, w, height, width);
  return [win.top, win.left, win.height, win.width];
}

const resizing: Mapping = (e) => {
  const { g, layer } = e;
  const height = e.config.height as number;
  const width = e.config.width as number;
  let x = e.inputs[0];
  if (e.config.cropToAspectRatio === true) x = centreCrop(g, x, `${layer.name}/aspect`, ...aspectCrop(e, height, width));
  return [resizeImage(g, x, layer.name, height, width, cfgString(e, "interpolation"))];
};

const centerCrop: Mapping = (e) => {
  const { g, layer } = e;
  const height = e.config.height as number;
  const width = e.config.width as number;
  const [, h, w] = e.inputs[0].shape;
  if (h === null || w === null) unsupported(layer, `needs known image sizes, got input ${valueText(e.inputs[0].shape)}`);
  if (h >= height && w >= width) return [centreCrop(g, e.inputs[0], layer.name, Math.trunc((h - height) / 2), Math.trunc((w - width) / 2), height, width).name];
  // A smaller image is cropped to the aspect ratio and resized, as Keras does.
  const cropped = centreCrop(g, e.inputs[0], `${layer.name}/aspect`, ...aspectCrop(e, height, width));
  return [resizeImage(g, cropped, layer.name, height, width, "bilinear")];
};

// ---------------------------------------------------------------------------
// Recurrent layers
// ---------------------------------------------------------------------------

/** ONNX names of the cell activations its RNN ops accept, with their alpha/beta. */
function cellActivation(layer: Layer, name: string): { op: string; alpha?: number; beta?: number } {
  switch (name) {
    case "tanh":
      return { op: "Tanh" };
    case "sigmoid":
      return { op: "Sigmoid" };
    case "relu":
      return { op: "Relu" };
    case "softsign":
      return { op: "Softsign" };
    case "softplus":
      return { op: "Softplus" };
    case "elu":
      return { op: "Elu", alpha: 1 };
    case "linear":
      return { op: "Affine", alpha: 1, beta: 0 };
    case "hard_sigmoid":
      return { op: "HardSigmoid", alpha: 1 / 6, beta: 0.5 };
    default:
      return unsupported(layer, `activation ${valueText(name)} is not one that ONNX recurrent ops take (tanh, sigmoid, relu, softsign, softplus, elu, linear, hard_sigmoid)`);
  }
}

interface RecurrentSettings {
  kind: "SimpleRNN" | "LSTM" | "GRU";
  units: number;
  activation: string;
  recurrentActivation: string;
  useBias: boolean;
  returnSequences: boolean;
  goBackwards: boolean;
  resetAfter: boolean;
}

function recurrentSettings(layer: Layer, config: Record<string, unknown>, className = layer.className): RecurrentSettings {
  return {
    kind: className as RecurrentSettings["kind"],
    units: config.units as number,
    activation: config.activation as string,
    recurrentActivation: (config.recurrentActivation as string | undefined) ?? "sigmoid",
    useBias: config.useBias !== false,
    returnSequences: config.returnSequences === true,
    goBackwards: config.goBackwards === true,
    resetAfter: config.resetAfter !== false,
  };
}

/** Reverses the time axis (1) of `[batch, steps, ...]`. */
function reverseSteps(g: GraphBuilder, x: string, hint: string): string {
  return g.op1(
    "Slice",
    [x, g.int64Const(`${hint}/starts`, [-1]), g.int64Const(`${hint}/ends`, [-INT64_MAX]), g.int64Const(`${hint}/axes`, [1]), g.int64Const(`${hint}/steps`, [-1])],
    `${hint}/reversed`,
  );
}

/**
 * One recurrent pass as an ONNX RNN/LSTM/GRU op, forward only: `goBackwards`
 * reverses the input first, which is exactly Keras' reading order, and its
 * output sequence stays in reading order as Keras returns it. Returns the
 * output (sequence or last state) and the final states (`h`, and `c` for LSTM).
 */
function recurrentPass(g: GraphBuilder, layer: Layer, hint: string, x: string, s: RecurrentSettings, weights: readonly Tensor[]): { output: string; states: string[] } {
  const [kernel, recurrentKernel, bias] = weights;
  const u = s.units;
  // Keras gate blocks: LSTM i, f, c, o; GRU z, r, h. ONNX: LSTM i, o, f, c; GRU z, r, h.
  const order = s.kind === "LSTM" ? [0, 3, 1, 2] : s.kind === "GRU" ? [0, 1, 2] : [0];
  const gates = order.length;
  const features = kernel.shape[0];
  const w = g.floatConst(`${hint}/W`, [1, gates * u, features], gatesToOnnx(kernel, u, order));
  const r = g.floatConst(`${hint}/R`, [1, gates * u, u], gatesToOnnx(recurrentKernel, u, order));
  const b = new Float32Array(2 * gates * u);
  if (s.useBias) {
    if (s.kind === "GRU" && s.resetAfter) {
      // `[2, 3u]`: input bias, then recurrent bias, as ONNX's Wb then Rb.
      b.set(reorderBias(bias.data.subarray(0, gates * u), u, order), 0);
      b.set(reorderBias(bias.data.subarray(gates * u), u, order), gates * u);
    } else {
      b.set(reorderBias(bias.data, u, order), 0);
    }
  }
  const bName = g.floatConst(`${hint}/B`, [1, 2 * gates * u], b);
  const acts =
    s.kind === "SimpleRNN"
      ? [cellActivation(layer, s.activation)]
      : s.kind === "LSTM"
        ? [cellActivation(layer, s.recurrentActivation), cellActivation(layer, s.activation), cellActivation(layer, s.activation)]
        : [cellActivation(layer, s.recurrentActivation), cellActivation(layer, s.activation)];
  const attrs: Record<string, AttrValue> = { hidden_size: int(u), activations: strs(acts.map((a) => a.op)) };
  // Each list holds the values of the activations that take one, in order; an empty list is left out.
  const alphas = acts.filter((a) => a.alpha !== undefined).map((a) => a.alpha!);
  const betas = acts.filter((a) => a.beta !== undefined).map((a) => a.beta!);
  if (alphas.length > 0) attrs.activation_alpha = { kind: "floats", v: alphas };
  if (betas.length > 0) attrs.activation_beta = { kind: "floats", v: betas };
  if (s.kind === "GRU") attrs.linear_before_reset = int(s.resetAfter ? 1 : 0);
  const source = s.goBackwards ? reverseSteps(g, x, `${hint}/go_backwards`) : x;
  // ONNX recurrent ops read `[steps, batch, features]`.
  const timeMajor = g.op1("Transpose", [source], `${hint}/time_major`, { perm: ints([1, 0, 2]) });
  const outputs = g.op(s.kind === "SimpleRNN" ? "RNN" : s.kind, [timeMajor, w, r, bName], `${hint}/${s.kind.toLowerCase()}`, attrs, s.kind === "LSTM" ? 3 : 2);
  const squeeze = (v: string, axis: number, name: string) => g.op1("Squeeze", [v, g.int64Const(`${hint}/${name}_axis`, [axis])], `${hint}/${name}`);
  const states = [squeeze(outputs[1], 0, "h"), ...(s.kind === "LSTM" ? [squeeze(outputs[2], 0, "c")] : [])];
  const output = s.returnSequences ? g.op1("Transpose", [squeeze(outputs[0], 1, "sequence")], `${hint}/batch_major`, { perm: ints([1, 0, 2]) }) : states[0];
  return { output, states };
}

const recurrent: Mapping = (e) => {
  const s = recurrentSettings(e.layer, e.config);
  const { output, states } = recurrentPass(e.g, e.layer, e.layer.name, e.inputs[0].name, s, e.weights);
  return e.config.returnState === true ? [output, ...states] : [output];
};

/** The wrapped layer of a `Bidirectional`, read through its documented `inner` field. */
function bidirectionalInner(layer: Layer): Layer {
  const inner = (layer as Layer & { inner?: Layer }).inner;
  if (inner === undefined) unsupported(layer, "its wrapped layer is not available");
  return inner;
}

const bidirectional: Mapping = (e) => {
  const { g, layer } = e;
  const inner = bidirectionalInner(layer);
  const s = recurrentSettings(inner, inner.getConfig(), inner.className);
  const half = e.weights.length / 2;
  const x = e.inputs[0].name;
  const forward = recurrentPass(g, inner, `${layer.name}/forward`, x, { ...s, goBackwards: false }, e.weights.slice(0, half));
  const backward = recurrentPass(g, inner, `${layer.name}/backward`, x, { ...s, goBackwards: true }, e.weights.slice(half));
  // Keras flips the backward sequence back to the input's order before merging.
  const back = s.returnSequences ? reverseSteps(g, backward.output, `${layer.name}/backward_flip`) : backward.output;
  const mode = e.config.mergeMode as string | null;
  if (mode === null) return [forward.output, back];
  if (mode === "concat") return [g.op1("Concat", [forward.output, back], `${layer.name}/concat`, { axis: int(-1) })];
  if (mode === "sum") return [g.op1("Add", [forward.output, back], `${layer.name}/sum`)];
  if (mode === "mul") return [g.op1("Mul", [forward.output, back], `${layer.name}/mul`)];
  return [g.op1("Mean", [forward.output, back], `${layer.name}/ave`)];
};

const timeDistributed: Mapping = (e) => {
  const { g, layer } = e;
  const inner = (layer as Layer & { inner?: Layer }).inner;
  if (inner === undefined) unsupported(layer, "its wrapped layer is not available");
  const x = e.inputs[0];
  const rest = x.shape.slice(2);
  const outRest = e.outputShapes[0].slice(2);
  if (rest.some((d) => d === null)) unsupported(layer, `needs known sizes after the steps axis, got input ${valueText(x.shape)}`);
  // Fold the steps into the batch: `[batch * steps, ...]`, then unfold the result.
  const folded = g.op1("Reshape", [x.name, g.int64Const(`${layer.name}/fold`, [-1, ...(rest as number[])])], `${layer.name}/fold`);
  const [y] = e.nested(inner, [{ name: folded, shape: [null, ...rest] }], [[null, ...outRest]], e.weights);
  const shape = g.op1("Shape", [x.name], `${layer.name}/input_shape`);
  const batchSteps = g.op1("Slice", [shape, g.int64Const(`${layer.name}/bs_start`, [0]), g.int64Const(`${layer.name}/bs_end`, [2])], `${layer.name}/batch_steps`);
  if (outRest.some((d) => d === null)) unsupported(layer, `needs known output sizes after the steps axis, got ${valueText(e.outputShapes[0])}`);
  const target = g.op1("Concat", [batchSteps, g.int64Const(`${layer.name}/out_rest`, outRest as number[])], `${layer.name}/unfold_shape`, { axis: int(0) });
  return [g.op1("Reshape", [y, target], `${layer.name}/unfold`)];
};

// ---------------------------------------------------------------------------
// Attention
// ---------------------------------------------------------------------------

const multiHeadAttention: Mapping = (e) => {
  const { g, layer } = e;
  const heads = e.config.numHeads as number;
  const keyDim = e.config.keyDim as number;
  const valueDim = e.config.valueDim as number;
  const useBias = e.config.useBias !== false;
  const [query, value = query, key = value] = e.inputs;
  const w = [...e.weights];
  const next = () => w.shift()!;
  const project = (x: Value, role: string, headDim: number): string => {
    const kernel = next();
    const bias = useBias ? next() : null;
    // `[in, heads, dim]` as one `[in, heads * dim]` product, then split into heads.
    const k = g.floatConst(`${layer.name}/${role}/kernel`, [kernel.shape[0], heads * headDim], kernel.data);
    let y = g.op1("MatMul", [x.name, k], `${layer.name}/${role}/matmul`);
    if (bias !== null) y = g.op1("Add", [y, g.floatConst(`${layer.name}/${role}/bias`, [heads * headDim], bias.data)], `${layer.name}/${role}/bias_add`);
    const split = g.op1("Reshape", [y, g.int64Const(`${layer.name}/${role}/heads`, [0, 0, heads, headDim])], `${layer.name}/${role}/split`);
    return g.op1("Transpose", [split], `${layer.name}/${role}/heads_first`, { perm: ints([0, 2, 1, 3]) });
  };
  const q = project(query, "query", keyDim);
  const k = project(key, "key", keyDim);
  const v = project(value, "value", valueDim);
  // Keras scales the query by 1 / sqrt(keyDim) before the product.
  const qs = g.op1("Mul", [q, g.scalar(`${layer.name}/scale`, 1 / Math.sqrt(keyDim))], `${layer.name}/query_scaled`);
  const kt = g.op1("Transpose", [k], `${layer.name}/key_t`, { perm: ints([0, 1, 3, 2]) });
  const scores = g.op1("Softmax", [g.op1("MatMul", [qs, kt], `${layer.name}/scores`)], `${layer.name}/attention`, { axis: int(-1) });
  const context = g.op1("MatMul", [scores, v], `${layer.name}/context`);
  const merged = g.op1(
    "Reshape",
    [g.op1("Transpose", [context], `${layer.name}/steps_first`, { perm: ints([0, 2, 1, 3]) }), g.int64Const(`${layer.name}/merge`, [0, 0, heads * valueDim])],
    `${layer.name}/merged`,
  );
  const outKernel = next();
  const outBias = useBias ? next() : null;
  let y = g.op1("MatMul", [merged, g.floatConst(`${layer.name}/output/kernel`, [heads * valueDim, outKernel.shape[2]], outKernel.data)], `${layer.name}/output/matmul`);
  if (outBias !== null) y = g.op1("Add", [y, g.floatConst(`${layer.name}/output/bias`, outBias.shape, outBias.data)], `${layer.name}/output`);
  return [y];
};

// ---------------------------------------------------------------------------
// Merges
// ---------------------------------------------------------------------------

/**
 * Keras broadcasts a lower-rank input by inserting axes right after the batch
 * axis; ONNX inserts them in front, so they are inserted explicitly.
 */
function alignRanks(e: Emit): string[] {
  const rank = Math.max(...e.inputs.map((x) => x.shape.length));
  return e.inputs.map((x, i) => {
    const missing = rank - x.shape.length;
    if (missing === 0) return x.name;
    const axes = Array.from({ length: missing }, (_, k) => k + 1);
    return e.g.op1("Unsqueeze", [x.name, e.g.int64Const(`${e.layer.name}/axes_${i}`, axes)], `${e.layer.name}/expand_${i}`);
  });
}

const variadic =
  (op: string): Mapping =>
  (e) => [e.g.op1(op, alignRanks(e), `${e.layer.name}/${op.toLowerCase()}`)];

const concatenate: Mapping = (e) => [e.g.op1("Concat", e.inputs.map((x) => x.name), `${e.layer.name}/concat`, { axis: int(axisIndex(e.config.axis as number, e.inputs[0].shape.length)) })];

const dot: Mapping = (e) => {
  const { g, layer } = e;
  const [x, y] = e.inputs;
  const r1 = x.shape.length;
  const r2 = y.shape.length;
  const given = e.config.axes;
  const pair = (Array.isArray(given) ? (given as number[]) : [given as number, given as number]).map((a, i) => {
    const rank = i === 0 ? r1 : r2;
    return a < 0 ? ((a % rank) + rank) % rank : a;
  });
  let a = x.name;
  let b = y.name;
  if (e.config.normalize === true) {
    // Keras 3: x * min(rsqrt(sum(x^2)), 1 / 1e-7) along the axis.
    const normalize = (v: string, axis: number, tag: string) => {
      const sum = g.op1("ReduceSumSquare", [v], `${layer.name}/${tag}_sum_sq`, { axes: ints([axis]), keepdims: int(1) });
      const inv = g.op1("Min", [g.op1("Reciprocal", [g.op1("Sqrt", [sum], `${layer.name}/${tag}_norm`)], `${layer.name}/${tag}_inv`), g.scalar(`${layer.name}/${tag}_cap`, 1e7)], `${layer.name}/${tag}_scale`);
      return g.op1("Mul", [v, inv], `${layer.name}/${tag}_normalized`);
    };
    a = normalize(a, pair[0], "x");
    b = normalize(b, pair[1], "y");
  }
  // Einsum: batch axis shared, the two axes contracted, every other axis kept in order.
  const letters = "bcdefghijklmnopqrstuvwxy";
  let next = 0;
  const xs = Array.from({ length: r1 }, (_, k) => (k === 0 ? "a" : k === pair[0] ? "z" : letters[next++]));
  const ys = Array.from({ length: r2 }, (_, k) => (k === 0 ? "a" : k === pair[1] ? "z" : letters[next++]));
  const out = ["a", ...xs.slice(1).filter((c) => c !== "z"), ...ys.slice(1).filter((c) => c !== "z")];
  const z = g.op1("Einsum", [a, b], `${layer.name}/einsum`, { equation: str(`${xs.join("")},${ys.join("")}->${out.join("")}`) });
  if (out.length > 1) return [z];
  return [g.op1("Unsqueeze", [z, g.int64Const(`${layer.name}/axis`, [1])], `${layer.name}/unsqueeze`)];
};

// ---------------------------------------------------------------------------
// The table
// ---------------------------------------------------------------------------

const MAPPINGS: Readonly<Record<string, Mapping>> = {
  Dense: dense,
  Activation: activationLayer,
  Embedding: embedding,
  Conv1D: convolution,
  Conv2D: convolution,
  Conv3D: convolution,
  DepthwiseConv1D: convolution,
  DepthwiseConv2D: convolution,
  SeparableConv1D: convolution,
  SeparableConv2D: convolution,
  Conv1DTranspose: convTranspose,
  Conv2DTranspose: convTranspose,
  Conv3DTranspose: convTranspose,
  MaxPooling1D: pooling,
  MaxPooling2D: pooling,
  MaxPooling3D: pooling,
  AveragePooling1D: pooling,
  AveragePooling2D: pooling,
  AveragePooling3D: pooling,
  GlobalMaxPooling1D: globalPooling,
  GlobalMaxPooling2D: globalPooling,
  GlobalMaxPooling3D: globalPooling,
  GlobalAveragePooling1D: globalPooling,
  GlobalAveragePooling2D: globalPooling,
  GlobalAveragePooling3D: globalPooling,
  Flatten: flatten,
  Reshape: reshape,
  Permute: permuteLayer,
  RepeatVector: repeatVector,
  ZeroPadding1D: zeroPadding,
  ZeroPadding2D: zeroPadding,
  ZeroPadding3D: zeroPadding,
  Cropping1D: cropping,
  Cropping2D: cropping,
  Cropping3D: cropping,
  UpSampling1D: upSampling,
  UpSampling2D: upSampling,
  UpSampling3D: upSampling,
  // Inference: these pass their input through, as Keras' `training=False`.
  Dropout: identity,
  SpatialDropout1D: identity,
  SpatialDropout2D: identity,
  GaussianNoise: identity,
  ActivityRegularization: identity,
  ReLU: relu,
  LeakyReLU: leakyRelu,
  PReLU: prelu,
  ELU: elu,
  Softmax: softmax,
  BatchNormalization: batchNormalization,
  LayerNormalization: layerNormalization,
  Rescaling: rescaling,
  Normalization: normalization,
  Resizing: resizing,
  CenterCrop: centerCrop,
  SimpleRNN: recurrent,
  LSTM: recurrent,
  GRU: recurrent,
  Bidirectional: bidirectional,
  TimeDistributed: timeDistributed,
  MultiHeadAttention: multiHeadAttention,
  Add: variadic("Sum"),
  Subtract: variadic("Sub"),
  Multiply: variadic("Mul"),
  Average: variadic("Mean"),
  Maximum: variadic("Max"),
  Minimum: variadic("Min"),
  Concatenate: concatenate,
  Dot: dot,
};

/**
 * The Keras class names `toONNX` can export (nested models, Keras
 * `Functional` and `Sequential`, are exported layer by layer).
 *
 * @example
 * ```ts
 * ONNX_CLASSES.includes("Conv2D"); // true
 * ```
 */
export const ONNX_CLASSES: readonly string[] = Object.keys(MAPPINGS);

// ---------------------------------------------------------------------------
// Model to graph
// ---------------------------------------------------------------------------

/** A model used as a layer, read through its public `model` field. */
function nestedModel(layer: Layer): ExportableModel | undefined {
  const inner = (layer as Layer & { model?: unknown }).model;
  return inner !== null && typeof inner === "object" && typeof (inner as ExportableModel).graph === "function" ? (inner as ExportableModel) : undefined;
}

const refKey = (r: { layer: Layer; nodeIndex: number; tensorIndex: number }) => `${r.layer.name}\u0000${r.nodeIndex}\u0000${r.tensorIndex}`;

/** Emits every node of a (possibly nested) model graph; returns the names of its outputs. */
function emitGraph(g: GraphBuilder, graph: ModelGraph, inputs: readonly string[], weightsOf: (layer: Layer) => readonly Tensor[]): string[] {
  const values = new Map<string, Value>();
  graph.inputs.forEach((ref, i) => values.set(refKey(ref), { name: inputs[i], shape: ref.shape }));
  for (const node of graph.nodes) {
    if (node.inbound.length === 0) continue; // an input layer: its value is given
    const inbound = node.inbound.map((ref) => {
      const v = values.get(refKey(ref));
      if (v === undefined) throw new Error(`onnx: tensor ${ref.layer.name}[${ref.nodeIndex}][${ref.tensorIndex}] is read before it is computed`);
      return v;
    });
    const outputs = emitLayer(g, node.layer, inbound, node.outputShapes, weightsOf(node.layer));
    outputs.forEach((name, i) => values.set(refKey({ layer: node.layer, nodeIndex: node.nodeIndex, tensorIndex: i }), { name, shape: node.outputShapes[i] }));
  }
  return graph.outputs.map((ref) => values.get(refKey(ref))!.name);
}

/** Emits one layer call; nested models are inlined with their share of the weights. */
function emitLayer(g: GraphBuilder, layer: Layer, inputs: readonly Value[], outputShapes: readonly Shape[], weights: readonly Tensor[]): string[] {
  const inner = nestedModel(layer);
  if (inner !== undefined) {
    // The outer model holds the weights (setWeights on it reaches them), in inner layer order.
    const own = new Map<Layer, readonly Tensor[]>();
    let next = 0;
    for (const l of inner.layers) {
      const count = l.weightSpecs().length;
      own.set(l, weights.slice(next, next + count));
      next += count;
    }
    return emitGraph(g, inner.graph(), inputs.map((v) => v.name), (l) => own.get(l) ?? []);
  }
  const refusal = registrationOf(layer.className)?.formats.onnx;
  if (typeof refusal === "string") return unsupported(layer, refusal);
  const mapping = MAPPINGS[layer.className];
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
    nested: (l, ins, shapes, ws) => emitLayer(g, l, ins, shapes, ws),
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
  }
}

function encodeNode(n: OnnxNode): ProtoWriter {
  const w = new ProtoWriter();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name).string(4, n.op);
  for (const [name, a] of Object.entries(n.attrs)) w.message(5, encodeAttr(name, a));
  return w;
}

function encodeInitializer(t: Initializer): ProtoWriter {
  const w = new ProtoWriter().packedInt64(1, t.dims).uint(2, t.type).string(8, t.name);
  if (t.type === FLOAT) {
    const data = t.data as Float32Array;
    // raw_data is little-endian float32; copy so the bytes are exactly this tensor's.
    const bytes = new Uint8Array(data.length * 4);
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i], true);
    return w.bytes(9, bytes);
  }
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
  if (m === null || typeof m !== "object" || typeof (m as Partial<ExportableModel>).graph !== "function") fail(`shapewise: toONNX expects a model, got ${valueText(m)}`);
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
  const results = emitGraph(g, graph, inputNames, own);
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
  graph.inputs.forEach((ref, i) => body.message(11, encodeValueInfo(inputNames[i], ref.shape, FLOAT)));
  graph.outputs.forEach((ref, i) => body.message(12, encodeValueInfo(outputNames[i], ref.shape, FLOAT)));
  const model = new ProtoWriter().int64(1, IR_VERSION).string(2, "shapewise");
  if (options.producerVersion !== undefined) model.string(3, options.producerVersion);
  if (options.docString !== undefined) model.string(6, options.docString);
  model.message(7, body).message(8, new ProtoWriter().string(1, "").int64(2, ONNX_OPSET));
  return model.finish();
}

// ---------------------------------------------------------------------------
// Running the export in onnxruntime
// ---------------------------------------------------------------------------

/** The parts of `onnxruntime-node` used here (it is an optional peer dependency, so its types are not imported). */
interface OrtTensor {
  readonly dims: readonly number[];
  readonly data: unknown;
}
interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
}
interface OrtModule {
  readonly InferenceSession: { create(model: Uint8Array): Promise<OrtSession> };
  readonly Tensor: new (type: "float32", data: Float32Array, dims: readonly number[]) => OrtTensor;
}

let ortModule: Promise<OrtModule> | undefined;

/** Loads `onnxruntime-node` once; a clear sentence when it is not installed. */
function loadOnnxRuntime(): Promise<OrtModule> {
  // A variable specifier: bundlers and the compiler leave the optional package alone.
  const specifier = "onnxruntime-node";
  ortModule ??= import(specifier).then(
    (m: { default?: OrtModule } & OrtModule) => m.default ?? m,
    (cause: unknown) => {
      ortModule = undefined;
      throw new Error(
        "shapewise: predictAsync with backend 'onnxruntime' needs the onnxruntime-node package, which could not be loaded; install it with `npm install onnxruntime-node`",
        { cause },
      );
    },
  );
  return ortModule;
}

/** One session per model, made again when its weights are replaced (`setWeights` swaps each layer's arrays). */
const sessions = new WeakMap<object, { weights: readonly (readonly Tensor[] | undefined)[]; session: Promise<OrtSession> }>();

function sessionFor(m: ExportableModel, ort: OrtModule): Promise<OrtSession> {
  const weights = m.layers.map((l) => l.weights);
  const cached = sessions.get(m);
  if (cached !== undefined && cached.weights.length === weights.length && cached.weights.every((w, i) => w === weights[i])) return cached.session;
  const session = ort.InferenceSession.create(toONNX(m));
  sessions.set(m, { weights, session });
  return session;
}

/**
 * Runs the model's ONNX export in onnxruntime-node on concrete inputs, one
 * per model input in `m.graph().inputs` order, already checked against the
 * model's input shapes; gives one tensor per model output. Used by
 * `Model.predictAsync` with `backend: "onnxruntime"`.
 *
 * @example
 * ```ts
 * const [y] = await runONNX(m, [tensor([2, 28, 28, 1], data)]);
 * ```
 */
export async function runONNX(m: ExportableModel, inputs: readonly Tensor[]): Promise<Tensor[]> {
  const ort = await loadOnnxRuntime();
  const session = await sessionFor(m, ort);
  if (inputs.length !== session.inputNames.length) fail(`shapewise: runONNX expects ${session.inputNames.length} inputs, got ${inputs.length}`);
  const feeds: Record<string, OrtTensor> = {};
  session.inputNames.forEach((name, i) => (feeds[name] = new ort.Tensor("float32", inputs[i].data, inputs[i].shape)));
  const results = await session.run(feeds);
  return session.outputNames.map((name) => {
    const t = results[name];
    return { shape: [...t.dims], data: t.data as Float32Array };
  });
}

/**
 * Options of `Model.predictAsync`: those of `predict`, and where to run.
 *
 * @example
 * ```ts
 * await m.predictAsync(x, { backend: "onnxruntime" });
 * ```
 */
export interface PredictAsyncOptions extends PredictOptions {
  /**
   * `"embedded"` (the default): shapewise's own kernels, as `predict`.
   * `"onnxruntime"`: the model's `toONNX()` export in onnxruntime-node, an
   * optional peer dependency that must be installed.
   */
  backend?: "embedded" | "onnxruntime";
}
