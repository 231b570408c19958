/**
 * Summaries and the command line with hostile names: terminal escapes (clear
 * screen, window title, an OSC 52 clipboard write, a bell, an 8-bit CSI),
 * line breaks, bidi overrides, lone surrogates and noncharacters in model
 * and layer names are shown escaped (`\u001b`) in every summary style, and
 * the tf.keras 2 `Connected to` list escapes them as Python's `repr` does;
 * ordinary names, non-ASCII letters and emoji included, print unchanged.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { add, clearSession, input, model, sequential } from "../../src/index.js";
import type { SummaryOptions } from "../../src/index.js";
import { saveModel } from "../../src/io/tfjs/save.js";
import { BIDI, firstUnsafe, LINE_BREAKS, shapewiseCli, TERMINAL_ESCAPES } from "../support/hostile-text.js";

const HOSTILE = [...TERMINAL_ESCAPES, ...LINE_BREAKS, ...BIDI, "\u0000", "\t", "\u007f", "\ud800", "\udfff", "\ufffe", "\uffff", "\u{e0041}", "\ufeff"];

/** Every layout a summary has: three styles, the three tf.keras 2 eras. */
const LAYOUTS: readonly SummaryOptions[] = [
  { style: "keras2", keras2Era: "2.6" },
  { style: "keras2", keras2Era: "2.12" },
  { style: "keras2", keras2Era: "2.15" },
  { style: "keras3" },
  { style: "keras3", lineLength: 108 },
  { style: "tfjs" },
];

/** A functional model (a `Connected to` column) and a sequential one, every name carrying one hostile string. */
function hostileModels(bad: string) {
  clearSession();
  const x = input({ shape: [4], name: `in${bad}put` });
  const a = x.dense({ units: 3, name: `left${bad}` });
  const b = x.dense({ units: 3, name: `${bad}right` });
  const functional = model({ inputs: x, outputs: add([a, b], { name: `sum${bad}` } as never) as never, name: `model${bad}` });
  const y = input({ shape: [4], name: `seq_in${bad}` });
  const chain = sequential({ inputs: y, outputs: y.dense({ units: 2, name: `d${bad}` }).reLU({ name: `act${bad}` } as never), name: `seq${bad}` });
  return [functional, chain] as const;
}

describe("summary: names are shown, never acted on", () => {
  it("no summary style emits a control, separator, bidi or surrogate character of a name", () => {
    for (const bad of HOSTILE) {
      for (const m of hostileModels(bad)) {
        for (const layout of LAYOUTS) {
          const text = m.summary({ ...layout, printFn: () => {} });
          expect(firstUnsafe(text), `${JSON.stringify(bad)} ${JSON.stringify(layout)}`).toBeUndefined();
        }
      }
    }
  });

  it("shows each character as its escape, and the tf.keras 2 connection list as Python's repr", () => {
    const [m] = hostileModels("\u001b[2J");
    const keras2 = m.summary({ printFn: () => {} });
    expect(keras2).toContain('Model: "model\\u001b[2J"');
    expect(keras2).toContain(" left\\u001b[2J (Dense)");
    expect(keras2).toContain("['left\\x1b[2J[0][0]',");
    expect(m.summary({ style: "keras3", printFn: () => {} })).toContain("│ left\\u001b[2J ");
    expect(m.summary({ style: "tfjs", printFn: () => {} })).toContain("left\\u001b[2J[0][0]");
    const [bidi] = hostileModels("\u202e");
    expect(bidi.summary({ printFn: () => {} })).toContain("['left\\u202e[0][0]',");
  });

  it("prints ordinary names exactly as written: non-ASCII letters, emoji, quotes and backslashes", () => {
    for (const name of [
      "couche_équilibrée",
      "слой",
      "層_1",
      "emoji_👍🏽",
      "family_👨\u200d👩\u200d👧",
      "quote'd",
      'dq"x',
      "back\\slash",
      "$" + "{x}",
      "`tick`",
    ]) {
      clearSession();
      const x = input({ shape: [2], name: `${name}_in` });
      const m = model({ inputs: x, outputs: x.dense({ units: 1, name }), name: `${name}_model` });
      for (const layout of LAYOUTS) {
        const text = m.summary({ ...layout, printFn: () => {} });
        expect(text, `${name} ${JSON.stringify(layout)}`).toContain(`${name} (Dense)`);
        if (layout.style !== "tfjs") expect(text).toContain(`Model: "${name}_model"`);
      }
    }
  });

  it("refuses a line length that would only spend memory on padding", () => {
    const [m] = hostileModels("x");
    expect(() => m.summary({ lineLength: 1_000_000_000, printFn: () => {} })).toThrow(
      "shapewise: summary option lineLength must be at most 10000, got 1000000000",
    );
    expect(() => m.summary({ positions: [30, 60, 70, 999_999_999], printFn: () => {} })).toThrow(/positions must end at most at column 10000/);
  });
});

describe("command line: names from a file are shown, never acted on", () => {
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "shapewise-terminal-"));
    const [functional] = hostileModels("\u001b]52;c;ZWNobyBvd25lZA==\u0007\n\u009b2J\u202e");
    await saveModel(functional as never, path.join(dir, "hostile"));
    // A Keras JSON whose connection names a layer that is not there: the refusal quotes the name.
    const sequence = "\u001b]0;owned\u0007\n\u001b[2J";
    writeFileSync(
      path.join(dir, "broken.json"),
      JSON.stringify({
        class_name: "Functional",
        config: {
          name: `m${sequence}`,
          layers: [
            { class_name: "InputLayer", name: "x", config: { batch_input_shape: [null, 2], dtype: "float32", name: "x" }, inbound_nodes: [] },
            { class_name: "Dense", name: `d${sequence}`, config: { name: `d${sequence}`, units: 1 }, inbound_nodes: [[[`ghost${sequence}`, 0, 0, {}]]] },
          ],
          input_layers: [["x", 0, 0]],
          output_layers: [[`d${sequence}`, 0, 0]],
        },
      }),
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("summary and codegen of a model.json with hostile names write no raw control character", async () => {
    for (const style of ["keras2", "keras3", "tfjs"]) {
      const run = await shapewiseCli(["summary", path.join(dir, "hostile/model.json"), "--style", style]);
      expect(run.stderr, style).toBe("");
      expect(run.code, style).toBe(0);
      expect(firstUnsafe(run.stdout), style).toBeUndefined();
      // The title line is never wrapped or cut (TensorFlow.js prints none; its rows are cut to their columns).
      expect(run.stdout, style).toContain(style === "tfjs" ? "\\u001b]52;c" : 'Model: "model\\u001b]52;c;ZWNobyBvd25lZA==\\u0007\\u000a\\u009b2J\\u202e"');
    }
    const codegen = await shapewiseCli(["codegen", path.join(dir, "hostile/model.json")]);
    expect(codegen.code).toBe(0);
    expect(firstUnsafe(codegen.stdout)).toBeUndefined();
  }, 120_000);

  it("a refusal that quotes a hostile name is one line on stderr with the name escaped", async () => {
    const run = await shapewiseCli(["summary", path.join(dir, "broken.json")]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(firstUnsafe(run.stderr)).toBeUndefined();
    expect(run.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(run.stderr).toMatch(/^shapewise: .*\\u001b\]0;owned\\u0007\\u000a\\u001b\[2J/);
  }, 60_000);
});
