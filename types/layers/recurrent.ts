/**
 * Recurrent layers and their wrappers at the type level (runtime twin:
 * `src/layers/recurrent.ts`): `simpleRNN`, `lstm`, `gru`, `bidirectional`
 * and `timeDistributed`.
 *
 * A recurrent layer reads `[batch, steps, features]` and gives `[batch, units]`,
 * or `[batch, steps, units]` with `returnSequences`. With `returnState` it
 * returns a readonly tuple `[output, ...states]` (`h`; `h` and `c` for LSTM),
 * every element carrying the same running parameter total, so a model built
 * on any of them counts the layer once.
 */
import type { RegularizerOption } from "../regularizers.js";
import type { Add, Multiply } from "../arithmetic/index.js";
import type { ActivationName } from "../activations.js";
import type { ConfigOr, ExactRank, PositiveCount } from "../checks.js";
import type { AnyErrorTensor, Certainly, ErrorTensor, Fault, Field, FirstFault, NoFault } from "../errors.js";
import type { Dim, Last, ReplaceLast, Resolved, Shape, ShapeText } from "../shape.js";
import type { AddMacTerm, JoinMacs, ScaleMacs } from "../cost.js";
import type { SymbolicTensor, macTotal, paramTotal } from "../symbolic-tensor.js";

/** Where a recurrent method is called: on a tensor, or in the callback of {@link RecurrentMethods.bidirectional}. */
type Mode = "tensor" | "bidirectional";

/** Weights a bias adds: `N` with a bias, none without, `number` when `useBias` is not a literal. */
type BiasCount<B extends boolean, N extends number> = [B] extends [false] ? 0 : [B] extends [true] ? N : number;

/**
 * Weights of a `simpleRNN` on `D` features: kernel `[D, U]`, recurrent kernel `[U, U]`, bias `[U]`.
 *
 * @example
 * type P = SimpleRNNParams<8, 32, true>; // 1312
 */
export type SimpleRNNParams<D extends number, U extends number, B extends boolean> = Add<Multiply<U, Add<D, U>>, BiasCount<B, U>>;

/**
 * Weights of an `lstm` on `D` features: four gate blocks of a `simpleRNN`.
 *
 * @example
 * type P = LSTMParams<8, 32, true>; // 5248
 */
export type LSTMParams<D extends number, U extends number, B extends boolean> = Multiply<4, SimpleRNNParams<D, U, B>>;

/**
 * Weights of a `gru` on `D` features: kernel `[D, 3U]`, recurrent kernel
 * `[U, 3U]`, bias `[2, 3U]` with `resetAfter` (the Keras 3 default) or `[3U]`.
 *
 * @example
 * type A = GRUParams<8, 32, true, true>;  // 4032
 * type B = GRUParams<8, 32, true, false>; // 3936
 */
export type GRUParams<D extends number, U extends number, B extends boolean, RA extends boolean> = Add<
  Multiply<3, Multiply<U, Add<D, U>>>,
  BiasCount<B, Multiply<[RA] extends [true] ? 6 : [RA] extends [false] ? 3 : number, U>>
>;

/** Like `KnownChannels`, but not distributive, so a shape of unknown rank gives no fault. */
type KnownLast<Method extends string, S extends Shape, C> = [C] extends [null]
  ? Fault<"(config)", `shapewise: ${Method} needs a known last dimension to size its weights, got ${ShapeText<S>}`>
  : NoFault;

/** Faults of the input alone: a recurrent layer reads `[batch, steps, features]` with known features. */
type RecurrentInputFault<Method extends string, S extends Shape> = FirstFault<
  [ExactRank<Method, S, 3, "[batch, steps, features]">, KnownLast<Method, S, S[2]>]
>;

/** Inside `bidirectional`, the wrapper makes the backward copy and has one output: these two options must stay off. */
type WrappedFaults<Md extends Mode, Method extends string, G extends boolean, RSt extends boolean> = Md extends "bidirectional"
  ? [
      Certainly<G> extends true
        ? Fault<"goBackwards", `shapewise: bidirectional ${Method} goBackwards must be false: the backward copy reads the sequence in reverse`>
        : NoFault,
      Certainly<RSt> extends true
        ? Fault<"returnState", `shapewise: bidirectional ${Method} returnState is not supported: use the merged output, or mergeMode null for both`>
        : NoFault,
    ]
  : [];

type RecurrentFault<Md extends Mode, Method extends string, S extends Shape, U extends number, G extends boolean, RSt extends boolean> = FirstFault<
  [RecurrentInputFault<Method, S>, PositiveCount<Method, "units", U>, ...WrappedFaults<Md, Method, G, RSt>]
>;

/** The output shape: `[batch, steps, units]` with `returnSequences`, `[batch, units]` without. */
type RecurrentOutput<S extends Shape, U extends number, RSeq extends boolean> = [RSeq] extends [true]
  ? Resolved<[S[0], S[1], U]>
  : [RSeq] extends [false]
    ? Resolved<[S[0], U]>
    : Shape;

/**
 * What a recurrent method returns in the callback of
 * {@link RecurrentMethods.bidirectional}: the layer's output shape and its own
 * parameters, for the wrapper to merge and double. It has no layer methods:
 * the callback makes exactly one call.
 *
 * @example
 * input({ shape: [10, 8] }).bidirectional((t) => t.lstm({ units: 32 })); // t.lstm(...) is a WrappedRecurrent<[null, 32], 5248>
 */
export interface WrappedRecurrent<S extends Shape = Shape, P extends number = number, Macs extends string | number = string | number> {
  readonly shape: S;
  readonly layerName: string;
  readonly [paramTotal]?: P;
  readonly [macTotal]?: Macs;
}

/** The tensors of a call with `returnState`: the output, then `N` states of shape `St`. */
type WithStates<O extends Shape, St extends Shape, T extends number, Mt extends string | number, N extends 1 | 2> = N extends 2
  ? readonly [SymbolicTensor<O, T, Mt>, SymbolicTensor<St, T, Mt>, SymbolicTensor<St, T, Mt>]
  : readonly [SymbolicTensor<O, T, Mt>, SymbolicTensor<St, T, Mt>];

/**
 * Every step multiplies the input by the kernel and the state by the
 * recurrent kernel, for each of the `Gates` gates.
 */
type RecurrentMacs<Macs extends string | number, S extends Shape, U extends number, Gates extends number> = NoInfer<
  AddMacTerm<AddMacTerm<Macs, [S[1], Gates, U, Features<S>]>, [S[1], Gates, U, U]>
>;

type RecurrentResult<
  Md extends Mode,
  S extends Shape,
  P extends number,
  Macs extends string | number,
  U extends number,
  RSeq extends boolean,
  RSt extends boolean,
  N extends 1 | 2,
  Gates extends number,
  Params extends number,
  E,
> =
  E extends Fault<string, infer M>
    ? ErrorTensor<M>
    : Md extends "bidirectional"
      ? WrappedRecurrent<RecurrentOutput<S, U, RSeq>, Params, RecurrentMacs<"0", S, U, Gates>>
      : [RSt] extends [false]
        ? SymbolicTensor<RecurrentOutput<S, U, RSeq>, Add<P, Params>, RecurrentMacs<Macs, S, U, Gates>>
        : [RSt] extends [true]
          ? WithStates<RecurrentOutput<S, U, RSeq>, Resolved<[S[0], U]>, Add<P, Params>, RecurrentMacs<Macs, S, U, Gates>, N>
          :
              | SymbolicTensor<RecurrentOutput<S, U, RSeq>, Add<P, Params>, RecurrentMacs<Macs, S, U, Gates>>
              | WithStates<RecurrentOutput<S, U, RSeq>, Resolved<[S[0], U]>, Add<P, Params>, RecurrentMacs<Macs, S, U, Gates>, N>;

/** The number of features of a shape that passed the input checks. */
type Features<S extends Shape> = S[2] & number;

/** The cell of a recurrent layer, which sets its gates, states and weights. */
type Cell = "simpleRNN" | "lstm" | "gru";

/** The config options every cell has, each typed by its check. */
type RecurrentConfig<E, U, RSeq, RSt, G, B> = {
  units: Field<E, "units", U>;
  activation?: ActivationName;
  useBias?: B;
  returnSequences?: RSeq;
  returnState?: Field<E, "returnState", RSt>;
  goBackwards?: Field<E, "goBackwards", G>;
  kernelRegularizer?: RegularizerOption;
  recurrentRegularizer?: RegularizerOption;
  biasRegularizer?: RegularizerOption;
  activityRegularizer?: RegularizerOption;
  name?: string;
};

/** The options of the gated cells: `lstm` and `gru` add a gate activation, `gru` its `resetAfter`. */
type GatedConfig<M extends Cell, RA> = M extends "simpleRNN"
  ? unknown
  : {
      /** Gate activation (default `"sigmoid"`, as Keras 3; TensorFlow.js defaults to `hardSigmoid`). */
      recurrentActivation?: ActivationName;
    } & (M extends "gru" ? { resetAfter?: RA } : unknown);

/** The weights of a cell on `D` features. */
type CellParams<M extends Cell, D extends number, U extends number, B extends boolean, RA extends boolean> = M extends "lstm"
  ? LSTMParams<D, U, B>
  : M extends "gru"
    ? GRUParams<D, U, B, RA>
    : SimpleRNNParams<D, U, B>;

/** States (`h`; `h` and `c` for LSTM) and gates of each cell. */
type CellStates = { simpleRNN: 1; lstm: 2; gru: 1 };
type CellGates = { simpleRNN: 1; lstm: 4; gru: 3 };

/**
 * The call of a recurrent layer of cell `M`. Written as a method and read
 * back as a function type, so that it keeps a method's bivariant parameter
 * and `S` stays covariant in {@link SymbolicTensor}. `RA` is read from
 * `resetAfter`, which only `gru` has.
 */
type RecurrentMethod<M extends Cell, Md extends Mode, S extends Shape, P extends number, Macs extends string | number> = {
  call<
    const U extends number,
    const RSeq extends boolean = false,
    const RSt extends boolean = false,
    const G extends boolean = false,
    const B extends boolean = true,
    const RA extends boolean = true,
  >(
    config: ConfigOr<RecurrentInputFault<M, S>, RecurrentConfig<RecurrentFault<Md, M, S, U, G, RSt>, U, RSeq, RSt, G, B> & GatedConfig<M, RA>>,
  ): RecurrentResult<Md, S, P, Macs, U, RSeq, RSt, CellStates[M], CellGates[M], CellParams<M, Features<S>, U, B, RA>, RecurrentFault<Md, M, S, U, G, RSt>>;
}["call"];

/**
 * The options every recurrent method takes, as TensorFlow.js names them
 * (`lstm` and `gru` add `recurrentActivation`, `gru` adds `resetAfter`).
 *
 * @example
 * const options: RecurrentOptions = { units: 32, returnSequences: true };
 */
export interface RecurrentOptions {
  /** Size of the output and of each state. */
  units: number;
  /** Activation of the candidate state and output (default `"tanh"`). */
  activation?: ActivationName;
  /** Whether the layer adds biases (default `true`). */
  useBias?: boolean;
  /** Output every step `[batch, steps, units]` instead of the last `[batch, units]` (default `false`). */
  returnSequences?: boolean;
  /** Also return the final states: the method then returns `[output, ...states]` (default `false`). */
  returnState?: boolean;
  /** Read the steps last to first; the output sequence stays in reading order (default `false`). */
  goBackwards?: boolean;
  /** Penalty on the input kernel added to the training loss: `"l1"`, `"l2"`, `"l1l2"` or `regularizers.l2(1e-4)` (Keras `kernel_regularizer`). */
  kernelRegularizer?: RegularizerOption;
  /** Penalty on the recurrent kernel (Keras `recurrent_regularizer`). */
  recurrentRegularizer?: RegularizerOption;
  /** Penalty on the bias (Keras `bias_regularizer`). */
  biasRegularizer?: RegularizerOption;
  /** Penalty on every output, states included, divided by the batch size (Keras `activity_regularizer`). */
  activityRegularizer?: RegularizerOption;
  /** Layer name; Keras-style automatic names otherwise (`lstm`, `lstm_1`, ...). */
  name?: string;
}

/**
 * The recurrent layers, on a tensor (`Md = "tensor"`) or in the callback of `bidirectional`.
 *
 * @example
 * input({ shape: [10, 8] }).gru({ units: 4 }); // SymbolicTensor<[null, 4], 168>
 */
export interface RecurrentLayerMethods<S extends Shape, P extends number, Macs extends string | number, Md extends Mode> {
  /**
   * A fully connected recurrent layer (Keras `SimpleRNN`): `h = tanh(x W + h U + b)`.
   *
   * @example
   * input({ shape: [10, 8] }).simpleRNN({ units: 32 });                         // SymbolicTensor<[null, 32], 1312>
   * input({ shape: [10, 8] }).simpleRNN({ units: 32, returnSequences: true }); // SymbolicTensor<[null, 10, 32], 1312>
   */
  simpleRNN: RecurrentMethod<"simpleRNN", Md, S, P, Macs>;

  /**
   * Long short-term memory (Keras `LSTM`), gates i, f, c, o; with
   * `returnState` it returns `[output, h, c]`.
   *
   * @example
   * input({ shape: [10, 8] }).lstm({ units: 32 });                    // SymbolicTensor<[null, 32], 5248>
   * const [out, h, c] = input({ shape: [10, 8] }).lstm({ units: 32, returnState: true });
   */
  lstm: RecurrentMethod<"lstm", Md, S, P, Macs>;

  /**
   * Gated recurrent unit (Keras `GRU`), gates z, r, h. `resetAfter`
   * (default `true`, as Keras 3) applies the reset gate after the recurrent
   * product and gives a `[2, 3 * units]` bias.
   *
   * @example
   * input({ shape: [10, 8] }).gru({ units: 32 });                     // SymbolicTensor<[null, 32], 4032>
   * input({ shape: [10, 8] }).gru({ units: 32, resetAfter: false }); // SymbolicTensor<[null, 32], 3936>
   */
  gru: RecurrentMethod<"gru", Md, S, P, Macs>;
}

/**
 * The argument of the callback of {@link RecurrentMethods.bidirectional}: the
 * sequence, offering only the recurrent layers, each returning a
 * {@link WrappedRecurrent} on which nothing can be chained.
 *
 * @example
 * input({ shape: [10, 8] }).bidirectional((t: RecurrentBuilder<[null, 10, 8]>) => t.simpleRNN({ units: 4 }));
 */
export interface RecurrentBuilder<S extends Shape> extends RecurrentLayerMethods<S, 0, "0", "bidirectional"> {
  readonly shape: S;
}

/**
 * How `bidirectional` combines the two directions: `null` keeps both outputs.
 *
 * @example
 * const mode: MergeMode = "ave";
 */
export type MergeMode = "concat" | "sum" | "mul" | "ave" | null;

/**
 * The options of {@link RecurrentMethods.bidirectional}.
 *
 * @example
 * const options: BidirectionalOptions = { mergeMode: "sum", name: "encoder" };
 */
export interface BidirectionalOptions {
  /** `"concat"` (default, last dimension doubled), `"sum"`, `"mul"`, `"ave"`, or `null` for `[forward, backward]`. */
  mergeMode?: MergeMode;
  /** Layer name; `bidirectional`, `bidirectional_1`, ... otherwise. */
  name?: string;
}

/** Anything a layer call gives: a symbolic tensor, or the shape and parameters of a wrapped layer. */
type TensorLike = { readonly shape: Shape; readonly [paramTotal]?: number };
type ParamsOf<T> = T extends { readonly [paramTotal]?: infer Q extends number } ? Q : number;
type MacsOf<T> = T extends { readonly [macTotal]?: infer Q extends string | number } ? Q : number;
type ErrorOf<T> = T extends { readonly error: infer M extends string } ? M : never;

/** The merged output of the two directions: `"concat"` doubles the last dimension. */
type Merged<O extends Shape, Mm> = [Mm] extends ["concat"] ? Resolved<ReplaceLast<O, Multiply<Last<O> & number, 2>>> : O;

type BidirectionalResult<P extends number, Macs extends string | number, R, Mm> = [ErrorOf<R>] extends [never]
  ? R extends WrappedRecurrent<infer O, number, string | number>
    ? [Add<P, Multiply<ParamsOf<R>, 2>>, JoinMacs<Macs, ScaleMacs<MacsOf<R>, 2>>] extends [infer T extends number, infer Mt extends string | number]
      ? [Mm] extends [null]
        ? readonly [SymbolicTensor<O, T, Mt>, SymbolicTensor<O, T, Mt>]
        : SymbolicTensor<Merged<O, Mm>, T, Mt>
      : never
    : never
  : ErrorTensor<ErrorOf<R>>;

/** The fault of a `timeDistributed` input: it needs `[batch, steps, ...]`. */
type TimeDistributedFault<S extends Shape> = number extends S["length"]
  ? NoFault
  : S["length"] extends 0 | 1 | 2
    ? Fault<"(this)", `shapewise: timeDistributed expects input of rank 3 or more [batch, steps, ...], got rank ${S["length"]} ${ShapeText<S>}`>
    : NoFault;

/** The type `this` must have: anything, or the message of a fault of the input. */
type Receiver<E> = E extends Fault<"(this)", infer M> ? M : unknown;

/** One step of a sequence: `[batch, steps, ...rest]` without `steps`. */
type StepShape<S extends Shape> = S extends readonly [infer B extends Dim, Dim, ...infer R extends Dim[]] ? Resolved<[B, ...R]> : Shape;

/** The argument of the `timeDistributed` callback: one step, or an inert error tensor when the input has no steps. */
type StepTensor<S extends Shape> = TimeDistributedFault<S> extends Fault<string, infer M> ? ErrorTensor<M> : SymbolicTensor<StepShape<S>, 0, "0">;

type TimeDistributedResult<S extends Shape, P extends number, Macs extends string | number, R> = [ErrorOf<R>] extends [never]
  ? R extends { readonly shape: readonly [Dim, ...infer Rest extends Dim[]] }
    ? SymbolicTensor<Resolved<[S[0], S[1], ...Rest]>, Add<P, ParamsOf<R>>, JoinMacs<Macs, ScaleMacs<MacsOf<R>, S[1]>>>
    : SymbolicTensor<Shape, Add<P, ParamsOf<R>>, number>
  : ErrorTensor<ErrorOf<R>>;

/**
 * Recurrent methods of a {@link SymbolicTensor} with shape `S` and `P` parameters so far.
 *
 * @example
 * input({ shape: [10, 8] }).lstm({ units: 32, returnSequences: true }).bidirectional((t) => t.gru({ units: 16 }));
 */
export interface RecurrentMethods<S extends Shape, P extends number, Macs extends string | number> extends RecurrentLayerMethods<S, P, Macs, "tensor"> {
  /**
   * Runs a recurrent layer forwards and a copy of it backwards, then merges
   * the outputs (Keras `Bidirectional`). The callback makes exactly one
   * `simpleRNN`, `lstm` or `gru` call on its argument; parameters are twice
   * that layer's. With `mergeMode: null` it returns `[forward, backward]`.
   *
   * @example
   * input({ shape: [10, 8] }).bidirectional((t) => t.lstm({ units: 32 }));                       // SymbolicTensor<[null, 64], 10496>
   * input({ shape: [10, 8] }).bidirectional((t) => t.gru({ units: 16 }), { mergeMode: "sum" }); // SymbolicTensor<[null, 16], 2496>
   */
  bidirectional<R extends WrappedRecurrent | AnyErrorTensor, const Mm extends MergeMode = "concat">(
    layer: (sequence: RecurrentBuilder<S>) => R,
    config?: { mergeMode?: Mm; name?: string },
  ): BidirectionalResult<P, Macs, R, Mm>;

  /**
   * Applies one layer to every step of a sequence (Keras `TimeDistributed`):
   * the callback gets one step `[batch, ...]` and makes exactly one layer
   * call on it; the result is `[batch, steps, ...]` with that layer's parameters.
   *
   * @example
   * input({ shape: [10, 16] }).timeDistributed((t) => t.dense({ units: 8 })); // SymbolicTensor<[null, 10, 8], 136>
   */
  timeDistributed<R extends TensorLike | AnyErrorTensor>(
    this: Receiver<TimeDistributedFault<S>>,
    layer: (step: StepTensor<S>) => R,
    config?: { name?: string },
  ): TimeDistributedResult<S, P, Macs, R>;
}
