/**
 * Recurrent layers and their wrappers at run time (type twin: `types/layers/recurrent.ts`):
 * `SimpleRNN`, `LSTM`, `GRU`, `Bidirectional` and `TimeDistributed`.
 *
 * A layer with `returnState` (and a `bidirectional` with `mergeMode: null`)
 * has several outputs: its method returns one symbolic tensor per output,
 * each with its `outputIndex`, and the model runs the layer once for all.
 */
import { configObject, exactRank, fail, knownChannels, oneOf, optionalBoolean, optionalName, positiveCount, valueText } from "../checks.js";
import { ACTIVATIONS } from "../kernels/activations.js";
import type { ActivationName } from "../kernels/activations.js";
import { recurrentLayer } from "../kernels/fast-sequence.js";
import { recurrentBackward } from "../kernels/rnn-backward.js";
import { GATES, recurrentPass } from "../kernels/rnn-cells.js";
import type { CellKind, RecurrentStep } from "../kernels/rnn-cells.js";
import { orthogonal, unitForgetBias } from "../kernels/rnn-init.js";
import type { Tensor } from "../kernels/tensor.js";
import { layerNames } from "../naming.js";
import type { StyleNames } from "../summary/rows.js";
import { SymbolicTensorImpl } from "../symbolic-tensor.js";
import { Layer, product, sampleElements, sum } from "./layer.js";
import type { LayerCost, LayerGradients, TrainingCall, TrainingContext, WeightSpec } from "./layer.js";
import type { Shape } from "../shape.js";
import { activityPenalty, addActivityGradient } from "../regularizers.js";
import type { Regularizer } from "../regularizers.js";
import { EVERY_FORMAT, registerLayer, layerRegistrar } from "./registry.js";
import * as keras from "../io/keras/json-writers.js";
import * as tfjs from "../io/tfjs/config-writers.js";
import * as onnx from "../io/onnx/mappings.js";

const registerRecurrent = layerRegistrar("recurrent", { tfjs, keras, onnx });

/** The weight each regulariser option of a recurrent layer penalises (Keras 3's options). */
const REGULARIZED_WEIGHTS = { kernelRegularizer: "kernel", recurrentRegularizer: "recurrent_kernel", biasRegularizer: "bias" };
const REGULARIZER_OPTIONS = [...Object.keys(REGULARIZED_WEIGHTS), "activityRegularizer"];

const RECURRENT_OPTIONS: Readonly<Record<CellKind, readonly string[]>> = {
  simpleRNN: ["units", "activation", "useBias", "returnSequences", "returnState", "goBackwards", ...REGULARIZER_OPTIONS, "name"],
  lstm: ["units", "activation", "recurrentActivation", "useBias", "returnSequences", "returnState", "goBackwards", ...REGULARIZER_OPTIONS, "name"],
  gru: ["units", "activation", "recurrentActivation", "useBias", "returnSequences", "returnState", "goBackwards", "resetAfter", ...REGULARIZER_OPTIONS, "name"],
};

const CLASS_NAMES: Readonly<Record<CellKind, string>> = { simpleRNN: "SimpleRNN", lstm: "LSTM", gru: "GRU" };

interface RecurrentSettings {
  units: number;
  features: number;
  activation: ActivationName;
  recurrentActivation: ActivationName;
  useBias: boolean;
  returnSequences: boolean;
  returnState: boolean;
  goBackwards: boolean;
  resetAfter: boolean;
}

/** Elementwise operations per step and unit besides the biases: the cell's sums of its two products, activations and products. */
const CELL_OPS: Record<CellKind, number> = { simpleRNN: 2, lstm: 13, gru: 11 };

/**
 * What `simpleRNN`, `lstm` and `gru` share: options, checks, weights and the
 * forward pass over `[batch, steps, features]`.
 *
 * @example
 * new LSTM({ units: 4, returnState: true }).computeOutputShapes([null, 10, 8]); // [[null, 4], [null, 4], [null, 4]]
 */
export abstract class Recurrent extends Layer {
  /** The cell, which is also the method name. */
  readonly kind: CellKind;
  private readonly config: Record<string, unknown>;
  private settings: RecurrentSettings | undefined;

  /** `names` is given only for the copies `bidirectional` makes, which use no name counter. */
  constructor(kind: CellKind, config: unknown, names?: StyleNames) {
    const cfg = configObject(kind, config, RECURRENT_OPTIONS[kind]);
    const userName = optionalName(kind, cfg.name);
    super(names ?? layerNames(CLASS_NAMES[kind], userName));
    this.kind = kind;
    this.config = cfg;
    this.readRegularizers(kind, cfg, REGULARIZED_WEIGHTS);
  }

  /** Every output shape: the output, then one `[batch, units]` per state with `returnState`. */
  computeOutputShapes(inputShape: Shape): Shape[] {
    const { kind: method, config: cfg } = this;
    const activation = cfg.activation === undefined ? "tanh" : oneOf(method, "activation", cfg.activation, ACTIVATIONS);
    const recurrentActivation = cfg.recurrentActivation === undefined ? "sigmoid" : oneOf(method, "recurrentActivation", cfg.recurrentActivation, ACTIVATIONS);
    const useBias = optionalBoolean(method, "useBias", cfg.useBias, true);
    const returnSequences = optionalBoolean(method, "returnSequences", cfg.returnSequences, false);
    const returnState = optionalBoolean(method, "returnState", cfg.returnState, false);
    const goBackwards = optionalBoolean(method, "goBackwards", cfg.goBackwards, false);
    const resetAfter = optionalBoolean(method, "resetAfter", cfg.resetAfter, true);
    exactRank(method, inputShape, 3, "[batch, steps, features]");
    const features = knownChannels(method, inputShape);
    const units = positiveCount(method, "units", cfg.units);
    this.settings = { units, features, activation, recurrentActivation, useBias, returnSequences, returnState, goBackwards, resetAfter };
    const state: Shape = [inputShape[0], units];
    const output: Shape = returnSequences ? [inputShape[0], inputShape[1], units] : state;
    if (!returnState) return [output];
    return method === "lstm" ? [output, state, state] : [output, state];
  }

  computeOutputShape(inputShape: Shape): Shape {
    return this.computeOutputShapes(inputShape)[0];
  }

  /** The parsed settings (after the layer has been applied). */
  resolved(): Readonly<RecurrentSettings> {
    if (this.settings === undefined) this.computeOutputShapes(this.builtInputShape());
    return this.settings!;
  }

  /** The options of this cell's method: `recurrentActivation` for lstm and gru, `resetAfter` for gru only. */
  override getConfig(): Record<string, unknown> {
    const s = this.resolved();
    const config: Record<string, unknown> = { units: s.units, activation: s.activation };
    if (this.kind !== "simpleRNN") config.recurrentActivation = s.recurrentActivation;
    Object.assign(config, { useBias: s.useBias, returnSequences: s.returnSequences, returnState: s.returnState, goBackwards: s.goBackwards });
    if (this.kind === "gru") config.resetAfter = s.resetAfter;
    Object.assign(config, this.regularizerConfig());
    config.name = this.name;
    return config;
  }

  override weightSpecs(): WeightSpec[] {
    const s = this.resolved();
    const width = GATES[this.kind] * s.units;
    const specs: WeightSpec[] = [
      { name: "kernel", shape: [s.features, width], trainable: true, initializer: "glorotUniform" },
      { name: "recurrent_kernel", shape: [s.units, width], trainable: true, initializer: orthogonal },
    ];
    if (s.useBias) {
      const twoBiases = this.kind === "gru" && s.resetAfter;
      specs.push({
        name: "bias",
        shape: twoBiases ? [2, width] : [width],
        trainable: true,
        initializer: this.kind === "lstm" ? unitForgetBias : "zeros",
      });
    }
    return specs;
  }

  /**
   * Per sample: every step multiplies the input by the kernel and the state
   * by the recurrent kernel, for every gate: steps × gates × units × (features
   * + units), gates 1, 4 (LSTM) or 3 (GRU). Operations per step and unit: the
   * bias of each gate (twice for GRU `resetAfter`), and the cell's own sums,
   * activations and products: 2 (SimpleRNN), 13 (LSTM), 11 (GRU).
   */
  override cost(inputShapes: readonly Shape[]): LayerCost {
    const s = this.resolved();
    const steps = inputShapes[0][1];
    const gates = GATES[this.kind];
    const biases = s.useBias ? gates * (this.kind === "gru" && s.resetAfter ? 2 : 1) : 0;
    return {
      macs: product(steps, gates * s.units * (s.features + s.units)),
      ops: product(steps, s.units * (biases + CELL_OPS[this.kind])),
    };
  }

  /** The output, then the final states with `returnState` (`h`; `h` and `c` for LSTM). */
  callOutputs(input: Tensor): Tensor[] {
    const s = this.resolved();
    const [kernel, recurrentKernel, bias] = this.weights!;
    const { output, states } = recurrentLayer(this.kind, input, { kernel, recurrentKernel, bias: s.useBias ? bias : null }, s);
    return s.returnState ? [output, ...states] : [output];
  }

  call(input: Tensor): Tensor {
    return this.callOutputs(input)[0];
  }

  /** The forward pass with every step kept for back-propagation through time. */
  override callTraining(inputs: readonly Tensor[]): TrainingCall {
    const s = this.resolved();
    const [kernel, recurrentKernel, bias] = this.weights!;
    const tape: RecurrentStep[] = [];
    const { output, states } = recurrentPass(this.kind, inputs[0], { kernel, recurrentKernel, bias: s.useBias ? bias : null }, s, tape);
    return { output, outputs: s.returnState ? [output, ...states] : undefined, saved: tape };
  }

  /** Back-propagation through time over the kept steps; the final states' gradients (`returnState`) join at the last step. */
  override gradients(dOutput: Tensor, inputs: readonly Tensor[], _output: Tensor, saved: unknown, dOthers: readonly (Tensor | null)[] = []): LayerGradients {
    const s = this.resolved();
    const [kernel, recurrentKernel, bias] = this.weights!;
    const g = recurrentBackward(
      this.kind,
      inputs[0],
      { kernel, recurrentKernel, bias: s.useBias ? bias : null },
      s,
      saved as RecurrentStep[],
      dOutput,
      dOthers,
    );
    return { inputs: [g.input], weights: s.useBias ? [g.kernel, g.recurrentKernel, g.bias] : [g.kernel, g.recurrentKernel] };
  }

  /** A fresh layer with this one's options, other names and a reading direction (for `bidirectional`). */
  copy(names: StyleNames, goBackwards: boolean): Recurrent {
    const config = { ...this.config, goBackwards };
    return this.kind === "simpleRNN" ? new SimpleRNN(config, names) : this.kind === "lstm" ? new LSTM(config, names) : new GRU(config, names);
  }
}

/**
 * A fully connected recurrent layer (Keras `SimpleRNN`): `h = tanh(x W + h U + b)`.
 *
 * @example
 * new SimpleRNN({ units: 32 }).apply([null, 10, 8]); // [null, 32]
 */
export class SimpleRNN extends Recurrent {
  readonly className = "SimpleRNN";
  constructor(config: unknown, names?: StyleNames) {
    super("simpleRNN", config, names);
  }
}

registerRecurrent("SimpleRNN", SimpleRNN, "simpleRNN", RECURRENT_OPTIONS.simpleRNN, { apply: applySimpleRNN, onnx: onnx.recurrent });

/**
 * Long short-term memory (Keras `LSTM`), gates i, f, c, o; the forget-gate bias starts at 1.
 *
 * @example
 * new LSTM({ units: 32, returnSequences: true }).apply([null, 10, 8]); // [null, 10, 32]
 */
export class LSTM extends Recurrent {
  readonly className = "LSTM";
  constructor(config: unknown, names?: StyleNames) {
    super("lstm", config, names);
  }
}

registerRecurrent("LSTM", LSTM, "lstm", RECURRENT_OPTIONS.lstm, { apply: applyLstm, onnx: onnx.recurrent });

/**
 * Gated recurrent unit (Keras `GRU`), gates z, r, h; `resetAfter` (default
 * `true`, as Keras 3) gives a `[2, 3 * units]` bias.
 *
 * @example
 * new GRU({ units: 32 }).apply([null, 10, 8]); // [null, 32]
 */
export class GRU extends Recurrent {
  readonly className = "GRU";
  constructor(config: unknown, names?: StyleNames) {
    super("gru", config, names);
  }
}

registerRecurrent("GRU", GRU, "gru", RECURRENT_OPTIONS.gru, { apply: applyGru, onnx: onnx.recurrent });

/** The argument a wrapper's callback receives: a stand-in for the input of the wrapped layer, never part of a model. */
class WrappedInput extends Layer {
  readonly className = "InputLayer";
  constructor(method: string) {
    const name = `${method}_input`;
    super({ keras2: name, keras3: name, tfjs: name });
  }
  computeOutputShape(inputShape: Shape): Shape {
    return inputShape;
  }
  call(input: Tensor): Tensor {
    return input;
  }
}

/** How a callback's result reads in a message. */
function resultText(result: unknown, argument: SymbolicTensorImpl): string {
  if (result === argument) return "its argument itself";
  if (result instanceof SymbolicTensorImpl) {
    const direct = result.inbound.length === 1 && result.inbound[0] === argument;
    return direct ? `a tensor of ${result.layer.className}` : `a tensor of ${result.layer.className} not called on the argument`;
  }
  if (Array.isArray(result)) return `an array of ${result.length}`;
  return valueText(result);
}

/**
 * Runs a wrapper's callback on a stand-in tensor of the given shape and
 * returns the one layer it called on it. A layer with several outputs
 * (`returnState`) gives an array, accepted only when `severalOutputs` is
 * set, so that the wrapper can name that option in its own message.
 */
function wrappedLayer(method: string, shape: Shape, build: unknown, expected: string, severalOutputs: boolean): Layer {
  if (typeof build !== "function") fail(`shapewise: ${method} expects a function that makes one ${expected} call on its argument, got ${valueText(build)}`);
  const argument = new SymbolicTensorImpl(Object.freeze([...shape]), new WrappedInput(method), []);
  const result: unknown = build(argument);
  const output = severalOutputs && Array.isArray(result) ? result[0] : result;
  if (!(output instanceof SymbolicTensorImpl) || output.inbound.length !== 1 || output.inbound[0] !== argument || output.outputIndex !== 0) {
    fail(`shapewise: ${method} callback must return the output of exactly one ${expected} call on its argument, got ${resultText(result, argument)}`);
  }
  return output.layer;
}

/**
 * How `bidirectional` combines the two directions; `null` keeps both outputs.
 *
 * @example
 * new Bidirectional(new GRU({ units: 4 }), "sum").apply([null, 10, 8]); // [null, 4]
 */
export type MergeMode = "concat" | "sum" | "mul" | "ave" | null;
const MERGE_MODES: readonly MergeMode[] = ["concat", "sum", "mul", "ave", null];

function mergeModeOption(value: unknown): MergeMode {
  if (value === undefined) return "concat";
  if (!MERGE_MODES.includes(value as MergeMode)) {
    fail(`shapewise: bidirectional mergeMode must be one of 'concat', 'sum', 'mul', 'ave', null, got ${valueText(value)}`);
  }
  return value as MergeMode;
}

function prefixed(prefix: string, names: StyleNames): StyleNames {
  return { keras2: prefix + names.keras2, keras3: prefix + names.keras3, tfjs: prefix + names.tfjs };
}

/** Reverses a `[batch, steps, units]` tensor along its steps. */
function flipSteps(t: Tensor): Tensor {
  const [batch, steps, units] = t.shape;
  const out = new Float32Array(t.data.length);
  for (let b = 0; b < batch; b++) {
    for (let s = 0; s < steps; s++) out.set(t.data.subarray((b * steps + s) * units, (b * steps + s + 1) * units), (b * steps + steps - 1 - s) * units);
  }
  return { shape: t.shape, data: out };
}

/**
 * Runs a recurrent layer forwards and a copy of it backwards (Keras
 * `Bidirectional`), then merges the two outputs. Weights: all of the forward
 * copy, then all of the backward copy, named `forward_lstm/kernel`, ...
 *
 * @example
 * new Bidirectional(new LSTM({ units: 32 }), "concat").apply([null, 10, 8]); // [null, 64]
 */
export class Bidirectional extends Layer {
  readonly className = "Bidirectional";
  /**
   * The wrapped layer as the callback made it (`lstm`, Keras' `layer`
   * config); {@link Bidirectional.forward} and {@link Bidirectional.backward}
   * are its two copies (`forward_lstm`, `backward_lstm`) that hold the weights.
   */
  readonly inner: Recurrent;
  readonly forward: Recurrent;
  readonly backward: Recurrent;
  readonly mergeMode: MergeMode;

  constructor(inner: Recurrent, mergeMode: MergeMode, name?: string) {
    super(layerNames("Bidirectional", name));
    this.inner = inner;
    this.forward = inner.copy(prefixed("forward_", inner.names), false);
    this.backward = inner.copy(prefixed("backward_", inner.names), true);
    this.mergeMode = mergeMode;
  }

  /** The merged output, or with `mergeMode: null` the forward and backward outputs. */
  computeOutputShapes(inputShape: Shape): Shape[] {
    const output = this.forward.apply(inputShape);
    this.backward.apply(inputShape);
    if (this.mergeMode === null) return [output, output];
    if (this.mergeMode !== "concat") return [output];
    const last = output[output.length - 1];
    return [[...output.slice(0, -1), last === null ? null : 2 * last]];
  }

  computeOutputShape(inputShape: Shape): Shape {
    return this.computeOutputShapes(inputShape)[0];
  }

  /** The wrapper's own options; the wrapped layer's are `inner.getConfig()`. */
  override getConfig(): Record<string, unknown> {
    return { mergeMode: this.mergeMode, name: this.name };
  }

  private resolved(): void {
    if (this.forward.inputShape === undefined) this.computeOutputShapes(this.builtInputShape());
  }

  override weightSpecs(): WeightSpec[] {
    this.resolved();
    const named = (layer: Recurrent) => layer.weightSpecs().map((spec) => ({ ...spec, name: `${layer.name}/${spec.name}` }));
    return [...named(this.forward), ...named(this.backward)];
  }

  /** The wrapped layer's regularisers, for each direction's copy of its weights. */
  override weightRegularizers(): (Regularizer | undefined)[] {
    this.resolved();
    return [...this.forward.weightRegularizers(), ...this.backward.weightRegularizers()];
  }

  /** Per sample: both directions, and the merge: one operation per output element (`sum`, `mul`), two (`ave`), none (`concat`, `null`). */
  override cost(inputShapes: readonly Shape[]): LayerCost {
    this.resolved();
    const forward = this.forward.cost(inputShapes);
    const output = sampleElements(this.forward.outputShape ?? []);
    const merge = this.mergeMode === "sum" || this.mergeMode === "mul" ? output : this.mergeMode === "ave" ? product(output, 2) : 0;
    return { macs: product(forward.macs, 2), ops: sum(product(forward.ops, 2), merge) };
  }

  /** Hands each direction's copy its half of the weights (forward first, as Keras orders them). */
  private handWeights(): void {
    this.resolved();
    const weights = this.weights!;
    const half = this.forward.weightSpecs().length;
    this.forward.weights = weights.slice(0, half);
    this.backward.weights = weights.slice(half);
  }

  callOutputs(input: Tensor): Tensor[] {
    this.handWeights();
    const y = this.forward.call(input);
    let yRev = this.backward.call(input);
    // The backward copy emits its sequence last step first; Keras flips it back before merging.
    if (this.forward.resolved().returnSequences) yRev = flipSteps(yRev);
    if (this.mergeMode === null) return [y, yRev];
    return [this.merge(y, yRev)];
  }

  call(input: Tensor): Tensor {
    return this.callOutputs(input)[0];
  }

  /**
   * The wrapped layer's activity regulariser: Keras 3 calls each direction's
   * copy as a layer, so each adds its penalty on its own output (the
   * wrapper's training call returns their sum as its loss).
   *
   * @example
   * bidirectional.directionsRegularizer(); // { l2: 0.01 } for lstm({ units: 8, activityRegularizer: "l2" })
   */
  directionsRegularizer(): Regularizer | undefined {
    return this.forward.activityRegularizer();
  }

  /** Both directions in training mode, merged as {@link Bidirectional.callOutputs} merges them; each direction's activity penalty is the loss. */
  override callTraining(inputs: readonly Tensor[]): TrainingCall {
    this.handWeights();
    const forward = this.forward.callTraining(inputs);
    const backward = this.backward.callTraining(inputs);
    const y = forward.output;
    const yRev = this.forward.resolved().returnSequences ? flipSteps(backward.output) : backward.output;
    const saved: BidirectionalSaved = { forward, backward, y, yRev };
    const r = this.directionsRegularizer();
    const loss = r === undefined ? undefined : activityPenalty(r, forward.output) + activityPenalty(r, backward.output);
    if (this.mergeMode === null) return { output: y, outputs: [y, yRev], saved, loss };
    return { output: this.merge(y, yRev), saved, loss };
  }

  /** The merged gradient split between the directions, each run back through its copy; the input's gradients summed. */
  override gradients(dOutput: Tensor, inputs: readonly Tensor[], _output: Tensor, saved: unknown, dOthers: readonly (Tensor | null)[] = []): LayerGradients {
    const { forward, backward, y, yRev } = saved as BidirectionalSaved;
    const d = dOutput.data;
    let dy: Tensor;
    let dRev: Tensor;
    if (this.mergeMode === null) {
      dy = dOutput;
      dRev = dOthers[0] ?? { shape: y.shape, data: new Float32Array(y.data.length) };
    } else if (this.mergeMode === "concat") {
      const units = y.shape[y.shape.length - 1];
      const rows = y.data.length / units;
      const a = new Float32Array(y.data.length);
      const b = new Float32Array(y.data.length);
      for (let r = 0; r < rows; r++) {
        a.set(d.subarray(2 * r * units, (2 * r + 1) * units), r * units);
        b.set(d.subarray((2 * r + 1) * units, (2 * r + 2) * units), r * units);
      }
      dy = { shape: y.shape, data: a };
      dRev = { shape: y.shape, data: b };
    } else {
      const a = new Float32Array(d.length);
      const b = new Float32Array(d.length);
      for (let i = 0; i < d.length; i++) {
        a[i] = this.mergeMode === "sum" ? d[i] : this.mergeMode === "mul" ? d[i] * yRev.data[i] : d[i] / 2;
        b[i] = this.mergeMode === "sum" ? d[i] : this.mergeMode === "mul" ? d[i] * y.data[i] : d[i] / 2;
      }
      dy = { shape: y.shape, data: a };
      dRev = { shape: y.shape, data: b };
    }
    if (this.forward.resolved().returnSequences) dRev = flipSteps(dRev);
    const r = this.directionsRegularizer();
    if (r !== undefined) {
      dy = { shape: dy.shape, data: Float32Array.from(dy.data) };
      addActivityGradient(r, forward.output, dy.data as Float32Array);
      dRev = { shape: dRev.shape, data: Float32Array.from(dRev.data) };
      addActivityGradient(r, backward.output, dRev.data as Float32Array);
    }
    const gf = this.forward.gradients(dy, inputs, forward.output, forward.saved);
    const gb = this.backward.gradients(dRev, inputs, backward.output, backward.saved);
    const dx = Float32Array.from(gf.inputs[0]!.data);
    const other = gb.inputs[0]!.data;
    for (let i = 0; i < dx.length; i++) dx[i] += other[i];
    return { inputs: [{ shape: [...inputs[0].shape], data: dx }], weights: [...gf.weights, ...gb.weights] };
  }

  /** The two directions' outputs combined by the merge mode (not `null`). */
  private merge(y: Tensor, yRev: Tensor): Tensor {
    const a = y.data;
    const b = yRev.data;
    if (this.mergeMode === "concat") {
      const units = y.shape[y.shape.length - 1];
      const rows = a.length / units;
      const out = new Float32Array(2 * a.length);
      for (let r = 0; r < rows; r++) {
        out.set(a.subarray(r * units, (r + 1) * units), 2 * r * units);
        out.set(b.subarray(r * units, (r + 1) * units), (2 * r + 1) * units);
      }
      return { shape: [...y.shape.slice(0, -1), 2 * units], data: out };
    }
    const out = new Float32Array(a.length);
    for (let i = 0; i < a.length; i++) {
      out[i] = this.mergeMode === "sum" ? a[i] + b[i] : this.mergeMode === "mul" ? a[i] * b[i] : (a[i] + b[i]) / 2;
    }
    return { shape: y.shape, data: out };
  }
}

/** What a bidirectional training call keeps: each direction's call and the outputs the merge read. */
interface BidirectionalSaved {
  readonly forward: TrainingCall;
  readonly backward: TrainingCall;
  readonly y: Tensor;
  readonly yRev: Tensor;
}

registerLayer({
  family: "recurrent",
  className: "Bidirectional",
  method: "bidirectional",
  style: "wrapper",
  options: ["mergeMode", "name"],
  apply: applyBidirectional,
  formats: EVERY_FORMAT,
  writers: { onnx: onnx.bidirectional },
});

/** Checks that `timeDistributed` gets a sequence: `[batch, steps, ...]`. */
function timeDistributedRank(inputShape: Shape): void {
  if (inputShape.length < 3) {
    fail(`shapewise: timeDistributed expects input of rank 3 or more [batch, steps, ...], got rank ${inputShape.length} ${valueText(inputShape)}`);
  }
}

/**
 * Applies one layer to every step of a sequence (Keras `TimeDistributed`):
 * `[batch, steps, ...]` is folded to `[batch * steps, ...]` for the inner
 * layer, whose weights are the wrapper's (named `dense/kernel`, ... as Keras paths are).
 *
 * @example
 * new TimeDistributed(new Dense({ units: 8 })).apply([null, 10, 16]); // [null, 10, 8]
 */
export class TimeDistributed extends Layer {
  readonly className = "TimeDistributed";
  readonly inner: Layer;

  constructor(inner: Layer, name?: string) {
    super(layerNames("TimeDistributed", name));
    this.inner = inner;
  }

  /** The wrapper's own options; the wrapped layer's are `inner.getConfig()`. */
  override getConfig(): Record<string, unknown> {
    return { name: this.name };
  }

  computeOutputShape(inputShape: Shape): Shape {
    timeDistributedRank(inputShape);
    const step = this.inner.apply([inputShape[0], ...inputShape.slice(2)]);
    return [inputShape[0], inputShape[1], ...step.slice(1)];
  }

  override weightSpecs(): WeightSpec[] {
    if (this.inner.inputShape === undefined) this.computeOutputShape(this.builtInputShape());
    // Keras paths name the inner layer: `time_distributed/dense/kernel`.
    return this.inner.weightSpecs().map((spec) => ({ ...spec, name: `${this.inner.name}/${spec.name}` }));
  }

  /** The wrapped layer's regularisers, on the same weights. */
  override weightRegularizers(): (Regularizer | undefined)[] {
    if (this.inner.inputShape === undefined) this.computeOutputShape(this.builtInputShape());
    return this.inner.weightRegularizers();
  }

  /** Per sample: the wrapped layer's cost for one step, times the steps. */
  override cost(inputShapes: readonly Shape[], outputShapes: readonly Shape[]): LayerCost {
    const [input] = inputShapes;
    const stepIn: Shape = [input[0], ...input.slice(2)];
    const stepOut: Shape = [outputShapes[0][0], ...outputShapes[0].slice(2)];
    const step = this.inner.cost([stepIn], [stepOut]);
    return { macs: product(input[1], step.macs), ops: product(input[1], step.ops) };
  }

  call(input: Tensor): Tensor {
    const [batch, steps, ...rest] = input.shape;
    this.inner.weights = this.weights;
    const y = this.inner.call({ shape: [batch * steps, ...rest], data: input.data });
    return { shape: [batch, steps, ...y.shape.slice(1)], data: y.data };
  }

  override trainingGap(): string | undefined {
    return this.inner.trainingGap();
  }

  /** The wrapped layer's training call on the folded batch: its loss and state updates are the wrapper's (same weights, same order). */
  override callTraining(inputs: readonly Tensor[], context: TrainingContext): TrainingCall {
    const [batch, steps, ...rest] = inputs[0].shape;
    this.inner.weights = this.weights;
    const call = this.inner.callTraining([{ shape: [batch * steps, ...rest], data: inputs[0].data }], context);
    const y = call.output;
    return { ...call, output: { shape: [batch, steps, ...y.shape.slice(1)], data: y.data }, saved: { inner: call.output, saved: call.saved } };
  }

  override gradients(dOutput: Tensor, inputs: readonly Tensor[], _output: Tensor, saved: unknown): LayerGradients {
    const gap = this.trainingGap();
    if (gap !== undefined || this.inner.gradients === undefined) fail(`shapewise: fit cannot train through timeDistributed '${this.name}': ${gap}`);
    const [batch, steps, ...rest] = inputs[0].shape;
    const kept = saved as { inner: Tensor; saved: unknown };
    this.inner.weights = this.weights;
    const g = this.inner.gradients(
      { shape: kept.inner.shape, data: dOutput.data },
      [{ shape: [batch * steps, ...rest], data: inputs[0].data }],
      kept.inner,
      kept.saved,
    );
    const dx = g.inputs[0];
    return { inputs: [dx === null ? null : { shape: [...inputs[0].shape], data: dx.data }], weights: g.weights };
  }
}

registerLayer({
  family: "recurrent",
  className: "TimeDistributed",
  method: "timeDistributed",
  style: "wrapper",
  options: ["name"],
  apply: applyTimeDistributed,
  formats: EVERY_FORMAT,
  writers: { onnx: onnx.timeDistributed },
});

/** Applies a recurrent layer; with `returnState` also returns one tensor per state. */
function applyRecurrent(t: SymbolicTensorImpl, layer: Recurrent): SymbolicTensorImpl | readonly SymbolicTensorImpl[] {
  const output = t.applyLayer(layer);
  const shapes = layer.computeOutputShapes(t.shape);
  if (shapes.length === 1) return output;
  return Object.freeze([
    output,
    ...shapes.slice(1).map((s, i) => new SymbolicTensorImpl(Object.freeze([...s]), layer, output.inbound, i + 1, output.nodeIndex)),
  ]);
}

/** The method `t.simpleRNN(config)`. */
function applySimpleRNN(this: SymbolicTensorImpl, config: unknown): SymbolicTensorImpl | readonly SymbolicTensorImpl[] {
  return applyRecurrent(this, new SimpleRNN(config));
}

/** The method `t.lstm(config)`. */
function applyLstm(this: SymbolicTensorImpl, config: unknown): SymbolicTensorImpl | readonly SymbolicTensorImpl[] {
  return applyRecurrent(this, new LSTM(config));
}

/** The method `t.gru(config)`. */
function applyGru(this: SymbolicTensorImpl, config: unknown): SymbolicTensorImpl | readonly SymbolicTensorImpl[] {
  return applyRecurrent(this, new GRU(config));
}

/** The method `t.bidirectional((x) => x.lstm(config), options)`. */
function applyBidirectional(this: SymbolicTensorImpl, layer: unknown, config?: unknown): SymbolicTensorImpl | readonly SymbolicTensorImpl[] {
  const cfg = configObject("bidirectional", config, ["mergeMode", "name"]);
  const mergeMode = mergeModeOption(cfg.mergeMode);
  const name = optionalName("bidirectional", cfg.name);
  const inner = wrappedLayer("bidirectional", this.shape, layer, "simpleRNN, lstm or gru", true);
  if (!(inner instanceof Recurrent)) {
    fail(
      `shapewise: bidirectional callback must return the output of exactly one simpleRNN, lstm or gru call on its argument, got a tensor of ${inner.className}`,
    );
  }
  const s = inner.resolved();
  if (s.goBackwards) fail(`shapewise: bidirectional ${inner.kind} goBackwards must be false: the backward copy reads the sequence in reverse`);
  if (s.returnState) fail(`shapewise: bidirectional ${inner.kind} returnState is not supported: use the merged output, or mergeMode null for both`);
  const wrapper = new Bidirectional(inner, mergeMode, name);
  const output = this.applyLayer(wrapper);
  if (mergeMode !== null) return output;
  return Object.freeze([output, new SymbolicTensorImpl(output.shape, wrapper, output.inbound, 1, output.nodeIndex)]);
}

/** The method `t.timeDistributed((x) => x.dense(config), options)`. */
function applyTimeDistributed(this: SymbolicTensorImpl, layer: unknown, config?: unknown): SymbolicTensorImpl {
  const cfg = configObject("timeDistributed", config, ["name"]);
  const name = optionalName("timeDistributed", cfg.name);
  timeDistributedRank(this.shape);
  const inner = wrappedLayer("timeDistributed", [this.shape[0], ...this.shape.slice(2)], layer, "layer", false);
  return this.applyLayer(new TimeDistributed(inner, name));
}
