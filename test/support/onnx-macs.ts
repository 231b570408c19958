/**
 * An independent count of multiply-accumulates, from a model's ONNX export:
 * the file is decoded here (its own small protobuf reader), every tensor of
 * the graph is made an output and the graph is run once in onnxruntime on one
 * sample, so each node's operand and result shapes are what onnxruntime
 * computed, and each node is counted by the rule fvcore applies to its
 * operator (Conv, ConvTranspose, Gemm, MatMul, Einsum, RNN, GRU, LSTM; every
 * other operator multiplies no weights or operands pairwise).
 *
 * Nothing here calls the library's counting rules: it sees only the ONNX
 * operators the exporter wrote and the shapes onnxruntime gives them.
 */
import * as ort from "onnxruntime-node";

interface Field {
  readonly field: number;
  readonly wire: number;
  /** Varint value (wire 0). */
  readonly value?: bigint;
  /** Payload (wire 2), or the raw bytes of a fixed-width value. */
  readonly bytes?: Uint8Array;
  /** Where the field (key included) starts and ends in its message. */
  readonly start: number;
  readonly end: number;
}

function readVarint(buf: Uint8Array, at: number): [bigint, number] {
  let value = 0n;
  let shift = 0n;
  for (;;) {
    const b = buf[at++];
    value |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return [value, at];
    shift += 7n;
  }
}

function fields(buf: Uint8Array): Field[] {
  const out: Field[] = [];
  let at = 0;
  while (at < buf.length) {
    const start = at;
    const [key, next] = readVarint(buf, at);
    at = next;
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (wire === 0) {
      const [value, after] = readVarint(buf, at);
      at = after;
      out.push({ field, wire, value, start, end: at });
    } else if (wire === 2) {
      const [length, after] = readVarint(buf, at);
      const bytes = buf.subarray(after, after + Number(length));
      at = after + Number(length);
      out.push({ field, wire, bytes, start, end: at });
    } else if (wire === 1 || wire === 5) {
      const width = wire === 1 ? 8 : 4;
      out.push({ field, wire, bytes: buf.subarray(at, at + width), start, end: at + width });
      at += width;
    } else {
      throw new Error(`onnx reader: wire type ${wire} at byte ${start}`);
    }
  }
  return out;
}

const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);

/** Repeated int64s, packed or not. */
function int64s(list: readonly Field[], field: number): number[] {
  const values: number[] = [];
  for (const f of list) {
    if (f.field !== field) continue;
    if (f.wire === 0) values.push(Number(f.value));
    else {
      let at = 0;
      while (at < f.bytes!.length) {
        const [v, next] = readVarint(f.bytes!, at);
        values.push(Number(v));
        at = next;
      }
    }
  }
  return values;
}

/** One ONNX node: operator, inputs, outputs and attributes (ints and strings). */
export interface OnnxNode {
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly ints: Readonly<Record<string, number>>;
  readonly strings: Readonly<Record<string, string>>;
}

/** The nodes of a model's graph, its initializers' shapes, and its graph outputs' names. */
export function decodeGraph(model: Uint8Array): { nodes: OnnxNode[]; initializers: Map<string, number[]>; outputs: string[] } {
  const graph = fields(model).find((f) => f.field === 7)!.bytes!;
  const nodes: OnnxNode[] = [];
  const initializers = new Map<string, number[]>();
  const outputs: string[] = [];
  for (const f of fields(graph)) {
    if (f.field === 1) {
      const node = fields(f.bytes!);
      const ints: Record<string, number> = {};
      const strings: Record<string, string> = {};
      for (const a of node.filter((g) => g.field === 5)) {
        const attr = fields(a.bytes!);
        const name = text(attr.find((g) => g.field === 1)?.bytes);
        const i = attr.find((g) => g.field === 3);
        const s = attr.find((g) => g.field === 4);
        if (i !== undefined) ints[name] = Number(BigInt.asIntN(64, i.value!));
        if (s !== undefined) strings[name] = text(s.bytes);
      }
      nodes.push({
        op: text(node.find((g) => g.field === 4)?.bytes),
        inputs: node.filter((g) => g.field === 1).map((g) => text(g.bytes)),
        outputs: node.filter((g) => g.field === 2).map((g) => text(g.bytes)),
        ints,
        strings,
      });
    } else if (f.field === 5) {
      const tensor = fields(f.bytes!);
      initializers.set(text(tensor.find((g) => g.field === 8)?.bytes), int64s(tensor, 1));
    } else if (f.field === 12) {
      outputs.push(text(fields(f.bytes!).find((g) => g.field === 1)?.bytes));
    }
  }
  return { nodes, initializers, outputs };
}

function varint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

function lengthDelimited(field: number, payload: Uint8Array): Uint8Array {
  const head = [...varint((field << 3) | 2), ...varint(payload.length)];
  const out = new Uint8Array(head.length + payload.length);
  out.set(head);
  out.set(payload, head.length);
  return out;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The model with extra graph outputs (ValueInfoProto with a name only; onnxruntime infers the rest). */
function withOutputs(model: Uint8Array, names: readonly string[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const f of fields(model)) {
    if (f.field !== 7) {
      parts.push(model.subarray(f.start, f.end));
      continue;
    }
    const extra = names.map((n) => lengthDelimited(12, lengthDelimited(1, new TextEncoder().encode(n))));
    parts.push(lengthDelimited(7, concat([f.bytes!, ...extra])));
  }
  return concat(parts);
}

/** A model function (`FunctionProto`): its name and domain, formal inputs and outputs, and its nodes' bytes. */
interface ModelFunction {
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly nodes: readonly Uint8Array[];
}

const encodeText = (value: string) => new TextEncoder().encode(value);

/**
 * A node's bytes with its input and output names passed through `rename`
 * (attributes and operator kept as they are).
 */
function renamedNode(node: Uint8Array, rename: (name: string) => string, prefix: string): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const f of fields(node)) {
    if (f.field === 1 || f.field === 2) parts.push(lengthDelimited(f.field, encodeText(rename(text(f.bytes)))));
    else if (f.field === 3) parts.push(lengthDelimited(3, encodeText(`${prefix}${text(f.bytes)}`)));
    else parts.push(node.subarray(f.start, f.end));
  }
  return concat(parts);
}

/**
 * The model with every call of a model function replaced by the function's
 * nodes, renamed per call (formal names to the call's, the others prefixed):
 * onnxruntime expands functions internally, so only an inlined graph lets
 * every tensor a nested model makes be read as a graph output.
 */
export function inlineFunctions(model: Uint8Array): Uint8Array {
  const top = fields(model);
  const functions = new Map<string, ModelFunction>();
  for (const f of top.filter((g) => g.field === 25)) {
    const fn = fields(f.bytes!);
    const key = `${text(fn.find((g) => g.field === 10)?.bytes)}/${text(fn.find((g) => g.field === 1)?.bytes)}`;
    functions.set(key, {
      inputs: fn.filter((g) => g.field === 4).map((g) => text(g.bytes)),
      outputs: fn.filter((g) => g.field === 5).map((g) => text(g.bytes)),
      nodes: fn.filter((g) => g.field === 7).map((g) => g.bytes!),
    });
  }
  if (functions.size === 0) return model;
  let calls = 0;
  const expand = (node: Uint8Array): Uint8Array[] => {
    const nf = fields(node);
    const fn = functions.get(`${text(nf.find((g) => g.field === 7)?.bytes)}/${text(nf.find((g) => g.field === 4)?.bytes)}`);
    if (fn === undefined) return [node];
    const prefix = `inlined${calls++}/`;
    const actual = new Map<string, string>();
    nf.filter((g) => g.field === 1).forEach((g, i) => actual.set(fn.inputs[i], text(g.bytes)));
    nf.filter((g) => g.field === 2).forEach((g, i) => actual.set(fn.outputs[i], text(g.bytes)));
    const rename = (name: string) => (name === "" ? "" : (actual.get(name) ?? `${prefix}${name}`));
    return fn.nodes.flatMap((inner) => expand(renamedNode(inner, rename, prefix)));
  };
  const parts: Uint8Array[] = [];
  for (const f of top) {
    if (f.field === 25) continue;
    if (f.field !== 7) {
      parts.push(model.subarray(f.start, f.end));
      continue;
    }
    const graph: Uint8Array[] = [];
    for (const g of fields(f.bytes!)) {
      if (g.field === 1) graph.push(...expand(g.bytes!).map((n) => lengthDelimited(1, n)));
      else graph.push(f.bytes!.subarray(g.start, g.end));
    }
    parts.push(lengthDelimited(7, concat(graph)));
  }
  return concat(parts);
}

/** Every tensor's dimensions for one sample: initializers from the file, the rest from onnxruntime. */
async function shapesOf(file: Uint8Array, inputs: Record<string, readonly number[]>): Promise<{ nodes: OnnxNode[]; dims: Map<string, number[]> }> {
  const model = inlineFunctions(file);
  const { nodes, initializers, outputs } = decodeGraph(model);
  const dims = new Map(initializers);
  const produced = [...new Set(nodes.flatMap((n) => n.outputs))].filter((n) => n !== "" && !outputs.includes(n));
  const session = await ort.InferenceSession.create(withOutputs(model, produced));
  const feeds: Record<string, ort.Tensor> = {};
  for (const [name, shape] of Object.entries(inputs)) {
    feeds[name] = new ort.Tensor("float32", new Float32Array(shape.reduce((p, d) => p * d, 1)), [...shape]);
    dims.set(name, [...shape]);
  }
  const results = await session.run(feeds);
  for (const [name, t] of Object.entries(results)) dims.set(name, t.dims.map(Number));
  await session.release();
  return { nodes, dims };
}

const product = (list: readonly number[]) => list.reduce((p, d) => p * d, 1);

/** fvcore's multiply-accumulates of one ONNX node, from its operands' and results' shapes. */
export function nodeMacs(node: OnnxNode, dims: ReadonlyMap<string, readonly number[]>): number {
  const shape = (name: string) => {
    const d = dims.get(name);
    if (d === undefined) throw new Error(`onnx count: no shape for '${name}' (${node.op})`);
    return d;
  };
  switch (node.op) {
    case "Conv": {
      // Output elements × (input channels / group) × kernel elements: W is [M, C / group, k...].
      const w = shape(node.inputs[1]);
      return product(shape(node.outputs[0])) * product(w.slice(1));
    }
    case "ConvTranspose": {
      // Every input element goes through the kernel to each output channel of its group: W is [C, M / group, k...].
      const w = shape(node.inputs[1]);
      return product(shape(node.inputs[0])) * product(w.slice(1));
    }
    case "Gemm": {
      const a = shape(node.inputs[0]);
      const k = node.ints.transA === 1 ? a[0] : a[1];
      return product(shape(node.outputs[0])) * k;
    }
    case "MatMul": {
      const a = shape(node.inputs[0]);
      return product(shape(node.outputs[0])) * a[a.length - 1];
    }
    case "Einsum": {
      // Every distinct index once: the size of the loop nest.
      const [left] = node.strings.equation.split("->");
      const sizes = new Map<string, number>();
      left.split(",").forEach((letters, i) => [...letters].forEach((c, j) => sizes.set(c, shape(node.inputs[i])[j])));
      return product([...sizes.values()]);
    }
    case "RNN":
    case "GRU":
    case "LSTM": {
      // X [T, B, I], W [D, G·H, I], R [D, G·H, H]: per step and direction, both products of every gate.
      const [t, b] = shape(node.inputs[0]);
      return t * b * (product(shape(node.inputs[1])) + product(shape(node.inputs[2])));
    }
    default:
      return 0;
  }
}

/**
 * Multiply-accumulates of an ONNX model for the given input shapes (one
 * sample each), node by node, and their total.
 *
 * @example
 * const { total } = await onnxMacs(m.toONNX(), { input_1: [1, 28, 28, 1] });
 */
export async function onnxMacs(
  model: Uint8Array,
  inputs: Record<string, readonly number[]>,
): Promise<{ total: number; perNode: { node: OnnxNode; macs: number }[] }> {
  const { nodes, dims } = await shapesOf(model, inputs);
  const perNode = nodes.map((node) => ({ node, macs: nodeMacs(node, dims) }));
  return { total: perNode.reduce((s, n) => s + n.macs, 0), perNode };
}
