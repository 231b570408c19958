/**
 * The backward twin of {@link conv2d}: the same geometry and the same loop
 * over output pixels and taps, run the other way. Sums are accumulated in
 * float64 and rounded to float32 once, as the forward kernel does. On the
 * fast kernels the same gradients come from two matrix products
 * (`fast-backward.ts`).
 */
import { conv2dGeometry } from "./conv2d.js";
import type { Conv2dOptions } from "./conv2d.js";
import { conv2dBackwardFast } from "./fast-backward.js";
import { UNIT_AXIS } from "./conv-nd.js";
import { convNdBackward, reshapedGradients } from "./conv-nd-backward.js";
import { checkOutputGradient } from "./tensor.js";
import type { Tensor } from "./tensor.js";

/** Gradients of a convolution with respect to its input, kernel and bias. */
export interface Conv2dGradients {
  readonly input: Tensor;
  readonly kernel: Tensor;
  readonly bias: Tensor;
}

/**
 * Gradients of `conv2d(input, kernel, bias, options)` given the gradient of
 * its output, `dOut` of shape `[n, oh, ow, cout]`.
 *
 * @example
 * ```ts
 * const g = conv2dBackward(x, k, dy, { strides: [1, 1], dilationRate: [1, 1], padding: "same" });
 * g.kernel.shape; // k.shape
 * ```
 */
export function conv2dBackward(input: Tensor, kernel: Tensor, dOut: Tensor, options: Conv2dOptions): Conv2dGradients {
  const { n, h, w, cin, kh, kw, cout, sh, sw, dh, dw, oh, ow, padTop, padLeft } = conv2dGeometry(input, kernel, null, options);
  checkOutputGradient(dOut, [n, oh, ow, cout], "conv2d");
  const quick = conv2dBackwardFast(input, kernel, dOut, options);
  if (quick !== null) return quick;
  // The 2-D reference is the N-D one with a unit depth: the same taps in the same order.
  const g = convNdBackward(
    { shape: [n, 1, h, w, cin], data: input.data },
    { shape: [1, kh, kw, cin, cout], data: kernel.data },
    { shape: [n, 1, oh, ow, cout], data: dOut.data },
    [UNIT_AXIS, { outputLength: oh, padBefore: padTop, stride: sh, dilation: dh }, { outputLength: ow, padBefore: padLeft, stride: sw, dilation: dw }],
    1,
  );
  return reshapedGradients(g, input, kernel);
}
