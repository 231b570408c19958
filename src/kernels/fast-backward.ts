/**
 * The backward passes of convolutions and dense layers as matrix products
 * on the fast kernels. With the input unrolled into rows of window values
 * (`cols`, `[pixels, taps * cin]`), a convolution is `cols · W`, so its
 * gradients are two products: `dW = colsᵀ · dY` and `dCols = dY · Wᵀ`,
 * whose windows are then added back onto the input. The reference twins
 * (`conv2d-backward.ts`, `dense-backward.ts`) stay the oracle; these run
 * only when the fast kernels are chosen and loaded.
 */
import { matmul } from "./fast-dense.js";
import { conv2dGeometry } from "./conv2d.js";
import type { Conv2dOptions } from "./conv2d.js";
import type { Conv2dGradients } from "./conv2d-backward.js";
import { denseGeometry } from "./dense.js";
import type { DenseGradients } from "./dense-backward.js";

/** The most floats of unrolled input made at once (16 MB). */
const COLS_BLOCK_FLOATS = 1 << 22;

/** `m` rows of `n` columns, transposed. */
function transpose(a: Float32Array, m: number, n: number): Float32Array {
  const out = new Float32Array(a.length);
  const B = 32;
  for (let i0 = 0; i0 < m; i0 += B) {
    const i1 = Math.min(m, i0 + B);
    for (let j0 = 0; j0 < n; j0 += B) {
      const j1 = Math.min(n, j0 + B);
      for (let i = i0; i < i1; i++) for (let j = j0; j < j1; j++) out[j * m + i] = a[i * n + j];
    }
  }
  return out;
}

function columnSums(a: Float32Array, m: number, n: number): Float32Array {
  const sums = new Float64Array(n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) sums[j] += a[i * n + j];
  return Float32Array.from(sums);
}

/**
 * {@link conv2dBackward} on the fast kernels, or `null` when they are not
 * chosen or not loaded.
 *
 * @example
 * ```ts
 * const g = conv2dBackwardFast(x, k, dy, { strides: [1, 1], dilationRate: [1, 1], padding: "same" }) ?? conv2dBackward(x, k, dy, options);
 * ```
 */
export function conv2dBackwardFast(
  input: { shape: readonly number[]; data: Float32Array },
  kernel: { shape: readonly number[]; data: Float32Array },
  dOut: { shape: readonly number[]; data: Float32Array },
  options: Conv2dOptions,
): Conv2dGradients | null {
  const { n, h, w, cin, kh, kw, cout, sh, sw, dh, dw, oh, ow, padTop, padLeft } = conv2dGeometry(input, kernel, null, options);
  const pixels = n * oh * ow;
  const depth = kh * kw * cin;
  const x = input.data;
  const dy = dOut.data;
  const kernelT = transpose(kernel.data, depth, cout);
  const dk = new Float64Array(depth * cout);
  const dx = new Float32Array(x.length);
  // The unrolled input of a large layer would take pixels * depth floats at once (925 MB for VGG16's
  // second convolution at batch 8): it is made and used a block of output pixels at a time.
  const rowsPer = Math.max(1, Math.floor(COLS_BLOCK_FLOATS / depth));
  const cols = new Float32Array(Math.min(pixels, rowsPer) * depth);
  for (let p0 = 0; p0 < pixels; p0 += rowsPer) {
    const rows = Math.min(rowsPer, pixels - p0);
    const block = rows === rowsPer ? cols : cols.subarray(0, rows * depth);
    block.fill(0);
    windows(p0, rows, (o, from) => {
      for (let c = 0; c < cin; c++) block[o + c] = x[from + c];
    });
    const dyBlock = dy.subarray(p0 * cout, (p0 + rows) * cout);
    // dWᵀ = dYᵀ · cols: the unrolled input is the packed side, read once.
    const dkT = matmul(transpose(dyBlock, rows, cout), block, cout, rows, depth);
    const dCols = dkT === null ? null : matmul(dyBlock, kernelT, rows, cout, depth);
    if (dkT === null || dCols === null) return null;
    for (let r = 0; r < depth; r++) for (let c = 0; c < cout; c++) dk[r * cout + c] += dkT[c * depth + r];
    windows(p0, rows, (o, to) => {
      for (let c = 0; c < cin; c++) dx[to + c] += dCols[o + c];
    });
  }
  return {
    input: { shape: [...input.shape], data: dx },
    kernel: { shape: [...kernel.shape], data: Float32Array.from(dk) },
    bias: { shape: [cout], data: columnSums(dy, pixels, cout) },
  };

  /** Calls `at(offset in the block, offset in the input)` for each in-bounds tap of output pixels [p0, p0 + rows). */
  function windows(p0: number, rows: number, at: (o: number, xOffset: number) => void): void {
    for (let r = 0; r < rows; r++) {
      const p = p0 + r;
      const ox = p % ow;
      const oy = Math.floor(p / ow) % oh;
      const bi = Math.floor(p / (ow * oh));
      let o = r * depth;
      for (let ky = 0; ky < kh; ky++) {
        const iy = oy * sh - padTop + ky * dh;
        for (let kx = 0; kx < kw; kx++, o += cin) {
          const ix = ox * sw - padLeft + kx * dw;
          if (iy >= 0 && iy < h && ix >= 0 && ix < w) at(o, ((bi * h + iy) * w + ix) * cin);
        }
      }
    }
  }
}

/**
 * {@link denseBackward} on the fast kernels, or `null` when they are not
 * chosen or not loaded.
 *
 * @example
 * ```ts
 * const g = denseBackwardFast(x, w, dy) ?? denseBackward(x, w, dy);
 * ```
 */
export function denseBackwardFast(
  input: { shape: readonly number[]; data: Float32Array },
  kernel: { shape: readonly number[]; data: Float32Array },
  dOut: { shape: readonly number[]; data: Float32Array },
): DenseGradients | null {
  const { rows, inDim, units } = denseGeometry(input, kernel, null);
  const dy = dOut.data;
  const dyT = transpose(dy, rows, units);
  // Both products keep the kernel on the unpacked side, copied as it is: a large dense kernel
  // (VGG16's first is 102 million floats) is neither transposed nor packed.
  const dk = matmul(transpose(input.data, rows, inDim), dy, inDim, rows, units);
  const dxT = dk === null ? null : matmul(kernel.data, dyT, inDim, units, rows);
  if (dk === null || dxT === null) return null;
  return {
    input: { shape: [...input.shape], data: transpose(dxT, inDim, rows) },
    kernel: { shape: [...kernel.shape], data: dk },
    bias: { shape: [units], data: columnSums(dy, rows, units) },
  };
}
