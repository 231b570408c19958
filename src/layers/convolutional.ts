/**
 * Convolution layers at run time (type twin: `types/layers/convolutional.ts`):
 * `conv1d`, `conv2d`, `conv3d`, their transposes, `separableConv1d/2d` and
 * `depthwiseConv1d/2d`.
 *
 * Every layer checks its rules in the order of the type-level `ConvFault`
 * list and throws the same sentences. Kernels are laid out as Keras lays
 * them out (channels-last order, also for `dataFormat: "channelsFirst"`,
 * whose inputs are transposed to channels-last around the computation).
 */
import {
  activationOption,
  exactRank,
  exactWeightCount,
  fail,
  knownChannels,
  nonNegativeSizeN,
  oneOf,
  optionalBoolean,
  positiveCount,
  positiveSizeN,
  valueText,
} from "../checks.js";
import { activate } from "../kernels/activations.js";
import type { ActivationName } from "../kernels/activations.js";
import { activationGradient } from "../kernels/activations-backward.js";
import { conv2dLayer, conv2dWritesPool, depthwise2dLayer } from "../kernels/fast-conv.js";
import { convNdLayer, convTransposeNdLayer } from "../kernels/fast-conv-nd.js";
import { conv2dBackward } from "../kernels/conv2d-backward.js";
import type { Conv2dOptions } from "../kernels/conv2d.js";
import { channelsFirst, channelsLast } from "../kernels/conv-layout.js";
import { UNIT_AXIS } from "../kernels/conv-nd.js";
import { convNdBackward, convTransposeNdBackward } from "../kernels/conv-nd-backward.js";
import { denseBackward } from "../kernels/dense-backward.js";
import type { ConvAxis } from "../kernels/conv-nd.js";
import { UNIT_TRANSPOSE_AXIS } from "../kernels/conv-transpose.js";
import type { Tensor } from "../kernels/tensor.js";
import { ConfiguredLayer, epilogueOps, product, sampleElements, sum } from "./layer.js";
import type { LayerCost, LayerGradients, TrainingCall, WeightSpec } from "./layer.js";
import type { DataFormat, Padding, Shape, SizedShape, TransposeAxis } from "../shape.js";
import {
  AXIS_NAMES,
  convOutputGeometry,
  dataFormatOption,
  dilatedSpan,
  layoutText,
  PADDINGS,
  transposeAxis,
  transposeOutput,
  windowFits,
  windowOutput,
} from "../shape.js";
import { layerRegistrar, variantsOf } from "./registry.js";
import * as keras from "../io/keras/json-writers.js";
import * as tfjs from "../io/tfjs/config-writers.js";
import * as onnx from "../io/onnx/mappings.js";

const registerConvolutional = layerRegistrar("convolutional", { tfjs, keras, onnx });

/**
 * The paddings of a convolution: `"causal"` (conv1d only) left-pads `d * (k - 1)` zeros.
 *
 * @example
 * const p: ConvPadding = "causal";
 */
export type ConvPadding = Padding | "causal";
const CAUSAL_PADDINGS: readonly ConvPadding[] = ["valid", "same", "causal"];

/** The four kinds of convolution layer, which differ in options and weights. */
type ConvKind = "conv" | "transpose" | "depthwise" | "separable";

/** What a layer class is: its method and class names, spatial rank and kind. */
interface ConvFamily {
  readonly method: string;
  readonly className: string;
  readonly rank: 1 | 2 | 3;
  readonly kind: ConvKind;
}

/** Each kind's regulariser options (Keras 3's), and the weight each penalises. */
const REGULARIZED_WEIGHTS: Record<ConvKind, Readonly<Record<string, string>>> = {
  conv: { kernelRegularizer: "kernel", biasRegularizer: "bias" },
  transpose: { kernelRegularizer: "kernel", biasRegularizer: "bias" },
  depthwise: { depthwiseRegularizer: "kernel", biasRegularizer: "bias" },
  separable: { depthwiseRegularizer: "depthwise_kernel", pointwiseRegularizer: "pointwise_kernel", biasRegularizer: "bias" },
};
const REGULARIZERS = Object.fromEntries(
  Object.entries(REGULARIZED_WEIGHTS).map(([kind, weights]) => [kind, [...Object.keys(weights), "activityRegularizer"]]),
) as Record<ConvKind, string[]>;

const OPTIONS: Record<ConvKind, readonly string[]> = {
  conv: ["filters", "kernelSize", "strides", "padding", "dataFormat", "dilationRate", "groups", "activation", "useBias", ...REGULARIZERS.conv, "name"],
  transpose: [
    "filters",
    "kernelSize",
    "strides",
    "padding",
    "outputPadding",
    "dataFormat",
    "dilationRate",
    "activation",
    "useBias",
    ...REGULARIZERS.transpose,
    "name",
  ],
  depthwise: ["kernelSize", "strides", "padding", "depthMultiplier", "dataFormat", "dilationRate", "activation", "useBias", ...REGULARIZERS.depthwise, "name"],
  separable: [
    "filters",
    "kernelSize",
    "strides",
    "padding",
    "depthMultiplier",
    "dataFormat",
    "dilationRate",
    "activation",
    "useBias",
    ...REGULARIZERS.separable,
    "name",
  ],
};

interface ConvSettings {
  padding: ConvPadding;
  dataFormat: DataFormat;
  activation: ActivationName;
  useBias: boolean;
  /** Input channels. */
  channels: number;
  /** Output channels: `filters`, or `channels * depthMultiplier` for depthwise layers. */
  outChannels: number;
  depthMultiplier: number;
  groups: number;
  kernelSize: number[];
  strides: number[];
  dilationRate: number[];
  /** `undefined` when the option is left out (Keras computes a default then). */
  outputPadding: number[] | undefined;
}

/**
 * What every convolution layer shares: option parsing, the checks in
 * type-level order, output shapes, weights and the forward pass.
 */
abstract class BaseConv extends ConfiguredLayer {
  private readonly family: ConvFamily;
  private settings: ConvSettings | undefined;

  constructor(className: string, method: string, rank: 1 | 2 | 3, kind: ConvKind, config: unknown) {
    super(className, method, config, OPTIONS[kind]);
    this.family = { method, className, rank, kind };
    this.readRegularizers(method, this.config, REGULARIZED_WEIGHTS[kind]);
  }

  computeOutputShape(inputShape: Shape): Shape {
    const { method, rank, kind } = this.family;
    const cfg = this.config;
    // Options whose bad values TypeScript rejects by their type alone: read first.
    // `"causal"` on a layer other than conv1d is a rule of its own, checked in order below.
    const padding: ConvPadding =
      cfg.padding === undefined
        ? "valid"
        : cfg.padding === "causal" || method === "conv1d"
          ? oneOf(method, "padding", cfg.padding, CAUSAL_PADDINGS)
          : oneOf(method, "padding", cfg.padding, PADDINGS);
    const dataFormat = dataFormatOption(method, cfg.dataFormat);
    const activation = activationOption(method, cfg.activation);
    const useBias = optionalBoolean(method, "useBias", cfg.useBias, true);

    exactRank(method, inputShape, rank + 2, layoutText(rank, dataFormat));
    const channels = dataFormat === "channelsFirst" ? knownChannelAxis(method, inputShape) : knownChannels(method, inputShape);
    if (padding === "causal" && method !== "conv1d") fail(`shapewise: ${method} padding 'causal' is only supported by conv1d`);
    const depthMultiplier =
      (kind === "depthwise" || kind === "separable") && cfg.depthMultiplier !== undefined ? positiveCount(method, "depthMultiplier", cfg.depthMultiplier) : 1;
    const outChannels = kind === "depthwise" ? channels * depthMultiplier : positiveCount(method, "filters", cfg.filters);
    const kernelSize = positiveSizeN(method, "kernelSize", cfg.kernelSize, rank);
    const strides = positiveSizeN(method, "strides", cfg.strides === undefined ? 1 : cfg.strides, rank);
    const dilationRate = positiveSizeN(method, "dilationRate", cfg.dilationRate === undefined ? 1 : cfg.dilationRate, rank);
    let groups = 1;
    if (kind === "conv" && cfg.groups !== undefined) {
      groups = positiveCount(method, "groups", cfg.groups);
      if (outChannels % groups !== 0) fail(`shapewise: ${method} filters ${outChannels} must be divisible by groups ${groups}`);
      if (channels % groups !== 0) fail(`shapewise: ${method} input channels ${channels} must be divisible by groups ${groups}`);
    }
    let outputPadding: number[] | undefined;
    if (kind === "transpose" && cfg.outputPadding !== undefined) {
      outputPadding = nonNegativeSizeN(method, "outputPadding", cfg.outputPadding, rank);
      if (outputPadding.some((op, i) => op >= strides[i])) {
        fail(
          `shapewise: ${method} outputPadding ${valueText(cfg.outputPadding)} must be less than strides ${valueText(cfg.strides === undefined ? 1 : cfg.strides)} on each axis`,
        );
      }
    }
    if (strides.some((s) => s > 1) && dilationRate.some((d) => d > 1)) {
      fail(`shapewise: ${method} strides ${valueText(cfg.strides)} and dilationRate ${valueText(cfg.dilationRate)} cannot both exceed 1`);
    }
    const spatial = dataFormat === "channelsFirst" ? inputShape.slice(2) : inputShape.slice(1, -1);
    const names = AXIS_NAMES[rank];
    if (kind === "transpose") {
      if (outputPadding !== undefined && padding === "same") {
        spatial.forEach((length, i) => {
          const span = dilatedSpan(kernelSize[i], dilationRate[i]);
          if (length === 1 && outputPadding[i] === 0 && span % 2 === 0) {
            fail(
              `shapewise: ${method} outputPadding 0 gives output ${names[i]} 0 for input ${names[i]} 1 with padding 'same' and the even kernel span ${span}`,
            );
          }
        });
      }
    } else {
      spatial.forEach((length, i) =>
        windowFits(method, "kernelSize", names[i], length, kernelSize[i], dilationRate[i], padding === "causal" ? "same" : padding),
      );
    }
    this.settings = {
      padding,
      dataFormat,
      activation,
      useBias,
      channels,
      outChannels,
      depthMultiplier,
      groups,
      kernelSize,
      strides,
      dilationRate,
      outputPadding,
    };
    // The factors of each weight, `channels * depthMultiplier` kept apart so that the exact count stays exact when that product is not.
    const bias = useBias ? [kind === "depthwise" ? [channels, depthMultiplier] : [outChannels]] : [];
    const kernels: Record<ConvKind, number[][]> = {
      conv: [[...kernelSize, channels / groups, outChannels]],
      transpose: [[...kernelSize, outChannels, channels]],
      depthwise: [[...kernelSize, channels, depthMultiplier]],
      separable: [
        [...kernelSize, channels, depthMultiplier],
        [channels, depthMultiplier, outChannels],
      ],
    };
    exactWeightCount(method, [...kernels[kind], ...bias]);
    const sizePadding = padding === "causal" ? "same" : padding;
    const out = spatial.map((length, i) =>
      kind === "transpose"
        ? transposeOutput(length, kernelSize[i], strides[i], dilationRate[i], sizePadding, outputPadding?.[i])
        : windowOutput(length, kernelSize[i], strides[i], dilationRate[i], sizePadding),
    );
    return dataFormat === "channelsFirst" ? [inputShape[0], outChannels, ...out] : [inputShape[0], ...out, outChannels];
  }

  /** The same window geometry on symbolic sizes (`src/shape.ts`). */
  override computeSizes([sizes]: readonly SizedShape[], output: Shape): SizedShape {
    const { kind } = this.family;
    const { kernelSize, strides, dilationRate, outputPadding, padding, dataFormat } = this.resolved();
    const sizePadding = padding === "causal" ? "same" : padding;
    const first = dataFormat === "channelsFirst" ? 2 : 1;
    return output.map((d, a) => {
      const i = a - first;
      const length = sizes?.[a];
      if (i < 0 || i >= kernelSize.length || typeof length !== "string") return d;
      return kind === "transpose"
        ? transposeOutput(length, kernelSize[i], strides[i], dilationRate[i], sizePadding, outputPadding?.[i])
        : windowOutput(length, kernelSize[i], strides[i], dilationRate[i], sizePadding);
    });
  }

  private resolved(): ConvSettings {
    if (this.settings === undefined) this.computeOutputShape(this.builtInputShape());
    return this.settings!;
  }

  /** The options of this kind of convolution, in the method's order; `outputPadding` only when it was given (Keras derives it otherwise). */
  override getConfig(): Record<string, unknown> {
    const s = this.resolved();
    const kind = this.family.kind;
    const config: Record<string, unknown> = {};
    if (kind !== "depthwise") config.filters = s.outChannels;
    config.kernelSize = [...s.kernelSize];
    config.strides = [...s.strides];
    config.padding = s.padding;
    if (kind === "transpose" && s.outputPadding !== undefined) config.outputPadding = [...s.outputPadding];
    if (kind === "depthwise" || kind === "separable") config.depthMultiplier = s.depthMultiplier;
    config.dataFormat = s.dataFormat;
    config.dilationRate = [...s.dilationRate];
    if (kind === "conv") config.groups = s.groups;
    config.activation = s.activation;
    config.useBias = s.useBias;
    Object.assign(config, this.regularizerConfig());
    config.name = this.name;
    return config;
  }

  override weightSpecs(): WeightSpec[] {
    const s = this.resolved();
    const kind = this.family.kind;
    const k = s.kernelSize;
    const specs: WeightSpec[] = [];
    if (kind === "conv") specs.push({ name: "kernel", shape: [...k, s.channels / s.groups, s.outChannels], trainable: true, initializer: "glorotUniform" });
    if (kind === "transpose") specs.push({ name: "kernel", shape: [...k, s.outChannels, s.channels], trainable: true, initializer: "glorotUniform" });
    if (kind === "depthwise") specs.push({ name: "kernel", shape: [...k, s.channels, s.depthMultiplier], trainable: true, initializer: "glorotUniform" });
    if (kind === "separable") {
      specs.push({ name: "depthwise_kernel", shape: [...k, s.channels, s.depthMultiplier], trainable: true, initializer: "glorotUniform" });
      specs.push({
        name: "pointwise_kernel",
        shape: [...k.map(() => 1), s.channels * s.depthMultiplier, s.outChannels],
        trainable: true,
        initializer: "glorotUniform",
      });
    }
    if (s.useBias) specs.push({ name: "bias", shape: [s.outChannels], trainable: true, initializer: "zeros" });
    return specs;
  }

  /**
   * Per sample: a convolution multiplies each output element by its kernel
   * window over `in / groups` channels (output elements × kernel elements ×
   * in / groups); a depthwise one over one channel (output elements × kernel
   * elements); a separable one adds its pointwise step (output positions ×
   * `in × depthMultiplier` × filters); a transposed one scatters every input
   * element through the kernel to each filter (input elements × kernel
   * elements × filters). Bias and activation: one operation per output element each.
   */
  override cost(inputShapes: readonly Shape[], outputShapes: readonly Shape[]): LayerCost {
    const s = this.resolved();
    const kernel = s.kernelSize.reduce((p, k) => p * k, 1);
    const out = sampleElements(outputShapes[0]);
    const positions = product(out === null ? null : out / s.outChannels);
    const ops = epilogueOps(out, s.useBias, s.activation);
    switch (this.family.kind) {
      case "conv":
        return { macs: product(out, kernel, s.channels / s.groups), ops };
      case "depthwise":
        return { macs: product(out, kernel), ops };
      case "separable":
        return {
          macs: sum(product(positions, s.channels * s.depthMultiplier, kernel), product(positions, s.channels * s.depthMultiplier, s.outChannels)),
          ops,
        };
      case "transpose":
        return { macs: product(sampleElements(inputShapes[0]), kernel, s.outChannels), ops };
    }
  }

  call(input: Tensor): Tensor {
    const s = this.resolved();
    const weights = this.weights!;
    const bias = s.useBias ? weights[weights.length - 1] : null;
    const first = s.dataFormat === "channelsFirst";
    const x = first ? channelsLast(input) : input;
    // Channels-last, the activation is fused where the kernel can; Keras applies
    // it to the output in the layer's own layout (softmax over the last axis).
    const fuse = first ? "linear" : s.activation;
    let y: Tensor;
    switch (this.family.kind) {
      case "conv":
        y = this.convolve(x, weights[0], bias, s, fuse);
        break;
      case "transpose":
        y = this.transpose(x, weights[0], bias, s, fuse);
        break;
      case "depthwise":
        y = this.depthwise(x, weights[0], bias, s, fuse);
        break;
      case "separable": {
        const depth = this.depthwise(x, weights[0], null, s);
        y = pointwise(depth, weights[1], bias, fuse);
        break;
      }
    }
    return first ? activateUnless(s.activation, channelsFirst(y)) : y;
  }

  /**
   * The forward pass without its activation, then the activation in the
   * layer's own layout; keeps the pre-activation (and a separable layer's
   * depthwise output) for the backward pass.
   */
  override callTraining(inputs: readonly Tensor[]): TrainingCall {
    const s = this.resolved();
    const weights = this.weights!;
    const bias = s.useBias ? weights[weights.length - 1] : null;
    const first = s.dataFormat === "channelsFirst";
    const x = first ? channelsLast(inputs[0]) : inputs[0];
    let depth: Tensor | null = null;
    let zLast: Tensor;
    switch (this.family.kind) {
      case "conv":
        zLast = this.convolve(x, weights[0], bias, s, "linear");
        break;
      case "transpose":
        zLast = this.transpose(x, weights[0], bias, s);
        break;
      case "depthwise":
        zLast = this.depthwise(x, weights[0], bias, s);
        break;
      case "separable":
        depth = this.depthwise(x, weights[0], null, s);
        zLast = pointwise(depth, weights[1], bias, "linear");
        break;
    }
    const z = first ? channelsFirst(zLast) : zLast;
    const saved: ConvSaved = { z, depth };
    return { output: activateUnless(s.activation, z), saved };
  }

  /**
   * Through the activation (in the layer's layout), then each kind's
   * backward pass on channels-last data: 1-D and 2-D ungrouped, non-causal
   * convolutions as matrix products on the fast kernels, every other
   * convolution on the grouped reference loop, a depthwise one as a
   * convolution with one group per channel, a separable one as its
   * pointwise product then its depthwise step, a transposed one on its own loop.
   */
  override gradients(dOutput: Tensor, inputs: readonly Tensor[], output: Tensor, saved: unknown): LayerGradients {
    const s = this.resolved();
    const { rank, kind } = this.family;
    const weights = this.weights!;
    const kernel = weights[0];
    const { z, depth } = saved as ConvSaved;
    const first = s.dataFormat === "channelsFirst";
    const dz = activationGradient(s.activation, z, output, dOutput);
    const dzLast = first ? channelsLast(dz) : dz;
    const x = first ? channelsLast(inputs[0]) : inputs[0];
    const axes = () => convAxes(x.shape.slice(1, -1), s);
    const grouped = (t: Tensor): Tensor => ({ shape: [...s.kernelSize, 1, s.channels * s.depthMultiplier], data: t.data });
    const asShape = (t: Tensor, like: Tensor): Tensor => ({ shape: [...like.shape], data: t.data });
    let dxLast: Tensor;
    let dWeights: Tensor[];
    if (kind === "conv" && rank <= 2 && s.groups === 1 && s.padding !== "causal") {
      // A 1-D convolution is a 2-D one over a single row, as in the forward pass.
      const one = rank === 1;
      const as4d = (t: Tensor): Tensor => (one ? { shape: [t.shape[0], 1, ...t.shape.slice(1)], data: t.data } : t);
      const pair = (v: number[]): [number, number] => (one ? [1, v[0]] : [v[0], v[1]]);
      const k4 = one ? { shape: [1, ...kernel.shape], data: kernel.data } : kernel;
      const g = conv2dBackward(as4d(x), k4, as4d(dzLast), { strides: pair(s.strides), dilationRate: pair(s.dilationRate), padding: s.padding as Padding });
      dxLast = asShape(g.input, x);
      dWeights = [asShape(g.kernel, kernel), g.bias];
    } else if (kind === "conv") {
      const g = convNdBackward(to5d(x, rank), to5d(kernel, rank, true), to5d(dzLast, rank), axes(), s.groups);
      dxLast = asShape(g.input, x);
      dWeights = [asShape(g.kernel, kernel), g.bias];
    } else if (kind === "depthwise") {
      const g = convNdBackward(to5d(x, rank), to5d(grouped(kernel), rank, true), to5d(dzLast, rank), axes(), s.channels);
      dxLast = asShape(g.input, x);
      dWeights = [asShape(g.kernel, kernel), g.bias];
    } else if (kind === "separable") {
      // The pointwise step is a dense product over every position.
      const mid = s.channels * s.depthMultiplier;
      const rows = depth!.data.length / mid;
      const p = denseBackward(
        { shape: [rows, mid], data: depth!.data },
        { shape: [mid, s.outChannels], data: weights[1].data },
        { shape: [rows, s.outChannels], data: dzLast.data },
      );
      const g = convNdBackward(to5d(x, rank), to5d(grouped(kernel), rank, true), to5d(asShape(p.input, depth!), rank), axes(), s.channels);
      dxLast = asShape(g.input, x);
      dWeights = [asShape(g.kernel, kernel), asShape(p.kernel, weights[1]), p.bias];
    } else {
      const spatial = x.shape.slice(1, -1);
      const padding = s.padding as Padding;
      const tAxes = spatial.map((length, i) => transposeAxis(length, s.kernelSize[i], s.strides[i], s.dilationRate[i], padding, s.outputPadding?.[i]));
      const full = [...new Array<TransposeAxis>(3 - rank).fill(UNIT_TRANSPOSE_AXIS), ...tAxes] as [TransposeAxis, TransposeAxis, TransposeAxis];
      const g = convTransposeNdBackward(to5d(x, rank), to5d(kernel, rank, true), to5d(dzLast, rank), full);
      dxLast = asShape(g.input, x);
      dWeights = [asShape(g.kernel, kernel), g.bias];
    }
    const dx = first ? channelsFirst(dxLast) : dxLast;
    return { inputs: [dx], weights: s.useBias ? dWeights : dWeights.slice(0, -1) };
  }

  /**
   * The kernel and bias of this layer when it is one kernel call with
   * nothing after it (a channels-last, not causal 1-D or 2-D convolution,
   * ungrouped or depthwise, with a linear activation), so that a forward
   * pass may fold a batch normalisation into them and fuse what follows
   * into {@link callEpilogue}; `null` for any other form. A depthwise
   * kernel's last two axes together are its output channels.
   *
   * @example
   * ```ts
   * conv.epilogueWeights(); // { kernel, bias } for conv2d({ filters: 64, kernelSize: 3 })
   * ```
   */
  epilogueWeights(): { kernel: Tensor; bias: Tensor | null } | null {
    return this.takesEpilogue() ? this.productWeights() : null;
  }

  /** The kernel and, with `useBias`, the bias. */
  private productWeights(): { kernel: Tensor; bias: Tensor | null } {
    const weights = this.weights!;
    return { kernel: weights[0], bias: this.resolved().useBias ? weights[weights.length - 1] : null };
  }

  /**
   * Whether {@link epilogueWeights} gives weights, decided on the layer's
   * settings alone: a plan made before any weight exists draws none.
   *
   * @example
   * ```ts
   * conv.takesEpilogue(); // true for conv2d({ filters: 64, kernelSize: 3 })
   * ```
   */
  takesEpilogue(): boolean {
    const s = this.resolved();
    const { rank, kind } = this.family;
    const plain = kind === "conv" && s.groups === 1;
    return (plain || kind === "depthwise") && rank <= 2 && s.padding !== "causal" && s.dataFormat !== "channelsFirst" && s.activation === "linear";
  }

  /**
   * Whether {@link poolingWeights} gives weights, decided on the layer's
   * settings alone, and the activation it would give.
   *
   * @example
   * ```ts
   * conv.poolingActivation(); // "relu" for conv2d({ filters: 32, kernelSize: 3, activation: "relu" }), null for a depthwise one
   * ```
   */
  poolingActivation(): ActivationName | null {
    const s = this.resolved();
    const { rank, kind } = this.family;
    return kind === "conv" && s.groups === 1 && rank === 2 && s.dataFormat !== "channelsFirst" ? s.activation : null;
  }

  /**
   * The kernel and bias of this layer when it is a plain channels-last 2-D
   * convolution (ungrouped, any activation), the form whose kernel may also
   * write a following 2x2 max pool (see {@link writesPool}); `null` for any other form.
   *
   * @example
   * ```ts
   * conv.poolingWeights(); // { kernel, bias } for conv2d({ filters: 32, kernelSize: 3, activation: "relu" })
   * ```
   */
  poolingWeights(): { kernel: Tensor; bias: Tensor | null } | null {
    return this.poolingActivation() === null ? null : this.productWeights();
  }

  /**
   * Whether {@link callEpilogue} with `pool` can write the 2x2, stride-2,
   * valid max pool of this convolution's output for an input of
   * `inputShape` (see `conv2dWritesPool`); false for any layer without
   * {@link poolingWeights}. Reads no weight.
   *
   * @example
   * ```ts
   * conv.writesPool([64, 28, 28, 1], "relu", false); // true for seed Model B's first convolution on the fast kernels
   * ```
   */
  writesPool(inputShape: readonly number[], activation: ActivationName, residual: boolean, zeroPad?: Conv2dOptions["zeroPad"]): boolean {
    if (this.poolingActivation() === null) return false;
    // The kernel's shape from the settings: no weight is drawn to decide.
    return conv2dWritesPool(inputShape, this.weightSpecs()[0].shape, this.planeOptions(this.resolved(), zeroPad), activation, residual);
  }

  /**
   * This convolution over `kernel` and `bias` (a folded batch
   * normalisation's, in this layer's layout), `residual` added and
   * `activation` applied in the product's last step (a depthwise
   * convolution takes no residual). Only for a layer whose
   * {@link epilogueWeights} is not null, or with `pool` whose
   * {@link poolingWeights} is not null. A 2-D convolution also takes
   * `zeroPad`, the zeros a `ZeroPadding2D` before it would add around
   * `input`, read as its own padding, and `pool`: return the 2x2,
   * stride-2, valid max pool of the output instead, written by the
   * product's last step (only where {@link writesPool} says so).
   *
   * @example
   * ```ts
   * const y = conv.callEpilogue(x, folded.kernel, folded.bias, shortcut, "relu");
   * ```
   */
  callEpilogue(
    input: Tensor,
    kernel: Tensor,
    bias: Tensor | null,
    residual: Tensor | null,
    activation: ActivationName,
    zeroPad?: Conv2dOptions["zeroPad"],
    pool = false,
  ): Tensor {
    if (zeroPad !== undefined && this.family.rank !== 2) throw new RangeError(`${this.name}: only a 2-D convolution takes the zeros around its input`);
    if (pool && this.poolingActivation() === null) throw new RangeError(`${this.name}: only a plain channels-last 2-D convolution writes its max pool`);
    if (this.family.kind === "depthwise") {
      if (residual !== null) throw new RangeError(`${this.name}: a depthwise convolution adds no residual in its last step`);
      return this.depthwise(input, kernel, bias, this.resolved(), activation, zeroPad);
    }
    return this.convolve(input, kernel, bias, this.resolved(), activation, residual, zeroPad, pool);
  }

  /** The 2-D kernels' strides, dilation and padding for these settings; a 1-D layer is one row of pixels. */
  private planeOptions(s: ConvSettings, zeroPad?: Conv2dOptions["zeroPad"]): Conv2dOptions {
    const pair = (v: number[]): [number, number] => (this.family.rank === 1 ? [1, v[0]] : [v[0], v[1]]);
    return { strides: pair(s.strides), dilationRate: pair(s.dilationRate), padding: s.padding as Padding, zeroPad };
  }

  /** A regular (optionally grouped) convolution of a channels-last batch, plus `residual` before the activation. */
  private convolve(
    x: Tensor,
    kernel: Tensor,
    bias: Tensor | null,
    s: ConvSettings,
    activation: ActivationName,
    residual: Tensor | null = null,
    zeroPad?: Conv2dOptions["zeroPad"],
    pool = false,
  ): Tensor {
    const { rank } = this.family;
    if (rank <= 2 && s.groups === 1 && s.padding !== "causal") {
      // One row of pixels is a 1-D signal: the tuned 2-D kernel serves both.
      const [n, ...rest] = x.shape;
      const x4 = rank === 1 ? { shape: [n, 1, ...rest], data: x.data } : x;
      const k4 = rank === 1 ? { shape: [1, ...kernel.shape], data: kernel.data } : kernel;
      const r4 = rank === 1 && residual !== null ? { shape: [residual.shape[0], 1, ...residual.shape.slice(1)], data: residual.data } : residual;
      const y = conv2dLayer(x4, k4, bias, this.planeOptions(s, zeroPad), activation, r4, pool);
      return rank === 1 ? { shape: [y.shape[0], y.shape[2], y.shape[3]], data: y.data } : y;
    }
    if (residual !== null) throw new RangeError(`${this.name}: only a plain 1-D or 2-D convolution adds a residual in its last step`);
    const axes = convAxes(x.shape.slice(1, -1), s);
    return from5d(convNdLayer(to5d(x, rank), to5d(kernel, rank, true), bias, axes, s.groups, activation), rank);
  }

  /** Each channel convolved with its own `depthMultiplier` filters: a convolution with one group per channel. */
  private depthwise(
    x: Tensor,
    kernel: Tensor,
    bias: Tensor | null,
    s: ConvSettings,
    activation: ActivationName = "linear",
    zeroPad?: Conv2dOptions["zeroPad"],
  ): Tensor {
    const { rank } = this.family;
    const k = s.kernelSize;
    if (rank <= 2 && s.padding !== "causal") {
      // One row of pixels is a 1-D signal, as for the regular convolution.
      const [n, ...rest] = x.shape;
      const x4 = rank === 1 ? { shape: [n, 1, ...rest], data: x.data } : x;
      const k4 = rank === 1 ? { shape: [1, ...kernel.shape], data: kernel.data } : kernel;
      const pair = (v: number[]): [number, number] => (rank === 1 ? [1, v[0]] : [v[0], v[1]]);
      const options = { strides: pair(s.strides), dilationRate: pair(s.dilationRate), padding: s.padding as Padding, zeroPad };
      const y = depthwise2dLayer(x4, k4, bias, options, activation);
      return rank === 1 ? { shape: [y.shape[0], y.shape[2], y.shape[3]], data: y.data } : y;
    }
    // `[...k, C, m]` and `[...k, 1, C * m]` are the same array, so group `c` writes channels `c * m ...`.
    const grouped = { shape: [...k, 1, s.channels * s.depthMultiplier], data: kernel.data };
    const y = convNdLayer(to5d(x, rank), to5d(grouped, rank, true), bias, convAxes(x.shape.slice(1, -1), s), s.channels, activation);
    return from5d(y, rank);
  }

  private transpose(x: Tensor, kernel: Tensor, bias: Tensor | null, s: ConvSettings, activation: ActivationName = "linear"): Tensor {
    const { rank } = this.family;
    const spatial = x.shape.slice(1, -1);
    const padding = s.padding as Padding;
    const axes = spatial.map((length, i) => transposeAxis(length, s.kernelSize[i], s.strides[i], s.dilationRate[i], padding, s.outputPadding?.[i]));
    const full = [...new Array<TransposeAxis>(3 - rank).fill(UNIT_TRANSPOSE_AXIS), ...axes] as [TransposeAxis, TransposeAxis, TransposeAxis];
    return from5d(convTransposeNdLayer(to5d(x, rank), to5d(kernel, rank, true), bias, full, activation), rank);
  }
}

/** What a convolution's training call keeps: the pre-activation in the layer's layout, and a separable layer's depthwise output. */
interface ConvSaved {
  readonly z: Tensor;
  readonly depth: Tensor | null;
}

/** The walk of every spatial axis of a (non-transposed) convolution, padded to three axes. */
function convAxes(spatial: readonly number[], s: ConvSettings): [ConvAxis, ConvAxis, ConvAxis] {
  const axes = spatial.map((length, i): ConvAxis => {
    const k = s.kernelSize[i];
    const stride = s.strides[i];
    const dilation = s.dilationRate[i];
    if (s.padding === "causal") {
      // Keras pads d * (k - 1) zeros in front, then convolves with "valid".
      return { outputLength: Math.ceil(length / stride), padBefore: dilation * (k - 1), stride, dilation };
    }
    const g = convOutputGeometry(length, k, stride, dilation, s.padding);
    return { outputLength: g.outputLength, padBefore: g.padBefore, stride, dilation };
  });
  return [...new Array<ConvAxis>(3 - axes.length).fill(UNIT_AXIS), ...axes] as [ConvAxis, ConvAxis, ConvAxis];
}

/** A channels-last batch (or a kernel, whose last two axes are channels) with size-1 axes in front, to 3 spatial axes. */
function to5d(t: Tensor, rank: 1 | 2 | 3, isKernel = false): Tensor {
  const ones = new Array<number>(3 - rank).fill(1);
  return { shape: isKernel ? [...ones, ...t.shape] : [t.shape[0], ...ones, ...t.shape.slice(1)], data: t.data };
}

/** The inverse of {@link to5d} for a batch. */
function from5d(t: Tensor, rank: 1 | 2 | 3): Tensor {
  return { shape: [t.shape[0], ...t.shape.slice(4 - rank)], data: t.data };
}

/** The pointwise step of a separable convolution: a kernel-size-1 convolution over every position. */
function pointwise(x: Tensor, kernel: Tensor, bias: Tensor | null, activation: ActivationName): Tensor {
  const n = x.shape[0];
  const c = x.shape[x.shape.length - 1];
  const positions = x.shape.slice(1, -1).reduce((p, d) => p * d, 1);
  const filters = kernel.shape[kernel.shape.length - 1];
  const y = conv2dLayer(
    { shape: [n, 1, positions, c], data: x.data },
    { shape: [1, 1, c, filters], data: kernel.data },
    bias,
    { strides: [1, 1], dilationRate: [1, 1], padding: "valid" },
    activation,
  );
  return { shape: [...x.shape.slice(0, -1), filters], data: y.data };
}

function activateUnless(activation: ActivationName, t: Tensor): Tensor {
  return activation === "linear" ? t : activate(activation, t);
}

/** Checks that the channel axis of a channels-first input (axis 1) is known, and returns it. */
function knownChannelAxis(method: string, shape: Shape): number {
  const c = shape[1];
  if (c === null || c === undefined) {
    fail(`shapewise: ${method} needs a known channel dimension (axis 1 with dataFormat 'channelsFirst') to size its weights, got ${valueText(shape)}`);
  }
  return c;
}

/** The convolution classes: one shared base, by spatial rank and kind. */
const convolution = variantsOf(registerConvolutional, BaseConv, (_rank, kind) => OPTIONS[kind]);

/**
 * A 1-D convolution (Keras `Conv1D`), `[k, in / groups, filters]` kernel;
 * `padding: "causal"` left-pads `d * (k - 1)` zeros.
 *
 * @example
 * new Conv1D({ filters: 16, kernelSize: 5, padding: "causal" }).apply([null, 100, 8]); // [null, 100, 16]
 */
export const Conv1D = convolution("Conv1D", "conv1d", [1, "conv"], { onnx: onnx.convolution });

/**
 * A 2-D convolution (Keras `Conv2D`), `[kh, kw, in / groups, filters]` kernel.
 *
 * @example
 * new Conv2D({ filters: 32, kernelSize: 3 }).apply([null, 28, 28, 1]); // [null, 26, 26, 32]
 */
export const Conv2D = convolution("Conv2D", "conv2d", [2, "conv"], { onnx: onnx.convolution });

/**
 * A 3-D convolution (Keras `Conv3D`), `[kd, kh, kw, in / groups, filters]` kernel.
 *
 * @example
 * new Conv3D({ filters: 4, kernelSize: 3 }).apply([null, 16, 16, 16, 2]); // [null, 14, 14, 14, 4]
 */
export const Conv3D = convolution("Conv3D", "conv3d", [3, "conv"], { onnx: onnx.convolution });

/**
 * A transposed 1-D convolution (Keras `Conv1DTranspose`), `[k, filters, in]` kernel.
 *
 * @example
 * new Conv1DTranspose({ filters: 6, kernelSize: 3, strides: 2, padding: "same" }).apply([null, 10, 4]); // [null, 20, 6]
 */
export const Conv1DTranspose = convolution("Conv1DTranspose", "conv1dTranspose", [1, "transpose"], { inTfjs: false, onnx: onnx.convTranspose });

/**
 * A transposed 2-D convolution (Keras `Conv2DTranspose`), `[kh, kw, filters, in]` kernel.
 *
 * @example
 * new Conv2DTranspose({ filters: 16, kernelSize: 3, strides: 2 }).apply([null, 8, 8, 4]); // [null, 17, 17, 16]
 */
export const Conv2DTranspose = convolution("Conv2DTranspose", "conv2dTranspose", [2, "transpose"], { onnx: onnx.convTranspose });

/**
 * A transposed 3-D convolution (Keras `Conv3DTranspose`), `[kd, kh, kw, filters, in]` kernel.
 *
 * @example
 * new Conv3DTranspose({ filters: 2, kernelSize: 3, strides: 2 }).apply([null, 4, 4, 4, 3]); // [null, 9, 9, 9, 2]
 */
export const Conv3DTranspose = convolution("Conv3DTranspose", "conv3dTranspose", [3, "transpose"], { onnx: onnx.convTranspose });

/**
 * A separable 1-D convolution (Keras `SeparableConv1D`): weights
 * `depthwise_kernel` `[k, in, dm]`, `pointwise_kernel` `[1, in * dm, filters]`, `bias`.
 *
 * @example
 * new SeparableConv1D({ filters: 16, kernelSize: 3 }).apply([null, 50, 8]); // [null, 48, 16]
 */
export const SeparableConv1D = convolution("SeparableConv1D", "separableConv1d", [1, "separable"], { inTfjs: false, onnx: onnx.convolution });

/**
 * A separable 2-D convolution (Keras `SeparableConv2D`): weights
 * `depthwise_kernel` `[kh, kw, in, dm]`, `pointwise_kernel` `[1, 1, in * dm, filters]`, `bias`.
 *
 * @example
 * new SeparableConv2D({ filters: 16, kernelSize: 3 }).apply([null, 32, 32, 8]); // [null, 30, 30, 16]
 */
export const SeparableConv2D = convolution("SeparableConv2D", "separableConv2d", [2, "separable"], { onnx: onnx.convolution });

/**
 * A depthwise 1-D convolution (Keras `DepthwiseConv1D`), weight `kernel`
 * `[k, in, depthMultiplier]`; output channel `c * depthMultiplier + m`.
 *
 * @example
 * new DepthwiseConv1D({ kernelSize: 3 }).apply([null, 50, 8]); // [null, 48, 8]
 */
export const DepthwiseConv1D = convolution("DepthwiseConv1D", "depthwiseConv1d", [1, "depthwise"], { inTfjs: false, onnx: onnx.convolution });

/**
 * A depthwise 2-D convolution (Keras `DepthwiseConv2D`), weight `kernel`
 * `[kh, kw, in, depthMultiplier]` (Keras 3 names it `kernel`; tf.keras 2 and
 * TF.js `depthwise_kernel`).
 *
 * @example
 * new DepthwiseConv2D({ kernelSize: 3, depthMultiplier: 2 }).apply([null, 32, 32, 8]); // [null, 30, 30, 16]
 */
export const DepthwiseConv2D = convolution("DepthwiseConv2D", "depthwiseConv2d", [2, "depthwise"], { onnx: onnx.convolution });

/** The instance types of the classes the kernel plan names as types (a class a maker declares is a value alone). */
export type Conv1D = InstanceType<typeof Conv1D>;
export type Conv2D = InstanceType<typeof Conv2D>;
export type DepthwiseConv1D = InstanceType<typeof DepthwiseConv1D>;
export type DepthwiseConv2D = InstanceType<typeof DepthwiseConv2D>;
