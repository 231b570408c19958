/**
 * Regularisation layers at run time: `Dropout`, `SpatialDropout1D`,
 * `SpatialDropout2D`, `SpatialDropout3D`, `GaussianNoise`, `GaussianDropout`,
 * `AlphaDropout`, `ActivityRegularization` (type twin:
 * `types/layers/regularization.ts`). `predict` runs inference only, where all
 * of them pass their input through; what they check is their options.
 *
 * The number-range checks here are shared with the other layer families.
 */
import { configObject, exactRank, fail, nonNegative, optionalName, unitInterval, valueText } from "../checks.js";
import type { Tensor } from "../kernels/tensor.js";
import type { Random } from "../kernels/random.js";
import { layerNames } from "../naming.js";
import { ConfiguredLayer, Layer } from "./layer.js";
import type { LayerGradients, TrainingCall, TrainingContext } from "./layer.js";
import { alphaDropout, broadcastFactors, dropoutFactors, gaussianFactors, normalDraw, scaled } from "../kernels/dropout-backward.js";
import type { Regularizer } from "../regularizers.js";
import type { DataFormat, Shape } from "../shape.js";
import { dataFormatOption } from "../shape.js";
import { notInTfjs, layerRegistrar, variantsOf } from "./registry.js";
import * as keras from "../io/keras/json-writers.js";
import * as tfjs from "../io/tfjs/config-writers.js";
import * as onnx from "../io/onnx/mappings.js";

const registerRegularization = layerRegistrar("regularization", { tfjs, keras, onnx });

/** Checks a dropout rate in `[0, 1)`: one sentence for every bad value, as `dropout` always gave. */
function dropoutRate(method: string, rate: unknown): number {
  if (typeof rate !== "number" || !(rate >= 0 && rate < 1)) {
    fail(`shapewise: ${method} rate must be at least 0 and below 1, got ${valueText(rate)}`);
  }
  return rate;
}

/** Checks an optional seed: any safe integer. */
function seedOption(method: string, seed: unknown): void {
  if (seed !== undefined && !Number.isSafeInteger(seed)) fail(`shapewise: ${method} seed must be an integer, got ${valueText(seed)}`);
}

/** `{ seed }` when a seed was given, `{}` otherwise (configs list it only when set). */
function seedConfig(seed: unknown): Record<string, unknown> {
  return seed === undefined ? {} : { seed };
}

/** What every layer here is at inference, which is all `predict` runs: the identity, sizes and names kept. */
abstract class IdentityAtInference extends Layer {
  protected override readonly keepsSizes = true;

  computeOutputShape(inputShape: Shape): Shape {
    return inputShape;
  }

  call(input: Tensor): Tensor {
    return input;
  }
}

/**
 * What the dropouts of a rate and a seed share (`Dropout`, `GaussianDropout`,
 * `AlphaDropout`): the options Keras takes, checked as `dropout` checks them,
 * the identity at inference, and a backward pass through the saved factors.
 */
abstract class RateDropout extends IdentityAtInference {
  readonly rate: number;
  private readonly seed: unknown;

  constructor(
    className: string,
    method: string,
    /** The training output at a rate above 0, and the factors the backward pass multiplies by. */
    private readonly noise: Noise,
    /** Whether inference may hand on the input's buffer as the output. */
    private readonly sharesBuffer: boolean,
    config: unknown,
  ) {
    const cfg = configObject(method, config, ["rate", "seed", "name"]);
    const rate = dropoutRate(method, cfg.rate);
    seedOption(method, cfg.seed);
    super(layerNames(className, optionalName(method, cfg.name)));
    this.rate = rate;
    this.seed = cfg.seed;
  }

  override getConfig(): Record<string, unknown> {
    return { rate: this.rate, ...seedConfig(this.seed), name: this.name };
  }

  override passesBuffer(): boolean {
    return this.sharesBuffer;
  }

  override callTraining(inputs: readonly Tensor[], context: TrainingContext): TrainingCall {
    if (this.rate === 0) return { output: inputs[0] };
    const { output, factors } = this.noise(inputs[0], this.rate, context.random);
    return { output, saved: factors };
  }

  override gradients(dOutput: Tensor, _inputs: readonly Tensor[], _output: Tensor, saved: unknown): LayerGradients {
    return { inputs: [saved === undefined ? dOutput : scaled(dOutput, saved as Float32Array)], weights: [] };
  }
}

/** A rate dropout's training noise: the output and the factors the backward pass multiplies by. */
type Noise = (input: Tensor, rate: number, random: Random) => { output: Tensor; factors: Float32Array };

/** Keras `Dropout` in training: a fraction `rate` zeroed, the rest scaled by `1 / (1 - rate)`. */
const dropoutNoise: Noise = (input, rate, random) => {
  const factors = dropoutFactors(input.data.length, rate, random);
  return { output: scaled(input, factors), factors };
};

/** Keras `GaussianDropout` in training: times `1 + sqrt(rate / (1 - rate)) * N(0, 1)`. */
const gaussianDropoutNoise: Noise = (input, rate, random) => {
  const factors = gaussianFactors(input.data.length, rate, random);
  return { output: scaled(input, factors), factors };
};

/** The dropouts of a rate and a seed: one base, by training noise. */
const rateDropout = variantsOf(registerRegularization, RateDropout, () => ["rate", "seed", "name"]);

/**
 * Randomly zeroes a fraction `rate` of its inputs while training (Keras
 * `Dropout`); at inference, which is all `predict` does, it passes data through.
 *
 * @example
 * new Dropout({ rate: 0.5 }).apply([null, 1600]); // [null, 1600]
 */
export const Dropout = rateDropout("Dropout", "dropout", [dropoutNoise, true], { onnx: onnx.identity });

/**
 * Multiplies its inputs by 1-centred Gaussian noise of deviation
 * `sqrt(rate / (1 - rate))` while training (Keras `GaussianDropout`); the
 * identity at inference. Keras accepts `rate` 1, whose deviation is
 * infinite: shapewise refuses it as `dropout` does.
 *
 * @example
 * new GaussianDropout({ rate: 0.3 }).apply([null, 64]); // [null, 64]
 */
export const GaussianDropout = rateDropout("GaussianDropout", "gaussianDropout", [gaussianDropoutNoise, false], { onnx: onnx.identity });

/**
 * Dropout that keeps the mean and variance of its inputs while training, for
 * SELU networks (Keras `AlphaDropout`); the identity at inference. Keras's
 * `noise_shape` is read from files only at its default (`null`).
 *
 * @example
 * new AlphaDropout({ rate: 0.1 }).apply([null, 64]); // [null, 64]
 */
export const AlphaDropout = rateDropout("AlphaDropout", "alphaDropout", [alphaDropout, false], { onnx: onnx.identity });

/** What the two spatial dropouts share: rank, rate and seed, checked in that order. */
abstract class SpatialDropout extends ConfiguredLayer {
  protected override readonly keepsSizes = true;

  constructor(
    className: string,
    method: string,
    private readonly rank: number,
    private readonly layout: string,
    config: unknown,
    options: readonly string[],
  ) {
    super(className, method, config, options);
  }

  /** The identity at inference, as every layer of this family. */
  call(input: Tensor): Tensor {
    return input;
  }

  override computeOutputShape(inputShape: Shape): Shape {
    exactRank(this.method, inputShape, this.rank, this.layout);
    dropoutRate(this.method, this.config.rate);
    seedOption(this.method, this.config.seed);
    return inputShape;
  }

  override getConfig(): Record<string, unknown> {
    const format = this.rank >= 4 ? { dataFormat: this.config.dataFormat === undefined ? "channelsLast" : this.config.dataFormat } : {};
    return { rate: this.config.rate, ...format, ...seedConfig(this.config.seed), name: this.name };
  }

  override passesBuffer(): boolean {
    return true;
  }

  /** Keras spatial dropout in training: one dropout factor per sample and channel, shared along the other axes. */
  override callTraining(inputs: readonly Tensor[], context: TrainingContext): TrainingCall {
    const rate = this.config.rate as number;
    if (rate === 0) return { output: inputs[0] };
    const shape = inputs[0].shape;
    const first = this.rank >= 4 && this.config.dataFormat === "channelsFirst";
    const noiseShape = shape.map((d, k) => (k === 0 || (first ? k === 1 : k === shape.length - 1) ? d : 1));
    const noise = dropoutFactors(
      noiseShape.reduce((p, d) => p * d, 1),
      rate,
      context.random,
    );
    const factors = broadcastFactors(shape, noiseShape, noise);
    return { output: scaled(inputs[0], factors), saved: factors };
  }

  override gradients(dOutput: Tensor, _inputs: readonly Tensor[], _output: Tensor, saved: unknown): LayerGradients {
    return { inputs: [saved === undefined ? dOutput : scaled(dOutput, saved as Float32Array)], weights: [] };
  }
}

/**
 * Drops whole channels of `[batch, steps, channels]` sequences while training
 * (Keras `SpatialDropout1D`); the identity at inference.
 *
 * @example
 * new SpatialDropout1D({ rate: 0.2 }).apply([null, 100, 16]); // [null, 100, 16]
 */
export class SpatialDropout1D extends SpatialDropout {
  readonly className = "SpatialDropout1D";
  constructor(config: unknown) {
    super("SpatialDropout1D", "spatialDropout1d", 3, "[batch, steps, channels]", config, ["rate", "seed", "name"]);
  }
}

registerRegularization("SpatialDropout1D", SpatialDropout1D, "spatialDropout1d", ["rate", "seed", "name"], { onnx: onnx.identity });

const FORMATTED_DROPOUT_OPTIONS = ["rate", "dataFormat", "seed", "name"];

/** The spatial dropouts of images and volumes: a `dataFormat` says which axis holds the channels. */
abstract class FormattedSpatialDropout extends SpatialDropout {
  readonly dataFormat: DataFormat;
  constructor(className: string, method: string, rank: number, layout: string, config: unknown) {
    super(className, method, rank, layout, config, FORMATTED_DROPOUT_OPTIONS);
    this.dataFormat = dataFormatOption(method, this.config.dataFormat);
  }
}

/** The spatial dropouts with a data format, by rank. */
const formattedSpatialDropout = variantsOf(registerRegularization, FormattedSpatialDropout, () => FORMATTED_DROPOUT_OPTIONS);

/**
 * Drops whole feature maps of image batches while training (Keras
 * `SpatialDropout2D`); the identity at inference.
 *
 * @example
 * new SpatialDropout2D({ rate: 0.2 }).apply([null, 28, 28, 32]); // [null, 28, 28, 32]
 */
export const SpatialDropout2D = formattedSpatialDropout(
  "SpatialDropout2D",
  "spatialDropout2d",
  [4, "[batch, height, width, channels] or [batch, channels, height, width]"],
  { inTfjs: false, onnx: onnx.identity },
);

/**
 * Drops whole feature volumes of a batch of volumes while training (Keras
 * `SpatialDropout3D`); the identity at inference.
 *
 * @example
 * new SpatialDropout3D({ rate: 0.2 }).apply([null, 8, 16, 16, 4]); // [null, 8, 16, 16, 4]
 */
export const SpatialDropout3D = formattedSpatialDropout(
  "SpatialDropout3D",
  "spatialDropout3d",
  [5, "[batch, depth, height, width, channels] or [batch, channels, depth, height, width]"],
  { inTfjs: false, onnx: onnx.identity },
);

/**
 * Adds zero-mean Gaussian noise while training (Keras `GaussianNoise`, whose
 * `stddev` must lie in `[0, 1]`); the identity at inference.
 *
 * @example
 * new GaussianNoise({ stddev: 0.1 }).apply([null, 64]); // [null, 64]
 */
export class GaussianNoise extends IdentityAtInference {
  readonly className = "GaussianNoise";
  readonly stddev: number;
  private readonly seed: unknown;

  constructor(config: unknown) {
    const cfg = configObject("gaussianNoise", config, ["stddev", "seed", "name"]);
    const stddev = unitInterval("gaussianNoise", "stddev", cfg.stddev);
    seedOption("gaussianNoise", cfg.seed);
    super(layerNames("GaussianNoise", optionalName("gaussianNoise", cfg.name)));
    this.stddev = stddev;
    this.seed = cfg.seed;
  }

  override getConfig(): Record<string, unknown> {
    return { stddev: this.stddev, ...seedConfig(this.seed), name: this.name };
  }

  override passesBuffer(): boolean {
    return true;
  }

  /** Keras `GaussianNoise` in training: plus `stddev * N(0, 1)` per element. */
  override callTraining(inputs: readonly Tensor[], context: TrainingContext): TrainingCall {
    const x = inputs[0];
    if (this.stddev === 0) return { output: x };
    const out = new Float32Array(x.data.length);
    for (let i = 0; i < out.length; i++) out[i] = x.data[i] + this.stddev * normalDraw(context.random);
    return { output: { shape: [...x.shape], data: out } };
  }

  override gradients(dOutput: Tensor): LayerGradients {
    return { inputs: [dOutput], weights: [] };
  }
}

registerRegularization("GaussianNoise", GaussianNoise, "gaussianNoise", ["stddev", "seed", "name"], { onnx: onnx.identity });

/**
 * Adds `l1 * sum(|x|) + l2 * sum(x^2)`, divided by the batch size, to the
 * loss in training and in `evaluate` (Keras `ActivityRegularization`: a layer
 * whose activity regulariser is `{ l1, l2 }`); the identity otherwise.
 *
 * @example
 * new ActivityRegularization({ l1: 0.01 }).apply([null, 64]); // [null, 64]
 */
export class ActivityRegularization extends IdentityAtInference {
  readonly className = "ActivityRegularization";
  readonly l1: number;
  readonly l2: number;

  constructor(config?: unknown) {
    const cfg = configObject("activityRegularization", config, ["l1", "l2", "name"]);
    const l1 = nonNegative("activityRegularization", "l1", cfg.l1, 0);
    const l2 = nonNegative("activityRegularization", "l2", cfg.l2, 0);
    super(layerNames("ActivityRegularization", optionalName("activityRegularization", cfg.name)));
    this.l1 = l1;
    this.l2 = l2;
  }

  override getConfig(): Record<string, unknown> {
    return { l1: this.l1, l2: this.l2, name: this.name };
  }

  override passesBuffer(): boolean {
    return true;
  }

  /** Keras 3 passes `L1L2(l1, l2)` to the base layer as its activity regulariser: the trainer adds it as any layer's. */
  override activityRegularizer(): Regularizer | undefined {
    return this.l1 === 0 && this.l2 === 0 ? undefined : { l1: this.l1, l2: this.l2 };
  }

  override callTraining(inputs: readonly Tensor[]): TrainingCall {
    return { output: inputs[0] };
  }

  override gradients(dOutput: Tensor): LayerGradients {
    return { inputs: [{ shape: [...dOutput.shape], data: dOutput.data }], weights: [] };
  }
}

registerRegularization("ActivityRegularization", ActivityRegularization, "activityRegularization", ["l1", "l2", "name"], {
  formats: notInTfjs("ActivityRegularization"),
  onnx: onnx.identity,
});
