/**
 * The window walk that convolutions, transposed convolutions and pooling
 * share, forward and backward: positions on a strided grid, each reaching
 * the cells `p * stride + t * dilation - offset` of another grid through
 * its taps `t`, cells outside that grid skipped. A convolution or a pooling
 * walks its outputs and reaches its input (the offset is the padding in
 * front); a transposed convolution walks its input and reaches its output
 * (the offset is the crop in front). Each kernel keeps its own arithmetic;
 * only the order of visits, and so the order of its float64 sums, comes
 * from here.
 */
import { convOutputGeometry } from "../shape.js";
import type { Padding, TransposeAxis } from "../shape.js";
import type { ConvAxis } from "./conv-nd.js";

/**
 * One spatial axis of a window walk.
 *
 * @example
 * ```ts
 * // 2 pooling windows of 3 cells, stride 2, over 5 cells with none padded.
 * const axis: WindowAxis = { length: 2, reach: 5, taps: 3, stride: 2, dilation: 1, offset: 0 };
 * ```
 */
export interface WindowAxis {
  /** Positions walked: outputs of a convolution or pooling, inputs of a transposed convolution. */
  readonly length: number;
  /** Cells of the grid the taps reach; taps that fall outside it are skipped. */
  readonly reach: number;
  /** Taps of one window. */
  readonly taps: number;
  readonly stride: number;
  readonly dilation: number;
  /** Padding in front of the reached grid, or the crop in front of a transposed output. */
  readonly offset: number;
}

/** Three axes, depth, height and width; lower ranks pass length-1 axes in front. */
export type WindowAxes = readonly [WindowAxis, WindowAxis, WindowAxis];

/**
 * Throws a RangeError naming the kernel and the axis unless every listed
 * field of every axis is a safe integer at least its given least value.
 *
 * @example
 * ```ts
 * checkAxes("convNd", axes, { outputLength: 1, padBefore: 0, stride: 1, dilation: 1 });
 * ```
 */
export function checkAxes<A extends object>(what: string, axes: readonly A[], least: { readonly [K in keyof A]: number }): void {
  for (const a of axes) {
    for (const key of Object.keys(least) as (keyof A)[]) {
      const v = a[key];
      if (!Number.isSafeInteger(v) || (v as number) < least[key]) throw new RangeError(`${what}: invalid axis ${JSON.stringify(a)}`);
    }
  }
}

/**
 * Calls `tap(p, q, t)` for every walked position `p`, every tap `t` of its
 * window and the reached cell `q` inside the grid, all three flattened
 * (`p` and `q` with the batch index in front, `t` as in a `[kd, kh, kw]`
 * kernel); taps in kernel order, positions in row-major order. `begin(p)`
 * and `end(p)` run before and after the taps of `p`.
 *
 * @example
 * ```ts
 * let taps = 0;
 * const one: WindowAxis = { length: 1, reach: 1, taps: 1, stride: 1, dilation: 1, offset: 0 };
 * walkWindows(1, [one, one, { length: 2, reach: 5, taps: 3, stride: 2, dilation: 1, offset: 0 }], () => taps++);
 * taps; // 6
 * ```
 */
export function walkWindows(
  batch: number,
  axes: WindowAxes,
  tap: (p: number, q: number, t: number) => void,
  begin?: (p: number) => void,
  end?: (p: number) => void,
): void {
  const [az, ay, ax] = axes;
  let p = 0;
  for (let bi = 0; bi < batch; bi++) {
    for (let pz = 0; pz < az.length; pz++) {
      const qz0 = pz * az.stride - az.offset;
      for (let py = 0; py < ay.length; py++) {
        const qy0 = py * ay.stride - ay.offset;
        for (let px = 0; px < ax.length; px++, p++) {
          const qx0 = px * ax.stride - ax.offset;
          begin?.(p);
          for (let tz = 0; tz < az.taps; tz++) {
            const qz = qz0 + tz * az.dilation;
            if (qz < 0 || qz >= az.reach) continue;
            for (let ty = 0; ty < ay.taps; ty++) {
              const qy = qy0 + ty * ay.dilation;
              if (qy < 0 || qy >= ay.reach) continue;
              const qRow = ((bi * az.reach + qz) * ay.reach + qy) * ax.reach;
              const tRow = (tz * ay.taps + ty) * ax.taps;
              for (let tx = 0; tx < ax.taps; tx++) {
                const qx = qx0 + tx * ax.dilation;
                if (qx < 0 || qx >= ax.reach) continue;
                tap(p, qRow + qx, tRow + tx);
              }
            }
          }
          end?.(p);
        }
      }
    }
  }
}

function windowAxes(
  walked: readonly number[],
  reached: readonly number[],
  taps: readonly number[],
  steps: readonly { readonly stride: number; readonly dilation: number }[],
  offsets: readonly number[],
): WindowAxes {
  const axis = (i: number): WindowAxis => ({
    length: walked[i],
    reach: reached[i],
    taps: taps[i],
    stride: steps[i].stride,
    dilation: steps[i].dilation,
    offset: offsets[i],
  });
  return [axis(0), axis(1), axis(2)];
}

/**
 * The walk of a convolution: its outputs, reaching `input` cells per axis
 * through `taps` (the kernel's spatial sizes).
 *
 * @example
 * ```ts
 * convWindows([UNIT_AXIS, rows, cols], [1, h, w], [1, kh, kw]);
 * ```
 */
export function convWindows(axes: readonly [ConvAxis, ConvAxis, ConvAxis], input: readonly number[], taps: readonly number[]): WindowAxes {
  return windowAxes(
    axes.map((a) => a.outputLength),
    input,
    taps,
    axes,
    axes.map((a) => a.padBefore),
  );
}

/**
 * The walk of a transposed convolution: its inputs (`input` per axis),
 * scattering into the outputs its `taps` reach.
 *
 * @example
 * ```ts
 * transposeWindows([UNIT_TRANSPOSE_AXIS, rows, cols], [1, h, w], [1, kh, kw]);
 * ```
 */
export function transposeWindows(axes: readonly [TransposeAxis, TransposeAxis, TransposeAxis], input: readonly number[], taps: readonly number[]): WindowAxes {
  return windowAxes(
    input,
    axes.map((a) => a.outputLength),
    taps,
    axes,
    axes.map((a) => a.crop),
  );
}

/**
 * The walk of a pooling: its outputs, each window clipped to the real input
 * cells (padding never takes part), with the geometry of
 * {@link convOutputGeometry} on each axis.
 *
 * @example
 * ```ts
 * poolWindows([d, h, w], [2, 2, 2], [2, 2, 2], "same");
 * ```
 */
export function poolWindows(input: readonly number[], poolSize: readonly number[], strides: readonly number[], padding: Padding): WindowAxes {
  const geometry = input.map((length, i) => convOutputGeometry(length, poolSize[i], strides[i], 1, padding));
  return windowAxes(
    geometry.map((g) => g.outputLength),
    input,
    poolSize,
    strides.map((stride) => ({ stride, dilation: 1 })),
    geometry.map((g) => g.padBefore),
  );
}
