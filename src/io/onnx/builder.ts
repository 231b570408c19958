/**
 * What the ONNX exporter builds with: the opset, the graph builder (nodes,
 * initialisers, names), the context each layer mapping receives, activations
 * and the channels-first layouts ONNX's convolutions and pools read.
 */
import { fail, valueText } from "../../checks.js";
import { stridesOf, transpose } from "../../kernels/reshape-ops.js";
import type { Tensor } from "../../kernels/tensor.js";
import type { Layer } from "../../layers/layer.js";
import type { ModelGraph } from "../../model-graph.js";
import type { Shape } from "../../shape.js";
import { convOutputGeometry, dilatedSpan } from "../../shape.js";
import type { DeferredBytes } from "../protobuf.js";

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
export const IR_VERSION = 8;

/** ONNX `TensorProto.DataType` codes used here. */
export const FLOAT = 1;
export const INT64 = 7;

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

// ---------------------------------------------------------------------------
// Graph builder
// ---------------------------------------------------------------------------

export type AttrValue =
  | { kind: "int"; v: number }
  | { kind: "ints"; v: readonly number[] }
  | { kind: "float"; v: number }
  | { kind: "floats"; v: readonly number[] }
  | { kind: "string"; v: string }
  | { kind: "strings"; v: readonly string[] }
  | { kind: "tensor"; v: Initializer };

export const int = (v: number): AttrValue => ({ kind: "int", v });
export const ints = (v: readonly number[]): AttrValue => ({ kind: "ints", v });
export const float = (v: number): AttrValue => ({ kind: "float", v });
export const str = (v: string): AttrValue => ({ kind: "string", v });
export const strs = (v: readonly string[]): AttrValue => ({ kind: "strings", v });

export interface OnnxNode {
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly name: string;
  readonly attrs: Readonly<Record<string, AttrValue>>;
  /** The operator set of `op`, when not ONNX's own (a function the export defines). */
  readonly domain?: string;
}

export interface Initializer {
  readonly name: string;
  readonly dims: readonly number[];
  readonly type: typeof FLOAT | typeof INT64;
  readonly data: Float32Array | PermutedFloats | readonly number[];
}

/** True where a `Float32Array`'s bytes are already the little-endian floats ONNX's raw data holds. */
const LITTLE_ENDIAN = new Uint8Array(Float32Array.of(1).buffer)[3] === 0x3f;

/** Floats per pass of {@link PermutedFloats.writeInto}: small enough to stay in the cache, large enough that copying it out is one fast call. */
const CHUNK = 16384;
let chunk: Float32Array | undefined;

/**
 * A float32 weight in another axis order, rearranged only when the model's
 * bytes are written: straight into the final buffer, through a small
 * reused chunk, so that exporting a convolution's kernel costs no array of
 * its size. Output axis `i` is source axis `perm[i]`, as `transpose` has it.
 *
 * @example
 * ```ts
 * const w = new PermutedFloats(kernel.data, kernel.shape, [3, 2, 0, 1]); // Keras [kh, kw, in, out] as ONNX [out, in, kh, kw]
 * w.dims; // [out, in, kh, kw]
 * ```
 */
export class PermutedFloats implements DeferredBytes {
  /** The shape after the permutation. */
  readonly dims: readonly number[];
  readonly length: number;

  constructor(
    readonly source: Float32Array,
    readonly sourceShape: readonly number[],
    readonly perm: readonly number[],
  ) {
    if (perm.length !== sourceShape.length || [...perm].sort((a, b) => a - b).some((p, i) => p !== i))
      throw new RangeError(`onnx: ${valueText(perm)} is not a permutation of the axes of ${valueText(sourceShape)}`);
    this.dims = perm.map((p) => sourceShape[p]);
    this.length = sourceShape.reduce((n, d) => n * d, 1);
    if (this.length !== source.length) throw new RangeError(`onnx: ${source.length} values do not fill ${valueText(sourceShape)}`);
  }

  get byteLength(): number {
    return this.length * 4;
  }

  /** The permuted values as an array of their own (for comparisons; the export itself never makes one). */
  values(): Float32Array {
    return transpose({ shape: [...this.sourceShape], data: this.source }, this.perm).data;
  }

  /** True when `other` holds the same values in the same order. */
  sameAs(other: Float32Array | PermutedFloats): boolean {
    if (other instanceof PermutedFloats && other.source === this.source && other.perm.every((p, i) => p === this.perm[i])) return true;
    const a = this.values();
    const b = other instanceof PermutedFloats ? other.values() : other;
    return a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
  }

  /** Writes the permuted values as little-endian float32 bytes at `out[at]`, in destination order. */
  writeInto(out: Uint8Array, at: number): void {
    const rank = this.dims.length;
    const x = this.source;
    if (this.length === 0) return;
    if (rank < 2) {
      writeFloats(out, at, x, this.length);
      return;
    }
    chunk ??= new Float32Array(CHUNK);
    const buf = chunk;
    const inStrides = stridesOf(this.sourceShape);
    const step = this.perm.map((p) => inStrides[p]);
    // The two innermost output axes run as plain loops; an odometer walks the others.
    const rows = this.dims[rank - 2];
    const cols = this.dims[rank - 1];
    const rowStep = step[rank - 2];
    const colStep = step[rank - 1];
    const outer = this.length / (rows * cols);
    const counter = new Array<number>(rank - 2).fill(0);
    let base = 0;
    let c = 0;
    for (let o = 0; o < outer; o++) {
      for (let r = 0, rowStart = base; r < rows; r++, rowStart += rowStep) {
        for (let k = 0, i = rowStart; k < cols; k++, i += colStep) {
          buf[c++] = x[i];
          if (c === CHUNK) {
            writeFloats(out, at, buf, c);
            at += c * 4;
            c = 0;
          }
        }
      }
      for (let axis = rank - 3; axis >= 0; axis--) {
        counter[axis]++;
        base += step[axis];
        if (counter[axis] < this.dims[axis]) break;
        base -= step[axis] * this.dims[axis];
        counter[axis] = 0;
      }
    }
    writeFloats(out, at, buf, c);
  }
}

/** The first `n` values of `values` as little-endian float32 bytes at `out[at]`. */
function writeFloats(out: Uint8Array, at: number, values: Float32Array, n: number): void {
  if (LITTLE_ENDIAN) {
    out.set(new Uint8Array(values.buffer, values.byteOffset, n * 4), at);
    return;
  }
  const view = new DataView(out.buffer, out.byteOffset + at, n * 4);
  for (let i = 0; i < n; i++) view.setFloat32(i * 4, values[i], true);
}

/** A value of the graph under construction: its name and its shape (batch axis `null`). */
export interface Value {
  readonly name: string;
  readonly shape: Shape;
}

/** Collects nodes and initialisers with unique names. */
export class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: Initializer[] = [];
  private readonly names = new Set<string>();
  /** The next suffix to try per hint, so that a hint used n times costs n tries, not n^2 / 2. */
  private readonly nextSuffix = new Map<string, number>();
  private readonly byHint = new Map<string, Initializer[]>();
  /** The channels-first twin of a channels-last value, when a layer already computed it. */
  readonly channelsFirst = new Map<string, string>();

  /** A name not used yet, from a readable hint. */
  fresh(hint: string): string {
    const base = hint.replace(/[^A-Za-z0-9_./:-]/g, "_");
    let name = base;
    let i = this.nextSuffix.get(base) ?? 1;
    for (; this.names.has(name); i++) name = `${base}_${i}`;
    this.nextSuffix.set(base, i);
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

  floatConst(hint: string, dims: readonly number[], data: Float32Array | PermutedFloats | readonly number[]): string {
    const values = data instanceof Float32Array || data instanceof PermutedFloats ? data : Float32Array.from(data);
    if (values.length !== dims.reduce((p, d) => p * d, 1)) throw new Error(`onnx: initializer ${hint} has ${values.length} values for ${valueText(dims)}`);
    // A shared layer's second call asks for the same weights under the same hint: write them once.
    const same = (this.byHint.get(hint) ?? []).find(
      (t) => t.dims.length === dims.length && t.dims.every((d, i) => d === dims[i]) && sameValues(t.data as Float32Array | PermutedFloats, values),
    );
    if (same !== undefined) return same.name;
    const name = this.fresh(hint);
    const initializer: Initializer = { name, dims: [...dims], type: FLOAT, data: values };
    this.initializers.push(initializer);
    this.byHint.set(hint, [...(this.byHint.get(hint) ?? []), initializer]);
    return name;
  }

  /** A weight as a float constant in ONNX's axis order: `perm` as `transpose` takes it, applied when the bytes are written. */
  permutedConst(hint: string, t: { readonly shape: readonly number[]; readonly data: Float32Array }, perm: readonly number[]): string {
    const w = new PermutedFloats(t.data, t.shape, perm);
    return this.floatConst(hint, w.dims, w);
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

function sameValues(a: Float32Array | PermutedFloats, b: Float32Array | PermutedFloats): boolean {
  if (a instanceof PermutedFloats) return a.sameAs(b);
  if (b instanceof PermutedFloats) return b.sameAs(a);
  return a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
}

// ---------------------------------------------------------------------------
// Tensor helpers (weights rearranged at export time, not in the graph)
// ---------------------------------------------------------------------------

/** Gate blocks along the last axis of `[rows, g * units]`, reordered and transposed to ONNX's `[g * units, rows]`. */
export function gatesToOnnx(t: Tensor, units: number, order: readonly number[]): Float32Array {
  const [rows, width] = t.shape;
  const out = new Float32Array(rows * width);
  order.forEach((block, slot) => {
    for (let u = 0; u < units; u++) {
      for (let r = 0; r < rows; r++) out[(slot * units + u) * rows + r] = t.data[r * width + block * units + u];
    }
  });
  return out;
}

export function reorderBias(data: Float32Array, units: number, order: readonly number[]): Float32Array {
  const out = new Float32Array(order.length * units);
  order.forEach((block, slot) => out.set(data.subarray(block * units, (block + 1) * units), slot * units));
  return out;
}

// ---------------------------------------------------------------------------
// Mapping context
// ---------------------------------------------------------------------------

/** What a layer mapping gets: the builder, the layer, its inputs and weights. */
export interface Emit {
  readonly g: GraphBuilder;
  readonly layer: Layer;
  readonly config: Record<string, unknown>;
  readonly inputs: readonly Value[];
  readonly outputShapes: readonly Shape[];
  readonly weights: readonly Tensor[];
  /** Maps a layer nested in this one (TimeDistributed, nested models) with its own weights. */
  readonly nested: (layer: Layer, inputs: readonly Value[], outputShapes: readonly Shape[], weights: readonly Tensor[]) => string[];
}

export type Mapping = (e: Emit) => string[];

/** Refuses a configuration ONNX cannot express, naming the layer and the reason. */
export function unsupported(layer: Layer, why: string): never {
  return fail(`shapewise: toONNX cannot export layer '${layer.name}' (${layer.className}): ${why}`);
}

export function cfgString(e: Emit, key: string): string {
  return e.config[key] as string;
}

export function cfgNumbers(e: Emit, key: string): number[] {
  return e.config[key] as number[];
}

// ---------------------------------------------------------------------------
// Activations
// ---------------------------------------------------------------------------

const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

/** A Keras activation by name, on the last axis where it has one (softmax). */
export function activation(g: GraphBuilder, name: string, x: string, hint: string, layer: Layer): string {
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
export const toLastPerm = (r: number): number[] => [0, ...Array.from({ length: r }, (_, i) => i + 2), 1];

/** The channels-first form of a channels-last value, reusing one a layer already made. */
export function channelsFirstOf(g: GraphBuilder, x: Value, r: number, hint: string): string {
  const known = g.channelsFirst.get(x.name);
  if (known !== undefined) return known;
  const y = g.op1("Transpose", [x.name], `${hint}/to_channels_first`, { perm: ints(toFirstPerm(r)) });
  g.channelsFirst.set(x.name, y);
  return y;
}

/** Back to channels-last, remembering the channels-first twin for the next layer. */
export function channelsLastOf(g: GraphBuilder, y: string, r: number, hint: string): string {
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
export function inChannelsFirst(e: Emit, r: number, body: (x: string) => string, activationName = "linear"): string {
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
export function spatialSizes(e: Emit, r: number): (number | null)[] {
  const shape = e.inputs[0].shape;
  return cfgString(e, "dataFormat") === "channelsFirst" ? shape.slice(2, 2 + r) : shape.slice(1, 1 + r);
}

/** ONNX pads (`[begins..., ends...]`) or `auto_pad` for Keras `"valid"`/`"same"` windows. */
export function windowPadding(
  sizes: readonly (number | null)[],
  kernel: readonly number[],
  strides: readonly number[],
  dilations: readonly number[],
  padding: string,
): Record<string, AttrValue> {
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

/** ONNX's "to the end" for Slice. */
export const INT64_MAX = Number.MAX_SAFE_INTEGER;

/** A non-negative axis index for a rank. */
export const axisIndex = (axis: number, rank: number): number => (axis < 0 ? axis + rank : axis);
