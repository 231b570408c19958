/**
 * Merge layers at run time (type twin: `types/layers/merging.ts`): the
 * element-wise `Add`, `Subtract`, `Multiply`, `Average`, `Maximum` and
 * `Minimum`, plus `Concatenate` and `Dot`. Each takes two or more inputs,
 * has no weights, and follows Keras 3 (`keras/src/layers/merging/`) for its
 * output shape, its errors and its forward pass.
 */
import { configObject, exactSum, fail, oneOf, optionalBoolean, optionalName, valueText } from "../checks.js";
import { elementwiseMergeLayer } from "../kernels/fast-elementwise.js";
import { gatherBackward } from "../kernels/gather-backward.js";
import { batchMatMulBackward, elementwiseBackward, l2NormalizeBackward } from "../kernels/merge-backward.js";
import { transpose } from "../kernels/reshape-ops.js";
import { broadcastMerge, concatenateAlong, l2Normalize } from "../kernels/merge.js";
import type { ElementwiseKind } from "../kernels/merge.js";
import type { Tensor } from "../kernels/tensor.js";
import { layerNames } from "../naming.js";
import { SymbolicTensorImpl, checkSharedAncestor } from "../symbolic-tensor.js";
import { Layer, product, sampleElements, sum as sumOf } from "./layer.js";
import type { LayerCost, LayerGradients } from "./layer.js";
import type { ConcatenateFunction, DotFunction, ElementwiseMergeFunction } from "../../types/layers/merging.js";
import type { Dim, Shape, SizedDim, SizedShape } from "../shape.js";
import { AXIS_NAMES, sizedShapeText } from "../shape.js";
import { differText, sizeAdd, sizeAgreement } from "../size.js";
import { layerRegistrar, variantsOf } from "./registry.js";
import * as keras from "../io/keras/json-writers.js";
import * as tfjs from "../io/tfjs/config-writers.js";
import * as onnx from "../io/onnx/mappings.js";

/** The lower-case name of each merge, as its method and its messages spell it. */
export type MergeKind = "add" | "subtract" | "multiply" | "average" | "maximum" | "minimum" | "concatenate" | "dot";

/**
 * Every merge kind, in catalog order.
 *
 * @example
 * MERGE_KINDS.includes("add"); // true
 */
export const MERGE_KINDS: readonly MergeKind[] = ["add", "subtract", "multiply", "average", "maximum", "minimum", "concatenate", "dot"];

// ---------------------------------------------------------------------------
// rules shared by every merge
// ---------------------------------------------------------------------------

const isSize = (d: unknown): boolean => d === null || (typeof d === "number" && Number.isSafeInteger(d) && d >= 0);

/**
 * The input count and every input's rank: at least two inputs (exactly two
 * for `subtract` and `dot`), each a shape with a batch axis and one more.
 * Plain JavaScript callers may pass anything; a value that is not a shape
 * gets the rank sentence, which prints it.
 */
function checkInputs(method: MergeKind, shapes: readonly unknown[]): Shape[] {
  const n = shapes.length;
  if (method === "subtract" || method === "dot") {
    if (n !== 2) fail(`shapewise: ${method} takes exactly 2 inputs, got ${n}`);
  } else if (n < 2) {
    fail(`shapewise: ${method} needs at least 2 inputs, got ${n}`);
  }
  shapes.forEach((shape, i) => {
    if (!Array.isArray(shape) || shape.length < 2 || !shape.every(isSize)) {
      fail(`shapewise: ${method} input ${i + 1} must have a batch dimension and at least one more, got ${valueText(shape)}`);
    }
  });
  return shapes as Shape[];
}

/**
 * Concrete batches (a model's run-time check, or `call`) must agree: Keras
 * refuses to merge tensors with different batch sizes. Symbolic shapes have
 * a `null` batch and always pass. Returns the batch size of the output.
 */
function commonBatch(method: MergeKind, shapes: readonly Shape[]): Dim {
  let batch: Dim = null;
  let from = 0;
  shapes.forEach((shape, i) => {
    const b = shape[0];
    if (b === null) return;
    if (batch !== null && b !== batch) {
      fail(`shapewise: ${method} input ${i + 1} has batch size ${b}, input ${from + 1} has batch size ${batch}`);
    }
    if (batch === null) {
      batch = b;
      from = i;
    }
  });
  return batch;
}

// ---------------------------------------------------------------------------
// element-wise merges
// ---------------------------------------------------------------------------

/**
 * Broadcasts the non-batch dimensions of two shapes aligned from the right
 * (Keras `Merge._compute_elemwise_op_output_shape`): a missing leading
 * dimension or a 1 takes the other size; `null` against anything gives
 * `null`, as Keras gives `None` (the concrete sizes are checked again when
 * data arrives). Returns the offending pair, scanned from the left, on failure.
 */
function broadcastDims(a: readonly Dim[], b: readonly Dim[]): Dim[] | { x: number; y: number } {
  const [long, short, bIsShort] = a.length >= b.length ? [a, b, true] : [b, a, false];
  const lead = long.length - short.length;
  const out: Dim[] = long.slice(0, lead);
  for (let k = 0; k < short.length; k++) {
    const i = long[lead + k];
    const j = short[k];
    if (i === null || j === null) out.push(null);
    else if (i === 1) out.push(j);
    else if (j === 1) out.push(i);
    else if (i === j) out.push(i);
    else return bIsShort ? { x: j as number, y: i as number } : { x: i as number, y: j as number };
  }
  return out;
}

/** {@link broadcastDims} on sizes that may be symbolic; concrete pairs were checked by the shape rule already. */
function broadcastSized(a: readonly SizedDim[], b: readonly SizedDim[]): SizedDim[] | { x: SizedDim; y: SizedDim; verdict: { differ: string } } {
  const [long, short, bIsShort] = a.length >= b.length ? [a, b, true] : [b, a, false];
  const lead = long.length - short.length;
  const out: SizedDim[] = long.slice(0, lead);
  for (let k = 0; k < short.length; k++) {
    const i = long[lead + k] ?? null;
    const j = short[k] ?? null;
    if (i === null || j === null) out.push(null);
    else if (i === 1) out.push(j);
    else if (j === 1) out.push(i);
    else if (i === j) out.push(i);
    else if (typeof i === "number" && typeof j === "number") out.push(null);
    else {
      const [x, y] = bIsShort ? [j, i] : [i, j];
      const verdict = sizeAgreement(x, y);
      if (typeof verdict === "object") return { x, y, verdict };
      out.push(verdict === "same" ? i : null);
    }
  }
  return out;
}

/** The element-wise rule: each input broadcasts with the running broadcast of the ones before it. */
function elementwiseShape(method: MergeKind, shapes: readonly Shape[]): Shape {
  const batch = commonBatch(method, shapes);
  let running: Dim[] = shapes[0].slice(1);
  for (let i = 1; i < shapes.length; i++) {
    const next = broadcastDims(running, shapes[i].slice(1));
    if (!Array.isArray(next)) {
      fail(
        `shapewise: ${method} input ${i + 1} of shape ${valueText(shapes[i])} does not broadcast with ${valueText([shapes[0][0], ...running])}: size ${next.x} against ${next.y}`,
      );
    }
    running = next;
  }
  return [batch, ...running];
}

/** Validates tensors from a caller and returns their shapes (the shape rules run on them next). */
function tensorShapes(method: MergeKind, inputs: readonly unknown[]): Shape[] {
  return inputs.map((t, i) => {
    const shape = (t as Partial<Tensor> | null | undefined)?.shape;
    const data = (t as Partial<Tensor> | null | undefined)?.data;
    const concrete = Array.isArray(shape) && shape.every((d) => typeof d === "number" && Number.isSafeInteger(d) && d >= 0);
    if (!concrete || !(data instanceof Float32Array) || data.length !== (shape as number[]).reduce((p, d) => p * d, 1)) {
      fail(`shapewise: ${method} input ${i + 1} must be a tensor whose data fills its shape, got shape ${valueText(shape)}`);
    }
    return shape as Shape;
  });
}

/**
 * The element-wise merges' common base (Keras `Merge`): checks the rules on
 * the shapes, and at run time again on the concrete shapes, so sizes that
 * were `null` when the model was defined cannot give a wrong result.
 */
abstract class ElementwiseMerge extends Layer {
  /** Reads the config every element-wise merge takes (`name` alone), and names the layer. */
  constructor(
    className: string,
    protected readonly kind: ElementwiseKind,
    config: unknown,
  ) {
    const cfg = configObject(kind, config, ["name"]);
    super(layerNames(className, optionalName(kind, cfg.name)));
  }

  computeOutputShape(first: Shape, ...others: Shape[]): Shape {
    return elementwiseShape(this.kind, checkInputs(this.kind, [first, ...others]));
  }

  /**
   * Symbolic sizes broadcast when the size algebra proves them equal, fail
   * with a sentence saying when they differ when it proves they may, and are
   * unknown otherwise.
   */
  override computeSizes(sizes: readonly SizedShape[], output: Shape): SizedShape {
    let running: SizedDim[] = (sizes[0] ?? []).slice(1);
    for (let i = 1; i < sizes.length; i++) {
      const next = broadcastSized(running, (sizes[i] ?? []).slice(1));
      if (!Array.isArray(next)) {
        fail(
          `shapewise: ${this.kind} input ${i + 1} of shape ${sizedShapeText(sizes[i] ?? [])} does not broadcast with ${sizedShapeText([sizes[0]?.[0] ?? null, ...running])}: size ${next.x} against ${next.y}, ${differText(next.verdict)}`,
        );
      }
      running = next;
    }
    return [output[0] ?? null, ...running];
  }

  /** Per sample: one operation per output element for each input after the first (`average` one more, its division). */
  override cost(inputShapes: readonly Shape[], outputShapes: readonly Shape[]): LayerCost {
    return { macs: 0, ops: product(sampleElements(outputShapes[0]), inputShapes.length - 1 + (this.kind === "average" ? 1 : 0)) };
  }

  call(first: Tensor, ...others: Tensor[]): Tensor {
    const inputs = [first, ...others];
    const shape = this.computeOutputShape(...(tensorShapes(this.kind, inputs) as [Shape, ...Shape[]]));
    return elementwiseMergeLayer(this.kind, inputs) ?? broadcastMerge(this.kind, inputs, shape as number[]);
  }

  override gradients(dOutput: Tensor, inputs: readonly Tensor[]): LayerGradients {
    return { inputs: elementwiseBackward(this.kind, inputs, dOutput), weights: [] };
  }
}

const registerMerging = layerRegistrar("merging", { tfjs, keras, onnx }, "merge");

/** The element-wise merges, by operation. */
const elementwise = variantsOf(registerMerging, ElementwiseMerge, () => ["name", "shared"]);

/**
 * Sums its inputs element-wise (Keras `Add`), broadcasting non-batch sizes.
 *
 * @example
 * new Add().apply([null, 4, 16], [null, 1, 16]); // [null, 4, 16]
 */
export const Add = elementwise("Add", "add", []);

/**
 * Subtracts its second input from its first (Keras `Subtract`): exactly two inputs.
 *
 * @example
 * new Subtract().apply([null, 16], [null, 16]); // [null, 16]
 */
export const Subtract = elementwise("Subtract", "subtract", [], { inTfjs: false });

/**
 * Multiplies its inputs element-wise (Keras `Multiply`).
 *
 * @example
 * new Multiply().apply([null, 8, 8], [null, 8, 8], [null, 8, 8]); // [null, 8, 8]
 */
export const Multiply = elementwise("Multiply", "multiply", []);

/**
 * Averages its inputs element-wise (Keras `Average`: the sum divided by the count).
 *
 * @example
 * new Average().apply([null, 16], [null, 16]); // [null, 16]
 */
export const Average = elementwise("Average", "average", []);

/**
 * The element-wise maximum of its inputs (Keras `Maximum`).
 *
 * @example
 * new Maximum().apply([null, 16], [null, 16]); // [null, 16]
 */
export const Maximum = elementwise("Maximum", "maximum", []);

/**
 * The element-wise minimum of its inputs (Keras `Minimum`).
 *
 * @example
 * new Minimum().apply([null, 16], [null, 16]); // [null, 16]
 */
export const Minimum = elementwise("Minimum", "minimum", []);

// ---------------------------------------------------------------------------
// concatenate
// ---------------------------------------------------------------------------

/** The concatenation axis as a non-negative index for this rank, or a `ShapeError`. */
function concatAxis(axis: unknown, rank: number): number {
  const valid = typeof axis === "number" && Number.isInteger(axis) && axis > -rank && axis < rank && axis !== 0;
  if (!valid) {
    fail(`shapewise: concatenate axis must be an integer from ${-(rank - 1)} to ${rank - 1} other than 0 (the batch axis), got ${valueText(axis)}`);
  }
  return axis < 0 ? axis + rank : axis;
}

/**
 * Joins its inputs along one axis (Keras `Concatenate`, default the last):
 * the inputs have one rank and equal sizes on every non-batch axis but that
 * one (`null` matches any size), and the output size on it is the sum, or
 * `null` if one is unknown. The axis is checked against input 1's rank.
 *
 * Keras 3 also lets a size-1 axis pass the check by squeezing it (and then
 * fails when data arrives); shapewise asks for equal sizes from the start.
 *
 * @example
 * new Concatenate().apply([null, 4, 4, 8], [null, 4, 4, 16]); // [null, 4, 4, 24]
 * new Concatenate({ axis: 1 }).apply([null, 3, 8], [null, 5, 8]); // [null, 8, 8]
 */
export class Concatenate extends Layer {
  readonly className = "Concatenate";
  /** The axis as given (default -1, the last); checked when the input rank is known. */
  readonly axis: unknown;

  constructor(config?: unknown) {
    const cfg = configObject("concatenate", config, ["axis", "name"]);
    super(layerNames("Concatenate", optionalName("concatenate", cfg.name)));
    this.axis = cfg.axis === undefined ? -1 : cfg.axis;
  }

  computeOutputShape(first: Shape, ...others: Shape[]): Shape {
    const shapes = checkInputs("concatenate", [first, ...others]);
    const rank = first.length;
    const axis = concatAxis(this.axis, rank);
    const batch = commonBatch("concatenate", shapes);
    for (let i = 1; i < shapes.length; i++) {
      const s = shapes[i];
      const same = s.length === rank && s.every((d, k) => k === 0 || k === axis || d === null || first[k] === null || d === first[k]);
      if (!same) {
        fail(
          `shapewise: concatenate input ${i + 1} of shape ${valueText(s)} does not match input 1 ${valueText(first)} except on axis ${valueText(this.axis)}`,
        );
      }
    }
    const sizes = shapes.map((s) => s[axis]);
    const total = sizes.some((d) => d === null) ? null : exactSum("concatenate", "axis size", sizes as number[]);
    const out = [...first];
    out[axis] = total;
    // Keras takes the batch from input 1; a concrete one may come from a later input.
    out[0] = batch;
    return out;
  }

  /**
   * Symbolic sizes off the axis must be provably equal or undecided; a pair
   * the size algebra proves may differ is an error saying when.
   */
  override computeSizes(sizes: readonly SizedShape[], output: Shape): SizedShape {
    const first = sizes[0] ?? [];
    const axis = concatAxis(this.axis, first.length);
    const names = AXIS_NAMES[(first.length - 2) as 1 | 2 | 3] as readonly string[] | undefined;
    for (let i = 1; i < sizes.length; i++) {
      for (let k = 1; k < first.length; k++) {
        const x = first[k] ?? null;
        const y = sizes[i]?.[k] ?? null;
        if (k === axis || x === null || y === null || (typeof x === "number" && typeof y === "number")) continue;
        const verdict = sizeAgreement(x, y);
        if (typeof verdict === "object") {
          const axisName = names?.[k - 1] ?? `axis ${k}`;
          fail(`shapewise: concatenate input ${i + 1} has ${axisName} ${y}, input 1 has ${x}: ${differText(verdict)}`);
        }
      }
    }
    // A named size another input gives differently without a proven difference is that input's number, or unknown.
    const out: SizedDim[] = first.map((d, k) => {
      if (typeof d !== "string") return output[k] ?? null;
      const other = sizes.map((s) => s[k] ?? null).filter((y) => y !== null && y !== d);
      return other.length === 0 ? d : (other.find((y) => typeof y === "number") ?? null);
    });
    const along = sizes.map((s) => s[axis] ?? null);
    out[axis] = along.some((d) => d === null) ? null : along.reduce<SizedDim>((a, d) => sizeAdd(a, d), 0);
    return out;
  }

  override getConfig(): Record<string, unknown> {
    return { axis: this.axis, name: this.name };
  }

  call(first: Tensor, ...others: Tensor[]): Tensor {
    const inputs = [first, ...others];
    const shape = this.computeOutputShape(...(tensorShapes("concatenate", inputs) as [Shape, ...Shape[]])) as number[];
    return concatenateAlong(inputs, concatAxis(this.axis, shape.length), shape);
  }

  override gradients(dOutput: Tensor, inputs: readonly Tensor[]): LayerGradients {
    return { inputs: gatherBackward(this, (xs) => this.call(...(xs as [Tensor, ...Tensor[]])), inputs, dOutput), weights: [] };
  }
}

registerMerging("Concatenate", Concatenate, "concatenate", ["axis", "name", "shared"]);

// ---------------------------------------------------------------------------
// dot
// ---------------------------------------------------------------------------

const isInteger = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v);

/**
 * Keras 3 `Dot` axes for two ranks: one integer for both inputs, or one per
 * input; a negative axis becomes `axis % rank` with Python's modulo (always
 * in `[0, rank)`), as Keras normalises it. The batch axis and axes past the
 * rank are refused.
 */
function dotAxes(axes: unknown, rank1: number, rank2: number): [number, number] {
  const pair = isInteger(axes) ? [axes, axes] : Array.isArray(axes) && axes.length === 2 && axes.every(isInteger) ? (axes as number[]) : undefined;
  const resolved = pair?.map((a, i) => {
    const rank = i === 0 ? rank1 : rank2;
    return a < 0 ? ((a % rank) + rank) % rank : a;
  });
  if (resolved === undefined || resolved.some((a, i) => a === 0 || a >= (i === 0 ? rank1 : rank2))) {
    fail(`shapewise: dot axes must be an integer or a pair of integers from 1 to rank - 1 (or negative), got ${valueText(axes)}`);
  }
  return [resolved[0], resolved[1]];
}

/**
 * The dot product of two inputs over one axis of each, sample by sample
 * (Keras `Dot`): exactly two inputs; `axes` (required, as in the Keras
 * class) is one axis for both or one per input, never the batch axis; the
 * two axes must have the same size (`null` matches). The output is input 1's
 * shape without its axis, then input 2's without its batch and its axis; a
 * result with only the batch left becomes `[batch, 1]`. With `normalize`,
 * each input is first L2-normalised along its axis (cosine proximity).
 *
 * Inputs of any rank from 2 are taken, as in Keras 3; TensorFlow.js refuses
 * ranks above 3.
 *
 * @example
 * new Dot({ axes: 1 }).apply([null, 8], [null, 8]); // [null, 1]
 * new Dot({ axes: [2, 1] }).apply([null, 3, 5], [null, 5, 4]); // [null, 3, 4]
 */
export class Dot extends Layer {
  readonly className = "Dot";
  /** The axes as given; checked when the input ranks are known. */
  readonly axes: unknown;
  readonly normalize: boolean;

  constructor(config?: unknown) {
    const cfg = configObject("dot", config, ["axes", "normalize", "name"]);
    const normalize = optionalBoolean("dot", "normalize", cfg.normalize, false);
    super(layerNames("Dot", optionalName("dot", cfg.name)));
    this.axes = Array.isArray(cfg.axes) ? [...(cfg.axes as unknown[])] : cfg.axes;
    this.normalize = normalize;
  }

  computeOutputShape(first: Shape, ...others: Shape[]): Shape {
    const [s1, s2] = checkInputs("dot", [first, ...others]);
    const [a1, a2] = dotAxes(this.axes, s1.length, s2.length);
    const x = s1[a1];
    const y = s2[a2];
    if (x !== null && y !== null && x !== y) {
      fail(`shapewise: dot input 1 size ${x} at axis ${a1} differs from input 2 size ${y} at axis ${a2}`);
    }
    const batch = commonBatch("dot", [s1, s2]);
    const out: Dim[] = [batch, ...s1.filter((_, k) => k !== 0 && k !== a1), ...s2.filter((_, k) => k !== 0 && k !== a2)];
    return out.length === 1 ? [batch, 1] : out;
  }

  override getConfig(): Record<string, unknown> {
    return { axes: this.axes, normalize: this.normalize, name: this.name };
  }

  /**
   * Contracted sizes the size algebra proves may differ are the sentence of
   * the rule, saying when; the other axes keep their names, as in the types.
   */
  override computeSizes(sizes: readonly SizedShape[], output: Shape): SizedShape {
    const [s1, s2] = sizes as [SizedShape, SizedShape];
    const [a1, a2] = dotAxes(this.axes, s1.length, s2.length);
    const x = s1[a1] ?? null;
    const y = s2[a2] ?? null;
    if (x !== null && y !== null && (typeof x === "string" || typeof y === "string")) {
      const verdict = sizeAgreement(x, y);
      if (typeof verdict === "object")
        fail(`shapewise: dot input 1 size ${x} at axis ${a1} differs from input 2 size ${y} at axis ${a2}: ${differText(verdict)}`);
    }
    const out: SizedDim[] = [output[0] ?? null, ...s1.filter((_, k) => k !== 0 && k !== a1), ...s2.filter((_, k) => k !== 0 && k !== a2)];
    return out.length === 1 ? output : out;
  }

  /**
   * Per sample: every output element sums the products along the contracted
   * axis (output elements × its size); `normalize` adds a square, a sum and
   * a scaling per input element.
   */
  override cost(inputShapes: readonly Shape[], outputShapes: readonly Shape[]): LayerCost {
    const [s1, s2] = inputShapes;
    const [a1, a2] = dotAxes(this.axes, s1.length, s2.length);
    const ops = this.normalize ? product(3, sumOf(sampleElements(s1), sampleElements(s2))) : 0;
    return { macs: product(sampleElements(outputShapes[0]), s1[a1] ?? s2[a2]), ops };
  }

  call(first: Tensor, ...others: Tensor[]): Tensor {
    const shape = this.computeOutputShape(...(tensorShapes("dot", [first, ...others]) as [Shape, ...Shape[]])) as number[];
    const [a1, a2] = dotAxes(this.axes, first.shape.length, others[0].shape.length);
    let x = first;
    let y = others[0];
    if (this.normalize) {
      x = l2Normalize(x, a1);
      y = l2Normalize(y, a2);
    }
    // Move x's axis last and y's right after the batch: then every sample is
    // an (m, k) by (k, n) matrix product, as Keras `batch_dot` arranges it.
    const r1 = x.shape.length;
    const r2 = y.shape.length;
    const xt = transpose(x, [...Array.from({ length: r1 }, (_, k) => k).filter((k) => k !== a1), a1]);
    const yt = transpose(y, [0, a2, ...Array.from({ length: r2 }, (_, k) => k).filter((k) => k !== 0 && k !== a2)]);
    const batch = x.shape[0];
    const k = x.shape[a1];
    const m = x.shape.reduce((p, d, axis) => (axis === 0 || axis === a1 ? p : p * d), 1);
    const n = y.shape.reduce((p, d, axis) => (axis === 0 || axis === a2 ? p : p * d), 1);
    const out = new Float32Array(batch * m * n);
    for (let b = 0; b < batch; b++) {
      for (let i = 0; i < m; i++) {
        const xRow = (b * m + i) * k;
        for (let j = 0; j < n; j++) {
          let sum = 0;
          for (let q = 0; q < k; q++) sum += xt.data[xRow + q] * yt.data[(b * k + q) * n + j];
          out[(b * m + i) * n + j] = sum;
        }
      }
    }
    return { shape, data: out };
  }

  /** The batched product's gradients, moved back to each input's axes, then through the normalisation. */
  override gradients(dOutput: Tensor, inputs: readonly Tensor[]): LayerGradients {
    const [first, second] = inputs;
    const [a1, a2] = dotAxes(this.axes, first.shape.length, second.shape.length);
    const x = this.normalize ? l2Normalize(first, a1) : first;
    const y = this.normalize ? l2Normalize(second, a2) : second;
    const r1 = x.shape.length;
    const r2 = y.shape.length;
    const permX = [...Array.from({ length: r1 }, (_, k) => k).filter((k) => k !== a1), a1];
    const permY = [0, a2, ...Array.from({ length: r2 }, (_, k) => k).filter((k) => k !== 0 && k !== a2)];
    const xt = transpose(x, permX);
    const yt = transpose(y, permY);
    const batch = x.shape[0];
    const k = x.shape[a1];
    const m = x.data.length / (batch * k);
    const n = y.data.length / (batch * k);
    const g = batchMatMulBackward(xt.data, yt.data, dOutput.data, batch, m, k, n);
    const back = (data: Float32Array, shape: readonly number[], perm: number[]): Tensor => {
      const inverse = perm.map((_, i) => perm.indexOf(i));
      return transpose({ shape: perm.map((p) => shape[p]), data }, inverse);
    };
    let dx = back(g.dx, x.shape, permX);
    let dy = back(g.dy, y.shape, permY);
    if (this.normalize) {
      dx = l2NormalizeBackward(first, a1, dx);
      dy = l2NormalizeBackward(second, a2, dy);
    }
    return { inputs: [dx, dy], weights: [] };
  }
}

registerMerging("Dot", Dot, "dot", ["axes", "normalize", "name", "shared"]);

// ---------------------------------------------------------------------------
// factory
// ---------------------------------------------------------------------------

const CLASSES: Readonly<Record<MergeKind, new (config?: unknown) => Layer>> = {
  add: Add,
  subtract: Subtract,
  multiply: Multiply,
  average: Average,
  maximum: Maximum,
  minimum: Minimum,
  concatenate: Concatenate,
  dot: Dot,
};

/**
 * A new merge layer of the given kind, for the symbolic tensor's methods and
 * the model loaders; a kind that is not a merge is a `ShapeError`.
 *
 * @example
 * mergeLayer("concatenate", { axis: 1 }).apply([null, 3, 8], [null, 5, 8]); // [null, 8, 8]
 * mergeLayer("add").name; // "add"
 */
export function mergeLayer(kind: MergeKind, config?: unknown): Layer {
  const k = oneOf("merge", "kind", kind, MERGE_KINDS);
  return new CLASSES[k](config);
}

// ---------------------------------------------------------------------------
// merges over symbolic tensors, and the branch combinators
// ---------------------------------------------------------------------------

/** The operands of a merge: a list of symbolic tensors of the model under definition. */
function operands(method: string, inputs: unknown): [SymbolicTensorImpl, ...SymbolicTensorImpl[]] {
  if (!Array.isArray(inputs)) fail(`shapewise: ${method} expects a list of symbolic tensors, got ${valueText(inputs)}`);
  inputs.forEach((t, i) => {
    if (!(t instanceof SymbolicTensorImpl)) fail(`shapewise: ${method} input ${i + 1} must be a symbolic tensor, got ${valueText(t)}`);
  });
  if (inputs.length === 0) checkInputs(method as MergeKind, []);
  return inputs as [SymbolicTensorImpl, ...SymbolicTensorImpl[]];
}

/**
 * Merges symbolic tensors with a new merge layer (`add([a, b])` and the
 * other merge functions). The `shared` option is checked here, since only
 * the graph shows which layers the operands share.
 *
 * @example
 * mergeTensors("add", [a, b], { name: "sum" }); // a SymbolicTensorImpl from an `Add` layer named "sum"
 */
export function mergeTensors(kind: MergeKind, inputs: unknown, options?: unknown): SymbolicTensorImpl {
  const list = operands(kind, inputs);
  const record = options === undefined ? {} : configObject(kind, options, [...MERGE_OPTIONS[kind], "shared"]);
  const { shared, ...layerConfig } = record;
  const layer = mergeLayer(kind, layerConfig);
  const [first, ...others] = list;
  const merged = first.applyLayer(layer, ...others);
  if (shared !== undefined) checkSharedAncestor(kind, list, shared);
  return merged;
}

const MERGE_OPTIONS: Record<MergeKind, readonly string[]> = {
  add: ["name"],
  subtract: ["name"],
  multiply: ["name"],
  average: ["name"],
  maximum: ["name"],
  minimum: ["name"],
  concatenate: ["axis", "name"],
  dot: ["axes", "normalize", "name"],
};

/**
 * Runs a branch builder on its start and checks that it returned a tensor
 * grown from that start. The branch's start carries no parameters at the
 * type level, so a layer with weights from before the start may not be
 * applied again inside the branch: its weights would count twice there.
 */
function branchEnd(method: string, start: SymbolicTensorImpl, builder: unknown, what: string): SymbolicTensorImpl {
  if (typeof builder !== "function") fail(`shapewise: ${method} ${what} must be a function from a tensor to a tensor, got ${valueText(builder)}`);
  const end: unknown = builder(start);
  if (!(end instanceof SymbolicTensorImpl)) fail(`shapewise: ${method} ${what} must return a symbolic tensor, got ${valueText(end)}`);
  const before = new Set<Layer>();
  const earlier = new Set<SymbolicTensorImpl>();
  for (const stack = [start]; stack.length > 0; ) {
    const t = stack.pop()!;
    if (earlier.has(t)) continue;
    earlier.add(t);
    if (t.layer.countParams() > 0) before.add(t.layer);
    stack.push(...t.inbound);
  }
  // Only the branch's own calls matter: tensors from before the start are where the walk stops.
  const seen = new Set<SymbolicTensorImpl>(earlier);
  for (const stack = [end]; stack.length > 0; ) {
    const t = stack.pop()!;
    if (seen.has(t)) continue;
    seen.add(t);
    if (before.has(t.layer))
      fail(`shapewise: ${method} ${what} applies layer ${t.layer.name} again, which comes before its start: its weights would count twice`);
    stack.push(...t.inbound);
  }
  return end;
}

/**
 * The branch combinators of every symbolic tensor. Each branch starts from
 * this tensor; the result is checked to meet only in this tensor's
 * ancestors, which is what makes the type-level total exact.
 *
 * @example
 * addLayerMethods(mergingMethods); // done once by src/layer-methods.ts
 */
export const mergingMethods = {
  residual(this: SymbolicTensorImpl, main: unknown, options?: unknown): SymbolicTensorImpl {
    const cfg = configObject("residual", options, ["shortcut", "shortcutFirst", "name"]);
    const shortcutFirst = optionalBoolean("residual", "shortcutFirst", cfg.shortcutFirst, false);
    const end = branchEnd("residual", this, main, "main branch");
    const shortcut = cfg.shortcut === undefined ? this : branchEnd("residual", this, cfg.shortcut, "shortcut");
    const [first, second] = shortcutFirst ? [shortcut, end] : [end, shortcut];
    const merged = first.applyLayer(mergeLayer("add", { name: cfg.name }), second);
    checkSharedAncestor("residual", [end, shortcut], this);
    return merged;
  },
  branches(this: SymbolicTensorImpl, builders: unknown, options?: unknown): SymbolicTensorImpl | readonly SymbolicTensorImpl[] {
    if (!Array.isArray(builders) || builders.length === 0) {
      fail(`shapewise: branches expects a non-empty list of functions from a tensor to a tensor, got ${valueText(builders)}`);
    }
    const ends = builders.map((b, i) => branchEnd("branches", this, b, `branch ${i + 1}`));
    if (options === undefined) {
      checkSharedAncestor("branches", ends, this);
      return Object.freeze(ends);
    }
    const cfg = configObject("branches", options, ["merge", "axis", "name"]);
    const kind = oneOf("branches", "merge", cfg.merge, ["add", "subtract", "multiply", "average", "maximum", "minimum", "concatenate"] as const);
    const layerConfig = kind === "concatenate" ? { axis: cfg.axis, name: cfg.name } : { name: cfg.name };
    if (kind !== "concatenate" && cfg.axis !== undefined) fail(`shapewise: branches axis applies to merge 'concatenate' only, got merge '${kind}'`);
    const [first, ...others] = ends;
    const merged = first.applyLayer(mergeLayer(kind, layerConfig), ...others);
    checkSharedAncestor("branches", ends, this);
    return merged;
  },
};

// ---------------------------------------------------------------------------
// the merge functions of the public API
// ---------------------------------------------------------------------------

/**
 * Adds tensors element-wise (Keras `layers.add`); shapes broadcast over the
 * non-batch sizes. A layer named `add`, `add_1`, ...
 *
 * @example
 * const y = add([x.conv2d({ filters: 16, kernelSize: 3, padding: "same" }), x]); // a residual connection
 */
export const add = ((inputs: unknown, options?: unknown) => mergeTensors("add", inputs, options)) as unknown as ElementwiseMergeFunction<"add">;

/**
 * Subtracts the second tensor from the first (Keras `layers.subtract`): exactly two inputs.
 *
 * @example
 * const d = subtract([a, b]);
 */
export const subtract = ((inputs: unknown, options?: unknown) => mergeTensors("subtract", inputs, options)) as unknown as ElementwiseMergeFunction<"subtract">;

/**
 * Multiplies tensors element-wise (Keras `layers.multiply`).
 *
 * @example
 * const gated = multiply([x, gate]);
 */
export const multiply = ((inputs: unknown, options?: unknown) => mergeTensors("multiply", inputs, options)) as unknown as ElementwiseMergeFunction<"multiply">;

/**
 * Averages tensors element-wise (Keras `layers.average`).
 *
 * @example
 * const mean = average([a, b, c]);
 */
export const average = ((inputs: unknown, options?: unknown) => mergeTensors("average", inputs, options)) as unknown as ElementwiseMergeFunction<"average">;

/**
 * The element-wise maximum of tensors (Keras `layers.maximum`).
 *
 * @example
 * const m = maximum([a, b]);
 */
export const maximum = ((inputs: unknown, options?: unknown) => mergeTensors("maximum", inputs, options)) as unknown as ElementwiseMergeFunction<"maximum">;

/**
 * The element-wise minimum of tensors (Keras `layers.minimum`).
 *
 * @example
 * const m = minimum([a, b]);
 */
export const minimum = ((inputs: unknown, options?: unknown) => mergeTensors("minimum", inputs, options)) as unknown as ElementwiseMergeFunction<"minimum">;

/**
 * Joins tensors along an axis (Keras `layers.concatenate`, default the last);
 * every other size must match.
 *
 * @example
 * const y = concatenate([a, b], { axis: -1 }); // [null, 4, 4, 8] and [null, 4, 4, 16] give [null, 4, 4, 24]
 */
export const concatenate = ((inputs: unknown, options?: unknown) => mergeTensors("concatenate", inputs, options)) as unknown as ConcatenateFunction;

/**
 * The batched dot product of two tensors over one axis each (Keras `layers.dot`).
 *
 * @example
 * const similarity = dot([a, b], { axes: 1, normalize: true }); // [null, 1]
 */
export const dot = ((inputs: unknown, options?: unknown) => mergeTensors("dot", inputs, options)) as unknown as DotFunction;
