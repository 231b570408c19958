/**
 * Convolution layers at the type level (runtime twin: `src/layers/convolutional.ts`).
 *
 * Output sizes follow Keras 3 `compute_conv_output_shape`: with padding
 * `"valid"` each spatial size is `floor((L - dk) / s) + 1` where
 * `dk = d * (k - 1) + 1`; with `"same"` it is `ceil(L / s)`.
 */
import type { Add, DivCeil, DivFloor, Gt, Lt, Multiply, Subtract } from "../arithmetic/index.js";
import type { ActivationName } from "../activations.js";
import type { ConfigOr, ExactRank, KnownChannels, PositiveCount, PositiveSize } from "../checks.js";
import type { Certainly, ErrorTensor, Fault, Field, FirstFault, NoFault } from "../errors.js";
import type { Dim, Pair, Resolved, Shape, ShapeText, Size2 } from "../shape.js";
import type { SymbolicTensor } from "../symbolic-tensor.js";

/** How a window meets the border: `"valid"` uses real pixels only, `"same"` pads to keep `ceil(L / s)`. */
export type Padding = "valid" | "same";

/**
 * The spatial size a convolution or pooling window of size `K`, stride `St`
 * and dilation `D` leaves of a length `L`.
 *
 * @example
 * type A = WindowOutput<28, 3, 1, 1, "valid">; // 26
 * type B = WindowOutput<28, 3, 2, 1, "same">;  // 14
 */
export type WindowOutput<L extends Dim, K extends number, St extends number, D extends number, Pd extends Padding> =
  L extends null
    ? null
    : L extends number
      ? [Pd] extends ["same"]
        ? St extends 1
          ? L
          : DivCeil<L, St>
        : [Pd] extends ["valid"]
          ? ValidOutput<L, Dilated<K, D>, St>
          : number
      : never;

/** `floor((L - span) / s) + 1`, without arithmetic for the common stride 1 and span 1. */
type ValidOutput<L extends number, Span extends number, St extends number> = St extends 1
  ? Span extends 1
    ? L
    : Subtract<Add<L, 1>, Span>
  : Add<DivFloor<Subtract<L, Span>, St>, 1>;

/**
 * The span of a kernel of size `K` with dilation `D`: `D * (K - 1) + 1`.
 *
 * @example
 * type S = Dilated<3, 2>; // 5
 */
export type Dilated<K extends number, D extends number> = D extends 1 ? K : Add<Multiply<D, Subtract<K, 1>>, 1>;

/**
 * A fault when a window does not fit its input along one axis with `"valid"`
 * padding (the output would have zero size).
 */
export type WindowFits<
  Method extends string,
  Key extends string,
  Axis extends string,
  L extends Dim,
  K extends number,
  D extends number,
  Pd extends Padding,
> = [Pd] extends ["valid"]
  ? L extends number
    ? Certainly<Dilated<K, D> extends 1 ? false : SpanExceeds<L, K, D>> extends true
      ? Fault<
          Key,
          D extends 1
            ? `shapewise: ${Method} ${Key} ${K} is larger than input ${Axis} ${L} with padding 'valid'`
            : `shapewise: ${Method} ${Key} ${K} with dilationRate ${D} spans ${SpanText<K, D>}, larger than input ${Axis} ${L} with padding 'valid'`
        >
      : NoFault
    : NoFault
  : NoFault;

/**
 * Whether a dilated kernel spans more than `L`; a span past 2^53 - 1 (the
 * arithmetic then gives `number` for literal operands) certainly does.
 */
type SpanExceeds<L extends number, K extends number, D extends number> = number extends Dilated<K, D>
  ? number extends K | D | L
    ? boolean
    : true
  : Lt<L, Dilated<K, D>>;

/** The span as a message prints it: a span past 2^53 - 1 has no exact number. */
type SpanText<K extends number, D extends number> = number extends Dilated<K, D> ? "more than 9007199254740991" : `${Dilated<K, D>}`;

type AnyAbove1<V extends readonly number[]> = V extends readonly [1, 1]
  ? false
  : true extends { [I in keyof V]: Gt<V[I], 1> }[number]
    ? true
    : false;

/** The options of {@link ConvolutionalMethods.conv2d}, as TensorFlow.js names them. */
export interface Conv2DOptions {
  /** Number of output channels. */
  filters: number;
  /** Window height and width: one number for both, or `[height, width]`. */
  kernelSize: Size2;
  /** Step between windows (default 1). Cannot exceed 1 together with `dilationRate`. */
  strides?: Size2;
  /** `"valid"` (default) or `"same"`. */
  padding?: Padding;
  /** Spacing between kernel taps (default 1). */
  dilationRate?: Size2;
  /** Activation applied after the bias (default `"linear"`). */
  activation?: ActivationName;
  /** Whether the layer adds a bias (default `true`). */
  useBias?: boolean;
  /** Layer name; Keras-style automatic names otherwise (`conv2d`, `conv2d_1`, ...). */
  name?: string;
}

/** Faults of the input alone: checked before the config, so they never depend on what is being inferred. */
type Conv2DInputFault<S extends Shape> = FirstFault<
  [ExactRank<"conv2d", S, 4, "[batch, height, width, channels]">, KnownChannels<"conv2d", S, S[3]>]
>;

type Conv2DFault<S extends Shape, F extends number, K extends Size2, St extends Size2, Pd extends Padding, D extends Size2> =
  FirstFault<
    [
      Conv2DInputFault<S>,
      PositiveCount<"conv2d", "filters", F>,
      PositiveSize<"conv2d", "kernelSize", K>,
      PositiveSize<"conv2d", "strides", St>,
      PositiveSize<"conv2d", "dilationRate", D>,
      [AnyAbove1<Pair<St>>, AnyAbove1<Pair<D>>] extends [true, true]
        ? Fault<"dilationRate", `shapewise: conv2d strides ${ShapeText<St>} and dilationRate ${ShapeText<D>} cannot both exceed 1`>
        : NoFault,
      WindowFits<"conv2d", "kernelSize", "height", S[1], Pair<K>[0], Pair<D>[0], Pd>,
      WindowFits<"conv2d", "kernelSize", "width", S[2], Pair<K>[1], Pair<D>[1], Pd>,
    ]
  >;

type BiasCount<B extends boolean, N extends number> = [B] extends [false] ? 0 : [B] extends [true] ? N : number;

/**
 * Weights of a `conv2d`: a `[kh, kw, in, filters]` kernel and a bias of `filters`.
 *
 * @example
 * type P = Conv2DParams<3, 3, 1, 32, true>; // 320
 */
export type Conv2DParams<KH extends number, KW extends number, C extends number, F extends number, B extends boolean> = Add<
  Multiply<Multiply<Multiply<KH, KW>, C>, F>,
  BiasCount<B, F>
>;

type Conv2DResult<
  S extends Shape,
  P extends number,
  F extends number,
  K extends Size2,
  St extends Size2,
  Pd extends Padding,
  D extends Size2,
  B extends boolean,
  E,
> = E extends Fault<string, infer M>
  ? ErrorTensor<M>
  : SymbolicTensor<
      Resolved<
        [
          S[0],
          WindowOutput<S[1], Pair<K>[0], Pair<St>[0], Pair<D>[0], Pd>,
          WindowOutput<S[2], Pair<K>[1], Pair<St>[1], Pair<D>[1], Pd>,
          F,
        ]
      >,
      Add<P, Conv2DParams<Pair<K>[0], Pair<K>[1], S[3] & number, F, B>>
    >;

/** Convolution methods of a {@link SymbolicTensor} with shape `S` and `P` parameters so far. */
export interface ConvolutionalMethods<S extends Shape, P extends number> {
  /**
   * A 2-D convolution over `[batch, height, width, channels]` (Keras `Conv2D`).
   *
   * @example
   * input({ shape: [28, 28, 1] }).conv2d({ filters: 32, kernelSize: 3, activation: "relu" });
   * // SymbolicTensor<[null, 26, 26, 32], 320>
   */
  conv2d<
    const F extends number,
    const K extends Size2,
    const St extends Size2 = 1,
    const Pd extends Padding = "valid",
    const D extends Size2 = 1,
    const B extends boolean = true,
  >(
    config: ConfigOr<
      Conv2DInputFault<S>,
      {
        filters: Field<Conv2DFault<S, F, K, St, Pd, D>, "filters", F>;
        kernelSize: Field<Conv2DFault<S, F, K, St, Pd, D>, "kernelSize", K>;
        strides?: Field<Conv2DFault<S, F, K, St, Pd, D>, "strides", St>;
        padding?: Pd;
        dilationRate?: Field<Conv2DFault<S, F, K, St, Pd, D>, "dilationRate", D>;
        activation?: ActivationName;
        useBias?: B;
        name?: string;
      }
    >,
  ): Conv2DResult<S, P, F, K, St, Pd, D, B, Conv2DFault<S, F, K, St, Pd, D>>;
}
