/**
 * Regularisation layers at the type level: `dropout`, `gaussianDropout`,
 * `alphaDropout`, `spatialDropout1d`, `spatialDropout2d`, `spatialDropout3d`,
 * `gaussianNoise`, `activityRegularization`
 * (runtime twin: `src/layers/regularization.ts`). All of them are the identity
 * at inference, so they keep the shape and add no parameters; what the types
 * check is their options, as Keras 3 does when it builds them.
 */
import type { ConfigOr, ExactRank, NonNegativeFault, UnitIntervalFault } from "../checks.js";
import type { Certainly, ErrorTensor, Fault, Field, FirstFault, NoFault } from "../errors.js";
import type { IsSafeInteger } from "../arithmetic/index.js";
import type { Shape } from "../shape.js";
import type { SymbolicTensor } from "../symbolic-tensor.js";
import type { DataFormat } from "../shape.js";
export type { DataFormat };

/**
 * `true` when a literal rate is certainly outside `[0, 1)`, read from its
 * decimal text since the rate is a fraction.
 *
 * @example
 * type A = RateOutOfRange<0.5>; // false
 * type B = RateOutOfRange<1>;   // true
 */
export type RateOutOfRange<R extends number> = number extends R
  ? false
  : `${R}` extends "0" | `0.${string}` | `${number}e-${string}`
    ? `${R}` extends `-${string}`
      ? true
      : false
    : true;

/** The dropout rate rule, shared by `dropout` and the spatial dropouts. */
type RateFault<Method extends string, R extends number> =
  Certainly<RateOutOfRange<R>> extends true ? Fault<"rate", `shapewise: ${Method} rate must be at least 0 and below 1, got ${R}`> : NoFault;

/** The seed rule: any safe integer. */
type SeedFault<Method extends string, Sd extends number> =
  IsSafeInteger<Sd> extends false ? Fault<"seed", `shapewise: ${Method} seed must be an integer, got ${Sd}`> : NoFault;

type DropoutFault<R extends number, Sd extends number, Method extends string = "dropout"> = FirstFault<[RateFault<Method, R>, SeedFault<Method, Sd>]>;

/** The input layout each spatial dropout names in its rank message. */
type SpatialLayouts = {
  1: "[batch, steps, channels]";
  2: "[batch, height, width, channels] or [batch, channels, height, width]";
  3: "[batch, depth, height, width, channels] or [batch, channels, depth, height, width]";
};

/** A spatial dropout of rank `N` reads inputs of rank `N + 2`. */
type SpatialInputFault<Method extends string, S extends Shape, N extends 1 | 2 | 3> = ExactRank<Method, S, { 1: 3; 2: 4; 3: 5 }[N], SpatialLayouts[N]>;

type SpatialFault<Method extends string, E, R extends number, Sd extends number> = FirstFault<[E, RateFault<Method, R>, SeedFault<Method, Sd>]>;

type GaussianNoiseFault<Sd extends number, Sd2 extends number> = FirstFault<
  [UnitIntervalFault<"gaussianNoise", "stddev", Sd>, SeedFault<"gaussianNoise", Sd2>]
>;

type ActivityFault<L1 extends number, L2 extends number> = FirstFault<
  [NonNegativeFault<"activityRegularization", "l1", L1>, NonNegativeFault<"activityRegularization", "l2", L2>]
>;

/** The tensor a shape-keeping layer returns: itself, or an error tensor after a fault. */
type Same<S extends Shape, P extends number, Macs extends string | number, E> = E extends Fault<string, infer M> ? ErrorTensor<M> : SymbolicTensor<S, P, Macs>;

/**
 * The call of `gaussianDropout` and `alphaDropout`, whose options and rules
 * are those of `dropout`. Written as a method and read back as a function
 * type, so that it keeps a method's bivariant parameter.
 */
type RateDropoutMethod<Method extends string, S extends Shape, P extends number, Macs extends string | number> = {
  call<const R extends number, const Sd extends number = 0>(config: {
    rate: Field<DropoutFault<R, Sd, Method>, "rate", R>;
    seed?: Field<DropoutFault<R, Sd, Method>, "seed", Sd>;
    name?: string;
  }): Same<S, P, Macs, DropoutFault<R, Sd, Method>>;
}["call"];

/** The call of a spatial dropout of rank `N` (see {@link RateDropoutMethod}); 1-D has no `dataFormat`. */
type SpatialDropoutMethod<Method extends string, N extends 1 | 2 | 3, S extends Shape, P extends number, Macs extends string | number> = {
  call<const R extends number, const Sd extends number = 0>(
    config: ConfigOr<
      SpatialInputFault<Method, S, N>,
      {
        rate: Field<SpatialFault<Method, SpatialInputFault<Method, S, N>, R, Sd>, "rate", R>;
        seed?: Field<SpatialFault<Method, SpatialInputFault<Method, S, N>, R, Sd>, "seed", Sd>;
        name?: string;
      } & (N extends 1 ? unknown : { dataFormat?: DataFormat })
    >,
  ): Same<S, P, Macs, SpatialFault<Method, SpatialInputFault<Method, S, N>, R, Sd>>;
}["call"];

/**
 * Regularisation methods of a {@link SymbolicTensor} with shape `S` and `P` parameters so far.
 *
 * @example
 * input({ shape: [100, 16] }).spatialDropout1d({ rate: 0.2 }).gaussianNoise({ stddev: 0.1 }); // SymbolicTensor<[null, 100, 16], 0>
 */
export interface RegularizationMethods<S extends Shape, P extends number, Macs extends string | number> {
  /**
   * Randomly zeroes a fraction `rate` of the inputs while training (Keras
   * `Dropout`); the identity at inference.
   *
   * @example
   * input({ shape: [1600] }).dropout({ rate: 0.5 }); // SymbolicTensor<[null, 1600], 0>
   */
  dropout<const R extends number, const Sd extends number = 0>(config: {
    rate: Field<DropoutFault<R, Sd>, "rate", R>;
    seed?: Field<DropoutFault<R, Sd>, "seed", Sd>;
    name?: string;
  }): DropoutFault<R, Sd> extends Fault<string, infer M> ? ErrorTensor<M> : SymbolicTensor<S, P, Macs>;

  /**
   * Multiplies the inputs by 1-centred Gaussian noise of deviation
   * `sqrt(rate / (1 - rate))` while training (Keras `GaussianDropout`); the
   * identity at inference. `rate` lies in `[0, 1)`, as for `dropout`.
   *
   * @example
   * input({ shape: [64] }).gaussianDropout({ rate: 0.3 }); // SymbolicTensor<[null, 64], 0>
   */
  gaussianDropout: RateDropoutMethod<"gaussianDropout", S, P, Macs>;

  /**
   * Dropout that keeps its inputs' mean and variance while training, for
   * SELU networks (Keras `AlphaDropout`); the identity at inference. `rate`
   * lies in `[0, 1)`, as for `dropout`.
   *
   * @example
   * input({ shape: [64] }).alphaDropout({ rate: 0.1 }); // SymbolicTensor<[null, 64], 0>
   */
  alphaDropout: RateDropoutMethod<"alphaDropout", S, P, Macs>;

  /**
   * Drops whole channels of a sequence `[batch, steps, channels]` while
   * training (Keras `SpatialDropout1D`); the identity at inference.
   *
   * @example
   * input({ shape: [100, 16] }).spatialDropout1d({ rate: 0.2 }); // SymbolicTensor<[null, 100, 16], 0>
   */
  spatialDropout1d: SpatialDropoutMethod<"spatialDropout1d", 1, S, P, Macs>;

  /**
   * Drops whole feature maps of an image batch while training (Keras
   * `SpatialDropout2D`); the identity at inference. `dataFormat` says where
   * the channels are (default `"channelsLast"`).
   *
   * @example
   * input({ shape: [28, 28, 32] }).spatialDropout2d({ rate: 0.2 }); // SymbolicTensor<[null, 28, 28, 32], 0>
   */
  spatialDropout2d: SpatialDropoutMethod<"spatialDropout2d", 2, S, P, Macs>;

  /**
   * Drops whole feature volumes of a batch of volumes while training (Keras
   * `SpatialDropout3D`); the identity at inference. `dataFormat` says where
   * the channels are (default `"channelsLast"`).
   *
   * @example
   * input({ shape: [8, 16, 16, 4] }).spatialDropout3d({ rate: 0.2 }); // SymbolicTensor<[null, 8, 16, 16, 4], 0>
   */
  spatialDropout3d: SpatialDropoutMethod<"spatialDropout3d", 3, S, P, Macs>;

  /**
   * Adds zero-mean Gaussian noise of deviation `stddev` while training (Keras
   * `GaussianNoise`, which takes `stddev` in `[0, 1]`); the identity at inference.
   *
   * @example
   * input({ shape: [64] }).gaussianNoise({ stddev: 0.1 }); // SymbolicTensor<[null, 64], 0>
   */
  gaussianNoise<const Sd extends number, const Seed extends number = 0>(config: {
    stddev: Field<GaussianNoiseFault<Sd, Seed>, "stddev", Sd>;
    seed?: Field<GaussianNoiseFault<Sd, Seed>, "seed", Seed>;
    name?: string;
  }): Same<S, P, Macs, GaussianNoiseFault<Sd, Seed>>;

  /**
   * Adds `l1 * sum(|x|) + l2 * sum(x^2)` of its input to the training loss
   * (Keras `ActivityRegularization`); the identity at inference. Both factors
   * default to 0 and must not be negative.
   *
   * @example
   * input({ shape: [64] }).activityRegularization({ l1: 0.01 }); // SymbolicTensor<[null, 64], 0>
   */
  activityRegularization<const L1 extends number = 0, const L2 extends number = 0>(config?: {
    l1?: Field<ActivityFault<L1, L2>, "l1", L1>;
    l2?: Field<ActivityFault<L1, L2>, "l2", L2>;
    name?: string;
  }): Same<S, P, Macs, ActivityFault<L1, L2>>;
}
