/**
 * The base of every runtime layer, after tfjs-layers: a layer knows its
 * output shape for an input shape (checking every rule on the way), the
 * weights it needs, and how to compute its output.
 */
import { MAX_EXACT_TEXT, configObject, fail, optionalName, snapshot, valueText } from "../checks.js";
import { weightArray } from "../kernels/packed-weights.js";
import { createRandom, glorotUniform } from "../kernels/random.js";
import type { Random } from "../kernels/random.js";
import { sizeOf } from "../kernels/tensor.js";
import type { Tensor } from "../kernels/tensor.js";
import { regularizerOption } from "../regularizers.js";
import type { Regularizer } from "../regularizers.js";
import { layerNames } from "../naming.js";
import type { StyleNames } from "../summary/rows.js";
import type { Shape, SizedShape } from "../shape.js";

/**
 * An initialiser written as a function of the shape and the model's generator
 * (orthogonal, uniform, ...), with the number of draws it takes per value, so
 * that a model can place every layer on its generator's stream without drawing.
 *
 * @example
 * const half: InitializerFunction = Object.assign((shape: readonly number[], random: Random) => new Float32Array(sizeOf(shape)).map(() => random.next() / 2), { drawsPerValue: 1 });
 */
export type InitializerFunction = ((shape: readonly number[], random: Random) => Float32Array) & { readonly drawsPerValue: number };

/**
 * How a weight starts out, as Keras initialises it: a named initialiser, or a
 * function of the shape and the model's generator (orthogonal, uniform, ...).
 */
export type Initializer = "glorotUniform" | "zeros" | "ones" | InitializerFunction;

/**
 * Where a layer's initial weights come from until they are first read: the
 * model's generator, started at its seed and skipped past the draws of every
 * layer initialised before this one.
 */
interface PendingWeights {
  readonly seed: number;
  readonly draws: number;
}

/**
 * The most elements one weight array may have: the largest Float32Array
 * JavaScript engines allocate (2^32 elements in V8 on 64-bit machines).
 */
const MAX_WEIGHT_ELEMENTS = 2 ** 32;

/**
 * A byte count as messages print it, in groups of three digits.
 *
 * @example
 * byteText(40000400000); // "40,000,400,000 bytes"
 */
export function byteText(bytes: number): string {
  return `${String(bytes).replace(/\B(?=(\d{3})+$)/g, ",")} bytes`;
}

/** One weight a layer needs: its Keras name, shape, whether training updates it, and its initialiser. */
export interface WeightSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly trainable: boolean;
  readonly initializer: Initializer;
  /**
   * `"int64"` for a counter Keras keeps as an integer variable (the `count`
   * of an adaptable `Normalization`): files store it as int64; shapewise
   * holds it as float32 like every other weight. float32 when absent.
   */
  readonly dtype?: "int64";
}

/**
 * What one sample costs one call of a layer: `macs`, the multiply-accumulates
 * of its weight (or operand) products, and `ops`, the other elementwise
 * operations (bias additions, activations, pooling comparisons or additions,
 * normalisation, merges), counted apart as fvcore and torchinfo count them.
 * `null` where a size the count needs is unknown.
 *
 * @example
 * const cost: LayerCost = { macs: 7840, ops: 20 }; // dense 784 -> 10, relu: 7840 products, 10 bias additions, 10 activations
 */
export interface LayerCost {
  readonly macs: number | null;
  readonly ops: number | null;
}

/**
 * The elements of one sample of a shape (the batch axis left out); `null`
 * when one of those sizes is unknown.
 *
 * @example
 * sampleElements([null, 26, 26, 32]); // 21632
 */
export function sampleElements(shape: Shape): number | null {
  return foldKnown(shape.slice(1), 1, (n, v) => n * v);
}

/**
 * The product of counts, `null` when one of them is unknown.
 *
 * @example
 * product(26 * 26, 32, 9); // 194688
 * product(null, 32);       // null
 */
export function product(...values: readonly (number | null)[]): number | null {
  return foldKnown(values, 1, (n, v) => n * v);
}

/**
 * The sum of counts, `null` when one of them is unknown.
 *
 * @example
 * sum(10, 10); // 20
 */
export function sum(...values: readonly (number | null)[]): number | null {
  return foldKnown(values, 0, (n, v) => n + v);
}

/** Folds known counts from `start`; one unknown count makes the whole unknown. */
function foldKnown(values: readonly (number | null)[], start: number, step: (n: number, v: number) => number): number | null {
  let n = start;
  for (const v of values) {
    if (v === null) return null;
    n = step(n, v);
  }
  return n;
}

/** The cost of a layer that only moves or passes data (reshapes, dropout, the input). */
export const NO_COST: LayerCost = Object.freeze({ macs: 0, ops: 0 });

/**
 * The elementwise operations of a weighted layer's epilogue: one addition per
 * output element for the bias, one per element for a non-linear activation.
 *
 * @example
 * epilogueOps(10, true, "relu"); // 20
 */
export function epilogueOps(outputElements: number | null, useBias: boolean, activation: string): number | null {
  return product(outputElements, (useBias ? 1 : 0) + (activation === "linear" ? 0 : 1));
}

/** What a layer's forward pass in training gives: its output and what its backward pass needs. */
export interface TrainingCall {
  readonly output: Tensor;
  /** Every output of a layer with several (`returnState`), `output` first; absent for one output. */
  readonly outputs?: readonly Tensor[];
  /** Anything the layer's backward pass needs besides its inputs and output (a pre-activation, a dropout mask). */
  readonly saved?: unknown;
  /** A loss the layer adds to the model's (Keras `add_loss`: an activity regulariser's); its gradient is the layer's to add. */
  readonly loss?: number;
  /**
   * New values for non-trainable weights (batch normalisation's moving
   * statistics), by index in {@link Layer.weightSpecs} order: written once
   * the whole step has succeeded, with the optimizer's update.
   */
  readonly updates?: readonly { readonly index: number; readonly value: Float32Array }[];
}

/** A layer's backward pass result: one gradient per input and one per weight, `null` where none flows. */
export interface LayerGradients {
  readonly inputs: readonly (Tensor | null)[];
  readonly weights: readonly (Tensor | null)[];
}

/** What a training step shares with its layers. */
export interface TrainingContext {
  /** The generator of dropout masks and noise. */
  readonly random: Random;
  /**
   * The weights of layers whose state (moving statistics) an earlier call of
   * this step has moved, as they were before the step: a later call of the
   * same layer starts from the moved state, as in Keras 3, and the step puts
   * these back once its forward pass is done. Made by the outermost pass.
   */
  readonly staged?: Map<Layer, Tensor[]>;
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
  /** Weight values once set or drawn; see {@link Layer.weights}. */
  private ownWeights: Tensor[] | undefined;
  /** The stream position of the initial values, until they are drawn or replaced. */
  private pending: PendingWeights | undefined;
  /** How many times the layer has been applied: more than one for a shared layer. */
  nodeCount = 0;
  /** The input shapes of the first call, which a shared layer's later calls must repeat. */
  nodeInputShapes: readonly Shape[] | undefined;
  /**
   * Whether training updates this layer's weights (Keras `layer.trainable`).
   * A frozen layer still passes gradients to the layers before it; a frozen
   * batch normalisation runs in inference mode, as in Keras 3.
   *
   * @example
   * m.layers[1].trainable = false; // fit leaves its weights as they are
   */
  trainable = true;

  constructor(names: StyleNames) {
    this.names = names;
  }

  /** The layer's name (tf.keras 2 scheme: `conv2d_1`). */
  get name(): string {
    return this.names.keras2;
  }

  /**
   * Weight values in {@link Layer.weightSpecs} order. A model only places the
   * layer on its generator's stream ({@link Layer.scheduleWeights}); the
   * initial values are drawn here, on first read, exactly as they would have
   * been at build time. Setting them first draws nothing.
   *
   * @example
   * const [kernel, bias] = layer.weights!; // drawn now if nothing set them before
   */
  get weights(): Tensor[] | undefined {
    if (this.ownWeights === undefined && this.pending !== undefined) {
      const random = createRandom(this.pending.seed, this.pending.draws);
      this.ownWeights = this.weightSpecs().map((spec) => ({ shape: [...spec.shape], data: this.allocate(spec, random) }));
      this.pending = undefined;
    }
    return this.ownWeights;
  }

  set weights(values: Tensor[] | undefined) {
    this.ownWeights = values;
    this.pending = undefined;
  }

  /** Whether the layer's weights are set, or placed on a generator's stream to be drawn on first read. */
  hasWeightSource(): boolean {
    return this.ownWeights !== undefined || this.pending !== undefined;
  }

  /**
   * The bytes the layer's weights will take when first read: 0 once they
   * exist. Nothing is allocated.
   *
   * @example
   * new Dense({ units: 10 }).pendingWeightBytes(); // 4 * countParams() before predict, 0 after
   */
  pendingWeightBytes(): number {
    return this.ownWeights === undefined && this.pending !== undefined ? 4 * this.countParams() : 0;
  }

  /**
   * Places the initial weights at `draws` draws into the stream of the
   * generator seeded with `seed`, and returns how many draws they take: the
   * next layer starts there. Nothing is drawn or allocated until the weights
   * are first read.
   *
   * @example
   * let at = 0;
   * for (const layer of layers) at += layer.scheduleWeights(seed, at);
   */
  scheduleWeights(seed: number, draws: number): number {
    this.pending = { seed, draws };
    return this.weightSpecs().reduce((sum, spec) => sum + drawsPerValue(spec.initializer) * spec.shape.reduce((p, d) => p * d, 1), 0);
  }

  /** One weight's initial values; an array no engine can allocate is a sentence naming the layer. */
  private allocate(spec: WeightSpec, random: Random): Float32Array {
    const size = spec.shape.reduce((p, d) => p * d, 1);
    const refuse = (): never =>
      fail(
        `shapewise: layer '${this.name}' cannot allocate its weight ${spec.name} of shape [${spec.shape.join(", ")}]: it needs ${byteText(4 * size)}, more than one Float32Array holds (${byteText(4 * MAX_WEIGHT_ELEMENTS)})`,
      );
    if (size > MAX_WEIGHT_ELEMENTS) refuse();
    try {
      return initialValues(spec, random);
    } catch (e) {
      // The engine's own refusal ("Invalid typed array length", "Array buffer allocation failed").
      if (e instanceof RangeError) refuse();
      throw e;
    }
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
   * The forward pass in training mode. The inference pass unless the layer
   * behaves differently while training (dropout, batch statistics) or its
   * backward pass needs more than its inputs and output.
   */
  callTraining(inputs: readonly Tensor[], _context: TrainingContext): TrainingCall {
    return { output: this.call(...(inputs as [Tensor, ...Tensor[]])) };
  }

  /**
   * The backward pass: from the gradient of the output, the gradients of the
   * inputs and of the weights (in {@link Layer.weightSpecs} order). Layers
   * without it cannot be trained through, and `compile` says which. A layer
   * with several outputs gets the gradients of the others in `dOthers`
   * (`null` where none flows).
   */
  gradients?(dOutput: Tensor, inputs: readonly Tensor[], output: Tensor, saved: unknown, dOthers?: readonly (Tensor | null)[]): LayerGradients;

  /**
   * Which weights training updates, in {@link Layer.weightSpecs} order: the
   * trainable ones of a layer that is not frozen.
   *
   * @example
   * batchNorm.trainableWeightFlags(); // [true, true, false, false]: gamma, beta, not the moving statistics
   */
  trainableWeightFlags(): boolean[] {
    return this.weightSpecs().map((spec) => this.trainable && spec.trainable);
  }

  /** The layer's regulariser options as given, checked, keyed by option (`kernelRegularizer`). */
  private regularizerOptions: Readonly<Record<string, Regularizer>> = {};
  /** The weight (by its {@link WeightSpec} name) each regulariser option applies to. */
  private regularizedWeights: Readonly<Record<string, string>> = {};

  /**
   * Reads a layer's regulariser options from its config: `weights` maps each
   * weight option (`kernelRegularizer`) to the weight it penalises
   * (`kernel`); `activityRegularizer` penalises the layer's output. Checks
   * every value now, so a bad one is an error where the layer is made.
   *
   * @example
   * this.readRegularizers("dense", cfg, { kernelRegularizer: "kernel", biasRegularizer: "bias" });
   */
  protected readRegularizers(method: string, cfg: Record<string, unknown>, weights: Readonly<Record<string, string>>): void {
    const options: Record<string, Regularizer> = {};
    for (const key of [...Object.keys(weights), "activityRegularizer"]) {
      const r = regularizerOption(method, key, cfg[key]);
      if (r !== undefined) options[key] = r;
    }
    this.regularizerOptions = options;
    this.regularizedWeights = weights;
  }

  /**
   * The regulariser options the layer was made with, for {@link Layer.getConfig}.
   *
   * @example
   * dense.regularizerConfig(); // { kernelRegularizer: { l2: 0.01 } }
   */
  regularizerConfig(): Record<string, Regularizer> {
    return { ...this.regularizerOptions };
  }

  /**
   * The regulariser of each weight, in {@link Layer.weightSpecs} order
   * (`undefined` for a weight without one); Keras adds their penalties to
   * the loss for trainable weights only.
   *
   * @example
   * dense.weightRegularizers(); // [{ l2: 0.01 }, undefined]: kernel, bias
   */
  weightRegularizers(): (Regularizer | undefined)[] {
    const byWeight = new Map(Object.entries(this.regularizedWeights).map(([option, weight]) => [weight, this.regularizerOptions[option]]));
    return this.weightSpecs().map((spec) => byWeight.get(spec.name));
  }

  /**
   * The regulariser of the layer's outputs (Keras `activity_regularizer`):
   * in training its penalty, divided by the batch size as Keras 3 divides
   * it, joins the loss.
   *
   * @example
   * dense.activityRegularizer(); // { l1: 0.001 } or undefined
   */
  activityRegularizer(): Regularizer | undefined {
    return this.regularizerOptions.activityRegularizer;
  }

  /** Why training cannot pass through this layer as configured, or `undefined` when it can. */
  trainingGap(): string | undefined {
    return this.gradients === undefined ? "its backward pass is not written yet" : undefined;
  }

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

  /**
   * What one call costs one sample (see {@link LayerCost}), for the shapes
   * the call received and gave; each layer class states its counting rule.
   * Layers that only move or pass data cost nothing, the default.
   *
   * @example
   * new Dense({ units: 10 }).cost([[null, 784]], [[null, 10]]); // { macs: 7840, ops: 10 }
   */
  cost(inputShapes: readonly Shape[], outputShapes: readonly Shape[]): LayerCost {
    void inputShapes;
    void outputShapes;
    return NO_COST;
  }

  /**
   * Whether `predict` hands this layer's input buffer on as its output (a
   * reshape, the identity at inference): the call keeps no memory of its own.
   *
   * @example
   * new Dropout({ rate: 0.5 }).passesBuffer(); // true
   */
  passesBuffer(): boolean {
    return false;
  }

  /** Number of scalar weights, trainable or not (Keras `count_params()`). */
  countParams(): number {
    const specs = this.weightSpecs();
    const total = specs.reduce((sum, w) => sum + w.shape.reduce((p, d) => p * d, 1), 0);
    if (Number.isSafeInteger(total)) return total;
    const exact = specs.reduce((sum, w) => sum + w.shape.reduce((p, d) => p * BigInt(d), 1n), 0n);
    return fail(`shapewise: layer '${this.name}' parameter count ${exact} is past ${MAX_EXACT_TEXT}`);
  }

  /**
   * Applies the layer to an input shape: validates, records both shapes,
   * returns the output shape. Every size it gives and its parameter count
   * must be exact integers (at most 2^53 − 1), whichever rule computed them.
   */
  apply(inputShape: Shape, ...otherInputShapes: Shape[]): Shape {
    const output = this.computeOutputShape(inputShape, ...otherInputShapes);
    if (!output.every((d) => d === null || Number.isSafeInteger(d))) {
      const inputs = [inputShape, ...otherInputShapes].map((s) => valueText(s)).join(" and ");
      fail(`shapewise: layer '${this.name}' gives a size past ${MAX_EXACT_TEXT} for input ${inputs}`);
    }
    this.inputShape = inputShape;
    this.outputShape = output;
    this.countParams();
    return output;
  }

  /**
   * The output sizes for inputs whose sizes may be symbolic (names given to
   * `input`), after {@link Layer.apply} computed `output` from the same
   * inputs with names as `null`. A layer that does not compute with symbolic
   * sizes leaves them `null` (this default).
   *
   * @example
   * layer.computeSizes([[null, "16*H", "16*W", 3]], [null, null, null, 8]); // [null, "8*H", "8*W", 8] for a 2x2 pooling
   */
  computeSizes(sizes: readonly SizedShape[], output: Shape): SizedShape {
    const first = sizes[0];
    if (!this.keepsSizes || first === undefined || first.length !== output.length) return output;
    return output.map((d, k) => (d === null && typeof first[k] === "string" ? first[k] : d));
  }

  /**
   * Whether the output keeps the first input's size wherever the rule gives
   * `null` for a named one (a dense layer, a normalisation, attention on its
   * query): those layers pass names through without arithmetic.
   */
  protected readonly keepsSizes: boolean = false;

  /** The input shape, for code that runs only after {@link Layer.apply}. */
  protected builtInputShape(): Shape {
    if (this.inputShape === undefined) throw new Error(`shapewise: layer ${this.name} has not been applied to an input`);
    return this.inputShape;
  }
}

/** Draws from the generator per value of a weight: glorot uniform takes one, constants none. */
function drawsPerValue(init: Initializer): number {
  if (typeof init === "function") return init.drawsPerValue;
  return init === "glorotUniform" ? 1 : 0;
}

/** A weight's initial values, drawn from `random` in Keras's order. */
function initialValues(spec: WeightSpec, random: Random): Float32Array {
  const init = spec.initializer;
  if (typeof init === "function") return init(spec.shape, random);
  // Drawn straight into the array the kernels read, so the first predict copies nothing.
  if (init === "glorotUniform") return glorotUniform(spec.shape, random, weightArray(sizeOf(spec.shape), false));
  return init === "ones" ? weightArray(sizeOf(spec.shape), false).fill(1) : weightArray(sizeOf(spec.shape));
}

/**
 * A layer made from one config object: the start every such constructor
 * shares (the unknown-option check in the method's words, the user's
 * `name`, the layer's names under every scheme), written once. The config
 * is kept as a copy whose lists are copied too, so that a caller who later
 * changes an array it passed cannot change a layer already checked.
 *
 * @example
 * class Flatten extends ConfiguredLayer {
 *   readonly className = "Flatten";
 *   constructor(config?: unknown) {
 *     super("Flatten", "flatten", config, ["dataFormat", "name"]);
 *   }
 * }
 */
export abstract class ConfiguredLayer extends Layer {
  /** A copy of the options as given, every key one the method takes. */
  protected readonly config: Record<string, unknown>;

  constructor(
    className: string,
    protected readonly method: string,
    config: unknown,
    options: readonly string[],
  ) {
    const cfg = configObject(method, config, options);
    super(layerNames(className, optionalName(method, cfg.name)));
    this.config = snapshot(cfg);
  }
}
