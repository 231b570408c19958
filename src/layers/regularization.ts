/**
 * Regularisation layers at run time: `Dropout` (type twin: `types/layers/regularization.ts`).
 */
import { configObject, fail, optionalName, valueText } from "../checks.js";
import type { Shape } from "../checks.js";
import type { Tensor } from "../kernels/tensor.js";
import type { SymbolicTensorImpl } from "../symbolic-tensor.js";
import { layerNames } from "../naming.js";
import { Layer } from "./layer.js";

/**
 * Randomly zeroes a fraction `rate` of its inputs while training (Keras
 * `Dropout`); at inference, which is all `predict` does, it passes data through.
 *
 * @example
 * new Dropout({ rate: 0.5 }).apply([null, 1600]); // [null, 1600]
 */
export class Dropout extends Layer {
  readonly className = "Dropout";
  readonly rate: number;

  constructor(config: unknown) {
    const cfg = configObject("dropout", config, ["rate", "seed", "name"]);
    const rate = cfg.rate;
    if (typeof rate !== "number" || !(rate >= 0 && rate < 1)) {
      fail(`shapewise: dropout rate must be at least 0 and below 1, got ${valueText(rate)}`);
    }
    if (cfg.seed !== undefined && !Number.isSafeInteger(cfg.seed)) {
      fail(`shapewise: dropout seed must be an integer, got ${valueText(cfg.seed)}`);
    }
    super(layerNames("Dropout", optionalName("dropout", cfg.name)));
    this.rate = rate;
  }

  computeOutputShape(inputShape: Shape): Shape {
    return inputShape;
  }

  call(input: Tensor): Tensor {
    return input;
  }
}

/** The regularisation methods of every symbolic tensor. */
export const regularizationMethods = {
  dropout(this: SymbolicTensorImpl, config: unknown): SymbolicTensorImpl {
    return this.applyLayer(new Dropout(config));
  },
};
