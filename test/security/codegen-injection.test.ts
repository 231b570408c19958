/**
 * Codegen with hostile names: a name never becomes code. Model and layer
 * names with every JavaScript line terminator reach the header and the
 * comments as escapes; layer names that are reserved words, `eval`,
 * `arguments`, the file's imports or collide after sanitising become valid,
 * distinct identifiers; a module exporting several models (a default export
 * among them) gives one valid file; a 5,000-layer chain ending in a merge is
 * written without exhausting the call stack. Every generated file is
 * compiled by TypeScript and run in a child process in a folder of its own,
 * which must be left holding only the files the test wrote.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { add, clearSession, input, layers, model, sequential } from "../../src/index.js";
import { codegen, codegenModule } from "../../src/io/codegen.js";
import type { AnyModel } from "../../src/io/file-graph.js";
import { filesUnder, LINE_BREAKS, runTypeScript, shapewiseCli } from "../support/hostile-text.js";
import { checkProject, compilers, repoRoot } from "../support/tsc.js";

const indexImport = path.join(repoRoot, "src/index.js");

/** Code that, if it ever ran, would leave a file named PWNED in the working folder (names cannot hold `/`, so no comment hides the rest). */
const payload = 'import("node:fs").then((f) => f.writeFileSync("PWNED", "x"));';

/** Statements of a generated file other than imports, consts and exports: code that would run by itself. */
function runningStatements(source: string): string[] {
  const file = ts.createSourceFile("generated.ts", source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const declares = (s: ts.Statement) => ts.isImportDeclaration(s) || ts.isVariableStatement(s) || ts.isExportAssignment(s) || ts.isExportDeclaration(s);
  return file.statements.filter((s) => !declares(s)).map((s) => s.getText(file));
}

/** A model whose own name, a shared layer's name and a merge's name all carry the payload after a line break. */
function injected(br: string): AnyModel {
  clearSession();
  const evil = (tag: string) => `${tag}${br}${payload}${br}`;
  const a = input({ shape: [3], name: "a" });
  const b = input({ shape: [3], name: "b" });
  const shared = layers.dense({ units: 2, name: evil("shared") });
  // The two calls share a layer past no common tensor: codegen writes a comment about the merge by name.
  const sum = add([shared.apply(a), shared.apply(b)] as never, { name: evil("merge") } as never);
  return model({ inputs: [a, b], outputs: sum as never, name: evil("model") }) as unknown as AnyModel;
}

/** Every layer name in a line of text that any program can compare. */
const namesProbe = "[generated.m.name, generated.m.layers.map((l) => l.name)]";
/** Every export of a module: its name, the model's name and parameter count. */
const exportsProbe = "Object.entries(generated).map(([k, v]) => [k, v.name, v.countParams()]).sort()";

/**
 * The generated files of every case below. They are compiled in one
 * TypeScript run and run by one child process (both are slow to start), in
 * a folder that must afterwards hold only what the test wrote.
 */
const files: Record<string, { source: string; probe: string }> = {};
let dir: string;
let compiled: string[];
let results: Record<string, unknown>;
let strayFiles: string[];
let runError: string;

const injectedModels = LINE_BREAKS.map(injected);
injectedModels.forEach((m, i) => {
  files[`injected_${i}`] = { source: codegen(m, { importFrom: indexImport }), probe: namesProbe };
});

clearSession();
const reservedModel = (() => {
  const words = [
    "eval",
    "arguments",
    "default",
    "class",
    "layers",
    "input",
    "model",
    "m",
    "await",
    "yield",
    "let",
    "static",
    "enum",
    "undefined",
    "constructor",
    "__proto__",
    "a-b",
    "a.b",
    "a_b",
    "1x",
    "$",
    "add",
  ];
  const x = input({ shape: [2], name: "inputs" });
  let t = x;
  for (const w of words) t = t.dense({ units: 2, name: w }) as never;
  // A shared layer brings the `layers` import into the file.
  const shared = layers.dense({ units: 2, name: "shared" });
  const out = add([shared.apply(t), shared.apply(t)] as never, { name: "function" } as never);
  return model({ inputs: x, outputs: out as never, name: "reserved" }) as unknown as AnyModel;
})();
files.reserved = { source: codegen(reservedModel, { importFrom: indexImport }), probe: namesProbe };

clearSession();
const keyedModel = (() => {
  const p = input({ shape: [2], name: "p" });
  const q = input({ shape: [2], name: "q" });
  return model({ inputs: { ["__proto__"]: p, plain: q } as never, outputs: add([p, q]) as never, name: "keys" }) as unknown as AnyModel;
})();
files.keys = { source: codegen(keyedModel, { importFrom: indexImport }), probe: "generated.m.inputLayout" };

clearSession();
const several = (() => {
  const x = input({ shape: [4], name: "x" });
  const encoder = model({ inputs: x, outputs: x.dense({ units: 2, name: "dense" }), name: "encoder" }) as unknown as AnyModel;
  const y = input({ shape: [4], name: "x" });
  const other = model({ inputs: y, outputs: y.dense({ units: 3, name: "dense" }), name: "other" }) as unknown as AnyModel;
  return codegenModule({ encoder, default: other, "two words": encoder, class: other }, { importFrom: indexImport });
})();
files.several = { source: several, probe: exportsProbe };

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "shapewise-codegen-hostile-"));
  // What the command line prints for a module exporting several models and a default.
  const module = path.join(dir, "exports.ts");
  writeFileSync(
    module,
    [
      `import { input, model, sequential } from ${JSON.stringify(indexImport)};`,
      'const a = input({ shape: [4], name: "a" });',
      'export const encoder = model({ inputs: a, outputs: a.dense({ units: 2, name: "dense" }), name: "encoder" });',
      'const b = input({ shape: [4], name: "b" });',
      'export const head = sequential({ inputs: b, outputs: b.dense({ units: 3, name: "dense" }), name: "head" });',
      'const c = input({ shape: [5], name: "c" });',
      'export default model({ inputs: c, outputs: c.dense({ units: 1, name: "dense" }), name: "scorer" });',
      "",
    ].join("\n"),
  );
  const cli = await shapewiseCli(["codegen", module], dir);
  runError = cli.stderr;
  files.from_cli = { source: cli.stdout.replace('from "shapewise"', `from ${JSON.stringify(indexImport)}`), probe: exportsProbe };

  const before = new Set(filesUnder(dir));
  const names = Object.keys(files);
  writeFileSync(path.join(dir, "package.json"), JSON.stringify({ type: "module" }));
  for (const name of names) writeFileSync(path.join(dir, `${name}.ts`), files[name].source);
  writeFileSync(
    path.join(dir, "tsconfig.json"),
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
      files: names.map((f) => `${f}.ts`),
    }),
  );
  compiled = (await checkProject(compilers.ts7, path.join(dir, "tsconfig.json"), dir)).diagnostics.map((d) => d.text);
  // One child imports every file in turn (a file that fails to load is reported, the others still run).
  const runner = [
    "const results: Record<string, unknown> = {};",
    ...names.map(
      (name) =>
        `try { const generated: any = await import("./${name}.js"); results[${JSON.stringify(name)}] = ${files[name].probe}; } catch (e) { results[${JSON.stringify(name)}] = "failed: " + String(e); }`,
    ),
    "console.log(JSON.stringify(results));",
    "export {};",
  ].join("\n");
  writeFileSync(path.join(dir, "runner.ts"), runner);
  const run = await runTypeScript(path.join(dir, "runner.ts"), dir, 120_000);
  runError += run.stderr;
  results = run.code === 0 ? JSON.parse(run.stdout) : {};
  const written = new Set([...names.map((f) => `${f}.ts`), "runner.ts", "tsconfig.json", "package.json"]);
  strayFiles = filesUnder(dir).filter((f) => !before.has(f) && !written.has(f));
}, 240_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("codegen: names never become code", () => {
  it("every generated file compiles, runs without a word on stderr, and creates no file", () => {
    expect(compiled).toEqual([]);
    expect(runError).toBe("");
    expect(Object.keys(results).sort()).toEqual(Object.keys(files).sort());
    expect(strayFiles).toEqual([]);
  });

  it("model and layer names with any line terminator stay inside their comments and strings, and round-trip", () => {
    injectedModels.forEach((m, i) => {
      const { source } = files[`injected_${i}`];
      const br = JSON.stringify(LINE_BREAKS[i]);
      expect(runningStatements(source), br).toEqual([]);
      // Each comment is one line: the header, the shared layer's, the merge's.
      expect(source.split("\n").filter((l) => l.startsWith("//")).length, br).toBe(3);
      expect(results[`injected_${i}`], br).toEqual([m.name, m.layers.map((l) => l.name)]);
    });
  });

  it("names that are reserved words, eval, arguments, the file's imports or equal after sanitising become distinct valid identifiers", () => {
    expect(results.reserved).toEqual([reservedModel.name, reservedModel.layers.map((l) => l.name)]);
  });

  it("an input record keyed __proto__ stays a key, not a prototype", () => {
    expect(files.keys.source).toContain('["__proto__"]: p');
    expect(results.keys).toEqual(JSON.parse(JSON.stringify(keyedModel.inputLayout)));
  });

  it("refuses an export name that is a reserved word or an import with a sentence", () => {
    clearSession();
    const x = input({ shape: [2] });
    const m = sequential({ inputs: x, outputs: x.dense({ units: 1 }) }) as unknown as AnyModel;
    expect(() => codegen(m, { exportName: "class" })).toThrow(
      "shapewise: codegen exportName must not be a reserved word or a name the file imports, got 'class'",
    );
    expect(() => codegen(m, { exportName: "layers" })).toThrow(/must not be a reserved word/);
    expect(codegen(m, { exportName: "default" })).toMatch(/\nexport default \w+;\n$/);
  });
});

describe("codegen: one valid file per module", () => {
  it("codegenModule writes several models, a default export and a non-identifier export name into one file", () => {
    expect(files.several.source.match(/^import /gm)).toHaveLength(1);
    expect(results.several).toEqual(
      [
        ["class", "other", 15],
        ["default", "other", 15],
        ["encoder", "encoder", 10],
        ["two words", "encoder", 10],
      ].sort(),
    );
  });

  it("`shapewise codegen` of a module exporting several models and a default prints one file that compiles and runs", () => {
    expect(files.from_cli.source.match(/^import /gm)).toHaveLength(1);
    expect(results.from_cli).toEqual([
      ["default", "scorer", 6],
      ["encoder", "encoder", 10],
      ["head", "head", 15],
    ]);
  });
});

describe("codegen: deep graphs", () => {
  it("writes a 5,000-layer chain ending in a merge without exhausting the call stack", () => {
    clearSession();
    const x = input({ shape: [4], name: "x" });
    let t = x.dense({ units: 4, name: "start" });
    for (let i = 0; i < 5000; i++) t = t.reLU() as never;
    const m = model({ inputs: x, outputs: add([t, x.dense({ units: 4, name: "skip" })]) as never, name: "deep" }) as unknown as AnyModel;
    const source = codegen(m);
    expect(source.match(/\.reLU\(/g)).toHaveLength(5000);
    expect(source).toContain('name: "skip"');
  });
});
