/**
 * The TensorFlow.js layers-model format (tfjs-layers 4.22): `model.json`
 * (the topology and a weights manifest) with the weights as little-endian
 * float32 in `weights.bin`. What its writer and reader share.
 */
import type { Layer, WeightSpec } from "../../layers/layer.js";
import { innerLayer, nestedModel } from "../layer-registry.js";
import type { TrainingSnapshot } from "./optimizer-file.js";

/** Weight files are little-endian float32: on such a machine they are copied, not converted value by value. */
export const LITTLE_ENDIAN = new Uint8Array(new Float32Array([1]).buffer)[3] === 0x3f;

/** What `generatedBy` and `keras_version` say: the TensorFlow.js release whose format this is. */
export const TFJS_VERSION = "4.22.0";

/**
 * One entry of a weights manifest.
 *
 * @example
 * const spec: TfjsWeightSpec = { name: "dense/kernel", shape: [784, 10], dtype: "float32" };
 */
export interface TfjsWeightSpec {
  readonly name: string;
  readonly shape: readonly number[];
  /** `int32` only for the optimizer's step count `iter`. */
  readonly dtype: "float32" | "int32";
  /** `"optimizer"` for the optimizer's state (written by `includeOptimizer`). */
  readonly group?: "optimizer";
}

/**
 * A model as TensorFlow.js `ModelArtifacts` hold it (what `tf.io.fromMemory`
 * takes and a save handler receives).
 *
 * @example
 * const a = modelToTfjsArtifacts(m);
 * const tfModel = await tf.loadLayersModel(tf.io.fromMemory(a));
 */
export interface TfjsArtifacts {
  readonly modelTopology: Record<string, unknown>;
  readonly format: "layers-model";
  readonly generatedBy: string;
  readonly convertedBy: null;
  readonly weightSpecs: TfjsWeightSpec[];
  readonly weightData: ArrayBuffer;
  /** Loss, metrics and `optimizer_config`, written with `includeOptimizer`. */
  readonly trainingConfig?: Record<string, unknown>;
}

/**
 * Options for writing TensorFlow.js files.
 *
 * @example
 * modelToTfjsArtifacts(m, { names: "tfjs" }); // conv2d_Conv2D1, as TensorFlow.js would name the layers
 */
export interface TfjsWriteOptions {
  /**
   * Layer names to write: `"shapewise"` (default: the names the model uses,
   * so loading the file back keeps them) or `"tfjs"` (TensorFlow.js's own
   * scheme, `conv2d_Conv2D1`, as a model built in TensorFlow.js would have).
   */
  names?: "shapewise" | "tfjs";
  /**
   * Also write the optimizer's state, as TensorFlow.js's
   * `save(..., { includeOptimizer: true })` does: `trainingConfig` in
   * `model.json` and the optimizer's weights (group `optimizer`) after the
   * model's. Taken by the save of a compiled model (`c.save(...)`), which
   * knows its optimizer.
   */
  includeOptimizer?: boolean;
  /** The optimizer, loss and metrics `includeOptimizer` writes; `c.save` fills it in. */
  training?: TrainingSnapshot;
}

// ---------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------

/**
 * The manifest entries of a layer's weights, in `getWeights` order: a nested
 * model's are its own layers' entries, under their own names (TensorFlow.js
 * does not prefix them with the model's name).
 */
export function tfjsWeightEntries(layer: Layer, names: "shapewise" | "tfjs"): { name: string; shape: readonly number[]; layer: Layer }[] {
  const nested = nestedModel(layer);
  if (nested !== undefined) return nested.layers.flatMap((l: Layer) => tfjsWeightEntries(l, names));
  return layer.weightSpecs().map((spec) => ({ name: tfjsWeightName(layer, spec, names), shape: spec.shape, layer }));
}

/** The name TensorFlow.js gives a weight: `layer/kernel`, with its own names for a few classes. */
function tfjsWeightName(layer: Layer, spec: WeightSpec, names: "shapewise" | "tfjs"): string {
  let weight = spec.name;
  // Keras 3 calls a DepthwiseConv2D's kernel `kernel`; TensorFlow.js (and tf.keras 2) `depthwise_kernel`.
  if (layer.className === "DepthwiseConv2D" && weight === "kernel") weight = "depthwise_kernel";
  const inner = innerLayer(layer);
  if (inner !== undefined && layer.className === "TimeDistributed") {
    // TensorFlow.js names a wrapped layer's weights after the wrapper: `time_distributed/kernel`.
    weight = weight.slice(inner.name.length + 1);
  }
  if (inner !== undefined && layer.className === "Bidirectional" && names === "tfjs") {
    // `forward_lstm/kernel` under the tfjs scheme is `forward_lstm_LSTM1/kernel`.
    const [direction, ...rest] = weight.split("/");
    const prefix = direction.startsWith("forward_") ? "forward_" : "backward_";
    weight = [`${prefix}${inner.names.tfjs}`, ...rest].join("/");
  }
  return `${names === "tfjs" ? layer.names.tfjs : layer.name}/${weight}`;
}
