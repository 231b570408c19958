/**
 * Options a caller can get wrong, each refused with a sentence that names the
 * option, its value and the rule, never ignored and never a hang: summary and
 * plotModel options foreign to them (Keras's `dpi`, `expandNested`,
 * `rankdir`) or of the wrong kind, a Keras 3 table too narrow for its
 * columns, and every command-line option: given twice, out of range, a
 * diagram written onto a FIFO nothing reads, an export name that is not a
 * file name, and a FIFO given to `check` or `--tsc`.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { run } from "../../src/cli/main.js";
import { clearSession, concatenate, input, model, plotModel } from "../../src/index.js";
import { saveModel } from "../../src/io/tfjs/save.js";
import type { ChildRun } from "../support/hostile-text.js";
import { shapewiseCli } from "../support/hostile-text.js";

let dir: string;
let modelJson: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "shapewise-options-"));
  clearSession();
  const x = input({ shape: [3], name: "x" });
  await saveModel(model({ inputs: x, outputs: x.dense({ units: 2 }), name: "small" }) as never, path.join(dir, "small"));
  modelJson = path.join(dir, "small/model.json");
  execFileSync("mkfifo", [path.join(dir, "fifo")]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function small() {
  const x = input({ shape: [8] });
  return model({ inputs: x, outputs: concatenate([x.dense({ units: 3 }), x.dense({ units: 5 })]) });
}

function message(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("expected a refusal");
}

async function runHere(...args: string[]): Promise<ChildRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(args, { out: (l) => out.push(`${l}\n`), err: (l) => err.push(`${l}\n`) });
  return { code, signal: null, stdout: out.join(""), stderr: err.join("") };
}

describe("summary options", () => {
  it("a misspelt or foreign option is refused by name, not ignored", () => {
    const m = small();
    const options = "style, lineLength, positions, keras2Era, flops, memory, printFn";
    for (const key of ["lineLenght", "expandNested", "showTrainable", "layerRange"]) {
      expect(message(() => m.summary({ [key]: true, printFn: () => {} } as never))).toBe(`shapewise: summary has no option '${key}' (options: ${options})`);
    }
  });

  it("a keras3 table too narrow for its columns names the option and its value", () => {
    const m = small();
    expect(message(() => m.summary({ style: "keras3", lineLength: 11, printFn: () => {} }))).toBe(
      "shapewise: summary option lineLength 11 is too narrow for the columns of this model's keras3 table (Keras: Insufficient console width to print summary.)",
    );
    expect(message(() => m.summary({ style: "keras3", lineLength: 20, positions: [0.1, 0.2, 0.3, 1], printFn: () => {} }))).toBe(
      "shapewise: summary option lineLength 20 with positions [0.1, 0.2, 0.3, 1] is too narrow for the columns of this model's keras3 table (Keras: Insufficient console width to print summary.)",
    );
  });
});

describe("plotModel options", () => {
  it("Keras plot_model options it does not draw (dpi, expandNested, rankdir) are refused by name", () => {
    const m = small();
    for (const [key, value] of [
      ["dpi", 1e308],
      ["expandNested", true],
      ["rankdir", "LR"],
      ["showLayerNames", false],
    ] as const) {
      expect(message(() => plotModel(m, { [key]: value } as never))).toBe(`shapewise: plotModel has no option '${key}' (options: showShapes, title)`);
    }
  });

  it("showShapes and title must be true or false: a truthy string or 0 is not read as one", () => {
    const m = small();
    expect(message(() => plotModel(m, { showShapes: "yes" } as never))).toBe("shapewise: plotModel showShapes must be true or false, got 'yes'");
    expect(message(() => plotModel(m, { title: 0 } as never))).toBe("shapewise: plotModel title must be true or false, got 0");
    expect(plotModel(m, { showShapes: true, title: false })).toMatch(/^<svg /);
  });
});

describe("command-line options", () => {
  it("an option given twice is a usage mistake, whichever command", async () => {
    for (const args of [
      ["summary", modelJson, "--style", "keras2", "--style", "tfjs"],
      ["summary", modelJson, "--line-length=80", "--line-length", "90"],
      ["plot", modelJson, "-o", path.join(dir, "a.svg"), "--output", path.join(dir, "b.svg")],
      ["plot", modelJson, "-o", path.join(dir, "a.svg"), "--show-shapes", "--show-shapes"],
      ["check", path.join(dir, "x.ts"), "--tsc", "a", "--tsc", "b"],
    ]) {
      const r = await runHere(...args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stdout, args.join(" ")).toBe("");
      expect(r.stderr.split("\n")[0], args.join(" ")).toMatch(
        /^shapewise (summary|plot|check): option (--style|--line-length|--output|--show-shapes|--tsc) is given twice$/,
      );
    }
    expect(existsSync(path.join(dir, "a.svg"))).toBe(false);
  });

  it("--line-length past the widest table is refused before the model is read", async () => {
    const r = await runHere("summary", modelJson, "--line-length", "10001");
    expect(r.code).toBe(2);
    expect(r.stderr.split("\n")[0]).toBe("shapewise summary: --line-length must be a positive integer of at most 10000, got '10001'");
    expect((await runHere("summary", modelJson, "--line-length", "10000")).code).toBe(0);
  }, 60_000);

  it("plot -o onto a FIFO that nothing reads is one sentence, not a hang", async () => {
    const r = await shapewiseCli(["plot", modelJson, "-o", path.join(dir, "fifo")], dir, 30_000);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr.trimEnd()).toBe(`shapewise: cannot write ${path.join(dir, "fifo")}: it is a FIFO that nothing reads`);
  }, 60_000);

  it("an export name that is not a plain file name part never names a diagram file", async () => {
    const module = path.join(dir, "exports.mjs");
    writeFileSync(
      module,
      [
        `import { input, model } from ${JSON.stringify(path.resolve("src/index.ts"))};`,
        "const x = input({ shape: [2] });",
        "const a = model({ inputs: x, outputs: x.dense({ units: 1 }) });",
        "const b = model({ inputs: x, outputs: x.dense({ units: 3 }) });",
        'export { a, b as "../escaped" };',
        "",
      ].join("\n"),
    );
    const r = await shapewiseCli(["plot", module, "-o", path.join(dir, "out.svg")], dir, 60_000);
    expect(r.code).toBe(1);
    expect(r.stderr.trimEnd()).toBe(
      `shapewise: cannot name a diagram file after the export "../escaped": export names used in file names must not be empty, '.', '..', or hold a slash, a backslash or a control character`,
    );
    expect(existsSync(path.join(dir, "out.a.svg"))).toBe(false);
    expect(existsSync(path.join(dir, "escaped.svg"))).toBe(false);
  }, 90_000);

  it("check of a FIFO, or a --tsc that is a FIFO, is refused instead of keeping the compiler waiting", async () => {
    const fifo = path.join(dir, "fifo");
    const file = path.join(dir, "clean.ts");
    writeFileSync(file, "export const n: number = 1;\n");
    const asFile = await shapewiseCli(["check", fifo], dir, 30_000);
    expect(asFile.signal).toBeNull();
    expect(asFile.code).toBe(1);
    expect(asFile.stderr.trimEnd()).toBe(`shapewise: cannot read ${fifo}: it is a FIFO, not a regular file`);
    const asTsc = await shapewiseCli(["check", file, "--tsc", fifo], dir, 30_000);
    expect(asTsc.signal).toBeNull();
    expect(asTsc.code).toBe(1);
    expect(asTsc.stderr.trimEnd()).toBe(`shapewise: cannot read --tsc ${fifo}: it is a FIFO, not a regular file`);
  }, 90_000);
});
