/**
 * What one training step keeps in memory, from the model's graph alone: the
 * rule follows the training engine (`src/training/engine.ts`), which holds
 * every tensor of the forward pass until the backward pass has read it, a
 * gradient per tensor and per trainable weight, and the optimizer's slots.
 */
import { fail, valueText } from "./checks.js";
import type { Layer } from "./layers/layer.js";
import { sampleElements } from "./layers/layer.js";
import type { Shape } from "./shape.js";
import { OPTIMIZER_NAMES, resolveOptimizer } from "./training/optimizers.js";
import type { Optimizer } from "./training/optimizers.js";

/**
 * The `training` option of {@link Model.memory}: the optimizer, by name or
 * as made by `optimizers`, whose slots count per trainable weight.
 *
 * @example
 * m.memory({ batch: 32, training: { optimizer: "adam" } });
 */
export interface TrainingMemoryOptions {
  optimizer: Optimizer | (typeof OPTIMIZER_NAMES)[number];
}

/**
 * What a training step keeps at its peak (the optimizer's update, when every
 * tensor, every gradient and every slot is alive), in bytes (float32).
 *
 * @example
 * m.memory({ batch: 64, training: { optimizer: "adam" } }).training;
 * // { optimizerSlots: 2, activationBytes: ..., gradientBytes: ..., optimizerBytes: ..., totalBytes: ... }
 */
export interface TrainingMemory {
  /** Arrays the optimizer keeps per trainable weight (Adam 2, SGD with momentum 1, plain SGD 0, ...). */
  readonly optimizerSlots: number;
  /** Every tensor of the forward pass (inputs included; buffers passed on counted once) and each pre-activation kept, for the batch. */
  readonly activationBytes: number;
  /**
   * The gradient of every tensor the backward pass reaches, for the batch, and
   * of every trainable weight; and the last backward call's result (the first
   * layer call's input and weight gradients), still held during the update.
   */
  readonly gradientBytes: number;
  /** The optimizer's slots: `optimizerSlots` × the trainable parameters. */
  readonly optimizerBytes: number;
  /** The weights, activations, gradients and slots together. */
  readonly totalBytes: number;
}

/** A layer call as the estimate reads it. */
export interface TrainingNode {
  readonly layer: Layer;
  /** Graph inputs have none. */
  readonly inputs: readonly unknown[];
  readonly inputShapes: readonly Shape[];
  /** Each output tensor (identity) with its shape. */
  readonly outputs: readonly { readonly tensor: unknown; readonly shape: Shape }[];
}

/** The slots of an optimizer per weight, read from its Keras configuration. */
export function optimizerSlots(value: unknown): number {
  const optimizer = resolveOptimizer(value);
  const config = optimizer.getConfig();
  switch (optimizer.className) {
    case "SGD":
      return (config.momentum as number) > 0 ? 1 : 0;
    case "Adam":
    case "AdamW":
      return config.amsgrad === true ? 3 : 2;
    case "RMSprop":
      return 1 + ((config.momentum as number) > 0 ? 1 : 0) + (config.centered === true ? 1 : 0);
    case "Adagrad":
      return 1;
    default:
      return fail(`shapewise: memory cannot tell the slots of optimizer ${valueText(optimizer.className)}: name one of ${OPTIMIZER_NAMES.join(", ")}`);
  }
}

/** Checks the `training` option of `memory` and returns the optimizer's slots per weight. */
export function trainingOption(value: unknown): number {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    fail(`shapewise: memory training must be an object like { optimizer: "adam" }, got ${valueText(value)}`);
  }
  const extra = Object.keys(value).find((k) => k !== "optimizer");
  if (extra !== undefined) fail(`shapewise: memory training has no option '${extra}' (options: optimizer)`);
  const optimizer = (value as { optimizer?: unknown }).optimizer;
  if (optimizer === undefined) fail(`shapewise: memory training needs an optimizer (${OPTIMIZER_NAMES.map((n) => `'${n}'`).join(", ")} or an optimizer)`);
  return optimizerSlots(optimizer);
}

/** Whether a layer keeps its pre-activation for the backward pass: a non-linear `activation` option. */
function keepsPreActivation(layer: Layer): boolean {
  const activation = (layer.getConfig() as { activation?: unknown }).activation;
  return typeof activation === "string" && activation !== "linear";
}

/**
 * Elements a training step keeps at its peak, the end of its backward pass:
 * per sample, the forward pass's tensors (a buffer passed on by a reshape or
 * an identity layer once) and the pre-activations, and the gradients of
 * every tensor made by a layer call; and the input gradients (per sample) of
 * the last backward call, the graph's first layer call, made before the
 * step lets go of them. `null` when a size is unknown.
 */
export function trainingElements(nodes: readonly TrainingNode[]): {
  kept: number | null;
  gradients: number | null;
  lastCall: { perSample: number | null };
} {
  const bufferOf = new Map<unknown, object>();
  const buffers = new Map<object, number | null>();
  let gradients: number | null = 0;
  let preActivations: number | null = 0;
  const add = (a: number | null, b: number | null) => (a === null || b === null ? null : a + b);
  for (const n of nodes) {
    const shares = n.inputs.length > 0 && n.layer.passesBuffer();
    for (const { tensor, shape } of n.outputs) {
      const elements = sampleElements(shape);
      if (shares) bufferOf.set(tensor, bufferOf.get(n.inputs[0]) ?? {});
      else {
        const buffer = {};
        buffers.set(buffer, elements);
        bufferOf.set(tensor, buffer);
      }
      if (n.inputs.length > 0) {
        gradients = add(gradients, elements);
        if (keepsPreActivation(n.layer)) preActivations = add(preActivations, elements);
      }
    }
  }
  let kept: number | null = preActivations;
  for (const elements of buffers.values()) kept = add(kept, elements);
  const first = nodes.find((n) => n.inputs.length > 0);
  const lastCall = {
    perSample: first === undefined ? 0 : first.inputShapes.reduce<number | null>((a, shape) => add(a, sampleElements(shape)), 0),
  };
  return { kept, gradients, lastCall };
}

/** The trainable parameters of the layers, without allocating any weight. */
export function trainableCount(layers: readonly Layer[]): number {
  let total = 0;
  for (const layer of layers) for (const spec of layer.weightSpecs()) if (spec.trainable) total += spec.shape.reduce((a, b) => a * b, 1);
  return total;
}
