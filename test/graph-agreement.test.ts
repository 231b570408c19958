/**
 * Agreement of the type level with the runtime over random functional graphs.
 *
 * `test/support/graph-generator.ts` draws {@link GRAPHS} graphs (fast-check,
 * fixed seed; every graph one the runtime accepts): 1-3 inputs, merges,
 * `residual` and `branches`, layer values applied to two tensors, small
 * models applied as layers once or twice, 1-3 outputs as one tensor, a tuple
 * or a record, and `shared` options where the runtime accepts them. Each
 * graph is written as TypeScript, one `const` per call, then
 * `model({ inputs, outputs, shared? })` and assertions holding the runtime
 * values:
 *
 * - every output shape: `Expect<Equal<OutputShape<typeof m>[k], [runtime]>>`
 *   where the type is exact, and where it is loose by design (the output
 *   comes through a layer value's call), that the runtime shape is
 *   assignable to it (the loose type is still true);
 * - the total: `Expect<Equal<ParamCount<typeof m>, runtime total>>` where the
 *   documented rules make it exact, `Expect<Equal<ParamCount<typeof m>, number>>`
 *   where they give `number` (the generator follows the rules of
 *   `types/layers/merging.ts`, `types/model.ts` and `types/layer-values.ts`
 *   to say which, and checks its exact totals against the runtime's); so
 *   the file proves both the exact totals and the honest `number`s;
 * - every layer value's result: `Expect<Equal<(typeof y)["shape"], Shape>>`;
 * - the running total of every merge's, combinator's and applied model's
 *   result, exact or `number` by the same rules (the generator checks each
 *   exact one against the runtime's count of the tensor's ancestors).
 *
 * TypeScript 5.9 and 7 compile the file; any diagnostic is a disagreement.
 * A second file holds two graphs with every total assertion bent (an exact
 * total plus one, a literal where the type says `number`), each of which
 * must give exactly one diagnostic.
 *
 * Generated files go to `.vitest-tmp/graph-agreement/` (ignored by
 * `.gitignore`); removed after a passing run, kept after a failing one or
 * with `KEEP_AGREEMENT_TMP=1`.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

import { describe, expect, it } from "vitest";

import { clearSession } from "../src/index.js";
import { featuresOf, generateGraphs, graphSource, shapeText, stepOutputs, tensorVar } from "./support/graph-generator.js";
import type { Graph } from "./support/graph-generator.js";
import { checkProject } from "./support/tsc.js";
import { explainDiagnostics, generatedProject, inFile } from "./support/generated-check.js";
import type { Diagnostic } from "./support/tsc.js";

const SEED = 20261203;
const GRAPHS = 300;

const repoRoot = fileURLToPath(new URL("..", import.meta.url));
const workDir = join(repoRoot, ".vitest-tmp", "graph-agreement");
const compilers = {
  "TS 5.9": join(repoRoot, "node_modules", "typescript", "bin", "tsc"),
  "TS 7": join(repoRoot, "node_modules", "typescript7", "bin", "tsc"),
} as const;

clearSession();
const generationStart = performance.now();
const graphs = generateGraphs({ seed: SEED, count: GRAPHS });
const generationMs = performance.now() - generationStart;

/** The type of output `k` of model `m<id>`: `OutputShape`, or its entry for a tuple or record of outputs. */
function outputType(g: Graph, k: number): string {
  const all = `OutputShape<typeof m${g.id}>`;
  if (g.outputLayout === "single") return all;
  if (g.outputLayout === "list") return `${all}[${k}]`;
  return `${all}[${JSON.stringify(g.outputLayout.keys[k])}]`;
}

/** The lines of one graph: its source and its assertions. `wrong` bends every total assertion (see the probes). */
function graphLines(g: Graph, wrong = false): string[] {
  const lines = [`// graph ${g.id}`, ...graphSource(g)];
  for (const step of g.steps) {
    if (step.kind === "value") {
      for (const o of step.outs) lines.push(`type _v${g.id}_${o} = Expect<Equal<(typeof ${tensorVar(g, o)})["shape"], Shape>>;`);
    }
    // The running total after every merge, combinator and model call: the
    // rules' exact value (the generator checked it against the runtime's
    // count of the tensor's ancestors) or number.
    if (step.kind === "merge" || step.kind === "residual" || step.kind === "branches" || step.kind === "submodel") {
      for (const o of stepOutputs(step)) {
        const total = g.tensors[o].params;
        const expected = wrong ? (total === "number" ? 0 : total + 1) : total;
        lines.push(`type _t${g.id}_${o} = Expect<Equal<TotalOf<typeof ${tensorVar(g, o)}>, ${expected}>>;`);
      }
    }
  }
  g.outputs.forEach((o, k) => {
    const runtime = shapeText(g.outputShapes[k]);
    lines.push(
      g.tensors[o].exactShape
        ? `type _s${g.id}_${k} = Expect<Equal<${outputType(g, k)}, ${runtime}>>;`
        : `type _s${g.id}_${k} = Expect<Extends<${runtime}, ${outputType(g, k)}>>;`,
    );
  });
  const expected = g.expectedParams === "number" ? (wrong ? String(g.params) : "number") : String(wrong ? g.params + 1 : g.params);
  lines.push(`type _p${g.id} = Expect<Equal<ParamCount<typeof m${g.id}>, ${expected}>>;`);
  return lines;
}

rmSync(workDir, { recursive: true, force: true });
mkdirSync(workDir, { recursive: true });
const indexImport = relative(workDir, join(repoRoot, "src", "index.js"))
  .split("\\")
  .join("/");
const header = [
  `import { add, average, concatenate, dot, input, layers, maximum, minimum, model, multiply, subtract } from ${JSON.stringify(indexImport)};`,
  `import type { OutputShape, ParamCount, Shape, SymbolicTensor } from ${JSON.stringify(indexImport)};`,
  "type Equal<X, Y> = (<T>() => T extends X ? 1 : 2) extends (<T>() => T extends Y ? 1 : 2) ? true : false;",
  "type Extends<X, Y> = [X] extends [Y] ? true : false;",
  "type Expect<T extends true> = T;",
  "type TotalOf<T> = T extends SymbolicTensor<infer _S, infer P> ? P : never;",
  "void [add, average, concatenate, dot, input, layers, maximum, minimum, model, multiply, subtract];",
  "",
];

const out = [...header];
const spans = new Map<Graph, readonly [number, number]>();
for (const g of graphs) {
  const first = out.length + 1;
  out.push(...graphLines(g));
  spans.set(g, [first, out.length]);
}
const caseName = "graphs.gen.ts";
const source = `${out.join("\n")}\n`;
writeFileSync(join(workDir, caseName), source);

// Wrong totals: an exact model total plus one, a literal where the model's
// type says number, and each running total bent the same way (0 for number).
const exactProbe = graphs.find((g) => g.expectedParams !== "number" && g.params > 0 && g.steps.some((s) => s.kind === "merge"))!;
const numberProbe = graphs.find((g) => g.expectedParams === "number")!;
const wrongName = "wrong.gen.ts";
const wrongLines = [...header, ...graphLines(exactProbe, true), ...graphLines(numberProbe, true)];
const wrongAt = wrongLines.flatMap((l, i) => (/^type _[pt]\d/.test(l) ? [i + 1] : []));
writeFileSync(join(workDir, wrongName), `${wrongLines.join("\n")}\n`);

const tsconfig = generatedProject(workDir, [caseName, wrongName]);

/** Each diagnostic with the graph it falls in and that graph's runtime values. */
function explain(diagnostics: readonly Diagnostic[]): string {
  return explainDiagnostics(
    diagnostics,
    source,
    graphs,
    (c) => spans.get(c)!,
    (g) => `runtime: shapes ${g.outputShapes.map(shapeText).join(" ")}, params ${g.params}`,
  );
}

const countBy = (items: readonly string[]): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const i of items) counts[i] = (counts[i] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
};

describe("types agree with the runtime over generated functional graphs", () => {
  it("generates graphs with every form, and both exact and number totals", () => {
    const asserted = source.split("\n").filter((l) => l.startsWith("type _t"));
    const totals = { exact: asserted.filter((l) => !l.endsWith(", number>>;")).length, number: asserted.filter((l) => l.endsWith(", number>>;")).length };
    const features = countBy(graphs.flatMap((g) => [...new Set(featuresOf(g))]));
    console.log(
      `graph agreement: ${graphs.length} graphs, ${graphs.reduce((n, g) => n + g.steps.length, 0)} steps, generated in ${Math.round(generationMs)} ms, ` +
        `${source.split("\n").length} lines; running totals asserted: ${totals.exact} exact, ${totals.number} number\ngraphs with each feature: ${JSON.stringify(features)}`,
    );
    expect(totals.exact).toBeGreaterThanOrEqual(GRAPHS);
    expect(totals.number).toBeGreaterThanOrEqual(GRAPHS / 2);
    for (const f of [
      "merge:add",
      "merge:subtract",
      "merge:multiply",
      "merge:average",
      "merge:maximum",
      "merge:minimum",
      "merge:concatenate",
      "merge:dot",
      "merge:broadcast",
      "merge-shared:tensor",
      "merge-shared:none",
      "residual",
      "residual:projected",
      "branches:tuple",
      "branches:concatenate",
      "value:dense",
      "value:conv2d",
      "submodel:once",
      "submodel:twice",
      "inputs:1",
      "inputs:2",
      "inputs:3",
      "outputs:1",
      "outputs:2",
      "outputs:3",
      "outputLayout:single",
      "outputLayout:list",
      "outputLayout:record",
      "model-shared:tensor",
      "model-shared:none",
    ]) {
      expect(features[f] ?? 0, f).toBeGreaterThanOrEqual(5);
    }
    // Both kinds of total, in numbers that matter.
    expect(features["params:exact"]).toBeGreaterThanOrEqual(GRAPHS / 5);
    expect(features["params:number"]).toBeGreaterThanOrEqual(GRAPHS / 5);
    expect(graphs.filter((g) => g.expectedParams !== "number" && g.outputs.length > 1 && g.shared !== undefined).length).toBeGreaterThanOrEqual(10);
  });

  for (const [name, tsc] of Object.entries(compilers)) {
    it(`${name}: every generated graph type-checks to its runtime shapes and total (or to number where the rules say)`, { timeout: 300_000 }, async () => {
      const result = await checkProject(tsc, tsconfig, workDir);
      const inWrong = result.diagnostics.filter((d) => inFile(d, wrongName));
      const others = result.diagnostics.filter((d) => !inFile(d, wrongName));
      console.log(`${name}: ${caseName} (${graphs.length} graphs) checked in ${(result.ms / 1000).toFixed(1)} s; ${others.length} disagreement(s)`);
      if (others.length > 0) console.error(`${name}: ${others.length} disagreement(s):\n${explain(others)}`);
      if (result.diagnostics.length === 0 && result.exitCode !== 0) console.error(result.raw);
      expect(others.map((d) => d.text)).toEqual([]);
      expect(wrongAt.length).toBeGreaterThanOrEqual(4);
      expect(inWrong.map((d) => [d.line, d.code])).toEqual(wrongAt.map((line) => [line, "TS2344"]));
    });
  }
});
