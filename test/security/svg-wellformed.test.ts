/**
 * `plotModel` with hostile names always writes a well-formed XML document,
 * as a strict parser (saxes) judges it: characters XML cannot hold (C0
 * controls, NUL, U+FFFE, U+FFFF, lone surrogates) and those that must not
 * act on a reader (line breaks, bidi overrides) are drawn as escapes, markup
 * characters as entities; the command line's SVG file is well-formed too.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { add, clearSession, input, model } from "../../src/index.js";
import type { Model } from "../../src/index.js";
import { plotModel } from "../../src/plot/plot.js";
import { BIDI, firstUnsafe, LINE_BREAKS, shapewiseCli, TERMINAL_ESCAPES, xmlError } from "../support/hostile-text.js";

const HOSTILE = [
  "\u0001",
  "\u0000",
  "\u001b",
  "\ufffe",
  "\uffff",
  "\ud800",
  "\udc00",
  "x\udbff",
  "]]>",
  "<svg>",
  "&amp;",
  '"',
  "'",
  "<!--",
  "<?xml",
  ...TERMINAL_ESCAPES,
  ...LINE_BREAKS,
  ...BIDI,
];

/** Every name of a small branching model (inputs, layers, merge, model) carries the hostile text. */
function hostileModel(bad: string): Model {
  clearSession();
  const x = input({ shape: [4], name: `in${bad}` });
  const a = x.dense({ units: 2, name: `a${bad}` });
  const b = x.dense({ units: 2, name: `${bad}b` });
  return model({ inputs: x, outputs: add([a, b], { name: `sum${bad}` } as never) as never, name: `model${bad}` }) as unknown as Model;
}

describe("plotModel: always well-formed XML", () => {
  it("control characters, noncharacters, lone surrogates and markup in names give a well-formed document", () => {
    for (const bad of HOSTILE) {
      const m = hostileModel(bad);
      for (const options of [{}, { showShapes: true }, { title: false }]) {
        const svg = plotModel(m, options);
        expect(xmlError(svg), `${JSON.stringify(bad)} ${JSON.stringify(options)}`).toBeUndefined();
        expect(firstUnsafe(svg), JSON.stringify(bad)).toBeUndefined();
      }
    }
  });

  it("draws the characters as escapes in the text and in the data-layer attribute", () => {
    const svg = plotModel(hostileModel("\u0001\u001b\n"));
    expect(svg).toContain(">model\\u0001\\u001b\\u000a</text>");
    expect(svg).toContain('data-layer="a\\u0001\\u001b\\u000a"');
    expect(svg).toContain(">a\\u0001\\u001b\\u000a: Dense</text>");
    // Markup stays text.
    expect(plotModel(hostileModel("]]><x>&"))).toContain("a]]&gt;&lt;x&gt;&amp;: Dense");
  });
});

describe("shapewise plot: always well-formed XML", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "shapewise-svg-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("writes a well-formed SVG for a module whose model names hold controls and noncharacters", async () => {
    const module = path.join(dir, "hostile.ts");
    const index = JSON.stringify(path.join(path.dirname(new URL(import.meta.url).pathname), "../../src/index.js"));
    writeFileSync(
      module,
      [
        `import { input, model } from ${index};`,
        'const x = input({ shape: [3], name: "in\\u0000\\u0001" });',
        'export const m = model({ inputs: x, outputs: x.dense({ units: 2, name: "d\\uFFFE\\u001b[2J" }), name: "m\\uD800" });',
        "",
      ].join("\n"),
    );
    const out = path.join(dir, "m.svg");
    const run = await shapewiseCli(["plot", module, "-o", out, "--show-shapes"], dir);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const svg = readFileSync(out, "utf8");
    expect(xmlError(svg)).toBeUndefined();
    expect(svg).toContain("d\\ufffe\\u001b[2J: Dense");
    expect(svg).toContain(">m\\ud800</text>");
  }, 60_000);
});
