/**
 * TensorFlow.js `model.summary()` (`tfjs-layers/src/utils/layer_utils.ts::printSummary`, 4.22).
 */
import { absolutePositions, connectionLabel, truncatingRow } from "./format.js";
import type { SummaryData, SummaryRow } from "./rows.js";

/** Options of {@link formatTfjs}. */
export interface TfjsOptions {
  /** Width of the rules; default 90 for sequential-like models, 115 otherwise. */
  readonly lineLength?: number;
  /** Column ends, relative (last ≤ 1, floored after scaling) or absolute; one per column. */
  readonly positions?: readonly number[];
}

/**
 * The lines TensorFlow.js prints for `model.summary()`: no title, an
 * `Input Shape` column, JSON shapes, no thousands separators. The printed text
 * is `lines.join("\n") + "\n"`.
 *
 * @example
 * formatTfjs(data)[3];
 * // "conv2d_Conv2D1 (Conv2D)     [[null,28,28,1]]          [null,26,26,32]           320       "
 */
export function formatTfjs(data: SummaryData, options: TfjsOptions = {}): string[] {
  const sequentialLike = data.sequentialLike;
  const lineLength = options.lineLength ?? (sequentialLike ? 90 : 115);
  const defaults = sequentialLike ? [0.32, 0.61, 0.89, 1] : [0.24, 0.48, 0.7, 0.8, 1];
  const positions = absolutePositions(options.positions ?? defaults, lineLength);
  const header = ["Layer (type)", "Input Shape", "Output shape", "Param #"];
  if (!sequentialLike) header.push("Receives inputs");

  const lines = ["_".repeat(lineLength), truncatingRow(header, positions), "=".repeat(lineLength)];
  data.rows.forEach((row, i) => {
    const fields = layerFields(row);
    if (sequentialLike) {
      lines.push(truncatingRow(fields, positions));
    } else {
      const connections = row.inbound.map((c) => connectionLabel(c, "tfjs"));
      lines.push(truncatingRow([...fields, connections[0] ?? ""], positions));
      for (const c of connections.slice(1)) lines.push(truncatingRow(["", "", "", "", c], positions));
    }
    lines.push((i === data.rows.length - 1 ? "=" : "_").repeat(lineLength));
  });
  lines.push(
    `Total params: ${data.totalParams}`,
    `Trainable params: ${data.trainableParams}`,
    `Non-trainable params: ${data.nonTrainableParams}`,
    "_".repeat(lineLength),
  );
  return lines;
}

function layerFields(row: SummaryRow): string[] {
  // TF.js prints the list of shapes the layer's inbound node receives, input layers included.
  return [`${row.names.tfjs} (${row.className})`, JSON.stringify(row.inputShapes), JSON.stringify(row.outputShapes !== undefined && row.outputShapes.length > 1 ? row.outputShapes : row.outputShape), String(row.params)];
}
