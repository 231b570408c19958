/**
 * Shapes and window geometry at run time (type twin: `types/shape.ts`): dims
 * and shapes, data formats and axis names, and the arithmetic of windows
 * (output length and padding, transposed length, dilated span) that layers,
 * kernels and io all read from here.
 */
import { fail, oneOf } from "./checks.js";
import { sizeAdd, sizeDivCeil, sizeDivFloor, sizeMultiply, sizeSubtract } from "./size.js";

/** A dimension: a size, or `null` for one known only when data arrives. */
export type Dim = number | null;
/** A shape, batch dimension first. */
export type Shape = readonly Dim[];

/**
 * A dimension that may be a symbolic size in canonical text (`"8*H"`, see
 * `src/size.ts`): what the layer rules compute for names given to `input`.
 * Summaries and files show it as `null` (Keras's `None`).
 *
 * @example
 * const d: SizedDim = "8*H";
 */
export type SizedDim = number | string | null;
/** A shape whose sizes may be symbolic. */
export type SizedShape = readonly SizedDim[];

/**
 * A shape whose sizes may be symbolic as sentences print it: names bare, as
 * the types print them.
 *
 * @example
 * sizedShapeText([null, "T", 512]); // "[null, T, 512]"
 */
export function sizedShapeText(shape: SizedShape): string {
  return `[${shape.map((d) => (d === null ? "null" : String(d))).join(", ")}]`;
}

// ---------------------------------------------------------------------------
// layouts: data formats and axis names
// ---------------------------------------------------------------------------

/**
 * Where the channels are, as TensorFlow.js spells Keras' `data_format`:
 * last (default) or right after the batch.
 *
 * @example
 * const format: DataFormat = "channelsFirst";
 */
export type DataFormat = "channelsLast" | "channelsFirst";

/**
 * Every data format, default first.
 *
 * @example
 * DATA_FORMATS.includes("channelsFirst"); // true
 */
export const DATA_FORMATS: readonly DataFormat[] = ["channelsLast", "channelsFirst"];

/**
 * Reads an optional `dataFormat` option (default `"channelsLast"`).
 *
 * @example
 * dataFormatOption("maxPooling2d", undefined); // "channelsLast"
 */
export function dataFormatOption(method: string, value: unknown): DataFormat {
  return value === undefined ? "channelsLast" : oneOf(method, "dataFormat", value, DATA_FORMATS);
}

/**
 * Number of spatial axes of a layer.
 *
 * @example
 * const n: SpatialRank = 3;
 */
export type SpatialRank = 1 | 2 | 3;

/**
 * The names messages give the spatial axes, per spatial rank.
 *
 * @example
 * AXIS_NAMES[3]; // ["depth", "height", "width"]
 */
export const AXIS_NAMES: Readonly<Record<SpatialRank, readonly string[]>> = {
  1: ["steps"],
  2: ["height", "width"],
  3: ["depth", "height", "width"],
};

/**
 * The input layout messages print.
 *
 * @example
 * layoutText(2, "channelsFirst"); // "[batch, channels, height, width]"
 */
export function layoutText(n: SpatialRank, dataFormat: DataFormat): string {
  const axes = AXIS_NAMES[n].join(", ");
  return dataFormat === "channelsFirst" ? `[batch, channels, ${axes}]` : `[batch, ${axes}, channels]`;
}

/**
 * The positions of the `n` spatial axes in a shape.
 *
 * @example
 * spatialIndices(2, "channelsLast");  // [1, 2]
 * spatialIndices(2, "channelsFirst"); // [2, 3]
 */
export function spatialIndices(n: SpatialRank, dataFormat: DataFormat): number[] {
  const first = dataFormat === "channelsFirst" ? 2 : 1;
  return Array.from({ length: n }, (_, i) => first + i);
}

// ---------------------------------------------------------------------------
// windows: convolution and pooling geometry
// ---------------------------------------------------------------------------

/** How a window meets the border. */
export type Padding = "valid" | "same";

/**
 * The window paddings every windowed layer accepts.
 *
 * @example
 * PADDINGS.includes("same"); // true
 */
export const PADDINGS: readonly Padding[] = ["valid", "same"];

/**
 * The extent a window of `kernel` taps covers when its taps are `dilation`
 * apart: `dilation * (kernel - 1) + 1`.
 *
 * @example
 * dilatedSpan(3, 2); // 5
 */
export function dilatedSpan(kernel: number, dilation: number): number {
  return dilation * (kernel - 1) + 1;
}

/**
 * The size a window leaves of a length, as Keras 3 computes it; `null` stays `null`.
 *
 * @example
 * windowOutput(28, 3, 1, 1, "valid"); // 26
 */
export function windowOutput(length: Dim, kernel: number, stride: number, dilation: number, padding: Padding): Dim;
export function windowOutput(length: SizedDim, kernel: number, stride: number, dilation: number, padding: Padding): SizedDim;
export function windowOutput(length: SizedDim, kernel: number, stride: number, dilation: number, padding: Padding): SizedDim {
  if (length === null) return null;
  if (typeof length === "string") {
    return padding === "same" ? sizeDivCeil(length, stride) : sizeAdd(sizeDivFloor(sizeSubtract(length, dilatedSpan(kernel, dilation)), stride), 1);
  }
  if (padding === "same") return Math.ceil(length / stride);
  return Math.floor((length - dilatedSpan(kernel, dilation)) / stride) + 1;
}

/**
 * Throws when a window does not fit its input along one axis with `"valid"` padding.
 *
 * @example
 * windowFits("conv1d", "kernelSize", "steps", 5, 7, 1, "valid"); // throws: kernelSize 7 is larger than input steps 5
 */
export function windowFits(method: string, key: string, axis: string, length: Dim, kernel: number, dilation: number, padding: Padding): void {
  if (padding !== "valid" || length === null) return;
  const span = dilatedSpan(kernel, dilation);
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

/**
 * Output length and padding of one spatial axis of a convolution or pooling
 * window, as Keras 3, tf.keras and TF.js compute it (reference §1.7):
 *
 * - `dk = dilatedSpan(kernelSize, dilation)` (effective window extent)
 * - `"valid"`: `out = floor((L - dk) / stride) + 1`, no padding
 * - `"same"`: `out = ceil(L / stride)`,
 *   `total = max((out - 1) * stride + dk - L, 0)`,
 *   `padBefore = floor(total / 2)`, `padAfter = total - padBefore`
 *   (the odd pixel goes after, i.e. bottom/right)
 *
 * Callers are expected to validate sizes with a descriptive message first; this
 * still throws a RangeError rather than return a non-positive length, because
 * TF.js silently producing empty tensors is exactly the bug to avoid.
 *
 * @example
 * convOutputGeometry(6, 3, 2, 1, "same");  // { outputLength: 3, padBefore: 0, padAfter: 1 }
 * convOutputGeometry(28, 3, 1, 1, "valid"); // { outputLength: 26, padBefore: 0, padAfter: 0 }
 */
export function convOutputGeometry(
  inputLength: number,
  kernelSize: number,
  stride: number,
  dilation: number,
  padding: Padding,
): { outputLength: number; padBefore: number; padAfter: number } {
  if (
    !Number.isSafeInteger(inputLength) ||
    inputLength < 0 ||
    !Number.isSafeInteger(kernelSize) ||
    kernelSize < 1 ||
    !Number.isSafeInteger(stride) ||
    stride < 1 ||
    !Number.isSafeInteger(dilation) ||
    dilation < 1
  ) {
    throw new RangeError(`convOutputGeometry: invalid arguments (input ${inputLength}, kernel ${kernelSize}, stride ${stride}, dilation ${dilation})`);
  }
  const dk = dilatedSpan(kernelSize, dilation);
  if (padding === "same") {
    const outputLength = Math.ceil(inputLength / stride);
    if (outputLength < 1) {
      throw new RangeError(`convOutputGeometry: "same" padding of an empty axis (input length ${inputLength})`);
    }
    const total = Math.max((outputLength - 1) * stride + dk - inputLength, 0);
    const padBefore = Math.floor(total / 2);
    return { outputLength, padBefore, padAfter: total - padBefore };
  }
  if (padding === "valid") {
    const outputLength = Math.floor((inputLength - dk) / stride) + 1;
    if (outputLength < 1) {
      throw new RangeError(`convOutputGeometry: input length ${inputLength} is smaller than the effective window ${dk} with "valid" padding`);
    }
    return { outputLength, padBefore: 0, padAfter: 0 };
  }
  throw new RangeError(`convOutputGeometry: unknown padding ${JSON.stringify(padding)}`);
}

// ---------------------------------------------------------------------------
// transposed windows
// ---------------------------------------------------------------------------

/**
 * One spatial axis of a transposed convolution: input position `i` and
 * kernel tap `k` add to output position `i * stride + k * dilation - crop`,
 * kept when it lies in `[0, outputLength)`.
 *
 * @example
 * // Conv2DTranspose(k=3, s=2, "same") on 3 pixels: 6 outputs, nothing cropped in front.
 * const axis: TransposeAxis = { outputLength: 6, crop: 0, stride: 2, dilation: 1 };
 */
export interface TransposeAxis {
  readonly outputLength: number;
  readonly crop: number;
  readonly stride: number;
  readonly dilation: number;
}

/**
 * The geometry of one axis of a Keras 3 transposed convolution, from the
 * padding Keras hands JAX (`_convert_conv_transpose_padding_args_from_keras_to_jax`
 * in `keras/src/backend/common/backend_utils.py`): JAX pads the
 * stride-dilated input with `left_pad` zeros, so the full transposed output
 * (length `(L - 1) * s + dk`) is cropped by `dk - 1 - left_pad` in front.
 * The output length is Keras 3's `_get_output_shape_given_tf_padding`.
 * `outputPadding` is `undefined` when the option is left out.
 *
 * @example
 * transposeAxis(8, 3, 2, 1, "valid", undefined); // { outputLength: 17, crop: 0, stride: 2, dilation: 1 }
 * transposeAxis(8, 4, 2, 1, "same", 0);          // { outputLength: 14, crop: 2, stride: 2, dilation: 1 }
 */
export function transposeAxis(
  inputLength: number,
  kernelSize: number,
  stride: number,
  dilation: number,
  padding: Padding,
  outputPadding: number | undefined,
): TransposeAxis {
  const span = dilatedSpan(kernelSize, dilation);
  let leftPad: number;
  let outputLength: number;
  if (padding === "valid") {
    const op = outputPadding === undefined ? Math.max(span, stride) - span : outputPadding;
    leftPad = span - 1;
    outputLength = (inputLength - 1) * stride + span + op;
  } else {
    const padLength = outputPadding === undefined ? stride + span - 2 : span + (span % 2) - 2 + outputPadding;
    leftPad = Math.min(Math.floor(padLength / 2) + (padLength % 2), span - 1);
    outputLength = outputPadding === undefined ? inputLength * stride : (inputLength - 1) * stride + (span % 2) + outputPadding;
  }
  return { outputLength, crop: span - 1 - leftPad, stride, dilation };
}

/** A transposed convolution's window along one axis, as {@link transposeOutput} takes it. */
type TransposeWindow = [kernel: number, stride: number, dilation: number, padding: Padding, outputPadding: number | undefined];

/**
 * The length a transposed convolution gives an input length ({@link transposeAxis}'s
 * output length); `null` stays `null`.
 *
 * @example
 * transposeOutput(8, 3, 2, 1, "valid", undefined); // 17
 * transposeOutput(8, 4, 2, 1, "same", 0);          // 14
 */
export function transposeOutput(length: Dim, ...window: TransposeWindow): Dim;
export function transposeOutput(length: SizedDim, ...window: TransposeWindow): SizedDim;
export function transposeOutput(length: SizedDim, ...[kernel, stride, dilation, padding, outputPadding]: TransposeWindow): SizedDim {
  if (typeof length !== "string") return length === null ? null : transposeAxis(length, kernel, stride, dilation, padding, outputPadding).outputLength;
  // The same formulas as transposeAxis, in the size algebra: (L - 1) s + rest, or L s.
  const span = dilatedSpan(kernel, dilation);
  const stretched = sizeMultiply(sizeSubtract(length, 1), stride);
  if (padding === "valid") return sizeAdd(stretched, span + (outputPadding === undefined ? Math.max(span, stride) - span : outputPadding));
  return outputPadding === undefined ? sizeMultiply(length, stride) : sizeAdd(stretched, (span % 2) + outputPadding);
}
