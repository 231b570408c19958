/**
 * Reshaping layers at run time (type twin: `types/layers/reshaping.ts`).
 */
import { configObject, optionalName } from "../checks.js";
import type { Shape } from "../checks.js";
import type { Tensor } from "../kernels/tensor.js";
import type { SymbolicTensorImpl } from "../symbolic-tensor.js";
import { layerNames } from "../naming.js";
import { Layer } from "./layer.js";

/**
 * Folds every non-batch dimension into one (Keras `Flatten`): their product,
 * `null` if one is unknown, `1` for a rank-1 input.
 *
 * @example
 * new Flatten().apply([null, 3, 3, 128]); // [null, 1152]
 */
export class Flatten extends Layer {
  readonly className = "Flatten";

  constructor(config?: unknown) {
    const cfg = configObject("flatten", config, ["name"]);
    super(layerNames("Flatten", optionalName("flatten", cfg.name)));
  }

  computeOutputShape(inputShape: Shape): Shape {
    const rest = inputShape.slice(1);
    const size = rest.some((d) => d === null) ? null : rest.reduce<number>((p, d) => p * (d as number), 1);
    return [inputShape[0], size];
  }

  call(input: Tensor): Tensor {
    const batch = input.shape[0];
    return { shape: [batch, batch === 0 ? 0 : input.data.length / batch], data: input.data };
  }
}

/** The reshaping methods of every symbolic tensor. */
export const reshapingMethods = {
  flatten(this: SymbolicTensorImpl, config?: unknown): SymbolicTensorImpl {
    return this.applyLayer(new Flatten(config));
  },
};
