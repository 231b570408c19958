/**
 * Agreement of the type level with the runtime on generated layer stacks.
 *
 * fast-check (fixed seed) draws valid stacks (`test/support/stack-generator.ts`:
 * every layer call is one the runtime accepts; calls that throw `ShapeError`
 * are redrawn). The runtime gives each stack's output shape and parameter
 * total; each stack is then written as TypeScript source with
 * `Expect<Equal<OutputShape<typeof m>, ...>>` and
 * `Expect<Equal<ParamCount<typeof m>, ...>>` lines holding those runtime
 * values, and compiled by TypeScript 5.9 and TypeScript 7. Any diagnostic is a
 * disagreement. Each compiler run also holds a small file with one wrong
 * assertion, which must give exactly one diagnostic (the checker really checks).
 *
 * Generated files go to `.vitest-tmp/agreement/` (ignored by `.gitignore`);
 * they are removed after a passing run and kept after a failing one.
 * `KEEP_AGREEMENT_TMP=1` keeps them always.
 */
import { checkProject } from "./support/tsc.js";
import type { Diagnostic } from "./support/tsc.js";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

import { afterAll, beforeEach, describe, expect, it } from "vitest";

import { LAYER_KINDS, MODEL_BUDGET, callSource, caseSource, generateCases, oracleStack, shapeSource } from "./support/stack-generator.js";
import type { StackCase } from "./support/stack-generator.js";

const SEED = 20261126;
const COUNTS = { regular: 280, deep: 24, big: 40 } as const;
/** Cases per generated file: one compiler run per file, each well under a minute. */
const CASES_PER_FILE = 400;

const repoRoot = fileURLToPath(new URL("..", import.meta.url));
const workDir = join(repoRoot, ".vitest-tmp", "agreement");
const compilers = {
  "TS 5.9": join(repoRoot, "node_modules", "typescript", "bin", "tsc"),
  "TS 7": join(repoRoot, "node_modules", "typescript7", "bin", "tsc"),
} as const;

// ---------------------------------------------------------------------------
// Cases and generated files

const generationStart = performance.now();
const cases = generateCases({ seed: SEED, ...COUNTS });
const generationMs = performance.now() - generationStart;

rmSync(workDir, { recursive: true, force: true });
mkdirSync(workDir, { recursive: true });
const indexImport = relative(workDir, join(repoRoot, "src", "index.js"))
  .split("\\")
  .join("/");

const header = [
  `import { input, model } from ${JSON.stringify(indexImport)};`,
  `import type { OutputShape, ParamCount } from ${JSON.stringify(indexImport)};`,
  "type Equal<X, Y> = (<T>() => T extends X ? 1 : 2) extends (<T>() => T extends Y ? 1 : 2) ? true : false;",
  "type Expect<T extends true> = T;",
  "",
];

interface GeneratedFile {
  readonly name: string;
  readonly path: string;
  readonly source: string;
  readonly cases: readonly StackCase[];
  /** For each case, its first and last line (1-based) in the file. */
  readonly lines: ReadonlyMap<StackCase, readonly [number, number]>;
}

function writeCaseFile(name: string, chunk: readonly StackCase[]): GeneratedFile {
  const out = [...header];
  const lines = new Map<StackCase, readonly [number, number]>();
  for (const c of chunk) {
    const first = out.length + 1;
    out.push(...caseSource(c));
    lines.set(c, [first, out.length]);
  }
  const source = `${out.join("\n")}\n`;
  const path = join(workDir, name);
  writeFileSync(path, source);
  return { name, path, source, cases: chunk, lines };
}

const caseFiles: GeneratedFile[] = [];
for (let i = 0; i < cases.length; i += CASES_PER_FILE) {
  const name = cases.length <= CASES_PER_FILE ? "agreement.gen.ts" : `agreement.gen.${caseFiles.length}.ts`;
  caseFiles.push(writeCaseFile(name, cases.slice(i, i + CASES_PER_FILE)));
}

// The deliberately wrong file: the first case's correct shape, and its total plus one.
const probe = cases[0];
const wrongSource = [
  ...header,
  `const i = input({ shape: ${shapeSource(probe.inputShape)} });`,
  `const m = model({ inputs: i, outputs: i${probe.layers.map(callSource).join("")} });`,
  `type _ok = Expect<Equal<OutputShape<typeof m>, ${shapeSource(probe.outputShape)}>>;`,
  `type _wrong = Expect<Equal<ParamCount<typeof m>, ${probe.params + 1}>>;`,
  "",
].join("\n");
const wrongName = "wrong.gen.ts";
const wrongLine = wrongSource.split("\n").findIndex((l) => l.startsWith("type _wrong")) + 1;
writeFileSync(join(workDir, wrongName), wrongSource);

/** One tsconfig per case file: that file and the wrong file, nothing else. */
function writeTsconfig(file: GeneratedFile): string {
  const path = join(workDir, file.name.replace(/\.ts$/, ".tsconfig.json"));
  const config = {
    compilerOptions: {
      strict: true,
      target: "ES2022",
      module: "NodeNext",
      moduleResolution: "NodeNext",
      noEmit: true,
      skipLibCheck: true,
      types: ["node"],
    },
    files: [file.name, wrongName],
  };
  writeFileSync(path, `${JSON.stringify(config, null, 2)}\n`);
  return path;
}
const tsconfigs = new Map(caseFiles.map((f) => [f, writeTsconfig(f)]));

let failed = false;
beforeEach(({ onTestFailed }) => onTestFailed(() => void (failed = true)));
afterAll(() => {
  if (!failed && !process.env.KEEP_AGREEMENT_TMP) rmSync(workDir, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------
// Compiler runs

const isFile = (d: Diagnostic, name: string) => d.file === name || d.file.endsWith(`/${name}`);

/** The diagnostics with the source of the case each one falls in. */
function explain(file: GeneratedFile, diagnostics: readonly Diagnostic[]): string {
  return diagnostics
    .slice(0, 20)
    .map((d) => {
      const c = isFile(d, file.name) ? file.cases.find((k) => d.line >= file.lines.get(k)![0] && d.line <= file.lines.get(k)![1]) : undefined;
      if (c === undefined) return d.text;
      const oracle = oracleStack(c);
      return [
        d.text,
        `  runtime: shape ${shapeSource(c.outputShape)}, params ${c.params} (per layer ${c.layerParams.join(" + ")}); oracle: ${shapeSource(oracle.shape)}, ${oracle.params}`,
        ...file.source
          .split("\n")
          .slice(file.lines.get(c)![0] - 1, file.lines.get(c)![1])
          .map((l) => `  | ${l}`),
      ].join("\n");
    })
    .join("\n\n");
}

// ---------------------------------------------------------------------------

const countBy = <K extends string>(keys: readonly K[], items: readonly K[]) =>
  Object.fromEntries(keys.map((k) => [k, items.filter((i) => i === k).length])) as Record<K, number>;

describe("types agree with the runtime on generated layer stacks", () => {
  it("generates enough varied valid stacks", () => {
    const layerCounts = countBy(
      LAYER_KINDS,
      cases.flatMap((c) => c.layers.map((l) => l.kind)),
    );
    const largest = cases.reduce((a, b) => (b.params > a.params ? b : a));
    const stats = {
      seed: SEED,
      cases: cases.length,
      profiles: countBy(
        ["regular", "deep", "big"],
        cases.map((c) => c.profile),
      ),
      layers: layerCounts,
      totalLayers: cases.reduce((s, c) => s + c.layers.length, 0),
      deepest: Math.max(...cases.map((c) => c.layers.length)),
      largestTotal: largest.params,
      above1e8: cases.filter((c) => c.params > 1e8).length,
      above1e9: cases.filter((c) => c.params > 1e9).length,
      rank1Inputs: cases.filter((c) => c.inputShape.length === 1).length,
      nullInputs: cases.filter((c) => c.inputShape.includes(null)).length,
      nullOutputs: cases.filter((c) => c.outputShape.slice(1).includes(null)).length,
      builtWithModel: cases.filter((c) => c.builtModel).length,
      modelBudget: MODEL_BUDGET,
      rejectedDraws: cases.reduce((s, c) => s + c.rejected, 0),
      generationMs: Math.round(generationMs),
      files: caseFiles.map((f) => `${f.name}: ${f.cases.length} cases, ${f.source.split("\n").length} lines`),
    };
    console.log(`agreement cases:\n${JSON.stringify(stats, null, 2)}`);

    expect(cases.length).toBeGreaterThanOrEqual(300);
    for (const kind of LAYER_KINDS) expect(layerCounts[kind], kind).toBeGreaterThanOrEqual(30);
    expect(cases.filter((c) => c.layers.length >= 30).length).toBeGreaterThanOrEqual(20);
    expect(stats.above1e8).toBeGreaterThanOrEqual(10);
    expect(stats.above1e9).toBeGreaterThanOrEqual(3);
    expect(stats.rank1Inputs).toBeGreaterThanOrEqual(20);
    expect(stats.nullInputs).toBeGreaterThanOrEqual(20);
    for (const c of cases) expect(Number.isSafeInteger(c.params), `case ${c.id}`).toBe(true);
    // Options that must occur somewhere in the drawn configs.
    const configs = cases.flatMap((c) => c.layers.map((l) => JSON.stringify(l.config ?? null)));
    for (const needle of [
      '"padding":"same"',
      '"padding":"valid"',
      '"useBias":false',
      '"useBias":true',
      '"dilationRate":[',
      '"dilationRate":',
      '"strides":[',
      '"kernelSize":[',
      '"poolSize":[',
      '"activation":',
    ]) {
      expect(
        configs.some((s) => s.includes(needle)),
        needle,
      ).toBe(true);
    }
    expect(cases.some((c) => c.layers.some((l) => l.config === undefined && l.kind !== "flatten"))).toBe(true); // maxPooling2d()
  });

  it("the runtime agrees with the Keras formulas (independent BigInt oracle)", () => {
    const mismatches = cases.filter((c) => {
      const o = oracleStack(c);
      return shapeSource(o.shape) !== shapeSource(c.outputShape) || o.params !== BigInt(c.params);
    });
    expect(mismatches.map((c) => c.id)).toEqual([]);
  });

  it("the generated files hold two assertions per case", () => {
    for (const file of caseFiles) {
      const lines = readFileSync(file.path, "utf8").split("\n");
      const expects = lines.filter((l) => /^type _[cp]\d+ = Expect<Equal<(OutputShape|ParamCount)<typeof m\d+>, .+>>;$/.test(l));
      expect(expects.length, file.name).toBe(file.cases.length * 2);
    }
    expect(caseFiles.reduce((s, f) => s + f.cases.length, 0)).toBe(cases.length);
  });

  for (const [name, tsc] of Object.entries(compilers)) {
    it(`${name}: every generated stack type-checks to its runtime shape and total`, { timeout: 300_000 }, async () => {
      for (const file of caseFiles) {
        const result = await checkProject(tsc, tsconfigs.get(file)!, workDir);
        const inWrong = result.diagnostics.filter((d) => isFile(d, wrongName));
        const others = result.diagnostics.filter((d) => !isFile(d, wrongName));
        console.log(
          `${name}: ${file.name} (${file.cases.length} cases) checked in ${(result.ms / 1000).toFixed(1)} s; ` +
            `${others.length} diagnostic(s) outside ${wrongName}, ${inWrong.length} in it`,
        );
        if (result.ms > 60_000) console.warn(`${name}: ${file.name} took over 60 s; lower CASES_PER_FILE`);
        if (others.length > 0) console.error(`${name}: ${others.length} disagreement(s):\n${explain(file, others)}`);
        if (result.diagnostics.length === 0 && result.exitCode !== 0) console.error(result.raw);
        expect(others.map((d) => d.text)).toEqual([]);
        // The wrong assertion is seen: exactly one diagnostic, on its line.
        expect(inWrong).toHaveLength(1);
        expect(inWrong[0].line).toBe(wrongLine);
        expect(inWrong[0].code).toBe("TS2344");
      }
    });
  }
});
