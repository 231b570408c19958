/**
 * Runs the TypeScript 5.x and 7.x compilers the project tests with, and
 * splits their plain (`--pretty false`) output into diagnostics per file.
 */
import { execFile, execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import path from "node:path";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** The compilers under test: the JS compiler (5.x) and the native one (7.x). */
export const compilers = {
  ts5: path.join(repoRoot, "node_modules/typescript/bin/tsc"),
  ts7: path.join(repoRoot, "node_modules/typescript7/bin/tsc"),
} as const;

export type CompilerName = keyof typeof compilers;

/** Runs one compiler on a project and returns its plain-text diagnostics (empty when clean). */
export function runTsc(compiler: CompilerName, project: string, extraArgs: readonly string[] = []): string {
  try {
    return execFileSync(process.execPath, [compilers[compiler], "-p", project, "--noEmit", "--pretty", "false", ...extraArgs], {
      cwd: repoRoot,
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    return `${e.stdout ?? ""}${e.stderr ?? ""}`;
  }
}

/** Groups diagnostic lines by the file they start with (continuation lines stay with their diagnostic). */
export function diagnosticsByFile(output: string): Map<string, string[]> {
  const byFile = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of output.split(/\r?\n/)) {
    if (line === "") continue;
    const match = /^(.+?)\(\d+,\d+\): (error|warning)/.exec(line);
    if (match) {
      const file = match[1].replace(/\\/g, "/");
      current = byFile.get(file) ?? [];
      byFile.set(file, current);
      current.push(line);
    } else if (current) {
      current.push(line);
    } else {
      byFile.set("(global)", [...(byFile.get("(global)") ?? []), line]);
    }
  }
  return byFile;
}

/** One diagnostic of a plain-text compiler run, with its continuation lines. */
export interface Diagnostic {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly code: string;
  readonly text: string;
}

/** A compiler run: how long it took, what it said, and its exit code. */
export interface CheckResult {
  readonly ms: number;
  readonly diagnostics: readonly Diagnostic[];
  readonly exitCode: number;
  readonly raw: string;
}

/** Splits `--pretty false` output into diagnostics (continuation lines stay with theirs). */
export function parseDiagnostics(raw: string): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const line of raw.split(/\r?\n/)) {
    const m = /^(.+?)\((\d+),(\d+)\): error (TS\d+): /.exec(line);
    if (m) diagnostics.push({ file: m[1].replace(/\\/g, "/"), line: Number(m[2]), column: Number(m[3]), code: m[4], text: line });
    else if (diagnostics.length > 0 && /^\s/.test(line)) {
      const last = diagnostics.pop()!;
      diagnostics.push({ ...last, text: `${last.text}\n${line}` });
    }
  }
  return diagnostics;
}

/** Runs a compiler (a `tsc` script path) on a project without blocking the test process. */
export function checkProject(tsc: string, tsconfig: string, cwd: string): Promise<CheckResult> {
  const start = performance.now();
  return new Promise((resolve) => {
    execFile(process.execPath, [tsc, "-p", tsconfig, "--pretty", "false"], { cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const raw = `${stdout}${stderr}`;
      const exitCode = error ? (typeof error.code === "number" ? error.code : -1) : 0;
      resolve({ ms: performance.now() - start, diagnostics: parseDiagnostics(raw), exitCode, raw });
    });
  });
}
