/**
 * The `shapewise` command line, run as a subprocess exactly as a user runs
 * it (`bin/shapewise.mjs`): help texts, summaries of a module's exported
 * models and of a TensorFlow.js model.json, `check` on files with and
 * without shape errors (lines and exit codes), `plot` to SVG, and the
 * sentences and exit codes of every usage mistake.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { clearSession } from "../src/index.js";
import type { Model } from "../src/index.js";
import { saveModel } from "../src/io/tfjs-format.js";
import { repoRoot } from "./support/tsc.js";

const BIN = path.join(repoRoot, "bin/shapewise.mjs");
const FIXTURES = "test/fixtures/cli";
/** Files with type errors, kept out of the type-checked projects. */
const ERRORS = "test-d/cli";

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the command line from the repository root. */
function shapewise(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: repoRoot, encoding: "utf8", timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

const silent = { printFn: () => {} };

let tmp: string;
let seed: { modelA: Model; modelB: Model };

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), "shapewise-cli-"));
  // The fixture module, loaded the way the command line loads it (fresh names from a cleared session).
  clearSession();
  seed = (await import("./fixtures/cli/seed-models.js")) as unknown as { modelA: Model; modelB: Model };
  await saveModel(seed.modelB, path.join(tmp, "tfjs"));
});

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("help", () => {
  it("the tool and every command have a --help that exits 0", async () => {
    const top = await shapewise("--help");
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/^Usage: shapewise <command> \[options\]/);
    for (const command of ["summary", "codegen", "check", "plot"]) {
      expect(top.stdout).toContain(`  ${command} `);
      const own = await shapewise(command, "--help");
      expect(own.code, command).toBe(0);
      expect(own.stdout, command).toMatch(new RegExp(`^Usage: shapewise ${command} `));
    }
    expect((await shapewise()).stdout).toBe(top.stdout);
    expect((await shapewise("help", "plot")).stdout).toBe((await shapewise("plot", "--help")).stdout);
  }, 60_000);
});

describe("summary", () => {
  it("summarises every model a .ts module exports, in export order", async () => {
    const run = await shapewise("summary", `${FIXTURES}/seed-models.ts`);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`${seed.modelA.summary(silent)}\n${seed.modelB.summary(silent)}`);
    expect(run.stdout).toContain("Total params: 104,202");
    expect(run.stdout).toContain("Total params: 113,162");
  });

  it("takes --style and --line-length", async () => {
    const run = await shapewise("summary", `${FIXTURES}/seed-models.ts`, "--style=keras3", "--line-length", "90");
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`${seed.modelA.summary({ ...silent, style: "keras3", lineLength: 90 })}\n${seed.modelB.summary({ ...silent, style: "keras3", lineLength: 90 })}`);
  });

  it("reads a TensorFlow.js model.json with its weights", async () => {
    // The file keeps the tf.keras 2 names it was saved with, so the default style matches the model it came from.
    const run = await shapewise("summary", path.join(tmp, "tfjs/model.json"));
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(seed.modelB.summary(silent));
  });
});

describe("check", () => {
  it("prints one line per shape error at the offending property and exits 1", async () => {
    const run = await shapewise("check", `${ERRORS}/shape-error.ts`);
    expect(run.code).toBe(1);
    expect(run.stdout.split("\n").filter((l) => l !== "")).toEqual([
      `${ERRORS}/shape-error.ts:11:51: shapewise: conv2d kernelSize 5 is larger than input height 3 with padding 'valid'`,
      `${ERRORS}/shape-error.ts:13:54: shapewise: dense units must be a positive integer, got 0`,
    ]);
  }, 60_000);

  it("prints nothing and exits 0 for a file without errors", async () => {
    const run = await shapewise("check", `${FIXTURES}/clean.ts`);
    expect(run).toEqual({ code: 0, stdout: "", stderr: "" });
  }, 60_000);

  it("reports other diagnostics too, marked", async () => {
    const run = await shapewise("check", `${ERRORS}/not-a-shape-error.ts`);
    expect(run.code).toBe(1);
    expect(run.stdout.trim()).toBe(`${ERRORS}/not-a-shape-error.ts:5:14: error TS2322: Type 'string' is not assignable to type 'number'. (not a shape error)`);
  }, 60_000);
});

describe("plot", () => {
  it("writes an SVG with one box per layer, and the shapes with --show-shapes", async () => {
    const out = path.join(tmp, "b.svg");
    const run = await shapewise("plot", path.join(tmp, "tfjs/model.json"), "-o", out, "--show-shapes");
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(`wrote ${out}`);
    const svg = readFileSync(out, "utf8");
    expect(svg.startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\"")).toBe(true);
    expect(svg.match(/<g class="layer"/g)).toHaveLength(seed.modelB.layers.length);
    for (const layer of seed.modelB.layers) expect(svg).toContain(`${layer.name}: ${layer.className}`);
    expect(svg).toContain("output: (None, 28, 28, 32)");
    expect(svg.match(/marker-end/g)).toHaveLength(seed.modelB.layers.length - 1);
  });

  it("writes one file per exported model, named after the export", async () => {
    const out = path.join(tmp, "seed.svg");
    const run = await shapewise("plot", `${FIXTURES}/seed-models.ts`, "--output", out);
    expect(run.code).toBe(0);
    expect(run.stdout.trim().split("\n")).toEqual([`wrote ${path.join(tmp, "seed.modelA.svg")}`, `wrote ${path.join(tmp, "seed.modelB.svg")}`]);
    const svg = readFileSync(path.join(tmp, "seed.modelA.svg"), "utf8");
    expect(svg).toContain("conv2d: Conv2D");
    expect(svg).not.toContain("output:");
  });
});

describe("mistakes", () => {
  it("usage mistakes exit 2 with a sentence and the command's usage", async () => {
    const cases: [string[], string][] = [
      [["frob"], "shapewise: unknown command 'frob'"],
      [["summary"], "shapewise summary: summary takes one file, got 0"],
      [["summary", "a.json", "b.json"], "shapewise summary: summary takes one file, got 2"],
      [["summary", "a.json", "--style", "keras4"], "shapewise summary: --style must be one of keras2, keras3, tfjs, got 'keras4'"],
      [["summary", "a.json", "--line-length", "-3"], "shapewise summary: --line-length must be a positive integer, got '-3'"],
      [["summary", "a.json", "--colour"], "shapewise summary: unknown option --colour"],
      [["plot", `${FIXTURES}/seed-models.ts`], "shapewise plot: plot needs -o FILE.svg"],
      [["plot", `${FIXTURES}/seed-models.ts`, "-o"], "shapewise plot: option -o needs a value"],
    ];
    for (const [args, sentence] of cases) {
      const run = await shapewise(...args);
      expect(run.code, args.join(" ")).toBe(2);
      expect(run.stderr.split("\n")[0], args.join(" ")).toBe(sentence);
      expect(run.stderr, args.join(" ")).toContain("Usage: shapewise");
    }
  }, 60_000);

  it("failures exit 1 with one sentence and no stack trace", async () => {
    const missing = await shapewise("summary", "no-such-model.json");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^shapewise: cannot read .*no-such-model\.json: ENOENT/);
    expect(missing.stderr).not.toContain("    at ");
    const noModel = await shapewise("summary", `${FIXTURES}/no-model.ts`);
    expect(noModel.code).toBe(1);
    expect(noModel.stderr.trim()).toBe(`shapewise: ${path.join(repoRoot, FIXTURES, "no-model.ts")} exports no model (export const m = model({ inputs, outputs }))`);
    const notJson = await shapewise("summary", `${FIXTURES}/seed-models.txt`);
    expect(notJson.code).toBe(1);
    expect(notJson.stderr.trim()).toBe(`shapewise: ${FIXTURES}/seed-models.txt is neither a model file (.json) nor a module (.ts, .js)`);
    const checkMissing = await shapewise("check", "no-such-file.ts");
    expect(checkMissing.code).toBe(1);
    expect(checkMissing.stderr.trim()).toBe(`shapewise: cannot read ${path.join(repoRoot, "no-such-file.ts")}: no such file`);
  }, 60_000);
});
