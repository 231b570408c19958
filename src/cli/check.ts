/**
 * `shapewise check`: type-checks a file with the TypeScript compiler against
 * this package's types and reports each diagnostic on one line. A shape error
 * is the sentence the type level put in the offending property's type
 * (`shapewise: conv2d kernelSize 5 is larger than input height 3 with
 * padding 'valid'`); any other diagnostic is marked with its code.
 */
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

type Ts = typeof import("typescript");

/**
 * Node's type declarations, which this package's runtime sources use: from
 * the working directory's `node_modules/@types`, the package's own, or the
 * one it is installed in. Without them the check goes on, without `types`.
 */
function nodeTypes(ts: Ts, root: string): { typeRoots?: string[]; types?: string[] } {
  const candidates = [path.resolve("node_modules/@types"), path.join(root, "node_modules/@types"), path.resolve(root, "../@types")];
  const typeRoots = [...new Set(candidates)].filter((dir) => ts.sys.directoryExists(path.join(dir, "node")));
  return typeRoots.length === 0 ? { types: [] } : { typeRoots, types: ["node"] };
}

/**
 * Type-checks one file (and what it imports) and returns its diagnostics,
 * each once, in file order. `shapewise` imports resolve to this package's
 * own sources, so the file is checked against these types.
 *
 * @example
 * ```ts
 * const diagnostics = await checkFile("model.ts");
 * diagnostics.filter((d) => d.shapewise).map(formatDiagnostic); // ["model.ts:4:14: shapewise: ..."]
 * ```
 */
export async function checkFile(file: string): Promise<CheckDiagnostic[]> {
  const specifier = "typescript";
  let ts: Ts;
  try {
    const loaded = (await import(specifier)) as Ts & { default?: Ts };
    ts = loaded.default ?? loaded;
  } catch {
    throw new CliError("shapewise: check needs the typescript package: npm install --save-dev typescript");
  }
  const full = path.resolve(file);
  if (!ts.sys.fileExists(full)) throw new CliError(`shapewise: cannot read ${full}: no such file`);
  const root = packageRoot();
  const options: import("typescript").CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ["lib.es2022.d.ts", "lib.dom.d.ts"],
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    allowImportingTsExtensions: true,
    paths: { shapewise: [path.join(root, "src/index.ts")] },
    ...nodeTypes(ts, root),
  };
  const program = ts.createProgram([full], options);
  const seen = new Set<string>();
  const out: CheckDiagnostic[] = [];
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const message = ts.flattenDiagnosticMessageText(d.messageText, "\n");
    const sentence = shapewiseSentence(message);
    let where = { file: "(options)", line: 0, column: 0 };
    if (d.file !== undefined && d.start !== undefined) {
      const pos = d.file.getLineAndCharacterOfPosition(d.start);
      where = { file: path.relative(process.cwd(), d.file.fileName) || d.file.fileName, line: pos.line + 1, column: pos.character + 1 };
    }
    const text = sentence ?? `error TS${d.code}: ${message.split("\n")[0]}`;
    const key = `${where.file}:${where.line}:${where.column}:${text}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ ...where, shapewise: sentence !== undefined, text });
  }
  return out;
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
