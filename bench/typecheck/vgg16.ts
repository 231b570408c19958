/**
 * Type-check benchmark fixture: VGG16 (22 layer calls in one chained
 * expression), imported from `examples/vgg16.ts`, which defines it and
 * asserts its shape and total; asserted again here so this fixture stands
 * on its own.
 */
import type { OutputShape, ParamCount } from "../../src/index.js";
import type { vgg16 } from "../../examples/vgg16.js";

type Equal<X, Y> = (<T>() => T extends X ? 1 : 2) extends <T>() => T extends Y ? 1 : 2 ? true : false;
type Expect<T extends true> = T;
export type Checks = [Expect<Equal<OutputShape<typeof vgg16>, [null, 1000]>>, Expect<Equal<ParamCount<typeof vgg16>, 138357544>>];
