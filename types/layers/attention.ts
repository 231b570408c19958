/**
 * Attention layers at the type level (runtime twin: `src/layers/attention.ts`):
 * `multiHeadAttention`, called on the query with the value (and key) tensors
 * in its config.
 *
 * Keras 3 `MultiHeadAttention.compute_output_shape`: the query's shape, with
 * the last dimension replaced by `outputShape` when given; the value and key
 * must agree in every dimension but the last.
 */
import type { Add, Multiply } from "../arithmetic/index.js";
import type { ConfigOr, ExactRank, PositiveCount } from "../checks.js";
import type { AnyErrorTensor, ErrorTensor, Fault, Field, FirstFault, NoFault } from "../errors.js";
import type { Dim, Resolved, Shape, ShapeText } from "../shape.js";
import type { AddMacTerm } from "../cost.js";
import type { DifferText, SizeAgreement } from "../size/index.js";
import type { MergeMacs, MergeParams, paramTotal, SymbolicTensor } from "../symbolic-tensor.js";

/** A tensor the value or key option takes: any symbolic tensor of the model. */
type TensorLike = { readonly shape: Shape; readonly [paramTotal]?: number };
type ShapeOf<T> = T extends { readonly sizes: infer Sh extends Shape } ? Sh : T extends { readonly shape: infer Sh extends Shape } ? Sh : Shape;
type ErrorOf<T> = T extends { readonly error: infer M extends string } ? M : never;

/** Type-only mark of a value or key left out (the query, or the value, stands in). */
declare const omitted: unique symbol;
/** A value or key that was not given: the tensor it defaults to, marked so it is not counted twice. */
type Omitted<S extends Shape> = { readonly shape: S; readonly [omitted]: true };
type Given<T> = T extends { readonly [omitted]: true } ? [] : [T];

/** Not distributive, so a shape of unknown rank gives no fault. */
type KnownLast<Key extends string, Text extends string, S extends Shape, C> = [C] extends [null]
  ? Fault<Key, `shapewise: multiHeadAttention ${Text}needs a known last dimension to size its weights, got ${ShapeText<S>}`>
  : NoFault;

/** Faults of the query alone: `[batch, steps, features]` with known features. */
type QueryFault<S extends Shape> = FirstFault<[ExactRank<"multiHeadAttention", S, 3, "[batch, steps, features]">, KnownLast<"(config)", "", S, S[2]>]>;

/** Faults of the value or key tensor, on its own option. */
type SequenceFault<Role extends "value" | "key", S extends Shape> = number extends S["length"]
  ? NoFault
  : S["length"] extends 3
    ? KnownLast<Role, `${Role} `, S, S[2]>
    : Fault<Role, `shapewise: multiHeadAttention ${Role} must have rank 3 [batch, steps, features], got rank ${S["length"]} ${ShapeText<S>}`>;

/** Keras compares `value_shape[1:-1]` with `key_shape[1:-1]`: `null` matches only `null`; a non-literal size matches anything. */
type SameSteps<A extends Dim, B extends Dim> = [A] extends [B] ? ([B] extends [A] ? true : Unsure<A, B>) : Unsure<A, B>;
type Unsure<A, B> = number extends A ? true : number extends B ? true : false;

type StepsFault<VS extends Shape, KS extends Shape> =
  SameSteps<VS[1], KS[1]> extends true
    ? NoFault
    : [VS[1], KS[1]] extends [string, string]
      ? NamedSteps<VS, KS, SizeAgreement<VS[1] & string, KS[1] & string>>
      : [VS[1] | KS[1]] extends [string | null]
        ? NoFault
        : Fault<"key", `shapewise: multiHeadAttention key shape ${ShapeText<KS>} and value shape ${ShapeText<VS>} must match in every dimension but the last`>;

/** Named lengths are two `None` to Keras: an error only where the size algebra proves they may differ, saying when. */
type NamedSteps<VS extends Shape, KS extends Shape, V> = V extends { differ: string }
  ? Fault<
      "key",
      `shapewise: multiHeadAttention key shape ${ShapeText<KS>} and value shape ${ShapeText<VS>} must match in every dimension but the last: ${DifferText<V>}`
    >
  : NoFault;

type AttentionFault<
  S extends Shape,
  H extends number,
  KD extends number,
  VD extends number,
  O extends number | undefined,
  VS extends Shape,
  KS extends Shape,
> = FirstFault<
  [
    QueryFault<S>,
    PositiveCount<"multiHeadAttention", "numHeads", H>,
    PositiveCount<"multiHeadAttention", "keyDim", KD>,
    PositiveCount<"multiHeadAttention", "valueDim", VD>,
    [O] extends [number] ? PositiveCount<"multiHeadAttention", "outputShape", O> : NoFault,
    SequenceFault<"value", VS>,
    SequenceFault<"key", KS>,
    StepsFault<VS, KS>,
  ]
>;

/**
 * Weights of a `multiHeadAttention` with `H` heads of key size `KD` and
 * value size `VD`, on query, key and value features `Dq`, `Dk`, `Dv`, with
 * output size `Do`: `H*KD*(Dq+Dk) + H*VD*(Dv+Do)`, and with biases
 * `+ 2*H*KD + H*VD + Do`.
 *
 * @example
 * type A = MultiHeadAttentionParams<2, 16, 16, 32, 32, 32, 32, true>; // 4224
 * type B = MultiHeadAttentionParams<4, 8, 6, 20, 12, 12, 20, true>;   // 1900
 */
export type MultiHeadAttentionParams<
  H extends number,
  KD extends number,
  VD extends number,
  Dq extends number,
  Dk extends number,
  Dv extends number,
  Do extends number,
  B extends boolean,
> = Add<
  Add<Multiply<Multiply<H, KD>, Add<Dq, Dk>>, Multiply<Multiply<H, VD>, Add<Dv, Do>>>,
  [B] extends [false] ? 0 : [B] extends [true] ? Add<Add<Multiply<Multiply<H, KD>, 2>, Multiply<H, VD>>, Do> : number
>;

/**
 * The running total before the layer's own weights: the query's, value's and
 * key's totals by the merge rule (exact when at most one carries parameters,
 * or with `shared`; `number` otherwise). A left-out value is the query
 * itself (self-attention) and a left-out key the value: neither counts again.
 */
type Total<S extends Shape, P extends number, Macs extends string | number, V, K, Sh> = MergeParams<[SymbolicTensor<S, P, Macs>, ...Given<V>, ...Given<K>], Sh>;

/** The multiply-accumulates before the layer, by the same rule as {@link Total}. */
type MacsBefore<S extends Shape, P extends number, Macs extends string | number, V, K, Sh> = MergeMacs<
  [SymbolicTensor<S, P, Macs>, ...Given<V>, ...Given<K>],
  Sh
>;

/**
 * The total after the layer, with `Tq` query and `Tv` value steps: per head,
 * the query, key and value projections, both matrix products (scores and
 * weighted sum), and the output projection.
 *
 * @example
 * type M = EvaluateMacs<AttentionMacs<"0", 2, 16, 16, 8, 8, 32, 32, 32, 32>>; // 36864
 */
export type AttentionMacs<Before, H, KD, VD, Tq, Tv, Dq, Dk, Dv, Do> = AddMacTerm<
  AddMacTerm<AddMacTerm<AddMacTerm<AddMacTerm<AddMacTerm<Before, [Tq, Dq, H, KD]>, [Tv, Dk, H, KD]>, [Tv, Dv, H, VD]>, [H, Tq, Tv, KD]>, [H, Tq, Tv, VD]>,
  [Tq, H, VD, Do]
>;

type OutputSize<S extends Shape, O> = O extends number ? O : S[2] & number;

type AttentionResult<
  S extends Shape,
  P extends number,
  Macs extends string | number,
  H extends number,
  KD extends number,
  VD extends number,
  O,
  B extends boolean,
  V,
  K,
  Sh,
  E,
> = [ErrorOf<V> | ErrorOf<K>] extends [never]
  ? E extends Fault<string, infer M>
    ? ErrorTensor<M>
    : SymbolicTensor<
        Resolved<[S[0], S[1], OutputSize<S, O>]>,
        Add<
          Total<S, P, Macs, V, K, Sh>,
          MultiHeadAttentionParams<H, KD, VD, S[2] & number, ShapeOf<K>[2] & number, ShapeOf<V>[2] & number, OutputSize<S, O>, B>
        >,
        NoInfer<AttentionMacs<MacsBefore<S, P, Macs, V, K, Sh>, H, KD, VD, S[1], ShapeOf<V>[1], S[2], ShapeOf<K>[2], ShapeOf<V>[2], OutputSize<S, O>>>
      >
  : ErrorTensor<ErrorOf<V> | ErrorOf<K>>;

/** The value and key shapes to check: none when either is an error tensor (its error was reported where it arose). */
type Checked<T> = [ErrorOf<T>] extends [never] ? ShapeOf<T> : Shape;

/**
 * The options of {@link AttentionMethods.multiHeadAttention}.
 *
 * @example
 * const x = input({ shape: [8, 32] });
 * const options: MultiHeadAttentionOptions = { numHeads: 2, keyDim: 16, value: x };
 */
export interface MultiHeadAttentionOptions {
  /** Number of attention heads. */
  numHeads: number;
  /** Size of each head for query and key. */
  keyDim: number;
  /** Size of each head for value (default `keyDim`). */
  valueDim?: number;
  /** Output features (default: the query's last dimension). */
  outputShape?: number;
  /** Whether the projections add biases (default `true`). */
  useBias?: boolean;
  /** The value tensor `[batch, steps, features]` (default: the query itself, self-attention). */
  value?: TensorLike;
  /** The key tensor (default: the value). */
  key?: TensorLike;
  /**
   * The tensor where the query, value and key meet, so the type-level total
   * counts its ancestors once (`"none"`: they share no parameters); checked
   * at run time, as for merges.
   */
  shared?: TensorLike | "none";
  /** Layer name; `multi_head_attention`, ... otherwise. */
  name?: string;
}

/**
 * Attention methods of a {@link SymbolicTensor} with shape `S` and `P` parameters so far.
 *
 * @example
 * const x = input({ shape: [8, 32] });
 * x.multiHeadAttention({ numHeads: 2, keyDim: 16, value: x }).dense({ units: 32 });
 */
export interface AttentionMethods<S extends Shape, P extends number, Macs extends string | number> {
  /**
   * Multi-head dot-product attention (Keras `MultiHeadAttention`), called on
   * the query `[batch, steps, features]`: `softmax(Q Kᵀ / sqrt(keyDim)) V`
   * per head, projected back to the query's features (or `outputShape`).
   *
   * @example
   * const x = input({ shape: [8, 32] });
   * x.multiHeadAttention({ numHeads: 2, keyDim: 16, value: x }); // SymbolicTensor<[null, 8, 32], 4224>
   */
  multiHeadAttention<
    const H extends number,
    const KD extends number,
    V extends TensorLike | AnyErrorTensor = Omitted<S>,
    K extends TensorLike | AnyErrorTensor = Omitted<ShapeOf<V>>,
    const VD extends number = KD,
    const O extends number | undefined = undefined,
    const B extends boolean = true,
    const Sh extends TensorLike | "none" | undefined = undefined,
  >(
    config: ConfigOr<
      QueryFault<S>,
      {
        numHeads: Field<AttentionFault<S, H, KD, VD, O, Checked<V>, Checked<K>>, "numHeads", H>;
        keyDim: Field<AttentionFault<S, H, KD, VD, O, Checked<V>, Checked<K>>, "keyDim", KD>;
        valueDim?: Field<AttentionFault<S, H, KD, VD, O, Checked<V>, Checked<K>>, "valueDim", VD>;
        outputShape?: Field<AttentionFault<S, H, KD, VD, O, Checked<V>, Checked<K>>, "outputShape", O>;
        useBias?: B;
        value?: Field<AttentionFault<S, H, KD, VD, O, Checked<V>, Checked<K>>, "value", V>;
        key?: Field<AttentionFault<S, H, KD, VD, O, Checked<V>, Checked<K>>, "key", K>;
        shared?: Sh;
        name?: string;
      }
    >,
  ): AttentionResult<S, P, Macs, H, KD, VD, O, B, V, K, Sh, AttentionFault<S, H, KD, VD, O, Checked<V>, Checked<K>>>;
}
