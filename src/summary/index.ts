/**
 * `model.summary()` text in the style of tf.keras 2, Keras 3 or TensorFlow.js.
 */
import type { TrainingMemoryOptions } from "../cost-training.js";
import { valueText } from "../checks.js";
import { formatKeras2 } from "./keras2.js";
import { KERAS3_TOO_NARROW, formatKeras3 } from "./keras3.js";
import type { SummaryData } from "./rows.js";
import { formatTfjs } from "./tfjs.js";

export { formatKeras2 } from "./keras2.js";
export type { Keras2Era, Keras2Options } from "./keras2.js";
export { formatKeras3 } from "./keras3.js";
export type { Keras3Options } from "./keras3.js";
export { formatTfjs } from "./tfjs.js";
export type { TfjsOptions } from "./tfjs.js";
export type { StyleNames, SummaryConnection, SummaryData, SummaryDim, SummaryRow } from "./rows.js";

/**
 * `"keras2"`: tf.keras 2.7–2.12 (the default); `"keras3"`: the rich box table
 * Keras 3 prints outside a terminal; `"tfjs"`: TensorFlow.js 4.22.
 */
export type SummaryStyle = "keras2" | "keras3" | "tfjs";

/** Options of `model.summary()` and {@link formatSummary}. */
export interface SummaryOptions {
  /** Default `"keras2"`. */
  style?: SummaryStyle;
  /** Width of the table; each style has its own default. */
  lineLength?: number;
  /**
   * Column ends, one per column, strictly increasing: fractions of the line
   * length (last ≤ 1), or, for keras2 and tfjs, absolute integer positions.
   */
  positions?: readonly number[];
  /**
   * Which tf.keras 2 layout the `"keras2"` style prints: `"2.12"` (2.7–2.12,
   * the default), `"2.6"` (2.0–2.6, truncating rows) or `"2.15"` (2.13–2.15,
   * memory sizes in the totals).
   */
  keras2Era?: "2.6" | "2.12" | "2.15";
  /**
   * A `MACs` column after `Param #` (multiply-accumulates per sample, by each
   * layer's counting rule) and a `Total MACs` line under the totals; default
   * `false`, which leaves every style's text as its framework prints it.
   */
  flops?: boolean;
  /**
   * Parameter bytes and the activation bytes `predict` keeps alive at its
   * peak per sample, under the totals; default `false`. With
   * `{ training: { optimizer } }`, also what one training step keeps at
   * batch 1 (see `Model.memory`).
   */
  memory?: boolean | { readonly training: TrainingMemoryOptions };
  /** Receives each line; used by `model.summary()`, not by {@link formatSummary}. */
  printFn?: (line: string) => void;
}

const STYLES: readonly SummaryStyle[] = ["keras2", "keras3", "tfjs"];
/** Every option of a summary: a misspelt or foreign one (`lineLenght`, `expandNested`) is refused, not ignored. */
const SUMMARY_OPTIONS: readonly (keyof SummaryOptions)[] = ["style", "lineLength", "positions", "keras2Era", "flops", "memory", "printFn"];
/** The widest table a summary prints: a line length past it would only spend memory on padding. */
const MAX_LINE_LENGTH = 10_000;
const ERAS: readonly string[] = ["2.6", "2.12", "2.15"];

/**
 * The summary lines of a model in the chosen style, after checking the options
 * (plain JavaScript callers get a sentence, not a garbled table). The text a
 * framework prints is `lines.join("\n") + "\n"`. `printFn` is checked but not
 * called: printing is the caller's job.
 *
 * @example
 * formatSummary(data);                                      // tf.keras 2.7–2.12 layout
 * formatSummary(data, { style: "keras3", lineLength: 88 }); // rich table, wide terminal
 * formatSummary(data, { style: "tfjs", positions: [0.3, 0.6, 0.9, 1] });
 */
export function formatSummary(data: SummaryData, options: SummaryOptions = {}): string[] {
  if (typeof options !== "object" || options === null) {
    throw new Error(`shapewise: summary options must be an object, got ${valueText(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!(SUMMARY_OPTIONS as readonly string[]).includes(key)) {
      throw new Error(`shapewise: summary has no option '${key}' (options: ${SUMMARY_OPTIONS.join(", ")})`);
    }
  }
  const { style = "keras2", lineLength, positions, printFn, keras2Era, flops = false, memory = false } = options;
  if (!STYLES.includes(style)) {
    throw new Error(`shapewise: summary option style must be one of ${STYLES.map((s) => `"${s}"`).join(", ")}, got ${valueText(style)}`);
  }
  if (lineLength !== undefined && !(typeof lineLength === "number" && Number.isSafeInteger(lineLength) && lineLength > 0)) {
    throw new Error(`shapewise: summary option lineLength must be a positive integer, got ${valueText(lineLength)}`);
  }
  if (lineLength !== undefined && lineLength > MAX_LINE_LENGTH) {
    throw new Error(`shapewise: summary option lineLength must be at most ${MAX_LINE_LENGTH}, got ${lineLength}`);
  }
  if (typeof flops !== "boolean") throw new Error(`shapewise: summary option flops must be true or false, got ${valueText(flops)}`);
  const memoryObject = typeof memory === "object" && memory !== null && !Array.isArray(memory) && Object.keys(memory).join() === "training";
  if (typeof memory !== "boolean" && !memoryObject) {
    throw new Error(`shapewise: summary option memory must be true, false or { training: { optimizer } }, got ${valueText(memory)}`);
  }
  if (positions !== undefined) checkPositions(positions, style, data.sequentialLike, flops);
  if (printFn !== undefined && typeof printFn !== "function") {
    throw new Error(`shapewise: summary option printFn must be a function, got ${valueText(printFn)}`);
  }
  if (keras2Era !== undefined && !ERAS.includes(keras2Era)) {
    throw new Error(`shapewise: summary option keras2Era must be one of ${ERAS.map((e) => `"${e}"`).join(", ")}, got ${valueText(keras2Era)}`);
  }
  const layout = { lineLength, positions, flops, memory: memory !== false };
  switch (style) {
    case "keras2":
      return formatKeras2(data, { ...layout, era: keras2Era });
    case "keras3":
      return narrowKeras3(() => formatKeras3(data, layout), lineLength, positions);
    case "tfjs":
      return formatTfjs(data, layout);
  }
}

function checkPositions(positions: unknown, style: SummaryStyle, sequentialLike: boolean, flops: boolean): void {
  const fail = (rule: string): never => {
    throw new Error(`shapewise: summary option positions must ${rule}, got ${valueText(positions)}`);
  };
  const count = (style === "tfjs" ? 4 : 3) + (sequentialLike ? 0 : 1) + (flops ? 1 : 0);
  const model = sequentialLike ? "a sequential-like model" : "a model with a Connected to column";
  if (!Array.isArray(positions) || positions.length !== count) {
    fail(`be an array of ${count} numbers for the ${style} style and ${model}`);
  }
  const list = positions as unknown[];
  if (!list.every((p): p is number => typeof p === "number" && Number.isFinite(p) && p > 0)) {
    fail("hold positive finite numbers");
  }
  const values = list as number[];
  if (!values.every((p, i) => i === 0 || p > values[i - 1])) fail("be strictly increasing");
  const relative = values[values.length - 1] <= 1;
  if (style === "keras3" && !relative) fail("be fractions of the line length (at most 1) for the keras3 style");
  if (!relative && !values.every(Number.isInteger)) fail("be integers when absolute (last one above 1)");
  if (!relative && values[values.length - 1] > MAX_LINE_LENGTH) fail(`end at most at column ${MAX_LINE_LENGTH} when absolute`);
}

/**
 * The Keras 3 table, with Keras's own refusal of a width too narrow for its
 * columns made a sentence that names the options and their values.
 */
function narrowKeras3(format: () => string[], lineLength: number | undefined, positions: readonly number[] | undefined): string[] {
  try {
    return format();
  } catch (error) {
    const given = [lineLength === undefined ? "" : `lineLength ${lineLength}`, positions === undefined ? "" : `positions ${valueText(positions)}`]
      .filter((g) => g !== "")
      .join(" with ");
    if (given !== "" && error instanceof Error && error.message === KERAS3_TOO_NARROW) {
      throw new Error(`shapewise: summary option ${given} is too narrow for the columns of this model's keras3 table (Keras: ${KERAS3_TOO_NARROW})`);
    }
    throw error;
  }
}
