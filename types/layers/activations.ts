/**
 * Activation layers at the type level: `reLU`, `leakyReLU`, `pReLU` (alias
 * `prelu`), `elu`, `softmax` (runtime twin: `src/layers/activations.ts`).
 *
 * They keep the shape. Only `pReLU` has weights: `alpha`, shaped like one
 * sample of its input with the `sharedAxes` set to 1 (Keras 3 `PReLU.build`).
 * The `softmax` layer method lives in its own namespace: the `"softmax"`
 * value of `activation` options is a different thing and does not clash.
 */
import type { Add, Product } from "../arithmetic/index.js";
import type { ErrorTensor, Fault, Field, FirstFault, NoFault } from "../errors.js";
import type { AxisList, Shape, ShapeText } from "../shape.js";
import type { SymbolicTensor } from "../symbolic-tensor.js";
import type { AxesFault, MinRank2, NonNegativeFault, OnOptionOrReceiver, Receiver } from "../checks.js";

/**
 * The options of {@link ActivationsMethods.reLU}.
 *
 * @example
 * const relu6: ReLUOptions = { maxValue: 6 };
 */
export interface ReLUOptions {
  /** Largest output (default: none); at least 0. */
  maxValue?: number;
  /** Slope below the threshold (default 0); at least 0. Keras 3 option, not in TensorFlow.js. */
  negativeSlope?: number;
  /** Inputs at or below it are treated as negative (default 0); at least 0. Keras 3 option, not in TensorFlow.js. */
  threshold?: number;
  /** Layer name; `re_lu`, `re_lu_1`, ... otherwise. */
  name?: string;
}

type ReLUFault<Mx extends number, Ns extends number, Th extends number> = FirstFault<
  [NonNegativeFault<"reLU", "maxValue", Mx>, NonNegativeFault<"reLU", "negativeSlope", Ns>, NonNegativeFault<"reLU", "threshold", Th>]
>;

type LeakyFault<Al extends number> = NonNegativeFault<"leakyReLU", "alpha", Al>;

/** sharedAxes may list axes 1 to rank - 1 (Keras 3 indexes the weight shape with `axis - 1`), in any number, repeats allowed. */
type SharedAxesRule = { lowest: 1; negative: false; empty: true; repeats: true; what: "an integer or a list of integers" };

/** The first non-batch axis of `S` with an unknown size that `Shared` (axis numbers as text) does not share; `never` if none. */
type FirstUnknownUnshared<S extends readonly unknown[], Shared extends string, Seen extends unknown[] = []> = S extends readonly [infer H, ...infer Rest]
  ? Seen["length"] extends 0
    ? FirstUnknownUnshared<Rest, Shared, [...Seen, H]>
    : H extends null
      ? `${Seen["length"]}` extends Shared
        ? FirstUnknownUnshared<Rest, Shared, [...Seen, H]>
        : Seen["length"]
      : FirstUnknownUnshared<Rest, Shared, [...Seen, H]>
  : never;

/** The axis numbers of `sharedAxes` as text, to match tuple keys; `never` when none are known. */
type SharedKeys<Sh> = number extends AxisList<Sh>[number] ? never : `${AxisList<Sh>[number]}`;

type PReLUKnownSizes<S extends Shape, Sh> = [FirstUnknownUnshared<S, SharedKeys<Sh>>] extends [never]
  ? NoFault
  : Fault<
      "sharedAxes",
      `shapewise: pReLU needs a known size on axis ${FirstUnknownUnshared<S, SharedKeys<Sh>> & number} to size its weights, got ${ShapeText<S>}`
    >;

type PReLUFault<S extends Shape, Sh> = FirstFault<
  [
    MinRank2<"pReLU", S>,
    AxesFault<"pReLU", "sharedAxes", S, Sh extends undefined ? [] : Sh, SharedAxesRule>,
    OnOptionOrReceiver<Sh, number extends AxisList<Sh>[number] ? NoFault : PReLUKnownSizes<S, Sh>>,
  ]
>;

/**
 * The weight count of a `pReLU`: one `alpha` per value of a sample, the
 * `sharedAxes` (as text) counting once.
 *
 * @example
 * type P = PReLUParams<[null, 10, 10, 3], never>;  // 300
 * type Q = PReLUParams<[null, 10, 10, 3], "1" | "2">; // 3
 */
export type PReLUParams<S extends Shape, Shared extends string> = Product<{
  [I in keyof S]: I extends "0" ? 1 : I extends Shared ? 1 : S[I] extends infer D extends number ? D : number;
}>;

type PReLUResult<S extends Shape, P extends number, Macs extends string | number, Sh, E> =
  E extends Fault<string, infer M>
    ? ErrorTensor<M>
    : SymbolicTensor<S, Add<P, number extends AxisList<Sh>[number] ? number : PReLUParams<S, SharedKeys<Sh>>>, Macs>;

/** softmax may name any axis, the batch one included, counting from either end. */
type SoftmaxAxesRule = { lowest: 0; negative: true; empty: false; repeats: false; what: "an integer or a list of integers" };

type SoftmaxFault<S extends Shape, Ax> = AxesFault<"softmax", "axis", S, Ax extends undefined ? -1 : Ax, SoftmaxAxesRule>;

type Same<S extends Shape, P extends number, Macs extends string | number, E> = E extends Fault<string, infer M> ? ErrorTensor<M> : SymbolicTensor<S, P, Macs>;

/**
 * Activation-layer methods of a {@link SymbolicTensor} with shape `S` and `P` parameters so far.
 *
 * @example
 * input({ shape: [10, 10, 3] }).pReLU().softmax(); // SymbolicTensor<[null, 10, 10, 3], 300>
 */
export interface ActivationsMethods<S extends Shape, P extends number, Macs extends string | number> {
  /**
   * Rectified linear unit (Keras `ReLU`): `x` above `threshold` (clipped to
   * `maxValue`), `negativeSlope * (x - threshold)` below it.
   *
   * @example
   * input({ shape: [10] }).reLU();                  // SymbolicTensor<[null, 10], 0>
   * input({ shape: [10] }).reLU({ maxValue: 6 });   // relu6
   */
  reLU<const Mx extends number = 0, const Ns extends number = 0, const Th extends number = 0>(config?: {
    maxValue?: Field<ReLUFault<Mx, Ns, Th>, "maxValue", Mx>;
    negativeSlope?: Field<ReLUFault<Mx, Ns, Th>, "negativeSlope", Ns>;
    threshold?: Field<ReLUFault<Mx, Ns, Th>, "threshold", Th>;
    name?: string;
  }): Same<S, P, Macs, ReLUFault<Mx, Ns, Th>>;

  /**
   * Leaky rectified linear unit (Keras `LeakyReLU`): `x` for `x >= 0`,
   * `alpha * x` below. `alpha` is TensorFlow.js' name for Keras 3's
   * `negative_slope`; both default to 0.3 and must not be negative.
   *
   * @example
   * input({ shape: [10] }).leakyReLU({ alpha: 0.1 }); // SymbolicTensor<[null, 10], 0>
   */
  leakyReLU<const Al extends number = 0.3>(config?: { alpha?: Field<LeakyFault<Al>, "alpha", Al>; name?: string }): Same<S, P, Macs, LeakyFault<Al>>;

  /**
   * Parametric ReLU (Keras `PReLU`): `x` for `x >= 0`, `alpha * x` below, with
   * a learned `alpha` per value of a sample (zeros at first); `sharedAxes`
   * (axis numbers from 1) share one `alpha` along those axes.
   *
   * @example
   * input({ shape: [10, 10, 3] }).pReLU();                       // SymbolicTensor<[null, 10, 10, 3], 300>
   * input({ shape: [10, 10, 3] }).pReLU({ sharedAxes: [1, 2] }); // SymbolicTensor<[null, 10, 10, 3], 3>
   */
  pReLU<const Sh extends number | readonly number[] | undefined = undefined>(
    this: Receiver<PReLUFault<S, Sh>>,
    config?: { sharedAxes?: Field<PReLUFault<S, Sh>, "sharedAxes", Sh>; name?: string },
  ): PReLUResult<S, P, Macs, Sh, PReLUFault<S, Sh>>;

  /**
   * The same layer as {@link ActivationsMethods.pReLU}, under its TensorFlow.js name.
   *
   * @example
   * input({ shape: [10, 10, 3] }).prelu(); // SymbolicTensor<[null, 10, 10, 3], 300>
   */
  prelu<const Sh extends number | readonly number[] | undefined = undefined>(
    this: Receiver<PReLUFault<S, Sh>>,
    config?: { sharedAxes?: Field<PReLUFault<S, Sh>, "sharedAxes", Sh>; name?: string },
  ): PReLUResult<S, P, Macs, Sh, PReLUFault<S, Sh>>;

  /**
   * Exponential linear unit (Keras `ELU`): `x` for `x > 0`, `alpha * (exp(x) - 1)`
   * below (default `alpha` 1).
   *
   * @example
   * input({ shape: [10] }).elu({ alpha: 0.5 }); // SymbolicTensor<[null, 10], 0>
   */
  elu(config?: { alpha?: number; name?: string }): SymbolicTensor<S, P, Macs>;

  /**
   * Softmax over `axis` (Keras `Softmax`; default -1, the last axis). A list
   * of axes normalises over all of them together.
   *
   * @example
   * input({ shape: [4, 10] }).softmax();             // SymbolicTensor<[null, 4, 10], 0>
   * input({ shape: [4, 10] }).softmax({ axis: 1 });  // over the 4 rows
   */
  softmax<const Ax extends number | readonly number[] | undefined = undefined>(config?: {
    axis?: Field<SoftmaxFault<S, Ax>, "axis", Ax>;
    name?: string;
  }): Same<S, P, Macs, SoftmaxFault<S, Ax>>;
}
