/**
 * Matrix products on the fast kernels: the Dense layer, the products of
 * the sequence layers on packed weights, and the one-off products of the
 * backward passes.
 */
import { activate } from "./activations.js";
import type { ActivationName } from "./activations.js";
import { fast } from "./backend.js";
import { dense, denseGeometry } from "./dense.js";
import { applyRest, fusedCode } from "./fast-elementwise.js";
import { packPanels, packed, residentAddress } from "./packed-weights.js";
import { addressIn, finish, outputOf, run, scratchFor, split, threadsFor } from "./run-scope.js";
import { checkTensor } from "./tensor.js";
import type { Tensor } from "./tensor.js";
import type { Job } from "./threads.js";
import type { WasmKernels } from "./wasm.js";

/**
 * `out[rows, units] = x[rows, inDim] · weights + bias`, plus the residual
 * at `res` (when not 0) and a fused relu or relu6, on the packed copy of `weights` (packed once per array): the
 * product of {@link denseLayer} and of the sequence layers' projections.
 *
 * @example
 * ```ts
 * productAt(k, x, batch * steps, features, 4 * units, kernel.data, bias, xw, 0);
 * ```
 */
export function productAt(
  k: WasmKernels,
  x: number,
  rows: number,
  inDim: number,
  units: number,
  weights: Float32Array,
  bias: Float32Array | null,
  out: number,
  act: number,
  res = 0,
): void {
  const threads = threadsFor(2 * rows * inDim * units);
  if (rows === 1) {
    // One row reads each weight once: streaming the rows as they are stored costs no packed copy
    // (411 MB for VGG16's first dense layer) and sums in the packed kernel's order, to the bit.
    const w = residentAddress(k, weights);
    const b = bias === null ? 0 : residentAddress(k, bias);
    run(
      k,
      split(units, threads, 4).map(([c0, c1]) => ({ fn: "denseRowMajor", args: [x, inDim, units, w, b, out, act, res, 0, rows, c0, c1] })),
    );
    return;
  }
  const w = packed(k, weights, inDim, units, bias);
  const panels = Math.ceil(units / k.panelWidth);
  const head = [x, inDim, units, w.ptr, bias === null ? 0 : w.biasPtr, out, act, res];
  // Few rows (batch 1) make the product a matrix-vector product bound by
  // reading the weights: split the panels, so each thread reads half of them.
  const jobs: Job[] =
    rows >= 16 * threads || panels < threads
      ? split(rows, threads, 4).map(([r0, r1], t) => ({ fn: "dense", args: [...head, r0, r1, 0, panels, scratchFor(k, t)] }))
      : split(panels, threads, 1).map(([p0, p1], t) => ({ fn: "dense", args: [...head, 0, rows, p0, p1, scratchFor(k, t)] }));
  run(k, jobs);
}

/**
 * A Dense layer's computation: matrix product, bias, an optional residual
 * (a fused add) and activation, on the last axis (fast kernels when chosen and loaded, else {@link dense} then
 * {@link activate}).
 *
 * @example
 * ```ts
 * const y = denseLayer({ shape: [64, 2048], data }, kernel, bias, "softmax"); // [64, 10]
 * ```
 */
export function denseLayer(input: Tensor, kernel: Tensor, bias: Tensor | null, activation: ActivationName, residual: Tensor | null = null): Tensor {
  const k = fast();
  const { rows, inDim, units } = denseGeometry(input, kernel, bias);
  const shape = [...input.shape.slice(0, -1), units];
  checkResidual("denseLayer", residual, shape);
  if (k === null || rows === 0 || inDim === 0 || units === 0) {
    const out = plusResidual(dense(input, kernel, bias), residual);
    return activation === "linear" ? out : activate(activation, out);
  }
  const temps: number[] = [];
  const x = addressIn(k, input.data, temps);
  const res = residual === null ? 0 : addressIn(k, residual.data, temps);
  const floats = rows * units;
  const out = outputOf(k, floats, temps);
  productAt(k, x, rows, inDim, units, kernel.data, bias === null ? null : bias.data, out, fusedCode(activation), res);
  applyRest(k, activation, shape, out, floats);
  return { shape, data: finish(k, out, floats, temps) };
}

/**
 * Checks that a residual added in a product's last step has the product's
 * output shape (the forward pass's plan fuses only an add of two tensors of
 * one shape).
 *
 * @example
 * ```ts
 * checkResidual("conv2dLayer", shortcut, [1, 56, 56, 256]);
 * ```
 */
export function checkResidual(what: string, residual: Tensor | null, shape: readonly number[]): void {
  if (residual === null) return;
  checkTensor(residual, `${what} residual`);
  if (residual.shape.length !== shape.length || residual.shape.some((d, i) => d !== shape[i])) {
    throw new RangeError(
      `${what}: a residual of shape [${residual.shape.join(", ")}] is added to an output of shape [${shape.join(", ")}]; they must be equal`,
    );
  }
}

/**
 * `out + residual` on the reference kernels, in float32 as the add layer's reference sums.
 *
 * @example
 * ```ts
 * const y = plusResidual(conv2d(x, kernel, bias, options), shortcut);
 * ```
 */
export function plusResidual(out: Tensor, residual: Tensor | null): Tensor {
  if (residual === null) return out;
  const data = new Float32Array(out.data.length);
  for (let i = 0; i < data.length; i++) data[i] = out.data[i] + residual.data[i];
  return { shape: out.shape, data };
}

/**
 * The matrix product `a[m, kDim] · b[kDim, n]` on the fast kernels, or
 * `null` when they are not chosen or not loaded. Backward passes are such
 * products over arrays made for one step, so `b` is packed into a block
 * freed at once rather than into the per-weight cache `predict` keeps.
 *
 * @example
 * ```ts
 * const c = matmul(a, b, 64, 288, 32); // Float32Array(64 * 32), or null on the reference kernels
 * ```
 */
export function matmul(a: Float32Array, b: Float32Array, m: number, kDim: number, n: number): Float32Array | null {
  const k = fast();
  if (k === null || m === 0 || kDim === 0 || n === 0) return null;
  if (a.length !== m * kDim || b.length !== kDim * n) {
    throw new RangeError(`matmul: [${m}, ${kDim}] x [${kDim}, ${n}] needs ${m * kDim} and ${kDim * n} values, got ${a.length} and ${b.length}`);
  }
  // Every block here is freed on return, inside a run scope too: a training step makes many such
  // products, and a scope would keep each one's blocks until the step ends.
  const nr = k.panelWidth;
  const panels = Math.ceil(n / nr);
  const x = k.alloc(a.length * 4);
  const wp = k.alloc(panels * kDim * nr * 4);
  const out = k.alloc(m * n * 4);
  try {
    k.view(x, a.length).set(a);
    packPanels(k.view(wp, panels * kDim * nr), b, kDim, n, nr);
    const threads = threadsFor(2 * m * kDim * n);
    const head = [x, kDim, n, wp, 0, out, 0, 0];
    run(
      k,
      split(m, threads, 4).map(([r0, r1], t) => ({ fn: "dense", args: [...head, r0, r1, 0, panels, scratchFor(k, t)] })),
    );
    return new Float32Array(k.view(out, m * n));
  } finally {
    k.free(out);
    k.free(wp);
    k.free(x);
  }
}
