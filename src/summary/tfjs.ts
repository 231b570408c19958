/**
 * TensorFlow.js `model.summary()` (`tfjs-layers/src/utils/layer_utils.ts::printSummary`, 4.22).
 */
import { MACS_COLUMN_WIDTH, absolutePositions, connectionLabel, costFooter, macsCell, truncatingRow, withMacsColumn } from "./format.js";
import { displayText } from "../display-text.js";
import type { SummaryData, SummaryRow } from "./rows.js";

/** Options of {@link formatTfjs}. */
export interface TfjsOptions {
  /** Width of the rules; default 90 for sequential-like models, 115 otherwise. */
  readonly lineLength?: number;
  /** Column ends, relative (last ≤ 1, floored after scaling) or absolute; one per column. */
  readonly positions?: readonly number[];
  /** A `MACs` column after `Param #` and a `Total MACs` line (default `false`). */
  readonly flops?: boolean;
  /** Parameter and activation bytes under the totals (default `false`). */
  readonly memory?: boolean;
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
  const flops = options.flops === true;
  const baseLength = sequentialLike ? 90 : 115;
  const lineLength = options.lineLength ?? baseLength + (flops ? MACS_COLUMN_WIDTH : 0);
  const defaults = sequentialLike ? [0.32, 0.61, 0.89, 1] : [0.24, 0.48, 0.7, 0.8, 1];
  // The MACs column goes after Param #, the layout of the other columns unchanged.
  const positions =
    options.positions !== undefined
      ? absolutePositions(options.positions, lineLength)
      : flops
        ? withMacsColumn(absolutePositions(defaults, lineLength - MACS_COLUMN_WIDTH), 3)
        : absolutePositions(defaults, lineLength);
  const header = ["Layer (type)", "Input Shape", "Output shape", "Param #"];
  if (flops) header.push("MACs");
  if (!sequentialLike) header.push("Receives inputs");
  const blank = flops ? ["", "", "", "", ""] : ["", "", "", ""];

  const lines = ["_".repeat(lineLength), truncatingRow(header, positions), "=".repeat(lineLength)];
  data.rows.forEach((row, i) => {
    const fields = layerFields(row);
    if (flops) fields.push(macsCell(row));
    if (sequentialLike) {
      lines.push(truncatingRow(fields, positions));
    } else {
      const connections = row.inbound.map((c) => displayText(connectionLabel(c, "tfjs")));
      lines.push(truncatingRow([...fields, connections[0] ?? ""], positions));
      for (const c of connections.slice(1)) lines.push(truncatingRow([...blank, c], positions));
    }
    lines.push((i === data.rows.length - 1 ? "=" : "_").repeat(lineLength));
  });
  lines.push(
    `Total params: ${data.totalParams}`,
    `Trainable params: ${data.trainableParams}`,
    `Non-trainable params: ${data.nonTrainableParams}`,
    ...costFooter(data, options),
    "_".repeat(lineLength),
  );
  return lines;
}

function layerFields(row: SummaryRow): string[] {
  // TF.js prints the list of shapes the layer's inbound node receives, input layers included.
  return [
    displayText(`${row.names.tfjs} (${row.className})`),
    JSON.stringify(row.inputShapes),
    JSON.stringify(row.outputShapes !== undefined && row.outputShapes.length > 1 ? row.outputShapes : row.outputShape),
    String(row.params),
  ];
}
