/**
 * Pooling layers at the type level (runtime twin: `src/layers/pooling.ts`).
 *
 * Keras 3 `compute_pooling_output_shape`: strides default to the pool size;
 * `"valid"` gives `floor((L - p) / s) + 1`, `"same"` gives `ceil(L / s)`.
 */
import type { ExactRank, PositiveSize } from "../checks.js";
import type { ErrorTensor, Fault, Field, FirstFault } from "../errors.js";
import type { Pair, Resolved, Shape, Size2 } from "../shape.js";
import type { SymbolicTensor } from "../symbolic-tensor.js";
import type { Padding, WindowFits, WindowOutput } from "./convolutional.js";

/** The options of the 2-D pooling methods. */
export interface Pooling2DOptions {
  /** Window height and width (default 2). */
  poolSize?: Size2;
  /** Step between windows (default: the pool size). */
  strides?: Size2;
  /** `"valid"` (default) or `"same"`. */
  padding?: Padding;
  /** Layer name. */
  name?: string;
}

/** The pool size in effect: 2 when the option is left out. */
type PoolSizeOf<Ps> = Ps extends Size2 ? Ps : 2;
/** The strides in effect: the pool size when the option is left out. */
type StridesOf<Ps, St> = St extends Size2 ? St : PoolSizeOf<Ps>;

/** A fault moved onto the receiver: for mistakes no written property can carry. */
type OnReceiver<E> = E extends Fault<string, infer M> ? Fault<"(this)", M> : E;

/**
 * Pooling takes no required option, so a fault of the input's rank, or of a
 * default window too large for it, is reported on the tensor the method is
 * called on; faults of written options stay on those options.
 */
type Pool2DFault<Method extends string, S extends Shape, Ps extends Size2 | undefined, St extends Size2 | undefined, Pd extends Padding> = FirstFault<
  [
    OnReceiver<ExactRank<Method, S, 4, "[batch, height, width, channels]">>,
    PositiveSize<Method, "poolSize", PoolSizeOf<Ps>>,
    PositiveSize<Method, "strides", StridesOf<Ps, St>>,
    WindowFitsOn<Ps, WindowFits<Method, "poolSize", "height", S[1], Pair<PoolSizeOf<Ps>>[0], 1, Pd>>,
    WindowFitsOn<Ps, WindowFits<Method, "poolSize", "width", S[2], Pair<PoolSizeOf<Ps>>[1], 1, Pd>>,
  ]
>;

type WindowFitsOn<Ps, E> = Ps extends Size2 ? E : OnReceiver<E>;

/** The type `this` must have: anything, or the message of a fault reported on the receiver. */
type Receiver<E> = E extends Fault<"(this)", infer M> ? M : unknown;

type Pool2DConfig<Method extends string, S extends Shape, Ps extends Size2 | undefined, St extends Size2 | undefined, Pd extends Padding> = {
  poolSize?: Field<Pool2DFault<Method, S, Ps, St, Pd>, "poolSize", Ps>;
  strides?: Field<Pool2DFault<Method, S, Ps, St, Pd>, "strides", St>;
  padding?: Pd;
  name?: string;
};

type Pool2DResult<S extends Shape, P extends number, Ps extends Size2 | undefined, St extends Size2 | undefined, Pd extends Padding, E> =
  E extends Fault<string, infer M>
    ? ErrorTensor<M>
    : SymbolicTensor<
        Resolved<
          [
            S[0],
            WindowOutput<S[1], Pair<PoolSizeOf<Ps>>[0], Pair<StridesOf<Ps, St>>[0], 1, Pd>,
            WindowOutput<S[2], Pair<PoolSizeOf<Ps>>[1], Pair<StridesOf<Ps, St>>[1], 1, Pd>,
            S[3],
          ]
        >,
        P
      >;

/** Pooling methods of a {@link SymbolicTensor} with shape `S` and `P` parameters so far. */
export interface PoolingMethods<S extends Shape, P extends number> {
  /**
   * Maximum over each window (Keras `MaxPooling2D`).
   *
   * @example
   * input({ shape: [28, 28, 32] }).maxPooling2d({ poolSize: 2 }); // SymbolicTensor<[null, 14, 14, 32], 0>
   */
  maxPooling2d<const Ps extends Size2 | undefined = undefined, const St extends Size2 | undefined = undefined, const Pd extends Padding = "valid">(
    this: Receiver<Pool2DFault<"maxPooling2d", S, Ps, St, Pd>>,
    config?: Pool2DConfig<"maxPooling2d", S, Ps, St, Pd>,
  ): Pool2DResult<S, P, Ps, St, Pd, Pool2DFault<"maxPooling2d", S, Ps, St, Pd>>;

  /**
   * The same layer as {@link PoolingMethods.maxPooling2d}, under its TensorFlow.js alias.
   *
   * @example
   * input({ shape: [28, 28, 32] }).maxPool2d({ poolSize: 2 }); // SymbolicTensor<[null, 14, 14, 32], 0>
   */
  maxPool2d<const Ps extends Size2 | undefined = undefined, const St extends Size2 | undefined = undefined, const Pd extends Padding = "valid">(
    this: Receiver<Pool2DFault<"maxPooling2d", S, Ps, St, Pd>>,
    config?: Pool2DConfig<"maxPooling2d", S, Ps, St, Pd>,
  ): Pool2DResult<S, P, Ps, St, Pd, Pool2DFault<"maxPooling2d", S, Ps, St, Pd>>;

  /**
   * Mean over each window (Keras `AveragePooling2D`); with `"same"` padding the
   * border windows average their real cells only.
   *
   * @example
   * input({ shape: [32, 32, 6] }).averagePooling2d({ poolSize: 2 }); // SymbolicTensor<[null, 16, 16, 6], 0>
   */
  averagePooling2d<const Ps extends Size2 | undefined = undefined, const St extends Size2 | undefined = undefined, const Pd extends Padding = "valid">(
    this: Receiver<Pool2DFault<"averagePooling2d", S, Ps, St, Pd>>,
    config?: Pool2DConfig<"averagePooling2d", S, Ps, St, Pd>,
  ): Pool2DResult<S, P, Ps, St, Pd, Pool2DFault<"averagePooling2d", S, Ps, St, Pd>>;
}
