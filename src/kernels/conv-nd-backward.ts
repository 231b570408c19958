/**
 * The backward twins of {@link convNd} (grouped and depthwise convolutions
 * of any rank, causal ones, dilations) and {@link convTransposeNd}: the same
 * loops over output positions (input positions for the transpose) and taps,
 * run the other way. Sums are accumulated in float64 and rounded once.
 */
import type { ConvAxis } from "./conv-nd.js";
import type { TransposeAxis } from "../shape.js";
import { checkTensor } from "./tensor.js";
import type { Tensor } from "./tensor.js";

/** Gradients of a convolution with respect to its input, kernel and bias (5-D, as the kernels take them). */
export interface ConvNdGradients {
  readonly input: Tensor;
  readonly kernel: Tensor;
  readonly bias: Tensor;
}

const rounded = (shape: readonly number[], values: Float64Array): Tensor => ({ shape: [...shape], data: Float32Array.from(values) });

function checkGradient(dOut: Tensor, expected: readonly number[], what: string): void {
  checkTensor(dOut, `${what} output gradient`, 5);
  if (dOut.shape.some((d, i) => d !== expected[i])) {
    throw new RangeError(`${what} backward: output gradient of shape [${dOut.shape.join(", ")}] for an output of [${expected.join(", ")}]`);
  }
}

/**
 * Gradients of `convNd(input, kernel, bias, axes, groups)` given the
 * gradient of its output `[n, od, oh, ow, cout]`.
 *
 * @example
 * ```ts
 * const g = convNdBackward(x, k, dy, [UNIT_AXIS, rows, cols], 2);
 * g.kernel.shape; // k.shape
 * ```
 */
export function convNdBackward(input: Tensor, kernel: Tensor, dOut: Tensor, axes: readonly [ConvAxis, ConvAxis, ConvAxis], groups: number): ConvNdGradients {
  checkTensor(input, "convNd input", 5);
  checkTensor(kernel, "convNd kernel", 5);
  const [n, d, h, w, cin] = input.shape;
  const [kd, kh, kw, cinG, cout] = kernel.shape;
  if (!Number.isSafeInteger(groups) || groups < 1 || cin % groups !== 0 || cout % groups !== 0 || cinG !== cin / groups) {
    throw new RangeError(`convNd backward: kernel [${kernel.shape.join(", ")}] with ${groups} group(s) does not fit ${cin} input channels`);
  }
  const [az, ay, ax] = axes;
  const od = az.outputLength;
  const oh = ay.outputLength;
  const ow = ax.outputLength;
  checkGradient(dOut, [n, od, oh, ow, cout], "convNd");
  const coutG = cout / groups;
  const x = input.data;
  const k = kernel.data;
  const dy = dOut.data;
  const dx = new Float64Array(x.length);
  const dk = new Float64Array(k.length);
  const db = new Float64Array(cout);
  let o = 0;
  for (let bi = 0; bi < n; bi++) {
    for (let oz = 0; oz < od; oz++) {
      const iz0 = oz * az.stride - az.padBefore;
      for (let oy = 0; oy < oh; oy++) {
        const iy0 = oy * ay.stride - ay.padBefore;
        for (let ox = 0; ox < ow; ox++, o += cout) {
          const ix0 = ox * ax.stride - ax.padBefore;
          for (let co = 0; co < cout; co++) db[co] += dy[o + co];
          for (let kz = 0; kz < kd; kz++) {
            const iz = iz0 + kz * az.dilation;
            if (iz < 0 || iz >= d) continue;
            for (let ky = 0; ky < kh; ky++) {
              const iy = iy0 + ky * ay.dilation;
              if (iy < 0 || iy >= h) continue;
              for (let kx = 0; kx < kw; kx++) {
                const ix = ix0 + kx * ax.dilation;
                if (ix < 0 || ix >= w) continue;
                const xOff = (((bi * d + iz) * h + iy) * w + ix) * cin;
                const kOff = ((kz * kh + ky) * kw + kx) * cinG * cout;
                for (let g = 0; g < groups; g++) {
                  const co0 = g * coutG;
                  const co1 = co0 + coutG;
                  for (let ci = 0; ci < cinG; ci++) {
                    const at = xOff + g * cinG + ci;
                    const v = x[at];
                    const kRow = kOff + ci * cout;
                    let sum = 0;
                    for (let co = co0; co < co1; co++) {
                      const gy = dy[o + co];
                      sum += gy * k[kRow + co];
                      dk[kRow + co] += v * gy;
                    }
                    dx[at] += sum;
                  }
                }
              }
            }
          }
        }
      }
    }
  }
  return { input: rounded(input.shape, dx), kernel: rounded(kernel.shape, dk), bias: rounded([cout], db) };
}

/**
 * Gradients of `convTransposeNd(input, kernel, bias, axes)` given the
 * gradient of its output `[n, od, oh, ow, cout]`; the kernel is
 * `[kd, kh, kw, cout, cin]` as Keras lays out a transposed kernel.
 *
 * @example
 * ```ts
 * const g = convTransposeNdBackward(x, k, dy, [UNIT_TRANSPOSE_AXIS, rows, cols]);
 * ```
 */
export function convTransposeNdBackward(
  input: Tensor,
  kernel: Tensor,
  dOut: Tensor,
  axes: readonly [TransposeAxis, TransposeAxis, TransposeAxis],
): ConvNdGradients {
  checkTensor(input, "convTransposeNd input", 5);
  checkTensor(kernel, "convTransposeNd kernel", 5);
  const [n, d, h, w, cin] = input.shape;
  const [kd, kh, kw, cout, kcin] = kernel.shape;
  if (kcin !== cin) throw new RangeError(`convTransposeNd backward: kernel expects ${kcin} input channels, input has ${cin}`);
  const [az, ay, ax] = axes;
  const od = az.outputLength;
  const oh = ay.outputLength;
  const ow = ax.outputLength;
  checkGradient(dOut, [n, od, oh, ow, cout], "convTransposeNd");
  const x = input.data;
  const k = kernel.data;
  const dy = dOut.data;
  const dx = new Float64Array(x.length);
  const dk = new Float64Array(k.length);
  const db = new Float64Array(cout);
  for (let i = 0; i < dy.length; i++) db[i % cout] += dy[i];
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
                  const gy = dy[oOff + co];
                  if (gy === 0) continue;
                  const kRow = kOff + co * cin;
                  for (let ci = 0; ci < cin; ci++) {
                    dx[xOff + ci] += gy * k[kRow + ci];
                    dk[kRow + ci] += gy * x[xOff + ci];
                  }
                }
              }
            }
          }
        }
      }
    }
  }
  return { input: rounded(input.shape, dx), kernel: rounded(kernel.shape, dk), bias: rounded([cout], db) };
}
