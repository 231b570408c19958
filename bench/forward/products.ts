/**
 * How many multiply-adds a model's call asks for, as written and as the fast
 * kernels' matrix products run them, so that a benchmark row can say how fast
 * each contender multiplies and adds, not only how long it takes.
 */
import { winogradTile } from "../../src/kernels/fast-conv.js";
import type { CallNode } from "../../src/model-graph.js";
import { nodeCost } from "../../src/model-cost.js";
import type { Model } from "../../src/node/index.js";

/** Multiply-adds of one call: `direct` by the layers' own formulas, `run` with Winograd's products in place of its layers'. */
export interface CallMultiplyAdds {
  readonly direct: number;
  readonly run: number;
}

interface ConvSettings {
  readonly kernelSize: readonly number[];
  readonly strides: readonly number[];
  readonly dilationRate: readonly number[];
  readonly channels: number;
  readonly outChannels: number;
}

/**
 * The products a 2-D convolution that takes Winograd runs on `batch`
 * samples, as the kernels count them: whole tiles, in the micro-kernel's
 * groups of four, `(tile + 2)^2` products of `cin x cout` each; `null` for
 * a convolution that does not take it (not 3x3 with unit strides and
 * dilation, channel or filter counts not multiples of 4, under 16 or over
 * 512 channels).
 */
function winogradProducts(n: CallNode, batch: number): number | null {
  if (n.layer.className !== "Conv2D") return null;
  const s = (n.layer as unknown as { settings: ConvSettings }).settings;
  const ones = (v: readonly number[]) => v.every((x) => x === 1);
  const cin = s.channels;
  const cout = s.outChannels;
  if (!(s.kernelSize.every((k) => k === 3) && ones(s.strides) && ones(s.dilationRate))) return null;
  if (cin % 4 !== 0 || cout % 4 !== 0 || cin < 16 || cin > 512) return null;
  const [, oh, ow] = n.outputs[0].shape as readonly number[];
  const tile = winogradTile({ n: batch, oh, ow, cin, cout } as never);
  const tiles = Math.ceil((batch * Math.ceil(oh / tile) * Math.ceil(ow / tile)) / 4) * 4;
  return tiles * (tile + 2) ** 2 * cin * cout;
}

/**
 * Multiply-adds of `m` on `batch` samples.
 *
 * @example
 * ```ts
 * const { direct, run } = callMultiplyAdds(vgg16, 1); // 15.5 G written, 4.2 G as run
 * ```
 */
export function callMultiplyAdds(m: Model, batch: number): CallMultiplyAdds {
  const nodes = (m as unknown as { nodes: readonly CallNode[] }).nodes;
  let direct = 0;
  let run = 0;
  for (const n of nodes) {
    if (n.inbound.length === 0) continue;
    const macs = Number(nodeCost(n).macs ?? 0) * batch;
    direct += macs;
    run += winogradProducts(n, batch) ?? macs;
  }
  return { direct, run };
}
