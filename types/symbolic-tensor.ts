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
import type { Shape } from "./shape.js";
import type { Multiply, Subtract, Sum } from "./arithmetic/index.js";

/** Type-only key of the running parameter total (no runtime property). */
export declare const paramTotal: unique symbol;

/**
 * A tensor under definition with shape `S` (batch first, `null` for unknown
 * sizes) after `P` parameters of the layers that led to it.
 *
 * @example
 * const x = input({ shape: [28, 28, 1] }).conv2d({ filters: 32, kernelSize: 3 });
 * //    ^? SymbolicTensor<[null, 26, 26, 32], 320>
 * x.shape; // [null, 26, 26, 32]
 */
export interface SymbolicTensor<S extends Shape = Shape, P extends number = number>
  extends ConvolutionalMethods<S, P>,
    PoolingMethods<S, P>,
    ReshapingMethods<S, P>,
    CoreMethods<S, P>,
    RegularizationMethods<S, P>,
    NormalizationMethods<S, P>,
    ActivationsMethods<S, P>,
    PreprocessingMethods<S, P>,
    RecurrentMethods<S, P>,
    AttentionMethods<S, P>,
    MergingMethods<S, P> {
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
}

/**
 * A shape as Keras sees it: a symbolic size is `None` (`null`).
 *
 * @example
 * type K = KerasShape<[null, "8*H", 64]>; // [null, null, 64]
 */
export type KerasShape<S extends Shape> = { [I in keyof S]: S[I] extends string ? null : S[I] };

/** The name of every layer method a symbolic tensor has. */
export type LayerMethodName = keyof (ConvolutionalMethods<Shape, number> &
  PoolingMethods<Shape, number> &
  ReshapingMethods<Shape, number> &
  CoreMethods<Shape, number> &
  RegularizationMethods<Shape, number> &
  NormalizationMethods<Shape, number> &
  ActivationsMethods<Shape, number> &
  PreprocessingMethods<Shape, number> &
  RecurrentMethods<Shape, number> &
  AttentionMethods<Shape, number> &
  MergingMethods<Shape, number>);

/** A symbolic tensor as merges read it: its shape and running parameter total. */
export type TensorOperand = { readonly shape: Shape; readonly [paramTotal]?: number };

export type ParamsOf<T> = T extends { readonly [paramTotal]?: infer P extends number } ? P : number;

type CountCarrying<T extends readonly unknown[], N extends unknown[] = []> = T extends readonly [infer H, ...infer R]
  ? CountCarrying<R, ParamsOf<H> extends 0 ? N : [...N, H]>
  : N["length"];

type AllParams<T extends readonly unknown[]> = { [K in keyof T]: ParamsOf<T[K]> };

type SumParams<T extends readonly unknown[]> = AllParams<T> extends infer L extends readonly number[] ? Sum<L> : number;

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
