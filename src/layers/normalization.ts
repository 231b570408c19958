/**
 * Normalisation layers at run time: `BatchNormalization` and
 * `LayerNormalization` (type twin: `types/layers/normalization.ts`), and the
 * axis checks the activation and preprocessing families share.
 */
import { configObject, fail, optionalBoolean, optionalName, valueText } from "../checks.js";
import type { Shape } from "../checks.js";
import { batchNormInference } from "../kernels/norm-batch.js";
import { layerNorm } from "../kernels/norm-layer.js";
import type { Tensor } from "../kernels/tensor.js";
import type { SymbolicTensorImpl } from "../symbolic-tensor.js";
import { layerNames } from "../naming.js";
import { Layer } from "./layer.js";
import type { WeightSpec } from "./layer.js";
import { positiveNumber, unitInterval } from "./regularization.js";

/**
 * Throws unless the input has an axis besides the batch one (layers sized or normalised per feature).
 *
 * @example
 * minRank2("batchNormalization", [null]); // throws "shapewise: batchNormalization expects input of rank 2 or more ..."
 */
export function minRank2(method: string, shape: Shape): void {
  if (shape.length < 2) {
    fail(`shapewise: ${method} expects input of rank 2 or more [batch, ..., features], got rank ${shape.length} ${valueText(shape)}`);
  }
}

/**
 * What an `axis`-like option may hold (twin of the type-level `AxesRule`):
 * `lowest` 1 for non-batch axes only, `negative` whether axes may count from
 * the end, `empty` whether `[]` is allowed, `repeats` whether an axis may be
 * named twice, `what` the wording of the integer rule. `list` says whether a
 * list is accepted at all (the types rule lists out where it is not).
 *
 * @example
 * const softmaxRule: AxesRule = { list: true, lowest: 0, negative: true, empty: false, repeats: false, what: "an integer or a list of integers" };
 */
export interface AxesRule {
  readonly list: boolean;
  readonly lowest: 0 | 1;
  readonly negative: boolean;
  readonly empty: boolean;
  readonly repeats: boolean;
  readonly what: string;
}

/**
 * The axes rule of `batchNormalization`, and of `normalization` (one non-batch axis).
 *
 * @example
 * axesOption("batchNormalization", "axis", [null, 16, 8, 8], 1, SINGLE_AXIS_RULE); // [1]
 */
export const SINGLE_AXIS_RULE: AxesRule = { list: false, lowest: 1, negative: true, empty: false, repeats: false, what: "an integer" };
/**
 * The axes rule of `layerNormalization`: one non-batch axis or a list of them.
 *
 * @example
 * axesOption("layerNormalization", "axis", [null, 10, 64], [-1, 1], NORM_AXES_RULE); // [2, 1]
 */
export const NORM_AXES_RULE: AxesRule = { list: true, lowest: 1, negative: true, empty: false, repeats: false, what: "an integer or a list of integers" };

/**
 * Checks an `axis`-like option against a shape, in the type level's order
 * (integers, not empty, inside the shape, no repeats), and returns the
 * normalised (non-negative) indices in the order given.
 *
 * @example
 * axesOption("layerNormalization", "axis", [null, 10, 64], [1, -1], NORM_AXES_RULE); // [1, 2]
 */
export function axesOption(method: string, key: string, shape: Shape, value: unknown, rule: AxesRule): number[] {
  const list: unknown[] = Array.isArray(value) ? value : [value];
  if ((Array.isArray(value) && !rule.list) || !list.every((a) => Number.isSafeInteger(a))) fail(`shapewise: ${method} ${key} must be ${rule.what}, got ${valueText(value)}`);
  const axes = list as number[];
  if (axes.length === 0 && !rule.empty) fail(`shapewise: ${method} ${key} must name at least one axis, got []`);
  const rank = shape.length;
  const indices = axes.map((a) => (a < 0 ? rank + a : a));
  if (axes.some((a, i) => (a < 0 && !rule.negative) || indices[i] < rule.lowest || indices[i] >= rank)) {
    const range = rule.lowest === 0 ? `-${rank} to ${rank - 1}` : rule.negative ? `1 to ${rank - 1} or -${rank - 1} to -1` : `1 to ${rank - 1}`;
    fail(`shapewise: ${method} ${key} ${valueText(value)} must name ${rule.lowest === 1 ? "non-batch " : ""}axes of input ${valueText(shape)}: ${range}`);
  }
  if (!rule.repeats) {
    const repeated = indices.find((a, i) => indices.indexOf(a, i + 1) >= 0);
    if (repeated !== undefined) fail(`shapewise: ${method} ${key} ${valueText(value)} names axis ${repeated} twice`);
  }
  return indices;
}

/**
 * Throws when one of the given axes has an unknown size, naming the first;
 * returns the sizes in the same order.
 *
 * @example
 * knownAxes("batchNormalization", [null, 8, null], [2], "to size its weights"); // throws "... needs a known size on axis 2 ..."
 */
export function knownAxes(method: string, shape: Shape, indices: readonly number[], why: string): number[] {
  return indices.map((i) => {
    const size = shape[i];
    if (size === null) fail(`shapewise: ${method} needs a known size on axis ${i} ${why}, got ${valueText(shape)}`);
    return size;
  });
}

const BATCH_NORM_OPTIONS = ["axis", "momentum", "epsilon", "center", "scale", "name"];

interface BatchNormSettings {
  axis: number;
  channels: number;
  momentum: number;
  epsilon: number;
  center: boolean;
  scale: boolean;
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
export class BatchNormalization extends Layer {
  readonly className = "BatchNormalization";
  private readonly config: Record<string, unknown>;
  private settings: BatchNormSettings | undefined;

  constructor(config?: unknown) {
    const cfg = configObject("batchNormalization", config, BATCH_NORM_OPTIONS);
    super(layerNames("BatchNormalization", optionalName("batchNormalization", cfg.name)));
    this.config = cfg;
  }

  computeOutputShape(inputShape: Shape): Shape {
    const cfg = this.config;
    const center = optionalBoolean("batchNormalization", "center", cfg.center, true);
    const scale = optionalBoolean("batchNormalization", "scale", cfg.scale, true);
    minRank2("batchNormalization", inputShape);
    const [axis] = axesOption("batchNormalization", "axis", inputShape, cfg.axis === undefined ? -1 : cfg.axis, SINGLE_AXIS_RULE);
    const [channels] = knownAxes("batchNormalization", inputShape, [axis], "to size its weights");
    const momentum = unitInterval("batchNormalization", "momentum", cfg.momentum, 0.99);
    const epsilon = positiveNumber("batchNormalization", "epsilon", cfg.epsilon, 1e-3);
    this.settings = { axis, channels, momentum, epsilon, center, scale };
    return inputShape;
  }

  private resolved(): BatchNormSettings {
    if (this.settings === undefined) this.computeOutputShape(this.builtInputShape());
    return this.settings!;
  }

  /** `axis` as given (`-1` by default), as Keras keeps it in its config. */
  override getConfig(): Record<string, unknown> {
    const s = this.resolved();
    const axis = this.config.axis === undefined ? -1 : this.config.axis;
    return { axis, momentum: s.momentum, epsilon: s.epsilon, center: s.center, scale: s.scale, name: this.name };
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

  call(input: Tensor): Tensor {
    const s = this.resolved();
    const w = this.weights!.map((t) => t.data);
    const gamma = s.scale ? w.shift()! : null;
    const beta = s.center ? w.shift()! : null;
    const [movingMean, movingVariance] = w;
    return batchNormInference(input, s.axis, { gamma, beta, movingMean, movingVariance, epsilon: s.epsilon });
  }
}

const LAYER_NORM_OPTIONS = ["axis", "epsilon", "center", "scale", "name"];

interface LayerNormSettings {
  axes: number[];
  sizes: number[];
  epsilon: number;
  center: boolean;
  scale: boolean;
}

/**
 * Layer normalisation (Keras `LayerNormalization`) over `axis` (default -1):
 * `gamma` (ones) and `beta` (zeros) have the sizes of those axes, in the
 * order given.
 *
 * @example
 * new LayerNormalization({ axis: [1, 2] }).apply([null, 10, 64]); // [null, 10, 64], 1280 weights
 */
export class LayerNormalization extends Layer {
  readonly className = "LayerNormalization";
  private readonly config: Record<string, unknown>;
  private settings: LayerNormSettings | undefined;

  constructor(config?: unknown) {
    const cfg = configObject("layerNormalization", config, LAYER_NORM_OPTIONS);
    super(layerNames("LayerNormalization", optionalName("layerNormalization", cfg.name)));
    this.config = cfg;
  }

  computeOutputShape(inputShape: Shape): Shape {
    const cfg = this.config;
    const center = optionalBoolean("layerNormalization", "center", cfg.center, true);
    const scale = optionalBoolean("layerNormalization", "scale", cfg.scale, true);
    minRank2("layerNormalization", inputShape);
    const axes = axesOption("layerNormalization", "axis", inputShape, cfg.axis === undefined ? -1 : cfg.axis, NORM_AXES_RULE);
    const sizes = knownAxes("layerNormalization", inputShape, axes, "to size its weights");
    const epsilon = positiveNumber("layerNormalization", "epsilon", cfg.epsilon, 1e-3);
    this.settings = { axes, sizes, epsilon, center, scale };
    return inputShape;
  }

  private resolved(): LayerNormSettings {
    if (this.settings === undefined) this.computeOutputShape(this.builtInputShape());
    return this.settings!;
  }

  /** `axis` as given (`-1` by default; a list stays a list). */
  override getConfig(): Record<string, unknown> {
    const s = this.resolved();
    const axis = this.config.axis === undefined ? -1 : Array.isArray(this.config.axis) ? [...this.config.axis] : this.config.axis;
    return { axis, epsilon: s.epsilon, center: s.center, scale: s.scale, name: this.name };
  }

  override weightSpecs(): WeightSpec[] {
    const s = this.resolved();
    const specs: WeightSpec[] = [];
    if (s.scale) specs.push({ name: "gamma", shape: s.sizes, trainable: true, initializer: "ones" });
    if (s.center) specs.push({ name: "beta", shape: s.sizes, trainable: true, initializer: "zeros" });
    return specs;
  }

  call(input: Tensor): Tensor {
    const s = this.resolved();
    const w = this.weights!.map((t) => t.data);
    const gamma = s.scale ? w.shift()! : null;
    const beta = s.center ? w.shift()! : null;
    return layerNorm(input, s.axes, { gamma, beta, epsilon: s.epsilon });
  }
}

/**
 * The normalisation methods of every symbolic tensor.
 *
 * @example
 * addLayerMethods(normalizationMethods); // done once by src/layer-methods.ts
 */
export const normalizationMethods = {
  batchNormalization(this: SymbolicTensorImpl, config?: unknown): SymbolicTensorImpl {
    return this.applyLayer(new BatchNormalization(config));
  },
  layerNormalization(this: SymbolicTensorImpl, config?: unknown): SymbolicTensorImpl {
    return this.applyLayer(new LayerNormalization(config));
  },
};
