import { checkBias, checkTensor } from "./tensor.js";
import type { Tensor } from "./tensor.js";
import type { TransposeAxis } from "../shape.js";
import { checkAxes, transposeWindows, walkWindows } from "./windows.js";

/**
 * The axis a lower-rank transposed convolution adds in front: one position, nothing cropped.
 *
 * @example
 * ```ts
 * convTransposeNd(x5d, k5d, null, [UNIT_TRANSPOSE_AXIS, UNIT_TRANSPOSE_AXIS, steps]); // a 1-D transpose
 * ```
 */
export const UNIT_TRANSPOSE_AXIS: TransposeAxis = { outputLength: 1, crop: 0, stride: 1, dilation: 1 };

/**
 * The sizes of a {@link convTransposeNd} call, after checking that input,
 * kernel, bias and axes fit together (RangeError otherwise). Shared by the
 * reference and the fast kernels, so both reject the same calls with the
 * same message.
 *
 * @example
 * ```ts
 * convTransposeNdGeometry(x5d, k5d, null, [UNIT_TRANSPOSE_AXIS, rows, cols]).cout; // k5d.shape[3]
 * ```
 */
export function convTransposeNdGeometry(input: Tensor, kernel: Tensor, bias: Tensor | null, axes: readonly [TransposeAxis, TransposeAxis, TransposeAxis]) {
  checkTensor(input, "convTransposeNd input", 5);
  checkTensor(kernel, "convTransposeNd kernel", 5);
  checkAxes("convTransposeNd", axes, { outputLength: 1, crop: 0, stride: 1, dilation: 1 });
  const [n, d, h, w, cin] = input.shape;
  const [kd, kh, kw, cout, kcin] = kernel.shape;
  if (kcin !== cin) throw new RangeError(`convTransposeNd: kernel expects ${kcin} input channels, input has ${cin}`);
  checkBias(bias, cout, "convTransposeNd", "filters");
  return { n, d, h, w, cin, kd, kh, kw, cout, od: axes[0].outputLength, oh: axes[1].outputLength, ow: axes[2].outputLength };
}

/**
 * A 3-D transposed convolution (the gradient of a convolution with respect
 * to its input, as Keras `ConvNDTranspose` computes it), channels-last;
 * 1-D and 2-D layers call it with size-1 leading axes.
 *
 * - `input`: `[n, d, h, w, cin]`
 * - `kernel`: `[kd, kh, kw, cout, cin]` (the Keras layout: filters before input channels)
 * - `bias`: `[cout]` or `null`
 * - returns `[n, od, oh, ow, cout]`
 *
 * Each input position scatters into the outputs its taps reach; sums are
 * accumulated in float64 and rounded to float32 once at the end.
 *
 * @example
 * ```ts
 * const y = convTransposeNd(x, k, b, [UNIT_TRANSPOSE_AXIS, transposeAxis(3, 3, 2, 1, "same", undefined), transposeAxis(3, 3, 2, 1, "same", undefined)]);
 * y.shape; // [n, 1, 6, 6, cout]
 * ```
 */
export function convTransposeNd(
  input: Tensor,
  kernel: Tensor,
  bias: Tensor | null,
  axes: readonly [TransposeAxis, TransposeAxis, TransposeAxis],
): Tensor<readonly [number, number, number, number, number]> {
  const { n, d, h, w, cin, kd, kh, kw, cout, od, oh, ow } = convTransposeNdGeometry(input, kernel, bias, axes);
  const x = input.data;
  const k = kernel.data;
  const acc = new Float64Array(n * od * oh * ow * cout);
  walkWindows(n, transposeWindows(axes, [d, h, w], [kd, kh, kw]), (p, q, t) => {
    const xOff = p * cin;
    const oOff = q * cout;
    const kOff = t * cout * cin;
    for (let co = 0; co < cout; co++) {
      let sum = 0;
      const kRow = kOff + co * cin;
      for (let ci = 0; ci < cin; ci++) sum += x[xOff + ci] * k[kRow + ci];
      acc[oOff + co] += sum;
    }
  });
  const out = new Float32Array(acc.length);
  const b = bias === null ? null : bias.data;
  for (let i = 0; i < acc.length; i++) out[i] = b === null ? acc[i] : acc[i] + b[i % cout];
  return { shape: [n, od, oh, ow, cout], data: out };
}
