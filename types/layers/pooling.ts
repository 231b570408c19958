/**
 * Pooling layers at the type level (runtime twin: `src/layers/pooling.ts`).
 *
 * Keras 3 `compute_pooling_output_shape`: strides default to the pool size;
 * `"valid"` gives `floor((L - p) / s) + 1`, `"same"` gives `ceil(L / s)`.
 * Global pooling keeps the channels only (`keepdims` keeps the spatial axes
 * as size 1).
 */
import type { ExactRank, OnOptionOrReceiver, OnReceiver, PositiveSizes, Receiver } from "../checks.js";
import type { ErrorTensor, Fault, Field, FirstFault, NoFault } from "../errors.js";
import type {
  AxisNames,
  ChannelsOf,
  Dim,
  Last,
  LayoutText,
  Padding,
  PerAxis,
  RankOf,
  Resolved,
  Shape,
  Size2,
  SpatialOf,
  SpatialRank,
  WindowFits,
  WindowOutput,
  WithSpatial,
} from "../shape.js";
import type { SymbolicTensor } from "../symbolic-tensor.js";
import type { DataFormat, Size1, Size3 } from "../shape.js";
export type { DataFormat, Size1, Size3 };

/** A shape of the same rank with every non-batch size unknown: the result when the data format is not a literal. */
type Unknowns<S extends Shape> = S extends readonly [infer B extends Dim, ...infer R extends Dim[]] ? [B, ...{ [I in keyof R]: Dim }] : S;

// ---------------------------------------------------------------------------
// Windowed pooling (1-D, 2-D, 3-D)
// ---------------------------------------------------------------------------

/**
 * The options of the 1-D pooling methods.
 *
 * @example
 * const options: Pooling1DOptions = { poolSize: 3, strides: 2, padding: "same" };
 */
export interface Pooling1DOptions {
  /** Window length (default 2). */
  poolSize?: Size1;
  /** Step between windows (default: the pool size). */
  strides?: Size1;
  /** `"valid"` (default) or `"same"`. */
  padding?: Padding;
  /** `"channelsLast"` (default: `[batch, steps, channels]`) or `"channelsFirst"`. */
  dataFormat?: DataFormat;
  /** Layer name. */
  name?: string;
}

/**
 * The options of the 2-D pooling methods.
 *
 * @example
 * const options: Pooling2DOptions = { poolSize: [2, 3], dataFormat: "channelsFirst" };
 */
export interface Pooling2DOptions {
  /** Window height and width (default 2). */
  poolSize?: Size2;
  /** Step between windows (default: the pool size). */
  strides?: Size2;
  /** `"valid"` (default) or `"same"`. */
  padding?: Padding;
  /** `"channelsLast"` (default: `[batch, height, width, channels]`) or `"channelsFirst"`. */
  dataFormat?: DataFormat;
  /** Layer name. */
  name?: string;
}

/**
 * The options of the 3-D pooling methods.
 *
 * @example
 * const options: Pooling3DOptions = { poolSize: [1, 2, 2], padding: "same" };
 */
export interface Pooling3DOptions {
  /** Window depth, height and width (default 2). */
  poolSize?: Size3;
  /** Step between windows (default: the pool size). */
  strides?: Size3;
  /** `"valid"` (default) or `"same"`. */
  padding?: Padding;
  /** `"channelsLast"` (default: `[batch, depth, height, width, channels]`) or `"channelsFirst"`. */
  dataFormat?: DataFormat;
  /** Layer name. */
  name?: string;
}

/**
 * The size option type of a layer with `N` spatial axes.
 *
 * @example
 * type S = SizeN<3>; // Size3
 */
export type SizeN<N extends SpatialRank> = N extends 1 ? Size1 : N extends 2 ? Size2 : Size3;

/** The pool size in effect: 2 per axis when the option is left out. */
type PoolSizeOf<Ps> = [Ps] extends [undefined] ? 2 : Ps;
/** The strides in effect: the pool size when the option is left out. */
type StridesOf<Ps, St> = [St] extends [undefined] ? PoolSizeOf<Ps> : St;

/** The first axis along which a window does not fit, in axis order. */
type AxesFit<
  Method extends string,
  Sp extends readonly Dim[],
  K extends readonly number[],
  Names extends readonly string[],
  Pd extends Padding,
> = Sp extends readonly [infer L extends Dim, ...infer SR extends Dim[]]
  ? K extends readonly [infer k extends number, ...infer KR extends number[]]
    ? Names extends readonly [infer Nm extends string, ...infer NR extends string[]]
      ? WindowFits<Method, "poolSize", Nm, L, k, 1, Pd> extends infer E extends Fault
        ? E
        : AxesFit<Method, SR, KR, NR, Pd>
      : NoFault
    : NoFault
  : NoFault;

/**
 * Pooling takes no required option, so a fault of the input's rank, or of a
 * default window too large for it, is reported on the tensor the method is
 * called on; faults of written options stay on those options.
 */
type PoolFault<Method extends string, N extends SpatialRank, S extends Shape, Ps, St, Pd extends Padding, Df> = FirstFault<
  [
    OnReceiver<ExactRank<Method, S, RankOf<N>, LayoutText<N, Df>>>,
    PositiveSizes<Method, "poolSize", PoolSizeOf<Ps>, N>,
    PositiveSizes<Method, "strides", StridesOf<Ps, St>, N>,
    OnOptionOrReceiver<Ps, AxesFit<Method, SpatialOf<S, Df>, PerAxis<PoolSizeOf<Ps>, N>, AxisNames<N>, Pd>>,
  ]
>;

type PoolSpatial<Sp extends readonly Dim[], K extends readonly number[], St extends readonly number[], Pd extends Padding> = {
  [I in keyof Sp]: WindowOutput<Sp[I], K[I & keyof K] & number, St[I & keyof St] & number, 1, Pd>;
};

type PoolShape<S extends Shape, N extends SpatialRank, Ps, St, Pd extends Padding, Df> = [Df] extends [DataFormat]
  ? DataFormat extends Df
    ? Unknowns<S>
    : WithSpatial<S, Df, PoolSpatial<SpatialOf<S, Df>, PerAxis<PoolSizeOf<Ps>, N>, PerAxis<StridesOf<Ps, St>, N>, Pd>>
  : Unknowns<S>;

type PoolResult<S extends Shape, P extends number, Macs extends string | number, N extends SpatialRank, Ps, St, Pd extends Padding, Df, E> =
  E extends Fault<string, infer M> ? ErrorTensor<M> : SymbolicTensor<Resolved<PoolShape<S, N, Ps, St, Pd, Df>>, P, Macs>;

/**
 * The signature of a windowed pooling method with `N` spatial axes; `Method`
 * names the layer in messages (aliases report under the Keras-style name).
 *
 * @example
 * type M = PoolingMethod<"maxPooling1d", 1, [null, 11, 4], 0>; // what `maxPooling1d` and `maxPool1d` are
 */
export type PoolingMethod<Method extends string, N extends SpatialRank, S extends Shape, P extends number, Macs extends string | number> = <
  const Ps extends SizeN<N> | undefined = undefined,
  const St extends SizeN<N> | undefined = undefined,
  const Pd extends Padding = "valid",
  const Df extends DataFormat = "channelsLast",
>(
  this: Receiver<PoolFault<Method, N, S, Ps, St, Pd, Df>>,
  config?: {
    poolSize?: Field<PoolFault<Method, N, S, Ps, St, Pd, Df>, "poolSize", Ps>;
    strides?: Field<PoolFault<Method, N, S, Ps, St, Pd, Df>, "strides", St>;
    padding?: Pd;
    dataFormat?: Df;
    name?: string;
  },
) => PoolResult<S, P, Macs, N, Ps, St, Pd, Df, PoolFault<Method, N, S, Ps, St, Pd, Df>>;

// ---------------------------------------------------------------------------
// Global pooling
// ---------------------------------------------------------------------------

/**
 * The options of the global pooling methods.
 *
 * @example
 * const options: GlobalPoolingOptions = { keepdims: true };
 */
export interface GlobalPoolingOptions {
  /** `"channelsLast"` (default) or `"channelsFirst"`. */
  dataFormat?: DataFormat;
  /** Keep the spatial axes with size 1 (Keras 3; default `false`). */
  keepdims?: boolean;
  /** Layer name. */
  name?: string;
}

type GlobalFault<Method extends string, N extends SpatialRank, S extends Shape, Df> = OnReceiver<ExactRank<Method, S, RankOf<N>, LayoutText<N, Df>>>;

type Ones<N extends SpatialRank> = N extends 1 ? [1] : N extends 2 ? [1, 1] : [1, 1, 1];

type GlobalShape<S extends Shape, N extends SpatialRank, Df, Kd> = [Kd] extends [false]
  ? [S[0], ChannelsOf<S, Df>]
  : [Kd] extends [true]
    ? [Df] extends ["channelsFirst"]
      ? [S[0], S[1], ...Ones<N>]
      : [Df] extends ["channelsLast"]
        ? [S[0], ...Ones<N>, Last<S>]
        : Unknowns<S>
    : [S[0], ...Dim[]];

/**
 * The signature of a global pooling method with `N` spatial axes.
 *
 * @example
 * type M = GlobalPoolingMethod<"globalAveragePooling2d", 2, [null, 7, 7, 512], 0>;
 */
export type GlobalPoolingMethod<Method extends string, N extends SpatialRank, S extends Shape, P extends number, Macs extends string | number> = <
  const Df extends DataFormat = "channelsLast",
  const Kd extends boolean = false,
>(
  this: Receiver<GlobalFault<Method, N, S, Df>>,
  config?: { dataFormat?: Df; keepdims?: Kd; name?: string },
) => GlobalFault<Method, N, S, Df> extends Fault<string, infer M> ? ErrorTensor<M> : SymbolicTensor<Resolved<GlobalShape<S, N, Df, Kd>>, P, Macs>;

// ---------------------------------------------------------------------------
// The methods
// ---------------------------------------------------------------------------

/**
 * Pooling methods of a {@link SymbolicTensor} with shape `S` and `P` parameters so far.
 *
 * @example
 * input({ shape: [28, 28, 32] }).maxPooling2d().globalAveragePooling2d(); // SymbolicTensor<[null, 32], 0>
 */
export interface PoolingMethods<S extends Shape, P extends number, Macs extends string | number> {
  /**
   * Maximum over each window of steps (Keras `MaxPooling1D`); pool size 2 by default.
   *
   * @example
   * input({ shape: [11, 4] }).maxPooling1d(); // SymbolicTensor<[null, 5, 4], 0>
   */
  maxPooling1d: PoolingMethod<"maxPooling1d", 1, S, P, Macs>;
  /**
   * The same layer as {@link PoolingMethods.maxPooling1d}, under its TensorFlow.js alias.
   *
   * @example
   * input({ shape: [11, 4] }).maxPool1d({ poolSize: 3 }); // SymbolicTensor<[null, 3, 4], 0>
   */
  maxPool1d: PoolingMethod<"maxPooling1d", 1, S, P, Macs>;

  /**
   * Mean over each window of steps (Keras `AveragePooling1D`); with `"same"`
   * padding the border windows average their real steps only.
   *
   * @example
   * input({ shape: [11, 4] }).averagePooling1d({ poolSize: 3, strides: 2, padding: "same" }); // SymbolicTensor<[null, 6, 4], 0>
   */
  averagePooling1d: PoolingMethod<"averagePooling1d", 1, S, P, Macs>;
  /**
   * The same layer as {@link PoolingMethods.averagePooling1d}, under its TensorFlow.js alias.
   *
   * @example
   * input({ shape: [10, 4] }).avgPool1d(); // SymbolicTensor<[null, 5, 4], 0>
   */
  avgPool1d: PoolingMethod<"averagePooling1d", 1, S, P, Macs>;
  /**
   * The same layer as {@link PoolingMethods.averagePooling1d}, under its other TensorFlow.js alias.
   *
   * @example
   * input({ shape: [10, 4] }).avgPooling1d(); // SymbolicTensor<[null, 5, 4], 0>
   */
  avgPooling1d: PoolingMethod<"averagePooling1d", 1, S, P, Macs>;

  /**
   * Maximum over each window (Keras `MaxPooling2D`).
   *
   * @example
   * input({ shape: [28, 28, 32] }).maxPooling2d({ poolSize: 2 }); // SymbolicTensor<[null, 14, 14, 32], 0>
   */
  maxPooling2d: PoolingMethod<"maxPooling2d", 2, S, P, Macs>;
  /**
   * The same layer as {@link PoolingMethods.maxPooling2d}, under its TensorFlow.js alias.
   *
   * @example
   * input({ shape: [28, 28, 32] }).maxPool2d({ poolSize: 2 }); // SymbolicTensor<[null, 14, 14, 32], 0>
   */
  maxPool2d: PoolingMethod<"maxPooling2d", 2, S, P, Macs>;

  /**
   * Mean over each window (Keras `AveragePooling2D`); with `"same"` padding the
   * border windows average their real cells only.
   *
   * @example
   * input({ shape: [32, 32, 6] }).averagePooling2d({ poolSize: 2 }); // SymbolicTensor<[null, 16, 16, 6], 0>
   */
  averagePooling2d: PoolingMethod<"averagePooling2d", 2, S, P, Macs>;
  /**
   * The same layer as {@link PoolingMethods.averagePooling2d}, under its TensorFlow.js alias.
   *
   * @example
   * input({ shape: [32, 32, 6] }).avgPool2d(); // SymbolicTensor<[null, 16, 16, 6], 0>
   */
  avgPool2d: PoolingMethod<"averagePooling2d", 2, S, P, Macs>;
  /**
   * The same layer as {@link PoolingMethods.averagePooling2d}, under its other TensorFlow.js alias.
   *
   * @example
   * input({ shape: [32, 32, 6] }).avgPooling2d(); // SymbolicTensor<[null, 16, 16, 6], 0>
   */
  avgPooling2d: PoolingMethod<"averagePooling2d", 2, S, P, Macs>;

  /**
   * Maximum over each 3-D window (Keras `MaxPooling3D`); pool size 2 per axis by default.
   *
   * @example
   * input({ shape: [8, 9, 10, 3] }).maxPooling3d(); // SymbolicTensor<[null, 4, 4, 5, 3], 0>
   */
  maxPooling3d: PoolingMethod<"maxPooling3d", 3, S, P, Macs>;
  /**
   * Mean over each 3-D window (Keras `AveragePooling3D`); with `"same"` padding
   * the border windows average their real cells only.
   *
   * @example
   * input({ shape: [8, 9, 10, 3] }).averagePooling3d({ padding: "same" }); // SymbolicTensor<[null, 4, 5, 5, 3], 0>
   */
  averagePooling3d: PoolingMethod<"averagePooling3d", 3, S, P, Macs>;
  /**
   * The same layer as {@link PoolingMethods.averagePooling3d}, under its TensorFlow.js alias.
   *
   * @example
   * input({ shape: [8, 8, 8, 3] }).avgPool3d(); // SymbolicTensor<[null, 4, 4, 4, 3], 0>
   */
  avgPool3d: PoolingMethod<"averagePooling3d", 3, S, P, Macs>;
  /**
   * The same layer as {@link PoolingMethods.averagePooling3d}, under its other TensorFlow.js alias.
   *
   * @example
   * input({ shape: [8, 8, 8, 3] }).avgPooling3d(); // SymbolicTensor<[null, 4, 4, 4, 3], 0>
   */
  avgPooling3d: PoolingMethod<"averagePooling3d", 3, S, P, Macs>;

  /**
   * Maximum over all steps (Keras `GlobalMaxPooling1D`).
   *
   * @example
   * input({ shape: [20, 16] }).globalMaxPooling1d();                    // SymbolicTensor<[null, 16], 0>
   * input({ shape: [20, 16] }).globalMaxPooling1d({ keepdims: true }); // SymbolicTensor<[null, 1, 16], 0>
   */
  globalMaxPooling1d: GlobalPoolingMethod<"globalMaxPooling1d", 1, S, P, Macs>;
  /**
   * The same layer as {@link PoolingMethods.globalMaxPooling1d}, under its TensorFlow.js alias.
   *
   * @example
   * input({ shape: [20, 16] }).globalMaxPool1d(); // SymbolicTensor<[null, 16], 0>
   */
  globalMaxPool1d: GlobalPoolingMethod<"globalMaxPooling1d", 1, S, P, Macs>;
  /**
   * Mean over all steps (Keras `GlobalAveragePooling1D`).
   *
   * @example
   * input({ shape: [20, 16] }).globalAveragePooling1d(); // SymbolicTensor<[null, 16], 0>
   */
  globalAveragePooling1d: GlobalPoolingMethod<"globalAveragePooling1d", 1, S, P, Macs>;

  /**
   * Maximum over height and width (Keras `GlobalMaxPooling2D`).
   *
   * @example
   * input({ shape: [512, 7, 7] }).globalMaxPooling2d({ dataFormat: "channelsFirst" }); // SymbolicTensor<[null, 512], 0>
   */
  globalMaxPooling2d: GlobalPoolingMethod<"globalMaxPooling2d", 2, S, P, Macs>;
  /**
   * The same layer as {@link PoolingMethods.globalMaxPooling2d}, under its TensorFlow.js alias.
   *
   * @example
   * input({ shape: [7, 7, 512] }).globalMaxPool2d(); // SymbolicTensor<[null, 512], 0>
   */
  globalMaxPool2d: GlobalPoolingMethod<"globalMaxPooling2d", 2, S, P, Macs>;
  /**
   * Mean over height and width (Keras `GlobalAveragePooling2D`).
   *
   * @example
   * input({ shape: [7, 7, 512] }).globalAveragePooling2d();                    // SymbolicTensor<[null, 512], 0>
   * input({ shape: [7, 7, 512] }).globalAveragePooling2d({ keepdims: true }); // SymbolicTensor<[null, 1, 1, 512], 0>
   */
  globalAveragePooling2d: GlobalPoolingMethod<"globalAveragePooling2d", 2, S, P, Macs>;

  /**
   * Maximum over depth, height and width (Keras `GlobalMaxPooling3D`).
   *
   * @example
   * input({ shape: [4, 4, 4, 8] }).globalMaxPooling3d(); // SymbolicTensor<[null, 8], 0>
   */
  globalMaxPooling3d: GlobalPoolingMethod<"globalMaxPooling3d", 3, S, P, Macs>;
  /**
   * Mean over depth, height and width (Keras `GlobalAveragePooling3D`).
   *
   * @example
   * input({ shape: [4, 4, 4, 8] }).globalAveragePooling3d(); // SymbolicTensor<[null, 8], 0>
   */
  globalAveragePooling3d: GlobalPoolingMethod<"globalAveragePooling3d", 3, S, P, Macs>;
}
