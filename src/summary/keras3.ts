/**
 * Keras 3 `model.summary()` (`keras/src/utils/summary_utils.py`): a rich
 * `HEAVY_HEAD` table, reproduced with rich 15's column sizing and cell wrapping.
 */
import { KERAS3_MEMORY_UNITS, MACS_COLUMN_WIDTH, connectionLabel, costFooter, kerasShape, macsCell, readableMemorySize, thousands } from "./format.js";
import { displayText } from "../display-text.js";
import type { SummaryData, SummaryRow } from "./rows.js";

/** Options of {@link formatKeras3}. */
export interface Keras3Options {
  /**
   * Table width. Default 76: what Keras prints when stdout is not a terminal
   * (`min(88 | 108, 80 - 4)`). Pass 88 (sequential-like) or 108 for a wide terminal.
   */
  readonly lineLength?: number;
  /** Column ends as fractions of the line length, one per column. */
  readonly positions?: readonly number[];
  /** A `MACs` column after `Param #` and a `Total MACs` line (default `false`). */
  readonly flops?: boolean;
  /** Parameter and activation bytes under the totals (default `false`). */
  readonly memory?: boolean;
}

type Justify = "left" | "right";

interface Column {
  readonly header: string;
  readonly justify: Justify;
}

/** Edge characters of rich `box.HEAVY_HEAD`: left, fill, cross, right. */
/** What Keras 3 (rich) says when the line is too narrow for the table's columns. */
export const KERAS3_TOO_NARROW = "Insufficient console width to print summary.";

const BOX = {
  top: ["┏", "━", "┳", "┓"],
  head: ["┃", " ", "┃", "┃"],
  headRule: ["┡", "━", "╇", "┩"],
  body: ["│", " ", "│", "│"],
  bodyRule: ["├", "─", "┼", "┤"],
  bottom: ["└", "─", "┴", "┘"],
} as const;

type Edge = readonly [string, string, string, string];

/**
 * The lines Keras 3 prints for `model.summary()`. The captured text
 * (`print_fn`, or stdout of a non-terminal) is `lines.join("\n") + "\n"`.
 *
 * @example
 * formatKeras3(data).at(-3); // " Total params: 104,202 (407.04 KB)"
 * formatKeras3(data, { lineLength: 88 }); // the table a wide terminal shows
 */
export function formatKeras3(data: SummaryData, options: Keras3Options = {}): string[] {
  const sequentialLike = data.sequentialLike;
  const flops = options.flops === true;
  const lineLength = options.lineLength ?? 76 + (flops ? MACS_COLUMN_WIDTH : 0);
  const defaults = sequentialLike ? [0.45, 0.8, 1] : [0.3, 0.56, 0.74, 1];
  // The MACs column goes after Param #, the other columns keeping their widths.
  const base = lineLength - (flops ? MACS_COLUMN_WIDTH : 0);
  const flopsDefaults = () => {
    const ends = defaults.map((p) => p * base);
    return [ends[0], ends[1], ends[2], ends[2] + MACS_COLUMN_WIDTH, ...ends.slice(3).map((e) => e + MACS_COLUMN_WIDTH)].map((e) => e / lineLength);
  };
  const positions = options.positions ?? (flops ? flopsDefaults() : defaults);
  const columns: Column[] = [
    { header: "Layer (type)", justify: "left" },
    { header: "Output Shape", justify: "left" },
    { header: "Param #", justify: "right" },
  ];
  if (flops) columns.push({ header: "MACs", justify: "right" });
  if (!sequentialLike) columns.push({ header: "Connected to", justify: "left" });

  const widths = cellWidths(lineLength, contentWidths(lineLength, positions));
  const rows = data.rows.map((row) => layerFields(row, sequentialLike, flops));
  const lines = [`Model: "${displayText(data.names.keras3)}"`, edge(widths, BOX.top)];
  lines.push(
    ...tableRow(
      columns.map((c) => c.header),
      columns,
      widths,
      BOX.head,
      "bottom",
    ),
  );
  lines.push(edge(widths, BOX.headRule));
  rows.forEach((fields, i) => {
    if (i > 0) lines.push(edge(widths, BOX.bodyRule));
    lines.push(...tableRow(fields, columns, widths, BOX.body, "top"));
  });
  lines.push(edge(widths, BOX.bottom));

  const memory = (count: number) => readableMemorySize(count * data.bytesPerParam, KERAS3_MEMORY_UNITS);
  lines.push(
    ` Total params: ${thousands(data.totalParams)} (${memory(data.totalParams)})`,
    ` Trainable params: ${thousands(data.trainableParams)} (${memory(data.trainableParams)})`,
    ` Non-trainable params: ${thousands(data.nonTrainableParams)} (${memory(data.nonTrainableParams)})`,
  );
  lines.push(...costFooter(data, options, " "));
  return lines;
}

function layerFields(row: SummaryRow, sequentialLike: boolean, flops: boolean): string[] {
  // Keras 3 prints several outputs as `str()` of the list of their shapes, quotes removed.
  const shapes =
    row.outputShapes !== undefined && row.outputShapes.length > 1 ? `[${row.outputShapes.map(kerasShape).join(", ")}]` : kerasShape(row.outputShape);
  const fields = [displayText(`${row.names.keras3} (${row.className})`), shapes, thousands(row.params)];
  if (flops) fields.push(macsCell(row));
  if (!sequentialLike) {
    const connections = row.inbound.map((c) => displayText(connectionLabel(c, "keras3"))).join(", ");
    fields.push(connections === "" ? "-" : connections);
  }
  return fields;
}

/** Keras: the content width of each column from its fractional end position. */
function contentWidths(lineLength: number, positions: readonly number[]): number[] {
  const widths: number[] = [];
  let current = 0;
  for (const position of positions) {
    const width = Math.trunc(position * lineLength) - current;
    if (width < 4) throw new Error(KERAS3_TOO_NARROW);
    widths.push(width);
    current += width;
  }
  return widths;
}

/**
 * rich `Table._calculate_column_widths` for fixed-width columns: add the 1+1
 * padding, then fit the row between its vertical borders. Keras' widths always
 * overflow (reduced evenly); a narrower set is widened, as a table with a
 * `width` expands. Returns cell widths including padding.
 */
function cellWidths(lineLength: number, widths: readonly number[]): number[] {
  const cells = widths.map((w) => w + 2);
  const maxWidth = lineLength - (cells.length + 1);
  const total = cells.reduce((a, b) => a + b, 0);
  let result = cells;
  if (total > maxWidth) {
    result = ratioReduce(
      total - maxWidth,
      cells.map(() => 1),
      cells,
      cells,
    );
  } else if (total < maxWidth) {
    const pads = ratioDistribute(maxWidth - total, cells);
    result = cells.map((c, i) => c + pads[i]);
  }
  if (result.some((c) => c < 3)) throw new Error(KERAS3_TOO_NARROW);
  return result;
}

/** rich `_ratio.ratio_reduce`, with Python's `round()` (ties to even). */
function ratioReduce(total: number, ratios: readonly number[], maximums: readonly number[], values: readonly number[]): number[] {
  const used = ratios.map((r, i) => (maximums[i] ? r : 0));
  let totalRatio = used.reduce((a, b) => a + b, 0);
  let remaining = total;
  return values.map((value, i) => {
    const ratio = used[i];
    if (!ratio || totalRatio <= 0) return value;
    const distributed = Math.min(maximums[i], roundHalfEven((ratio * remaining) / totalRatio));
    remaining -= distributed;
    totalRatio -= ratio;
    return value - distributed;
  });
}

/** rich `_ratio.ratio_distribute` without minimums. */
function ratioDistribute(total: number, ratios: readonly number[]): number[] {
  let totalRatio = ratios.reduce((a, b) => a + b, 0);
  let remaining = total;
  return ratios.map((ratio) => {
    const distributed = totalRatio > 0 ? Math.ceil((ratio * remaining) / totalRatio) : remaining;
    totalRatio -= ratio;
    remaining -= distributed;
    return distributed;
  });
}

function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff !== 0.5) return Math.round(x);
  return floor % 2 === 0 ? floor : floor + 1;
}

function edge(widths: readonly number[], [left, fill, cross, right]: Edge): string {
  return left + widths.map((w) => fill.repeat(w)).join(cross) + right;
}

/** One table row: cells wrapped, padded by one space each side, aligned to the tallest. */
function tableRow(
  fields: readonly string[],
  columns: readonly Column[],
  widths: readonly number[],
  [left, , cross, right]: Edge,
  vertical: "top" | "bottom",
): string[] {
  const cells = fields.map((field, i) => wrapCell(field, widths[i] - 2).map((l) => justify(l, widths[i] - 2, columns[i].justify)));
  const height = Math.max(...cells.map((c) => c.length));
  const lines: string[] = [];
  for (let y = 0; y < height; y++) {
    const parts = cells.map((cell, i) => {
      const blank = height - cell.length;
      const text = vertical === "top" ? cell[y] : cell[y - blank];
      return ` ${text ?? " ".repeat(widths[i] - 2)} `;
    });
    lines.push(left + parts.join(cross) + right);
  }
  return lines;
}

function justify(text: string, width: number, how: Justify): string {
  const pad = " ".repeat(Math.max(0, width - text.length));
  return how === "right" ? pad + text : text + pad;
}

/**
 * rich `Text.wrap` with `overflow="ellipsis"`: break between words (a word
 * keeps its trailing spaces), never inside one; a line still too long ends in `…`.
 */
function wrapCell(text: string, width: number): string[] {
  const breaks: number[] = [];
  let offset = 0;
  for (const match of text.matchAll(/\s*\S+\s*/g)) {
    const start = match.index;
    const word = match[0];
    const length = word.trimEnd().length;
    if (width - offset >= length) {
      offset += word.length;
    } else if (length > width) {
      if (start) breaks.push(start);
      offset = word.length;
    } else if (offset && start) {
      breaks.push(start);
      offset = word.length;
    }
  }
  const starts = [0, ...breaks];
  const ends = [...breaks, text.length];
  return starts.map((start, i) => {
    const line = text.slice(start, ends[i]).trimEnd();
    return line.length <= width ? line : `${line.slice(0, width - 1)}…`;
  });
}
