/**
 * The backward twins of {@link convNd} (grouped and depthwise convolutions
 * of any rank, causal ones, dilations) and {@link convTransposeNd}: the same
 * loops over output positions (input positions for the transpose) and taps,
 * run the other way. Sums are accumulated in float64 and rounded once.
 */
import { convNdGeometry } from "./conv-nd.js";
import type { ConvAxis } from "./conv-nd.js";
import { convTransposeNdGeometry } from "./conv-transpose.js";
import type { TransposeAxis } from "../shape.js";
import { checkOutputGradient } from "./tensor.js";
import type { Tensor } from "./tensor.js";
import { convWindows, transposeWindows, walkWindows } from "./windows.js";

/** Gradients of a convolution with respect to its input, kernel and bias (5-D, as the kernels take them). */
export interface ConvNdGradients {
  readonly input: Tensor;
  readonly kernel: Tensor;
  readonly bias: Tensor;
}

const rounded = (shape: readonly number[], values: Float64Array): Tensor => ({ shape: [...shape], data: Float32Array.from(values) });

/** The operands' data and the float64 sums of the three gradients, zeroed. */
function gradientSums(input: Tensor, kernel: Tensor, dOut: Tensor, cout: number) {
  return {
    x: input.data,
    k: kernel.data,
    dy: dOut.data,
    dx: new Float64Array(input.data.length),
    dk: new Float64Array(kernel.data.length),
    db: new Float64Array(cout),
  };
}

/**
 * Gradients from {@link convNdBackward} on 5-D views, given back in the
 * shapes of the caller's own input and kernel (the data is the same).
 *
 * @example
 * ```ts
 * reshapedGradients(convNdBackward(x5d, k5d, dy5d, axes, 1), x, k).kernel.shape; // k.shape
 * ```
 */
export function reshapedGradients(g: ConvNdGradients, input: Tensor, kernel: Tensor): ConvNdGradients {
  return { input: { shape: [...input.shape], data: g.input.data }, kernel: { shape: [...kernel.shape], data: g.kernel.data }, bias: g.bias };
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
  const { n, d, h, w, cin, kd, kh, kw, cinG, cout, od, oh, ow, coutG } = convNdGeometry(input, kernel, null, axes, groups);
  checkOutputGradient(dOut, [n, od, oh, ow, cout], "convNd");
  const { x, k, dy, dx, dk, db } = gradientSums(input, kernel, dOut, cout);
  walkWindows(
    n,
    convWindows(axes, [d, h, w], [kd, kh, kw]),
    (p, q, t) => {
      const o = p * cout;
      const xOff = q * cin;
      const kOff = t * cinG * cout;
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
    },
    (p) => {
      for (let co = 0; co < cout; co++) db[co] += dy[p * cout + co];
    },
  );
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
  const { n, d, h, w, cin, kd, kh, kw, cout, od, oh, ow } = convTransposeNdGeometry(input, kernel, null, axes);
  checkOutputGradient(dOut, [n, od, oh, ow, cout], "convTransposeNd");
  const { x, k, dy, dx, dk, db } = gradientSums(input, kernel, dOut, cout);
  for (let i = 0; i < dy.length; i++) db[i % cout] += dy[i];
  walkWindows(n, transposeWindows(axes, [d, h, w], [kd, kh, kw]), (p, q, t) => {
    const xOff = p * cin;
    const oOff = q * cout;
    const kOff = t * cout * cin;
    for (let co = 0; co < cout; co++) {
      const gy = dy[oOff + co];
      if (gy === 0) continue;
      const kRow = kOff + co * cin;
      for (let ci = 0; ci < cin; ci++) {
        dx[xOff + ci] += gy * k[kRow + ci];
        dk[kRow + ci] += gy * x[xOff + ci];
      }
    }
  });
  return { input: rounded(input.shape, dx), kernel: rounded(kernel.shape, dk), bias: rounded([cout], db) };
}
