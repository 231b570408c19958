/**
 * Reshaping layers at run time (type twin: `types/layers/reshaping.ts`):
 * flatten, reshape, permute, repeatVector, and zero padding, cropping and
 * nearest up-sampling in 1, 2 and 3 spatial dimensions.
 */
import { exactProduct, exactRank, fail, oneOf, positiveCount, sizeTuple, valueText } from "../checks.js";
import { gatherBackward } from "../kernels/gather-backward.js";
import { cropLayer, permutationKeepsOrder, repeatLayer, transposeLayer } from "../kernels/fast-copy.js";
import { padLayer } from "../kernels/fast-elementwise.js";
import type { Tensor } from "../kernels/tensor.js";
import { ConfiguredLayer } from "./layer.js";
import type { DataFormat, Dim, Shape, SizedDim, SizedShape, SpatialRank } from "../shape.js";
import { differText, sizeAdd, sizeAgreement, sizeDivFloor, sizeMultiply, sizeSubtract } from "../size.js";
import { AXIS_NAMES, dataFormatOption, layoutText, sizedShapeText, spatialIndices } from "../shape.js";
import { layerRegistrar, variantsOf } from "./registry.js";
import type { LayerGradients } from "./layer.js";
import * as keras from "../io/keras/json-writers.js";
import * as tfjs from "../io/tfjs/config-writers.js";
import * as onnx from "../io/onnx/mappings.js";

const registerReshaping = layerRegistrar("reshaping", { tfjs, keras, onnx });

// ---------------------------------------------------------------------------
// flatten
// ---------------------------------------------------------------------------

/** The permutation that moves a channels-first tensor's channels last. */
function channelsToLast(rank: number): number[] {
  return [0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2), 1];
}

/**
 * Folds every non-batch dimension into one (Keras `Flatten`): their product,
 * `null` if one is unknown, `1` for a rank-1 input. With `"channelsFirst"`
 * data the channels move last first, so the order of the values is the one a
 * channels-last model would flatten.
 *
 * @example
 * new Flatten().apply([null, 3, 3, 128]); // [null, 1152]
 */
export class Flatten extends ConfiguredLayer {
  readonly className = "Flatten";
  private dataFormat: DataFormat | undefined;

  constructor(config?: unknown) {
    super("Flatten", "flatten", config, ["dataFormat", "name"]);
  }

  computeOutputShape(inputShape: Shape): Shape {
    this.dataFormat = dataFormatOption("flatten", this.config.dataFormat);
    const rest = inputShape.slice(1);
    const size = rest.some((d) => d === null) ? null : exactProduct("flatten", "output size", rest as number[]);
    return [inputShape[0], size];
  }

  /** The product of symbolic sizes in the size algebra; `null` when one is unknown. */
  override computeSizes([sizes]: readonly SizedShape[], output: Shape): SizedShape {
    const rest = (sizes ?? []).slice(1);
    if (rest.some((d) => d === null)) return output;
    return [output[0], rest.reduce<SizedDim>((p, d) => sizeMultiply(p, d), 1)];
  }

  override getConfig(): Record<string, unknown> {
    return { dataFormat: dataFormatOption("flatten", this.config.dataFormat), name: this.name };
  }

  /** Channels-last (or rank 2), the buffer is the output; channels-first data is transposed first, unless only axes of length 1 move. */
  override passesBuffer(): boolean {
    if (this.dataFormat === undefined) this.computeOutputShape(this.builtInputShape());
    const shape = this.builtInputShape();
    return this.dataFormat !== "channelsFirst" || shape.length <= 2 || permutationKeepsOrder(shape, channelsToLast(shape.length));
  }

  call(input: Tensor): Tensor {
    if (this.dataFormat === undefined) this.computeOutputShape(this.builtInputShape());
    const rank = input.shape.length;
    // Keras moves channels last only from rank 3 on; for rank 2 the move changes nothing.
    const x = this.dataFormat === "channelsFirst" && rank > 2 ? transposeLayer(input, channelsToLast(rank)) : input;
    const batch = x.shape[0];
    return { shape: [batch, batch === 0 ? 0 : x.data.length / batch], data: x.data };
  }

  override gradients(dOutput: Tensor, inputs: readonly Tensor[]): LayerGradients {
    return { inputs: gatherBackward(this, (xs) => this.call(xs[0]), inputs, dOutput), weights: [] };
  }
}

registerReshaping("Flatten", Flatten, "flatten", ["dataFormat", "name"]);

// ---------------------------------------------------------------------------
// reshape
// ---------------------------------------------------------------------------

/**
 * Gives the values a new shape (Keras `Reshape`). One `-1` takes the size that
 * keeps the number of values (`null` when an input size is unknown, as in
 * Keras 3); otherwise the sizes must hold exactly the input's values.
 *
 * @example
 * new Reshape({ targetShape: [-1, 16] }).apply([null, 28, 28, 1]); // [null, 49, 16]
 */
export class Reshape extends ConfiguredLayer {
  readonly className = "Reshape";

  constructor(config: unknown) {
    super("Reshape", "reshape", config, ["targetShape", "name"]);
  }

  computeOutputShape(inputShape: Shape): Shape {
    const target = this.config.targetShape;
    if (!Array.isArray(target) || target.some((d) => d !== -1 && !(typeof d === "number" && Number.isSafeInteger(d) && d > 0))) {
      fail(`shapewise: reshape targetShape must hold positive integers or -1, got ${valueText(target)}`);
    }
    const sizes = target as number[];
    const unknown = sizes.filter((d) => d === -1).length;
    if (unknown > 1) fail(`shapewise: reshape targetShape may hold at most one -1, got ${valueText(sizes)}`);
    const rest = inputShape.slice(1);
    if (rest.some((d) => d === null)) return [inputShape[0], ...sizes.map((d) => (d === -1 ? null : d))];
    const size = exactProduct("reshape", "input size", rest as number[]);
    const known = exactProduct(
      "reshape",
      "targetShape size",
      sizes.filter((d) => d !== -1),
    );
    if (unknown === 0) {
      if (size !== known) {
        fail(`shapewise: reshape targetShape ${valueText(sizes)} holds ${known} values, input ${valueText(rest)} holds ${size}`);
      }
      return [inputShape[0], ...sizes];
    }
    if (size % known !== 0) {
      fail(`shapewise: reshape targetShape ${valueText(sizes)} cannot hold input ${valueText(rest)}: ${size} values are not a multiple of ${known}`);
    }
    const fill = Math.floor(size / known);
    return [inputShape[0], ...sizes.map((d) => (d === -1 ? fill : d))];
  }

  /**
   * A named input's element count in the size algebra against the target's:
   * an error only where the algebra proves they may differ, saying when; a
   * `-1` is the quotient where the algebra proves it exact, unknown otherwise.
   */
  override computeSizes([sizes]: readonly SizedShape[], output: Shape): SizedShape {
    const rest = (sizes ?? []).slice(1);
    if (rest.some((d) => d === null) || rest.every((d) => typeof d === "number")) return output;
    const target = this.config.targetShape as number[];
    const n = rest.reduce<SizedDim>((p, d) => sizeMultiply(p, d), 1);
    const known = target.filter((d) => d !== -1).reduce((p, d) => p * d, 1);
    if (!target.includes(-1)) {
      const verdict = sizeAgreement(n, known);
      if (typeof verdict === "object") {
        fail(`shapewise: reshape targetShape ${valueText(target)} holds ${known} values, input ${sizedShapeText(rest)} holds ${n}: ${differText(verdict)}`);
      }
      return output;
    }
    const fill = sizeDivFloor(n, known);
    const verdict = sizeAgreement(n, sizeMultiply(fill, known));
    if (typeof verdict === "object") {
      fail(
        `shapewise: reshape targetShape ${valueText(target)} cannot hold input ${sizedShapeText(rest)}: ${n} values are not a multiple of ${known} when ${verdict.differ}`,
      );
    }
    return [output[0] ?? null, ...target.map((d) => (d === -1 ? (verdict === "same" ? fill : null) : d))];
  }

  /** The target sizes as given: a `-1` stays `-1`, as Keras keeps it in its config. */
  override getConfig(): Record<string, unknown> {
    if (this.inputShape !== undefined) this.computeOutputShape(this.inputShape);
    return { targetShape: [...(this.config.targetShape as number[])], name: this.name };
  }

  override passesBuffer(): boolean {
    return true;
  }

  call(input: Tensor): Tensor {
    const shape = this.computeOutputShape(input.shape) as number[];
    return { shape, data: input.data };
  }

  override gradients(dOutput: Tensor, inputs: readonly Tensor[]): LayerGradients {
    return { inputs: [{ shape: [...inputs[0].shape], data: dOutput.data }], weights: [] };
  }
}

registerReshaping("Reshape", Reshape, "reshape", ["targetShape", "name"]);

// ---------------------------------------------------------------------------
// permute
// ---------------------------------------------------------------------------

/**
 * Reorders the non-batch axes (Keras `Permute`): output axis `i` (from 1) is
 * input axis `dims[i - 1]`.
 *
 * @example
 * new Permute({ dims: [2, 1] }).apply([null, 10, 64]); // [null, 64, 10]
 */
export class Permute extends ConfiguredLayer {
  readonly className = "Permute";
  private dims: number[] | undefined;

  constructor(config: unknown) {
    super("Permute", "permute", config, ["dims", "name"]);
  }

  computeOutputShape(inputShape: Shape): Shape {
    const dims = this.config.dims;
    if (!Array.isArray(dims)) fail(`shapewise: permute dims must be a list of axes, got ${valueText(dims)}`);
    const n = dims.length;
    const seen = new Set(dims);
    if (seen.size !== n || !dims.every((d) => typeof d === "number" && Number.isInteger(d) && d >= 1 && d <= n)) {
      fail(`shapewise: permute dims must list each axis from 1 to ${n} once, got ${valueText(dims)}`);
    }
    if (inputShape.length !== n + 1) {
      fail(`shapewise: permute dims ${valueText(dims)} need input of rank ${n + 1}, got rank ${inputShape.length} ${valueText(inputShape)}`);
    }
    this.dims = dims as number[];
    return [inputShape[0], ...this.dims.map((d) => inputShape[d])];
  }

  override getConfig(): Record<string, unknown> {
    if (this.dims === undefined) this.computeOutputShape(this.builtInputShape());
    return { dims: [...this.dims!], name: this.name };
  }

  /** A permutation that only moves axes of length 1 hands the input's buffer on. */
  override passesBuffer(): boolean {
    if (this.dims === undefined) this.computeOutputShape(this.builtInputShape());
    return permutationKeepsOrder(this.builtInputShape(), [0, ...this.dims!]);
  }

  call(input: Tensor): Tensor {
    if (this.dims === undefined) this.computeOutputShape(this.builtInputShape());
    return transposeLayer(input, [0, ...this.dims!]);
  }

  override gradients(dOutput: Tensor, inputs: readonly Tensor[]): LayerGradients {
    return { inputs: gatherBackward(this, (xs) => this.call(xs[0]), inputs, dOutput), weights: [] };
  }
}

registerReshaping("Permute", Permute, "permute", ["dims", "name"]);

// ---------------------------------------------------------------------------
// repeatVector
// ---------------------------------------------------------------------------

/**
 * Repeats a `[batch, features]` input `n` times along a new axis (Keras `RepeatVector`).
 *
 * @example
 * new RepeatVector({ n: 3 }).apply([null, 32]); // [null, 3, 32]
 */
export class RepeatVector extends ConfiguredLayer {
  readonly className = "RepeatVector";
  private n: number | undefined;

  constructor(config: unknown) {
    super("RepeatVector", "repeatVector", config, ["n", "name"]);
  }

  computeOutputShape(inputShape: Shape): Shape {
    exactRank("repeatVector", inputShape, 2, "[batch, features]");
    this.n = positiveCount("repeatVector", "n", this.config.n);
    return [inputShape[0], this.n, inputShape[1]];
  }

  override getConfig(): Record<string, unknown> {
    if (this.n === undefined) this.computeOutputShape(this.builtInputShape());
    return { n: this.n, name: this.name };
  }

  call(input: Tensor): Tensor {
    if (this.n === undefined) this.computeOutputShape(this.builtInputShape());
    const [batch, features] = input.shape;
    return repeatLayer({ shape: [batch, 1, features], data: input.data }, [1, this.n!, 1]);
  }

  override gradients(dOutput: Tensor, inputs: readonly Tensor[]): LayerGradients {
    return { inputs: gatherBackward(this, (xs) => this.call(xs[0]), inputs, dOutput), weights: [] };
  }
}

registerReshaping("RepeatVector", RepeatVector, "repeatVector", ["n", "name"]);

// ---------------------------------------------------------------------------
// Zero padding and cropping
// ---------------------------------------------------------------------------

const AMOUNT_FORMS: Readonly<Record<SpatialRank, string>> = {
  1: "a non-negative integer or a pair of them",
  2: "a non-negative integer, a pair of them, or a pair of pairs",
  3: "a non-negative integer, a triple of them, or a triple of pairs",
};

const isAmount = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;

/**
 * Reads a padding or cropping option as Keras does: in 1-D one number for
 * both ends or `[before, after]`; in 2-D and 3-D one number for every side,
 * one per axis, or a `[before, after]` pair per axis (mixing both forms).
 *
 * @example
 * amountPairs("zeroPadding2d", "padding", [[1, 2], 3], 2); // [[1, 2], [3, 3]]
 */
export function amountPairs(method: string, key: string, value: unknown, n: SpatialRank): [number, number][] {
  const bad = (): never => fail(`shapewise: ${method} ${key} must be ${AMOUNT_FORMS[n]}, got ${valueText(value)}`);
  const pairOf = (v: unknown): [number, number] => {
    if (isAmount(v)) return [v, v];
    if (Array.isArray(v) && v.length === 2 && v.every(isAmount)) return [v[0], v[1]];
    return bad();
  };
  if (n === 1) return [pairOf(value)];
  if (isAmount(value)) return Array.from({ length: n }, (): [number, number] => [value, value]);
  if (Array.isArray(value) && value.length === n) return value.map(pairOf);
  return bad();
}

interface SpatialSettings {
  dataFormat: DataFormat;
  /** The spatial axes' positions in the shape. */
  axes: number[];
}

/** What the spatial reshaping layers share: options, data format, rank check. */
abstract class SpatialLayer extends ConfiguredLayer {
  protected spatial: SpatialSettings | undefined;

  constructor(
    className: string,
    method: string,
    protected readonly rank: SpatialRank,
    config: unknown,
    options: readonly string[],
  ) {
    super(className, method, config, options);
  }

  /** Reads the data format (1-D layers have none) and checks the input rank. */
  protected layout(inputShape: Shape): SpatialSettings {
    const dataFormat = this.rank === 1 ? "channelsLast" : dataFormatOption(this.method, this.config.dataFormat);
    exactRank(this.method, inputShape, this.rank + 2, layoutText(this.rank, dataFormat));
    return { dataFormat, axes: spatialIndices(this.rank, dataFormat) };
  }

  /** Per-axis `[before, after]` of every axis of the input, zero off the spatial ones. */
  protected allAxes(rank: number, pairs: readonly [number, number][]): [number, number][] {
    const all = Array.from({ length: rank }, (): [number, number] => [0, 0]);
    this.spatial!.axes.forEach((a, i) => (all[a] = pairs[i]));
    return all;
  }

  protected ensureBuilt(): void {
    if (this.spatial === undefined) this.computeOutputShape(this.builtInputShape());
  }

  /** Padding, cropping and nearest up-sampling only move values. */
  override gradients(dOutput: Tensor, inputs: readonly Tensor[]): LayerGradients {
    return { inputs: gatherBackward(this, (xs) => this.call(xs[0]), inputs, dOutput), weights: [] };
  }

  /** The config of a spatial layer: its amount option, then `dataFormat` (2-D and 3-D only), then the name. */
  protected spatialConfig(key: string, value: unknown): Record<string, unknown> {
    const config: Record<string, unknown> = { [key]: value };
    if (this.rank !== 1) config.dataFormat = this.spatial!.dataFormat;
    config.name = this.name;
    return config;
  }
}

/** `[before, after]` pairs as a config spells them: one pair in 1-D, a pair per axis otherwise. */
function pairsConfig(rank: SpatialRank, pairs: readonly (readonly [number, number])[]): unknown {
  return rank === 1 ? [...pairs[0]] : pairs.map((p) => [...p]);
}

const withFormat = (rank: SpatialRank, ...keys: string[]): string[] => (rank === 1 ? [...keys, "name"] : [...keys, "dataFormat", "name"]);

/**
 * Zero padding and cropping: a `[before, after]` amount per spatial axis,
 * added to each spatial size (`padding`) or taken from it (`cropping`).
 */
abstract class BordersND extends SpatialLayer {
  private pairs: [number, number][] | undefined;

  constructor(
    className: string,
    method: string,
    rank: SpatialRank,
    config: unknown,
    private readonly key: "padding" | "cropping",
  ) {
    super(className, method, rank, config, withFormat(rank, key));
  }

  /** The amount when the option is left out. */
  protected abstract defaultAmount(): number;

  /** Throws when the amounts do not suit the input; padding suits any. */
  protected checkAmounts(_inputShape: Shape, _spatial: SpatialSettings, _value: unknown, _pairs: [number, number][]): void {}

  /** The data padded or cropped by a `[before, after]` pair on every axis. */
  protected abstract border(input: Tensor, pairs: [number, number][]): Tensor;

  computeOutputShape(inputShape: Shape): Shape {
    const spatial = this.layout(inputShape);
    const value = this.config[this.key] === undefined ? this.defaultAmount() : this.config[this.key];
    const pairs = amountPairs(this.method, this.key, value, this.rank);
    this.checkAmounts(inputShape, spatial, value, pairs);
    this.spatial = spatial;
    this.pairs = pairs;
    const sign = this.key === "padding" ? 1 : -1;
    const out: Dim[] = [...inputShape];
    spatial.axes.forEach((a, i) => (out[a] = inputShape[a] === null ? null : inputShape[a]! + sign * (pairs[i][0] + pairs[i][1])));
    return out;
  }

  /** Each symbolic size plus the padding or less the cropping, in the size algebra. */
  override computeSizes([sizes]: readonly SizedShape[], output: Shape): SizedShape {
    const out: SizedDim[] = [...output];
    const resize = this.key === "padding" ? sizeAdd : sizeSubtract;
    this.spatial?.axes.forEach((a, i) => {
      const d = sizes?.[a];
      if (typeof d === "string") out[a] = resize(d, this.pairs![i][0] + this.pairs![i][1]);
    });
    return out;
  }

  override getConfig(): Record<string, unknown> {
    this.ensureBuilt();
    return this.spatialConfig(this.key, pairsConfig(this.rank, this.pairs!));
  }

  call(input: Tensor): Tensor {
    this.ensureBuilt();
    return this.border(input, this.allAxes(input.shape.length, this.pairs!));
  }

  /** The `[before, after]` amount of each spatial axis, once built. */
  protected amounts(): readonly (readonly [number, number])[] {
    return this.pairs!.map(([a, b]) => [a, b] as const);
  }
}

/** Zero padding of the spatial axes (Keras `ZeroPadding1D/2D/3D`), 1 on each side by default. */
abstract class ZeroPaddingND extends BordersND {
  constructor(className: string, method: string, rank: SpatialRank, config: unknown) {
    super(className, method, rank, config, "padding");
  }

  protected defaultAmount(): number {
    return 1;
  }

  protected border(input: Tensor, pairs: [number, number][]): Tensor {
    return padLayer(input, pairs);
  }

  /**
   * The `[before, after]` zeros of each spatial axis when the channels are
   * last, so that a convolution reading only this layer's output may take
   * them as its own padding instead of reading a padded copy; `null` with
   * the channels first.
   *
   * @example
   * ```ts
   * new ZeroPadding2D({ padding: [[0, 1], [0, 1]] }).apply([null, 8, 8, 3]).layer.channelsLastPads(); // [[0, 1], [0, 1]]
   * ```
   */
  channelsLastPads(): readonly (readonly [number, number])[] | null {
    this.ensureBuilt();
    return this.spatial!.dataFormat === "channelsLast" ? this.amounts() : null;
  }
}

/** The zero paddings, by spatial rank. */
const zeroPadding = variantsOf(registerReshaping, ZeroPaddingND, (rank) => withFormat(rank, "padding"));

/**
 * Adds zeros before and after the steps (Keras `ZeroPadding1D`); 1 on each side by default.
 *
 * @example
 * new ZeroPadding1D({ padding: 2 }).apply([null, 10, 4]); // [null, 14, 4]
 */
export const ZeroPadding1D = zeroPadding("ZeroPadding1D", "zeroPadding1d", [1], { inTfjs: false, onnx: onnx.zeroPadding });

/**
 * Adds rows and columns of zeros (Keras `ZeroPadding2D`).
 *
 * @example
 * new ZeroPadding2D({ padding: [[1, 2], [3, 4]] }).apply([null, 28, 28, 3]); // [null, 31, 35, 3]
 */
export const ZeroPadding2D = zeroPadding("ZeroPadding2D", "zeroPadding2d", [2], { onnx: onnx.zeroPadding });

/**
 * Adds zeros around depth, height and width (Keras `ZeroPadding3D`).
 *
 * @example
 * new ZeroPadding3D().apply([null, 4, 4, 4, 2]); // [null, 6, 6, 6, 2]
 */
export const ZeroPadding3D = zeroPadding("ZeroPadding3D", "zeroPadding3d", [3], { inTfjs: false, onnx: onnx.zeroPadding });

/** Cropping of the spatial axes (Keras `Cropping1D/2D/3D`); each axis must keep at least one entry. */
abstract class CroppingND extends BordersND {
  constructor(className: string, method: string, rank: SpatialRank, config: unknown) {
    super(className, method, rank, config, "cropping");
  }

  /** Keras crops 1 per side by default in 1-D and 3-D, nothing in 2-D. */
  protected defaultAmount(): number {
    return this.rank === 2 ? 0 : 1;
  }

  protected override checkAmounts(inputShape: Shape, spatial: SpatialSettings, value: unknown, pairs: [number, number][]): void {
    spatial.axes.forEach((a, i) => {
      const length = inputShape[a];
      const removed = pairs[i][0] + pairs[i][1];
      if (length !== null && removed >= length) {
        fail(
          `shapewise: ${this.method} cropping ${valueText(value)} removes ${removed} from input ${AXIS_NAMES[this.rank][i]} ${length}, which leaves nothing`,
        );
      }
    });
  }

  protected border(input: Tensor, pairs: [number, number][]): Tensor {
    return cropLayer(input, pairs);
  }
}

/** The croppings, by spatial rank. */
const cropping = variantsOf(registerReshaping, CroppingND, (rank) => withFormat(rank, "cropping"));

/**
 * Removes steps at the start and end (Keras `Cropping1D`); 1 on each side by default.
 *
 * @example
 * new Cropping1D({ cropping: [1, 2] }).apply([null, 10, 4]); // [null, 7, 4]
 */
export const Cropping1D = cropping("Cropping1D", "cropping1d", [1], { inTfjs: false, onnx: onnx.cropping });

/**
 * Removes rows and columns at the borders (Keras `Cropping2D`); nothing by default.
 *
 * @example
 * new Cropping2D({ cropping: [[2, 2], [4, 4]] }).apply([null, 28, 28, 3]); // [null, 24, 20, 3]
 */
export const Cropping2D = cropping("Cropping2D", "cropping2d", [2], { aliases: ["cropping2D"], onnx: onnx.cropping });

/**
 * Removes slices at the borders of depth, height and width (Keras `Cropping3D`); 1 on each side by default.
 *
 * @example
 * new Cropping3D({ cropping: [2, 4, 2] }).apply([null, 28, 28, 10, 3]); // [null, 24, 20, 6, 3]
 */
export const Cropping3D = cropping("Cropping3D", "cropping3d", [3], { inTfjs: false, onnx: onnx.cropping });

// ---------------------------------------------------------------------------
// Up-sampling
// ---------------------------------------------------------------------------

/** The up-samplings' options: only the 2-D one takes `interpolation`. */
const upSamplingOptions = (rank: SpatialRank): string[] => (rank === 2 ? ["size", "dataFormat", "interpolation", "name"] : withFormat(rank, "size"));

/** Nearest-neighbour up-sampling of the spatial axes (Keras `UpSampling1D/2D/3D`). */
abstract class UpSamplingND extends SpatialLayer {
  private factors: number[] | undefined;

  constructor(className: string, method: string, rank: SpatialRank, config: unknown) {
    super(className, method, rank, config, upSamplingOptions(rank));
  }

  computeOutputShape(inputShape: Shape): Shape {
    // Only nearest is offered: Keras 3 and TF.js place bilinear samples differently.
    if (this.rank === 2 && this.config.interpolation !== undefined) oneOf(this.method, "interpolation", this.config.interpolation, ["nearest"]);
    const spatial = this.layout(inputShape);
    const value = this.config.size === undefined ? 2 : this.config.size;
    const factors = this.rank === 1 ? [positiveCount(this.method, "size", value)] : sizeTuple(this.method, "size", value, this.rank);
    this.spatial = spatial;
    this.factors = factors;
    const out: Dim[] = [...inputShape];
    spatial.axes.forEach((a, i) => (out[a] = inputShape[a] === null ? null : inputShape[a]! * factors[i]));
    return out;
  }

  /** Each symbolic size times its factor, in the size algebra. */
  override computeSizes([sizes]: readonly SizedShape[], output: Shape): SizedShape {
    const out: SizedDim[] = [...output];
    this.spatial?.axes.forEach((a, i) => {
      const d = sizes?.[a];
      if (typeof d === "string") out[a] = sizeMultiply(d, this.factors![i]);
    });
    return out;
  }

  /** 1-D `size` is one number (the option takes no tuple there); 2-D adds `interpolation: "nearest"`, the only one offered. */
  override getConfig(): Record<string, unknown> {
    this.ensureBuilt();
    const config = this.spatialConfig("size", this.rank === 1 ? this.factors![0] : [...this.factors!]);
    if (this.rank !== 2) return config;
    const { name, ...rest } = config;
    return { ...rest, interpolation: "nearest", name };
  }

  call(input: Tensor): Tensor {
    this.ensureBuilt();
    const all = new Array<number>(input.shape.length).fill(1);
    this.spatial!.axes.forEach((a, i) => (all[a] = this.factors![i]));
    return repeatLayer(input, all);
  }
}

/** The up-samplings, by spatial rank. */
const upSampling = variantsOf(registerReshaping, UpSamplingND, upSamplingOptions);

/**
 * Repeats every step `size` times (Keras `UpSampling1D`); 2 by default.
 *
 * @example
 * new UpSampling1D({ size: 3 }).apply([null, 10, 4]); // [null, 30, 4]
 */
export const UpSampling1D = upSampling("UpSampling1D", "upSampling1d", [1], { inTfjs: false, onnx: onnx.upSampling });

/**
 * Repeats every row and column (Keras `UpSampling2D`, nearest); 2 by default.
 *
 * @example
 * new UpSampling2D({ size: [2, 3] }).apply([null, 14, 14, 8]); // [null, 28, 42, 8]
 */
export const UpSampling2D = upSampling("UpSampling2D", "upSampling2d", [2], { onnx: onnx.upSampling });

/**
 * Repeats every slice along depth, height and width (Keras `UpSampling3D`); 2 by default.
 *
 * @example
 * new UpSampling3D().apply([null, 4, 4, 4, 2]); // [null, 8, 8, 8, 2]
 */
export const UpSampling3D = upSampling("UpSampling3D", "upSampling3d", [3], { inTfjs: false, onnx: onnx.upSampling });

// ---------------------------------------------------------------------------
// The methods
// ---------------------------------------------------------------------------
