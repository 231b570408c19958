/**
 * The base of every runtime layer, after tfjs-layers: a layer knows its
 * output shape for an input shape (checking every rule on the way), the
 * weights it needs, and how to compute its output.
 */
import type { Shape } from "../checks.js";
import type { Random } from "../kernels/random.js";
import type { Tensor } from "../kernels/tensor.js";
import type { StyleNames } from "../summary/rows.js";

/**
 * How a weight starts out, as Keras initialises it: a named initialiser, or a
 * function of the shape and the model's generator (orthogonal, uniform, ...).
 */
export type Initializer = "glorotUniform" | "zeros" | "ones" | ((shape: readonly number[], random: Random) => Float32Array);

/** One weight a layer needs: its Keras name, shape, whether training updates it, and its initialiser. */
export interface WeightSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly trainable: boolean;
  readonly initializer: Initializer;
}

/** A layer of a model: its names, shapes, weights and forward computation. */
export abstract class Layer {
  /** Keras class name: `Conv2D`, `MaxPooling2D`. */
  abstract readonly className: string;
  /** Names under every naming scheme; `name` is the tf.keras 2 one. */
  readonly names: StyleNames;
  /** Input shape, set when the layer is applied. */
  inputShape: Shape | undefined;
  /** Output shape, set when the layer is applied. */
  outputShape: Shape | undefined;
  /** Weight values in {@link Layer.weightSpecs} order, once the model has initialised them. */
  weights: Tensor[] | undefined;
  /** How many times the layer has been applied: more than one for a shared layer. */
  nodeCount = 0;
  /** The input shapes of the first call, which a shared layer's later calls must repeat. */
  nodeInputShapes: readonly Shape[] | undefined;

  constructor(names: StyleNames) {
    this.names = names;
  }

  /** The layer's name (tf.keras 2 scheme: `conv2d_1`). */
  get name(): string {
    return this.names.keras2;
  }

  /**
   * Checks every rule for this input shape, in the order the type level does,
   * and returns the output shape. Throws a `ShapeError` on the first broken rule.
   */
  abstract computeOutputShape(inputShape: Shape, ...otherInputShapes: Shape[]): Shape;

  /** The weights this layer needs once its input shape is known (none by default). */
  weightSpecs(): WeightSpec[] {
    return [];
  }

  /** The forward computation on a concrete batch (layers with several inputs get them in order). */
  abstract call(input: Tensor, ...otherInputs: Tensor[]): Tensor;

  /**
   * The layer's options as the shapewise method takes them (camelCase keys,
   * every default resolved, sizes as tuples), after tfjs-layers `getConfig()`:
   * passing them back to the method makes the same layer. Layers whose
   * defaults depend on the input (sizes per axis) must have been applied.
   * Layers without options give only their name.
   *
   * @example
   * new Dense({ units: 10 }).getConfig(); // after apply: { units: 10, activation: "linear", useBias: true, name: "dense" }
   */
  getConfig(): Record<string, unknown> {
    return { name: this.name };
  }

  /** Number of scalar weights, trainable or not (Keras `count_params()`). */
  countParams(): number {
    return this.weightSpecs().reduce((sum, w) => sum + w.shape.reduce((p, d) => p * d, 1), 0);
  }

  /** Applies the layer to an input shape: validates, records both shapes, returns the output shape. */
  apply(inputShape: Shape, ...otherInputShapes: Shape[]): Shape {
    const output = this.computeOutputShape(inputShape, ...otherInputShapes);
    this.inputShape = inputShape;
    this.outputShape = output;
    return output;
  }

  /** The input shape, for code that runs only after {@link Layer.apply}. */
  protected builtInputShape(): Shape {
    if (this.inputShape === undefined) throw new Error(`shapewise: layer ${this.name} has not been applied to an input`);
    return this.inputShape;
  }
}
