/**
 * Every layer class shapewise knows, by its Keras class name, derived from
 * the registrations beside the layer classes: which shapewise method (or
 * function) makes it and how that is called. File loaders rebuild
 * models through these calls, so every rule is checked again; codegen writes
 * the same calls as source; exporters read a layer's class and `getConfig()`.
 *
 * Wrappers (`Bidirectional`, `TimeDistributed`) expose the layer they wrap
 * as their `inner` field; its class and `getConfig()` describe the wrapped call.
 */
import { fail, valueText } from "../checks.js";
import { inputImpl } from "../layers/input.js";
import { mergeTensors } from "../layers/merging.js";
import type { MergeKind } from "../layers/merging.js";
import type { Layer } from "../layers/layer.js";
import type { SymbolicTensorImpl } from "../symbolic-tensor.js";
import "../layer-methods.js";
import { EVERY_FORMAT, layerRegistrations } from "../layers/registry.js";
import type { CallStyle, LayerRegistration } from "../layers/registry.js";
import type { AnyModel } from "./file-graph.js";

export type { CallStyle } from "../layers/registry.js";

/**
 * One layer class as readers, writers and codegen see it: its Keras class
 * name, the shapewise method that makes it, how that is called, and what
 * each file format does with it (from its registration).
 *
 * @example
 * entryForClass("Conv2D"); // { className: "Conv2D", method: "conv2d", style: "method", tfjs: true, formats: { ... } }
 */
export interface LayerEntry {
  /** Keras (and TensorFlow.js) class name. */
  readonly className: string;
  /** The shapewise method or function name. */
  readonly method: string;
  readonly style: CallStyle;
  /** `true` when TensorFlow.js 4.22 deserialises the class (tfjs-layers has it). */
  readonly tfjs: boolean;
  /** Per format: `true` when written, or the sentence saying why the format refuses the class. */
  readonly formats: LayerRegistration["formats"];
  /** The options the method takes (none listed for models). */
  readonly options: readonly string[];
}

const entry = (className: string, method: string, style: CallStyle, formats: LayerRegistration["formats"], options: readonly string[] = []): LayerEntry =>
  Object.freeze({ className, method, style, tfjs: formats.tfjs === true, formats, options });

/**
 * The registry, in catalog order: one entry per registered layer class.
 *
 * @example
 * LAYER_REGISTRY.filter((e) => e.tfjs).length; // the classes TensorFlow.js reads
 */
export const LAYER_REGISTRY: readonly LayerEntry[] = Object.freeze(
  layerRegistrations().map((r) => entry(r.className, r.method, r.style, r.formats, r.options)),
);

/**
 * Models applied as layers, by the class names files give them: Keras 3
 * writes `Functional` or `Sequential`, TensorFlow.js `Model` or `Sequential`.
 * They are not in {@link LAYER_REGISTRY} (which lists layer classes, in
 * catalog order), but {@link entryForClass} knows them.
 *
 * @example
 * MODEL_ENTRIES.map((e) => e.className); // ["Functional", "Sequential", "Model"]
 */
export const MODEL_ENTRIES: readonly LayerEntry[] = Object.freeze(
  ["Functional", "Sequential", "Model"].map((className) => entry(className, "apply", "model", EVERY_FORMAT)),
);

// A Map rather than an object: a hostile class name such as `__proto__` or `constructor` finds nothing.
const BY_CLASS: ReadonlyMap<string, LayerEntry> = new Map([...LAYER_REGISTRY, ...MODEL_ENTRIES].map((e) => [e.className, e]));

/**
 * The entry of a Keras class name; a clear error naming the class otherwise.
 *
 * @example
 * entryForClass("MaxPooling2D").method; // "maxPooling2d"
 * entryForClass("Lambda");              // throws: unknown layer class 'Lambda'
 */
export function entryForClass(className: unknown, where = "model file"): LayerEntry {
  const found = typeof className === "string" ? BY_CLASS.get(className) : undefined;
  if (found === undefined) {
    fail(`shapewise: ${where} has unknown layer class ${valueText(className)} (known: ${[...BY_CLASS.keys()].join(", ")})`);
  }
  return found;
}

/**
 * The entry of a layer of a model (by its class name).
 *
 * @example
 * entryForLayer(m.layers[1]).method; // "conv2d"
 */
export function entryForLayer(layer: Layer): LayerEntry {
  return entryForClass(layer.className, `layer '${layer.name}'`);
}

/**
 * The wrapped layer of a wrapper (`inner`), or `undefined` for other layers.
 *
 * @example
 * innerLayer(bidirectionalLayer)?.className; // "LSTM"
 */
export function innerLayer(layer: Layer): Layer | undefined {
  const inner = (layer as { inner?: unknown }).inner;
  return entryForLayer(layer).style === "wrapper" && inner !== undefined ? (inner as Layer) : undefined;
}

/**
 * The model a layer stands for when a model is applied as a layer of
 * another (its `model` field), or `undefined` for other layers.
 *
 * @example
 * nestedModel(outer.layers[1])?.name; // "encoder"
 */
export function nestedModel(layer: Layer): AnyModel | undefined {
  if (entryForLayer(layer).style !== "model") return undefined;
  const inner = (layer as { model?: unknown }).model;
  if (inner === undefined || inner === null) fail(`shapewise: layer '${layer.name}' (${layer.className}) has no model`);
  return inner as AnyModel;
}

/**
 * What a wrapper wraps, when a layer is made from a file.
 *
 * @example
 * const inner: InnerCall = { className: "LSTM", config: { units: 8, returnSequences: true } };
 */
export interface InnerCall {
  readonly className: string;
  readonly config: Record<string, unknown>;
}

type MethodOf = (config?: unknown) => SymbolicTensorImpl | readonly SymbolicTensorImpl[];
type WrapperOf = (build: (x: SymbolicTensorImpl) => unknown, config?: unknown) => SymbolicTensorImpl | readonly SymbolicTensorImpl[];

/**
 * Makes one layer call from a class name, its config (the method's options)
 * and its input tensors, through the public building API: every rule is
 * checked again and the name in `config` is kept.
 *
 * @example
 * applyLayerConfig("Dense", [t], { units: 10, activation: "softmax", name: "dense" });
 * applyLayerConfig("Bidirectional", [t], { mergeMode: "concat" }, { className: "LSTM", config: { units: 8 } });
 */
export function applyLayerConfig(
  className: string,
  inputs: readonly SymbolicTensorImpl[],
  config: Record<string, unknown>,
  inner?: InnerCall,
): SymbolicTensorImpl | readonly SymbolicTensorImpl[] {
  const e = entryForClass(className);
  const arity = (n: string, ok: boolean) => {
    if (!ok) fail(`shapewise: ${e.method} '${valueText(config.name)}' takes ${n}, got ${inputs.length} input tensors`);
  };
  switch (e.style) {
    case "input":
      arity("no input tensors", inputs.length === 0);
      return inputImpl(config);
    case "method": {
      arity("one input tensor", inputs.length === 1);
      const fn = (inputs[0] as unknown as Record<string, MethodOf>)[e.method];
      return fn.call(inputs[0], config);
    }
    case "wrapper": {
      arity("one input tensor", inputs.length === 1);
      if (inner === undefined) fail(`shapewise: ${e.method} '${valueText(config.name)}' needs the layer it wraps`);
      const innerEntry = entryForClass(inner.className, `${e.method} '${valueText(config.name)}'`);
      if (innerEntry.style !== "method") fail(`shapewise: ${e.method} cannot wrap a ${inner.className} layer`);
      const fn = (inputs[0] as unknown as Record<string, WrapperOf>)[e.method];
      return fn.call(inputs[0], (x) => (x as unknown as Record<string, MethodOf>)[innerEntry.method].call(x, inner.config), config);
    }
    case "attention": {
      arity("two or three input tensors (query, value, key)", inputs.length === 2 || inputs.length === 3);
      const [query, value, key] = inputs;
      const fn = (query as unknown as Record<string, MethodOf>)[e.method];
      return fn.call(query, key === undefined ? { ...config, value } : { ...config, value, key });
    }
    case "merge": {
      arity("two or more input tensors", inputs.length >= 2);
      return mergeTensors(e.method as MergeKind, [...inputs], config);
    }
    case "model":
      // A nested model has no options to apply: the readers build it from its own layer list first.
      return fail(`shapewise: ${className} '${valueText(config.name)}' is a model; it is built from its own config and applied with apply()`);
  }
}
