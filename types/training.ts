/**
 * Training labels at the type level: the shape a loss needs its labels in,
 * checked where `fit`, `evaluate` and `trainOnBatch` are called (runtime
 * twin: the label check of `src/training/compiled.ts`).
 */
import type { BatchShape, PredictInput, ShapeTree } from "./model.js";
import type { Dim, Shape, ShapeText } from "./shape.js";
import type { SizeAdmits } from "./size/index.js";

/**
 * The losses whose labels are class ids, one fewer axis than the
 * predictions, rather than values shaped like them.
 *
 * @example
 * type S = "sparseCategoricalCrossentropy" extends SparseLossName ? true : false; // true
 */
export type SparseLossName = "sparseCategoricalCrossentropy";

/**
 * The shape labels must have, batch first, for a model output of shape `O`
 * trained with loss `L`: the output's shape without its last axis for a
 * sparse loss, the output's shape otherwise.
 *
 * @example
 * type A = LabelShape<[null, 10], "sparseCategoricalCrossentropy">; // [null]
 * type B = LabelShape<[null, 10], "categoricalCrossentropy">;       // [null, 10]
 */
export type LabelShape<O extends Shape, L extends string> = L extends SparseLossName
  ? O extends readonly [...infer Init extends Dim[], Dim]
    ? Init
    : Shape
  : O;

/**
 * A batch of labels: a shape and one number per element (class ids may come
 * as an `Int32Array`).
 *
 * @example
 * const y: LabelTensor<[64]> = { shape: [64], data: new Int32Array(64) };
 */
export interface LabelTensor<S extends readonly number[] = readonly number[]> {
  readonly shape: S;
  readonly data: ArrayLike<number>;
}

type LabelRule<L extends string> = L extends SparseLossName ? "class ids: the output's shape without its last axis" : "the output's shape";

/**
 * `true` when every size of `G` may be the size `E` asks for (the batch,
 * `null` in `E`, always may; a named size is checked by {@link NamedClash}).
 */
type SizesFit<G extends readonly number[], E extends Shape> = number extends G["length"]
  ? true
  : G["length"] extends E["length"]
    ? {
        [K in keyof E]: E[K] extends null | string ? true : K extends keyof G ? (number extends G[K] ? true : G[K] extends E[K] ? true : false) : false;
      }[number] extends true
      ? true
      : false
    : false;

/** Sparse labels may also carry a trailing axis of 1, as Keras takes them. */
type LabelsFit<G extends readonly number[], E extends Shape, L extends string> =
  SizesFit<G, E> extends true ? true : L extends SparseLossName ? (G extends readonly [...infer Ids extends number[], 1] ? SizesFit<Ids, E> : false) : false;

/** The labels' sizes as the loss reads them: without the trailing axis of 1 sparse labels may carry. */
type GivenSizes<G extends readonly number[], E extends Shape> =
  SizesFit<G, E> extends true ? G : G extends readonly [...infer Ids extends number[], 1] ? Ids : G;

/**
 * The sentence for the first axis where the labels' length cannot be the
 * output's named size for any binding of its names (`16*H` and 37), or
 * `never`. The names are bound from `x` at run time only: where the
 * expression alone does not rule the length out, the run-time check decides.
 */
type NamedClash<G extends readonly number[], E extends Shape, Owner extends string, I extends 0[] = []> = I["length"] extends E["length"]
  ? never
  : E[I["length"]] extends infer S extends string
    ? SizeAdmits<S, G[I["length"]] & number> extends infer V extends string
      ? `shapewise: ${Owner} y has ${G[I["length"]]} on axis ${I["length"]}, where the output has ${S}: ${V}`
      : NamedClash<G, E, Owner, [...I, 0]>
    : NamedClash<G, E, Owner, [...I, 0]>;

type NamedCheck<G extends readonly number[], E extends Shape, Owner extends string> = [Extract<E[number], string>] extends [never]
  ? never
  : NamedClash<GivenSizes<G, E>, E, Owner>;

type SameBatch<N extends number, B> = number extends N ? true : B extends number ? (number extends B ? true : B extends N ? true : false) : true;

type IsUnion<T, U = T> = T extends unknown ? ([U] extends [T] ? false : true) : never;

type CheckOne<Y, N extends number, O extends Shape, L extends string, Owner extends string> = Y extends { readonly shape: infer G extends readonly number[] }
  ? LabelsFit<G, LabelShape<O, L>, L> extends true
    ? SameBatch<N, G[0]> extends true
      ? [NamedCheck<G, LabelShape<O, L>, Owner>] extends [never]
        ? Y
        : NamedCheck<G, LabelShape<O, L>, Owner>
      : `shapewise: ${Owner} x and y must share one batch size, got ${N} and ${G[0]} samples (y)`
    : `shapewise: ${Owner} y for loss '${L}' must have shape ${ShapeText<LabelShape<O, L>>} (${LabelRule<L>}), got ${ShapeText<G>}`
  : LabelTensor;

/**
 * The labels `fit`, `evaluate` and `trainOnBatch` accept for a model with
 * outputs `O`, loss `L` and a batch of `N` inputs: `Y` itself when its shape
 * fits, otherwise the sentence the run-time check throws, which the call
 * reports on `y`. A loss the types cannot name (a union, `string`) and
 * models with several outputs are checked at run time only.
 *
 * @example
 * type Ok = CheckedLabels<LabelTensor<[64]>, 64, [null, 10], "sparseCategoricalCrossentropy", "fit">; // LabelTensor<[64]>
 * type No = CheckedLabels<LabelTensor<[64, 10]>, 64, [null, 10], "sparseCategoricalCrossentropy", "fit">;
 * // "shapewise: fit y for loss 'sparseCategoricalCrossentropy' must have shape [null] (class ids: ...), got [64, 10]"
 */
export type CheckedLabels<Y, N extends number, O, L extends string, Owner extends string> = string extends L
  ? Y
  : true extends IsUnion<L>
    ? Y
    : O extends Shape
      ? CheckOne<Y, N, O, L, Owner>
      : Y;

/** Labels of a dataset batch, whose size the types do not know. */
type DatasetLabels<O, L extends string> = string extends L
  ? LabelTensor
  : true extends IsUnion<L>
    ? LabelTensor
    : O extends Shape
      ? L extends SparseLossName
        ? LabelTensor<readonly [...BatchShape<number, LabelShape<O, L>>]> | LabelTensor<readonly [...BatchShape<number, LabelShape<O, L>>, 1]>
        : LabelTensor<readonly [...BatchShape<number, LabelShape<O, L>>]>
      : unknown;

/**
 * One batch of a dataset `fitDataset` trains on, for a model with inputs
 * `I`, outputs `O` and loss `L`: inputs as `predict` takes them and labels
 * as the loss needs them, any batch size.
 *
 * @example
 * type B = DatasetBatch<[null, 4], [null, 3], "sparseCategoricalCrossentropy">;
 * // { readonly xs: Tensor<readonly [number, 4]>; readonly ys: LabelTensor<readonly [number]> | LabelTensor<readonly [number, 1]> }
 */
export interface DatasetBatch<I extends ShapeTree, O, L extends string> {
  readonly xs: PredictInput<number, I>;
  readonly ys: DatasetLabels<O, L>;
}
