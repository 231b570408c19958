import { checkTensor } from "./tensor.js";
import type { Tensor } from "./tensor.js";
import type { TransposeAxis } from "../shape.js";

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
  for (const a of axes) {
    if (
      !Number.isSafeInteger(a.outputLength) ||
      a.outputLength < 1 ||
      !Number.isSafeInteger(a.crop) ||
      a.crop < 0 ||
      !Number.isSafeInteger(a.stride) ||
      a.stride < 1 ||
      !Number.isSafeInteger(a.dilation) ||
      a.dilation < 1
    ) {
      throw new RangeError(`convTransposeNd: invalid axis ${JSON.stringify(a)}`);
    }
  }
  const [n, d, h, w, cin] = input.shape;
  const [kd, kh, kw, cout, kcin] = kernel.shape;
  if (kcin !== cin) throw new RangeError(`convTransposeNd: kernel expects ${kcin} input channels, input has ${cin}`);
  if (bias !== null) {
    checkTensor(bias, "convTransposeNd bias", 1);
    if (bias.shape[0] !== cout) throw new RangeError(`convTransposeNd: bias has ${bias.shape[0]} entries, kernel has ${cout} filters`);
  }
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
  const [az, ay, ax] = axes;
  const x = input.data;
  const k = kernel.data;
  const acc = new Float64Array(n * od * oh * ow * cout);
  for (let bi = 0; bi < n; bi++) {
    for (let iz = 0; iz < d; iz++) {
      for (let iy = 0; iy < h; iy++) {
        for (let ix = 0; ix < w; ix++) {
          const xOff = (((bi * d + iz) * h + iy) * w + ix) * cin;
          for (let kz = 0; kz < kd; kz++) {
            const oz = iz * az.stride + kz * az.dilation - az.crop;
            if (oz < 0 || oz >= od) continue;
            for (let ky = 0; ky < kh; ky++) {
              const oy = iy * ay.stride + ky * ay.dilation - ay.crop;
              if (oy < 0 || oy >= oh) continue;
              for (let kx = 0; kx < kw; kx++) {
                const ox = ix * ax.stride + kx * ax.dilation - ax.crop;
                if (ox < 0 || ox >= ow) continue;
                const oOff = (((bi * od + oz) * oh + oy) * ow + ox) * cout;
                const kOff = ((kz * kh + ky) * kw + kx) * cout * cin;
                for (let co = 0; co < cout; co++) {
                  let sum = 0;
                  const kRow = kOff + co * cin;
                  for (let ci = 0; ci < cin; ci++) sum += x[xOff + ci] * k[kRow + ci];
                  acc[oOff + co] += sum;
                }
              }
            }
          }
        }
      }
    }
  }
  const out = new Float32Array(acc.length);
  const b = bias === null ? null : bias.data;
  for (let i = 0; i < acc.length; i++) out[i] = b === null ? acc[i] : acc[i] + b[i % cout];
  return { shape: [n, od, oh, ow, cout], data: out };
}
