/**
 * Text helpers shared by the summary formatters. Each one reproduces a piece of
 * Python or TensorFlow.js formatting exactly, because the summaries must match
 * the real ones byte for byte.
 */
import type { SummaryConnection, SummaryData, SummaryDim, SummaryRow, StyleNames } from "./rows.js";

/**
 * Python `str()` of a shape tuple: `None` for unknown sizes, and the trailing
 * comma Python puts in one-element tuples.
 *
 * @example
 * pythonTuple([null, 26, 26, 32]); // "(None, 26, 26, 32)"
 * pythonTuple([null]);             // "(None,)"
 */
export function pythonTuple(shape: readonly SummaryDim[]): string {
  const dims = shape.map(pythonDim);
  return dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(", ")})`;
}

/**
 * Keras 3 `format_layer_shape`: the dims joined inside parentheses, so unlike a
 * Python tuple a one-element shape has no trailing comma.
 *
 * @example
 * kerasShape([null, 10]); // "(None, 10)"
 * kerasShape([null]);     // "(None)"
 */
export function kerasShape(shape: readonly SummaryDim[]): string {
  return `(${shape.map(pythonDim).join(", ")})`;
}

function pythonDim(dim: SummaryDim): string {
  return dim === null ? "None" : String(dim);
}

/**
 * Python `repr()` of a list of strings, as tf.keras 2.7+ prints connections.
 *
 * @example
 * pythonStrList(["conv2d_11[0][0]", "add[0][0]"]); // "['conv2d_11[0][0]', 'add[0][0]']"
 * pythonStrList([]);                               // "[]"
 */
export function pythonStrList(items: readonly string[]): string {
  return `[${items.map(pythonStrRepr).join(", ")}]`;
}

/**
 * Characters Python's `str.isprintable()` rejects, which `repr()` escapes:
 * the categories Other (controls, format, surrogates, private use,
 * unassigned) and Separator, except the ASCII space.
 */
const PYTHON_UNPRINTABLE = /(?! )[\p{C}\p{Z}]/u;

/**
 * Python `repr()` of a string: single quotes unless only double quotes avoid
 * escaping, and every character Python does not print escaped as Python
 * escapes it (`\n`, `\x1b`, `\u202e`, `\U000e0041`), so a hostile name
 * prints as tf.keras prints it, never raw.
 *
 * @example
 * pythonStrRepr("img[0][0]");   // "'img[0][0]'"
 * pythonStrRepr("a\u001b[2J"); // "'a\\x1b[2J'"
 */
export function pythonStrRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of text) {
    if (ch === quote || ch === "\\") out += `\\${ch}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (PYTHON_UNPRINTABLE.test(ch)) {
      const code = ch.codePointAt(0) ?? 0;
      const hex = code.toString(16);
      out += code < 0x100 ? `\\x${hex.padStart(2, "0")}` : code < 0x10000 ? `\\u${hex.padStart(4, "0")}` : `\\U${hex.padStart(8, "0")}`;
    } else out += ch;
  }
  return out + quote;
}

/**
 * Python `"{:,}".format(n)` for an integer: thousands separated by commas.
 *
 * @example
 * thousands(104202); // "104,202"
 */
export function thousands(n: number): string {
  // BigInt keeps large counts out of exponent notation (1e21 and up).
  const digits = Number.isInteger(n) ? BigInt(n).toString() : String(n);
  const negative = digits.startsWith("-");
  const body = negative ? digits.slice(1) : digits;
  const dot = body.indexOf(".");
  const intPart = dot < 0 ? body : body.slice(0, dot);
  const rest = dot < 0 ? "" : body.slice(dot);
  return (negative ? "-" : "") + intPart.replace(/\B(?=(\d{3})+(?!\d))/g, ",") + rest;
}

/**
 * Python `"{:.Nf}".format(x)`: correctly rounded from the exact binary value,
 * exact ties to even. `Number.prototype.toFixed` rounds ties up, so
 * `(1.125).toFixed(2)` is `"1.13"` where Python prints `"1.12"`.
 *
 * @example
 * formatFixed(1.125, 2);     // "1.12"
 * formatFixed(407.0390625, 2); // "407.04"
 */
export function formatFixed(x: number, digits: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  const negative = x < 0 || Object.is(x, -0);
  const { mantissa, exponent } = decompose(Math.abs(x));
  // |x| * 10^digits = num / den exactly; round the quotient half to even.
  let num = mantissa * 10n ** BigInt(digits);
  let den = 1n;
  if (exponent >= 0) num <<= BigInt(exponent);
  else den <<= BigInt(-exponent);
  let q = num / den;
  const twiceRemainder = 2n * (num % den);
  if (twiceRemainder > den || (twiceRemainder === den && (q & 1n) === 1n)) q += 1n;
  const text = q.toString().padStart(digits + 1, "0");
  const intPart = text.slice(0, text.length - digits);
  const fraction = digits > 0 ? `.${text.slice(text.length - digits)}` : "";
  return `${negative ? "-" : ""}${intPart}${fraction}`;
}

/** A finite non-negative double as `mantissa * 2^exponent`, both exact. */
function decompose(x: number): { mantissa: bigint; exponent: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  return biased === 0 ? { mantissa: fraction, exponent: -1074 } : { mantissa: fraction | (1n << 52n), exponent: biased - 1075 };
}

/** Keras 3 memory units (`summary_utils.readable_memory_size`). */
export const KERAS3_MEMORY_UNITS = ["B", "KB", "MB", "GB", "TB", "PB"] as const;
/** tf.keras 2.13–2.15 memory units (`layer_utils.readable_memory_size`). */
export const KERAS2_MEMORY_UNITS = ["Byte", "KB", "MB", "GB", "TB", "PB"] as const;

/**
 * Keras `readable_memory_size`: divide by 1024 until below 1024, then `{:.2f}`.
 *
 * @example
 * readableMemorySize(416808, KERAS3_MEMORY_UNITS); // "407.04 KB"
 * readableMemorySize(1152, KERAS3_MEMORY_UNITS);   // "1.12 KB" (a tie, rounded to even)
 * readableMemorySize(0, KERAS2_MEMORY_UNITS);      // "0.00 Byte"
 */
export function readableMemorySize(bytes: number, units: readonly string[]): string {
  let size = bytes;
  for (const unit of units) {
    if (size / 1024 < 1) return `${formatFixed(size, 2)} ${unit}`;
    size /= 1024;
  }
  return `${formatFixed(size, 2)} ${units[units.length - 1]}`;
}

/**
 * Relative positions (last one at most 1) scaled to the line length, as
 * tf.keras (`int(line_length * p)`) and TF.js (`Math.floor`) both do; absolute
 * positions pass through.
 *
 * @example
 * absolutePositions([0.45, 0.85, 1], 65); // [29, 55, 65]
 * absolutePositions([30, 60, 70], 70);    // [30, 60, 70]
 */
export function absolutePositions(positions: readonly number[], lineLength: number): number[] {
  if (positions[positions.length - 1] > 1) return [...positions];
  // Floor and Python's int() agree here: the products are positive.
  return positions.map((p) => Math.floor(lineLength * p));
}

/**
 * `name[node][tensor]`, the connection label of all three frameworks, with
 * the name as written (callers escape it for display, or quote it as Python does).
 */
export function connectionLabel(connection: SummaryConnection, style: keyof StyleNames): string {
  return `${connection.layer[style]}[${connection.nodeIndex}][${connection.tensorIndex}]`;
}

/** Spaces to bring `line` to `width`; none if it is already there (Python's `" " * -n`). */
export function padTo(line: string, width: number): string {
  return line + " ".repeat(Math.max(0, width - line.length));
}

/**
 * The truncating row printer of tf.keras ≤ 2.6 and TF.js `printRow`: each field
 * starts one column after the previous end and is cut at its position.
 *
 * @example
 * truncatingRow(["max_pooling2d_1 (MaxPooling2D)", "(None, 5, 5, 64)", "0"], [29, 55, 65]);
 * // "max_pooling2d_1 (MaxPooling2 (None, 5, 5, 64)          0         "
 */
export function truncatingRow(fields: readonly string[], positions: readonly number[]): string {
  let line = "";
  fields.forEach((field, i) => {
    if (i > 0) line = `${line.slice(0, -1)} `;
    line = padTo((line + field).slice(0, positions[i]), positions[i]);
  });
  return line;
}

/**
 * The wrapping row printer of tf.keras 2.7+ (`print_row`, top-level layers):
 * a leading space, two spaces between columns, a field too long for its column
 * continued on the next line, breaking early after `),` `},` `],` `',`.
 * `cutoffFix` is the 2.13 change that keeps one more column free.
 *
 * @example
 * wrappingRow(["max_pooling2d (MaxPooling2D)", "(None, 13, 13, 32)", "0"], [29, 55, 65], false);
 * // [" max_pooling2d (MaxPooling2D  (None, 13, 13, 32)       0         ",
 * //  " )                                                               "]
 */
export function wrappingRow(fields: readonly string[], positions: readonly number[], cutoffFix: boolean): string[] {
  const left = [...fields];
  const lines: string[] = [];
  const last = positions.length - 1;
  while (left.some((field) => field !== "")) {
    let line = "";
    for (let col = 0; col < left.length; col++) {
      const start = col > 0 ? positions[col - 1] : 0;
      const space = col !== last ? 2 : 0;
      let cutoff = positions[col] - start - space - (cutoffFix && col !== last ? 1 : 0);
      // Python would loop forever here: nothing of the field ever fits.
      if (cutoff <= 0 && left[col] !== "") throw new Error(narrowColumn(col, positions));
      let fit = left[col].slice(0, Math.max(0, cutoff));
      const breaks = ["),", "},", "],", "',"]
        .map((mark) => ({ at: fit.indexOf(mark), mark }))
        .filter(({ at }) => at >= 0)
        .map(({ at, mark }) => at + mark.length);
      if (breaks.length > 0) {
        cutoff = Math.min(...breaks);
        fit = fit.slice(0, cutoff);
      }
      if (col === 0) line += " ";
      line += fit + " ".repeat(space);
      left[col] = left[col].slice(Math.max(0, cutoff));
      line = padTo(line, positions[col]);
    }
    lines.push(line);
  }
  return lines;
}

function narrowColumn(col: number, positions: readonly number[]): string {
  return `shapewise: summary column ${col + 1} is too narrow to print anything (positions ${JSON.stringify(positions)})`;
}

/** Width the optional `MACs` column adds to a summary, in characters. */
export const MACS_COLUMN_WIDTH = 17;

/**
 * Column ends with a `MACs` column of {@link MACS_COLUMN_WIDTH} inserted after
 * column `after` (absolute positions): the later columns move right by its width.
 *
 * @example
 * withMacsColumn([29, 55, 65], 2); // [29, 55, 65, 82]
 */
export function withMacsColumn(positions: readonly number[], after: number): number[] {
  return [...positions.slice(0, after + 1), positions[after] + MACS_COLUMN_WIDTH, ...positions.slice(after + 1).map((p) => p + MACS_COLUMN_WIDTH)];
}

/** A layer's multiply-accumulates as a summary cell: thousands separators, `?` where a size is unknown. */
export function macsCell(row: SummaryRow): string {
  return row.macs === null || row.macs === undefined ? "?" : thousands(row.macs);
}

/**
 * The optional footer lines: the model's multiply-accumulates per sample
 * and, with `memory`, parameter bytes and the activation bytes `predict`
 * keeps alive at its peak for one sample.
 *
 * @example
 * costFooter(data, { flops: true }); // ["Total MACs: 15,470,264,320"]
 */
export function costFooter(data: SummaryData, options: { readonly flops?: boolean; readonly memory?: boolean }, indent = ""): string[] {
  const lines: string[] = [];
  const count = (n: number | null | undefined) => (n === null || n === undefined ? "unknown (a size is unknown)" : thousands(n));
  if (options.flops) lines.push(`${indent}Total MACs: ${count(data.totalMacs)}`);
  if (options.memory) {
    lines.push(`${indent}Parameter bytes: ${count(data.totalParams * data.bytesPerParam)}`);
    lines.push(`${indent}Activation bytes per sample (predict peak): ${count(data.activationBytes)}`);
    const t = data.training;
    if (t !== undefined) {
      lines.push(
        `${indent}Training bytes at batch 1: ${count(t.totalBytes)} (activations ${count(t.activationBytes)}, gradients ${count(t.gradientBytes)}, optimizer slots ${count(t.optimizerBytes)})`,
      );
    }
  }
  return lines;
}
