/**
 * The one place a layer is declared, after tfjs-layers' `registerClass`:
 * each family file registers every layer class right after defining it,
 * with its Keras class name, the method that makes it, how that is called,
 * the options it takes, and what each file format does with it. Every
 * catalog is derived from these registrations: the methods of symbolic
 * tensors and of `layers`, the io layer registry that file readers and
 * codegen read, and each format's list of the classes it writes or refuses.
 */
import type { Writer as KerasWriter } from "../io/keras/json-writers.js";
import type { ConfigWriter as TfjsWriter } from "../io/tfjs/config-writers.js";
import type { Mapping as OnnxMapping } from "../io/onnx/builder.js";
import type { SymbolicTensorImpl } from "../symbolic-tensor.js";
import type { Layer } from "./layer.js";

/**
 * How a layer is made:
 * - `"input"`: the `input({ shape, name })` function;
 * - `"method"`: a method of the tensor it is applied to, `t.dense(config)`;
 * - `"wrapper"`: a method taking a callback that makes the wrapped layer,
 *   `t.bidirectional((x) => x.lstm(inner), config)`;
 * - `"attention"`: `query.multiHeadAttention({ ...config, value, key })`;
 * - `"merge"`: a function of a list of tensors, `add([a, b], config)`;
 * - `"model"`: a model applied as a layer (`Functional`, `Sequential`, and
 *   TensorFlow.js's `Model`), `inner.apply(x)`: file readers build the inner
 *   model from its own config first, writers write its whole config.
 *
 * @example
 * const style: CallStyle = "method";
 */
export type CallStyle = "input" | "method" | "wrapper" | "attention" | "merge" | "model";

/**
 * What a file format does with a layer class: `true` when the format's
 * writer writes it, otherwise the sentence that says why the format refuses
 * it (the error names the layer and its class before it).
 *
 * @example
 * const tfjs: FormatSupport = "TensorFlow.js 4.22 has no Conv1DTranspose layer";
 */
export type FormatSupport = true | string;

/**
 * The layer families, in catalog order: one file each in `src/layers/` and
 * `types/layers/` (`input` holds the input layer alone).
 *
 * @example
 * LAYER_FAMILIES.includes("pooling"); // true
 */
export const LAYER_FAMILIES = [
  "input",
  "convolutional",
  "pooling",
  "reshaping",
  "core",
  "normalization",
  "regularization",
  "activations",
  "preprocessing",
  "recurrent",
  "attention",
  "merging",
] as const;

/**
 * One layer family.
 *
 * @example
 * const family: LayerFamily = "convolutional";
 */
export type LayerFamily = (typeof LAYER_FAMILIES)[number];

/** A symbolic-tensor method that applies a layer (a layer with several outputs returns them all). */
export type LayerMethod = (this: SymbolicTensorImpl, ...args: never[]) => SymbolicTensorImpl | readonly SymbolicTensorImpl[];

/**
 * One layer class, declared once.
 *
 * @example
 * registerLayer({
 *   family: "core", className: "Dense", method: "dense", style: "method", options: ["units", "activation", "useBias", "name"],
 *   make: (config) => new Dense(config), formats: EVERY_FORMAT, writers: { tfjs: tfjs.dense, keras: keras.dense },
 * });
 */
export interface LayerRegistration {
  /** The family file that declares the class: `src/layers/<family>.ts`, `types/layers/<family>.ts`. */
  readonly family: LayerFamily;
  /** Keras (and TensorFlow.js) class name. */
  readonly className: string;
  /** The shapewise method (or function) that makes the layer. */
  readonly method: string;
  /** Other names of the same method (`maxPool2d` for `maxPooling2d`). */
  readonly aliases?: readonly string[];
  readonly style: CallStyle;
  /** Every option the method takes, in the order error messages list them. */
  readonly options: readonly string[];
  /** Makes the layer from the method's options: the method is then `t.applyLayer(make(config))`. */
  readonly make?: (config: unknown) => Layer;
  /** The method itself, for layers applied otherwise (several outputs, callbacks, several inputs). */
  readonly apply?: LayerMethod;
  /** TensorFlow.js 4.22 layers-model, Keras 3 JSON and ONNX. */
  readonly formats: { readonly tfjs: FormatSupport; readonly keras: FormatSupport; readonly onnx: FormatSupport };
  /**
   * The config writer of each JSON format that writes the class, and its
   * ONNX mapping: present exactly where `formats` says the format writes it,
   * except for the input layer, and for wrappers in the JSON formats, whose
   * own topology writers write them.
   */
  readonly writers?: { readonly tfjs?: TfjsWriter; readonly keras?: KerasWriter; readonly onnx?: OnnxMapping };
}

/**
 * Written by every format: the common case.
 *
 * @example
 * registerLayer({ ..., formats: EVERY_FORMAT });
 */
export const EVERY_FORMAT = Object.freeze({ tfjs: true, keras: true, onnx: true } as const);

/**
 * Written to Keras JSON and ONNX; TensorFlow.js 4.22 refuses the class.
 *
 * @example
 * registerLayer({ className: "Conv1DTranspose", ..., formats: notInTfjs("Conv1DTranspose") });
 */
export function notInTfjs(className: string): LayerRegistration["formats"] {
  return Object.freeze({ tfjs: `TensorFlow.js 4.22 has no ${className} layer`, keras: true, onnx: true });
}

/**
 * The two JSON formats' config writer modules and the ONNX mappings, each
 * exporting a layer's writer under the layer's method name (`tfjs.maxPooling2d`).
 *
 * @example
 * const modules: WriterModules = { tfjs, keras, onnx };
 */
export interface WriterModules {
  readonly tfjs: object;
  readonly keras: object;
  readonly onnx: object;
}

/**
 * Registers one layer of a family in the family's call style: every
 * format and the writers named after the method, unless `more` says
 * otherwise (aliases, a format's refusal, a method of its own for layers
 * applied otherwise than `t.applyLayer(new layer(config))`).
 *
 * @example
 * registerReshaping("Flatten", Flatten, "flatten", ["dataFormat", "name"]);
 */
export type MethodRegistrar = (
  className: string,
  layer: new (config: unknown) => Layer,
  method: string,
  options: readonly string[],
  more?: RegistrationExtras,
) => LayerRegistration;

/**
 * What a family's registrar takes beyond the class, its method and options:
 * aliases, a format's refusal, a method of its own, an ONNX mapping several
 * classes share.
 *
 * @example
 * const more: RegistrationExtras = { aliases: ["maxPool2d"], onnx: onnx.pooling };
 */
export type RegistrationExtras = Partial<Pick<LayerRegistration, "aliases" | "formats" | "apply">> & { readonly onnx?: OnnxMapping };

/**
 * The registrar of a family's layers that are methods of the tensor they
 * apply to (`t.maxPooling2d(config)`), the common case, or, with `style`
 * `"merge"`, functions of a list of tensors (`add([a, b])`): one line a class.
 * A format that writes the class finds its writer in `writers` under the
 * method's name, or, for an ONNX mapping several classes share, in
 * `more.onnx`; {@link registerLayer} refuses the class if one is missing.
 *
 * @example
 * const registerPooling = layerRegistrar("pooling", { tfjs, keras, onnx });
 */
export function layerRegistrar(family: LayerFamily, writers: WriterModules, style: "method" | "merge" = "method"): MethodRegistrar {
  const writerOf = (format: keyof WriterModules, method: string, formats: LayerRegistration["formats"]) => {
    const writer: unknown =
      formats[format] === true && Object.hasOwn(writers[format], method) ? (writers[format] as Record<string, unknown>)[method] : undefined;
    return typeof writer === "function" ? writer : undefined;
  };
  return (className, layer, method, options, { onnx: sharedMapping, ...more } = {}) => {
    const formats = more.formats ?? EVERY_FORMAT;
    const tfjs = writerOf("tfjs", method, formats) as TfjsWriter | undefined;
    const keras = writerOf("keras", method, formats) as KerasWriter | undefined;
    const onnx = formats.onnx === true ? (sharedMapping ?? (writerOf("onnx", method, formats) as OnnxMapping | undefined)) : undefined;
    const make = (config: unknown) => new layer(config);
    return registerLayer({ family, className, method, style, options, make, ...more, formats, writers: { tfjs, keras, onnx } });
  };
}

/**
 * What a variant's registration takes: the registrar's extras, or
 * `inTfjs: false` for a class TensorFlow.js 4.22 lacks ({@link notInTfjs}).
 *
 * @example
 * const more: VariantExtras = { inTfjs: false, onnx: onnx.pooling };
 */
export type VariantExtras = RegistrationExtras & { readonly inTfjs?: false };

/**
 * The maker of a family's layer classes that are one shared base with fixed
 * leading arguments (the rank variants of a convolution, a pooling, a
 * padding): each call makes the class, registers it through `register` with
 * the base's options and `more`, and returns it, so that one line declares
 * and registers one layer class.
 *
 * @example
 * const pooling = variantsOf(registerPooling, PoolingND, () => POOL_OPTIONS);
 * export const MaxPooling2D = pooling("MaxPooling2D", "maxPooling2d", [2, "max"], { aliases: ["maxPool2d"], onnx: onnx.pooling });
 * new MaxPooling2D({ poolSize: 2 }) instanceof MaxPooling2D; // true
 */
export function variantsOf<M extends string, A extends readonly unknown[], L extends Layer>(
  register: MethodRegistrar,
  base: abstract new (className: string, method: M, ...rest: [...A, unknown]) => L,
  options: (...args: A) => readonly string[],
): <const N extends string>(className: N, method: M, args: A, more?: VariantExtras) => new (config?: unknown) => L & { readonly className: N } {
  return (className, method, args, { inTfjs, ...more } = {}) => {
    // The base is abstract only to TypeScript: the class made here is the concrete one.
    const Base = base as unknown as new (...args: unknown[]) => object;
    const Variant = class extends Base {
      readonly className = className;
      constructor(config?: unknown) {
        super(className, method, ...args, config);
      }
    };
    Object.defineProperty(Variant, "name", { value: className });
    const formats = inTfjs === false ? { formats: notInTfjs(className) } : {};
    register(className, Variant as unknown as new (config: unknown) => Layer, method, options(...args), { ...more, ...formats });
    return Variant as unknown as new (
      config?: unknown,
    ) => L & { readonly className: typeof className };
  };
}

const REGISTRATIONS: LayerRegistration[] = [];
// A Map rather than an object: a hostile class name such as `__proto__` finds nothing.
const BY_CLASS = new Map<string, LayerRegistration>();

/**
 * Declares a layer class (family files call it once per class, beside it).
 *
 * @example
 * registerLayer({ family: "reshaping", className: "Flatten", method: "flatten", style: "method", options: ["dataFormat", "name"], make: (c) => new Flatten(c), formats: EVERY_FORMAT });
 */
export function registerLayer(registration: LayerRegistration): LayerRegistration {
  if (BY_CLASS.has(registration.className)) throw new Error(`shapewise: layer class ${registration.className} is registered twice`);
  for (const format of ["tfjs", "keras", "onnx"] as const) {
    const ownWriter = registration.style !== "input" && (format === "onnx" || registration.style !== "wrapper");
    const writes = registration.formats[format] === true && ownWriter;
    if (writes !== (registration.writers?.[format] !== undefined)) {
      throw new Error(
        `shapewise: layer class ${registration.className} ${writes ? "needs" : "must not have"} ${format === "onnx" ? "an ONNX mapping" : `a ${format} config writer`} (formats.${format} is ${JSON.stringify(registration.formats[format])})`,
      );
    }
  }
  const frozen = Object.freeze({
    ...registration,
    options: Object.freeze([...registration.options]),
    aliases: Object.freeze([...(registration.aliases ?? [])]),
    formats: Object.freeze({ ...registration.formats }),
    writers: Object.freeze({ ...registration.writers }),
  });
  REGISTRATIONS.push(frozen);
  BY_CLASS.set(frozen.className, frozen);
  return frozen;
}

/**
 * Every registered layer class in catalog order: by family (as
 * {@link LAYER_FAMILIES} lists them), then as each family file declares
 * them. Only the families loaded so far are there: importing
 * `src/layer-methods.ts` loads them all.
 *
 * @example
 * layerRegistrations().filter((r) => r.formats.tfjs === true).map((r) => r.className);
 */
export function layerRegistrations(): readonly LayerRegistration[] {
  return LAYER_FAMILIES.flatMap((family) => REGISTRATIONS.filter((r) => r.family === family));
}

/**
 * The registration of a class name, `undefined` for one never registered.
 *
 * @example
 * registrationOf("Conv2D")?.method; // "conv2d"
 */
export function registrationOf(className: string): LayerRegistration | undefined {
  return BY_CLASS.get(className);
}

/**
 * The symbolic-tensor method of a registration: its own, or one that
 * applies the layer `make` builds; `undefined` for layers that are not
 * methods (the input, merges).
 *
 * @example
 * methodOf(registrationOf("Dense")!)!.call(t, { units: 4 }); // t.dense({ units: 4 })
 */
export function methodOf(registration: LayerRegistration): LayerMethod | undefined {
  if (registration.apply !== undefined) return registration.apply;
  const make = registration.make;
  if (make === undefined || registration.style !== "method") return undefined;
  let method = MADE_METHODS.get(registration);
  if (method === undefined) {
    method = function (this: SymbolicTensorImpl, config?: unknown): SymbolicTensorImpl {
      return this.applyLayer(make(config));
    } as LayerMethod;
    MADE_METHODS.set(registration, method);
  }
  return method;
}

/** One method per registration, so a method and its aliases are the same function. */
const MADE_METHODS = new WeakMap<LayerRegistration, LayerMethod>();
