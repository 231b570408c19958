/**
 * Weight and activity regularisers as Keras 3 has them (`keras.regularizers`):
 * `L1` adds `l1 * sum(|x|)` to the training loss, `L2` adds `l2 * sum(x^2)`
 * (no factor 1/2), `L1L2` both. A regulariser is plain data, `{ l1 }`,
 * `{ l2 }` or `{ l1, l2 }`, so a model's config, its generated source and its
 * files all hold the same value (type twin: `types/regularizers.ts`).
 */
import { fail, valueText } from "./checks.js";
import type { NonNegativeFactor, Regularizer, RegularizerName } from "../types/regularizers.js";

export type { Regularizer, RegularizerName, RegularizerOption } from "../types/regularizers.js";

/** Keras 3's factor for `L1(...)`, `L2(...)` and the names `"l1"`, `"l2"`, `"l1_l2"` when none is given. */
const DEFAULT_FACTOR = 0.01;

/** The names a layer option takes, as Keras 3's `regularizers.get` reads them. */
export const REGULARIZER_NAMES: readonly RegularizerName[] = ["l1", "l2", "l1l2", "l1_l2"];

/** Keras 3 refuses a factor that is not a finite number at least 0 (`validate_float_arg`). */
function factor(where: string, key: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0)
    fail(`shapewise: ${where} ${key} must be a finite number at least 0, got ${valueText(value)}`);
  return value;
}

/**
 * Makers of the regularisers a layer option takes, with Keras 3's defaults:
 * `l1()` and `l2()` take 0.01; `l1l2({ l1, l2 })` takes 0 for a factor left
 * out (Keras's `L1L2(l2=0.1)` has no L1 part), the name `"l1l2"` 0.01 for both.
 *
 * @example
 * input({ shape: [784] }).dense({ units: 64, kernelRegularizer: regularizers.l2(1e-4) });
 * regularizers.l1l2({ l1: 1e-5, l2: 1e-4 }); // { l1: 0.00001, l2: 0.0001 }
 */
export const regularizers = {
  /**
   * `l1 * sum(|x|)` (Keras `regularizers.L1`).
   *
   * @example
   * regularizers.l1(0.001); // { l1: 0.001 }
   */
  l1<const V extends number>(l1?: NonNegativeFactor<"regularizers.l1", "l1", V>): { readonly l1: number } {
    return { l1: factor("regularizers.l1", "l1", l1 ?? DEFAULT_FACTOR) };
  },
  /**
   * `l2 * sum(x^2)` (Keras `regularizers.L2`).
   *
   * @example
   * regularizers.l2(0.001); // { l2: 0.001 }
   */
  l2<const V extends number>(l2?: NonNegativeFactor<"regularizers.l2", "l2", V>): { readonly l2: number } {
    return { l2: factor("regularizers.l2", "l2", l2 ?? DEFAULT_FACTOR) };
  },
  /**
   * `l1 * sum(|x|) + l2 * sum(x^2)` (Keras `regularizers.L1L2`).
   *
   * @example
   * regularizers.l1l2({ l1: 0.01, l2: 0.01 }); // { l1: 0.01, l2: 0.01 }
   */
  l1l2<const A extends number = 0, const B extends number = 0>(
    config: { l1?: NonNegativeFactor<"regularizers.l1l2", "l1", A>; l2?: NonNegativeFactor<"regularizers.l1l2", "l2", B> } = {},
  ): {
    readonly l1: number;
    readonly l2: number;
  } {
    if (config === null || typeof config !== "object" || Array.isArray(config))
      fail(`shapewise: regularizers.l1l2 expects { l1, l2 }, got ${valueText(config)}`);
    for (const key of Object.keys(config)) if (key !== "l1" && key !== "l2") fail(`shapewise: regularizers.l1l2 has no option '${key}' (options: l1, l2)`);
    return { l1: factor("regularizers.l1l2", "l1", config.l1 ?? 0), l2: factor("regularizers.l1l2", "l2", config.l2 ?? 0) };
  },
};

/**
 * Checks a layer's regulariser option (a name or `{ l1, l2 }`) and returns it
 * as data with its factors, or `undefined` when the option is left out.
 *
 * @example
 * regularizerOption("dense", "kernelRegularizer", "l2"); // { l2: 0.01 }
 * regularizerOption("dense", "kernelRegularizer", { l2: -1 }); // throws "shapewise: dense kernelRegularizer l2 must be a finite number at least 0, got -1"
 */
export function regularizerOption(method: string, key: string, value: unknown): Regularizer | undefined {
  if (value === undefined || value === null) return undefined;
  const where = `${method} ${key}`;
  if (typeof value === "string") {
    if (value === "l1") return { l1: DEFAULT_FACTOR };
    if (value === "l2") return { l2: DEFAULT_FACTOR };
    if (value === "l1l2" || value === "l1_l2") return { l1: DEFAULT_FACTOR, l2: DEFAULT_FACTOR };
    fail(`shapewise: ${where} must be one of ${REGULARIZER_NAMES.map((n) => `'${n}'`).join(", ")} or { l1, l2 }, got ${valueText(value)}`);
  }
  if (typeof value !== "object" || Array.isArray(value)) fail(`shapewise: ${where} must be a regulariser name or { l1, l2 }, got ${valueText(value)}`);
  const o = value as Record<string, unknown>;
  const keys = Object.keys(o);
  for (const k of keys) if (k !== "l1" && k !== "l2") fail(`shapewise: ${where} has no factor '${k}' (factors: l1, l2)`);
  if (keys.length === 0) fail(`shapewise: ${where} needs l1, l2 or both, got {}`);
  const out: { l1?: number; l2?: number } = {};
  if ("l1" in o) out.l1 = factor(where, "l1", o.l1);
  if ("l2" in o) out.l2 = factor(where, "l2", o.l2);
  return out;
}

/**
 * The penalty `l1 * sum(|x|) + l2 * sum(x^2)` of `values`, summed in float64.
 *
 * @example
 * regularizerPenalty({ l2: 0.5 }, new Float32Array([1, 2])); // 2.5
 */
export function regularizerPenalty(r: Regularizer, values: ArrayLike<number>): number {
  const l1 = r.l1 ?? 0;
  const l2 = r.l2 ?? 0;
  let abs = 0;
  let squares = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    abs += Math.abs(v);
    squares += v * v;
  }
  return l1 * abs + l2 * squares;
}

/**
 * Adds `scale` times the penalty's gradient, `l1 * sign(x) + 2 * l2 * x`, to
 * `into` (the sign of 0 is 0, as the gradient of `abs` is in TensorFlow).
 *
 * @example
 * addRegularizerGradient({ l2: 0.5 }, weights, gradient);
 */
export function addRegularizerGradient(r: Regularizer, values: ArrayLike<number>, into: Float32Array, scale = 1): void {
  const l1 = (r.l1 ?? 0) * scale;
  const l2 = 2 * (r.l2 ?? 0) * scale;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    into[i] += l1 * Math.sign(v) + l2 * v;
  }
}

/** Keras 3 divides an activity penalty by the output's batch size (and gives 0 for an empty batch); a scalar output is not divided. */
function perSample(output: { readonly shape: readonly number[] }): number {
  if (output.shape.length === 0) return 1;
  const batch = output.shape[0];
  return batch > 0 ? 1 / batch : 0;
}

/**
 * The penalty an activity regulariser adds for one output of a call,
 * divided by its batch size as Keras 3 divides it.
 *
 * @example
 * activityPenalty({ l1: 0.5 }, { shape: [2, 1], data: new Float32Array([1, -3]) }); // 0.5 * 4 / 2 = 1
 */
export function activityPenalty(r: Regularizer, output: { readonly shape: readonly number[]; readonly data: ArrayLike<number> }): number {
  return regularizerPenalty(r, output.data) * perSample(output);
}

/**
 * Adds the gradient of {@link activityPenalty} with respect to the output to `into`.
 *
 * @example
 * addActivityGradient({ l1: 0.5 }, y, dY);
 */
export function addActivityGradient(r: Regularizer, output: { readonly shape: readonly number[]; readonly data: ArrayLike<number> }, into: Float32Array): void {
  addRegularizerGradient(r, output.data, into, perSample(output));
}

/**
 * The Keras 3 class of a regulariser: `L1` or `L2` when it has one factor, `L1L2` when both.
 *
 * @example
 * regularizerClass({ l2: 0.01 }); // "L2"
 */
export function regularizerClass(r: Regularizer): "L1" | "L2" | "L1L2" {
  if (r.l1 !== undefined && r.l2 !== undefined) return "L1L2";
  return r.l1 !== undefined ? "L1" : "L2";
}

/**
 * A regulariser as TensorFlow.js 4.x writes one: always its `L1L2` class.
 *
 * @example
 * regularizerToTfjs({ l2: 0.01 }); // { class_name: "L1L2", config: { l1: 0, l2: 0.01 } }
 */
export function regularizerToTfjs(r: unknown): Record<string, unknown> | null {
  if (r === undefined || r === null) return null;
  const { l1, l2 } = r as Regularizer;
  return { class_name: "L1L2", config: { l1: l1 ?? 0, l2: l2 ?? 0 } };
}

/**
 * A regulariser as Keras 3 serialises one (`keras.regularizers.L1`, `L2` or `L1L2`).
 *
 * @example
 * regularizerToKeras({ l2: 0.01 }); // { module: "keras.regularizers", class_name: "L2", config: { l2: 0.01 }, registered_name: null }
 */
export function regularizerToKeras(r: unknown): Record<string, unknown> | null {
  if (r === undefined || r === null) return null;
  const reg = r as Regularizer;
  const cls = regularizerClass(reg);
  const config = cls === "L1" ? { l1: reg.l1 } : cls === "L2" ? { l2: reg.l2 } : { l1: reg.l1, l2: reg.l2 };
  return { module: "keras.regularizers", class_name: cls, config, registered_name: null };
}

/**
 * A regulariser read from a TensorFlow.js or Keras 3 file (`{ class_name, config }`,
 * or a name), checked as a layer option is.
 *
 * @example
 * regularizerFromFile({ class_name: "L1L2", config: { l1: 0, l2: 0.01 } }, "layer 'dense' kernel_regularizer"); // { l1: 0, l2: 0.01 }
 */
export function regularizerFromFile(value: unknown, where: string): Regularizer | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return regularizerOption(where, "name", value.toLowerCase());
  if (typeof value !== "object" || Array.isArray(value)) fail(`shapewise: ${where} must be a regulariser, got ${valueText(value)}`);
  const o = value as Record<string, unknown>;
  const cls = o.class_name;
  const config = (o.config ?? {}) as Record<string, unknown>;
  if (config === null || typeof config !== "object" || Array.isArray(config)) fail(`shapewise: ${where} config must be an object, got ${valueText(o.config)}`);
  const take = (key: "l1" | "l2", fallback: number) => factor(where, key, config[key] ?? fallback);
  // Keras 3's classes default as their constructors do; TensorFlow.js writes both factors.
  if (cls === "L1") return { l1: take("l1", DEFAULT_FACTOR) };
  if (cls === "L2") return { l2: take("l2", DEFAULT_FACTOR) };
  if (cls === "L1L2") return { l1: take("l1", 0), l2: take("l2", 0) };
  return fail(`shapewise: ${where} class ${valueText(cls)} is not supported (shapewise reads L1, L2 and L1L2)`);
}
