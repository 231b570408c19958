/**
 * `shapewise check`: type-checks a file with the TypeScript compiler against
 * this package's types and reports each diagnostic on one line. A shape error
 * is the sentence the type level put in the offending property's type
 * (`shapewise: conv2d kernelSize 5 is larger than input height 3 with
 * padding 'valid'`); any other diagnostic is marked with its code.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { CliError } from "./models.js";

/**
 * One reported diagnostic: where, and the shapewise sentence or the
 * compiler's message.
 *
 * @example
 * ```ts
 * const d: CheckDiagnostic = { file: "model.ts", line: 4, column: 14, shapewise: true, text: "shapewise: ..." };
 * ```
 */
export interface CheckDiagnostic {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** `true` for a shape error (a `shapewise:` sentence), `false` for any other diagnostic. */
  readonly shapewise: boolean;
  readonly text: string;
}

/**
 * The compiler did not finish its work (it crashed, was killed, or exited
 * with an error without a diagnostic): the check has no answer, which the
 * command line reports with exit code 2 rather than as a clean file.
 *
 * @example
 * ```ts
 * throw new CompilerFailure("shapewise: the TypeScript compiler failed (exit code 1): RangeError: Maximum call stack size exceeded");
 * ```
 */
export class CompilerFailure extends CliError {}

/**
 * The sentence for a compiler run that failed: how it ended, and the line
 * that says why (a crash's error line, not its stack or source excerpt).
 */
function compilerFailure(how: string, output: string): CompilerFailure {
  const lines = output.split(/\r?\n/).map((l) => l.trim());
  const said = lines.find((l) => /^([A-Z]\w*Error\b|panic:|fatal error\b)/i.test(l)) ?? lines.find((l) => l !== "" && !l.startsWith("at "));
  return new CompilerFailure(`shapewise: the TypeScript compiler failed (${how})${said === undefined ? " and printed nothing" : `: ${said}`}`);
}

/**
 * Where `shapewise` resolves for the check: an installed package's built
 * declarations (they need nothing but TypeScript), a checkout's sources (so
 * a stale build is never checked against).
 */
function typesEntry(root: string): string {
  const built = path.join(root, "dist/src/index.d.ts");
  const installed = root.split(/[\\/]/).includes("node_modules");
  return installed && existsSync(built) ? built : path.join(root, "src/index.ts");
}

/** The package root: two levels above this file, in the source tree and in `dist/src/cli` alike. */
function packageRoot(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const up = path.resolve(here, "../..");
  return path.basename(up) === "dist" ? path.dirname(up) : up;
}

/**
 * The `shapewise: ...` sentence in a diagnostic's message chain: the type
 * level writes it as a string literal type, so it is the text between the
 * double quotes that follow `shapewise:`.
 *
 * @example
 * ```ts
 * shapewiseSentence(`Type 'number' is not assignable to type '"shapewise: dense units must be a positive integer, got 0"'.`);
 * // "shapewise: dense units must be a positive integer, got 0"
 * ```
 */
export function shapewiseSentence(message: string): string | undefined {
  const m = /"(shapewise: (?:[^"\\]|\\.)*)"/.exec(message);
  return m === null ? undefined : m[1].replace(/\\(.)/g, "$1");
}

/**
 * The TypeScript compiler to run: the one the working directory's project
 * uses, else this package's own. Its `tsc` runs as a child process, which
 * works for the JavaScript compiler (5.x) and the native one (7.x) alike.
 */
function findTsc(): { tsc: string; version: string } {
  const from = [path.join(process.cwd(), "package.json"), fileURLToPath(import.meta.url)];
  for (const base of from) {
    try {
      const manifest = createRequire(base).resolve("typescript/package.json");
      const version = (JSON.parse(readFileSync(manifest, "utf8")) as { version: string }).version;
      const tsc = path.join(path.dirname(manifest), "bin/tsc");
      if (existsSync(tsc)) return { tsc, version };
    } catch {
      // Not installed there: try the next place.
    }
  }
  throw new CliError("shapewise: check needs the typescript package: npm install --save-dev typescript");
}

/**
 * Node's type declarations, which this package's runtime sources use: from
 * the working directory's `node_modules/@types`, the package's own, or the
 * one it is installed in. Without them the check goes on, without `types`.
 */
function nodeTypes(root: string): { typeRoots?: string[]; types: string[] } {
  const candidates = [path.resolve("node_modules/@types"), path.join(root, "node_modules/@types"), path.resolve(root, "../@types")];
  const typeRoots = [...new Set(candidates)].filter((dir) => existsSync(path.join(dir, "node")));
  return typeRoots.length === 0 ? { types: [] } : { typeRoots, types: ["node"] };
}

/** Splits `tsc --pretty false` output into diagnostics; continuation lines stay with theirs. */
function parseTscOutput(output: string): { file: string; line: number; column: number; code: string; message: string }[] {
  const found: { file: string; line: number; column: number; code: string; message: string }[] = [];
  for (const line of output.split(/\r?\n/)) {
    const m = /^(.+?)\((\d+),(\d+)\): error (TS\d+): (.*)$/.exec(line);
    if (m !== null) found.push({ file: m[1], line: Number(m[2]), column: Number(m[3]), code: m[4], message: m[5] });
    else if (/^error (TS\d+): (.*)$/.test(line)) {
      const g = /^error (TS\d+): (.*)$/.exec(line)!;
      found.push({ file: "(options)", line: 0, column: 0, code: g[1], message: g[2] });
    } else if (found.length > 0 && /^\s/.test(line)) found[found.length - 1].message += `\n${line.trim()}`;
  }
  return found;
}

/**
 * Type-checks one file (and what it imports) and returns its diagnostics,
 * each once, in file order. `shapewise` imports resolve to this package's
 * own sources, so the file is checked against these types. `compiler` is a
 * `tsc` script to run instead of the project's (`node_modules/typescript7/bin/tsc`).
 *
 * @example
 * ```ts
 * const diagnostics = await checkFile("model.ts");
 * diagnostics.filter((d) => d.shapewise).map(formatDiagnostic); // ["model.ts:4:14: shapewise: ..."]
 * ```
 */
export async function checkFile(file: string, compiler?: string): Promise<CheckDiagnostic[]> {
  const full = path.resolve(file);
  if (!existsSync(full)) throw new CliError(`shapewise: cannot read ${full}: no such file`);
  if (compiler !== undefined && !existsSync(compiler)) throw new CliError(`shapewise: no TypeScript compiler at ${path.resolve(compiler)}`);
  // The compiler reads both: a FIFO would keep it waiting forever, a device without end.
  regularInput(full, full);
  if (compiler !== undefined && !statSync(compiler).isDirectory()) regularInput(path.resolve(compiler), `--tsc ${path.resolve(compiler)}`);
  const tsc = compiler === undefined ? findTsc().tsc : path.resolve(compiler);
  const root = packageRoot();
  const dir = mkdtempSync(path.join(os.tmpdir(), "shapewise-check-"));
  try {
    const project = path.join(dir, "tsconfig.json");
    const compilerOptions = {
      target: "ES2022",
      module: "ESNext",
      moduleResolution: "Bundler",
      lib: ["ES2022", "DOM"],
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      allowImportingTsExtensions: true,
      paths: { shapewise: [typesEntry(root)] },
      ...nodeTypes(root),
    };
    writeFileSync(project, JSON.stringify({ compilerOptions, files: [full] }, null, 2));
    const { output, failure } = await new Promise<{ output: string; failure?: string }>((resolve) => {
      execFile(
        process.execPath,
        [tsc, "-p", project, "--pretty", "false"],
        { cwd: process.cwd(), encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
        (error, stdout, stderr) => {
          const output = `${stdout ?? ""}${stderr ?? ""}`;
          if (error === null) return resolve({ output });
          const e = error as Error & { code?: unknown; signal?: unknown };
          // An exit code with diagnostics is the compiler's answer; anything else means it did not finish.
          const how = typeof e.code === "number" ? `exit code ${e.code}` : typeof e.signal === "string" ? `killed by ${e.signal}` : e.message;
          const crashed = typeof e.code !== "number" || /^\s+at |^panic:|Maximum call stack|out of memory/im.test(stderr ?? "");
          resolve({ output, failure: crashed ? how : parseTscOutput(output).length === 0 ? how : undefined });
        },
      );
    });
    if (failure !== undefined) throw compilerFailure(failure, output);
    const seen = new Set<string>();
    const out: CheckDiagnostic[] = [];
    for (const d of parseTscOutput(output)) {
      const sentence = shapewiseSentence(d.message);
      const where = d.file === "(options)" ? d.file : path.relative(process.cwd(), path.resolve(d.file)) || d.file;
      const text = sentence ?? `error ${d.code}: ${d.message.split("\n")[0]}`;
      const key = `${where}:${d.line}:${d.column}:${text}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ file: where, line: d.line, column: d.column, shapewise: sentence !== undefined, text });
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Refuses a path that is not a regular file (a folder, a FIFO, a device), naming what it is. */
function regularInput(full: string, shown: string): void {
  const info = statSync(full);
  if (info.isFile()) return;
  const kind = info.isDirectory() ? "a folder" : info.isFIFO() ? "a FIFO" : info.isSocket() ? "a socket" : "a device";
  throw new CliError(`shapewise: cannot read ${shown}: it is ${kind}, not a regular file`);
}

/**
 * One line per diagnostic: `file:line:col: sentence`, other diagnostics
 * marked `(not a shape error)`.
 *
 * @example
 * ```ts
 * formatDiagnostic({ file: "m.ts", line: 3, column: 9, shapewise: true, text: "shapewise: ..." }); // "m.ts:3:9: shapewise: ..."
 * ```
 */
export function formatDiagnostic(d: CheckDiagnostic): string {
  return `${d.file}:${d.line}:${d.column}: ${d.text}${d.shapewise ? "" : " (not a shape error)"}`;
}
