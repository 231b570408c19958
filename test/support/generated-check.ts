/**
 * The frame of the generated type-level proofs: a scratch project of
 * generated files checked by each compiler, kept on disk when a test fails
 * (or with `KEEP_AGREEMENT_TMP`), and diagnostics explained by the generated
 * case they fall in.
 */
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeEach } from "vitest";
import type { Diagnostic } from "./tsc.js";

/**
 * Writes a strict NodeNext `tsconfig.json` over `files` in `workDir` and
 * returns its path; the folder is removed after the file's tests unless one failed.
 *
 * @example
 * const tsconfig = generatedProject(workDir, ["cases.gen.ts", "wrong.gen.ts"]);
 */
export function generatedProject(workDir: string, files: readonly string[]): string {
  const tsconfig = join(workDir, "tsconfig.json");
  const compilerOptions = {
    strict: true,
    target: "ES2022",
    module: "NodeNext",
    moduleResolution: "NodeNext",
    noEmit: true,
    skipLibCheck: true,
    types: ["node"],
  };
  writeFileSync(tsconfig, `${JSON.stringify({ compilerOptions, files }, null, 2)}\n`);
  let failed = false;
  beforeEach(({ onTestFailed }) => onTestFailed(() => void (failed = true)));
  afterAll(() => {
    if (!failed && !process.env.KEEP_AGREEMENT_TMP) rmSync(workDir, { recursive: true, force: true });
  });
  return tsconfig;
}

/**
 * Whether a diagnostic is in the generated file `name` (compilers print
 * relative or absolute paths).
 *
 * @example
 * result.diagnostics.filter((d) => inFile(d, "wrong.gen.ts"));
 */
export function inFile(d: Diagnostic, name: string): boolean {
  return d.file === name || d.file.endsWith(`/${name}`);
}

/**
 * Each diagnostic (up to 20) with the source lines of the generated case it
 * falls in and what the runtime said of that case.
 *
 * @example
 * explainDiagnostics(others, source, stacks, (s) => spans.get(s)!, (s) => `runtime: params ${s.params}`);
 */
export function explainDiagnostics<T>(
  diagnostics: readonly Diagnostic[],
  source: string,
  cases: readonly T[],
  span: (c: T) => readonly [number, number],
  runtime: (c: T) => string,
): string {
  const lines = source.split("\n");
  return diagnostics
    .slice(0, 20)
    .map((d) => {
      const c = cases.find((k) => d.line >= span(k)[0] && d.line <= span(k)[1]);
      if (c === undefined) return d.text;
      const [a, b] = span(c);
      return [d.text, `  ${runtime(c)}`, ...lines.slice(a - 1, b).map((l) => `  | ${l}`)].join("\n");
    })
    .join("\n\n");
}
