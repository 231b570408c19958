/**
 * Recurrent forward passes (SimpleRNN, LSTM, GRU) over `[batch, steps, features]`,
 * with the Keras 3 cell equations and weight layouts:
 *
 * - kernel `[features, g * units]`, recurrent kernel `[units, g * units]`,
 *   gate blocks along the last axis (LSTM i, f, c, o; GRU z, r, h);
 * - bias `[g * units]`, or for GRU with `resetAfter` `[2, 3 * units]`
 *   (input bias, then recurrent bias).
 *
 * Matrix products accumulate in float64; every gate pre-activation and every
 * state is rounded to float32, as the float32 frameworks store them.
 */
import { activate } from "./activations.js";
import type { ActivationName } from "./activations.js";
import { checkTensor } from "./tensor.js";
import type { Tensor } from "./tensor.js";

/**
 * Which cell runs.
 *
 * @example
 * ```ts
 * const kind: CellKind = "gru";
 * ```
 */
export type CellKind = "simpleRNN" | "lstm" | "gru";

/**
 * Settings of a recurrent pass.
 *
 * @example
 * ```ts
 * const options: RecurrentPassOptions = { units: 4, activation: "tanh", recurrentActivation: "sigmoid",
 *   returnSequences: true, goBackwards: false, resetAfter: true };
 * ```
 */
export interface RecurrentPassOptions {
  readonly units: number;
  readonly activation: ActivationName;
  /** Gate activation (LSTM, GRU). */
  readonly recurrentActivation: ActivationName;
  readonly returnSequences: boolean;
  /** Reads the steps last to first; the output sequence stays in reading order, as in Keras. */
  readonly goBackwards: boolean;
  /** GRU only: apply the reset gate after the recurrent product (Keras 3 default). */
  readonly resetAfter: boolean;
}

/**
 * The output (`[batch, steps, units]` or `[batch, units]`) and the final states (`h`, and `c` for LSTM).
 *
 * @example
 * ```ts
 * const { output, states: [h, c] } = recurrentPass("lstm", x, weights, options);
 * ```
 */
export interface RecurrentPassResult {
  readonly output: Tensor;
  readonly states: readonly Tensor[];
}

/**
 * What one step of a recurrent pass keeps for its backward pass (in reading
 * order): the states it started from, each gate's pre-activation `z` and
 * activation `y` (float32, as the forward pass rounded them), and the cell's
 * other products.
 *
 * @example
 * ```ts
 * const tape: RecurrentStep[] = [];
 * recurrentPass("gru", x, weights, options, tape); // tape.length === steps
 * ```
 */
export interface RecurrentStep {
  readonly hPrev: Float32Array;
  /** LSTM: the cell state before the step. */
  readonly cPrev?: Float32Array;
  /** Gate pre-activations and activations, `[batch, units]` each: SimpleRNN h; LSTM i, f, c, o; GRU z, r, h. */
  readonly z: readonly Float32Array[];
  readonly y: readonly Float32Array[];
  /** LSTM: the new cell state and its activation. */
  readonly c?: Float32Array;
  readonly ac?: Float32Array;
  /** GRU: the recurrent product of the candidate block (`resetAfter`) or the reset state `r * h` (otherwise). */
  readonly candidate?: Float32Array;
}

/**
 * Number of gate blocks per cell: the kernel has `GATES[kind] * units` columns.
 *
 * @example
 * ```ts
 * GATES.lstm; // 4
 * ```
 */
export const GATES: Readonly<Record<CellKind, number>> = { simpleRNN: 1, lstm: 4, gru: 3 };

/** `rows x inDim` times `inDim x cols` (read from `w` with row stride `stride` and column offset `col0`), into float64. */
function matmul(x: ArrayLike<number>, rows: number, inDim: number, w: Float32Array, stride: number, col0: number, cols: number, out: Float64Array): void {
  out.fill(0);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let k = 0; k < inDim; k++) {
      const v = x[r * inDim + k];
      if (v === 0) continue;
      const wOff = k * stride + col0;
      for (let j = 0; j < cols; j++) out[o + j] += v * w[wOff + j];
    }
  }
}

/**
 * Applies an activation to a `[rows, cols]` block, rounding the pre-activation
 * to float32 first; with `keep`, records the pre-activation and the result.
 */
function act(name: ActivationName, values: ArrayLike<number>, rows: number, cols: number, keep?: { z: Float32Array[]; y: Float32Array[] }): Float32Array {
  const data = Float32Array.from(values as ArrayLike<number>);
  const y = name === "linear" ? data : activate(name, { shape: [rows, cols], data }).data;
  if (keep !== undefined) {
    keep.z.push(data);
    keep.y.push(y);
  }
  return y;
}

/** Columns `[from, from + count)` of a `[rows, width]` float64 block. */
function columns(src: Float64Array, rows: number, width: number, from: number, count: number): Float64Array {
  const out = new Float64Array(rows * count);
  for (let r = 0; r < rows; r++) for (let j = 0; j < count; j++) out[r * count + j] = src[r * width + from + j];
  return out;
}

/**
 * Runs a SimpleRNN, LSTM or GRU over a batch of sequences from zero initial
 * states. With `tape`, every step's intermediate values are pushed onto it
 * for the backward pass (`rnn-backward.ts`); the numbers are the same.
 *
 * @example
 * ```ts
 * const { output } = recurrentPass("simpleRNN", x, { kernel, recurrentKernel, bias }, {
 *   units: 4, activation: "tanh", recurrentActivation: "sigmoid",
 *   returnSequences: false, goBackwards: false, resetAfter: true,
 * }); // output: [batch, 4]
 * ```
 */
export function recurrentPass(
  kind: CellKind,
  input: Tensor,
  weights: { readonly kernel: Tensor; readonly recurrentKernel: Tensor; readonly bias: Tensor | null },
  options: RecurrentPassOptions,
  tape?: RecurrentStep[],
): RecurrentPassResult {
  checkTensor(input, `${kind} input`, 3);
  const [batch, steps, features] = input.shape;
  const u = options.units;
  const g = GATES[kind];
  const width = g * u;
  checkTensor(weights.kernel, `${kind} kernel`, 2);
  checkTensor(weights.recurrentKernel, `${kind} recurrent kernel`, 2);
  if (weights.kernel.shape[0] !== features || weights.kernel.shape[1] !== width) {
    throw new RangeError(`${kind}: kernel shape [${weights.kernel.shape.join(", ")}] does not fit ${features} features and ${u} units`);
  }
  if (weights.recurrentKernel.shape[0] !== u || weights.recurrentKernel.shape[1] !== width) {
    throw new RangeError(`${kind}: recurrent kernel shape [${weights.recurrentKernel.shape.join(", ")}] does not fit ${u} units`);
  }
  const twoBiases = kind === "gru" && options.resetAfter;
  const bias = weights.bias?.data ?? null;
  if (bias !== null && bias.length !== (twoBiases ? 2 * width : width)) {
    throw new RangeError(`${kind}: bias of ${bias.length} values does not fit ${u} units`);
  }
  const kernel = weights.kernel.data;
  const rec = weights.recurrentKernel.data;

  // Input projections of every step at once: [batch * steps, width] (+ input bias).
  const xw = new Float64Array(batch * steps * width);
  matmul(input.data, batch * steps, features, kernel, width, 0, width, xw);
  if (bias !== null) for (let r = 0; r < batch * steps; r++) for (let j = 0; j < width; j++) xw[r * width + j] += bias[j];
  const recurrentBias = twoBiases && bias !== null ? bias.subarray(width, 2 * width) : null;

  let h: Float32Array = new Float32Array(batch * u);
  let c: Float32Array = new Float32Array(kind === "lstm" ? batch * u : 0);
  const sequence = options.returnSequences ? new Float32Array(batch * steps * u) : null;
  const x = new Float64Array(batch * width);
  const hw = new Float64Array(batch * width);

  for (let s = 0; s < steps; s++) {
    const t = options.goBackwards ? steps - 1 - s : s;
    for (let b = 0; b < batch; b++) x.set(xw.subarray((b * steps + t) * width, (b * steps + t + 1) * width), b * width);
    const keep = tape === undefined ? undefined : { z: [] as Float32Array[], y: [] as Float32Array[] };
    const hPrev = h;
    const cPrev = c;
    let candidate: Float32Array | undefined;
    let ac: Float32Array | undefined;
    if (kind === "simpleRNN") {
      matmul(h, batch, u, rec, width, 0, width, hw);
      for (let i = 0; i < x.length; i++) hw[i] += x[i];
      h = act(options.activation, hw, batch, u, keep);
    } else if (kind === "lstm") {
      matmul(h, batch, u, rec, width, 0, width, hw);
      for (let i = 0; i < x.length; i++) hw[i] += x[i];
      const ig = act(options.recurrentActivation, columns(hw, batch, width, 0, u), batch, u, keep);
      const fg = act(options.recurrentActivation, columns(hw, batch, width, u, u), batch, u, keep);
      const cc = act(options.activation, columns(hw, batch, width, 2 * u, u), batch, u, keep);
      const og = act(options.recurrentActivation, columns(hw, batch, width, 3 * u, u), batch, u, keep);
      const next = new Float32Array(batch * u);
      for (let i = 0; i < next.length; i++) next[i] = fg[i] * c[i] + ig[i] * cc[i];
      c = next;
      ac = act(options.activation, c, batch, u);
      const hNext = new Float32Array(batch * u);
      for (let i = 0; i < hNext.length; i++) hNext[i] = og[i] * ac[i];
      h = hNext;
    } else {
      const zr = new Float64Array(batch * 2 * u);
      // Computed r, h, z; kept in the kernel's order z, r, h.
      const gates = keep === undefined ? undefined : { z: [] as Float32Array[], y: [] as Float32Array[] };
      let hh: Float32Array;
      if (options.resetAfter) {
        matmul(h, batch, u, rec, width, 0, width, hw);
        if (recurrentBias !== null) for (let b = 0; b < batch; b++) for (let j = 0; j < width; j++) hw[b * width + j] += recurrentBias[j];
        for (let b = 0; b < batch; b++) for (let j = 0; j < 2 * u; j++) zr[b * 2 * u + j] = x[b * width + j] + hw[b * width + j];
        const r = act(options.recurrentActivation, columns(zr, batch, 2 * u, u, u), batch, u, gates);
        const recurrent = Float32Array.from(columns(hw, batch, width, 2 * u, u));
        const pre = new Float64Array(batch * u);
        for (let b = 0; b < batch; b++) {
          for (let j = 0; j < u; j++) pre[b * u + j] = x[b * width + 2 * u + j] + r[b * u + j] * recurrent[b * u + j];
        }
        hh = act(options.activation, pre, batch, u, gates);
        candidate = recurrent;
      } else {
        const hz = new Float64Array(batch * 2 * u);
        matmul(h, batch, u, rec, width, 0, 2 * u, hz);
        for (let b = 0; b < batch; b++) for (let j = 0; j < 2 * u; j++) zr[b * 2 * u + j] = x[b * width + j] + hz[b * 2 * u + j];
        const r = act(options.recurrentActivation, columns(zr, batch, 2 * u, u, u), batch, u, gates);
        const rh = new Float32Array(batch * u);
        for (let i = 0; i < rh.length; i++) rh[i] = r[i] * h[i];
        const pre = new Float64Array(batch * u);
        matmul(rh, batch, u, rec, width, 2 * u, u, pre);
        for (let b = 0; b < batch; b++) for (let j = 0; j < u; j++) pre[b * u + j] += x[b * width + 2 * u + j];
        hh = act(options.activation, pre, batch, u, gates);
        candidate = rh;
      }
      const z = act(options.recurrentActivation, columns(zr, batch, 2 * u, 0, u), batch, u, gates);
      const hNext = new Float32Array(batch * u);
      for (let i = 0; i < hNext.length; i++) hNext[i] = z[i] * h[i] + (1 - z[i]) * hh[i];
      h = hNext;
      if (keep !== undefined && gates !== undefined) {
        keep.z.push(gates.z[2], gates.z[0], gates.z[1]);
        keep.y.push(gates.y[2], gates.y[0], gates.y[1]);
      }
    }
    if (tape !== undefined && keep !== undefined)
      tape.push({ hPrev, cPrev: kind === "lstm" ? cPrev : undefined, z: keep.z, y: keep.y, c: kind === "lstm" ? c : undefined, ac, candidate });
    if (sequence !== null) for (let b = 0; b < batch; b++) sequence.set(h.subarray(b * u, (b + 1) * u), (b * steps + s) * u);
  }
  const states: Tensor[] = [{ shape: [batch, u], data: h }];
  if (kind === "lstm") states.push({ shape: [batch, u], data: c });
  const output = sequence === null ? { shape: [batch, u], data: new Float32Array(h) } : { shape: [batch, steps, u], data: sequence };
  return { output, states };
}
