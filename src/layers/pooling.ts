/**
 * Pooling layers at run time (type twin: `types/layers/pooling.ts`).
 */
import { configObject, exactRank, oneOf, optionalName, positiveSize } from "../checks.js";
import type { Shape } from "../checks.js";
import { averagePool2d, maxPool2d } from "../kernels/pooling.js";
import type { Tensor } from "../kernels/tensor.js";
import type { SymbolicTensorImpl } from "../symbolic-tensor.js";
import { PADDINGS, windowFits, windowOutput } from "./convolutional.js";
import type { Padding } from "./convolutional.js";
import { layerNames } from "../naming.js";
import { Layer } from "./layer.js";

const POOL_OPTIONS = ["poolSize", "strides", "padding", "name"];

interface PoolSettings {
  poolSize: [number, number];
  strides: [number, number];
  padding: Padding;
}

/** What max and average 2-D pooling share: options, checks and output size. */
abstract class Pooling2D extends Layer {
  private readonly config: Record<string, unknown>;
  protected settings: PoolSettings | undefined;

  constructor(
    className: string,
    private readonly method: string,
    config: unknown,
  ) {
    const cfg = configObject(method, config, POOL_OPTIONS);
    super(layerNames(className, optionalName(method, cfg.name)));
    this.config = cfg;
  }

  computeOutputShape(inputShape: Shape): Shape {
    const { method, config: cfg } = this;
    const padding = cfg.padding === undefined ? "valid" : oneOf(method, "padding", cfg.padding, PADDINGS);
    exactRank(method, inputShape, 4, "[batch, height, width, channels]");
    const poolSize = positiveSize(method, "poolSize", cfg.poolSize === undefined ? 2 : cfg.poolSize);
    const strides = cfg.strides === undefined ? poolSize : positiveSize(method, "strides", cfg.strides);
    windowFits(method, "poolSize", "height", inputShape[1], poolSize[0], 1, padding);
    windowFits(method, "poolSize", "width", inputShape[2], poolSize[1], 1, padding);
    this.settings = { poolSize, strides, padding };
    return [
      inputShape[0],
      windowOutput(inputShape[1], poolSize[0], strides[0], 1, padding),
      windowOutput(inputShape[2], poolSize[1], strides[1], 1, padding),
      inputShape[3],
    ];
  }

  protected resolved(): PoolSettings {
    if (this.settings === undefined) this.computeOutputShape(this.builtInputShape());
    return this.settings!;
  }
}

/**
 * Maximum over each window (Keras `MaxPooling2D`).
 *
 * @example
 * new MaxPooling2D({ poolSize: 2 }).apply([null, 28, 28, 32]); // [null, 14, 14, 32]
 */
export class MaxPooling2D extends Pooling2D {
  readonly className = "MaxPooling2D";
  constructor(config?: unknown) {
    super("MaxPooling2D", "maxPooling2d", config);
  }
  call(input: Tensor): Tensor {
    return maxPool2d(input, this.resolved());
  }
}

/**
 * Mean over each window (Keras `AveragePooling2D`); `"same"` padding averages real cells only.
 *
 * @example
 * new AveragePooling2D({ poolSize: 2 }).apply([null, 32, 32, 6]); // [null, 16, 16, 6]
 */
export class AveragePooling2D extends Pooling2D {
  readonly className = "AveragePooling2D";
  constructor(config?: unknown) {
    super("AveragePooling2D", "averagePooling2d", config);
  }
  call(input: Tensor): Tensor {
    return averagePool2d(input, this.resolved());
  }
}

/** The pooling methods of every symbolic tensor. */
export const poolingMethods = {
  maxPooling2d(this: SymbolicTensorImpl, config?: unknown): SymbolicTensorImpl {
    return this.applyLayer(new MaxPooling2D(config));
  },
  maxPool2d(this: SymbolicTensorImpl, config?: unknown): SymbolicTensorImpl {
    return this.applyLayer(new MaxPooling2D(config));
  },
  averagePooling2d(this: SymbolicTensorImpl, config?: unknown): SymbolicTensorImpl {
    return this.applyLayer(new AveragePooling2D(config));
  },
};
