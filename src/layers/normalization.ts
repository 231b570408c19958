/**
 * Normalisation layers at run time: `BatchNormalization` and
 * `LayerNormalization` (type twin: `types/layers/normalization.ts`), and the
 * axis checks the activation and preprocessing families share.
 */
import { axesOption, knownAxes, minRank2, optionalBoolean, positiveNumber, SINGLE_AXIS_RULE, unitInterval } from "../checks.js";
import { batchNormLayer } from "../kernels/fast-elementwise.js";
import { layerNormLayer } from "../kernels/fast-sequence.js";
import type { Tensor } from "../kernels/tensor.js";
import { ConfiguredLayer, product, sampleElements } from "./layer.js";
import type { LayerCost, LayerGradients, TrainingCall, WeightSpec } from "./layer.js";
import { batchNormIndex, layerNormIndex, normalizeBackward, normalizeTraining } from "../kernels/norm-backward.js";
import { batchNormInference } from "../kernels/norm-batch.js";
import type { NormSaved } from "../kernels/norm-backward.js";
import type { BatchNormWeights } from "../kernels/norm-batch.js";
import type { Shape } from "../shape.js";
import type { AxesRule } from "../checks.js";
import { layerRegistrar } from "./registry.js";
import * as keras from "../io/keras/json-writers.js";
import * as tfjs from "../io/tfjs/config-writers.js";
import * as onnx from "../io/onnx/mappings.js";

const registerNormalization = layerRegistrar("normalization", { tfjs, keras, onnx });

/**
 * The axes rule of `layerNormalization`: one non-batch axis or a list of them.
 *
 * @example
 * axesOption("layerNormalization", "axis", [null, 10, 64], [-1, 1], NORM_AXES_RULE); // [2, 1]
 */
export const NORM_AXES_RULE: AxesRule = { list: true, lowest: 1, negative: true, empty: false, repeats: false, what: "an integer or a list of integers" };

/**
 * What the two normalisations share: options read when the layer is
 * applied, `center` and `scale` (both on by default) and the rank check, in
 * the order both check them, and the settings those give.
 */
abstract class NormalizationLayer<Settings> extends ConfiguredLayer {
  protected override readonly keepsSizes = true;
  protected settings: Settings | undefined;

  constructor(className: string, method: string, config: unknown, options: readonly string[]) {
    super(className, method, config, options);
    // Keras 3's beta_regularizer and gamma_regularizer.
    this.readRegularizers(method, this.config, { betaRegularizer: "beta", gammaRegularizer: "gamma" });
  }

  /** `center`, `scale`, the rank, then the normalised axes (`axis`, -1 by default) and their sizes: the first checks of both. */
  protected normalised(inputShape: Shape, rule: AxesRule): { center: boolean; scale: boolean; axes: number[]; sizes: number[] } {
    const { method, config: cfg } = this;
    const center = optionalBoolean(method, "center", cfg.center, true);
    const scale = optionalBoolean(method, "scale", cfg.scale, true);
    minRank2(method, inputShape);
    const axes = axesOption(method, "axis", inputShape, cfg.axis === undefined ? -1 : cfg.axis, rule);
    return { center, scale, axes, sizes: knownAxes(method, inputShape, axes, "to size its weights") };
  }

  protected resolved(): Settings {
    if (this.settings === undefined) this.computeOutputShape(this.builtInputShape());
    return this.settings!;
  }
}

const BATCH_NORM_OPTIONS = ["axis", "momentum", "epsilon", "center", "scale", "betaRegularizer", "gammaRegularizer", "name"];

/** What both normalisations settle when applied. */
interface NormSettings {
  epsilon: number;
  center: boolean;
  scale: boolean;
}

interface BatchNormSettings extends NormSettings {
  axis: number;
  channels: number;
  momentum: number;
}

/**
 * Batch normalisation (Keras `BatchNormalization`); `predict` uses the moving
 * statistics, as Keras does with `training=False`. Weights, in Keras order:
 * `gamma` (ones), `beta` (zeros), `moving_mean` (zeros), `moving_variance`
 * (ones); the last two are not trainable.
 *
 * @example
 * new BatchNormalization({}).apply([null, 28, 28, 32]); // [null, 28, 28, 32], 128 weights
 */
export class BatchNormalization extends NormalizationLayer<BatchNormSettings> {
  readonly className = "BatchNormalization";

  constructor(config?: unknown) {
    super("BatchNormalization", "batchNormalization", config, BATCH_NORM_OPTIONS);
  }

  computeOutputShape(inputShape: Shape): Shape {
    const cfg = this.config;
    const {
      center,
      scale,
      axes: [axis],
      sizes: [channels],
    } = this.normalised(inputShape, SINGLE_AXIS_RULE);
    const momentum = unitInterval("batchNormalization", "momentum", cfg.momentum, 0.99);
    const epsilon = positiveNumber("batchNormalization", "epsilon", cfg.epsilon, 1e-3);
    this.settings = { axis, channels, momentum, epsilon, center, scale };
    return inputShape;
  }

  /** `axis` as given (`-1` by default), as Keras keeps it in its config. */
  override getConfig(): Record<string, unknown> {
    const s = this.resolved();
    const axis = this.config.axis === undefined ? -1 : this.config.axis;
    return { axis, momentum: s.momentum, epsilon: s.epsilon, center: s.center, scale: s.scale, ...this.regularizerConfig(), name: this.name };
  }

  override weightSpecs(): WeightSpec[] {
    const s = this.resolved();
    const shape = [s.channels];
    const specs: WeightSpec[] = [];
    if (s.scale) specs.push({ name: "gamma", shape, trainable: true, initializer: "ones" });
    if (s.center) specs.push({ name: "beta", shape, trainable: true, initializer: "zeros" });
    specs.push({ name: "moving_mean", shape, trainable: false, initializer: "zeros" });
    specs.push({ name: "moving_variance", shape, trainable: false, initializer: "ones" });
    return specs;
  }

  /** Per sample: the moving statistics fold into one scale and one shift per element (2 per element). */
  override cost(_inputShapes: readonly Shape[], outputShapes: readonly Shape[]): LayerCost {
    return { macs: 0, ops: product(sampleElements(outputShapes[0]), 2) };
  }

  call(input: Tensor): Tensor {
    const { axis, weights } = this.inferenceWeights();
    return batchNormLayer(input, axis, weights);
  }

  /**
   * The axis and weights inference normalises with (the moving
   * statistics), which a forward pass may fold into the product before it.
   *
   * @example
   * ```ts
   * bn.inferenceWeights(); // { axis: 3, weights: { gamma, beta, movingMean, movingVariance, epsilon: 0.001 } }
   * ```
   */
  inferenceWeights(): { axis: number; weights: BatchNormWeights } {
    const s = this.resolved();
    const w = this.weights!.map((t) => t.data);
    const gamma = s.scale ? w.shift()! : null;
    const beta = s.center ? w.shift()! : null;
    const [movingMean, movingVariance] = w;
    return { axis: s.axis, weights: { gamma, beta, movingMean, movingVariance, epsilon: s.epsilon } };
  }

  /**
   * Keras 3 in training: normalised by the batch's own mean and biased
   * variance per channel, and the moving statistics move towards them by
   * `1 - momentum`.
   */
  override callTraining(inputs: readonly Tensor[]): TrainingCall {
    // Keras 3: a frozen batch normalisation runs in inference mode, on its moving statistics.
    if (!this.trainable) return { output: this.call(inputs[0]) };
    const s = this.resolved();
    const w = this.weights!.map((t) => t.data);
    const gamma = s.scale ? w.shift()! : null;
    const beta = s.center ? w.shift()! : null;
    const [movingMean, movingVariance] = w;
    const { output, saved } = normalizeTraining(inputs[0], batchNormIndex(inputs[0].shape, s.axis), gamma, beta, s.epsilon);
    const moved = (moving: Float32Array, batch: Float64Array) => Float32Array.from(moving, (v, c) => v * s.momentum + batch[c] * (1 - s.momentum));
    const at = (s.scale ? 1 : 0) + (s.center ? 1 : 0);
    return {
      output,
      saved,
      updates: [
        { index: at, value: moved(movingMean, saved.mean) },
        { index: at + 1, value: moved(movingVariance, saved.variance) },
      ],
    };
  }

  override gradients(dOutput: Tensor, _inputs: readonly Tensor[], _output: Tensor, saved: unknown): LayerGradients {
    const s = this.resolved();
    const gamma = s.scale ? this.weights![0].data : null;
    if (saved === undefined) return { inputs: [frozenBatchNormBackward(this.weights!, s, dOutput)], weights: this.weightSpecs().map(() => null) };
    const g = normalizeBackward(saved as NormSaved, gamma, dOutput);
    const shape = [s.channels];
    const weights: (Tensor | null)[] = [];
    if (s.scale) weights.push({ shape, data: g.gamma });
    if (s.center) weights.push({ shape, data: g.beta });
    return { inputs: [g.input], weights: [...weights, null, null] };
  }
}

registerNormalization("BatchNormalization", BatchNormalization, "batchNormalization", BATCH_NORM_OPTIONS);

/** The gradient of inference-mode batch normalisation: the output's times `gamma / sqrt(moving_variance + epsilon)` per channel. */
function frozenBatchNormBackward(weights: readonly Tensor[], s: BatchNormSettings, dOutput: Tensor): Tensor {
  return batchNormInference(dOutput, s.axis, {
    gamma: s.scale ? weights[0].data : null,
    beta: null,
    movingMean: new Float32Array(s.channels),
    movingVariance: weights[weights.length - 1].data,
    epsilon: s.epsilon,
  });
}

const LAYER_NORM_OPTIONS = ["axis", "epsilon", "center", "scale", "betaRegularizer", "gammaRegularizer", "name"];

interface LayerNormSettings extends NormSettings {
  axes: number[];
  sizes: number[];
}

/**
 * Layer normalisation (Keras `LayerNormalization`) over `axis` (default -1):
 * `gamma` (ones) and `beta` (zeros) have the sizes of those axes, in the
 * order given.
 *
 * @example
 * new LayerNormalization({ axis: [1, 2] }).apply([null, 10, 64]); // [null, 10, 64], 1280 weights
 */
export class LayerNormalization extends NormalizationLayer<LayerNormSettings> {
  readonly className = "LayerNormalization";

  constructor(config?: unknown) {
    super("LayerNormalization", "layerNormalization", config, LAYER_NORM_OPTIONS);
  }

  computeOutputShape(inputShape: Shape): Shape {
    const cfg = this.config;
    const { center, scale, axes, sizes } = this.normalised(inputShape, NORM_AXES_RULE);
    const epsilon = positiveNumber("layerNormalization", "epsilon", cfg.epsilon, 1e-3);
    this.settings = { axes, sizes, epsilon, center, scale };
    return inputShape;
  }

  /** `axis` as given (`-1` by default; a list stays a list). */
  override getConfig(): Record<string, unknown> {
    const s = this.resolved();
    const axis = this.config.axis === undefined ? -1 : Array.isArray(this.config.axis) ? [...this.config.axis] : this.config.axis;
    return { axis, epsilon: s.epsilon, center: s.center, scale: s.scale, ...this.regularizerConfig(), name: this.name };
  }

  override weightSpecs(): WeightSpec[] {
    const s = this.resolved();
    const specs: WeightSpec[] = [];
    if (s.scale) specs.push({ name: "gamma", shape: s.sizes, trainable: true, initializer: "ones" });
    if (s.center) specs.push({ name: "beta", shape: s.sizes, trainable: true, initializer: "zeros" });
    return specs;
  }

  /**
   * Per sample, per element: an addition for the mean, a subtraction, a
   * square and an addition for the variance, a multiplication to normalise
   * (5), then one each for `scale` and `center`.
   */
  override cost(_inputShapes: readonly Shape[], outputShapes: readonly Shape[]): LayerCost {
    const s = this.resolved();
    return { macs: 0, ops: product(sampleElements(outputShapes[0]), 5 + (s.scale ? 1 : 0) + (s.center ? 1 : 0)) };
  }

  call(input: Tensor): Tensor {
    const s = this.resolved();
    const w = this.weights!.map((t) => t.data);
    const gamma = s.scale ? w.shift()! : null;
    const beta = s.center ? w.shift()! : null;
    return layerNormLayer(input, s.axes, { gamma, beta, epsilon: s.epsilon });
  }

  override callTraining(inputs: readonly Tensor[]): TrainingCall {
    const s = this.resolved();
    const w = (this.weights ?? []).map((t) => t.data);
    const gamma = s.scale ? w.shift()! : null;
    const beta = s.center ? w.shift()! : null;
    return normalizeTraining(inputs[0], layerNormIndex(inputs[0].shape, s.axes), gamma, beta, s.epsilon);
  }

  override gradients(dOutput: Tensor, _inputs: readonly Tensor[], _output: Tensor, saved: unknown): LayerGradients {
    const s = this.resolved();
    const gamma = s.scale ? this.weights![0].data : null;
    const g = normalizeBackward(saved as NormSaved, gamma, dOutput);
    const weights: Tensor[] = [];
    if (s.scale) weights.push({ shape: [...s.sizes], data: g.gamma });
    if (s.center) weights.push({ shape: [...s.sizes], data: g.beta });
    return { inputs: [g.input], weights };
  }
}

registerNormalization("LayerNormalization", LayerNormalization, "layerNormalization", LAYER_NORM_OPTIONS);
