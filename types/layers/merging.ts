/**
 * Merge layers at the type level: `add`, `subtract`, `multiply`, `average`,
 * `maximum`, `minimum`, `concatenate` and `dot` over several symbolic tensors,
 * and the branch combinators `residual` and `branches` that keep the exact
 * parameter total (runtime twin: `src/layers/merging.ts`).
 *
 * A tensor's type carries the running total of the layers that led to it.
 * Two tensors that share ancestors both count those ancestors, and the type
 * checker cannot see which layer calls two tensors share (two identical calls
 * have identical types). So a merge is exact when at most one operand carries
 * parameters, when the caller names the shared ancestor (`shared: x`, checked
 * at run time), or when a combinator builds the branches; otherwise its total
 * is `number`.
 */
import type { Add, Mod, Subtract, Sum } from "../arithmetic/index.js";
import type { AnyErrorTensor, ErrorTensor } from "../errors.js";
import type { AxisNames, Dim, Resolved, Shape, ShapeText } from "../shape.js";
import type { DifferText, SizeAdd, SizeAgreement } from "../size/index.js";
import type { CallMacs, JoinMacs } from "../cost.js";
import type { MacsOf, MergeMacs, MergeParams, ParamsOf, SymbolicTensor, TensorOperand, macTotal, paramTotal } from "../symbolic-tensor.js";

/** Anything a merge takes: a symbolic tensor, or an error tensor from an earlier mistake (passed on silently). */
export type MergeOperand = TensorOperand | AnyErrorTensor;

/** The element-wise merges: same (broadcast) shape in, same shape out. */
export type ElementwiseMerge = "add" | "subtract" | "multiply" | "average" | "maximum" | "minimum";

/**
 * Options every merge takes.
 *
 * @example
 * add([a, b], { name: "sum", shared: trunk });
 */
export interface MergeOptions {
  /** Layer name; `add`, `add_1`, ... otherwise. */
  name?: string;
  /**
   * The one tensor whose ancestors the operands share, so the parameter
   * total counts them once (`"none"`: the operands share no parameters).
   * Checked at run time; without it, a merge of two or more operands that
   * carry parameters has the total `number`.
   */
  shared?: TensorOperand | "none";
}

/**
 * Options of `concatenate`.
 *
 * @example
 * concatenate([a, b], { axis: -1 });
 */
export interface ConcatenateOptions extends MergeOptions {
  /** The axis the inputs are joined on (default `-1`); every other size must match. */
  axis?: number;
}

/**
 * Options of `dot`.
 *
 * @example
 * dot([a, b], { axes: [1, 2], normalize: true });
 */
export interface DotOptions extends MergeOptions {
  /** The axis (or one per input) summed over; not the batch axis. */
  axes: number | readonly [number, number];
  /** L2-normalise both inputs along their axes first (cosine similarity); default `false`. */
  normalize?: boolean;
}

/** The shape a merge reads: the symbolic sizes of a tensor, its shape for any other operand. */
type ShapeOf<T> = T extends { readonly sizes: infer S extends Shape } ? S : T extends { readonly shape: infer S extends Shape } ? S : Shape;
type Sample<S extends Shape> = S extends readonly [Dim, ...infer R extends Dim[]] ? R : Dim[];

/** The first error tensor among the operands, if any: the merge passes it on. */
type FirstError<T extends readonly unknown[]> = T extends readonly [infer H, ...infer R]
  ? H extends { readonly error: infer M extends string }
    ? ErrorTensor<M>
    : FirstError<R>
  : never;

/** The index of operand `n` (counted from 1) as a tuple key: `Ordinal[2]` is `"1"`. */
type Ordinal = ["none", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16"];

// ---------------------------------------------------------------------------
// Parameter totals

// ---------------------------------------------------------------------------
// Element-wise broadcasting (Keras `_compute_elemwise_op_output_shape`)

/** One size against another: `null` wins, 1 broadcasts, equal stays; `false` when they certainly differ. */
type BroadcastDim<A extends Dim, B extends Dim> = [A] extends [null]
  ? null
  : [B] extends [null]
    ? null
    : A extends 1
      ? B
      : B extends 1
        ? A
        : number extends A | B
          ? number
          : A extends B
            ? A
            : [A, B] extends [number, number]
              ? false
              : SymbolicBroadcast<A & (string | number), B & (string | number)>;

/** Symbolic sizes broadcast when the algebra proves them equal, fail when it proves they may differ, and give `number` otherwise. */
type SymbolicBroadcast<A extends string | number, B extends string | number> =
  SizeAgreement<A, B> extends infer V ? (V extends "same" ? A : V extends { differ: string } ? false : number) : never;

/** What a broadcast sentence adds for symbolic sizes: when they differ. */
type BroadcastClause<X, Y> = [X, Y] extends [number, number] ? "" : `, ${DifferText<SizeAgreement<X & (string | number), Y & (string | number)>>}`;

/**
 * The broadcast of two sample shapes aligned from the right (a missing
 * leading size broadcasts); `{ fault: [inputSize, runningSize] }` for the
 * leftmost pair that cannot broadcast.
 */
type BroadcastSample<A extends Dim[], B extends Dim[]> = number extends A["length"] | B["length"] ? Dim[] : BroadcastKnown<A, B>;

type BroadcastKnown<A extends Dim[], B extends Dim[], Out extends Dim[] = [], F = never> = A extends [...infer RA extends Dim[], infer X extends Dim]
  ? B extends [...infer RB extends Dim[], infer Y extends Dim]
    ? BroadcastDim<X, Y> extends infer D
      ? [D] extends [false]
        ? BroadcastKnown<RA, RB, [null, ...Out], [Y, X]>
        : BroadcastKnown<RA, RB, [D & Dim, ...Out], F>
      : never
    : [F] extends [never]
      ? [...A, ...Out]
      : { fault: F }
  : [F] extends [never]
    ? [...B, ...Out]
    : { fault: F };

/** Walks the operands, broadcasting each into the running shape; the offending index and sentence on a mismatch. */
type BroadcastAll<Method extends string, T extends readonly unknown[], Running extends Dim[], I extends unknown[] = [unknown]> = T extends readonly [
  infer H,
  ...infer R,
]
  ? Sample<ShapeOf<H>> extends infer B extends Dim[]
    ? (I["length"] extends 1 ? B : BroadcastSample<Running, B>) extends infer Next
      ? Next extends { fault: [infer X, infer Y] }
        ? {
            at: Ordinal[I["length"]];
            message: `shapewise: ${Method} input ${I["length"]} of shape ${ShapeText<ShapeOf<H>>} does not broadcast with ${ShapeText<[null, ...Running]>}: size ${ShapeText<X>} against ${ShapeText<Y>}${BroadcastClause<X, Y>}`;
          }
        : Next extends infer N extends Dim[]
          ? BroadcastAll<Method, R, N, [...I, unknown]>
          : never
      : never
    : never
  : { shape: Resolved<[null, ...Running]> };

// ---------------------------------------------------------------------------
// Concatenate

type Negative<N extends number> = `${N}` extends `-${infer P extends number}` ? P : never;
type IsWhole<N extends number> = number extends N ? false : `${N}` extends `${bigint}` ? true : false;

/**
 * A negative axis counted from the end: within the rank for `concatenate`
 * (`-1` is the last axis, `-R` the batch), and for `dot` taken modulo the
 * rank as Keras does in Python (`-4` on rank 3 is axis 2).
 */
type FromEnd<N extends number, R extends number, Wrap extends boolean> = Wrap extends true
  ? Mod<N, R> extends infer M extends number
    ? M extends 0
      ? never
      : Subtract<R, M>
    : never
  : LessThan<N, R> extends true
    ? Subtract<R, N>
    : never;

/**
 * The axis as a non-negative index for rank `R`, or `never` when it is the
 * batch axis, past the last, or not an integer.
 */
type NormalAxis<A extends number, R extends number, Wrap extends boolean = false> = number extends A | R
  ? number
  : IsWhole<A> extends false
    ? never
    : [Negative<A>] extends [never]
      ? A extends 0
        ? never
        : LessThan<A, R> extends true
          ? A
          : never
      : FromEnd<Negative<A>, R, Wrap>;

/** A `dot` axis: negative axes wrap as in Python. */
type DotAxis<A extends number, R extends number> = NormalAxis<A, R, true>;

type LessThan<A extends number, B extends number, C extends unknown[] = []> = C["length"] extends B
  ? false
  : C["length"] extends A
    ? true
    : LessThan<A, B, [...C, unknown]>;

type SameExcept<A extends Shape, B extends Shape, Axis extends number, I extends unknown[] = []> = A extends readonly [infer X, ...infer RA extends Dim[]]
  ? B extends readonly [infer Y, ...infer RB extends Dim[]]
    ? I["length"] extends Axis | 0
      ? SameExcept<RA, RB, Axis, [...I, unknown]>
      : [X] extends [null]
        ? SameExcept<RA, RB, Axis, [...I, unknown]>
        : [Y] extends [null]
          ? SameExcept<RA, RB, Axis, [...I, unknown]>
          : number extends X | Y
            ? SameExcept<RA, RB, Axis, [...I, unknown]>
            : X extends Y
              ? SameExcept<RA, RB, Axis, [...I, unknown]>
              : [X, Y] extends [number, number]
                ? false
                : SizeAgreement<X & (string | number), Y & (string | number)> extends infer V
                  ? V extends { differ: string }
                    ? { axis: I["length"]; x: X; y: Y; clause: DifferText<V> }
                    : SameExcept<RA, RB, Axis, [...I, unknown]>
                  : never
    : false
  : B extends readonly []
    ? true
    : false;

/** The name a sentence gives an axis of a shape of rank `R`: `height` for axis 1 of an image, `axis 3` otherwise. */
type AxisName<R extends number, I extends number> = R extends 3 | 4 | 5
  ? (R extends 3 ? AxisNames<1> : R extends 4 ? AxisNames<2> : AxisNames<3>) extends infer N extends readonly string[]
    ? I extends 0
      ? `axis ${I}`
      : [unknown, ...N][I] extends infer T extends string
        ? T
        : `axis ${I}`
    : never
  : `axis ${I}`;

type ConcatCheck<
  T extends readonly unknown[],
  First extends Shape,
  Axis extends number,
  AxisText extends string,
  I extends unknown[] = [unknown],
> = T extends readonly [infer H, ...infer R]
  ? I["length"] extends 1
    ? ConcatCheck<R, First, Axis, AxisText, [...I, unknown]>
    : SameExcept<First, ShapeOf<H>, Axis> extends infer Verdict
      ? Verdict extends true
        ? ConcatCheck<R, First, Axis, AxisText, [...I, unknown]>
        : Verdict extends { axis: infer At extends number; x: infer X; y: infer Y; clause: infer C extends string }
          ? {
              at: Ordinal[I["length"]];
              message: `shapewise: concatenate input ${I["length"]} has ${AxisName<First["length"], At>} ${ShapeText<Y>}, input 1 has ${ShapeText<X>}: ${C}`;
            }
          : {
              at: Ordinal[I["length"]];
              message: `shapewise: concatenate input ${I["length"]} of shape ${ShapeText<ShapeOf<H>>} does not match input 1 ${ShapeText<First>} except on axis ${AxisText}`;
            }
      : never
  : "ok";

type AxisSum<T extends readonly unknown[], Axis extends number, Acc extends number[] = [], Sym extends string | number = 0> = T extends readonly [
  infer H,
  ...infer R,
]
  ? ShapeOf<H>[Axis] extends infer D
    ? [D] extends [null]
      ? null
      : D extends string
        ? AxisSum<R, Axis, Acc, SizeAdd<Sym, D>>
        : AxisSum<R, Axis, [...Acc, D & number]>
    : never
  : Sym extends 0
    ? Sum<Acc>
    : SizeAdd<Sym, Sum<Acc>>;

/**
 * The first input's sizes off the axis, where a named size another input
 * gives differently without a proven difference (undecided) becomes that
 * input's number, or `number` (never a false error, never a wrong name).
 */
type Settled<T extends readonly unknown[], First extends Shape, Axis extends number> = [Extract<First[number], string>] extends [never]
  ? First
  : { [I in keyof First]: First[I] extends string ? (I extends `${Axis}` ? First[I] : SettledDim<First[I], OthersAt<T, I>>) : First[I] };

type OthersAt<T extends readonly unknown[], I> = { [J in keyof T]: I extends keyof ShapeOf<T[J]> ? ShapeOf<T[J]>[I] : never }[number];

type SettledDim<X, Others> = [Exclude<Others, X | null>] extends [never] ? X : [Extract<Others, number>] extends [never] ? number : Extract<Others, number>;

type ReplaceAt<S extends Shape, Axis extends number, D, I extends unknown[] = [], Out extends Dim[] = []> = S extends readonly [
  infer X extends Dim,
  ...infer R extends Dim[],
]
  ? ReplaceAt<R, Axis, D, [...I, unknown], [...Out, I["length"] extends Axis ? D & Dim : X]>
  : Out;

// ---------------------------------------------------------------------------
// Dot

type RemoveAt<S extends Shape, Axis extends number, I extends unknown[] = [], Out extends Dim[] = []> = S extends readonly [
  infer X extends Dim,
  ...infer R extends Dim[],
]
  ? RemoveAt<R, Axis, [...I, unknown], I["length"] extends Axis ? Out : [...Out, X]>
  : Out;

type DotAxes<Ax> = Ax extends readonly [infer A extends number, infer B extends number] ? [A, B] : Ax extends number ? [Ax, Ax] : [number, number];

type DotShape<S1 extends Shape, S2 extends Shape, A1 extends number, A2 extends number> = [
  ...RemoveAt<S1, A1>,
  ...Sample<RemoveAt<S2, A2>>,
] extends infer O extends Dim[]
  ? O["length"] extends 1
    ? [null, 1]
    : Resolved<O>
  : never;

/** A valid `dot`: its shape, and the size of the contracted axis (each output element sums that many products). */
type DotOutcome<S1 extends Shape, S2 extends Shape, A1 extends number, A2 extends number> = {
  shape: DotShape<S1, S2, A1, A2>;
  contracted: [S1[A1]] extends [number] ? S1[A1] : S2[A2];
};

type DotResult<T extends readonly unknown[], Ax> = T extends readonly [infer A, infer B]
  ? [ShapeOf<A>, ShapeOf<B>] extends [infer S1 extends Shape, infer S2 extends Shape]
    ? [DotAxis<DotAxes<Ax>[0], S1["length"]>, DotAxis<DotAxes<Ax>[1], S2["length"]>] extends [infer A1 extends number, infer A2 extends number]
      ? [A1] extends [never]
        ? { at: "axes"; message: `shapewise: dot axes must be an integer or a pair of integers from 1 to rank - 1 (or negative), got ${ShapeText<Ax>}` }
        : [A2] extends [never]
          ? { at: "axes"; message: `shapewise: dot axes must be an integer or a pair of integers from 1 to rank - 1 (or negative), got ${ShapeText<Ax>}` }
          : number extends A1 | A2
            ? { shape: Shape; contracted: number }
            : [S1[A1], S2[A2]] extends [infer X, infer Y]
              ? [X] extends [null]
                ? DotOutcome<S1, S2, A1, A2>
                : [Y] extends [null]
                  ? DotOutcome<S1, S2, A1, A2>
                  : number extends X | Y
                    ? DotOutcome<S1, S2, A1, A2>
                    : X extends Y
                      ? DotOutcome<S1, S2, A1, A2>
                      : [X, Y] extends [number, number]
                        ? {
                            at: "1";
                            message: `shapewise: dot input 1 size ${ShapeText<X>} at axis ${A1} differs from input 2 size ${ShapeText<Y>} at axis ${A2}`;
                          }
                        : SizeAgreement<X & (string | number), Y & (string | number)> extends infer V extends { differ: string }
                          ? {
                              at: "1";
                              message: `shapewise: dot input 1 size ${ShapeText<X>} at axis ${A1} differs from input 2 size ${ShapeText<Y>} at axis ${A2}: ${DifferText<V>}`;
                            }
                          : DotOutcome<S1, S2, A1, A2>
              : never
      : never
    : never
  : { shape: Shape };

// ---------------------------------------------------------------------------
// Results

type CountText<T extends readonly unknown[]> = number extends T["length"] ? "an unknown number of" : `${T["length"]}`;

/** What a merge makes of its operands: `{ shape }`, or `{ at, message }` naming the offending operand (or option). */
type MergeOutcome<Method extends string, T extends readonly unknown[], Options> = number extends T["length"]
  ? { shape: Shape }
  : Method extends "subtract" | "dot"
    ? T["length"] extends 2
      ? Method extends "dot"
        ? DotResult<T, Options extends { axes: infer Ax } ? Ax : number>
        : BroadcastAll<Method, T, []>
      : { at: "all"; message: `shapewise: ${Method} takes exactly 2 inputs, got ${CountText<T>}` }
    : T["length"] extends 0 | 1
      ? { at: "all"; message: `shapewise: ${Method} needs at least 2 inputs, got ${CountText<T>}` }
      : Method extends "concatenate"
        ? ConcatOutcome<T, Options extends { axis: infer A extends number } ? A : -1>
        : BroadcastAll<Method, T, []>;

/** Whether some operand's rank is unknown (a layer value's result): then nothing can be checked or summed. */
type SomeUnknownRank<T extends readonly unknown[]> = true extends { [K in keyof T]: number extends ShapeOf<T[K]>["length"] ? true : false }[number]
  ? true
  : false;

type ConcatOutcome<T extends readonly unknown[], A extends number> =
  SomeUnknownRank<T> extends true
    ? { shape: Shape }
    : ShapeOf<T[0]> extends infer First extends Shape
      ? NormalAxis<A, First["length"]> extends infer Axis extends number
        ? [Axis] extends [never]
          ? {
              at: "axis";
              message: `shapewise: concatenate axis must be an integer from -${Subtract<First["length"], 1>} to ${Subtract<First["length"], 1>} other than 0 (the batch axis), got ${A}`;
            }
          : number extends Axis
            ? { shape: Shape }
            : ConcatCheck<T, First, Axis, `${A}`> extends { at: infer At; message: infer M }
              ? { at: At; message: M }
              : { shape: Resolved<ReplaceAt<Settled<T, First, Axis>, Axis, AxisSum<T, Axis>>> }
        : never
      : never;

/**
 * The argument a merge takes: the operands as given, with the offending one's
 * type replaced by the sentence, so the squiggle lands on it.
 */
export type MergeInputs<Method extends string, T extends readonly unknown[], Options> = [FirstError<T>] extends [never]
  ? MergeOutcome<Method, T, Options> extends { at: infer At; message: infer M }
    ? At extends "all"
      ? M
      : { [K in keyof T]: K extends At ? M : T[K] }
    : T
  : T;

/** The config a merge takes: the sentence in place of the option that is wrong. */
export type MergeConfig<Method extends string, T extends readonly unknown[], Options> = {
  [K in keyof Options]: [FirstError<T>] extends [never] ? (MergeOutcome<Method, T, Options> extends { at: K; message: infer M } ? M : Options[K]) : Options[K];
};

/**
 * The tensor a merge returns: the merged shape with the exact total when it
 * is known; an inert error tensor after a mistake.
 *
 * @example
 * type Y = MergeResult<"add", [SymbolicTensor<[null, 4], 12>, SymbolicTensor<[null, 4], 0>], {}>; // SymbolicTensor<[null, 4], 12>
 */
export type MergeResult<Method extends string, T extends readonly unknown[], Options> = [FirstError<T>] extends [never]
  ? MergeOutcome<Method, T, Options> extends { shape: infer S extends Shape }
    ? SymbolicTensor<
        S,
        MergeParams<T, Options extends { shared: infer X } ? X : undefined>,
        MergeOutcome<Method, T, Options> extends { contracted: infer C }
          ? CallMacs<MergeMacs<T, Options extends { shared: infer X } ? X : undefined>, Sample<S>, C>
          : MergeMacs<T, Options extends { shared: infer X } ? X : undefined>
      >
    : MergeOutcome<Method, T, Options> extends { message: infer M extends string }
      ? ErrorTensor<M>
      : never
  : FirstError<T>;

/**
 * An element-wise merge function (`add`, `multiply`, ...): operands of
 * broadcastable shapes, the broadcast shape out.
 *
 * @example
 * const y = add([a, b]); // SymbolicTensor<[null, 16], ...>
 */
export type ElementwiseMergeFunction<Method extends ElementwiseMerge> = <const T extends readonly MergeOperand[], const O extends MergeOptions = {}>(
  inputs: MergeInputs<Method, T, O>,
  options?: O,
) => MergeResult<Method, T, O>;

/**
 * `concatenate`: operands equal on every axis but `axis`, joined on it.
 *
 * @example
 * const y = concatenate([a, b], { axis: -1 }); // SymbolicTensor<[null, 4, 4, 24], ...>
 */
export type ConcatenateFunction = <const T extends readonly MergeOperand[], const O extends ConcatenateOptions = {}>(
  inputs: MergeInputs<"concatenate", T, O>,
  options?: MergeConfig<"concatenate", T, O>,
) => MergeResult<"concatenate", T, O>;

/**
 * `dot`: the batched dot product of two tensors over one axis each.
 *
 * @example
 * const y = dot([a, b], { axes: 1 }); // SymbolicTensor<[null, 1], ...>
 */
export type DotFunction = <const T extends readonly MergeOperand[], const O extends DotOptions>(
  inputs: MergeInputs<"dot", T, O>,
  options: MergeConfig<"dot", T, O>,
) => MergeResult<"dot", T, O>;

// ---------------------------------------------------------------------------
// Combinators

/** A branch builder: receives the branch's start (with no parameters of its own yet) and returns its end. */
type Branch<S extends Shape> = (start: SymbolicTensor<S, 0, "0">) => MergeOperand;

/**
 * Options of {@link MergingMethods.residual}.
 *
 * @example
 * x.residual((b) => b.conv2d({ filters: 64, kernelSize: 3, padding: "same" }), { shortcut: (s) => s.conv2d({ filters: 64, kernelSize: 1 }) });
 */
export interface ResidualOptions<S extends Shape> {
  /** A projection of the shortcut (a 1x1 convolution, say); the input itself otherwise. */
  shortcut?: Branch<S>;
  /** Whether the `add` layer lists the shortcut first, as Keras applications' ResNet does (default `false`). */
  shortcutFirst?: boolean;
  /** Name of the `add` layer. */
  name?: string;
}

/**
 * Options of {@link MergingMethods.branches}.
 *
 * @example
 * x.branches([(b) => b.conv2d({ filters: 8, kernelSize: 1 }), (b) => b.maxPooling2d({ poolSize: 1 })], { merge: "concatenate" });
 */
export interface BranchesOptions {
  /** How the branch ends are merged. */
  merge: ElementwiseMerge | "concatenate";
  /** The concatenation axis (default `-1`). */
  axis?: number;
  /** Name of the merge layer. */
  name?: string;
}

/**
 * A merged tensor read by its properties: matching it against
 * `SymbolicTensor<...>` itself would make the compiler measure how that
 * interface varies in each parameter, a one-time cost of about 100,000
 * instantiations in every program that merges.
 */
type TotalsOf<S extends Shape, P extends number, Macs extends string | number> = {
  readonly sizes: S;
  readonly [paramTotal]?: P;
  readonly [macTotal]?: Macs;
};

type Ends<B extends readonly unknown[]> = { [K in keyof B]: B[K] extends (...args: never[]) => infer R ? R : never };

type OffsetBy<T, P extends number, Macs extends string | number> = T extends { readonly shape: infer S extends Shape }
  ? T extends { readonly error: string }
    ? T
    : SymbolicTensor<S, Add<P, ParamsOf<T>>, JoinMacs<Macs, MacsOf<T>>>
  : T;

/** The shortcut's end: the input itself when no shortcut was given (then `Short` is only its constraint). */
type ShortcutEnd<S extends Shape, Short extends Branch<S>> = Branch<S> extends Short ? SymbolicTensor<S, 0, "0"> : ReturnType<Short>;

/** The main branch as given, or the sentence when its end does not broadcast with the shortcut's. */
type ResidualMain<S extends Shape, Main extends Branch<S>, O extends Branch<S>> = [ReturnType<Main>] extends [{ readonly error: string }]
  ? Main
  : [ShortcutEnd<S, O>] extends [{ readonly error: string }]
    ? Main
    : MergeOutcome<"add", [ReturnType<Main>, ShortcutEnd<S, O>], {}> extends { message: infer M extends string }
      ? M
      : Main;

// biome-ignore lint/correctness/noUnusedVariables: used by MergingMethods.residual below, which the rule does not see
type ResidualResult<S extends Shape, P extends number, Macs extends string | number, Main, Short> = [Main] extends [{ readonly error: string }]
  ? Main
  : [Short] extends [{ readonly error: string }]
    ? Short
    : MergeResult<"add", [Main, Short], { shared: "none" }> extends infer R
      ? R extends TotalsOf<infer O, infer Q, infer QM>
        ? SymbolicTensor<O, Add<P, Q>, JoinMacs<Macs, QM>>
        : R
      : never;

type BranchesResult<P extends number, Macs extends string | number, Endings extends readonly unknown[], O> = O extends { merge: infer M extends string }
  ? MergeResult<M, Endings, { shared: "none"; axis: O extends { axis: infer A extends number } ? A : -1 }> extends infer R
    ? R extends TotalsOf<infer Out, infer Q, infer QM>
      ? SymbolicTensor<Out, Add<P, Q>, JoinMacs<Macs, QM>>
      : R
    : never
  : { [K in keyof Endings]: OffsetBy<Endings[K], P, Macs> };

/**
 * The branch combinators of every symbolic tensor: each branch starts from a
 * tensor with no parameters of its own, so the result's total is exact
 * (this tensor's total plus every branch's own).
 */
export interface MergingMethods<S extends Shape, P extends number, Macs extends string | number> {
  /**
   * A residual block: `main` applied to this tensor, added to the shortcut
   * (this tensor, or `options.shortcut` applied to it), as ResNet does.
   *
   * @example
   * input({ shape: [8, 8, 16] }).residual((b) => b.conv2d({ filters: 16, kernelSize: 3, padding: "same" }));
   * // SymbolicTensor<[null, 8, 8, 16], 2320>
   */
  residual<const Main extends Branch<S>, const Short extends Branch<S>>(
    main: ResidualMain<S, Main, Short>,
    options?: { shortcut?: Short; shortcutFirst?: boolean; name?: string },
  ): ResidualResult<S, P, Macs, ReturnType<Main>, ShortcutEnd<S, Short>>;

  /**
   * Parallel branches from this tensor, merged (`merge: "concatenate"`,
   * `"add"`, ...) or returned as a tuple without `options`, as an
   * Inception block or a model's heads.
   *
   * @example
   * input({ shape: [8, 8, 4] }).branches(
   *   [(b) => b.conv2d({ filters: 8, kernelSize: 1 }), (b) => b.conv2d({ filters: 8, kernelSize: 3, padding: "same" })],
   *   { merge: "concatenate" },
   * ); // SymbolicTensor<[null, 8, 8, 16], 336>
   */
  branches<const B extends readonly [Branch<S>, ...Branch<S>[]], const O extends BranchesOptions | undefined = undefined>(
    builders: B,
    options?: O,
  ): BranchesResult<P, Macs, Ends<B>, O>;
}
