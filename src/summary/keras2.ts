/**
 * tf.keras 2.x `model.summary()` (`keras/utils/layer_utils.py::print_summary`)
 * in its three layouts: ≤ 2.6 (truncating), 2.7–2.12 (wrapping, the project's
 * default style) and 2.13–2.15 (wrapping with the cutoff fix and memory sizes).
 */
import {
  KERAS2_MEMORY_UNITS,
  absolutePositions,
  connectionLabel,
  costFooter,
  macsCell,
  MACS_COLUMN_WIDTH,
  withMacsColumn,
  pythonStrList,
  pythonTuple,
  readableMemorySize,
  thousands,
  truncatingRow,
  wrappingRow,
} from "./format.js";
import { displayText } from "../display-text.js";
import type { SummaryData, SummaryRow } from "./rows.js";

/** Which tf.keras release's layout to print. */
export type Keras2Era = "2.6" | "2.12" | "2.15";

/** Options of {@link formatKeras2}. */
export interface Keras2Options {
  /** Width of the rules; default 65 for sequential-like models, 98 otherwise. */
  readonly lineLength?: number;
  /** Column ends, relative (last ≤ 1) or absolute; one per column. */
  readonly positions?: readonly number[];
  /** Default `"2.12"` (tf.keras 2.7–2.12). */
  readonly era?: Keras2Era;
  /** A `MACs` column after `Param #` and a `Total MACs` line (default `false`). */
  readonly flops?: boolean;
  /** Parameter and activation bytes under the totals (default `false`). */
  readonly memory?: boolean;
}

const ERAS: readonly Keras2Era[] = ["2.6", "2.12", "2.15"];

/**
 * The lines tf.keras 2.x prints for `model.summary()`, without line breaks;
 * the printed text is `lines.join("\n") + "\n"`.
 *
 * @example
 * formatKeras2(data);                  // tf.keras 2.7–2.12 layout
 * formatKeras2(data, { era: "2.15" }); // "Total params: 104202 (407.04 KB)"
 * formatKeras2(data, { era: "2.6" });  // "max_pooling2d_1 (MaxPooling2 (None, 5, 5, 64) ..."
 */
export function formatKeras2(data: SummaryData, options: Keras2Options = {}): string[] {
  const era = options.era ?? "2.12";
  if (!ERAS.includes(era)) {
    throw new Error(`shapewise: keras2 summary era must be one of ${ERAS.map((e) => `"${e}"`).join(", ")}, got ${JSON.stringify(era)}`);
  }
  const sequentialLike = data.sequentialLike;
  const flops = options.flops === true;
  const baseLength = sequentialLike ? 65 : 98;
  const lineLength = options.lineLength ?? baseLength + (flops ? MACS_COLUMN_WIDTH : 0);
  const defaults = sequentialLike ? [0.45, 0.85, 1] : era === "2.15" ? [0.3, 0.6, 0.7, 1] : [0.33, 0.55, 0.67, 1];
  // The MACs column goes after Param #, the layout of the other columns unchanged.
  const positions =
    options.positions !== undefined
      ? absolutePositions(options.positions, lineLength)
      : flops
        ? withMacsColumn(absolutePositions(defaults, options.lineLength === undefined ? baseLength : lineLength - MACS_COLUMN_WIDTH), 2)
        : absolutePositions(defaults, lineLength);
  const header = ["Layer (type)", "Output Shape", "Param #"];
  if (flops) header.push("MACs");
  if (!sequentialLike) header.push("Connected to");
  const blank = flops ? ["", "", "", ""] : ["", "", ""];

  const lines = [`Model: "${displayText(data.names.keras2)}"`, "_".repeat(lineLength)];
  if (era === "2.6") {
    lines.push(truncatingRow(header, positions), "=".repeat(lineLength));
    data.rows.forEach((row, i) => {
      const connections = row.inbound.map((c) => displayText(connectionLabel(c, "keras2")));
      const fields = layerFields(data, row, flops);
      // One row per connection: the first beside the layer, the rest below it.
      lines.push(truncatingRow(sequentialLike ? fields : [...fields, connections[0] ?? ""], positions));
      if (!sequentialLike) for (const c of connections.slice(1)) lines.push(truncatingRow([...blank, c], positions));
      lines.push((i === data.rows.length - 1 ? "=" : "_").repeat(lineLength));
    });
  } else {
    const cutoffFix = era === "2.15";
    lines.push(...wrappingRow(header, positions, cutoffFix), "=".repeat(lineLength));
    for (const row of data.rows) {
      const fields = layerFields(data, row, flops);
      // 2.7+ prints the whole Python list, which wraps at `',`.
      if (!sequentialLike) fields.push(pythonStrList(row.inbound.map((c) => connectionLabel(c, "keras2"))));
      lines.push(...wrappingRow(fields, positions, cutoffFix), " ".repeat(lineLength));
    }
    lines.push("=".repeat(lineLength));
  }

  if (era === "2.15") {
    const memory = (count: number) => readableMemorySize(count * data.bytesPerParam, KERAS2_MEMORY_UNITS);
    lines.push(
      `Total params: ${data.totalParams} (${memory(data.totalParams)})`,
      `Trainable params: ${data.trainableParams} (${memory(data.trainableParams)})`,
      `Non-trainable params: ${data.nonTrainableParams} (${memory(data.nonTrainableParams)})`,
    );
  } else {
    lines.push(
      `Total params: ${thousands(data.totalParams)}`,
      `Trainable params: ${thousands(data.trainableParams)}`,
      `Non-trainable params: ${thousands(data.nonTrainableParams)}`,
    );
  }
  lines.push(...costFooter(data, options));
  lines.push("_".repeat(lineLength));
  return lines;
}

function layerFields(data: SummaryData, row: SummaryRow, flops: boolean): string[] {
  // A layer with several outputs prints Python's list of tuples, as tf.keras's `output_shape` is one.
  const several = row.outputShapes !== undefined && row.outputShapes.length > 1;
  const shape = several ? `[${row.outputShapes!.map(pythonTuple).join(", ")}]` : pythonTuple(row.outputShape);
  // A functional model's InputLayer reports its output_shape as a one-element list.
  const outputShape = row.isInput && data.kind === "functional" ? `[${shape}]` : shape;
  const fields = [displayText(`${row.names.keras2} (${row.className})`), outputShape, String(row.params)];
  if (flops) fields.push(macsCell(row));
  return fields;
}
