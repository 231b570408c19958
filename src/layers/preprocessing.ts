/**
 * Preprocessing layers at run time: `Rescaling`, `Normalization`,
 * `Resizing`, `CenterCrop` (type twin: `types/layers/preprocessing.ts`).
 */
import {
  axesOption,
  configObject,
  exactRank,
  fail,
  finiteNumber,
  knownAxes,
  minRank2,
  oneOf,
  optionalBoolean,
  optionalName,
  positiveCount,
  SINGLE_AXIS_RULE,
  valueText,
} from "../checks.js";
import { rescaleLayer, standardizeLayer } from "../kernels/fast-norms.js";
import { rescale, standardize } from "../kernels/preprocess-elementwise.js";
import type { Standardization } from "../kernels/preprocess-elementwise.js";
import { centerCropLayer, resizeLayer, resizeToAspectLayer } from "../kernels/fast-copy.js";
import type { ResizeMethod } from "../kernels/preprocess-image.js";
import type { Tensor } from "../kernels/tensor.js";
import { layerNames } from "../naming.js";
import { ConfiguredLayer, Layer, product, sampleElements } from "./layer.js";
import type { LayerCost, LayerGradients, WeightSpec } from "./layer.js";
import { gatherBackward } from "../kernels/gather-backward.js";
import { resizeImagesBackward, resizeToAspectBackward } from "../kernels/preprocess-image-backward.js";
import type { Shape } from "../shape.js";
import { notInTfjs, layerRegistrar } from "./registry.js";
import * as keras from "../io/keras/json-writers.js";
import * as tfjs from "../io/tfjs/config-writers.js";
import * as onnx from "../io/onnx/mappings.js";

const registerPreprocessing = layerRegistrar("preprocessing", { tfjs, keras, onnx });

/**
 * `x * scale + offset` (Keras `Rescaling`), in float32 as Keras computes it.
 *
 * @example
 * new Rescaling({ scale: 1 / 255 }).apply([null, 28, 28, 1]); // [null, 28, 28, 1]
 */
export class Rescaling extends Layer {
  readonly className = "Rescaling";
  readonly scale: number;
  readonly offset: number;

  constructor(config: unknown) {
    const cfg = configObject("rescaling", config, ["scale", "offset", "name"]);
    const scale = finiteNumber("rescaling", "scale", cfg.scale);
    const offset = finiteNumber("rescaling", "offset", cfg.offset, 0);
    super(layerNames("Rescaling", optionalName("rescaling", cfg.name)));
    this.scale = scale;
    this.offset = offset;
  }

  computeOutputShape(inputShape: Shape): Shape {
    return inputShape;
  }

  override getConfig(): Record<string, unknown> {
    return { scale: this.scale, offset: this.offset, name: this.name };
  }

  /** Per sample: one multiplication and one addition per element. */
  override cost(_inputShapes: readonly Shape[], outputShapes: readonly Shape[]): LayerCost {
    return { macs: 0, ops: product(sampleElements(outputShapes[0]), 2) };
  }

  call(input: Tensor): Tensor {
    return rescaleLayer(input, this.scale, this.offset);
  }

  /** The gradient is the output gradient times `scale`: the same kernel without the offset. */
  override gradients(dOutput: Tensor): LayerGradients {
    return { inputs: [rescale(dOutput, this.scale, 0)], weights: [] };
  }
}

registerPreprocessing("Rescaling", Rescaling, "rescaling", ["scale", "offset", "name"]);

/** How a statistic reads in messages, as the types print it. */
function statText(v: readonly number[] | number): string {
  return typeof v === "number" ? "a number" : `${v.length} values`;
}

/** Reads `mean` or `variance`: a finite number or a list of them. */
function statistic(key: string, value: unknown): number | number[] {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (Array.isArray(value) && value.every((v) => typeof v === "number" && Number.isFinite(v))) return value as number[];
  return fail(`shapewise: normalization ${key} must be a finite number or a list of them, got ${valueText(value)}`);
}

interface NormalizationSettings {
  axis: number | null;
  /** The given statistics; `undefined` in the adaptable form, whose statistics are its weights. */
  given: { mean: number[]; variance: number[] } | undefined;
  invert: boolean;
  /** Positions of `axis` (1 when it is null): the length of each statistic. */
  positions: number;
}

/** Whether a `normalization` config gives its statistics: both, neither (the adaptable form), or one alone (an error). */
function givenStatistics(cfg: Record<string, unknown>): boolean {
  const hasMean = cfg.mean !== undefined;
  const hasVariance = cfg.variance !== undefined;
  if (hasMean !== hasVariance) {
    fail(`shapewise: normalization needs both mean and variance, or neither to adapt them from data, got ${hasMean ? "mean" : "variance"} alone`);
  }
  return hasMean;
}

/**
 * Standardisation per position of `axis` (default -1; `null` for one pair
 * overall) as Keras `Normalization` computes it: `(x - mean) /
 * max(sqrt(variance), 1e-7)`, or the inverse with `invert`. Given `mean` and
 * `variance`, Keras keeps them as constants and the layer has no weights.
 * Without them it is Keras's adaptable form: three non-trainable weights,
 * `mean` and `variance` (one value per position, initially 0 and 1) and
 * `count` (a scalar Keras keeps for older files), 2n + 1 parameters for n
 * positions, set from data by {@link Normalization.adapt} or read from a file.
 *
 * @example
 * new Normalization({ mean: [0.5, 0.4, 0.3], variance: [0.1, 0.1, 0.2] }).apply([null, 28, 28, 3]); // no weights
 * new Normalization({ axis: -1 }).apply([null, 4]); // weights mean [4], variance [4], count []: 9 parameters
 */
export class Normalization extends ConfiguredLayer {
  readonly className = "Normalization";
  private settings: NormalizationSettings | undefined;

  constructor(config: unknown) {
    super("Normalization", "normalization", config, ["mean", "variance", "axis", "invert", "name"]);
  }

  computeOutputShape(inputShape: Shape): Shape {
    const cfg = this.config;
    const invert = optionalBoolean("normalization", "invert", cfg.invert, false);
    const given = givenStatistics(cfg);
    const mean = given ? statistic("mean", cfg.mean) : undefined;
    const variance = given ? statistic("variance", cfg.variance) : undefined;
    let axis: number | null = null;
    let size: number | null = null;
    if (cfg.axis !== null) {
      minRank2("normalization", inputShape);
      [axis] = axesOption("normalization", "axis", inputShape, cfg.axis === undefined ? -1 : cfg.axis, { ...SINGLE_AXIS_RULE, what: "an integer or null" });
      [size] = knownAxes("normalization", inputShape, [axis], "to broadcast its statistics");
    }
    const positions = axis === null ? 1 : (size as number);
    if (mean === undefined || variance === undefined) {
      this.settings = { axis, invert, given: undefined, positions };
      return inputShape;
    }
    const sameShape = typeof mean === "number" ? typeof variance === "number" : typeof variance !== "number" && variance.length === mean.length;
    if (!sameShape) fail(`shapewise: normalization mean and variance must have the same shape, got ${statText(mean)} and ${statText(variance)}`);
    if (typeof mean !== "number") {
      if (axis === null) fail(`shapewise: normalization mean must be a number when axis is null, got ${statText(mean)}`);
      if (mean.length !== 1 && mean.length !== size) {
        fail(`shapewise: normalization mean has ${statText(mean)}, but axis ${axis} of input ${valueText(inputShape)} has size ${size}`);
      }
    }
    const negative = (typeof variance === "number" ? [variance] : variance).find((v) => v < 0);
    if (negative !== undefined) fail(`shapewise: normalization variance must not be negative, got ${valueText(negative)}`);
    this.settings = {
      axis,
      invert,
      positions,
      given: {
        mean: typeof mean === "number" ? [mean] : mean,
        variance: typeof variance === "number" ? [variance] : variance,
      },
    };
    return inputShape;
  }

  private built(): NormalizationSettings {
    if (this.settings === undefined) this.computeOutputShape(this.builtInputShape());
    return this.settings!;
  }

  /** Whether the statistics are weights to adapt (no `mean` and `variance` given). */
  isAdaptable(): boolean {
    return this.config.mean === undefined && this.config.variance === undefined;
  }

  /** The adaptable form's `mean`, `variance` (Keras's initial 0 and 1) and `count` (Keras's int scalar); none otherwise. */
  override weightSpecs(): WeightSpec[] {
    if (!this.isAdaptable()) return [];
    const s = this.built();
    const shape = s.axis === null ? [] : [s.positions];
    return [
      { name: "mean", shape, trainable: false, initializer: "zeros" },
      { name: "variance", shape, trainable: false, initializer: "ones" },
      { name: "count", shape: [], trainable: false, initializer: "zeros", dtype: "int64" },
    ];
  }

  /** `mean` and `variance` as given (a number or a list; absent in the adaptable form), `axis` as given (`-1` by default, `null` for none). */
  override getConfig(): Record<string, unknown> {
    const s = this.built();
    const copy = (v: unknown) => (Array.isArray(v) ? [...v] : v);
    const cfg = this.config;
    const axis = cfg.axis === undefined ? -1 : cfg.axis;
    if (s.given === undefined) return { axis, invert: s.invert, name: this.name };
    return { mean: copy(cfg.mean), variance: copy(cfg.variance), axis, invert: s.invert, name: this.name };
  }

  /** Per sample: one subtraction and one division per element. */
  override cost(_inputShapes: readonly Shape[], outputShapes: readonly Shape[]): LayerCost {
    return { macs: 0, ops: product(sampleElements(outputShapes[0]), 2) };
  }

  /** The statistics the forward pass uses: the given ones, or the adaptable form's weights. */
  statistics(): Standardization {
    const s = this.built();
    if (s.given !== undefined) return { axis: s.axis, invert: s.invert, ...s.given };
    const [mean, variance] = this.weights!;
    return { axis: s.axis, invert: s.invert, mean: Array.from(mean.data), variance: Array.from(variance.data) };
  }

  call(input: Tensor): Tensor {
    return standardizeLayer(input, this.statistics());
  }

  /**
   * Sets the adaptable form's `mean` and `variance` from data as Keras's
   * `adapt` does: over every axis but `axis` (the batch axis included), the
   * mean and the population variance (numpy's `var`, no correction), computed
   * in float64 and stored in float32. `data` is one batch of the layer's
   * input, or a list of batches whose statistics are those of all of them
   * together. `count` stays as it is, as Keras 3's `adapt` leaves it.
   *
   * @example
   * layer.adapt(tensor([4, 3], [0, 7, 4, 2, 9, 6, 0, 7, 4, 2, 9, 6])); // mean [1, 8, 5], variance [1, 1, 1]
   */
  adapt(data: Tensor | readonly Tensor[]): void {
    if (!this.isAdaptable()) {
      fail(
        `shapewise: layer '${this.name}' (Normalization) was given its mean and variance, so there is nothing to adapt; leave them out to adapt them from data`,
      );
    }
    const s = this.built();
    const inputShape = this.builtInputShape();
    const batches = Array.isArray(data) ? (data as readonly Tensor[]) : [data as Tensor];
    if (batches.length === 0) fail(`shapewise: layer '${this.name}' (Normalization) cannot adapt to an empty list of batches`);
    for (const b of batches) {
      const fits = b !== null && typeof b === "object" && Array.isArray(b.shape) && b.data instanceof Float32Array;
      const shape = fits ? b.shape : undefined;
      const sameRank = shape !== undefined && shape.length === inputShape.length;
      const sameAxis = sameRank && (s.axis === null || shape[s.axis] === s.positions);
      if (!sameAxis) {
        fail(
          `shapewise: layer '${this.name}' (Normalization) adapts to data of its input shape ${valueText(inputShape)}, got ${shape === undefined ? valueText(b) : valueText(shape)}`,
        );
      }
      const bad = b.data.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) fail(`shapewise: layer '${this.name}' (Normalization) cannot adapt to data holding ${b.data[bad]} (at index ${bad})`);
    }
    const sums = new Float64Array(s.positions);
    const counts = new Float64Array(s.positions);
    const positionOf = (b: Tensor): ((i: number) => number) => {
      if (s.axis === null) return () => 0;
      let inner = 1;
      for (let d = s.axis + 1; d < b.shape.length; d++) inner *= b.shape[d];
      return (i) => Math.floor(i / inner) % s.positions;
    };
    for (const b of batches) {
      const at = positionOf(b);
      for (let i = 0; i < b.data.length; i++) {
        sums[at(i)] += b.data[i];
        counts[at(i)] += 1;
      }
    }
    if (counts.some((c) => c === 0)) fail(`shapewise: layer '${this.name}' (Normalization) cannot adapt to data with no samples`);
    const means = sums.map((t, p) => t / counts[p]);
    const squares = new Float64Array(s.positions);
    for (const b of batches) {
      const at = positionOf(b);
      for (let i = 0; i < b.data.length; i++) {
        const d = b.data[i] - means[at(i)];
        squares[at(i)] += d * d;
      }
    }
    const shape = s.axis === null ? [] : [s.positions];
    const [, , count] = this.weights!;
    this.weights = [
      { shape: [...shape], data: Float32Array.from(means) },
      { shape: [...shape], data: Float32Array.from(squares, (q, p) => q / counts[p]) },
      count,
    ];
  }

  /** Affine per position: the gradient is the same kernel with a zero mean applied to the output gradient; the statistics get none. */
  override gradients(dOutput: Tensor): LayerGradients {
    return { inputs: [standardize(dOutput, { ...this.statistics(), mean: [0] })], weights: this.weightSpecs().map(() => null) };
  }
}

registerPreprocessing("Normalization", Normalization, "normalization", ["mean", "variance", "axis", "invert", "name"], { formats: notInTfjs("Normalization") });

const INTERPOLATIONS: readonly ResizeMethod[] = ["bilinear", "nearest"];
const IMAGE_LAYOUT = "[batch, height, width, channels]";

interface ImageSettings {
  height: number;
  width: number;
}

/** Rank and target size, the checks `resizing` and `centerCrop` share, in the types' order. */
function imageTarget(method: string, inputShape: Shape, config: Record<string, unknown>): ImageSettings {
  exactRank(method, inputShape, 4, IMAGE_LAYOUT);
  return { height: positiveCount(method, "height", config.height), width: positiveCount(method, "width", config.width) };
}

/**
 * Resizes image batches (Keras `Resizing`): bilinear (default) or nearest,
 * with Keras 3's half-pixel sampling; `cropToAspectRatio` first crops the
 * largest centred window of the target aspect ratio.
 *
 * @example
 * new Resizing({ height: 64, width: 64 }).apply([null, 32, 48, 3]); // [null, 64, 64, 3]
 */
export class Resizing extends ConfiguredLayer {
  readonly className = "Resizing";
  private settings: (ImageSettings & { interpolation: ResizeMethod; cropToAspectRatio: boolean }) | undefined;

  constructor(config: unknown) {
    super("Resizing", "resizing", config, ["height", "width", "interpolation", "cropToAspectRatio", "name"]);
  }

  computeOutputShape(inputShape: Shape): Shape {
    const cfg = this.config;
    const interpolation = cfg.interpolation === undefined ? "bilinear" : oneOf("resizing", "interpolation", cfg.interpolation, INTERPOLATIONS);
    const cropToAspectRatio = optionalBoolean("resizing", "cropToAspectRatio", cfg.cropToAspectRatio, false);
    const target = imageTarget("resizing", inputShape, cfg);
    this.settings = { ...target, interpolation, cropToAspectRatio };
    return [inputShape[0], target.height, target.width, inputShape[3]];
  }

  override getConfig(): Record<string, unknown> {
    if (this.settings === undefined) this.computeOutputShape(this.builtInputShape());
    const s = this.settings!;
    return { height: s.height, width: s.width, interpolation: s.interpolation, cropToAspectRatio: s.cropToAspectRatio, name: this.name };
  }

  /** Per sample: each output element weighs its neighbours: 4 for bilinear, none for nearest (a copy). */
  override cost(_inputShapes: readonly Shape[], outputShapes: readonly Shape[]): LayerCost {
    return { macs: 0, ops: this.settings?.interpolation === "nearest" ? 0 : product(sampleElements(outputShapes[0]), 4) };
  }

  call(input: Tensor): Tensor {
    if (this.settings === undefined) this.computeOutputShape(this.builtInputShape());
    const s = this.settings!;
    return s.cropToAspectRatio ? resizeToAspectLayer(input, s.height, s.width, s.interpolation) : resizeLayer(input, s.height, s.width, s.interpolation);
  }

  /** Nearest resizing only moves values; a bilinear one runs the resize's transpose (after the crop's, with `cropToAspectRatio`). */
  override gradients(dOutput: Tensor, inputs: readonly Tensor[]): LayerGradients {
    if (this.settings === undefined) this.computeOutputShape(this.builtInputShape());
    const s = this.settings!;
    if (s.interpolation === "nearest") return { inputs: gatherBackward(this, (xs) => this.call(xs[0]), inputs, dOutput), weights: [] };
    const dx = s.cropToAspectRatio
      ? resizeToAspectBackward(dOutput, inputs[0].shape, s.interpolation)
      : resizeImagesBackward(dOutput, inputs[0].shape, s.interpolation);
    return { inputs: [dx], weights: [] };
  }
}

registerPreprocessing("Resizing", Resizing, "resizing", ["height", "width", "interpolation", "cropToAspectRatio", "name"], { formats: notInTfjs("Resizing") });

/**
 * Crops the centre of image batches (Keras `CenterCrop`); an image smaller
 * than the target along either axis is cropped to the target aspect ratio and
 * resized instead, as Keras 3 does.
 *
 * @example
 * new CenterCrop({ height: 24, width: 24 }).apply([null, 32, 32, 3]); // [null, 24, 24, 3]
 */
export class CenterCrop extends ConfiguredLayer {
  readonly className = "CenterCrop";
  private settings: ImageSettings | undefined;

  constructor(config: unknown) {
    super("CenterCrop", "centerCrop", config, ["height", "width", "name"]);
  }

  computeOutputShape(inputShape: Shape): Shape {
    const target = imageTarget("centerCrop", inputShape, this.config);
    this.settings = target;
    return [inputShape[0], target.height, target.width, inputShape[3]];
  }

  override getConfig(): Record<string, unknown> {
    if (this.settings === undefined) this.computeOutputShape(this.builtInputShape());
    return { height: this.settings!.height, width: this.settings!.width, name: this.name };
  }

  call(input: Tensor): Tensor {
    if (this.settings === undefined) this.computeOutputShape(this.builtInputShape());
    return centerCropLayer(input, this.settings!.height, this.settings!.width);
  }

  /** A crop only moves values; an image smaller than the crop runs the bilinear resize's transpose, then the aspect crop's. */
  override gradients(dOutput: Tensor, inputs: readonly Tensor[]): LayerGradients {
    if (this.settings === undefined) this.computeOutputShape(this.builtInputShape());
    const [, h, w] = inputs[0].shape;
    if (h >= this.settings!.height && w >= this.settings!.width)
      return { inputs: gatherBackward(this, (xs) => this.call(xs[0]), inputs, dOutput), weights: [] };
    return { inputs: [resizeToAspectBackward(dOutput, inputs[0].shape, "bilinear")], weights: [] };
  }
}

registerPreprocessing("CenterCrop", CenterCrop, "centerCrop", ["height", "width", "name"], { formats: notInTfjs("CenterCrop") });
