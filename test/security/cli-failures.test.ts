/**
 * The command line never answers with a stack trace or a false success:
 * a compiler that crashes or exits with an error and no diagnostic makes
 * `check` exit 2 with the compiler's message; writing a diagram into a
 * missing folder or onto a folder, reading a folder named `model.json`, a
 * summary too narrow to print, and command words that are Object prototype
 * keys (`constructor`, `toString`, `__proto__`) each give one sentence and a
 * non-zero exit code.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { run } from "../../src/cli/main.js";
import { clearSession, input, model } from "../../src/index.js";
import { saveModel } from "../../src/io/tfjs/save.js";
import type { ChildRun } from "../support/hostile-text.js";
import { shapewiseCli } from "../support/hostile-text.js";

let dir: string;
let modelJson: string;
let clean: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "shapewise-cli-failures-"));
  clearSession();
  const x = input({ shape: [3], name: "x" });
  await saveModel(model({ inputs: x, outputs: x.dense({ units: 2 }), name: "small" }) as never, path.join(dir, "small"));
  modelJson = path.join(dir, "small/model.json");
  clean = path.join(dir, "clean.ts");
  writeFileSync(clean, "export const answer: number = 42;\n");
  mkdirSync(path.join(dir, "folder/model.json"), { recursive: true });
  // Compilers that fail: one throws as a stack overflow does, one exits 1 silently, one is killed by a signal.
  writeFileSync(path.join(dir, "crashing-tsc.js"), "function deep(n) { return deep(n + 1) + 1; }\ndeep(0);\n");
  writeFileSync(path.join(dir, "silent-tsc.js"), "process.exit(1);\n");
  writeFileSync(path.join(dir, "killed-tsc.js"), 'process.kill(process.pid, "SIGKILL");\n');
  writeFileSync(path.join(dir, "panicking-tsc.js"), 'process.stderr.write("panic: runtime error: index out of range\\n"); process.exit(2);\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** One sentence on stderr starting `shapewise`, nothing on stdout, no stack frame. */
function expectOneSentence(run: ChildRun, code: number, pattern: RegExp): void {
  expect(run.stdout).toBe("");
  expect(run.code).toBe(code);
  expect(run.stderr).not.toMatch(/\n\s+at /);
  expect(run.stderr.trimEnd().split("\n")).toHaveLength(1);
  expect(run.stderr.trimEnd()).toMatch(pattern);
}

/** The command line in this process (`run` is what the program calls), for cases that need no fresh process. */
async function runHere(...args: string[]): Promise<ChildRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(args, { out: (l) => out.push(`${l}\n`), err: (l) => err.push(`${l}\n`) });
  return { code, signal: null, stdout: out.join(""), stderr: err.join("") };
}

describe("check: a failed compiler run is not a clean file", () => {
  it("exits 2 with the compiler's message when it crashes, exits 1 silently, is killed or panics", async () => {
    const crash = await shapewiseCli(["check", clean, "--tsc", path.join(dir, "crashing-tsc.js")], dir);
    expectOneSentence(crash, 2, /^shapewise: the TypeScript compiler failed \(exit code \d+\): RangeError: Maximum call stack size exceeded$/);
    const silent = await shapewiseCli(["check", clean, "--tsc", path.join(dir, "silent-tsc.js")], dir);
    expectOneSentence(silent, 2, /^shapewise: the TypeScript compiler failed \(exit code 1\) and printed nothing$/);
    const killed = await shapewiseCli(["check", clean, "--tsc", path.join(dir, "killed-tsc.js")], dir);
    expectOneSentence(killed, 2, /^shapewise: the TypeScript compiler failed \(killed by SIGKILL\)/);
    const panic = await shapewiseCli(["check", clean, "--tsc", path.join(dir, "panicking-tsc.js")], dir);
    expectOneSentence(panic, 2, /^shapewise: the TypeScript compiler failed \(exit code 2\): panic: runtime error: index out of range$/);
    // A folder given as the compiler cannot run either.
    const folder = await shapewiseCli(["check", clean, "--tsc", dir], dir);
    expectOneSentence(folder, 2, /^shapewise: the TypeScript compiler failed/);
  }, 120_000);
});

describe("no stack traces", () => {
  it("plot -o into a missing folder, onto a folder, or under a file is one sentence", async () => {
    expectOneSentence(
      await shapewiseCli(["plot", modelJson, "-o", path.join(dir, "missing/m.svg")], dir),
      1,
      /^shapewise: cannot write .*missing\/m\.svg: its folder does not exist$/,
    );
    expectOneSentence(await shapewiseCli(["plot", modelJson, "-o", path.join(dir, "folder")], dir), 1, /^shapewise: cannot write .*folder: it is a folder$/);
    expectOneSentence(
      await shapewiseCli(["plot", modelJson, "-o", path.join(dir, "clean.ts/m.svg")], dir),
      1,
      /^shapewise: cannot write .*clean\.ts\/m\.svg: a part of its path is a file, not a folder$/,
    );
  }, 120_000);

  it("reading a folder named model.json is one sentence, for every command", async () => {
    for (const command of ["summary", "codegen"]) {
      expectOneSentence(await shapewiseCli([command, path.join(dir, "folder/model.json")], dir), 1, /^shapewise: .*model\.json( is a folder|.*folder)/);
    }
    expectOneSentence(
      await shapewiseCli(["plot", path.join(dir, "folder/model.json"), "-o", path.join(dir, "x.svg")], dir),
      1,
      /^shapewise: .*model\.json( is a folder|.*folder)/,
    );
  }, 120_000);

  it("a summary too narrow to print, or too wide to be worth the memory, is one sentence", async () => {
    expectOneSentence(
      await runHere("summary", modelJson, "--style", "keras3", "--line-length", "5"),
      1,
      /^shapewise: summary option lineLength 5 is too narrow for the columns of this model's keras3 table \(Keras: Insufficient console width to print summary\.\)$/,
    );
    // Too wide is the option's mistake, told before the model file is read.
    const wide = await runHere("summary", path.join(dir, "missing.json"), "--line-length", "999999999");
    expect(wide.code).toBe(2);
    expect(wide.stdout).toBe("");
    expect(wide.stderr.split("\n")[0]).toBe("shapewise summary: --line-length must be a positive integer of at most 10000, got '999999999'");
  }, 120_000);

  it("a --line-length that is not written in decimal digits is a usage mistake, not a number JavaScript reads into it", async () => {
    for (const text of ["0x50", "1e2", "0b1010000", " 80", "80 "]) {
      const run = await runHere("summary", modelJson, "--line-length", text);
      expect(run.stdout, text).toBe("");
      expect(run.code, text).toBe(2);
      expect(run.stderr.split("\n")[0], text).toBe(`shapewise summary: --line-length must be a positive integer of at most 10000, got '${text}'`);
    }
  }, 120_000);

  it("command words that are Object prototype keys are unknown commands, with or without help", async () => {
    for (const word of ["constructor", "toString", "__proto__", "hasOwnProperty", "valueOf"]) {
      const unknown = await runHere(word);
      expect(unknown.code, word).toBe(2);
      expect(unknown.stdout, word).toBe("");
      expect(unknown.stderr, word).toMatch(new RegExp(`^shapewise: unknown command '${word}'\\n`));
      const help = await runHere("help", word);
      expect(help.code, `help ${word}`).toBe(2);
      expect(help.stdout, `help ${word}`).toBe("");
      expect(help.stderr, `help ${word}`).toMatch(new RegExp(`^shapewise: no help for '${word}': the commands are summary, codegen, check, plot\\n`));
      expect(help.stderr).not.toContain("[native code]");
    }
  }, 120_000);

  it("an option named like a prototype key is an unknown option", async () => {
    const unknown = await runHere("summary", modelJson, "--constructor");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^shapewise summary: unknown option --constructor\n/);
  }, 60_000);
});
