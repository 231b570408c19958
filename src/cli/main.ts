/**
 * The `shapewise` command line: `summary`, `codegen`, `check` and `plot`.
 * `run` takes the arguments after the program name and returns the exit
 * code: 0 on success, 1 when `check` finds errors or a command fails, 2 for
 * a usage mistake or a compiler run that failed. Every failure is one
 * sentence on standard error, never a stack trace, and nothing the command
 * writes carries a raw control character: names from a file are user data.
 *
 * @example
 * ```ts
 * process.exitCode = await run(["summary", "model.json", "--style", "keras3"]);
 * ```
 */
import { closeSync, constants, openSync, statSync, writeFileSync } from "node:fs";

import "../node/host.js";
import { displayText } from "../display-text.js";
import { codegenModule } from "../io/codegen.js";
import { ShapeError } from "../errors.js";
import { failureSummary } from "../model-expect.js";
import { plotModel } from "../plot/plot.js";
import type { SummaryStyle } from "../summary/index.js";
import { CompilerFailure, checkFile, formatDiagnostic } from "./check.js";
import { CliError, modelsFromFile } from "./models.js";

/**
 * Where the command line writes: standard output and standard error, one line per call.
 *
 * @example
 * ```ts
 * const lines: string[] = [];
 * await run(["summary", "model.json"], { out: (l) => lines.push(l), err: (l) => lines.push(l) });
 * ```
 */
export interface CliOutput {
  out(line: string): void;
  err(line: string): void;
}

// A reader that stops early (`shapewise summary m.json | head`) closes the pipe: stop quietly.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});

const consoleOutput: CliOutput = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

const HELP: Record<string, string> = {
  "": `Usage: shapewise <command> [options]

Shape-checked Keras-style models from the command line.

Commands:
  summary <model.json | file.ts>     print the model summary of a model file, or of every model a module exports
  codegen <model.json | keras.json>  print TypeScript source that builds the model
  check <file.ts>                    type-check a file and print its shape errors, one line each
  plot <model.json | file.ts>        draw the model's layers as an SVG diagram

Run 'shapewise <command> --help' for a command's options.`,
  summary: `Usage: shapewise summary <model.json | file.ts> [--style keras2|keras3|tfjs] [--line-length N]

Prints the model summary (tf.keras 2 style by default). A model.json is a
TensorFlow.js layers model (weights.bin beside it); a .ts or .js module is run
and every model it exports is summarised, in export order.

Options:
  --style keras2|keras3|tfjs   the table layout (default keras2)
  --line-length N              total width of the table`,
  codegen: `Usage: shapewise codegen <model.json | keras.json | file.ts>

Prints TypeScript source that builds the model with shapewise layer calls, so
that the type checker knows its shapes and parameter count. A TensorFlow.js
model.json or a Keras model.to_json() file gives one model; a module, each
model it exports (under its export name).`,
  check: `Usage: shapewise check <file.ts> [--tsc PATH]

Type-checks the file with the TypeScript compiler against shapewise's types and
prints one line per diagnostic: 'file:line:col: <sentence>'. Diagnostics that
are not shape errors are printed too, marked '(not a shape error)'. The exit
code is 1 when there is any diagnostic, 0 otherwise.

Options:
  --tsc PATH   the tsc script to run (default: the project's typescript package;
               TypeScript 5.x and the native 7.x both work)`,
  plot: `Usage: shapewise plot <model.json | file.ts> -o model.svg [--show-shapes]

Writes an SVG diagram of the model's layers, one box per layer ('name:
ClassName') with arrows top to bottom, as Keras plot_model draws it. A module
exporting several models gives one file per model, named after the export.

Options:
  -o, --output FILE   the SVG file to write (required)
  --show-shapes       show each layer's input and output shapes
  --no-title          leave out the model name above the diagram`,
};

/** Parsed arguments: positionals and `--name value` / `--name=value` / flags. */
interface Parsed {
  readonly positionals: string[];
  readonly options: Map<string, string | true>;
}

class UsageError extends Error {}

function parseArgs(args: readonly string[], valued: readonly string[], flags: readonly string[], aliases: Record<string, string> = {}): Parsed {
  const positionals: string[] = [];
  const options = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith("-") || arg === "-") {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const rawName = eq >= 0 ? arg.slice(0, eq) : arg;
    const name = aliases[rawName] ?? rawName;
    if (name === "--help" || name === "-h") {
      options.set("--help", true);
      continue;
    }
    // Given twice, an option has no one meaning: refused rather than the last one silently winning.
    if (options.has(name)) throw new UsageError(`option ${rawName} is given twice`);
    if (flags.includes(name)) {
      if (eq >= 0) throw new UsageError(`option ${rawName} takes no value`);
      options.set(name, true);
    } else if (valued.includes(name)) {
      const value = eq >= 0 ? arg.slice(eq + 1) : args[++i];
      if (value === undefined || value === "") throw new UsageError(`option ${rawName} needs a value`);
      options.set(name, value);
    } else {
      throw new UsageError(`unknown option ${rawName}`);
    }
  }
  return { positionals, options };
}

function oneFile(p: Parsed, command: string): string {
  if (p.positionals.length !== 1) throw new UsageError(`${command} takes one file, got ${p.positionals.length}`);
  return p.positionals[0];
}

const STYLES: readonly SummaryStyle[] = ["keras2", "keras3", "tfjs"];
/** The widest summary table (the summary's own bound), checked before the model file is read. */
const MAX_LINE_LENGTH = 10_000;

async function summary(args: readonly string[], io: CliOutput): Promise<number> {
  const p = parseArgs(args, ["--style", "--line-length"], []);
  if (p.options.has("--help")) return help("summary", io);
  const file = oneFile(p, "summary");
  const style = (p.options.get("--style") ?? "keras2") as SummaryStyle;
  if (!STYLES.includes(style)) throw new UsageError(`--style must be one of ${STYLES.join(", ")}, got '${String(style)}'`);
  const lengthText = p.options.get("--line-length");
  // Decimal digits only: Number() would also read "0x50", "1e2" and " 80" as widths.
  const lineLength = lengthText === undefined ? undefined : typeof lengthText === "string" && /^[0-9]+$/.test(lengthText) ? Number(lengthText) : Number.NaN;
  if (lineLength !== undefined && !(Number.isSafeInteger(lineLength) && lineLength > 0 && lineLength <= MAX_LINE_LENGTH))
    throw new UsageError(`--line-length must be a positive integer of at most ${MAX_LINE_LENGTH}, got '${String(lengthText)}'`);
  const found = await modelsFromFile(file);
  found.forEach((f, i) => {
    if (i > 0) io.out("");
    f.model.summary({ style, ...(lineLength === undefined ? {} : { lineLength }), printFn: (line: string) => io.out(line) });
  });
  return 0;
}

async function codegenCommand(args: readonly string[], io: CliOutput): Promise<number> {
  const p = parseArgs(args, [], []);
  if (p.options.has("--help")) return help("codegen", io);
  const file = oneFile(p, "codegen");
  const found = await modelsFromFile(file);
  // One file whatever the module exports: one model is `m`, several keep their export names (`default` included).
  const models = found.length === 1 && found[0].label !== "default" ? { m: found[0].model } : Object.fromEntries(found.map((f) => [f.label, f.model]));
  io.out(codegenModule(models).replace(/\n$/, ""));
  return 0;
}

async function check(args: readonly string[], io: CliOutput): Promise<number> {
  const p = parseArgs(args, ["--tsc"], []);
  if (p.options.has("--help")) return help("check", io);
  const file = oneFile(p, "check");
  const diagnostics = await checkFile(file, p.options.get("--tsc") as string | undefined);
  for (const d of diagnostics) io.out(formatDiagnostic(d));
  return diagnostics.length > 0 ? 1 : 0;
}

async function plot(args: readonly string[], io: CliOutput): Promise<number> {
  const p = parseArgs(args, ["--output"], ["--show-shapes", "--no-title"], { "-o": "--output" });
  if (p.options.has("--help")) return help("plot", io);
  const file = oneFile(p, "plot");
  const output = p.options.get("--output");
  if (typeof output !== "string") throw new UsageError("plot needs -o FILE.svg");
  const found = await modelsFromFile(file);
  // Several models: one file each, named after the export (model.svg -> model.encoder.svg).
  const targets = found.map((f) => (found.length === 1 ? output : output.replace(/(\.svg)?$/i, `.${fileNamePart(f.label)}$1`)));
  found.forEach((f, i) => {
    const svg = plotModel(f.model, { showShapes: p.options.has("--show-shapes"), title: !p.options.has("--no-title") });
    writeTarget(targets[i], svg);
    io.out(`wrote ${targets[i]}`);
  });
  return 0;
}

/**
 * An export name as part of a file name: a module may export a model under
 * any string (`export { m as "../x" }`), and a name that is not a plain file
 * name part would write outside the folder of `-o` or garble the name.
 */
function fileNamePart(label: string): string {
  if (label === "" || label === "." || label === ".." || /[/\\\p{Cc}\p{Cf}]/u.test(label)) {
    throw new CliError(
      `shapewise: cannot name a diagram file after the export ${JSON.stringify(label)}: export names used in file names must not be empty, '.', '..', or hold a slash, a backslash or a control character`,
    );
  }
  return label;
}

/**
 * Writes a diagram file. A path that exists must be a regular file or a
 * device (`/dev/stdout`); a FIFO is written only when something reads it,
 * since opening one without a reader waits forever.
 */
function writeTarget(target: string, text: string): void {
  try {
    const kind = existingKind(target);
    if (kind === "fifo") closeSync(openSync(target, constants.O_WRONLY | (constants.O_NONBLOCK ?? 0)));
    else if (kind === "socket") throw new CliError(`shapewise: cannot write ${target}: it is a socket, not a file`);
    writeFileSync(target, text);
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`shapewise: cannot write ${target}: ${fileProblem(error)}`);
  }
}

/** What a path is, when it exists. */
function existingKind(target: string): "none" | "fifo" | "socket" | "other" {
  const info = statSync(target, { throwIfNoEntry: false });
  if (info === undefined) return "none";
  return info.isFIFO() ? "fifo" : info.isSocket() ? "socket" : "other";
}

/** Why a file could not be written, in words (the error's own message otherwise). */
function fileProblem(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  switch (e?.code) {
    case "ENOENT":
      return "its folder does not exist";
    case "EISDIR":
      return "it is a folder";
    case "ENOTDIR":
      return "a part of its path is a file, not a folder";
    case "ENXIO":
      return "it is a FIFO that nothing reads";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    default:
      return e instanceof Error ? e.message : String(error);
  }
}

function help(command: string, io: CliOutput): number {
  io.out(HELP[command]);
  return 0;
}

/** Command words are looked up as own keys only: `constructor` or `__proto__` is not a command. */
const COMMANDS = new Map<string, (args: readonly string[], io: CliOutput) => Promise<number>>([
  ["summary", summary],
  ["codegen", codegenCommand],
  ["check", check],
  ["plot", plot],
]);

/**
 * Every line the command line writes is shown as text: control characters
 * (escape sequences, line breaks inside a line, bidi overrides) from a name
 * or a path are escaped; the line breaks the command itself puts between
 * lines stay.
 */
function displayOutput(io: CliOutput): CliOutput {
  const lines = (text: string) => text.split("\n").map(displayText).join("\n");
  return { out: (text) => io.out(lines(text)), err: (text) => io.err(lines(text)) };
}

/**
 * Runs the command line on its arguments (without the program name) and
 * returns the exit code; failures are one `shapewise: ` sentence on standard
 * error, never a stack trace.
 *
 * @example
 * ```ts
 * const code = await run(["check", "model.ts"]); // prints "model.ts:4:14: shapewise: ..." lines, returns 1
 * ```
 */
export async function run(args: readonly string[], io: CliOutput = consoleOutput): Promise<number> {
  io = displayOutput(io);
  const [command, ...rest] = args;
  if (command === undefined || command === "--help" || command === "-h") return help("", io);
  if (command === "help") {
    if (rest.length === 0) return help("", io);
    if (rest.length === 1 && COMMANDS.has(rest[0])) return help(rest[0], io);
    io.err(`shapewise: no help for '${rest.join(" ")}': the commands are ${[...COMMANDS.keys()].join(", ")}\n\n${HELP[""]}`);
    return 2;
  }
  const handler = COMMANDS.get(command);
  if (handler === undefined) {
    io.err(`shapewise: unknown command '${command}'\n\n${HELP[""]}`);
    return 2;
  }
  try {
    return await handler(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`shapewise ${command}: ${error.message}\n\n${HELP[command]}`);
      return 2;
    }
    if (command === "summary" && error instanceof ShapeError) {
      // A model that broke a rule while its file was read: the layers up to the failing one, marked.
      const partial = failureSummary(error);
      if (partial !== undefined) for (const line of partial.trimEnd().split("\n")) io.out(displayText(line));
    }
    // A library sentence can hold names from the file: one line, its line breaks escaped too.
    const message = error instanceof Error ? error.message : String(error);
    const sentence = message.startsWith("shapewise") ? message : `shapewise ${command}: ${error instanceof Error ? `${error.name}: ` : ""}${message}`;
    io.err(displayText(sentence));
    return error instanceof CompilerFailure ? 2 : 1;
  }
}
