/**
 * Type-check benchmark fixture: the Keras guide's toy ResNet (14 layer
 * calls, two residual blocks), imported from `examples/toy-resnet.ts`.
 */
import type { OutputShape, ParamCount } from "../../src/index.js";
import type { toyResnet } from "../../examples/toy-resnet.js";

type Equal<X, Y> = (<T>() => T extends X ? 1 : 2) extends <T>() => T extends Y ? 1 : 2 ? true : false;
type Expect<T extends true> = T;
type ToyResnet = ReturnType<typeof toyResnet>;
export type Checks = [Expect<Equal<OutputShape<ToyResnet>, [null, 10]>>, Expect<Equal<ParamCount<ToyResnet>, 223242>>];
