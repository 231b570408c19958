/**
 * Pooling layers at run time (type twin: `types/layers/pooling.ts`).
 */
import { exactRank, oneOf, optionalBoolean, sizeTuple } from "../checks.js";
import { averagePool3d, maxPool3d } from "../kernels/pool-3d.js";
import { fast } from "../kernels/backend.js";
import { globalPoolLayer, pool2dLayer } from "../kernels/fast-conv.js";
import { globalPoolBackward, pool2dBackward, pool3dBackward } from "../kernels/pooling-backward.js";
import type { LayerGradients } from "./layer.js";
import type { Tensor } from "../kernels/tensor.js";
import { ConfiguredLayer, product, sampleElements } from "./layer.js";
import type { LayerCost } from "./layer.js";
import type { DataFormat, Dim, Padding, Shape, SizedShape, SpatialRank } from "../shape.js";
import { AXIS_NAMES, dataFormatOption, layoutText, PADDINGS, spatialIndices, windowFits, windowOutput } from "../shape.js";
import { channelsFirst, channelsLast } from "../kernels/conv-layout.js";
import { layerRegistrar, variantsOf } from "./registry.js";
import * as keras from "../io/keras/json-writers.js";
import * as tfjs from "../io/tfjs/config-writers.js";
import * as onnx from "../io/onnx/mappings.js";

// ---------------------------------------------------------------------------
// Windowed pooling
// ---------------------------------------------------------------------------

const POOL_OPTIONS = ["poolSize", "strides", "padding", "dataFormat", "name"];

interface PoolSettings {
  poolSize: number[];
  strides: number[];
  padding: Padding;
  dataFormat: DataFormat;
}

/** What the windowed and the global poolings keep: the spatial rank, and which pooling runs, forward and backward. */
abstract class Pooling extends ConfiguredLayer {
  constructor(
    className: string,
    method: string,
    protected readonly rank: SpatialRank,
    protected readonly kind: Kind,
    config: unknown,
    options: readonly string[],
  ) {
    super(className, method, config, options);
  }
}

/** What every windowed pooling layer shares: options, checks and output size. */
abstract class PoolingND extends Pooling {
  protected settings: PoolSettings | undefined;

  constructor(className: string, method: string, rank: SpatialRank, kind: Kind, config: unknown) {
    super(className, method, rank, kind, config, POOL_OPTIONS);
  }

  computeOutputShape(inputShape: Shape): Shape {
    const { method, config: cfg, rank } = this;
    const padding = cfg.padding === undefined ? "valid" : oneOf(method, "padding", cfg.padding, PADDINGS);
    const dataFormat = dataFormatOption(method, cfg.dataFormat);
    exactRank(method, inputShape, rank + 2, layoutText(rank, dataFormat));
    const poolSize = sizeTuple(method, "poolSize", cfg.poolSize === undefined ? 2 : cfg.poolSize, rank);
    const strides = cfg.strides === undefined ? poolSize : sizeTuple(method, "strides", cfg.strides, rank);
    const axes = spatialIndices(rank, dataFormat);
    axes.forEach((a, i) => windowFits(method, "poolSize", AXIS_NAMES[rank][i], inputShape[a], poolSize[i], 1, padding));
    this.settings = { poolSize, strides, padding, dataFormat };
    const out = [...inputShape];
    axes.forEach((a, i) => (out[a] = windowOutput(inputShape[a], poolSize[i], strides[i], 1, padding)));
    return out;
  }

  /** The same window geometry on symbolic sizes (`src/shape.ts`). */
  override computeSizes([sizes]: readonly SizedShape[], output: Shape): SizedShape {
    if (this.settings === undefined) this.computeOutputShape(this.builtInputShape());
    const { poolSize, strides, padding, dataFormat } = this.settings!;
    const out: SizedShape[number][] = [...output];
    spatialIndices(this.rank, dataFormat).forEach((a, i) => {
      const length = sizes?.[a];
      if (typeof length === "string") out[a] = windowOutput(length, poolSize[i], strides[i], 1, padding);
    });
    return out;
  }

  private resolved(): PoolSettings {
    if (this.settings === undefined) this.computeOutputShape(this.builtInputShape());
    return this.settings!;
  }

  override getConfig(): Record<string, unknown> {
    const s = this.resolved();
    return { poolSize: [...s.poolSize], strides: [...s.strides], padding: s.padding, dataFormat: s.dataFormat, name: this.name };
  }

  /** Per sample: every output element compares (max) or adds (average) its whole window: output elements × window elements. */
  override cost(_inputShapes: readonly Shape[], outputShapes: readonly Shape[]): LayerCost {
    const window = this.resolved().poolSize.reduce((p, k) => p * k, 1);
    return { macs: 0, ops: product(sampleElements(outputShapes[0]), window) };
  }

  call(input: Tensor): Tensor {
    const s = this.resolved();
    const pool = POOLS[this.rank];
    if (s.dataFormat === "channelsLast") return pool(this.kind, input, s);
    return channelsFirst(pool(this.kind, channelsLast(input), s));
  }

  /** The backward pass runs channels-last, as the forward pass does. */
  override gradients(dOutput: Tensor, inputs: readonly Tensor[]): LayerGradients {
    const s = this.resolved();
    const first = s.dataFormat === "channelsFirst";
    const x = first ? channelsLast(inputs[0]) : inputs[0];
    const dy = first ? channelsLast(dOutput) : dOutput;
    let dx: Tensor;
    if (this.rank === 3) {
      const [pd, ph, pw] = s.poolSize;
      const [sd, sh, sw] = s.strides;
      dx = pool3dBackward(this.kind, x, dy, { poolSize: [pd, ph, pw], strides: [sd, sh, sw], padding: s.padding });
    } else {
      // 1-D windows run on the 2-D kernels as [steps, 1] images, as the forward pass does.
      const one = this.rank === 1;
      const as4d = (t: Tensor): Tensor => (one ? { shape: [t.shape[0], t.shape[1], 1, t.shape[2]], data: t.data } : t);
      const options = {
        poolSize: [s.poolSize[0], one ? 1 : s.poolSize[1]] as const,
        strides: [s.strides[0], one ? 1 : s.strides[1]] as const,
        padding: s.padding,
      };
      dx = { shape: [...x.shape], data: pool2dBackward(this.kind, as4d(x), as4d(dy), options).data };
    }
    return { inputs: [first ? channelsFirst(dx) : dx], weights: [] };
  }
}

type Kind = "max" | "avg";

/** 1-D pooling runs on the 2-D kernel as a `[steps, 1]` image: one tested window geometry for both. */
function pool1d(kind: Kind, input: Tensor, s: PoolSettings): Tensor {
  const [n, steps, c] = input.shape;
  const image = { shape: [n, steps, 1, c], data: input.data };
  const options = { poolSize: [s.poolSize[0], 1] as const, strides: [s.strides[0], 1] as const, padding: s.padding };
  const y = pool2dLayer(kind, image, options);
  return { shape: [n, y.shape[1], c], data: y.data };
}

function pool2d(kind: Kind, input: Tensor, s: PoolSettings): Tensor {
  const options = { poolSize: [s.poolSize[0], s.poolSize[1]] as const, strides: [s.strides[0], s.strides[1]] as const, padding: s.padding };
  return pool2dLayer(kind, input, options);
}

/**
 * 3-D pooling as two 2-D passes on the fast kernels: each depth slice's
 * height and width windows, then the depth windows over every pixel. A
 * maximum is separable, and so is an average, since a window's count of
 * cells inside the input is the product of its counts per axis.
 */
function pool3d(kind: Kind, input: Tensor, s: PoolSettings): Tensor {
  const [pd, ph, pw] = s.poolSize;
  const [sd, sh, sw] = s.strides;
  if (!fast() || input.shape.length !== 5) {
    const options = { poolSize: [pd, ph, pw] as const, strides: [sd, sh, sw] as const, padding: s.padding };
    return kind === "max" ? maxPool3d(input, options) : averagePool3d(input, options);
  }
  const [n, d, h, w, c] = input.shape;
  const slices = pool2dLayer(kind, { shape: [n * d, h, w, c], data: input.data }, { poolSize: [ph, pw], strides: [sh, sw], padding: s.padding });
  const [, oh, ow] = slices.shape;
  const y = pool2dLayer(kind, { shape: [n, d, oh * ow, c], data: slices.data }, { poolSize: [pd, 1], strides: [sd, 1], padding: s.padding });
  return { shape: [n, y.shape[1], oh, ow, c], data: y.data };
}

/** The pooling itself, on channels-last data, by spatial rank. */
const POOLS = { 1: pool1d, 2: pool2d, 3: pool3d } as const;

const registerPooling = layerRegistrar("pooling", { tfjs, keras, onnx });

/** The pooling classes: one shared base, by spatial rank and reduction. */
const pooling = variantsOf(registerPooling, PoolingND, () => POOL_OPTIONS);

/**
 * Maximum over each window of steps (Keras `MaxPooling1D`).
 *
 * @example
 * new MaxPooling1D().apply([null, 11, 4]); // [null, 5, 4]
 */
export const MaxPooling1D = pooling("MaxPooling1D", "maxPooling1d", [1, "max"], { aliases: ["maxPool1d"], onnx: onnx.pooling });

/**
 * Maximum over each window (Keras `MaxPooling2D`).
 *
 * @example
 * new MaxPooling2D({ poolSize: 2 }).apply([null, 28, 28, 32]); // [null, 14, 14, 32]
 */
export const MaxPooling2D = pooling("MaxPooling2D", "maxPooling2d", [2, "max"], { aliases: ["maxPool2d"], onnx: onnx.pooling });

/**
 * Maximum over each 3-D window (Keras `MaxPooling3D`).
 *
 * @example
 * new MaxPooling3D().apply([null, 8, 9, 10, 3]); // [null, 4, 4, 5, 3]
 */
export const MaxPooling3D = pooling("MaxPooling3D", "maxPooling3d", [3, "max"], { onnx: onnx.pooling });

/**
 * Mean over each window of steps (Keras `AveragePooling1D`); `"same"` padding averages real steps only.
 *
 * @example
 * new AveragePooling1D({ poolSize: 3, strides: 2, padding: "same" }).apply([null, 11, 4]); // [null, 6, 4]
 */
export const AveragePooling1D = pooling("AveragePooling1D", "averagePooling1d", [1, "avg"], { aliases: ["avgPool1d", "avgPooling1d"], onnx: onnx.pooling });

/**
 * Mean over each window (Keras `AveragePooling2D`); `"same"` padding averages real cells only.
 *
 * @example
 * new AveragePooling2D({ poolSize: 2 }).apply([null, 32, 32, 6]); // [null, 16, 16, 6]
 */
export const AveragePooling2D = pooling("AveragePooling2D", "averagePooling2d", [2, "avg"], { aliases: ["avgPool2d", "avgPooling2d"], onnx: onnx.pooling });

/**
 * Mean over each 3-D window (Keras `AveragePooling3D`); `"same"` padding averages real cells only.
 *
 * @example
 * new AveragePooling3D({ padding: "same" }).apply([null, 8, 9, 10, 3]); // [null, 4, 5, 5, 3]
 */
export const AveragePooling3D = pooling("AveragePooling3D", "averagePooling3d", [3, "avg"], { aliases: ["avgPool3d", "avgPooling3d"], onnx: onnx.pooling });

// ---------------------------------------------------------------------------
// Global pooling
// ---------------------------------------------------------------------------

const GLOBAL_OPTIONS = ["dataFormat", "keepdims", "name"];

interface GlobalSettings {
  dataFormat: DataFormat;
  keepdims: boolean;
}

/** What the global pooling layers share: every spatial axis reduced, channels kept. */
abstract class GlobalPoolingND extends Pooling {
  private settings: GlobalSettings | undefined;

  constructor(className: string, method: string, rank: SpatialRank, kind: Kind, config: unknown) {
    super(className, method, rank, kind, config, GLOBAL_OPTIONS);
  }

  computeOutputShape(inputShape: Shape): Shape {
    const { method, config: cfg, rank } = this;
    const dataFormat = dataFormatOption(method, cfg.dataFormat);
    const keepdims = optionalBoolean(method, "keepdims", cfg.keepdims, false);
    exactRank(method, inputShape, rank + 2, layoutText(rank, dataFormat));
    this.settings = { dataFormat, keepdims };
    const channels: Dim = dataFormat === "channelsFirst" ? inputShape[1] : inputShape[rank + 1];
    if (!keepdims) return [inputShape[0], channels];
    const ones = new Array<number>(rank).fill(1);
    return dataFormat === "channelsFirst" ? [inputShape[0], channels, ...ones] : [inputShape[0], ...ones, channels];
  }

  override getConfig(): Record<string, unknown> {
    if (this.settings === undefined) this.computeOutputShape(this.builtInputShape());
    return { dataFormat: this.settings!.dataFormat, keepdims: this.settings!.keepdims, name: this.name };
  }

  /** Per sample: one comparison or addition per input element. */
  override cost(inputShapes: readonly Shape[]): LayerCost {
    return { macs: 0, ops: sampleElements(inputShapes[0]) };
  }

  call(input: Tensor): Tensor {
    if (this.settings === undefined) this.computeOutputShape(this.builtInputShape());
    const { dataFormat, keepdims } = this.settings!;
    const y = globalPoolLayer(this.kind, dataFormat === "channelsFirst" ? channelsLast(input) : input);
    if (!keepdims) return y;
    // Size-1 axes do not move any value, so keeping them is only a new shape.
    const [n, c] = y.shape;
    const ones = new Array<number>(this.rank).fill(1);
    return { shape: dataFormat === "channelsFirst" ? [n, c, ...ones] : [n, ...ones, c], data: y.data };
  }

  override gradients(dOutput: Tensor, inputs: readonly Tensor[]): LayerGradients {
    if (this.settings === undefined) this.computeOutputShape(this.builtInputShape());
    const first = this.settings!.dataFormat === "channelsFirst";
    const x = first ? channelsLast(inputs[0]) : inputs[0];
    // The kept size-1 axes hold the same values as [n, c].
    const dy = { shape: [x.shape[0], x.shape[x.shape.length - 1]], data: dOutput.data };
    const dx = globalPoolBackward(this.kind, x, dy);
    return { inputs: [first ? channelsFirst(dx) : dx], weights: [] };
  }
}

/** The global pooling classes: one shared base, by spatial rank and reduction. */
const globalPooling = variantsOf(registerPooling, GlobalPoolingND, () => GLOBAL_OPTIONS);

/**
 * Maximum over all steps (Keras `GlobalMaxPooling1D`).
 *
 * @example
 * new GlobalMaxPooling1D().apply([null, 20, 16]); // [null, 16]
 */
export const GlobalMaxPooling1D = globalPooling("GlobalMaxPooling1D", "globalMaxPooling1d", [1, "max"], {
  aliases: ["globalMaxPool1d"],
  onnx: onnx.globalPooling,
});

/**
 * Maximum over height and width (Keras `GlobalMaxPooling2D`).
 *
 * @example
 * new GlobalMaxPooling2D().apply([null, 7, 7, 512]); // [null, 512]
 */
export const GlobalMaxPooling2D = globalPooling("GlobalMaxPooling2D", "globalMaxPooling2d", [2, "max"], {
  aliases: ["globalMaxPool2d"],
  onnx: onnx.globalPooling,
});

/**
 * Maximum over depth, height and width (Keras `GlobalMaxPooling3D`).
 *
 * @example
 * new GlobalMaxPooling3D().apply([null, 4, 4, 4, 8]); // [null, 8]
 */
export const GlobalMaxPooling3D = globalPooling("GlobalMaxPooling3D", "globalMaxPooling3d", [3, "max"], { inTfjs: false, onnx: onnx.globalPooling });

/**
 * Mean over all steps (Keras `GlobalAveragePooling1D`).
 *
 * @example
 * new GlobalAveragePooling1D().apply([null, 20, 16]); // [null, 16]
 */
export const GlobalAveragePooling1D = globalPooling("GlobalAveragePooling1D", "globalAveragePooling1d", [1, "avg"], { onnx: onnx.globalPooling });

/**
 * Mean over height and width (Keras `GlobalAveragePooling2D`).
 *
 * @example
 * new GlobalAveragePooling2D({ keepdims: true }).apply([null, 7, 7, 512]); // [null, 1, 1, 512]
 */
export const GlobalAveragePooling2D = globalPooling("GlobalAveragePooling2D", "globalAveragePooling2d", [2, "avg"], { onnx: onnx.globalPooling });

/**
 * Mean over depth, height and width (Keras `GlobalAveragePooling3D`).
 *
 * @example
 * new GlobalAveragePooling3D().apply([null, 4, 4, 4, 8]); // [null, 8]
 */
export const GlobalAveragePooling3D = globalPooling("GlobalAveragePooling3D", "globalAveragePooling3d", [3, "avg"], {
  inTfjs: false,
  onnx: onnx.globalPooling,
});

// ---------------------------------------------------------------------------
// The methods
// ---------------------------------------------------------------------------
