/**
 * Agreement of the type level with the runtime over the whole layer catalog.
 *
 * `test/agreement.test.ts` proves it for the core layers; this file does the
 * same for every family, on stacks from `test/support/catalog-generator.ts`
 * (fast-check, fixed seed; every stack is one the runtime accepts). Each stack
 * is written as TypeScript, one `const` per layer call (so that
 * `multiHeadAttention` can take its own input as `value`, and the wrappers
 * their callbacks), then `model({ inputs, outputs })` and three assertions
 * holding the runtime values:
 * `Expect<Equal<OutputShape<typeof m>, [runtime shape]>>`,
 * `Expect<Equal<ParamCount<typeof m>, runtime total>>` and
 * `Expect<Equal<FlopCount<typeof m>, m.countFlops()>>` (`number` where a
 * size is unknown). TypeScript 5.9 and 7
 * compile the file; any diagnostic is a disagreement. Each run also holds one
 * deliberately wrong assertion, which must give exactly one diagnostic.
 *
 * The type level gives `number` by design only where a size or count is not
 * a literal (a `number` variable, a value past 2^53 - 1); test-d covers those
 * (e.g. `test-d/recurrent.test-d.ts`). The generator writes every option as a
 * literal and keeps totals far below 2^53, so here every expected shape and
 * total is exact (a `null` size stays `null`), and an `Equal` against `number`
 * or `any` would fail.
 *
 * Generated files go to `.vitest-tmp/catalog-agreement/` (ignored by
 * `.gitignore`); removed after a passing run, kept after a failing one or
 * with `KEEP_AGREEMENT_TMP=1`.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

import { describe, expect, it } from "vitest";

import { catalogCallSource, generateCatalogStacks, methodsOf, shapeText } from "./support/catalog-generator.js";
import type { CatalogStack } from "./support/catalog-generator.js";
import { checkProject } from "./support/tsc.js";
import { explainDiagnostics, generatedProject, inFile } from "./support/generated-check.js";
import type { Diagnostic } from "./support/tsc.js";

const SEED = 20261202;
const STACKS = 500;

const repoRoot = fileURLToPath(new URL("..", import.meta.url));
const workDir = join(repoRoot, ".vitest-tmp", "catalog-agreement");
const compilers = {
  "TS 5.9": join(repoRoot, "node_modules", "typescript", "bin", "tsc"),
  "TS 7": join(repoRoot, "node_modules", "typescript7", "bin", "tsc"),
} as const;

const generationStart = performance.now();
const stacks = generateCatalogStacks({ seed: SEED, count: STACKS, minLayers: 1, maxLayers: 6 });
const generationMs = performance.now() - generationStart;

/** The source lines of one stack: its tensors, its model and the two assertions. */
function stackSource(s: CatalogStack): string[] {
  const v = (k: number) => `c${s.id}_${k}`;
  const lines = [`// stack ${s.id}`, `const ${v(0)} = input({ shape: ${shapeText(s.inputShape)} });`];
  s.calls.forEach((call, k) => lines.push(`const ${v(k + 1)} = ${catalogCallSource(v(k), call)};`));
  lines.push(
    `const m${s.id} = model({ inputs: ${v(0)}, outputs: ${v(s.calls.length)} });`,
    `type _s${s.id} = Expect<Equal<OutputShape<typeof m${s.id}>, ${shapeText(s.outputShape)}>>;`,
    `type _p${s.id} = Expect<Equal<ParamCount<typeof m${s.id}>, ${s.params}>>;`,
    `type _f${s.id} = Expect<Equal<FlopCount<typeof m${s.id}>, ${s.macs ?? "number"}>>;`,
  );
  return lines;
}

rmSync(workDir, { recursive: true, force: true });
mkdirSync(workDir, { recursive: true });
const indexImport = relative(workDir, join(repoRoot, "src", "index.js"))
  .split("\\")
  .join("/");
const header = [
  `import { input, model } from ${JSON.stringify(indexImport)};`,
  `import type { FlopCount, OutputShape, ParamCount } from ${JSON.stringify(indexImport)};`,
  "type Equal<X, Y> = (<T>() => T extends X ? 1 : 2) extends (<T>() => T extends Y ? 1 : 2) ? true : false;",
  "type Expect<T extends true> = T;",
  "",
];

const out = [...header];
const spans = new Map<CatalogStack, readonly [number, number]>();
for (const s of stacks) {
  const first = out.length + 1;
  out.push(...stackSource(s));
  spans.set(s, [first, out.length]);
}
const caseName = "catalog.gen.ts";
const source = `${out.join("\n")}\n`;
writeFileSync(join(workDir, caseName), source);

// One wrong assertion: the first stack with parameters, its total plus one.
const probe = stacks.find((s) => s.params > 0)!;
const wrongName = "wrong.gen.ts";
const wrongLines = [
  ...header,
  ...stackSource(probe).map((l) => (l.startsWith(`type _p${probe.id} `) ? l.replace(/, \d+>>;$/, `, ${probe.params + 1}>>;`) : l)),
];
const wrongLine = wrongLines.findIndex((l) => l.startsWith(`type _p${probe.id} `)) + 1;
writeFileSync(join(workDir, wrongName), `${wrongLines.join("\n")}\n`);

const tsconfig = generatedProject(workDir, [caseName, wrongName]);

/** Each diagnostic with the stack it falls in and that stack's runtime values. */
function explain(diagnostics: readonly Diagnostic[]): string {
  return explainDiagnostics(
    diagnostics,
    source,
    stacks,
    (c) => spans.get(c)!,
    (s) => `runtime: shape ${shapeText(s.outputShape)}, params ${s.params}`,
  );
}

const countBy = (items: readonly string[]): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const i of items) counts[i] = (counts[i] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
};

describe("types agree with the runtime over the whole layer catalog", () => {
  it("generates stacks from every family", () => {
    const kinds = countBy(stacks.flatMap((s) => s.calls.flatMap(methodsOf)));
    console.log(
      `catalog agreement: ${stacks.length} stacks, ${stacks.reduce((n, s) => n + s.calls.length, 0)} layers, generated in ${Math.round(generationMs)} ms, ` +
        `${source.split("\n").length} lines; null sizes in ${stacks.filter((s) => s.outputShape.slice(1).includes(null)).length} outputs\nper layer kind: ${JSON.stringify(kinds)}`,
    );
    for (const kind of [
      "conv1d",
      "conv2d",
      "conv3d",
      "conv2dTranspose",
      "separableConv1d",
      "depthwiseConv2d",
      "maxPooling3d",
      "globalAveragePooling1d",
      "reshape",
      "permute",
      "cropping2d",
      "upSampling3d",
      "zeroPadding1d",
      "batchNormalization",
      "layerNormalization",
      "pReLU",
      "softmax",
      "normalization",
      "resizing",
      "centerCrop",
      "embedding",
      "lstm",
      "gru",
      "simpleRNN",
      "bidirectional",
      "timeDistributed",
      "multiHeadAttention",
      "dense",
    ]) {
      expect(kinds[kind] ?? 0, kind).toBeGreaterThanOrEqual(2);
    }
    expect(stacks.some((s) => s.nonTrainable > 0)).toBe(true);
  });

  for (const [name, tsc] of Object.entries(compilers)) {
    it(`${name}: every generated stack type-checks to its runtime shape and total`, { timeout: 300_000 }, async () => {
      const result = await checkProject(tsc, tsconfig, workDir);
      const inWrong = result.diagnostics.filter((d) => inFile(d, wrongName));
      const others = result.diagnostics.filter((d) => !inFile(d, wrongName));
      console.log(`${name}: ${caseName} (${stacks.length} stacks) checked in ${(result.ms / 1000).toFixed(1)} s; ${others.length} disagreement(s)`);
      if (others.length > 0) console.error(`${name}: ${others.length} disagreement(s):\n${explain(others)}`);
      if (result.diagnostics.length === 0 && result.exitCode !== 0) console.error(result.raw);
      expect(others.map((d) => d.text)).toEqual([]);
      expect(inWrong.map((d) => [d.line, d.code])).toEqual([[wrongLine, "TS2344"]]);
    });
  }
});
