/**
 * The ONNX form of each layer class, exported under the name of the method
 * that makes the layer where one class has it alone (`dense`), otherwise
 * under what several share (`convolution`); each registration carries its
 * mapping (`writers.onnx`), which `toONNX` reads. Recurrent, attention and
 * merge mappings are written in `sequence.ts`.
 */
import { valueText } from "../../checks.js";
import { aspectWindow } from "../../kernels/preprocess-image.js";
import type { Layer } from "../../layers/layer.js";
import { dilatedSpan, transposeAxis } from "../../shape.js";
import type { AttrValue, Emit, Mapping, Value } from "./builder.js";
import {
  activation,
  axisIndex,
  cfgNumbers,
  cfgString,
  channelsFirstOf,
  channelsLastOf,
  float,
  type GraphBuilder,
  inChannelsFirst,
  int,
  INT64,
  INT64_MAX,
  ints,
  spatialSizes,
  str,
  toLastPerm,
  unsupported,
  windowPadding,
} from "./builder.js";
import { bidirectional, concatenate, dot, multiHeadAttention, recurrent, timeDistributed, variadic } from "./sequence.js";

// ---------------------------------------------------------------------------
// Layer mappings
// ---------------------------------------------------------------------------

export const dense: Mapping = (e) => {
  const { g, layer } = e;
  const x = e.inputs[0];
  const [kernel, bias] = e.weights;
  const w = weightConst(e, "kernel", kernel);
  const useBias = e.config.useBias !== false;
  let y: string;
  if (x.shape.length === 2 && useBias) {
    y = g.op1("Gemm", [x.name, w, weightConst(e, "bias", bias)], `${layer.name}/gemm`);
  } else {
    y = g.op1("MatMul", [x.name, w], `${layer.name}/matmul`);
    if (useBias) y = g.op1("Add", [y, weightConst(e, "bias", bias)], `${layer.name}/bias_add`);
  }
  return [activation(g, cfgString(e, "activation"), y, `${layer.name}/activation`, layer)];
};

/** A weight of the layer as a float constant named `<layer>/<name>`. */
function weightConst(e: Emit, name: string, t: { readonly shape: readonly number[]; readonly data: Float32Array }): string {
  return e.g.floatConst(`${e.layer.name}/${name}`, t.shape, t.data);
}

/** Spatial rank from the class name's `1D`/`2D`/`3D`. */
function rankOf(layer: Layer): number {
  const m = /([123])D/.exec(layer.className);
  return m === null ? 2 : Number(m[1]);
}

/**
 * What a convolution or pooling layer's config says of its window, as the
 * ONNX operators take it: spatial rank, window, strides, dilations (1 for a
 * pooling), padding, and the input's spatial sizes.
 */
function windowOf(e: Emit, windowKey: "kernelSize" | "poolSize") {
  const r = rankOf(e.layer);
  return {
    r,
    window: cfgNumbers(e, windowKey),
    strides: cfgNumbers(e, "strides"),
    dilations: windowKey === "kernelSize" ? cfgNumbers(e, "dilationRate") : new Array<number>(r).fill(1),
    padding: cfgString(e, "padding"),
    sizes: spatialSizes(e, r),
  };
}

/** ONNX's kernel layout `[out, in, ...window]` from Keras's `[...window, in, out]` (a transposed kernel's `[...window, out, in]` likewise). */
function kernelPerm(r: number): number[] {
  return [r + 1, r, ...Array.from({ length: r }, (_, i) => i)];
}

export const convolution: Mapping = (e) => {
  const { g, layer } = e;
  const { r, window: kernelSize, strides, dilations, padding, sizes } = windowOf(e, "kernelSize");
  const useBias = e.config.useBias !== false;
  const kind = layer.className.startsWith("Depthwise") ? "depthwise" : layer.className.startsWith("Separable") ? "separable" : "conv";
  const perm = kernelPerm(r);
  const pads: Record<string, AttrValue> =
    padding === "causal" ? { pads: ints([dilations[0] * (kernelSize[0] - 1), 0]) } : windowPadding(sizes, kernelSize, strides, dilations, padding);
  const window = { kernel_shape: ints(kernelSize), strides: ints(strides), dilations: ints(dilations), ...pads };
  const bias = useBias ? e.weights[e.weights.length - 1] : undefined;
  const biasName = () => (bias === undefined ? [] : [weightConst(e, "bias", bias)]);
  const y = inChannelsFirst(
    e,
    r,
    (x) => {
      if (kind === "conv") {
        const k = e.weights[0];
        const groups = (e.config.groups as number | undefined) ?? 1;
        return g.op1("Conv", [x, g.permutedConst(`${layer.name}/kernel`, k, perm), ...biasName()], `${layer.name}/conv`, {
          ...window,
          group: int(groups),
        });
      }
      // Depthwise: `[...k, C, m]` is `[...k, 1, C * m]`, one group per input channel.
      const dk = e.weights[0];
      const channels = dk.shape[r];
      const multiplier = dk.shape[r + 1];
      const depthwiseBias = kind === "depthwise" ? biasName() : [];
      const w = g.permutedConst(`${layer.name}/depthwise_kernel`, { shape: [...dk.shape.slice(0, r), 1, channels * multiplier], data: dk.data }, perm);
      const depth = g.op1("Conv", [x, w, ...depthwiseBias], `${layer.name}/depthwise`, {
        ...window,
        group: int(channels),
      });
      if (kind === "depthwise") return depth;
      const pw = g.permutedConst(`${layer.name}/pointwise_kernel`, e.weights[1], perm);
      return g.op1("Conv", [depth, pw, ...biasName()], `${layer.name}/pointwise`, {
        kernel_shape: ints(new Array<number>(r).fill(1)),
      });
    },
    cfgString(e, "activation"),
  );
  return [y];
};

export const convTranspose: Mapping = (e) => {
  const { g, layer } = e;
  const { r, window: kernelSize, strides, dilations, padding, sizes } = windowOf(e, "kernelSize");
  const outputPadding = e.config.outputPadding as number[] | undefined;
  if (sizes.some((s) => s === null)) unsupported(layer, `transposed convolution needs known spatial sizes, got input ${valueText(e.inputs[0].shape)}`);
  // ONNX ConvTranspose: output position i * s + k * d - padBegin, full length (L - 1) * s + span + outputPadding - pads.
  const begins: number[] = [];
  const ends: number[] = [];
  const extra: number[] = [];
  sizes.forEach((length, i) => {
    const axis = transposeAxis(length as number, kernelSize[i], strides[i], dilations[i], padding as "valid" | "same", outputPadding?.[i]);
    const span = dilatedSpan(kernelSize[i], dilations[i]);
    const full = ((length as number) - 1) * strides[i] + span;
    const end = full - axis.crop - axis.outputLength;
    begins.push(axis.crop);
    ends.push(Math.max(end, 0));
    extra.push(Math.max(-end, 0));
  });
  const kernel = e.weights[0];
  const useBias = e.config.useBias !== false;
  const bias = e.weights[e.weights.length - 1];
  const y = inChannelsFirst(
    e,
    r,
    (x) =>
      g.op1(
        "ConvTranspose",
        [x, g.permutedConst(`${layer.name}/kernel`, kernel, kernelPerm(r)), ...(useBias ? [weightConst(e, "bias", bias)] : [])],
        `${layer.name}/conv_transpose`,
        {
          kernel_shape: ints(kernelSize),
          strides: ints(strides),
          dilations: ints(dilations),
          pads: ints([...begins, ...ends]),
          output_padding: ints(extra),
        },
      ),
    cfgString(e, "activation"),
  );
  return [y];
};

export const pooling: Mapping = (e) => {
  const { g, layer } = e;
  const { r, window: poolSize, strides, dilations, padding, sizes } = windowOf(e, "poolSize");
  const max = layer.className.startsWith("Max");
  const attrs: Record<string, AttrValue> = {
    kernel_shape: ints(poolSize),
    strides: ints(strides),
    ...windowPadding(sizes, poolSize, strides, dilations, padding),
  };
  // Keras 'same' averaging divides by the pixels inside the image: count_include_pad 0.
  if (!max) attrs.count_include_pad = int(0);
  return [inChannelsFirst(e, r, (x) => g.op1(max ? "MaxPool" : "AveragePool", [x], `${layer.name}/pool`, attrs))];
};

export const globalPooling: Mapping = (e) => {
  const { g, layer } = e;
  const r = rankOf(layer);
  const first = cfgString(e, "dataFormat") === "channelsFirst";
  const axes = Array.from({ length: r }, (_, i) => i + (first ? 2 : 1));
  const op = layer.className.startsWith("GlobalMax") ? "ReduceMax" : "ReduceMean";
  return [g.op1(op, [e.inputs[0].name], `${layer.name}/reduce`, { axes: ints(axes), keepdims: int(e.config.keepdims === true ? 1 : 0) })];
};

export const identity: Mapping = (e) => [e.inputs[0].name];

export const flatten: Mapping = (e) => {
  const { g, layer } = e;
  const x = e.inputs[0];
  const rank = x.shape.length;
  // Keras flattens channels-last order; a channels-first input moves its channels last first.
  const source =
    cfgString(e, "dataFormat") === "channelsFirst" && rank > 2
      ? g.op1("Transpose", [x.name], `${layer.name}/to_channels_last`, { perm: ints(toLastPerm(rank - 2)) })
      : x.name;
  return [g.op1("Reshape", [source, g.int64Const(`${layer.name}/shape`, [0, -1])], `${layer.name}/reshape`)];
};

export const reshape: Mapping = (e) => {
  const target = cfgNumbers(e, "targetShape");
  return [e.g.op1("Reshape", [e.inputs[0].name, e.g.int64Const(`${e.layer.name}/shape`, [0, ...target])], `${e.layer.name}/reshape`)];
};

export const permute: Mapping = (e) => [e.g.op1("Transpose", [e.inputs[0].name], `${e.layer.name}/transpose`, { perm: ints([0, ...cfgNumbers(e, "dims")]) })];

export const repeatVector: Mapping = (e) => {
  const { g, layer } = e;
  const n = e.config.n as number;
  const expanded = g.op1("Unsqueeze", [e.inputs[0].name, g.int64Const(`${layer.name}/axis`, [1])], `${layer.name}/unsqueeze`);
  return [g.op1("Expand", [expanded, g.int64Const(`${layer.name}/shape`, [1, n, 1])], `${layer.name}/expand`)];
};

/** The spatial axes of a 1-3D spatial layer's input. */
function spatialAxes(e: Emit, r: number): number[] {
  const first = e.config.dataFormat === "channelsFirst";
  return Array.from({ length: r }, (_, i) => i + (first ? 2 : 1));
}

/** `[before, after]` per spatial axis from a padding or cropping config (1-D: one pair). */
function amountPairs(value: unknown, r: number): [number, number][] {
  if (r === 1) return [value as [number, number]];
  return value as [number, number][];
}

export const zeroPadding: Mapping = (e) => {
  const { g, layer } = e;
  const r = rankOf(layer);
  const rank = e.inputs[0].shape.length;
  const pairs = amountPairs(e.config.padding, r);
  const begins = new Array<number>(rank).fill(0);
  const ends = new Array<number>(rank).fill(0);
  spatialAxes(e, r).forEach((a, i) => {
    begins[a] = pairs[i][0];
    ends[a] = pairs[i][1];
  });
  return [g.op1("Pad", [e.inputs[0].name, g.int64Const(`${layer.name}/pads`, [...begins, ...ends])], `${layer.name}/pad`, { mode: str("constant") })];
};

export const cropping: Mapping = (e) => {
  const { g, layer } = e;
  const r = rankOf(layer);
  const pairs = amountPairs(e.config.cropping, r);
  const axes = spatialAxes(e, r);
  const starts = pairs.map((p) => p[0]);
  const ends = pairs.map((p) => (p[1] === 0 ? INT64_MAX : -p[1]));
  return [
    g.op1(
      "Slice",
      [e.inputs[0].name, g.int64Const(`${layer.name}/starts`, starts), g.int64Const(`${layer.name}/ends`, ends), g.int64Const(`${layer.name}/axes`, axes)],
      `${layer.name}/slice`,
    ),
  ];
};

export const upSampling: Mapping = (e) => {
  const { g, layer } = e;
  const r = rankOf(layer);
  const size = e.config.size;
  const factors = typeof size === "number" ? [size] : (size as number[]);
  const rank = e.inputs[0].shape.length;
  const scales = new Array<number>(rank).fill(1);
  spatialAxes(e, r).forEach((a, i) => (scales[a] = factors[i]));
  // Nearest with asymmetric coordinates and floor is repeating each pixel `factor` times.
  return [
    g.op1("Resize", [e.inputs[0].name, "", g.floatConst(`${layer.name}/scales`, [rank], scales)], `${layer.name}/resize`, {
      mode: str("nearest"),
      coordinate_transformation_mode: str("asymmetric"),
      nearest_mode: str("floor"),
    }),
  ];
};

export const activationLayer: Mapping = (e) => [activation(e.g, cfgString(e, "activation"), e.inputs[0].name, `${e.layer.name}/activation`, e.layer)];

export const reLU: Mapping = (e) => {
  const { g, layer } = e;
  const x = e.inputs[0].name;
  const maxValue = e.config.maxValue as number | undefined;
  const slope = e.config.negativeSlope as number;
  const threshold = e.config.threshold as number;
  // Keras: x where x > threshold (else 0), capped at maxValue, minus slope * (threshold - x) below threshold.
  let y =
    threshold === 0
      ? g.op1("Relu", [x], `${layer.name}/relu`)
      : g.op1(
          "Where",
          [g.op1("Greater", [x, g.scalar(`${layer.name}/threshold`, threshold)], `${layer.name}/above`), x, g.scalar(`${layer.name}/zero`, 0)],
          `${layer.name}/thresholded`,
        );
  if (maxValue !== undefined) y = g.op1("Min", [y, g.scalar(`${layer.name}/max_value`, maxValue)], `${layer.name}/capped`);
  if (slope !== 0) {
    const below = g.op1("Relu", [g.op1("Sub", [g.scalar(`${layer.name}/threshold_below`, threshold), x], `${layer.name}/below`)], `${layer.name}/below_relu`);
    y = g.op1("Sub", [y, g.op1("Mul", [below, g.scalar(`${layer.name}/slope`, slope)], `${layer.name}/leak`)], `${layer.name}/leaky`);
  }
  return [y];
};

export const leakyReLU: Mapping = (e) => [e.g.op1("LeakyRelu", [e.inputs[0].name], `${e.layer.name}/leaky_relu`, { alpha: float(e.config.alpha as number) })];

export const pReLU: Mapping = (e) => {
  const alpha = e.weights[0];
  return [e.g.op1("PRelu", [e.inputs[0].name, weightConst(e, "alpha", alpha)], `${e.layer.name}/prelu`)];
};

export const elu: Mapping = (e) => [e.g.op1("Elu", [e.inputs[0].name], `${e.layer.name}/elu`, { alpha: float(e.config.alpha as number) })];

export const softmax: Mapping = (e) => {
  const { g, layer } = e;
  const x = e.inputs[0];
  const rank = x.shape.length;
  const given = e.config.axis;
  const axes = (Array.isArray(given) ? (given as number[]) : [given as number]).map((a) => axisIndex(a, rank));
  if (axes.length === 1) return [g.op1("Softmax", [x.name], `${layer.name}/softmax`, { axis: int(axes[0]) })];
  // Several axes: exp(x - max) / sum, both over all of them, as Keras does.
  const max = g.op1("ReduceMax", [x.name], `${layer.name}/max`, { axes: ints(axes), keepdims: int(1) });
  const exp = g.op1("Exp", [g.op1("Sub", [x.name, max], `${layer.name}/shifted`)], `${layer.name}/exp`);
  const sum = g.op1("ReduceSum", [exp, g.int64Const(`${layer.name}/axes`, axes)], `${layer.name}/sum`, { keepdims: int(1) });
  return [g.op1("Div", [exp, sum], `${layer.name}/softmax`)];
};

/** `[size]` reshaped to broadcast along `axis` of a tensor of rank `rank`: `[size, 1, ..., 1]`. */
function alongAxis(size: number, axis: number, rank: number): number[] {
  return [size, ...new Array<number>(rank - axis - 1).fill(1)];
}

export const batchNormalization: Mapping = (e) => {
  const { g, layer } = e;
  const x = e.inputs[0];
  const rank = x.shape.length;
  const axis = axisIndex(e.config.axis as number, rank);
  const w = [...e.weights];
  const gamma = e.config.scale !== false ? w.shift()!.data : null;
  const beta = e.config.center !== false ? w.shift()!.data : null;
  const [mean, variance] = w.map((t) => t.data);
  const epsilon = e.config.epsilon as number;
  const size = mean.length;
  // Inference: y = x * a + b with a = gamma / sqrt(var + eps), b = beta - mean * a (float64, then float32).
  const a = new Float32Array(size);
  const b = new Float32Array(size);
  for (let c = 0; c < size; c++) {
    const inv = 1 / Math.sqrt(variance[c] + epsilon);
    const scale = (gamma === null ? 1 : gamma[c]) * inv;
    a[c] = scale;
    b[c] = (beta === null ? 0 : beta[c]) - mean[c] * scale;
  }
  const dims = alongAxis(size, axis, rank);
  const scaled = g.op1("Mul", [x.name, g.floatConst(`${layer.name}/scale`, dims, a)], `${layer.name}/scaled`);
  return [g.op1("Add", [scaled, g.floatConst(`${layer.name}/offset`, dims, b)], `${layer.name}/normalized`)];
};

export const layerNormalization: Mapping = (e) => {
  const { g, layer } = e;
  const x = e.inputs[0];
  const rank = x.shape.length;
  const given = e.config.axis;
  const axes = (Array.isArray(given) ? (given as number[]) : [given as number]).map((a) => axisIndex(a, rank)).sort((p, q) => p - q);
  const w = [...e.weights];
  const gamma = e.config.scale !== false ? w.shift()! : null;
  const beta = e.config.center !== false ? w.shift()! : null;
  const sizes = axes.map((a) => x.shape[a] as number);
  const count = sizes.reduce((p, d) => p * d, 1);
  // ONNX normalises over the trailing axes from `axis` on: other axes are moved there and back.
  const trailing = axes.every((a, i) => a === rank - axes.length + i);
  const others = Array.from({ length: rank }, (_, i) => i).filter((i) => !axes.includes(i));
  const perm = [...others, ...axes];
  const inverse = perm.map((_, i) => perm.indexOf(i));
  const source = trailing ? x.name : g.op1("Transpose", [x.name], `${layer.name}/axes_last`, { perm: ints(perm) });
  const scale = g.floatConst(`${layer.name}/gamma`, sizes, gamma === null ? new Float32Array(count).fill(1) : gamma.data);
  const inputs = [source, scale, ...(beta === null ? [] : [g.floatConst(`${layer.name}/beta`, sizes, beta.data)])];
  const y = g.op1("LayerNormalization", inputs, `${layer.name}/layer_norm`, { axis: int(rank - axes.length), epsilon: float(e.config.epsilon as number) });
  return [trailing ? y : g.op1("Transpose", [y], `${layer.name}/axes_back`, { perm: ints(inverse) })];
};

export const embedding: Mapping = (e) => {
  const { g, layer } = e;
  const table = e.weights[0];
  // shapewise feeds indices as float32 values: the graph casts them to int64 for Gather.
  const indices = g.op1("Cast", [e.inputs[0].name], `${layer.name}/indices`, { to: int(INT64) });
  return [g.op1("Gather", [weightConst(e, "embeddings", table), indices], `${layer.name}/gather`, { axis: int(0) })];
};

export const rescaling: Mapping = (e) => {
  const { g, layer } = e;
  const scaled = g.op1("Mul", [e.inputs[0].name, g.scalar(`${layer.name}/scale`, e.config.scale as number)], `${layer.name}/scaled`);
  return [g.op1("Add", [scaled, g.scalar(`${layer.name}/offset`, e.config.offset as number)], `${layer.name}/rescaled`)];
};

export const normalization: Mapping = (e) => {
  const { g, layer } = e;
  const x = e.inputs[0];
  const rank = x.shape.length;
  const list = (v: unknown): number[] => (Array.isArray(v) ? (v as number[]) : [v as number]);
  // The adaptable form keeps its statistics as weights (mean, variance, count).
  const adapted = e.config.mean === undefined;
  const mean = (adapted ? Array.from(e.weights[0].data) : list(e.config.mean)).map(Math.fround);
  // Keras divides by max(sqrt(variance), 1e-7).
  const denom = (adapted ? Array.from(e.weights[1].data) : list(e.config.variance)).map((v) =>
    Math.max(Math.fround(Math.sqrt(Math.fround(v))), Math.fround(1e-7)),
  );
  const axis = e.config.axis === null ? null : axisIndex(e.config.axis as number, rank);
  const dims = axis === null || mean.length === 1 ? [] : alongAxis(mean.length, axis, rank);
  const m = g.floatConst(`${layer.name}/mean`, dims, mean);
  const d = g.floatConst(`${layer.name}/std`, dims, denom);
  if (e.config.invert === true) return [g.op1("Add", [g.op1("Mul", [x.name, d], `${layer.name}/scaled`), m], `${layer.name}/denormalized`)];
  return [g.op1("Div", [g.op1("Sub", [x.name, m], `${layer.name}/centred`), d], `${layer.name}/normalized`)];
};

/** The dynamic `[n, c]` of a channels-first batch joined with fixed sizes: the `sizes` input of Resize. */
function resizeSizes(g: GraphBuilder, x: string, hint: string, height: number, width: number): string {
  const shape = g.op1("Shape", [x], `${hint}/shape`);
  const nc = g.op1("Slice", [shape, g.int64Const(`${hint}/nc_start`, [0]), g.int64Const(`${hint}/nc_end`, [2])], `${hint}/nc`);
  return g.op1("Concat", [nc, g.int64Const(`${hint}/hw`, [height, width])], `${hint}/sizes`, { axis: int(0) });
}

/** Keras 3 (JAX) image resizing: half-pixel centres; nearest takes floor((i + 0.5) * from / to). */
function resizeImage(g: GraphBuilder, x: Value, hint: string, height: number, width: number, method: string): string {
  const first = channelsFirstOf(g, x, 2, hint);
  const attrs: Record<string, AttrValue> =
    method === "nearest"
      ? { mode: str("nearest"), coordinate_transformation_mode: str("half_pixel"), nearest_mode: str("round_prefer_ceil") }
      : { mode: str("linear"), coordinate_transformation_mode: str("half_pixel") };
  const y = g.op1("Resize", [first, "", "", resizeSizes(g, first, hint, height, width)], `${hint}/resize`, attrs);
  return channelsLastOf(g, y, 2, hint);
}

/** A centred crop of an NHWC batch (Keras `smart_resize`'s crop box). */
function centreCrop(g: GraphBuilder, x: Value, hint: string, top: number, left: number, height: number, width: number): Value {
  const y = g.op1(
    "Slice",
    [x.name, g.int64Const(`${hint}/starts`, [top, left]), g.int64Const(`${hint}/ends`, [top + height, left + width]), g.int64Const(`${hint}/axes`, [1, 2])],
    `${hint}/crop`,
  );
  return { name: y, shape: [x.shape[0], height, width, x.shape[3]] };
}

/** The crop box `smart_resize` takes before resizing to a different aspect ratio. */
function aspectCrop(e: Emit, height: number, width: number): [number, number, number, number] {
  const [, h, w] = e.inputs[0].shape;
  if (h === null || w === null) unsupported(e.layer, `cropping to the aspect ratio needs known image sizes, got input ${valueText(e.inputs[0].shape)}`);
  const win = aspectWindow(h, w, height, width);
  return [win.top, win.left, win.height, win.width];
}

export const resizing: Mapping = (e) => {
  const { g, layer } = e;
  const height = e.config.height as number;
  const width = e.config.width as number;
  let x = e.inputs[0];
  if (e.config.cropToAspectRatio === true) x = centreCrop(g, x, `${layer.name}/aspect`, ...aspectCrop(e, height, width));
  return [resizeImage(g, x, layer.name, height, width, cfgString(e, "interpolation"))];
};

export const centerCrop: Mapping = (e) => {
  const { g, layer } = e;
  const height = e.config.height as number;
  const width = e.config.width as number;
  const [, h, w] = e.inputs[0].shape;
  if (h === null || w === null) unsupported(layer, `needs known image sizes, got input ${valueText(e.inputs[0].shape)}`);
  if (h >= height && w >= width) return [centreCrop(g, e.inputs[0], layer.name, Math.trunc((h - height) / 2), Math.trunc((w - width) / 2), height, width).name];
  // A smaller image is cropped to the aspect ratio and resized, as Keras does.
  const cropped = centreCrop(g, e.inputs[0], `${layer.name}/aspect`, ...aspectCrop(e, height, width));
  return [resizeImage(g, cropped, layer.name, height, width, "bilinear")];
};

// The merges' mappings, one ONNX operator each, under their methods' names.
export const add = variadic("Sum");
export const subtract = variadic("Sub");
export const multiply = variadic("Mul");
export const average = variadic("Mean");
export const maximum = variadic("Max");
export const minimum = variadic("Min");

export { bidirectional, concatenate, dot, multiHeadAttention, recurrent, timeDistributed };
