/**
 * Pooling layers at the type level (runtime twin: `src/layers/pooling.ts`).
 *
 * Keras 3 `compute_pooling_output_shape`: strides default to the pool size;
 * `"valid"` gives `floor((L - p) / s) + 1`, `"same"` gives `ceil(L / s)`.
 */
import type { ConfigOr, ExactRank, PositiveSize } from "../checks.js";
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

type Pool2DInputFault<Method extends string, S extends Shape> = ExactRank<Method, S, 4, "[batch, height, width, channels]">;

type Pool2DFault<Method extends string, S extends Shape, Ps extends Size2, St extends Size2, Pd extends Padding> = FirstFault<
  [
    Pool2DInputFault<Method, S>,
    PositiveSize<Method, "poolSize", Ps>,
    PositiveSize<Method, "strides", St>,
    WindowFits<Method, "poolSize", "height", S[1], Pair<Ps>[0], 1, Pd>,
    WindowFits<Method, "poolSize", "width", S[2], Pair<Ps>[1], 1, Pd>,
  ]
>;

type Pool2DConfig<Method extends string, S extends Shape, Ps extends Size2, St extends Size2, Pd extends Padding> = ConfigOr<
  Pool2DInputFault<Method, S>,
  {
    poolSize?: Field<Pool2DFault<Method, S, Ps, St, Pd>, "poolSize", Ps>;
    strides?: Field<Pool2DFault<Method, S, Ps, St, Pd>, "strides", St>;
    padding?: Pd;
    name?: string;
  }
>;

type Pool2DResult<S extends Shape, P extends number, Ps extends Size2, St extends Size2, Pd extends Padding, E> =
  E extends Fault<string, infer M>
    ? ErrorTensor<M>
    : SymbolicTensor<
        Resolved<
          [
            S[0],
            WindowOutput<S[1], Pair<Ps>[0], Pair<St>[0], 1, Pd>,
            WindowOutput<S[2], Pair<Ps>[1], Pair<St>[1], 1, Pd>,
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
  maxPooling2d<const Ps extends Size2 = 2, const St extends Size2 = Ps, const Pd extends Padding = "valid">(
    config?: Pool2DConfig<"maxPooling2d", S, Ps, St, Pd>,
  ): Pool2DResult<S, P, Ps, St, Pd, Pool2DFault<"maxPooling2d", S, Ps, St, Pd>>;

  /**
   * The same layer as {@link PoolingMethods.maxPooling2d}, under its TensorFlow.js alias.
   *
   * @example
   * input({ shape: [28, 28, 32] }).maxPool2d({ poolSize: 2 }); // SymbolicTensor<[null, 14, 14, 32], 0>
   */
  maxPool2d<const Ps extends Size2 = 2, const St extends Size2 = Ps, const Pd extends Padding = "valid">(
    config?: Pool2DConfig<"maxPooling2d", S, Ps, St, Pd>,
  ): Pool2DResult<S, P, Ps, St, Pd, Pool2DFault<"maxPooling2d", S, Ps, St, Pd>>;

  /**
   * Mean over each window (Keras `AveragePooling2D`); with `"same"` padding the
   * border windows average their real cells only.
   *
   * @example
   * input({ shape: [32, 32, 6] }).averagePooling2d({ poolSize: 2 }); // SymbolicTensor<[null, 16, 16, 6], 0>
   */
  averagePooling2d<const Ps extends Size2 = 2, const St extends Size2 = Ps, const Pd extends Padding = "valid">(
    config?: Pool2DConfig<"averagePooling2d", S, Ps, St, Pd>,
  ): Pool2DResult<S, P, Ps, St, Pd, Pool2DFault<"averagePooling2d", S, Ps, St, Pd>>;
}
