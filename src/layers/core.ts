/**
 * Core layers at run time: `Dense`, `Activation` and `Embedding` (type twin: `types/layers/core.ts`).
 */
import {
  activationOption,
  configObject,
  exactWeightCount,
  fail,
  knownChannels,
  oneOf,
  optionalBoolean,
  optionalName,
  positiveCount,
  valueText,
} from "../checks.js";
import { ACTIVATIONS, activate } from "../kernels/activations.js";
import type { ActivationName } from "../kernels/activations.js";
import { activationGradient } from "../kernels/activations-backward.js";
import { denseLayer } from "../kernels/fast-dense.js";
import { activationLayer } from "../kernels/fast-elementwise.js";
import { embeddingLayer } from "../kernels/fast-sequence.js";
import { denseBackward } from "../kernels/dense-backward.js";
import { invalidIndex } from "../kernels/embedding.js";
import { uniformInitializer } from "../kernels/rnn-init.js";
import type { Tensor } from "../kernels/tensor.js";
import { layerNames } from "../naming.js";
import { Layer, epilogueOps, product, sampleElements } from "./layer.js";
import type { LayerCost, LayerGradients, TrainingCall, WeightSpec } from "./layer.js";
import { embeddingBackward } from "../kernels/embedding-backward.js";
import type { Shape } from "../shape.js";
import { layerRegistrar } from "./registry.js";
import * as keras from "../io/keras/json-writers.js";
import * as tfjs from "../io/tfjs/config-writers.js";
import * as onnx from "../io/onnx/mappings.js";

const registerCore = layerRegistrar("core", { tfjs, keras, onnx });

const DENSE_OPTIONS = ["units", "activation", "useBias", "kernelRegularizer", "biasRegularizer", "activityRegularizer", "name"];

/**
 * A fully connected layer on the last axis (Keras `Dense`), `[in, units]` kernel.
 *
 * @example
 * new Dense({ units: 10 }).apply([null, 1152]); // [null, 10]
 */
export class Dense extends Layer {
  protected override readonly keepsSizes = true;
  readonly className = "Dense";
  private readonly config: Record<string, unknown>;
  private settings: { units: number; inFeatures: number; activation: ActivationName; useBias: boolean } | undefined;

  constructor(config: unknown) {
    const cfg = configObject("dense", config, DENSE_OPTIONS);
    super(layerNames("Dense", optionalName("dense", cfg.name)));
    this.config = cfg;
    this.readRegularizers("dense", cfg, { kernelRegularizer: "kernel", biasRegularizer: "bias" });
  }

  computeOutputShape(inputShape: Shape): Shape {
    const cfg = this.config;
    const activation = activationOption("dense", cfg.activation);
    const useBias = optionalBoolean("dense", "useBias", cfg.useBias, true);
    if (inputShape.length < 2) {
      fail(`shapewise: dense expects input of rank 2 or more [batch, ..., features], got rank ${inputShape.length} ${valueText(inputShape)}`);
    }
    const inFeatures = knownChannels("dense", inputShape);
    const units = positiveCount("dense", "units", cfg.units);
    exactWeightCount("dense", useBias ? [[inFeatures, units], [units]] : [[inFeatures, units]]);
    this.settings = { units, inFeatures, activation, useBias };
    return [...inputShape.slice(0, -1), units];
  }

  private resolved() {
    if (this.settings === undefined) this.computeOutputShape(this.builtInputShape());
    return this.settings!;
  }

  override getConfig(): Record<string, unknown> {
    const s = this.resolved();
    return { units: s.units, activation: s.activation, useBias: s.useBias, ...this.regularizerConfig(), name: this.name };
  }

  override weightSpecs(): WeightSpec[] {
    const s = this.resolved();
    const specs: WeightSpec[] = [{ name: "kernel", shape: [s.inFeatures, s.units], trainable: true, initializer: "glorotUniform" }];
    if (s.useBias) specs.push({ name: "bias", shape: [s.units], trainable: true, initializer: "zeros" });
    return specs;
  }

  /** Per sample: every output element sums its `in` products (output elements × in); bias and activation one operation per output element each. */
  override cost(_inputShapes: readonly Shape[], outputShapes: readonly Shape[]): LayerCost {
    const s = this.resolved();
    const out = sampleElements(outputShapes[0]);
    return { macs: product(out, s.inFeatures), ops: epilogueOps(out, s.useBias, s.activation) };
  }

  call(input: Tensor): Tensor {
    const s = this.resolved();
    const [kernel, bias] = this.weights!;
    return denseLayer(input, kernel, s.useBias ? bias : null, s.activation);
  }

  /**
   * The kernel and bias when the layer's activation is linear, so that a
   * forward pass may fold a batch normalisation into them and fuse what
   * follows into {@link callEpilogue}; `null` otherwise.
   *
   * @example
   * ```ts
   * new Dense({ units: 10 }).epilogueWeights(); // after its weights exist: { kernel, bias }
   * ```
   */
  epilogueWeights(): { kernel: Tensor; bias: Tensor | null } | null {
    if (!this.takesEpilogue()) return null;
    const [kernel, bias] = this.weights!;
    return { kernel, bias: this.resolved().useBias ? bias : null };
  }

  /**
   * Whether {@link epilogueWeights} gives weights (a linear activation),
   * decided on the settings alone: a plan made before any weight exists draws none.
   *
   * @example
   * ```ts
   * new Dense({ units: 10 }).takesEpilogue(); // true
   * ```
   */
  takesEpilogue(): boolean {
    return this.resolved().activation === "linear";
  }

  /**
   * This layer's product over `kernel` and `bias` (a folded batch
   * normalisation's), `residual` added and `activation` applied in its last step.
   *
   * @example
   * ```ts
   * const y = dense.callEpilogue(x, folded.kernel, folded.bias, null, "relu");
   * ```
   */
  callEpilogue(input: Tensor, kernel: Tensor, bias: Tensor | null, residual: Tensor | null, activation: ActivationName): Tensor {
    return denseLayer(input, kernel, bias, activation, residual);
  }

  override callTraining(inputs: readonly Tensor[]): TrainingCall {
    const s = this.resolved();
    const [kernel, bias] = this.weights!;
    const z = denseLayer(inputs[0], kernel, s.useBias ? bias : null, "linear");
    return { output: s.activation === "linear" ? z : activate(s.activation, z), saved: z };
  }

  override gradients(dOutput: Tensor, inputs: readonly Tensor[], output: Tensor, saved: unknown): LayerGradients {
    const s = this.resolved();
    const dz = activationGradient(s.activation, saved as Tensor, output, dOutput);
    const g = denseBackward(inputs[0], this.weights![0], dz);
    return { inputs: [g.input], weights: s.useBias ? [g.kernel, g.bias] : [g.kernel] };
  }
}

registerCore("Dense", Dense, "dense", DENSE_OPTIONS);

/**
 * Applies an activation function (Keras `Activation`); the shape is unchanged.
 *
 * @example
 * new Activation("relu").apply([null, 10]); // [null, 10]
 */
export class Activation extends Layer {
  protected override readonly keepsSizes = true;
  readonly className = "Activation";
  readonly activation: ActivationName;

  constructor(config: unknown) {
    const cfg: Record<string, unknown> = typeof config === "string" ? { activation: config } : configObject("activation", config, ["activation", "name"]);
    const activation = oneOf("activation", "activation", cfg.activation, ACTIVATIONS);
    super(layerNames("Activation", optionalName("activation", cfg.name)));
    this.activation = activation;
  }

  computeOutputShape(inputShape: Shape): Shape {
    return inputShape;
  }

  override getConfig(): Record<string, unknown> {
    return { activation: this.activation, name: this.name };
  }

  /** Per sample: one operation per element (none for `linear`). */
  override cost(_inputShapes: readonly Shape[], outputShapes: readonly Shape[]): LayerCost {
    return { macs: 0, ops: epilogueOps(sampleElements(outputShapes[0]), false, this.activation) };
  }

  call(input: Tensor): Tensor {
    return activationLayer(this.activation, input);
  }

  override gradients(dOutput: Tensor, inputs: readonly Tensor[], output: Tensor): LayerGradients {
    return { inputs: [activationGradient(this.activation, inputs[0], output, dOutput)], weights: [] };
  }
}

registerCore("Activation", Activation, "activation", ["activation", "name"], { onnx: onnx.activationLayer });

const EMBEDDING_OPTIONS = ["inputDim", "outputDim", "embeddingsRegularizer", "activityRegularizer", "name"];

/** Keras 3 `Embedding` default initialiser: `RandomUniform(-0.05, 0.05)`. */
const embeddingInitializer = uniformInitializer(-0.05, 0.05);

/** The position of a flat index in a tensor of the given shape, as `[b, i, ...]`. */
function positionOf(index: number, shape: readonly number[]): number[] {
  const position = new Array<number>(shape.length);
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    position[axis] = index % shape[axis];
    index = Math.floor(index / shape[axis]);
  }
  return position;
}

/**
 * Looks up a learned vector for every integer index (Keras `Embedding`):
 * `[batch, ...]` of indices in `[0, inputDim)` gives `[batch, ..., outputDim]`;
 * table `embeddings` of shape `[inputDim, outputDim]`.
 *
 * @example
 * new Embedding({ inputDim: 1000, outputDim: 64 }).apply([null, 10]); // [null, 10, 64]
 */
export class Embedding extends Layer {
  readonly className = "Embedding";
  private readonly config: Record<string, unknown>;
  private settings: { inputDim: number; outputDim: number } | undefined;

  constructor(config: unknown) {
    const cfg = configObject("embedding", config, EMBEDDING_OPTIONS);
    super(layerNames("Embedding", optionalName("embedding", cfg.name)));
    this.config = cfg;
    this.readRegularizers("embedding", cfg, { embeddingsRegularizer: "embeddings" });
  }

  computeOutputShape(inputShape: Shape): Shape {
    const inputDim = positiveCount("embedding", "inputDim", this.config.inputDim);
    const outputDim = positiveCount("embedding", "outputDim", this.config.outputDim);
    exactWeightCount("embedding", [[inputDim, outputDim]]);
    this.settings = { inputDim, outputDim };
    return [...inputShape, outputDim];
  }

  private resolved() {
    if (this.settings === undefined) this.computeOutputShape(this.builtInputShape());
    return this.settings!;
  }

  override getConfig(): Record<string, unknown> {
    const s = this.resolved();
    return { inputDim: s.inputDim, outputDim: s.outputDim, ...this.regularizerConfig(), name: this.name };
  }

  override weightSpecs(): WeightSpec[] {
    const s = this.resolved();
    return [{ name: "embeddings", shape: [s.inputDim, s.outputDim], trainable: true, initializer: embeddingInitializer }];
  }

  /** Indices arrive as float32 values: anything but an integer in `[0, inputDim)` is an error, never a silent NaN row. */
  call(input: Tensor): Tensor {
    const { inputDim } = this.resolved();
    const bad = invalidIndex(input.data, inputDim);
    if (bad !== undefined) {
      fail(
        `shapewise: embedding input ${valueText(bad.value)} at position ${valueText(positionOf(bad.index, input.shape))} is not an integer index in [0, ${inputDim}) for inputDim ${inputDim}`,
      );
    }
    return embeddingLayer(input, this.weights![0]);
  }

  /** The table's gradient gathers the output's rows by index; the indices have none. */
  override gradients(dOutput: Tensor, inputs: readonly Tensor[]): LayerGradients {
    return { inputs: [null], weights: [embeddingBackward(inputs[0], this.weights![0].shape, dOutput)] };
  }
}

registerCore("Embedding", Embedding, "embedding", EMBEDDING_OPTIONS);
