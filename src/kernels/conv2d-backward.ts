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
import { checkTensor } from "./tensor.js";
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
  checkTensor(dOut, "conv2d output gradient", 4);
  if (dOut.shape[0] !== n || dOut.shape[1] !== oh || dOut.shape[2] !== ow || dOut.shape[3] !== cout) {
    throw new RangeError(`conv2d backward: output gradient of shape [${dOut.shape.join(", ")}] for an output of [${[n, oh, ow, cout].join(", ")}]`);
  }
  const quick = conv2dBackwardFast(input, kernel, dOut, options);
  if (quick !== null) return quick;
  const x = input.data;
  const k = kernel.data;
  const dy = dOut.data;
  const dx = new Float64Array(x.length);
  const dk = new Float64Array(k.length);
  const db = new Float64Array(cout);
  const kRowStride = kw * cin * cout;
  const kColStride = cin * cout;
  let o = 0;
  for (let bi = 0; bi < n; bi++) {
    for (let oy = 0; oy < oh; oy++) {
      const iy0 = oy * sh - padTop;
      for (let ox = 0; ox < ow; ox++, o += cout) {
        const ix0 = ox * sw - padLeft;
        for (let co = 0; co < cout; co++) db[co] += dy[o + co];
        for (let ky = 0; ky < kh; ky++) {
          const iy = iy0 + ky * dh;
          if (iy < 0 || iy >= h) continue;
          for (let kx = 0; kx < kw; kx++) {
            const ix = ix0 + kx * dw;
            if (ix < 0 || ix >= w) continue;
            const xOff = ((bi * h + iy) * w + ix) * cin;
            let kOff = ky * kRowStride + kx * kColStride;
            for (let ci = 0; ci < cin; ci++, kOff += cout) {
              const v = x[xOff + ci];
              let sum = 0;
              for (let co = 0; co < cout; co++) {
                const g = dy[o + co];
                sum += g * k[kOff + co];
                dk[kOff + co] += v * g;
              }
              dx[xOff + ci] += sum;
            }
          }
        }
      }
    }
  }
  return {
    input: { shape: [...input.shape], data: Float32Array.from(dx) },
    kernel: { shape: [...kernel.shape], data: Float32Array.from(dk) },
    bias: { shape: [cout], data: Float32Array.from(db) },
  };
}
