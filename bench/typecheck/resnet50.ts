/**
 * Type-check benchmark fixture: ResNet50 (176 layer calls: 16 residual
 * blocks with projection shortcuts in each stack's first block), imported
 * from `examples/resnet50.ts`, which defines it and asserts its shape and
 * total; asserted again here so this fixture stands on its own.
 */
import type { OutputShape, ParamCount } from "../../src/index.js";
import type { resnet50 } from "../../examples/resnet50.js";

type Equal<X, Y> = (<T>() => T extends X ? 1 : 2) extends <T>() => T extends Y ? 1 : 2 ? true : false;
type Expect<T extends true> = T;
type ResNet50 = ReturnType<typeof resnet50>;
export type Checks = [Expect<Equal<OutputShape<ResNet50>, [null, 1000]>>, Expect<Equal<ParamCount<ResNet50>, 25636712>>];
