/**
 * The toy ResNet of the Keras functional API guide
 * (keras.io/guides/functional_api, "A toy ResNet model"): two residual
 * blocks of "same" convolutions added to their input, 223,242 parameters.
 * The guide writes `layers.add([x, block_output])`; `residual` builds the
 * same graph (main branch first, then the shortcut) and keeps the exact
 * total in the type.
 */
import { input, model } from "../src/index.js";
import type { FlopCount, OutputShape, ParamCount } from "../src/index.js";

/**
 * Builds the toy ResNet (named `toy_resnet`, input `img`).
 *
 * @example
 * const m = toyResnet();
 * m.countParams(); // 223242
 */
export function toyResnet() {
  const inputs = input({ shape: [32, 32, 3], name: "img" });
  const block1 = inputs
    .conv2d({ filters: 32, kernelSize: 3, activation: "relu" })
    .conv2d({ filters: 64, kernelSize: 3, activation: "relu" })
    .maxPooling2d({ poolSize: 3 });
  const outputs = block1
    .residual((b) =>
      b.conv2d({ filters: 64, kernelSize: 3, activation: "relu", padding: "same" }).conv2d({ filters: 64, kernelSize: 3, activation: "relu", padding: "same" }),
    )
    .residual((b) =>
      b.conv2d({ filters: 64, kernelSize: 3, activation: "relu", padding: "same" }).conv2d({ filters: 64, kernelSize: 3, activation: "relu", padding: "same" }),
    )
    .conv2d({ filters: 64, kernelSize: 3, activation: "relu" })
    .globalAveragePooling2d()
    .dense({ units: 256, activation: "relu" })
    .dropout({ rate: 0.5 })
    .dense({ units: 10 });
  return model({ inputs, outputs, name: "toy_resnet" });
}

type ToyResnet = ReturnType<typeof toyResnet>;
// These fail to compile if the type-level shape or total is off (exact equality: `number` fails too).
type Equal<X, Y> = (<T>() => T extends X ? 1 : 2) extends <T>() => T extends Y ? 1 : 2 ? true : false;
type Expect<T extends true> = T;
export type ToyResnetChecks = [
  Expect<Equal<OutputShape<ToyResnet>, [null, 10]>>,
  Expect<Equal<ParamCount<ToyResnet>, 223242>>,
  Expect<Equal<FlopCount<ToyResnet>, 28997504>>,
];
