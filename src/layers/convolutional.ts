/**
 * Convolution layers at run time (type twin: `types/layers/convolutional.ts`).
 */
import { configObject, exactRank, fail, knownChannels, oneOf, optionalBoolean, optionalName, positiveCount, positiveSize, valueText } from "../checks.js";
import type { Dim, Shape } from "../checks.js";
import { ACTIVATIONS, activate } from "../kernels/activations.js";
import type { ActivationName } from "../kernels/activations.js";
import { conv2d } from "../kernels/conv2d.js";
import type { Tensor } from "../kernels/tensor.js";
import type { SymbolicTensorImpl } from "../symbolic-tensor.js";
import { layerNames } from "../naming.js";
import { Layer } from "./layer.js";
import type { WeightSpec } from "./layer.js";

/** How a window meets the border. */
export type Padding = "valid" | "same";
export const PADDINGS: readonly Padding[] = ["valid", "same"];

/**
 * The size a window leaves of a length, as Keras 3 computes it; `null` stays `null`.
 *
 * @example
 * windowOutput(28, 3, 1, 1, "valid"); // 26
 */
export function windowOutput(length: Dim, kernel: number, stride: number, dilation: number, padding: Padding): Dim {
  if (length === null) return null;
  if (padding === "same") return Math.ceil(length / stride);
  return Math.floor((length - (dilation * (kernel - 1) + 1)) / stride) + 1;
}

/** Throws when a window does not fit its input along one axis with `"valid"` padding. */
export function windowFits(method: string, key: string, axis: string, length: Dim, kernel: number, dilation: number, padding: Padding): void {
  if (padding !== "valid" || length === null) return;
  const span = dilation * (kernel - 1) + 1;
  if (length < span) {
    // Past 2^53 - 1 the span is not exact, so the message gives the bound instead of a rounded number.
    const spanText = Number.isSafeInteger(span) ? `${span}` : "more than 9007199254740991";
    fail(
      dilation === 1
        ? `shapewise: ${method} ${key} ${kernel} is larger than input ${axis} ${length} with padding 'valid'`
        : `shapewise: ${method} ${key} ${kernel} with dilationRate ${dilation} spans ${spanText}, larger than input ${axis} ${length} with padding 'valid'`,
    );
  }
}

/** Reads an optional activation option. */
export function activationOption(method: string, value: unknown): ActivationName {
  return value === undefined ? "linear" : oneOf(method, "activation", value, ACTIVATIONS);
}

const CONV2D_OPTIONS = ["filters", "kernelSize", "strides", "padding", "dilationRate", "activation", "useBias", "name"];

interface Conv2DSettings {
  filters: number;
  kernelSize: [number, number];
  strides: [number, number];
  padding: Padding;
  dilationRate: [number, number];
  activation: ActivationName;
  useBias: boolean;
  channels: number;
}

/**
 * A 2-D convolution (Keras `Conv2D`), channels-last, `[kh, kw, in, filters]` kernel.
 *
 * @example
 * new Conv2D({ filters: 32, kernelSize: 3 }).apply([null, 28, 28, 1]); // [null, 26, 26, 32]
 */
export class Conv2D extends Layer {
  readonly className = "Conv2D";
  private readonly config: Record<string, unknown>;
  private settings: Conv2DSettings | undefined;

  constructor(config: unknown) {
    const cfg = configObject("conv2d", config, CONV2D_OPTIONS);
    super(layerNames("Conv2D", optionalName("conv2d", cfg.name)));
    this.config = cfg;
  }

  computeOutputShape(inputShape: Shape): Shape {
    const cfg = this.config;
    const padding = cfg.padding === undefined ? "valid" : oneOf("conv2d", "padding", cfg.padding, PADDINGS);
    const activation = activationOption("conv2d", cfg.activation);
    const useBias = optionalBoolean("conv2d", "useBias", cfg.useBias, true);
    exactRank("conv2d", inputShape, 4, "[batch, height, width, channels]");
    const channels = knownChannels("conv2d", inputShape);
    const filters = positiveCount("conv2d", "filters", cfg.filters);
    const kernelSize = positiveSize("conv2d", "kernelSize", cfg.kernelSize);
    const strides = positiveSize("conv2d", "strides", cfg.strides === undefined ? 1 : cfg.strides);
    const dilationRate = positiveSize("conv2d", "dilationRate", cfg.dilationRate === undefined ? 1 : cfg.dilationRate);
    if (strides.some((s) => s > 1) && dilationRate.some((d) => d > 1)) {
      fail(`shapewise: conv2d strides ${valueText(cfg.strides)} and dilationRate ${valueText(cfg.dilationRate)} cannot both exceed 1`);
    }
    windowFits("conv2d", "kernelSize", "height", inputShape[1], kernelSize[0], dilationRate[0], padding);
    windowFits("conv2d", "kernelSize", "width", inputShape[2], kernelSize[1], dilationRate[1], padding);
    this.settings = { filters, kernelSize, strides, padding, dilationRate, activation, useBias, channels };
    return [
      inputShape[0],
      windowOutput(inputShape[1], kernelSize[0], strides[0], dilationRate[0], padding),
      windowOutput(inputShape[2], kernelSize[1], strides[1], dilationRate[1], padding),
      filters,
    ];
  }

  private resolved(): Conv2DSettings {
    if (this.settings === undefined) this.computeOutputShape(this.builtInputShape());
    return this.settings!;
  }

  override weightSpecs(): WeightSpec[] {
    const s = this.resolved();
    const specs: WeightSpec[] = [
      { name: "kernel", shape: [s.kernelSize[0], s.kernelSize[1], s.channels, s.filters], trainable: true, initializer: "glorotUniform" },
    ];
    if (s.useBias) specs.push({ name: "bias", shape: [s.filters], trainable: true, initializer: "zeros" });
    return specs;
  }

  call(input: Tensor): Tensor {
    const s = this.resolved();
    const [kernel, bias] = this.weights!;
    const out = conv2d(input, kernel, s.useBias ? bias : null, { strides: s.strides, dilationRate: s.dilationRate, padding: s.padding });
    return s.activation === "linear" ? out : activate(s.activation, out);
  }
}

/** The convolution methods of every symbolic tensor. */
export const convolutionalMethods = {
  conv2d(this: SymbolicTensorImpl, config: unknown): SymbolicTensorImpl {
    return this.applyLayer(new Conv2D(config));
  },
};
