/**
 * Checks shared by layer families: positive sizes, ranks, known channels.
 * Each yields a {@link Fault} or {@link NoFault}; the sentences here are the
 * ones `src/checks.ts` throws at run time, word for word.
 */
import type { IsSafePositiveInteger } from "./arithmetic/index.js";
import type { Certainly, Fault, NoFault } from "./errors.js";
import type { Shape, ShapeText, Size2 } from "./shape.js";

type NotPositive<V> = V extends readonly unknown[]
  ? false extends { [I in keyof V]: IsSafePositiveInteger<V[I] & number> extends false ? false : true }[number]
    ? true
    : false
  : IsSafePositiveInteger<V & number> extends false
    ? true
    : false;

/**
 * A fault when a size option (a number or a pair) holds anything but positive
 * integers: `shapewise: conv2d kernelSize must be a positive integer or a pair of them, got [3, 0]`.
 */
export type PositiveSize<Method extends string, Key extends string, V extends Size2> =
  Certainly<NotPositive<V>> extends true
    ? Fault<Key, `shapewise: ${Method} ${Key} must be a positive integer or a pair of them, got ${ShapeText<V>}`>
    : NoFault;

/** A fault when a count (filters, units) is not a positive integer. */
export type PositiveCount<Method extends string, Key extends string, V extends number> =
  Certainly<NotPositive<V>> extends true ? Fault<Key, `shapewise: ${Method} ${Key} must be a positive integer, got ${ShapeText<V>}`> : NoFault;

/**
 * A fault when the input rank is not the one a layer takes. Its key is the
 * whole config, since no single property is wrong.
 */
export type ExactRank<Method extends string, S extends Shape, R extends number, Layout extends string> =
  number extends S["length"]
    ? NoFault
    : S["length"] extends R
      ? NoFault
      : Fault<"(config)", `shapewise: ${Method} expects input of rank ${R} ${Layout}, got rank ${S["length"]} ${ShapeText<S>}`>;

/** A fault when the channel (last) dimension is unknown: the layer cannot size its weights. */
export type KnownChannels<Method extends string, S extends Shape, C> = C extends null
  ? Fault<"(config)", `shapewise: ${Method} needs a known last dimension to size its weights, got ${ShapeText<S>}`>
  : NoFault;

/** The config type a layer method takes: the message itself when the rank check failed. */
export type ConfigOr<E, Config> = E extends Fault<"(config)", infer M> ? M : Config;
