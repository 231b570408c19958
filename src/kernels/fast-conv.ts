/**
 * The window layers on the fast kernels: 2-D convolution (Winograd or
 * packed im2col), depthwise convolution, 2-D and global pooling, each
 * falling back to its reference kernel.
 */
import { activate } from "./activations.js";
import type { ActivationName } from "./activations.js";
import { fast } from "./backend.js";
import { UNIT_AXIS, convNd } from "./conv-nd.js";
import { conv2d, conv2dGeometry, planeGeometry } from "./conv2d.js";
import type { Conv2dOptions } from "./conv2d.js";
import { checkResidual, plusResidual } from "./fast-dense.js";
import { applyRest, fusedCode } from "./fast-elementwise.js";
import { cachedCopy, packed, winogradPacked } from "./packed-weights.js";
import type { WinogradTile } from "./packed-weights.js";
import { globalPool } from "./pool-global.js";
import { averagePool2d, maxPool2d, pool2dGeometry } from "./pooling.js";
import type { Pool2dOptions, PoolKind } from "./pooling.js";
import { addressIn, finish, outputOf, run, scratchFor, split, threadsFor } from "./run-scope.js";
import { checkTensor } from "./tensor.js";
import type { Tensor } from "./tensor.js";
import type { Job } from "./threads.js";

/**
 * The K block of the product's packed rows, and so the most channels a
 * Winograd convolution takes (`KC` in `asm/kernels.ts`, which
 * `winogradMaxChannels()` reports; a test holds the two equal).
 *
 * @example
 * ```ts
 * 3 * 3 * 56 <= K_BLOCK; // a 3x3 window over 56 channels is one K block
 * ```
 */
export const K_BLOCK = 512;

/**
 * Whether a convolution takes the Winograd path: 3x3 window, unit strides
 * and dilation, channel and filter counts that fill whole SIMD vectors, at
 * least 16 channels (below that the transforms cost more than they save)
 * and at most one K block of channels.
 */
function useWinograd(g: Pick<ReturnType<typeof conv2dGeometry>, "kh" | "kw" | "sh" | "sw" | "dh" | "dw" | "cin" | "cout">): boolean {
  return (
    g.kh === 3 && g.kw === 3 && g.sh === 1 && g.sw === 1 && g.dh === 1 && g.dw === 1 && g.cin % 4 === 0 && g.cout % 4 === 0 && g.cin >= 16 && g.cin <= K_BLOCK
  );
}

/**
 * Multiply-adds of a Winograd convolution with output tiles of `tile`,
 * counted in whole tiles (the outputs past the edge are computed too) and
 * whole groups of four tiles (the product micro-kernel's rows), with each
 * transformed value of a channel or filter counted as `transform`
 * multiply-adds: the transforms' adds and loads, per value, weigh that
 * much against the matrix products' multiply-adds.
 */
function winogradCost(g: ReturnType<typeof conv2dGeometry>, tile: WinogradTile): number {
  const tiles = Math.ceil((g.n * Math.ceil(g.oh / tile) * Math.ceil(g.ow / tile)) / 4) * 4;
  const transform = tile === 2 ? 3 : 6;
  return tiles * (tile + 2) * (tile + 2) * (g.cin * g.cout + transform * (g.cin + g.cout));
}

/**
 * The Winograd output tile for a layer that takes the Winograd path:
 * F(4x4, 3x3) (2.25 multiply-adds per output and channel pair) unless its
 * whole-tile waste at the edges and its costlier transforms make F(2x2,
 * 3x3) (4 per output) cheaper, as on outputs of 2 or 6 pixels, or a
 * single image's 4x4 (one 6x6 tile where the micro-kernel computes four).
 *
 * @example
 * ```ts
 * winogradTile(conv2dGeometry(x, kernel, null, options)); // 4 for a 14x14 VGG16 layer
 * ```
 */
export function winogradTile(g: ReturnType<typeof conv2dGeometry>): WinogradTile {
  return largestTile === 4 && winogradCost(g, 4) < winogradCost(g, 2) ? 4 : 2;
}

/** The largest Winograd output tile a convolution may take now; 2 inside {@link withTrainingPrecision}. */
let largestTile: WinogradTile = 4;

/**
 * Runs `f` (a training step's forward and backward passes) with every
 * Winograd convolution held to F(2x2, 3x3), whose rounding is a fraction of
 * F(4x4, 3x3)'s. Adam moves a weight by about the learning rate whatever
 * its gradient's size, so the larger rounding, harmless in one forward
 * pass, flips the steps of weights whose gradients are near zero and grows
 * over a few steps (seed Model B after 20 Adam steps: 4.8e-3 from Keras's
 * losses with F(4x4, 3x3), 5.2e-5 with F(2x2, 3x3)).
 *
 * @example
 * ```ts
 * const result = withTrainingPrecision(() => this.step(inputs, labels));
 * ```
 */
export function withTrainingPrecision<T>(f: () => T): T {
  const before = largestTile;
  largestTile = 2;
  try {
    return f();
  } finally {
    largestTile = before;
  }
}

/**
 * Whether {@link conv2dLayer} on the fast kernels can write the 2x2,
 * stride-2, valid max pool of its output directly (its `pool` argument)
 * for an input of `inputShape` (`[n, h, w, cin]`) and a kernel of
 * `kernelShape` (`[kh, kw, cin, cout]`): the activation is one its last
 * step applies (linear, relu, relu6: the others run after the product,
 * over the whole output), there is no residual, the pool's output is not
 * empty, and the layer runs as Winograd or its window's taps and channels
 * fit one K block of the im2col product (`kh * kw * cin` up to
 * {@link K_BLOCK}), so that each output is final when its tile ends. The
 * pooled values are those of the unfused layers bit for bit. A rule on
 * shapes alone, which the memory estimate reads too; {@link conv2dLayer}
 * also needs the kernels loaded.
 *
 * @example
 * ```ts
 * conv2dWritesPool([64, 28, 28, 1], [3, 3, 1, 32], { strides: [1, 1], dilationRate: [1, 1], padding: "same" }, "relu", false); // true: seed Model B's first layer
 * ```
 */
export function conv2dWritesPool(
  inputShape: readonly number[],
  kernelShape: readonly number[],
  options: Conv2dOptions,
  activation: ActivationName,
  residual: boolean,
): boolean {
  if (residual || (activation !== "linear" && fusedCode(activation) === 0)) return false;
  if (inputShape.length !== 4 || kernelShape.length !== 4) return false;
  const [n, h, w, cin] = inputShape;
  const [kh, kw, kcin, cout] = kernelShape;
  if (kcin !== cin || cin === 0 || cout === 0) return false;
  const g = { n, cin, cout, kh, kw, ...planeGeometry(h, w, kh, kw, options) };
  if (g.n * (g.oh >> 1) * (g.ow >> 1) === 0) return false;
  return useWinograd(g) || kh * kw * cin <= K_BLOCK;
}

/**
 * A Conv2D layer's computation: convolution, bias, an optional residual
 * of the output's shape (a fused add) and activation. Runs the
 * fast kernels when they are chosen and loaded, else {@link conv2d} then
 * {@link activate}; both reject malformed inputs with the same RangeError.
 * With `pool`, it returns the 2x2, stride-2, valid max pool of that output
 * instead, written by the convolution's last step; only where
 * {@link conv2dWritesPool} says so.
 *
 * @example
 * ```ts
 * const y = conv2dLayer(x, kernel, bias, { strides: [1, 1], dilationRate: [1, 1], padding: "same" }, "relu");
 * ```
 */
export function conv2dLayer(
  input: Tensor,
  kernel: Tensor,
  bias: Tensor | null,
  options: Conv2dOptions,
  activation: ActivationName,
  residual: Tensor | null = null,
  pool = false,
): Tensor {
  const k = fast();
  const g = conv2dGeometry(input, kernel, bias, options);
  if (pool && (k === null || !conv2dWritesPool(input.shape, kernel.shape, options, activation, residual !== null))) {
    throw new RangeError(
      `conv2dLayer: the convolution cannot write its max pool here (activation ${activation}, ${g.kh}x${g.kw}x${g.cin} window, output ${g.oh}x${g.ow})`,
    );
  }
  // Pooled, the rows are the pool's pixels: a last odd output row or column is never computed.
  const oh = pool ? g.oh >> 1 : g.oh;
  const ow = pool ? g.ow >> 1 : g.ow;
  const rows = g.n * oh * ow;
  const kDim = g.kh * g.kw * g.cin;
  const shape = [g.n, oh, ow, g.cout] as const;
  checkResidual("conv2dLayer", residual, shape);
  if (k === null || rows === 0 || kDim === 0 || g.cout === 0) {
    const out = plusResidual(conv2d(input, kernel, bias, options), residual);
    return activation === "linear" ? out : activate(activation, out);
  }
  const temps: number[] = [];
  const x = addressIn(k, input.data, temps);
  const res = residual === null ? 0 : addressIn(k, residual.data, temps);
  const winograd = useWinograd(g);
  const w = packed(k, kernel.data, kDim, g.cout, bias === null ? null : bias.data, !winograd);
  const floats = rows * g.cout;
  const out = outputOf(k, floats, temps);
  const panels = Math.ceil(g.cout / k.panelWidth);
  // Pooled, every output pixel costs the four of its window.
  const threads = threadsFor(2 * rows * (pool ? 4 : 1) * kDim * g.cout);
  if (winograd) {
    // 3x3, stride 1: Winograd F(4x4, 3x3) or F(2x2, 3x3), 4 or 2.25 times fewer multiply-adds; tiles split across threads.
    const tile = winogradTile(g);
    // Pooled, the tiles cover the outputs the pool reads, at half the pooled size per tile side.
    const tiles = pool ? g.n * Math.ceil(oh / (tile / 2)) * Math.ceil(ow / (tile / 2)) : g.n * Math.ceil(g.oh / tile) * Math.ceil(g.ow / tile);
    const u = winogradPacked(k, kernel.data, g.cin, g.cout, tile);
    const head = [x, g.h, g.w, g.cin, g.padTop, g.padLeft, g.oh, g.ow, g.cout, u, bias === null ? 0 : w.biasPtr, out, fusedCode(activation), res, pool ? 1 : 0];
    const cout = panels * k.panelWidth;
    const need = tile === 2 ? k.exports.winogradScratchFloats(cout) : k.exports.winograd4ScratchFloats(cout);
    const fn = tile === 2 ? "winograd3x3" : "winograd4x4";
    run(
      k,
      split(tiles, threads, 4).map(([t0, t1], t) => ({ fn, args: [...head, t0, t1, scratchFor(k, t, need)] })),
    );
  } else {
    const head = [
      x,
      g.h,
      g.w,
      g.cin,
      g.kh,
      g.kw,
      g.sh,
      g.sw,
      g.dh,
      g.dw,
      g.padTop,
      g.padLeft,
      g.oh,
      g.ow,
      g.cout,
      w.ptr,
      bias === null ? 0 : w.biasPtr,
      out,
      fusedCode(activation),
      res,
      pool ? 1 : 0,
    ];
    // Rows (output pixels over the batch, or pooled pixels) split evenly; a layer with fewer
    // rows than threads (late layers at batch 1) splits its filters instead.
    const jobs: Job[] =
      rows >= 16 * threads || panels < threads
        ? split(rows, threads, 4).map(([r0, r1], t) => ({ fn: "conv2d", args: [...head, r0, r1, 0, panels, scratchFor(k, t)] }))
        : split(panels, threads, 1).map(([p0, p1], t) => ({ fn: "conv2d", args: [...head, 0, rows, p0, p1, scratchFor(k, t)] }));
    run(k, jobs);
  }
  applyRest(k, activation, shape, out, floats);
  return { shape, data: finish(k, out, floats, temps) };
}

/**
 * A DepthwiseConv2D layer's computation, channels last: kernel
 * `[kh, kw, channels, depthMultiplier]` as Keras stores it, bias
 * `[channels * depthMultiplier]` or `null`, relu or relu6 fused and any other
 * activation after it. The WebAssembly kernel when chosen and loaded (four
 * channels per SIMD vector when the multiplier is 1), else the reference
 * grouped convolution.
 *
 * @example
 * ```ts
 * const y = depthwise2dLayer(x, kernel, null, { strides: [1, 1], dilationRate: [1, 1], padding: "same" }, "relu6");
 * ```
 */
export function depthwise2dLayer(input: Tensor, kernel: Tensor, bias: Tensor | null, options: Conv2dOptions, activation: ActivationName): Tensor {
  checkTensor(input, "depthwise2d input", 4);
  checkTensor(kernel, "depthwise2d kernel", 4);
  const [n, h, w, c] = input.shape;
  const [kh, kw, kc, m] = kernel.shape;
  if (kc !== c) throw new RangeError(`depthwise2d: kernel expects ${kc} input channels, input has ${c}`);
  const cout = c * m;
  if (bias !== null && (bias.shape.length !== 1 || bias.shape[0] !== cout)) {
    throw new RangeError(`depthwise2d: bias has shape [${bias.shape.join(", ")}], the layer has ${cout} output channels`);
  }
  const { sh, sw, dh, dw, oh, ow, padTop, padLeft } = planeGeometry(h, w, kh, kw, options);
  const floats = n * oh * ow * cout;
  const k = fast();
  if (k === null || floats === 0) {
    // `[kh, kw, c, m]` and `[kh, kw, 1, c * m]` are the same array: one group per channel.
    const grouped = { shape: [1, kh, kw, 1, cout], data: kernel.data };
    const axes = [
      UNIT_AXIS,
      { outputLength: oh, padBefore: padTop, stride: sh, dilation: dh },
      { outputLength: ow, padBefore: padLeft, stride: sw, dilation: dw },
    ] as const;
    const y = convNd({ shape: [n, 1, h, w, c], data: input.data }, grouped, bias, axes, c);
    const out = { shape: [n, oh, ow, cout], data: y.data };
    return activation === "linear" ? out : activate(activation, out);
  }
  const temps: number[] = [];
  const x = addressIn(k, input.data, temps);
  // Weights stay where they are for the whole model's life: copied in once per array.
  const kp = cachedCopy(k, kernel.data, 0);
  const bp = bias === null ? 0 : cachedCopy(k, bias.data, 4);
  const out = outputOf(k, floats, temps);
  const rows = n * oh;
  const head = [x, h, w, c, kh, kw, sh, sw, dh, dw, padTop, padLeft, oh, ow, m, kp, bp, out, fusedCode(activation)];
  run(
    k,
    split(rows, threadsFor(2 * floats * kh * kw), 1).map(([r0, r1]) => ({ fn: "depthwise2d", args: [...head, r0, r1] })),
  );
  const shape = [n, oh, ow, cout];
  applyRest(k, activation, shape, out, floats);
  return { shape, data: finish(k, out, floats, temps) };
}

/**
 * A pooling layer's computation (fast kernels when chosen and loaded, else
 * {@link maxPool2d} / {@link averagePool2d}).
 *
 * @example
 * ```ts
 * const y = pool2dLayer("max", x, { poolSize: [2, 2], strides: [2, 2], padding: "valid" });
 * ```
 */
export function pool2dLayer(kind: PoolKind, input: Tensor, options: Pool2dOptions): Tensor {
  const k = fast();
  const g = pool2dGeometry(kind, input, options);
  const rows = g.n * g.oh;
  const floats = rows * g.ow * g.c;
  if (k === null || floats === 0) return kind === "max" ? maxPool2d(input, options) : averagePool2d(input, options);
  const temps: number[] = [];
  const x = addressIn(k, input.data, temps);
  const out = outputOf(k, floats, temps);
  const threads = threadsFor(floats * g.ph * g.pw * 4);
  const head = [kind === "max" ? 0 : 1, x, g.h, g.w, g.c, g.ph, g.pw, g.sh, g.sw, g.padTop, g.padLeft, g.oh, g.ow, out];
  run(
    k,
    split(rows, threads, 1).map(([r0, r1]) => ({ fn: "pool2d", args: [...head, r0, r1] })),
  );
  return { shape: [g.n, g.oh, g.ow, g.c], data: finish(k, out, floats, temps) };
}

/**
 * Global max or average pooling, channels last (`[n, ...spatial, c]` to
 * `[n, c]`), on the WebAssembly kernels with the reference kernel's bits;
 * {@link globalPool} when they are not chosen.
 *
 * @example
 * ```ts
 * const y = globalPoolLayer("avg", x); // [n, c]
 * ```
 */
export function globalPoolLayer(kind: "max" | "avg", input: Tensor): Tensor {
  const k = fast();
  const rank = input.shape.length;
  if (k === null || rank < 3 || input.data.length === 0) return globalPool(kind, input);
  checkTensor(input, "globalPool input");
  const n = input.shape[0];
  const c = input.shape[rank - 1];
  const positions = input.data.length / (n * c);
  const temps: number[] = [];
  const x = addressIn(k, input.data, temps);
  const out = outputOf(k, n * c, temps);
  run(
    k,
    split(n, threadsFor(input.data.length * 2), 1).map(([b0, b1]) => ({ fn: "globalPool", args: [kind === "max" ? 0 : 1, x, out, positions, c, b0, b1] })),
  );
  return { shape: [n, c], data: finish(k, out, n * c, temps) };
}
