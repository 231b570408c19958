import { checkBias, checkTensor } from "./tensor.js";
import type { Tensor } from "./tensor.js";
import { checkAxes, convWindows, walkWindows } from "./windows.js";

/**
 * How one spatial axis of a convolution walks its input: output length,
 * zeros before the first input position, stride and dilation. Positions
 * outside the input read as zeros (they are skipped).
 *
 * @example
 * ```ts
 * // A causal 1-D window of 3 taps with dilation 2 on 6 steps: 4 zeros in front.
 * const axis: ConvAxis = { outputLength: 6, padBefore: 4, stride: 1, dilation: 2 };
 * ```
 */
export interface ConvAxis {
  readonly outputLength: number;
  readonly padBefore: number;
  readonly stride: number;
  readonly dilation: number;
}

/**
 * The axis of a size-1 dimension that a lower-rank convolution adds so that
 * one 3-D kernel serves 1-D, 2-D and 3-D layers.
 *
 * @example
 * ```ts
 * convNd(x5d, k5d, null, [UNIT_AXIS, UNIT_AXIS, steps], 1); // a 1-D convolution
 * ```
 */
export const UNIT_AXIS: ConvAxis = { outputLength: 1, padBefore: 0, stride: 1, dilation: 1 };

/**
 * The sizes of a {@link convNd} call, after checking that input, kernel,
 * bias, axes and groups fit together (RangeError otherwise). Shared by the
 * reference and the fast kernels, so both reject the same calls with the
 * same message.
 *
 * @example
 * ```ts
 * convNdGeometry(x5d, k5d, null, [UNIT_AXIS, rows, cols], 1).oh; // rows.outputLength
 * ```
 */
export function convNdGeometry(input: Tensor, kernel: Tensor, bias: Tensor | null, axes: readonly [ConvAxis, ConvAxis, ConvAxis], groups: number) {
  checkTensor(input, "convNd input", 5);
  checkTensor(kernel, "convNd kernel", 5);
  checkAxes("convNd", axes, { outputLength: 1, padBefore: 0, stride: 1, dilation: 1 });
  const [n, d, h, w, cin] = input.shape;
  const [kd, kh, kw, cinG, cout] = kernel.shape;
  if (!Number.isSafeInteger(groups) || groups < 1 || cin % groups !== 0 || cout % groups !== 0 || cinG !== cin / groups) {
    throw new RangeError(`convNd: kernel [${kernel.shape.join(", ")}] with ${groups} group(s) does not fit ${cin} input channels`);
  }
  checkBias(bias, cout, "convNd", "filters");
  return { n, d, h, w, cin, kd, kh, kw, cinG, cout, od: axes[0].outputLength, oh: axes[1].outputLength, ow: axes[2].outputLength, coutG: cout / groups };
}

/**
 * A 3-D convolution (cross-correlation, as Keras and TF compute it),
 * channels-last, with channel groups; 1-D and 2-D layers call it with size-1
 * leading axes ({@link UNIT_AXIS}).
 *
 * - `input`: `[n, d, h, w, cin]`
 * - `kernel`: `[kd, kh, kw, cin / groups, cout]` (the Keras layout); group `g`
 *   reads input channels `g * cin/groups ...` and writes output channels
 *   `g * cout/groups ...`. A depthwise kernel `[kd, kh, kw, cin, m]` has the
 *   same memory layout as a grouped kernel `[kd, kh, kw, 1, cin * m]`, so
 *   `groups = cin` computes a depthwise convolution (output channel `c * m + j`).
 * - `bias`: `[cout]` or `null`
 * - returns `[n, od, oh, ow, cout]` with the axes' output lengths.
 *
 * Sums are accumulated in float64 and rounded to float32 once per output.
 *
 * @example
 * ```ts
 * const y = convNd(x, k, null, [UNIT_AXIS, rows, cols], 2); // a grouped 2-D convolution
 * ```
 */
export function convNd(
  input: Tensor,
  kernel: Tensor,
  bias: Tensor | null,
  axes: readonly [ConvAxis, ConvAxis, ConvAxis],
  groups: number,
): Tensor<readonly [number, number, number, number, number]> {
  const { n, d, h, w, cin, kd, kh, kw, cinG, cout, od, oh, ow, coutG } = convNdGeometry(input, kernel, bias, axes, groups);
  const x = input.data;
  const k = kernel.data;
  const b = bias === null ? null : bias.data;
  const out = new Float32Array(n * od * oh * ow * cout);
  const acc = new Float64Array(cout);
  walkWindows(
    n,
    convWindows(axes, [d, h, w], [kd, kh, kw]),
    (_, q, t) => {
      const xOff = q * cin;
      const kOff = t * cinG * cout;
      for (let g = 0; g < groups; g++) {
        const co0 = g * coutG;
        const co1 = co0 + coutG;
        for (let ci = 0; ci < cinG; ci++) {
          const v = x[xOff + g * cinG + ci];
          const kRow = kOff + ci * cout;
          for (let co = co0; co < co1; co++) acc[co] += v * k[kRow + co];
        }
      }
    },
    () => {
      if (b === null) acc.fill(0);
      else for (let co = 0; co < cout; co++) acc[co] = b[co];
    },
    (p) => {
      for (let co = 0; co < cout; co++) out[p * cout + co] = acc[co];
    },
  );
  return { shape: [n, od, oh, ow, cout], data: out };
}
