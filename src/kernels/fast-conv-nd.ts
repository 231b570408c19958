/**
 * The convolutions the tuned 2-D kernel does not take, on the fast
 * kernels' matrix product: grouped, causal and 3-D convolutions (and
 * depthwise 1-D and 3-D ones, one group per channel) as a product of the
 * gathered windows with the kernel, transposed convolutions as a product of
 * the input with the kernel followed by adding each tap's product into its
 * output position. Each falls back to its reference kernel.
 */
import type { TransposeAxis } from "../shape.js";
import { activate } from "./activations.js";
import type { ActivationName } from "./activations.js";
import { fast } from "./backend.js";
import { convNd, convNdGeometry } from "./conv-nd.js";
import type { ConvAxis } from "./conv-nd.js";
import { convTransposeNd, convTransposeNdGeometry } from "./conv-transpose.js";
import { productAt } from "./fast-dense.js";
import { applyRest, fusedCode } from "./fast-elementwise.js";
import { biasSlice, columnsOf, derivedWeights } from "./packed-weights.js";
import { addressIn, finish, outputOf } from "./run-scope.js";
import type { Tensor } from "./tensor.js";

/** The most floats one block of gathered windows (or of a transposed convolution's products) holds: 16 MB. */
const CHUNK_FLOATS = 1 << 22;

function activateUnless(activation: ActivationName, t: Tensor): Tensor {
  return activation === "linear" ? t : activate(activation, t);
}

/**
 * A (grouped, dilated, causal or 3-D) convolution, channels last, with its
 * activation: {@link convNd}'s arguments and result, computed per group as
 * the product of the gathered windows `[positions, taps * channels]` with
 * the kernel's columns of that group on the fast kernels (relu and relu6
 * fused), in blocks of at most 16 MB of windows; {@link convNd} then
 * {@link activate} on the reference kernels.
 *
 * @example
 * ```ts
 * const y = convNdLayer(x5d, k5d, bias, [UNIT_AXIS, UNIT_AXIS, causalSteps], 2, "relu");
 * ```
 */
export function convNdLayer(
  input: Tensor,
  kernel: Tensor,
  bias: Tensor | null,
  axes: readonly [ConvAxis, ConvAxis, ConvAxis],
  groups: number,
  activation: ActivationName,
): Tensor {
  const k = fast();
  const { n, d, h, w, cin, kd, kh, kw, cinG, cout, od, oh, ow, coutG } = convNdGeometry(input, kernel, bias, axes, groups);
  const rows = n * od * oh * ow;
  const kDim = kd * kh * kw * cinG;
  if (k === null || rows === 0 || kDim === 0 || cout === 0) return activateUnless(activation, convNd(input, kernel, bias, axes, groups));
  const [az, ay, ax] = axes;
  const shape = [n, od, oh, ow, cout];
  const floats = rows * cout;
  const temps: number[] = [];
  const out = outputOf(k, floats, temps);
  const act = fusedCode(activation);
  const weights: Float32Array[] = [];
  const biases: (Float32Array | null)[] = [];
  for (let g = 0; g < groups; g++) {
    weights.push(
      groups === 1 ? kernel.data : derivedWeights(kernel.data, `columns ${g} of ${groups}`, () => columnsOf(kernel.data, kDim, cout, g * coutG, coutG)),
    );
    biases.push(bias === null ? null : groups === 1 ? bias.data : biasSlice(bias.data, g * coutG, coutG));
  }
  const x = input.data;
  const chunk = Math.max(1, Math.min(rows, Math.floor(CHUNK_FLOATS / kDim)));
  const cols = k.alloc(chunk * kDim * 4);
  const part = groups === 1 ? 0 : k.alloc(chunk * coutG * 4);
  try {
    for (let r0 = 0; r0 < rows; r0 += chunk) {
      const r1 = Math.min(rows, r0 + chunk);
      for (let g = 0; g < groups; g++) {
        // Views are taken after every allocation of this step: packing may grow the memory.
        const col = k.view(cols, (r1 - r0) * kDim);
        let o = 0;
        for (let r = r0; r < r1; r++) {
          const ox = r % ow;
          const t1 = (r - ox) / ow;
          const oy = t1 % oh;
          const t2 = (t1 - oy) / oh;
          const oz = t2 % od;
          const bi = (t2 - oz) / od;
          for (let kz = 0; kz < kd; kz++) {
            const iz = oz * az.stride - az.padBefore + kz * az.dilation;
            for (let ky = 0; ky < kh; ky++) {
              const iy = oy * ay.stride - ay.padBefore + ky * ay.dilation;
              for (let kx = 0; kx < kw; kx++) {
                const ix = ox * ax.stride - ax.padBefore + kx * ax.dilation;
                if (iz < 0 || iz >= d || iy < 0 || iy >= h || ix < 0 || ix >= w) {
                  col.fill(0, o, o + cinG);
                } else {
                  const src = (((bi * d + iz) * h + iy) * w + ix) * cin + g * cinG;
                  for (let c = 0; c < cinG; c++) col[o + c] = x[src + c];
                }
                o += cinG;
              }
            }
          }
        }
        if (groups === 1) {
          productAt(k, cols, r1 - r0, kDim, cout, weights[0], biases[0], out + r0 * cout * 4, act);
        } else {
          productAt(k, cols, r1 - r0, kDim, coutG, weights[g], biases[g], part, act);
          const p = k.view(part, (r1 - r0) * coutG);
          const y = k.view(out, floats);
          for (let r = r0, s = 0; r < r1; r++, s += coutG) y.set(p.subarray(s, s + coutG), r * cout + g * coutG);
        }
      }
    }
  } finally {
    if (part !== 0) k.free(part);
    k.free(cols);
  }
  applyRest(k, activation, shape, out, floats);
  return { shape, data: finish(k, out, floats, temps) };
}

/**
 * A transposed convolution, channels last, with its activation:
 * {@link convTransposeNd}'s arguments and result. The product of the input
 * `[positions, channels]` with the kernel as a `[channels, taps * filters]`
 * matrix runs on the fast kernels (in blocks of at most 16 MB of products);
 * each tap's product is then added into the output position it reaches, in
 * float64 as the reference sums, and bias and activation applied.
 * {@link convTransposeNd} then {@link activate} on the reference kernels.
 *
 * @example
 * ```ts
 * const y = convTransposeNdLayer(x5d, k5d, bias, [UNIT_TRANSPOSE_AXIS, rows, cols], "relu");
 * ```
 */
export function convTransposeNdLayer(
  input: Tensor,
  kernel: Tensor,
  bias: Tensor | null,
  axes: readonly [TransposeAxis, TransposeAxis, TransposeAxis],
  activation: ActivationName,
): Tensor {
  const k = fast();
  const { n, d, h, w, cin, kd, kh, kw, cout, od, oh, ow } = convTransposeNdGeometry(input, kernel, bias, axes);
  const rows = n * d * h * w;
  const taps = kd * kh * kw;
  const units = taps * cout;
  if (k === null || rows === 0 || cin === 0 || units === 0) return activateUnless(activation, convTransposeNd(input, kernel, bias, axes));
  const [az, ay, ax] = axes;
  // `[taps, cout, cin]` read as `[cin, taps * cout]`.
  const matrix = derivedWeights(kernel.data, "transposed", () => {
    const m = new Float32Array(cin * units);
    const kd5 = kernel.data;
    for (let j = 0; j < units; j++) for (let ci = 0; ci < cin; ci++) m[ci * units + j] = kd5[j * cin + ci];
    return m;
  });
  const shape = [n, od, oh, ow, cout];
  const floats = n * od * oh * ow * cout;
  const acc = new Float64Array(floats);
  const temps: number[] = [];
  const x = addressIn(k, input.data, temps);
  const chunk = Math.max(1, Math.min(rows, Math.floor(CHUNK_FLOATS / units)));
  const products = k.alloc(chunk * units * 4);
  try {
    for (let r0 = 0; r0 < rows; r0 += chunk) {
      const r1 = Math.min(rows, r0 + chunk);
      productAt(k, x + r0 * cin * 4, r1 - r0, cin, units, matrix, null, products, 0);
      const p = k.view(products, (r1 - r0) * units);
      let s = 0;
      for (let r = r0; r < r1; r++) {
        const ix = r % w;
        const t1 = (r - ix) / w;
        const iy = t1 % h;
        const t2 = (t1 - iy) / h;
        const iz = t2 % d;
        const bi = (t2 - iz) / d;
        for (let kz = 0; kz < kd; kz++) {
          const oz = iz * az.stride + kz * az.dilation - az.crop;
          for (let ky = 0; ky < kh; ky++) {
            const oy = iy * ay.stride + ky * ay.dilation - ay.crop;
            for (let kx = 0; kx < kw; kx++, s += cout) {
              const ox = ix * ax.stride + kx * ax.dilation - ax.crop;
              if (oz < 0 || oz >= od || oy < 0 || oy >= oh || ox < 0 || ox >= ow) continue;
              const o = (((bi * od + oz) * oh + oy) * ow + ox) * cout;
              for (let c = 0; c < cout; c++) acc[o + c] += p[s + c];
            }
          }
        }
      }
    }
  } finally {
    k.free(products);
  }
  const out = outputOf(k, floats, temps);
  const y = k.view(out, floats);
  const b = bias === null ? null : bias.data;
  const act = fusedCode(activation);
  for (let i = 0, c = 0; i < floats; i++, c = c + 1 === cout ? 0 : c + 1) {
    let v = b === null ? acc[i] : acc[i] + b[c];
    if (act !== 0) v = act === 1 ? Math.max(0, v) : Math.min(6, Math.max(0, v));
    y[i] = v;
  }
  applyRest(k, activation, shape, out, floats);
  return { shape, data: finish(k, out, floats, temps) };
}
