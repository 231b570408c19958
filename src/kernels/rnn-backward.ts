/**
 * The backward twin of {@link recurrentPass}: back-propagation through time
 * for SimpleRNN, LSTM and GRU, from the steps the forward pass kept on its
 * tape. Per step, the gradient of the gate pre-activations is split into the
 * part that reaches the input projection (`x W + b`) and the part that reaches
 * the recurrent one (`h U`, and GRU's recurrent bias); the weight gradients
 * are their products with the step's input and previous state. Sums are
 * accumulated in float64 and rounded to float32 once.
 */
import { activationBackward } from "./activations-backward.js";
import { GATES } from "./rnn-cells.js";
import type { CellKind, RecurrentPassOptions, RecurrentStep } from "./rnn-cells.js";
import type { Tensor } from "./tensor.js";

/** Gradients of a recurrent pass with respect to its input and weights (`bias` `null` without one). */
export interface RecurrentGradients {
  readonly input: Tensor;
  readonly kernel: Tensor;
  readonly recurrentKernel: Tensor;
  readonly bias: Tensor | null;
}

/** `out[r, j] += Σ_k a[r, k] · w[j, col0 + k]` for a `[rows, n]` block `a` against the rows of `w` (stride `stride`): a product with `wᵀ`. */
function timesTransposed(a: Float64Array, rows: number, n: number, w: Float32Array, stride: number, col0: number, outCols: number, out: Float64Array): void {
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < outCols; j++) {
      const wOff = j * stride + col0;
      let sum = 0;
      for (let k = 0; k < n; k++) sum += a[r * n + k] * w[wOff + k];
      out[r * outCols + j] += sum;
    }
  }
}

/** `dw[i, col0 + k] += Σ_r x[r, i] · g[r, k]`: the weight gradient of a product `x w` for the columns `g` covers. */
function accumulateOuter(
  x: ArrayLike<number>,
  xOff: (r: number) => number,
  rows: number,
  inDim: number,
  g: Float64Array,
  n: number,
  dw: Float64Array,
  stride: number,
  col0: number,
): void {
  for (let r = 0; r < rows; r++) {
    const o = xOff(r);
    for (let i = 0; i < inDim; i++) {
      const v = x[o + i];
      if (v === 0) continue;
      const wOff = i * stride + col0;
      for (let k = 0; k < n; k++) dw[wOff + k] += v * g[r * n + k];
    }
  }
}

/** The gradient of a gate's pre-activation from its activation's gradient. */
function through(name: RecurrentPassOptions["activation"], z: Float32Array, y: Float32Array, dy: Float64Array, rows: number, cols: number): Float32Array {
  return activationBackward(name, [rows, cols], z, y, Float32Array.from(dy));
}

/**
 * Back-propagates through a recurrent pass run with a tape: `dOutput` is the
 * gradient of the output (`[batch, steps, units]` with `returnSequences`,
 * else `[batch, units]`), `dStates` those of the final states (`h`, and `c`
 * for LSTM; `null` where none flows).
 *
 * @example
 * ```ts
 * const tape: RecurrentStep[] = [];
 * const { output } = recurrentPass("lstm", x, weights, options, tape);
 * const g = recurrentBackward("lstm", x, weights, options, tape, dy, []);
 * g.recurrentKernel.shape; // weights.recurrentKernel.shape
 * ```
 */
export function recurrentBackward(
  kind: CellKind,
  input: Tensor,
  weights: { readonly kernel: Tensor; readonly recurrentKernel: Tensor; readonly bias: Tensor | null },
  options: RecurrentPassOptions,
  tape: readonly RecurrentStep[],
  dOutput: Tensor,
  dStates: readonly (Tensor | null)[],
): RecurrentGradients {
  const [batch, steps, features] = input.shape;
  const u = options.units;
  const width = GATES[kind] * u;
  if (tape.length !== steps) throw new RangeError(`${kind} backward: a tape of ${tape.length} steps for ${steps} steps`);
  const expected = options.returnSequences ? batch * steps * u : batch * u;
  if (dOutput.data.length !== expected) throw new RangeError(`${kind} backward: output gradient of ${dOutput.data.length} values, expected ${expected}`);
  const kernel = weights.kernel.data;
  const rec = weights.recurrentKernel.data;
  const twoBiases = kind === "gru" && options.resetAfter;
  const dx = new Float64Array(input.data.length);
  const dKernel = new Float64Array(kernel.length);
  const dRec = new Float64Array(rec.length);
  const dBias = new Float64Array(twoBiases ? 2 * width : width);
  const dy = dOutput.data;

  // The gradients flowing into the state after the current step.
  let dh = new Float64Array(batch * u);
  let dc = new Float64Array(kind === "lstm" ? batch * u : 0);
  const addInto = (into: Float64Array, t: Tensor | null | undefined) => {
    if (t !== null && t !== undefined) for (let i = 0; i < into.length; i++) into[i] += t.data[i];
  };
  addInto(dh, dStates[0]);
  if (kind === "lstm") addInto(dc, dStates[1]);
  if (!options.returnSequences) for (let i = 0; i < dh.length; i++) dh[i] += dy[i];

  const gx = new Float64Array(batch * width); // into x W + b
  const gh = new Float64Array(batch * width); // into h U (+ recurrent bias)
  for (let s = steps - 1; s >= 0; s--) {
    const t = options.goBackwards ? steps - 1 - s : s;
    if (options.returnSequences) for (let b = 0; b < batch; b++) for (let j = 0; j < u; j++) dh[b * u + j] += dy[(b * steps + s) * u + j];
    const step = tape[s];
    const { hPrev, z, y } = step;
    const dhPrev = new Float64Array(batch * u);
    const setBlock = (into: Float64Array, gate: number, values: ArrayLike<number>) => {
      for (let b = 0; b < batch; b++) for (let j = 0; j < u; j++) into[b * width + gate * u + j] = values[b * u + j];
    };
    if (kind === "simpleRNN") {
      const d = through(options.activation, z[0], y[0], dh, batch, u);
      setBlock(gx, 0, d);
      setBlock(gh, 0, d);
    } else if (kind === "lstm") {
      const [ig, fg, cc, og] = y;
      const ac = step.ac!;
      const cPrev = step.cPrev!;
      const dOg = new Float64Array(batch * u);
      const dAc = new Float64Array(batch * u);
      for (let i = 0; i < dOg.length; i++) {
        dOg[i] = dh[i] * ac[i];
        dAc[i] = dh[i] * og[i];
      }
      const dcFromH = through(options.activation, step.c!, ac, dAc, batch, u);
      const dIg = new Float64Array(batch * u);
      const dFg = new Float64Array(batch * u);
      const dCc = new Float64Array(batch * u);
      const dcPrev = new Float64Array(batch * u);
      for (let i = 0; i < dc.length; i++) {
        const g = dc[i] + dcFromH[i];
        dIg[i] = g * cc[i];
        dFg[i] = g * cPrev[i];
        dCc[i] = g * ig[i];
        dcPrev[i] = g * fg[i];
      }
      const pre = [
        through(options.recurrentActivation, z[0], ig, dIg, batch, u),
        through(options.recurrentActivation, z[1], fg, dFg, batch, u),
        through(options.activation, z[2], cc, dCc, batch, u),
        through(options.recurrentActivation, z[3], og, dOg, batch, u),
      ];
      pre.forEach((d, gate) => {
        setBlock(gx, gate, d);
        setBlock(gh, gate, d);
      });
      dc = dcPrev;
    } else {
      const [zg, rg, hh] = y;
      const candidate = step.candidate!;
      const dZg = new Float64Array(batch * u);
      const dHh = new Float64Array(batch * u);
      for (let i = 0; i < dZg.length; i++) {
        dZg[i] = dh[i] * (hPrev[i] - hh[i]);
        dHh[i] = dh[i] * (1 - zg[i]);
        dhPrev[i] += dh[i] * zg[i];
      }
      const dPreH = through(options.activation, z[2], hh, dHh, batch, u);
      const dRg = new Float64Array(batch * u);
      if (options.resetAfter) {
        // pre_h = x_h + r * (h U_h + b_h): r scales the recurrent product.
        const dRecH = new Float64Array(batch * u);
        for (let i = 0; i < dRg.length; i++) {
          dRg[i] = dPreH[i] * candidate[i];
          dRecH[i] = dPreH[i] * rg[i];
        }
        setBlock(gh, 2, dRecH);
      } else {
        // pre_h = x_h + (r * h) U_h: the reset state's gradient goes back through U_h.
        const dPre64 = Float64Array.from(dPreH);
        const dRh = new Float64Array(batch * u);
        timesTransposed(dPre64, batch, u, rec, width, 2 * u, u, dRh);
        for (let i = 0; i < dRg.length; i++) {
          dRg[i] = dRh[i] * hPrev[i];
          dhPrev[i] += dRh[i] * rg[i];
        }
        accumulateOuter(candidate, (r) => r * u, batch, u, dPre64, u, dRec, width, 2 * u);
        setBlock(gh, 2, new Float64Array(batch * u));
      }
      const dZpre = through(options.recurrentActivation, z[0], zg, dZg, batch, u);
      const dRpre = through(options.recurrentActivation, z[1], rg, dRg, batch, u);
      setBlock(gx, 0, dZpre);
      setBlock(gx, 1, dRpre);
      setBlock(gx, 2, dPreH);
      setBlock(gh, 0, dZpre);
      setBlock(gh, 1, dRpre);
    }
    // Input side: the step's input row against gx.
    accumulateOuter(input.data, (b) => (b * steps + t) * features, batch, features, gx, width, dKernel, width, 0);
    const dxStep = new Float64Array(batch * features);
    timesTransposed(gx, batch, width, kernel, width, 0, features, dxStep);
    for (let b = 0; b < batch; b++) for (let i = 0; i < features; i++) dx[(b * steps + t) * features + i] += dxStep[b * features + i];
    for (let b = 0; b < batch; b++) for (let j = 0; j < width; j++) dBias[j] += gx[b * width + j];
    // Recurrent side: the previous state against gh (GRU without resetAfter took its candidate block above).
    const recurrentCols = kind === "gru" && !options.resetAfter ? 2 * u : width;
    const ghCols = new Float64Array(batch * recurrentCols);
    for (let b = 0; b < batch; b++) for (let j = 0; j < recurrentCols; j++) ghCols[b * recurrentCols + j] = gh[b * width + j];
    accumulateOuter(hPrev, (b) => b * u, batch, u, ghCols, recurrentCols, dRec, width, 0);
    timesTransposed(ghCols, batch, recurrentCols, rec, width, 0, u, dhPrev);
    if (twoBiases) for (let b = 0; b < batch; b++) for (let j = 0; j < width; j++) dBias[width + j] += gh[b * width + j];
    dh = dhPrev;
  }
  const f32 = (shape: readonly number[], values: Float64Array): Tensor => ({ shape: [...shape], data: Float32Array.from(values) });
  return {
    input: f32(input.shape, dx),
    kernel: f32(weights.kernel.shape, dKernel),
    recurrentKernel: f32(weights.recurrentKernel.shape, dRec),
    bias: weights.bias === null ? null : f32(weights.bias.shape, dBias),
  };
}
