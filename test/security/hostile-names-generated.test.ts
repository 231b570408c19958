/**
 * Generated hostile names (fast-check, fixed seed): random strings from
 * every Unicode control and separator character, format characters, lone
 * surrogates, noncharacters, quotes, backticks, `${`, `*\/`, `</script>`,
 * reserved words and ordinary letters name the inputs, layers, merge and
 * model of a small graph. Each model goes through every summary style (no
 * dangerous character written raw), `plotModel` (well-formed XML by a strict
 * parser), the command line's summary of its saved model.json (in this
 * process), and `codegen`: all generated files are compiled in one
 * TypeScript 7 run and run by one child process, bounded in time and heap,
 * in a folder that must afterwards hold only what the test wrote; every
 * name must come back exactly.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { run } from "../../src/cli/main.js";
import { add, clearSession, input, model } from "../../src/index.js";
import type { Model } from "../../src/index.js";
import { codegen } from "../../src/io/codegen.js";
import { saveModel } from "../../src/io/tfjs/save.js";
import { plotModel } from "../../src/plot/plot.js";
import { filesUnder, firstUnsafe, runTypeScript, xmlError } from "../support/hostile-text.js";
import { checkProject, compilers, repoRoot } from "../support/tsc.js";

const CASES = 40;
const SEED = 20261206;

/** Every code point of Unicode's Cc, Zs, Zl and Zp categories, and the format characters an attacker reaches for. */
const specials: string[] = [];
for (let c = 0; c <= 0x10ffff; c++) {
  if (c >= 0xd800 && c <= 0xdfff) continue;
  const ch = String.fromCodePoint(c);
  if (/[\p{Cc}\p{Z}]/u.test(ch)) specials.push(ch);
}
specials.push(
  "\u200e",
  "\u200f",
  "\u202a",
  "\u202b",
  "\u202c",
  "\u202d",
  "\u202e",
  "\u2066",
  "\u2067",
  "\u2068",
  "\u2069",
  "\ufeff",
  "\u00ad",
  "\u{e0041}",
  "\ufffe",
  "\uffff",
  "\ud800",
  "\udfff",
);
const tokens = [
  "'",
  '"',
  "`",
  "${",
  "*/",
  "/*",
  "</script>",
  "<!--",
  "]]>",
  "&",
  "<",
  "\\",
  "\\u0041",
  "eval",
  "arguments",
  "default",
  "class",
  "layers",
  "input",
  "model",
  "__proto__",
  "constructor",
  "m",
  "x",
  "é",
  "👍",
  "1",
];

/** A non-empty name without `/` (which names cannot hold) built of the pieces above. */
const hostileName = fc
  .array(fc.oneof(fc.constantFrom(...specials), fc.constantFrom(...tokens), fc.string({ minLength: 1, maxLength: 3 })), { minLength: 1, maxLength: 6 })
  .map((parts) => parts.join("").replaceAll("/", "|"));

/** Six distinct names: input, two branches, merge, head, model. */
const names = fc.uniqueArray(hostileName, { minLength: 6, maxLength: 6 });

function build(n: readonly string[]): Model {
  const x = input({ shape: [3], name: n[0] });
  const a = x.dense({ units: 2, name: n[1] });
  const b = x.dense({ units: 2, name: n[2] });
  const sum = add([a, b], { name: n[3] } as never);
  return model({ inputs: x, outputs: (sum as never as typeof a).dense({ units: 1, name: n[4] }), name: n[5] }) as unknown as Model;
}

const indexImport = path.join(repoRoot, "src/index.js");
let dir: string;
const samples = fc.sample(names, { numRuns: CASES, seed: SEED });

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "shapewise-hostile-generated-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe(`${CASES} generated hostile name sets`, () => {
  it("summaries in every style write no dangerous character raw, and every SVG is well-formed XML", () => {
    for (const n of samples) {
      clearSession();
      const m = build(n);
      for (const style of ["keras2", "keras3", "tfjs"] as const) {
        for (const keras2Era of ["2.6", "2.12", "2.15"] as const) {
          if (style !== "keras2" && keras2Era !== "2.12") continue;
          const text = m.summary({ style, keras2Era, printFn: () => {} });
          expect(firstUnsafe(text), `${style} ${keras2Era} ${JSON.stringify(n)}`).toBeUndefined();
        }
      }
      for (const showShapes of [false, true]) {
        expect(xmlError(plotModel(m as never, { showShapes })), JSON.stringify(n)).toBeUndefined();
      }
    }
  });

  it("the command line's summary of each saved model.json writes no dangerous character raw", async () => {
    for (const [i, n] of samples.slice(0, 12).entries()) {
      clearSession();
      const folder = path.join(dir, `saved_${i}`);
      await saveModel(build(n) as never, folder);
      const lines: string[] = [];
      const code = await run(["summary", path.join(folder, "model.json"), "--style", i % 2 === 0 ? "keras3" : "keras2"], {
        out: (l) => lines.push(l),
        err: (l) => lines.push(l),
      });
      expect(code, JSON.stringify(n)).toBe(0);
      expect(firstUnsafe(lines.join("\n")), JSON.stringify(n)).toBeUndefined();
    }
  }, 120_000);

  it("codegen's sources compile, run in a child process without creating a file, and give every name back", async () => {
    const codegenDir = mkdtempSync(path.join(dir, "codegen-"));
    const expected: unknown[] = [];
    const files: string[] = [];
    samples.forEach((n, i) => {
      clearSession();
      const m = build(n);
      const source = codegen(m as never, { importFrom: indexImport });
      expect(firstUnsafe(source), JSON.stringify(n)).toBeUndefined();
      writeFileSync(path.join(codegenDir, `case_${i}.ts`), source);
      files.push(`case_${i}`);
      expected.push([m.name, m.layers.map((l) => l.name)]);
    });
    writeFileSync(path.join(codegenDir, "package.json"), JSON.stringify({ type: "module" }));
    writeFileSync(
      path.join(codegenDir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          noEmit: true,
          skipLibCheck: true,
          types: ["node"],
          typeRoots: [path.join(repoRoot, "node_modules/@types")],
        },
        files: files.map((f) => `${f}.ts`),
      }),
    );
    const compiled = await checkProject(compilers.ts7, path.join(codegenDir, "tsconfig.json"), codegenDir);
    expect(compiled.diagnostics.map((d) => d.text)).toEqual([]);
    writeFileSync(
      path.join(codegenDir, "runner.ts"),
      [
        "const results: unknown[] = [];",
        ...files.map((f) => `{ const g: any = await import("./${f}.js"); results.push([g.m.name, g.m.layers.map((l: any) => l.name)]); }`),
        "console.log(JSON.stringify(results));",
        "export {};",
      ].join("\n"),
    );
    const before = filesUnder(codegenDir);
    const child = await runTypeScript(path.join(codegenDir, "runner.ts"), codegenDir, 120_000);
    expect(child.stderr).toBe("");
    expect(child.code).toBe(0);
    expect(filesUnder(codegenDir)).toEqual(before);
    expect(JSON.parse(child.stdout)).toEqual(expected);
  }, 240_000);
});
