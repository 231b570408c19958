/**
 * The symbolic tensor: what a layer call returns while a model is being
 * defined. Its type carries only the shape and the running parameter total,
 * so each call instantiates one small type and cost grows linearly with depth.
 *
 * Each layer family adds its methods from its own file in `types/layers/`.
 */
import type { ConvolutionalMethods } from "./layers/convolutional.js";
import type { CoreMethods } from "./layers/core.js";
import type { PoolingMethods } from "./layers/pooling.js";
import type { RegularizationMethods } from "./layers/regularization.js";
import type { ReshapingMethods } from "./layers/reshaping.js";
import type { ActivationsMethods } from "./layers/activations.js";
import type { AttentionMethods } from "./layers/attention.js";
import type { NormalizationMethods } from "./layers/normalization.js";
import type { PreprocessingMethods } from "./layers/preprocessing.js";
import type { RecurrentMethods } from "./layers/recurrent.js";
import type { MergingMethods } from "./layers/merging.js";
import type { JoinMacs } from "./cost.js";
import type { Shape } from "./shape.js";
import type { Multiply, Subtract, Sum } from "./arithmetic/index.js";

/** Type-only key of the running parameter total (no runtime property). */
export declare const paramTotal: unique symbol;

/** Type-only key of the running multiply-accumulate total per sample (no runtime property). */
export declare const macTotal: unique symbol;

/**
 * A tensor under definition with shape `S` (batch first, `null` for unknown
 * sizes) after `P` parameters and `Macs` multiply-accumulates per sample of
 * the layers that led to it (`number` where a size is unknown).
 *
 * @example
 * const x = input({ shape: [28, 28, 1] }).conv2d({ filters: 32, kernelSize: 3 });
 * //    ^? SymbolicTensor<[null, 26, 26, 32], 320, 194688>
 * x.shape; // [null, 26, 26, 32]
 */
export interface SymbolicTensor<S extends Shape = Shape, P extends number = number, Macs extends string | number = string | number>
  extends ConvolutionalMethods<S, P, Macs>,
    PoolingMethods<S, P, Macs>,
    ReshapingMethods<S, P, Macs>,
    CoreMethods<S, P, Macs>,
    RegularizationMethods<S, P, Macs>,
    NormalizationMethods<S, P, Macs>,
    ActivationsMethods<S, P, Macs>,
    PreprocessingMethods<S, P, Macs>,
    RecurrentMethods<S, P, Macs>,
    AttentionMethods<S, P, Macs>,
    MergingMethods<S, P, Macs> {
  /** The shape, batch dimension first (`null` where unknown, and where a named size stands, as Keras's `None`). */
  readonly shape: KerasShape<S>;
  /**
   * The shape with the sizes computed from names given to `input`
   * (`[null, "8*H", "8*W", 64]`); the same as `shape` without names.
   */
  readonly sizes: S;
  /** The name of the layer that produced this tensor. */
  readonly layerName: string;
  readonly [paramTotal]?: P;
  readonly [macTotal]?: Macs;
}

/**
 * A shape as Keras sees it: a symbolic size is `None` (`null`).
 *
 * @example
 * type K = KerasShape<[null, "8*H", 64]>; // [null, null, 64]
 */
export type KerasShape<S extends Shape> = { [I in keyof S]: S[I] extends string ? null : S[I] };

/** The name of every layer method a symbolic tensor has. */
export type LayerMethodName = keyof (ConvolutionalMethods<Shape, number, number> &
  PoolingMethods<Shape, number, number> &
  ReshapingMethods<Shape, number, number> &
  CoreMethods<Shape, number, number> &
  RegularizationMethods<Shape, number, number> &
  NormalizationMethods<Shape, number, number> &
  ActivationsMethods<Shape, number, number> &
  PreprocessingMethods<Shape, number, number> &
  RecurrentMethods<Shape, number, number> &
  AttentionMethods<Shape, number, number> &
  MergingMethods<Shape, number, number>);

/** A symbolic tensor as merges read it: its shape and running totals. */
export type TensorOperand = { readonly shape: Shape; readonly [paramTotal]?: number; readonly [macTotal]?: string | number };

export type ParamsOf<T> = T extends { readonly [paramTotal]?: infer P extends number } ? P : number;

/**
 * The running multiply-accumulate total per sample of a tensor, as the sum
 * of products {@link FlopCount} evaluates (`number` where a size is unknown).
 *
 * @example
 * type M = MacsOf<SymbolicTensor<[null, 10], 7850, "784*10">>; // "784*10"
 */
export type MacsOf<T> = T extends { readonly [macTotal]?: infer M extends string | number } ? M : number;

type CountCarrying<T extends readonly unknown[], N extends unknown[] = []> = T extends readonly [infer H, ...infer R]
  ? CountCarrying<R, ParamsOf<H> extends 0 ? N : [...N, H]>
  : N["length"];

type AllParams<T extends readonly unknown[]> = { [K in keyof T]: ParamsOf<T[K]> };

type SumParams<T extends readonly unknown[]> = AllParams<T> extends infer L extends readonly number[] ? Sum<L> : number;

type CountMacCarrying<T extends readonly unknown[], N extends unknown[] = []> = T extends readonly [infer H, ...infer R]
  ? CountMacCarrying<R, MacsOf<H> extends "0" ? N : [...N, H]>
  : N["length"];

/** The operands' totals added, in order. */
type JoinAll<T extends readonly unknown[], Acc = "0"> = T extends readonly [infer H, ...infer R] ? JoinAll<R, JoinMacs<Acc, MacsOf<H>>> : Acc;

/**
 * The operands' totals with the shared ancestor's `Sh` counted once: the
 * first operand's whole, every other one's after `Sh` (a descendant's total
 * starts with its ancestor's); `number` when one does not start so.
 */
type AfterShared<T extends readonly unknown[], Sh, Acc = "0"> = T extends readonly [infer H, ...infer R]
  ? AfterShared<R, Sh, Acc extends "0" ? MacsOf<H> : JoinMacs<Acc, MacsOf<H> extends Sh ? "0" : MacsOf<H> extends `${Sh & string}+${infer Own}` ? Own : number>>
  : Acc;

/**
 * The exact total of a merge's result: the operands' totals, less the shared
 * ancestor counted once per extra operand; `number` when sharing is unknown.
 *
 * @example
 * type P = MergeParams<[SymbolicTensor<[null, 4], 20>, SymbolicTensor<[null, 4], 0>], undefined>; // 20
 */
export type MergeParams<T extends readonly unknown[], Shared> = [Shared] extends [TensorOperand]
  ? Subtract<SumParams<T>, Multiply<ParamsOf<Shared>, Subtract<T["length"], 1>>>
  : [Shared] extends ["none"]
    ? SumParams<T>
    : CountCarrying<T> extends 0 | 1
      ? SumParams<T>
      : number;

/**
 * The exact multiply-accumulate total of a merge's result, by the rule of
 * {@link MergeParams}: work done once in a shared ancestor counts once.
 *
 * @example
 * type M = MergeMacs<[SymbolicTensor<[null, 4], 20, "4*4">, SymbolicTensor<[null, 4], 0, "0">], undefined>; // "4*4"
 */
export type MergeMacs<T extends readonly unknown[], Shared> =
  true extends AnyWide<T>
    ? string | number
    : [Shared] extends [TensorOperand]
      ? MacsOf<Shared> extends "0"
        ? JoinAll<T>
        : AfterShared<T, MacsOf<Shared>>
      : [Shared] extends ["none"]
        ? JoinAll<T>
        : CountMacCarrying<T> extends 0 | 1
          ? JoinAll<T>
          : number;

/** `true` when an operand's total is any string (a tensor typed `SymbolicTensor<S, P>`): a merge of it may have any total. */
type AnyWide<T extends readonly unknown[]> = T extends readonly [infer H, ...infer R] ? (string extends MacsOf<H> ? true : AnyWide<R>) : false;
