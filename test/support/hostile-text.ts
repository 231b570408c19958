/**
 * What the hostile-input tests of the library's text share: names an
 * attacker would choose, the check that written text carries none of their
 * dangerous characters raw, a strict XML well-formedness check, the command
 * line run as a user runs it, and generated modules run in a child process
 * in a folder of their own.
 */
import { execFile } from "node:child_process";
import { readdirSync } from "node:fs";
import path from "node:path";
import { SaxesParser } from "saxes";

import { repoRoot } from "./tsc.js";

/** Terminal escapes an attacker puts in a name: clear screen, window title, clipboard write (OSC 52), a bell, an 8-bit CSI. */
export const TERMINAL_ESCAPES = ["\u001b[2J\u001b[H", "\u001b]0;owned\u0007", "\u001b]52;c;ZWNobyBvd25lZA==\u0007", "\u0007", "\u009b31m"] as const;

/** Characters that break a line in a terminal or in JavaScript source. */
export const LINE_BREAKS = ["\n", "\r", "\r\n", "\u2028", "\u2029", "\u0085", "\u000b", "\u000c"] as const;

/** Bidi overrides and isolates (the "Trojan Source" characters). */
export const BIDI = ["\u202e", "\u202d", "\u2066", "\u2067", "\u2068", "\u2069", "\u200f"] as const;

/**
 * Characters no written line may carry raw: C0 controls (a line is split on
 * `\n` before the check), DEL, C1 controls, line and paragraph separators,
 * bidi controls, lone surrogates and the noncharacters U+FFFE and U+FFFF.
 * Written out here rather than taken from the library, so the test does not
 * trust the code it checks.
 */
const RAW_UNSAFE = new RegExp(
  [
    "[\\u0000-\\u0009\\u000b-\\u001f\\u007f-\\u009f\\u2028\\u2029\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069\\u061c\\ufffe\\uffff]",
    "[\\ud800-\\udbff](?![\\udc00-\\udfff])",
    "(?<![\\ud800-\\udbff])[\\udc00-\\udfff]",
  ].join("|"),
);

/**
 * The first dangerous character in a text (lines split on `\n`), as
 * `line N: U+XXXX`, or `undefined` when there is none.
 *
 * @example
 * firstUnsafe("ok\nfine");        // undefined
 * firstUnsafe("ok\nbad\u001b[2J"); // "line 2: U+001B"
 */
export function firstUnsafe(text: string): string | undefined {
  const lines = text.split("\n");
  for (const [i, line] of lines.entries()) {
    const m = RAW_UNSAFE.exec(line);
    if (m !== null) return `line ${i + 1}: U+${m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`;
  }
  return undefined;
}

/**
 * The first well-formedness error of an XML document by a strict parser
 * (saxes checks every character against XML 1.0's `Char` production), or
 * `undefined` when the document is well-formed.
 *
 * @example
 * xmlError("<a>\u0001</a>"); // "1:4: disallowed character."
 */
export function xmlError(xml: string): string | undefined {
  const parser = new SaxesParser();
  let error: string | undefined;
  parser.on("error", (e) => {
    error ??= e.message;
  });
  try {
    parser.write(xml).close();
  } catch (e) {
    error ??= (e as Error).message;
  }
  return error;
}

/** A finished child process. */
export interface ChildRun {
  readonly code: number;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `node` with arguments, bounded in time and heap, and collects what it wrote. */
export function runNode(args: readonly string[], options: { cwd: string; timeoutMs?: number; heapMb?: number }): Promise<ChildRun> {
  const heap = `--max-old-space-size=${options.heapMb ?? 512}`;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [heap, ...args],
      { cwd: options.cwd, encoding: "utf8", timeout: options.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024, killSignal: "SIGKILL" },
      (error, stdout, stderr) => {
        const e = error as (Error & { code?: unknown; signal?: string | null }) | null;
        const code = e === null ? 0 : typeof e.code === "number" ? e.code : -1;
        resolve({ code, signal: e?.signal ?? null, stdout, stderr });
      },
    );
  });
}

/** The command line, run from a folder as a user runs it (`bin/shapewise.mjs`). */
export function shapewiseCli(args: readonly string[], cwd: string = repoRoot, timeoutMs = 60_000): Promise<ChildRun> {
  return runNode([path.join(repoRoot, "bin/shapewise.mjs"), ...args], { cwd, timeoutMs });
}

/** TypeScript files run by tsx in a child process (its working directory `cwd`). */
export function runTypeScript(file: string, cwd: string, timeoutMs = 60_000): Promise<ChildRun> {
  return runNode([path.join(repoRoot, "node_modules/tsx/dist/cli.mjs"), file], { cwd, timeoutMs });
}

/** Every file under a folder, relative to it, sorted: what a run must leave unchanged. */
export function filesUnder(dir: string): string[] {
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as import("node:fs").Dirent[])
    .filter((d) => d.isFile())
    .map((d) => path.relative(dir, path.join(d.parentPath ?? (d as unknown as { path: string }).path, d.name)))
    .sort();
}
