/**
 * Summary data: what a model knows about its layers, before any text is made.
 * Each summary style is a formatter over {@link SummaryData}.
 */
import type { TrainingMemory } from "../cost-training.js";

/** A dimension as shown in a summary: `null` is the unknown (batch) size. */
export type SummaryDim = number | null;

/** The names one layer gets under each naming scheme (they differ for inputs and models). */
export interface StyleNames {
  /** tf.keras 2 name: `input_1`, `conv2d`, `conv2d_1`, `model`. */
  readonly keras2: string;
  /** Keras 3 name: `input_layer`, `conv2d`, `conv2d_1`, `functional`. */
  readonly keras3: string;
  /** TensorFlow.js name: `input1`, `conv2d_Conv2D1`, `model1`. */
  readonly tfjs: string;
}

/** One inbound connection of a layer: the producing layer and which of its outputs. */
export interface SummaryConnection {
  readonly layer: StyleNames;
  readonly nodeIndex: number;
  readonly tensorIndex: number;
}

/**
 * One summary row: one layer of the model.
 *
 * @example
 * const row: SummaryRow = {
 *   names: { keras2: "dense", keras3: "dense", tfjs: "dense_Dense1" },
 *   className: "Dense", isInput: false,
 *   inputShapes: [[null, 784]], outputShape: [null, 64],
 *   params: 50240, trainableParams: 50240, nonTrainableParams: 0,
 *   inbound: [],
 * };
 */
export interface SummaryRow {
  readonly names: StyleNames;
  /** Keras class name: `Conv2D`, `MaxPooling2D`, `InputLayer`. */
  readonly className: string;
  readonly isInput: boolean;
  /** Shapes this layer receives (the input layer receives its own shape). */
  readonly inputShapes: readonly (readonly SummaryDim[])[];
  readonly outputShape: readonly SummaryDim[];
  /**
   * Every output's shape, for a layer with several (an RNN with
   * `returnState`, an unmerged bidirectional, a nested model): Keras prints
   * them as a list. Absent or of length 1 otherwise.
   */
  readonly outputShapes?: readonly (readonly SummaryDim[])[];
  /** All weights of the layer, trainable or not (Keras `count_params()`). */
  readonly params: number;
  readonly trainableParams: number;
  readonly nonTrainableParams: number;
  /** Inbound connections, in order (empty for input layers). */
  readonly inbound: readonly SummaryConnection[];
  /** Multiply-accumulates per sample of all the layer's calls; `null` where a size is unknown. */
  readonly macs?: number | null;
  /** Other elementwise operations per sample (bias, activations, pooling, normalisation, merges). */
  readonly ops?: number | null;
}

/**
 * Everything a summary formatter needs.
 *
 * `kind` is `"sequential"` for models built with `sequential()` (Keras hides the
 * input layer row) and `"functional"` for `model()`. `sequentialLike` says
 * whether the graph is a plain chain (no `Connected to` column).
 */
export interface SummaryData {
  readonly names: StyleNames;
  readonly kind: "sequential" | "functional";
  readonly sequentialLike: boolean;
  /** Rows in Keras order; for sequential models the input layer row is already left out. */
  readonly rows: readonly SummaryRow[];
  readonly totalParams: number;
  readonly trainableParams: number;
  readonly nonTrainableParams: number;
  /** Bytes per parameter (4 for float32): memory sizes in Keras 2.13+ and Keras 3 footers. */
  readonly bytesPerParam: number;
  /** Multiply-accumulates per sample of the whole model; `null` where a size is unknown. */
  readonly totalMacs?: number | null;
  /** Other elementwise operations per sample. */
  readonly totalOps?: number | null;
  /** Activation bytes per sample that `predict` keeps alive at its peak; `null` where a size is unknown. */
  readonly activationBytes?: number | null;
  /** What one training step keeps at batch 1, when the summary was asked for it. */
  readonly training?: TrainingMemory;
}
