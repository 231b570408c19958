import { checkBias, checkTensor } from "./tensor.js";
import type { Tensor } from "./tensor.js";

/**
 * The sizes of a {@link dense} call (`rows` = product of the leading axes),
 * after checking that input, kernel and bias fit together (RangeError
 * otherwise). Shared by the reference and the fast kernels.
 *
 * @example
 * ```ts
 * denseGeometry({ shape: [2, 3], data: new Float32Array(6) }, w, null); // { rows: 2, inDim: 3, units: ... }
 * ```
 */
export function denseGeometry(input: Tensor, kernel: Tensor, bias: Tensor | null): { rows: number; inDim: number; units: number } {
  checkTensor(input, "dense input");
  checkTensor(kernel, "dense kernel", 2);
  const rank = input.shape.length;
  if (rank < 2) {
    throw new RangeError(`dense: input must have rank >= 2, got shape [${input.shape.join(", ")}]`);
  }
  const inDim = input.shape[rank - 1];
  const [kIn, units] = kernel.shape;
  if (kIn !== inDim) {
    throw new RangeError(`dense: kernel expects ${kIn} input features, input has ${inDim}`);
  }
  checkBias(bias, units, "dense", "units");
  const rows = inDim === 0 ? input.shape.slice(0, -1).reduce((a, d) => a * d, 1) : input.data.length / inDim;
  return { rows, inDim, units };
}

/**
 * Fully connected layer kernel: `y = x · W + b` over the last axis.
 *
 * - `input`: `[..., in]`, rank >= 2 (leading axes are flattened into rows, as
 *   Keras' Dense does for rank > 2 inputs)
 * - `kernel`: `[in, units]` (Keras/TF.js layout)
 * - `bias`: `[units]` or `null`
 * - returns `[..., units]`
 *
 * Loops are ordered row, k, j so that the innermost loop reads one kernel row
 * and writes the accumulator with unit stride. Sums are float64, rounded to
 * float32 once.
 *
 * @example
 * ```ts
 * const x = { shape: [2, 3], data: Float32Array.of(1, 2, 3, 4, 5, 6) };
 * const w = { shape: [3, 1], data: Float32Array.of(1, 1, 1) };
 * dense(x, w, null).data; // Float32Array [6, 15]
 * ```
 */
export function dense(input: Tensor, kernel: Tensor, bias: Tensor | null): Tensor {
  const { rows, inDim, units } = denseGeometry(input, kernel, bias);
  const x = input.data;
  const wData = kernel.data;
  const b = bias === null ? null : bias.data;
  const out = new Float32Array(rows * units);
  const acc = new Float64Array(units);
  for (let r = 0; r < rows; r++) {
    if (b === null) acc.fill(0);
    else for (let j = 0; j < units; j++) acc[j] = b[j];
    const xOff = r * inDim;
    let i = 0;
    // Four kernel rows per pass, as in conv2d: fewer accumulator round trips.
    for (; i + 4 <= inDim; i += 4) {
      const v0 = x[xOff + i];
      const v1 = x[xOff + i + 1];
      const v2 = x[xOff + i + 2];
      const v3 = x[xOff + i + 3];
      const w0 = i * units;
      const w1 = w0 + units;
      const w2 = w1 + units;
      const w3 = w2 + units;
      for (let j = 0; j < units; j++) {
        acc[j] += v0 * wData[w0 + j] + v1 * wData[w1 + j] + v2 * wData[w2 + j] + v3 * wData[w3 + j];
      }
    }
    for (; i < inDim; i++) {
      const v = x[xOff + i];
      const wOff = i * units;
      for (let j = 0; j < units; j++) acc[j] += v * wData[wOff + j];
    }
    const oOff = r * units;
    for (let j = 0; j < units; j++) out[oOff + j] = acc[j];
  }
  return { shape: [...input.shape.slice(0, -1), units], data: out };
}
