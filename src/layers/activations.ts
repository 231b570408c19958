/**
 * Activation layers at run time: `ReLU`, `LeakyReLU`, `PReLU`, `ELU`,
 * `Softmax` (type twin: `types/layers/activations.ts`).
 */
import { axesOption, configObject, fail, finiteNumber, minRank2, nonNegative, optionalName, valueText } from "../checks.js";
import { elu, kerasRelu, leakyRelu, prelu, softmaxAxes } from "../kernels/activations-layers.js";
import { activationOptionsLayer, preluLayer, softmaxLayer } from "../kernels/fast-activations.js";
import { activationLayer } from "../kernels/fast-elementwise.js";
import { eluBackward, leakyReluBackward, preluBackward, reluLayerBackward, softmaxAxesBackward } from "../kernels/activations-layers-backward.js";
import type { Tensor } from "../kernels/tensor.js";
import { layerNames } from "../naming.js";
import { Layer, sampleElements } from "./layer.js";
import type { LayerCost, LayerGradients, WeightSpec } from "./layer.js";
import type { Shape } from "../shape.js";
import type { AxesRule } from "../checks.js";
import { layerRegistrar } from "./registry.js";
import * as keras from "../io/keras/json-writers.js";
import * as tfjs from "../io/tfjs/config-writers.js";
import * as onnx from "../io/onnx/mappings.js";

const registerActivations = layerRegistrar("activations", { tfjs, keras, onnx });

/** What every activation layer shares: the output has the input's shape and names, and costs one operation per element. */
abstract class ActivationLayer extends Layer {
  protected override readonly keepsSizes = true;

  computeOutputShape(inputShape: Shape): Shape {
    return inputShape;
  }

  /** Per sample: one operation per element. */
  override cost(_inputShapes: readonly Shape[], outputShapes: readonly Shape[]): LayerCost {
    return { macs: 0, ops: sampleElements(outputShapes[0]) };
  }
}

/**
 * Rectified linear unit with Keras 3's options (Keras `ReLU`): `maxValue`
 * (default none), `negativeSlope` (0), `threshold` (0), none negative.
 *
 * @example
 * new ReLU({ maxValue: 6 }).apply([null, 10]); // [null, 10]
 */
export class ReLU extends ActivationLayer {
  readonly className = "ReLU";
  readonly maxValue: number | null;
  readonly negativeSlope: number;
  readonly threshold: number;

  constructor(config?: unknown) {
    const cfg = configObject("reLU", config, ["maxValue", "negativeSlope", "threshold", "name"]);
    const maxValue = cfg.maxValue === undefined ? null : nonNegative("reLU", "maxValue", cfg.maxValue);
    const negativeSlope = nonNegative("reLU", "negativeSlope", cfg.negativeSlope, 0);
    const threshold = nonNegative("reLU", "threshold", cfg.threshold, 0);
    super(layerNames("ReLU", optionalName("reLU", cfg.name)));
    this.maxValue = maxValue;
    this.negativeSlope = negativeSlope;
    this.threshold = threshold;
  }

  /** `maxValue` appears only when set: the option takes no `null`. */
  override getConfig(): Record<string, unknown> {
    const config: Record<string, unknown> = {};
    if (this.maxValue !== null) config.maxValue = this.maxValue;
    return { ...config, negativeSlope: this.negativeSlope, threshold: this.threshold, name: this.name };
  }

  call(input: Tensor): Tensor {
    // The plain relu and relu6 (MobileNet's ReLU(6.0)) take the SIMD kernel; other options Keras's relu formula.
    const plain = this.plainActivation();
    if (plain !== null) return activationLayer(plain, input);
    return (
      activationOptionsLayer(input, { kind: "relu", negativeSlope: this.negativeSlope, maxValue: this.maxValue, threshold: this.threshold }) ??
      kerasRelu(input, this)
    );
  }

  /**
   * `"relu"` or `"relu6"` when the options make this layer exactly that
   * activation (no slope, no threshold, no cap or a cap of 6), else `null`.
   *
   * @example
   * ```ts
   * new ReLU({ maxValue: 6 }).plainActivation(); // "relu6"
   * ```
   */
  plainActivation(): "relu" | "relu6" | null {
    if (this.negativeSlope !== 0 || this.threshold !== 0) return null;
    return this.maxValue === null ? "relu" : this.maxValue === 6 ? "relu6" : null;
  }

  override gradients(dOutput: Tensor, inputs: readonly Tensor[]): LayerGradients {
    return { inputs: [reluLayerBackward(inputs[0], this, dOutput)], weights: [] };
  }
}

registerActivations("ReLU", ReLU, "reLU", ["maxValue", "negativeSlope", "threshold", "name"]);

/**
 * Leaky ReLU (Keras `LeakyReLU`): `alpha` (TF.js' name for Keras 3's
 * `negative_slope`, default 0.3, not negative) times negative inputs.
 *
 * @example
 * new LeakyReLU({ alpha: 0.1 }).apply([null, 10]); // [null, 10]
 */
export class LeakyReLU extends ActivationLayer {
  readonly className = "LeakyReLU";
  readonly alpha: number;

  constructor(config?: unknown) {
    const cfg = configObject("leakyReLU", config, ["alpha", "name"]);
    const alpha = nonNegative("leakyReLU", "alpha", cfg.alpha, 0.3);
    super(layerNames("LeakyReLU", optionalName("leakyReLU", cfg.name)));
    this.alpha = alpha;
  }

  override getConfig(): Record<string, unknown> {
    return { alpha: this.alpha, name: this.name };
  }

  call(input: Tensor): Tensor {
    return activationOptionsLayer(input, { kind: "leaky", alpha: this.alpha }) ?? leakyRelu(input, this.alpha);
  }

  override gradients(dOutput: Tensor, inputs: readonly Tensor[]): LayerGradients {
    return { inputs: [leakyReluBackward(inputs[0], this.alpha, dOutput)], weights: [] };
  }
}

registerActivations("LeakyReLU", LeakyReLU, "leakyReLU", ["alpha", "name"]);

/** sharedAxes: axis numbers 1 to rank - 1, any number of them, repeats allowed (Keras 3 sets `shape[axis - 1] = 1`). */
const SHARED_AXES_RULE: AxesRule = { list: true, lowest: 1, negative: false, empty: true, repeats: true, what: "an integer or a list of integers" };

/**
 * Parametric ReLU (Keras `PReLU`): a learned `alpha` (zeros at first) per
 * value of a sample, shared along `sharedAxes`.
 *
 * @example
 * new PReLU({ sharedAxes: [1, 2] }).apply([null, 10, 10, 3]); // [null, 10, 10, 3], alpha [1, 1, 3]
 */
export class PReLU extends ActivationLayer {
  readonly className = "PReLU";
  private readonly config: Record<string, unknown>;
  private alphaShape: number[] | undefined;

  constructor(config?: unknown) {
    const cfg = configObject("pReLU", config, ["sharedAxes", "name"]);
    super(layerNames("PReLU", optionalName("pReLU", cfg.name)));
    this.config = cfg;
  }

  override computeOutputShape(inputShape: Shape): Shape {
    minRank2("pReLU", inputShape);
    const shared = this.config.sharedAxes === undefined ? [] : axesOption("pReLU", "sharedAxes", inputShape, this.config.sharedAxes, SHARED_AXES_RULE);
    this.alphaShape = inputShape.slice(1).map((size, i) => {
      if (shared.includes(i + 1)) return 1;
      if (size === null) fail(`shapewise: pReLU needs a known size on axis ${i + 1} to size its weights, got ${valueText(inputShape)}`);
      return size;
    });
    return inputShape;
  }

  private resolved(): number[] {
    if (this.alphaShape === undefined) this.computeOutputShape(this.builtInputShape());
    return this.alphaShape!;
  }

  override weightSpecs(): WeightSpec[] {
    return [{ name: "alpha", shape: this.resolved(), trainable: true, initializer: "zeros" }];
  }

  /** The shared axes as axis numbers (1 to rank - 1), none by default. */
  override getConfig(): Record<string, unknown> {
    const shared = this.resolved().flatMap((size, i) => (size === 1 && this.sharesAxis(i + 1) ? [i + 1] : []));
    return { sharedAxes: shared, name: this.name };
  }

  private sharesAxis(axis: number): boolean {
    const option = this.config.sharedAxes;
    return Array.isArray(option) ? option.includes(axis) : option === axis;
  }

  call(input: Tensor): Tensor {
    return preluLayer(input, this.weights![0]) ?? prelu(input, this.weights![0]);
  }

  override gradients(dOutput: Tensor, inputs: readonly Tensor[]): LayerGradients {
    const g = preluBackward(inputs[0], this.weights![0], dOutput);
    return { inputs: [g.input], weights: [g.alpha] };
  }
}

registerActivations("PReLU", PReLU, "pReLU", ["sharedAxes", "name"], { aliases: ["prelu"] });

/**
 * Exponential linear unit (Keras `ELU`) with `alpha` (default 1).
 *
 * @example
 * new ELU({ alpha: 0.5 }).apply([null, 10]); // [null, 10]
 */
export class ELU extends ActivationLayer {
  readonly className = "ELU";
  readonly alpha: number;

  constructor(config?: unknown) {
    const cfg = configObject("elu", config, ["alpha", "name"]);
    const alpha = finiteNumber("elu", "alpha", cfg.alpha, 1);
    super(layerNames("ELU", optionalName("elu", cfg.name)));
    this.alpha = alpha;
  }

  override getConfig(): Record<string, unknown> {
    return { alpha: this.alpha, name: this.name };
  }

  call(input: Tensor): Tensor {
    return activationOptionsLayer(input, { kind: "elu", alpha: this.alpha }) ?? elu(input, this.alpha);
  }

  override gradients(dOutput: Tensor, inputs: readonly Tensor[], output: Tensor): LayerGradients {
    return { inputs: [eluBackward(inputs[0], output, this.alpha, dOutput)], weights: [] };
  }
}

registerActivations("ELU", ELU, "elu", ["alpha", "name"]);

/** softmax may name any axis, the batch one included. */
const SOFTMAX_AXES_RULE: AxesRule = { list: true, lowest: 0, negative: true, empty: false, repeats: false, what: "an integer or a list of integers" };

/**
 * Softmax over `axis` (Keras `Softmax`, default -1), one axis or several together.
 *
 * @example
 * new Softmax({ axis: 1 }).apply([null, 4, 10]); // [null, 4, 10]
 */
export class Softmax extends ActivationLayer {
  readonly className = "Softmax";
  private readonly config: Record<string, unknown>;
  private axes: number[] | undefined;

  constructor(config?: unknown) {
    const cfg = configObject("softmax", config, ["axis", "name"]);
    super(layerNames("Softmax", optionalName("softmax", cfg.name)));
    this.config = cfg;
  }

  override computeOutputShape(inputShape: Shape): Shape {
    this.axes = axesOption("softmax", "axis", inputShape, this.config.axis === undefined ? -1 : this.config.axis, SOFTMAX_AXES_RULE);
    return inputShape;
  }

  /** `axis` as given (`-1` by default; a list stays a list). */
  override getConfig(): Record<string, unknown> {
    const axis = this.config.axis;
    return { axis: axis === undefined ? -1 : Array.isArray(axis) ? [...axis] : axis, name: this.name };
  }

  call(input: Tensor): Tensor {
    if (this.axes === undefined) this.computeOutputShape(this.builtInputShape());
    return softmaxLayer(input, this.axes!) ?? softmaxAxes(input, this.axes!);
  }

  override gradients(dOutput: Tensor, _inputs: readonly Tensor[], output: Tensor): LayerGradients {
    if (this.axes === undefined) this.computeOutputShape(this.builtInputShape());
    return { inputs: [softmaxAxesBackward(output, this.axes!, dOutput)], weights: [] };
  }
}

registerActivations("Softmax", Softmax, "softmax", ["axis", "name"]);
