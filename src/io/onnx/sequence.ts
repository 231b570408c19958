/**
 * The ONNX form of recurrent layers (and their wrappers), multi-head
 * attention and merges.
 */
import { valueText } from "../../checks.js";
import type { Tensor } from "../../kernels/tensor.js";
import type { Layer } from "../../layers/layer.js";
import type { AttrValue, Emit, Mapping, Value } from "./builder.js";
import { axisIndex, gatesToOnnx, type GraphBuilder, int, INT64_MAX, ints, reorderBias, str, strs, unsupported } from "./builder.js";

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
      return unsupported(
        layer,
        `activation ${valueText(name)} is not one that ONNX recurrent ops take (tanh, sigmoid, relu, softsign, softplus, elu, linear, hard_sigmoid)`,
      );
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
    [
      x,
      g.int64Const(`${hint}/starts`, [-1]),
      g.int64Const(`${hint}/ends`, [-INT64_MAX]),
      g.int64Const(`${hint}/axes`, [1]),
      g.int64Const(`${hint}/steps`, [-1]),
    ],
    `${hint}/reversed`,
  );
}

/**
 * One recurrent pass as an ONNX RNN/LSTM/GRU op, forward only: `goBackwards`
 * reverses the input first, which is exactly Keras' reading order, and its
 * output sequence stays in reading order as Keras returns it. Returns the
 * output (sequence or last state) and the final states (`h`, and `c` for LSTM).
 */
function recurrentPass(
  g: GraphBuilder,
  layer: Layer,
  hint: string,
  x: string,
  s: RecurrentSettings,
  weights: readonly Tensor[],
): { output: string; states: string[] } {
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

export const recurrent: Mapping = (e) => {
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

export const bidirectional: Mapping = (e) => {
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

export const timeDistributed: Mapping = (e) => {
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
  const batchSteps = g.op1(
    "Slice",
    [shape, g.int64Const(`${layer.name}/bs_start`, [0]), g.int64Const(`${layer.name}/bs_end`, [2])],
    `${layer.name}/batch_steps`,
  );
  if (outRest.some((d) => d === null)) unsupported(layer, `needs known output sizes after the steps axis, got ${valueText(e.outputShapes[0])}`);
  const target = g.op1("Concat", [batchSteps, g.int64Const(`${layer.name}/out_rest`, outRest as number[])], `${layer.name}/unfold_shape`, { axis: int(0) });
  return [g.op1("Reshape", [y, target], `${layer.name}/unfold`)];
};

// ---------------------------------------------------------------------------
// Attention
// ---------------------------------------------------------------------------

export const multiHeadAttention: Mapping = (e) => {
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
  let y = g.op1(
    "MatMul",
    [merged, g.floatConst(`${layer.name}/output/kernel`, [heads * valueDim, outKernel.shape[2]], outKernel.data)],
    `${layer.name}/output/matmul`,
  );
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

export const variadic =
  (op: string): Mapping =>
  (e) => {
    const operands = alignRanks(e);
    const name = `${e.layer.name}/${op.toLowerCase()}`;
    if (!BINARY_ONLY.has(op)) return [e.g.op1(op, operands, name)];
    // Mul and Sub take exactly two inputs in ONNX: three or more operands fold from the left.
    let acc = operands[0];
    for (let i = 1; i < operands.length - 1; i++) acc = e.g.op1(op, [acc, operands[i]], `${name}_${i}`);
    return [e.g.op1(op, [acc, operands[operands.length - 1]], name)];
  };

/** ONNX operators of two inputs only (Sum, Mean, Max and Min take any number). */
const BINARY_ONLY = new Set(["Mul", "Sub"]);

export const concatenate: Mapping = (e) => [
  e.g.op1(
    "Concat",
    e.inputs.map((x) => x.name),
    `${e.layer.name}/concat`,
    { axis: int(axisIndex(e.config.axis as number, e.inputs[0].shape.length)) },
  ),
];

export const dot: Mapping = (e) => {
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
      const inv = g.op1(
        "Min",
        [g.op1("Reciprocal", [g.op1("Sqrt", [sum], `${layer.name}/${tag}_norm`)], `${layer.name}/${tag}_inv`), g.scalar(`${layer.name}/${tag}_cap`, 1e7)],
        `${layer.name}/${tag}_scale`,
      );
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
