/**
 * Preprocessing layers at the type level: `rescaling`, `normalization`,
 * `resizing`, `centerCrop` (runtime twin: `src/layers/preprocessing.ts`).
 *
 * Only `normalization` can have weights: given its mean and variance, Keras 3
 * keeps them as constants; without them (Keras's adaptable form) it has
 * non-trainable `mean` and `variance` (one value per position of `axis`) and
 * a scalar `count`, 2n + 1 parameters for n positions. `resizing` and
 * `centerCrop` take channels-last image batches `[batch, height, width,
 * channels]` and give `[batch, height', width', channels]`.
 */
import type { AxesFault, ConfigOr, ExactRank, IsNegative, KnownAxes, MinRank2, OnOptionOrReceiver, PositiveCount, Receiver } from "../checks.js";
import type { Add, Multiply } from "../arithmetic/index.js";
import type { Certainly, ErrorTensor, Fault, Field, FirstFault, NoFault } from "../errors.js";
import type { AxisIndex, Resolved, Shape, ShapeText, SizeAt } from "../shape.js";
import type { SymbolicTensor } from "../symbolic-tensor.js";

/**
 * Mean or variance values: one number, or one per position of the normalised axis.
 *
 * @example
 * const mean: Statistic = [0.485, 0.456, 0.406];
 */
export type Statistic = number | readonly number[];

/**
 * The options of {@link PreprocessingMethods.normalization}.
 *
 * @example
 * const options: NormalizationOptions = { mean: 0.5, variance: 0.25, axis: null };
 */
export interface NormalizationOptions {
  /** The mean to subtract: a number, or one value per position of `axis`; leave out with `variance` to adapt both from data. */
  mean?: Statistic;
  /** The variance to divide by (through its square root): same shape as `mean`, not negative. */
  variance?: Statistic;
  /** The axis that keeps its own statistics (default -1); `null` for one mean and variance overall. */
  axis?: number | null;
  /** Apply the inverse, `mean + x * sqrt(variance)` (default `false`). */
  invert?: boolean;
  /** Layer name; `normalization`, `normalization_1`, ... otherwise. */
  name?: string;
}

/**
 * The options of {@link PreprocessingMethods.resizing}.
 *
 * @example
 * const options: ResizingOptions = { height: 224, width: 224, cropToAspectRatio: true };
 */
export interface ResizingOptions {
  /** Output height. */
  height: number;
  /** Output width. */
  width: number;
  /** `"bilinear"` (default) or `"nearest"`, with Keras 3's half-pixel sampling. */
  interpolation?: "bilinear" | "nearest";
  /** Crop the largest centred window of the target aspect ratio before resizing (default `false`). */
  cropToAspectRatio?: boolean;
  /** Layer name; `resizing`, `resizing_1`, ... otherwise. */
  name?: string;
}

/** How a statistic reads in messages. */
type StatText<V> = V extends readonly unknown[] ? (number extends V["length"] ? "a list" : `${V["length"]} values`) : "a number";

/** normalization takes one non-batch axis. */
type StatAxisRule = { lowest: 1; negative: true; empty: false; repeats: false; what: "an integer or null" };

/** `true` when mean and variance certainly differ in shape (a number against a list, or two lists of other lengths). */
type ShapesDiffer<Mn, Va> = Mn extends readonly unknown[]
  ? Va extends readonly unknown[]
    ? number extends Mn["length"] | Va["length"]
      ? false
      : Mn["length"] extends Va["length"]
        ? false
        : true
    : true
  : Va extends readonly unknown[]
    ? true
    : false;

/** The first certainly negative value of a statistic, `never` if none (a list reports its first, as the run time does). */
type FirstNegative<V> = V extends readonly [infer H, ...infer Rest]
  ? H extends number
    ? IsNegative<H> extends true
      ? H
      : FirstNegative<Rest>
    : never
  : V extends number
    ? IsNegative<V> extends true
      ? V
      : never
    : never;

/** The rule for a list statistic against the size of its axis: as many values, or one to broadcast. */
type StatLengthFault<Key extends string, S extends Shape, Ax, V> = V extends readonly unknown[]
  ? [Ax] extends [null]
    ? Fault<Key, `shapewise: normalization ${Key} must be a number when axis is null, got ${StatText<V>}`>
    : number extends V["length"]
      ? NoFault
      : V["length"] extends 1
        ? NoFault
        : AxisIndex<S["length"], Ax extends number ? Ax : -1> extends infer I extends number
          ? SizeAt<S, I> extends infer D extends number
            ? number extends D
              ? NoFault
              : V["length"] extends D
                ? NoFault
                : Fault<Key, `shapewise: normalization ${Key} has ${StatText<V>}, but axis ${I} of input ${ShapeText<S>} has size ${D}`>
            : NoFault
          : NoFault
  : NoFault;

/** Exactly one of mean and variance given: the fault on the one that is there. */
type OneStatisticFault<Mn, Va> = [Mn, Va] extends [undefined, undefined]
  ? NoFault
  : [Mn] extends [undefined]
    ? Fault<"variance", "shapewise: normalization needs both mean and variance, or neither to adapt them from data, got variance alone">
    : [Va] extends [undefined]
      ? Fault<"mean", "shapewise: normalization needs both mean and variance, or neither to adapt them from data, got mean alone">
      : NoFault;

type NormalizationFault<S extends Shape, Mn, Va, Ax> = FirstFault<
  [
    OneStatisticFault<Mn, Va>,
    [Ax] extends [null] ? NoFault : MinRank2<"normalization", S>,
    [Ax] extends [null] ? NoFault : AxesFault<"normalization", "axis", S, Ax extends number ? Ax : -1, StatAxisRule>,
    [Ax] extends [null] ? NoFault : OnOptionOrReceiver<Ax, KnownAxes<"normalization", "axis", S, Ax extends number ? Ax : -1, "to broadcast its statistics">>,
    Certainly<ShapesDiffer<Mn, Va>> extends true
      ? Fault<"variance", `shapewise: normalization mean and variance must have the same shape, got ${StatText<Mn>} and ${StatText<Va>}`>
      : NoFault,
    StatLengthFault<"mean", S, Ax, Mn>,
    [FirstNegative<Va>] extends [never]
      ? NoFault
      : Fault<"variance", `shapewise: normalization variance must not be negative, got ${FirstNegative<Va> & number}`>,
  ]
>;

/**
 * Parameters of a `normalization`: none with given statistics; in the
 * adaptable form (`Mn` and `Va` left out) `mean` and `variance`, one value
 * per position of `axis` (one overall when it is null), and the scalar `count`.
 *
 * @example
 * type P = NormalizationParams<[null, 10, 4], undefined, undefined, undefined>; // 9
 */
export type NormalizationParams<S extends Shape, Mn, Va, Ax> = [Mn, Va] extends [undefined, undefined]
  ? [Ax] extends [null]
    ? 3
    : Add<Multiply<2, SizeAt<S, AxisIndex<S["length"], Ax extends number ? Ax : -1>>>, 1>
  : 0;

type ImageInputFault<Method extends string, S extends Shape> = ExactRank<Method, S, 4, "[batch, height, width, channels]">;

type ImageFault<Method extends string, S extends Shape, H extends number, W extends number> = FirstFault<
  [ImageInputFault<Method, S>, PositiveCount<Method, "height", H>, PositiveCount<Method, "width", W>]
>;

type ImageResult<S extends Shape, P extends number, Macs extends string | number, H extends number, W extends number, E> =
  E extends Fault<string, infer M> ? ErrorTensor<M> : SymbolicTensor<Resolved<[S[0], H, W, S[3]]>, P, Macs>;

/**
 * Preprocessing methods of a {@link SymbolicTensor} with shape `S` and `P` parameters so far.
 *
 * @example
 * input({ shape: [null, null, 3] }).resizing({ height: 256, width: 256 }).centerCrop({ height: 224, width: 224 }).rescaling({ scale: 1 / 255 });
 * // SymbolicTensor<[null, 224, 224, 3], 0>
 */
export interface PreprocessingMethods<S extends Shape, P extends number, Macs extends string | number> {
  /**
   * `x * scale + offset` (Keras `Rescaling`), e.g. `scale: 1 / 255` for pixels.
   *
   * @example
   * input({ shape: [28, 28, 1] }).rescaling({ scale: 1 / 255 }); // SymbolicTensor<[null, 28, 28, 1], 0>
   */
  rescaling(config: { scale: number; offset?: number; name?: string }): SymbolicTensor<S, P, Macs>;

  /**
   * Standardises per position of `axis` (Keras `Normalization`): `(x - mean)
   * / max(sqrt(variance), 1e-7)`, or the inverse with `invert`. Given `mean`
   * and `variance` it has no weights; without them it is Keras's adaptable
   * form, with non-trainable `mean`, `variance` and `count` (2n + 1
   * parameters for n positions) that `model.adapt(name, data)` sets.
   *
   * @example
   * input({ shape: [28, 28, 3] }).normalization({ mean: [0.5, 0.4, 0.3], variance: [0.1, 0.1, 0.2] });
   * // SymbolicTensor<[null, 28, 28, 3], 0>
   * input({ shape: [28, 28, 3] }).normalization(); // SymbolicTensor<[null, 28, 28, 3], 7>
   */
  normalization<
    const Mn extends Statistic | undefined = undefined,
    const Va extends Statistic | undefined = undefined,
    const Ax extends number | null | undefined = undefined,
    const Iv extends boolean = false,
  >(
    this: Receiver<NormalizationFault<S, Mn, Va, Ax>>,
    config?: {
      mean?: Field<NormalizationFault<S, Mn, Va, Ax>, "mean", Mn>;
      variance?: Field<NormalizationFault<S, Mn, Va, Ax>, "variance", Va>;
      axis?: Field<NormalizationFault<S, Mn, Va, Ax>, "axis", Ax>;
      invert?: Iv;
      name?: string;
    },
  ): NormalizationFault<S, Mn, Va, Ax> extends Fault<string, infer M> ? ErrorTensor<M> : SymbolicTensor<S, Add<P, NormalizationParams<S, Mn, Va, Ax>>, Macs>;

  /**
   * Resizes image batches to `height` x `width` (Keras `Resizing`), bilinear
   * or nearest with half-pixel centres as Keras 3 does.
   *
   * @example
   * input({ shape: [32, 48, 3] }).resizing({ height: 64, width: 64 }); // SymbolicTensor<[null, 64, 64, 3], 0>
   */
  resizing<const H extends number, const W extends number>(
    config: ConfigOr<
      ImageInputFault<"resizing", S>,
      {
        height: Field<ImageFault<"resizing", S, H, W>, "height", H>;
        width: Field<ImageFault<"resizing", S, H, W>, "width", W>;
        interpolation?: "bilinear" | "nearest";
        cropToAspectRatio?: boolean;
        name?: string;
      }
    >,
  ): ImageResult<S, P, Macs, H, W, ImageFault<"resizing", S, H, W>>;

  /**
   * Crops the centre `height` x `width` window of image batches (Keras
   * `CenterCrop`); an image smaller than the target along either axis is
   * instead cropped to the target aspect ratio and resized, as Keras 3 does.
   *
   * @example
   * input({ shape: [32, 32, 3] }).centerCrop({ height: 24, width: 24 }); // SymbolicTensor<[null, 24, 24, 3], 0>
   */
  centerCrop<const H extends number, const W extends number>(
    config: ConfigOr<
      ImageInputFault<"centerCrop", S>,
      {
        height: Field<ImageFault<"centerCrop", S, H, W>, "height", H>;
        width: Field<ImageFault<"centerCrop", S, H, W>, "width", W>;
        name?: string;
      }
    >,
  ): ImageResult<S, P, Macs, H, W, ImageFault<"centerCrop", S, H, W>>;
}
