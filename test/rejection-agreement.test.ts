/**
 * Agreement of the type level with the runtime on rejected layer calls.
 *
 * Cases come from two places (both fixed seeds):
 * - the calls the runtime rejected while `generateCases` drew the valid stacks
 *   of `test/agreement.test.ts` (its `onRejected` hook), after the calls kept
 *   before them;
 * - directed variants (`generateDirectedCases` in `test/support/stack-generator.ts`)
 *   that break each rule on purpose: sizes and counts that are 0, negative or
 *   fractional, windows too large (height, width, dilated, strided), strides
 *   and dilation both above 1, wrong input ranks (pooling with and without a
 *   config, the `maxPool2d` alias), unknown last dimensions, dropout rates
 *   outside [0, 1), input shapes with 0 or fractional sizes. Variants of the
 *   "edge" group probe sizes beyond 2^53 - 1 and the dropout seed; variants of
 *   the "valid" group sit just inside a rule and must be accepted.
 *
 * Every case is replayed on the runtime, then written as TypeScript (the
 * invalid call marked, harmless calls after it) and compiled by TypeScript 5.9
 * and 7. A rejected call must give exactly one diagnostic in its lines, holding
 * the runtime `ShapeError` sentence as the type `'"..."'`, at the place the
 * library reports it (the property, the config argument, or the receiver);
 * an accepted one must give none and the runtime's shape. Both compilers must
 * print the same diagnostics.
 *
 * Generated files go to `.vitest-tmp/rejection/` (ignored by `.gitignore`);
 * they are removed after a passing run and kept after a failing one.
 * `KEEP_REJECTION_TMP=1` keeps them always.
 */
import { checkProject } from "./support/tsc.js";
import type { CheckResult, Diagnostic } from "./support/tsc.js";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

import { afterAll, beforeEach, describe, expect, it } from "vitest";

import { ShapeError } from "../src/index.js";
import { callSource, generateCases, generateDirectedCases, runStack, shapeSource, tailFor } from "./support/stack-generator.js";
import type { AcceptedCall, Dim, DirectedGroup, LayerCall, RejectedCall } from "./support/stack-generator.js";

/** The seed and counts of `test/agreement.test.ts`: the calls its generator rejected. */
const HOOK_SEED = 20261126;
const HOOK_COUNTS = { regular: 280, deep: 24, big: 40 } as const;
const DIRECTED_SEED = 20261127;
/** Directed cases per rule variant, and per edge or near-miss variant. */
const PER_RULE = 10;
const PER_OTHER = 6;
const CASES_PER_FILE = 400;
const MIN_PER_RULE = 5;

const repoRoot = fileURLToPath(new URL("..", import.meta.url));
const workDir = join(repoRoot, ".vitest-tmp", "rejection");
const compilers = {
  "TS 5.9": join(repoRoot, "node_modules", "typescript", "bin", "tsc"),
  "TS 7": join(repoRoot, "node_modules", "typescript7", "bin", "tsc"),
} as const;
type CompilerName = keyof typeof compilers;

// ---------------------------------------------------------------------------
// Cases

type PoolKind = "maxPooling2d" | "maxPool2d" | "averagePooling2d";
const POOL_KINDS: readonly PoolKind[] = ["maxPooling2d", "maxPool2d", "averagePooling2d"];
const isPool = (kind: string): kind is PoolKind => (POOL_KINDS as readonly string[]).includes(kind);

/** Where the type level reports a mistake. */
type Where = "property" | "config" | "receiver";
const CODE: Record<Where, string> = { property: "TS2322", config: "TS2345", receiver: "TS2684" };

interface Rule {
  /** `kind: rule`, the key counts are printed by. */
  readonly rule: string;
  readonly where: Where;
  /** For `property`: the option the diagnostic must point at. */
  readonly property?: string;
}

/** The rule a runtime sentence states, and where the type level must report it. */
function classify(call: LayerCall | undefined, message: string): Rule {
  if (call === undefined) return { rule: "input: size not a positive integer or null", where: "property", property: "shape" };
  const kind = call.kind;
  const config = typeof call.config === "object" ? call.config : undefined;
  let m: RegExpExecArray | null;
  if ((m = /^shapewise: \w+ (\w+) must be a positive integer, got /.exec(message)))
    return { rule: `${kind}: ${m[1]} not a positive integer`, where: "property", property: m[1] };
  if ((m = /^shapewise: \w+ (\w+) must be a positive integer or a pair of them, got /.exec(message)))
    return { rule: `${kind}: ${m[1]} not positive integers`, where: "property", property: m[1] };
  if (/^shapewise: \w+ strides .+ and dilationRate .+ cannot both exceed 1$/.test(message))
    return { rule: `${kind}: strides and dilationRate both above 1`, where: "property", property: "dilationRate" };
  if (
    (m =
      /^shapewise: \w+ (\w+) \S+ with dilationRate \S+ spans (?:\d+|more than 9007199254740991), larger than input (height|width) \S+ with padding 'valid'$/.exec(
        message,
      ))
  ) {
    return { rule: `${kind}: dilated window larger than ${m[2]}`, where: "property", property: m[1] };
  }
  if ((m = /^shapewise: \w+ (\w+) \S+ is larger than input (height|width) \S+ with padding 'valid'$/.exec(message))) {
    if (isPool(kind) && config?.poolSize === undefined) return { rule: `${kind}: default window larger than ${m[2]}`, where: "receiver" };
    return { rule: `${kind}: window larger than ${m[2]}`, where: "property", property: m[1] };
  }
  if (/^shapewise: \w+ expects input of rank /.test(message)) return { rule: `${kind}: wrong input rank`, where: isPool(kind) ? "receiver" : "config" };
  if (/^shapewise: \w+ needs a known last dimension /.test(message)) return { rule: `${kind}: unknown last dimension`, where: "config" };
  if (/^shapewise: dropout rate must be /.test(message)) return { rule: "dropout: rate outside [0, 1)", where: "property", property: "rate" };
  if (/^shapewise: dropout seed must be /.test(message)) return { rule: "dropout: seed not an integer", where: "property", property: "seed" };
  return { rule: `${kind}: (unclassified)`, where: "property" };
}

/** The rules every run must exercise (at least {@link MIN_PER_RULE} times each). */
const EXPECTED_RULES: readonly string[] = [
  "input: size not a positive integer or null",
  "conv2d: filters not a positive integer",
  "conv2d: kernelSize not positive integers",
  "conv2d: strides not positive integers",
  "conv2d: dilationRate not positive integers",
  "conv2d: strides and dilationRate both above 1",
  "conv2d: window larger than height",
  "conv2d: window larger than width",
  "conv2d: dilated window larger than height",
  "conv2d: dilated window larger than width",
  "conv2d: wrong input rank",
  "conv2d: unknown last dimension",
  "dense: units not a positive integer",
  "dense: wrong input rank",
  "dense: unknown last dimension",
  ...POOL_KINDS.flatMap((k) => [
    `${k}: poolSize not positive integers`,
    `${k}: strides not positive integers`,
    `${k}: window larger than height`,
    `${k}: window larger than width`,
    `${k}: default window larger than height`,
    `${k}: default window larger than width`,
    `${k}: wrong input rank`,
  ]),
  "dropout: rate outside [0, 1)",
];

type Outcome =
  | { readonly kind: "rejected"; readonly error: unknown; readonly message: string }
  | { readonly kind: "accepted"; readonly shape: readonly Dim[] }
  /** The runtime threw somewhere else than at the call under test. */
  | { readonly kind: "misplaced"; readonly index: number; readonly error: unknown };

interface Case {
  readonly id: number;
  readonly origin: "hook" | "directed";
  readonly variant: string;
  readonly group: DirectedGroup;
  readonly inputShape: readonly Dim[];
  readonly layers: readonly LayerCall[];
  readonly call: LayerCall | undefined;
  readonly tail: readonly LayerCall[];
  /** The hook's message, for hook cases. */
  readonly hookMessage?: string;
  /** The runtime replay. */
  readonly outcome: Outcome;
  readonly rule?: Rule;
  /** Written as `model({ inputs, outputs })` rather than a bare chain. */
  readonly inModel: boolean;
}

/** Every shape the runtime accepted anywhere in the generation (for the sanity check). */
const acceptedShapes: { readonly shape: readonly Dim[]; readonly from: string }[] = [];

const generationStart = performance.now();
const hookRejected: RejectedCall[] = [];
const hookAccepted: AcceptedCall[] = [];
const validStacks = generateCases({
  seed: HOOK_SEED,
  ...HOOK_COUNTS,
  onRejected: (r) => hookRejected.push(r),
  onAccepted: (a) => hookAccepted.push(a),
});
for (const s of validStacks) acceptedShapes.push({ shape: [null, ...s.inputShape], from: `input of valid stack ${s.id}` });
for (const a of hookAccepted)
  acceptedShapes.push({
    shape: a.shape,
    from: `valid stack call ${callSource(a.call)} after ${shapeSource(a.inputShape)}${a.layers.map(callSource).join("")}`,
  });
const directed = generateDirectedCases({ seed: DIRECTED_SEED, perRule: PER_RULE, perOther: PER_OTHER });

type Draft = Omit<Case, "id" | "outcome" | "rule" | "inModel">;
const drafts: Draft[] = [
  ...hookRejected.map(
    (r, k): Draft => ({
      origin: "hook",
      variant: "hook",
      group: "rule",
      inputShape: r.inputShape,
      layers: r.layers,
      call: r.call,
      tail: tailFor(k, r.inputShape, r.layers),
      hookMessage: r.message,
    }),
  ),
  ...directed.map((d): Draft => ({ origin: "directed", ...d })),
];

const cases: Case[] = drafts.map((d, id) => {
  const calls = d.call === undefined ? d.tail : [...d.layers, d.call, ...d.tail];
  const at = d.call === undefined ? -1 : d.layers.length;
  const r = runStack(d.inputShape, calls);
  for (const shape of r.shapes) acceptedShapes.push({ shape, from: `replay of case ${id}` });
  let outcome: Outcome;
  if (r.kind === "ok") outcome = { kind: "accepted", shape: r.shapes[r.shapes.length - 1] };
  else if (r.index === at) outcome = { kind: "rejected", error: r.error, message: r.error instanceof Error ? r.error.message : String(r.error) };
  else outcome = { kind: "misplaced", index: r.index, error: r.error };
  const rule = outcome.kind === "rejected" ? classify(d.call, outcome.message) : undefined;
  return { ...d, id, outcome, rule, inModel: id % 4 === 3 };
});
const generationMs = performance.now() - generationStart;

const rejectedCases = cases.filter((c) => c.outcome.kind === "rejected");
const byGroup = (g: DirectedGroup) => cases.filter((c) => c.group === g);

// ---------------------------------------------------------------------------
// Generated files

rmSync(workDir, { recursive: true, force: true });
mkdirSync(workDir, { recursive: true });
const indexImport = relative(workDir, join(repoRoot, "src", "index.js"))
  .split("\\")
  .join("/");

const header = [
  `import { input, model } from ${JSON.stringify(indexImport)};`,
  `import type { OutputShape } from ${JSON.stringify(indexImport)};`,
  "type Equal<X, Y> = (<T>() => T extends X ? 1 : 2) extends (<T>() => T extends Y ? 1 : 2) ? true : false;",
  "type Expect<T extends true> = T;",
  "",
];

/** Where a case sits in its file (1-based lines). */
interface Placement {
  readonly first: number;
  readonly last: number;
  /** The line of the call under test (for input mistakes, of `input(...)`). */
  readonly marked: number;
  /** The line where the receiver of the chain starts (`input(...)` or `iN`). */
  readonly chainStart: number;
}

const marker = (c: Case) => `// case ${c.id}: ${c.outcome.kind === "accepted" ? "accepted" : "rejected"}`;

/** The source lines of one case, and where its marked and chain-start lines are (0-based, within the case). */
function caseLines(c: Case): { lines: string[]; marked: number; chainStart: number } {
  const lines: string[] = [`// case ${c.id} (${c.origin}, ${c.variant}${c.rule ? `, ${c.rule.rule}` : ""})`];
  const inputExpr = `input({ shape: ${shapeSource(c.inputShape)} })`;
  const calls: { text: string; marked: boolean }[] = [
    ...c.layers.map((l) => ({ text: callSource(l), marked: false })),
    ...(c.call === undefined ? [] : [{ text: callSource(c.call), marked: true }]),
    ...c.tail.map((l) => ({ text: callSource(l), marked: false })),
  ];
  let marked = -1;
  let chainStart: number;
  const shapeOf = c.outcome.kind === "accepted" ? shapeSource(c.outcome.shape) : undefined;
  if (!c.inModel) {
    chainStart = lines.length;
    lines.push(`const r${c.id} = ${inputExpr}${calls.length === 0 ? ";" : ""}${c.call === undefined ? ` ${marker(c)}` : ""}`);
    if (c.call === undefined) marked = chainStart;
    calls.forEach((call, k) => {
      if (call.marked) marked = lines.length;
      lines.push(`  ${call.text}${k === calls.length - 1 ? ";" : ""}${call.marked ? ` ${marker(c)}` : ""}`);
    });
    if (shapeOf !== undefined) lines.push(`type _s${c.id} = Expect<Equal<(typeof r${c.id})["shape"], ${shapeOf}>>;`);
  } else {
    if (c.call === undefined) marked = lines.length;
    lines.push(`const i${c.id} = ${inputExpr};${c.call === undefined ? ` ${marker(c)}` : ""}`);
    lines.push(`const m${c.id} = model({`, `  inputs: i${c.id},`);
    chainStart = lines.length;
    lines.push(`  outputs: i${c.id}${calls.length === 0 ? "," : ""}`);
    calls.forEach((call, k) => {
      if (call.marked) marked = lines.length;
      lines.push(`    ${call.text}${k === calls.length - 1 ? "," : ""}${call.marked ? ` ${marker(c)}` : ""}`);
    });
    lines.push("});");
    if (shapeOf !== undefined) lines.push(`type _s${c.id} = Expect<Equal<OutputShape<typeof m${c.id}>, ${shapeOf}>>;`);
  }
  return { lines, marked, chainStart };
}

interface GeneratedFile {
  readonly name: string;
  readonly path: string;
  readonly tsconfig: string;
  readonly source: string;
  readonly cases: readonly Case[];
  readonly placement: ReadonlyMap<Case, Placement>;
}

function writeCaseFile(name: string, chunk: readonly Case[]): GeneratedFile {
  const out = [...header];
  const placement = new Map<Case, Placement>();
  for (const c of chunk) {
    const first = out.length + 1;
    const { lines, marked, chainStart } = caseLines(c);
    out.push(...lines);
    placement.set(c, { first, last: out.length, marked: first + marked, chainStart: first + chainStart });
  }
  const source = `${out.join("\n")}\n`;
  const path = join(workDir, name);
  writeFileSync(path, source);
  const tsconfig = join(workDir, name.replace(/\.ts$/, ".tsconfig.json"));
  const config = {
    compilerOptions: { strict: true, target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", noEmit: true, skipLibCheck: true, types: ["node"] },
    include: [name],
  };
  writeFileSync(tsconfig, `${JSON.stringify(config, null, 2)}\n`);
  return { name, path, tsconfig, source, cases: chunk, placement };
}

const caseFiles: GeneratedFile[] = [];
for (let i = 0; i < cases.length; i += CASES_PER_FILE)
  caseFiles.push(writeCaseFile(`rejection.gen.${caseFiles.length}.ts`, cases.slice(i, i + CASES_PER_FILE)));

let failed = false;
beforeEach(({ onTestFailed }) => onTestFailed(() => void (failed = true)));
afterAll(() => {
  if (!failed && !process.env.KEEP_REJECTION_TMP) rmSync(workDir, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------
// Compiler runs

const isFile = (d: Diagnostic, name: string) => d.file === name || d.file.endsWith(`/${name}`);

const runs = new Map<CompilerName, Promise<Map<GeneratedFile, CheckResult>>>();
/** One run per compiler and file, shared by the tests that read it. */
function resultsOf(name: CompilerName): Promise<Map<GeneratedFile, CheckResult>> {
  let run = runs.get(name);
  if (run === undefined) {
    run = (async () => {
      const results = new Map<GeneratedFile, CheckResult>();
      for (const file of caseFiles) {
        const result = await checkProject(compilers[name], file.tsconfig, workDir);
        console.log(
          `${name}: ${file.name} (${file.cases.length} cases, ${file.source.split("\n").length} lines) checked in ${(result.ms / 1000).toFixed(1)} s; ${result.diagnostics.length} diagnostic(s)`,
        );
        results.set(file, result);
      }
      return results;
    })();
    runs.set(name, run);
  }
  return run;
}

/** The source of a case with the runtime's verdict, and what the compiler said. */
function explain(file: GeneratedFile, c: Case, found: readonly Diagnostic[]): string {
  const p = file.placement.get(c)!;
  const verdict =
    c.outcome.kind === "rejected"
      ? `runtime: ${c.outcome.error instanceof ShapeError ? "ShapeError" : "non-ShapeError"} ${JSON.stringify(c.outcome.message)}; expected ${c.rule!.where === "property" ? `TS2322 on ${c.rule!.property}` : CODE[c.rule!.where]} (${c.rule!.where})`
      : c.outcome.kind === "accepted"
        ? `runtime: accepted, shape ${shapeSource(c.outcome.shape)}`
        : `runtime: threw at call ${c.outcome.index}: ${String(c.outcome.error)}`;
  return [
    `case ${c.id} (${c.origin}, ${c.variant}) in ${file.name}:${p.first}-${p.last}`,
    `  ${verdict}`,
    ...file.source
      .split("\n")
      .slice(p.first - 1, p.last)
      .map((l) => `  | ${l}`),
    found.length === 0 ? "  compiler: no diagnostic" : `  compiler: ${found.length} diagnostic(s):\n${found.map((d) => `    ${d.text}`).join("\n")}`,
  ].join("\n");
}

/** Problems of one case on one compiler (empty when it agrees). */
function checkCase(file: GeneratedFile, c: Case, found: readonly Diagnostic[]): string[] {
  const p = file.placement.get(c)!;
  const line = (n: number) => file.source.split("\n")[n - 1] ?? "";
  if (c.outcome.kind === "misplaced") return ["the runtime threw outside the call under test"];
  if (c.outcome.kind === "accepted") return found.length === 0 ? [] : [`the runtime accepts, the types give ${found.length} diagnostic(s)`];
  const problems: string[] = [];
  if (found.length !== 1) problems.push(found.length === 0 ? "the runtime rejects, the types accept" : `${found.length} diagnostics, not 1`);
  const d = found[0];
  if (d === undefined) return problems;
  const quoted = `'"${c.outcome.message}"'`;
  if (!d.text.includes(quoted)) {
    const typed = /'"(shapewise: .*?)"'/.exec(d.text)?.[1];
    problems.push(typed === undefined ? "the diagnostic holds no shapewise sentence" : `the sentences differ: types ${JSON.stringify(typed)}`);
  }
  const rule = c.rule!;
  if (d.code !== CODE[rule.where]) problems.push(`code ${d.code}, expected ${CODE[rule.where]} (${rule.where})`);
  const at = line(d.line).slice(d.column - 1);
  if (rule.where === "receiver") {
    if (d.line !== p.chainStart || !(at.startsWith("input(") || at.startsWith(`i${c.id}`)))
      problems.push(`reported at ${d.line}:${d.column}, not on the receiver (line ${p.chainStart})`);
  } else if (d.line !== p.marked) {
    problems.push(`reported on line ${d.line}, not on the call's line ${p.marked}`);
  } else if (rule.where === "property" && !at.startsWith(`${rule.property}:`)) {
    problems.push(`reported at column ${d.column} (${JSON.stringify(at.slice(0, 24))}), not on '${rule.property}'`);
  } else if (rule.where === "config" && !at.startsWith("{")) {
    problems.push(`reported at column ${d.column} (${JSON.stringify(at.slice(0, 24))}), not on the config argument`);
  }
  return problems;
}

interface GroupCheck {
  readonly checked: number;
  readonly problems: readonly { readonly short: string; readonly long: string }[];
  readonly outside: readonly Diagnostic[];
}

async function checkGroup(name: CompilerName, group: DirectedGroup): Promise<GroupCheck> {
  const results = await resultsOf(name);
  let checked = 0;
  const problems: { short: string; long: string }[] = [];
  const outside: Diagnostic[] = [];
  for (const file of caseFiles) {
    const result = results.get(file)!;
    const mine = result.diagnostics.filter((d) => isFile(d, file.name));
    outside.push(...result.diagnostics.filter((d) => !isFile(d, file.name)));
    for (const c of file.cases) {
      if (c.group !== group) continue;
      const p = file.placement.get(c)!;
      const found = mine.filter((d) => d.line >= p.first && d.line <= p.last);
      checked++;
      const issues = checkCase(file, c, found);
      if (issues.length > 0)
        problems.push({ short: `case ${c.id} (${c.variant}${c.rule ? `; ${c.rule.rule}` : ""}): ${issues.join("; ")}`, long: explain(file, c, found) });
    }
    // A diagnostic between cases (the header) would be missed by the spans.
    const inSpans = (d: Diagnostic) => file.cases.some((c) => d.line >= file.placement.get(c)!.first && d.line <= file.placement.get(c)!.last);
    outside.push(...mine.filter((d) => !inSpans(d)));
  }
  return { checked, problems, outside };
}

function report(name: string, title: string, check: GroupCheck): void {
  if (check.problems.length === 0) return;
  console.error(
    `${name}: ${title}: ${check.problems.length} disagreement(s):\n\n${check.problems
      .slice(0, 40)
      .map((p) => p.long)
      .join("\n\n")}`,
  );
}

// ---------------------------------------------------------------------------

const countBy = (items: readonly string[]) => {
  const counts: Record<string, number> = {};
  for (const i of items) counts[i] = (counts[i] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
};

/** The kinds of bad value a config option holds: zero, negative, fractional, unsafe. */
function badKinds(v: unknown): string[] {
  const values = Array.isArray(v) ? v : [v];
  const kinds = new Set<string>();
  for (const x of values) {
    if (typeof x !== "number") continue;
    if (x === 0) kinds.add("zero");
    else if (x < 0) kinds.add("negative");
    else if (!Number.isInteger(x)) kinds.add("fractional");
    else if (!Number.isSafeInteger(x)) kinds.add("unsafe");
  }
  return [...kinds];
}

describe("types agree with the runtime on rejected layer calls", () => {
  const ruleRejected = rejectedCases.filter((c) => c.group === "rule");
  const ruleCounts = countBy(ruleRejected.map((c) => c.rule!.rule));

  it("generates enough rejected calls, every rule several times", () => {
    const valueKinds = countBy(
      ruleRejected.flatMap((c) => {
        const cfg = typeof c.call?.config === "object" ? c.call.config : undefined;
        const key = c.rule!.property;
        if (c.call === undefined) return badKinds(c.inputShape).map((k) => `input shape: ${k}`);
        if (cfg === undefined || key === undefined || !/not (a )?positive integer|rate outside/.test(c.rule!.rule)) return [];
        return badKinds(cfg[key]).map((k) => `${c.call!.kind} ${key}: ${k}`);
      }),
    );
    const stats = {
      hookSeed: HOOK_SEED,
      directedSeed: DIRECTED_SEED,
      cases: cases.length,
      rejected: rejectedCases.length,
      byOrigin: countBy(rejectedCases.map((c) => c.origin)),
      byGroup: countBy(cases.map((c) => `${c.group}: ${c.outcome.kind}`)),
      byWhere: countBy(rejectedCases.map((c) => `${c.rule!.where} (${CODE[c.rule!.where]})`)),
      rules: ruleCounts,
      edgeRules: countBy(rejectedCases.filter((c) => c.group === "edge").map((c) => c.rule!.rule)),
      variants: countBy(cases.filter((c) => c.origin === "directed").map((c) => `${c.variant}: ${c.outcome.kind}`)),
      badValues: valueKinds,
      inModel: cases.filter((c) => c.inModel).length,
      longestPrefix: Math.max(...cases.map((c) => c.layers.length)),
      acceptedShapesChecked: acceptedShapes.length,
      generationMs: Math.round(generationMs),
      files: caseFiles.map((f) => `${f.name}: ${f.cases.length} cases, ${f.source.split("\n").length} lines`),
    };
    console.log(`rejection cases:\n${JSON.stringify(stats, null, 2)}`);

    expect(ruleRejected.length).toBeGreaterThanOrEqual(300);
    expect(Object.keys(ruleCounts).filter((r) => r.endsWith("(unclassified)"))).toEqual([]);
    for (const rule of EXPECTED_RULES) expect(ruleCounts[rule] ?? 0, rule).toBeGreaterThanOrEqual(MIN_PER_RULE);
    // zero, negative and fractional values of every count and size option
    for (const [kind, key] of [
      ["conv2d", "filters"],
      ["conv2d", "kernelSize"],
      ["conv2d", "strides"],
      ["conv2d", "dilationRate"],
      ["dense", "units"],
      ...POOL_KINDS.flatMap((k) => [
        [k, "poolSize"],
        [k, "strides"],
      ]),
    ]) {
      for (const bad of ["zero", "negative", "fractional"])
        expect(valueKinds[`${kind} ${key}: ${bad}`] ?? 0, `${kind} ${key}: ${bad}`).toBeGreaterThanOrEqual(2);
    }
    for (const bad of ["zero", "negative", "fractional"]) expect(valueKinds[`input shape: ${bad}`] ?? 0, `input shape: ${bad}`).toBeGreaterThanOrEqual(2);
    const rates = ruleRejected.filter((c) => c.call?.kind === "dropout").map((c) => (c.call!.config as { rate: number }).rate);
    for (const rate of [1, 1.5, -0.1]) expect(rates, `dropout rate ${rate}`).toContain(rate);
    // windows with strides or dilation; pooling calls without any config, rejected on the receiver
    const cfgOf = (c: Case) => (typeof c.call?.config === "object" ? c.call.config : {});
    const above1 = (v: unknown) => (Array.isArray(v) ? v : [v]).some((x) => typeof x === "number" && x > 1);
    expect(ruleRejected.filter((c) => /: window larger/.test(c.rule!.rule) && above1(cfgOf(c).strides)).length).toBeGreaterThanOrEqual(MIN_PER_RULE);
    for (const kind of POOL_KINDS) {
      for (const rule of ["wrong input rank", "default window larger than height"]) {
        expect(
          ruleRejected.filter((c) => c.call?.kind === kind && c.call.config === undefined && c.rule!.rule === `${kind}: ${rule}`).length,
          `${kind}() ${rule}`,
        ).toBeGreaterThan(0);
      }
    }
  });

  it("every rejected call throws a ShapeError: 'shapewise: ...', under 300 characters, the hook's sentence", () => {
    const expected = cases.filter((c) => c.group !== "valid");
    const bad: string[] = [];
    for (const c of expected) {
      const o = c.outcome;
      if (o.kind !== "rejected") {
        bad.push(
          `case ${c.id} (${c.variant}): ${o.kind === "accepted" ? `accepted, shape ${shapeSource(o.shape)}` : `threw at call ${o.index}, not at the call under test: ${String(o.error)}`}`,
        );
        continue;
      }
      if (!(o.error instanceof ShapeError)) bad.push(`case ${c.id}: threw ${String(o.error)}, not a ShapeError`);
      if (!o.message.startsWith("shapewise: ")) bad.push(`case ${c.id}: message ${JSON.stringify(o.message)}`);
      if (o.message.length >= 300) bad.push(`case ${c.id}: message of ${o.message.length} characters`);
      if (c.hookMessage !== undefined && c.hookMessage !== o.message)
        bad.push(`case ${c.id}: replay ${JSON.stringify(o.message)}, hook ${JSON.stringify(c.hookMessage)}`);
    }
    expect(bad).toEqual([]);
    expect(expected.length).toBe(cases.length - byGroup("valid").length);
  });

  it("near misses are accepted by the runtime", () => {
    const valid = byGroup("valid");
    expect(valid.length).toBeGreaterThan(0);
    expect(valid.filter((c) => c.outcome.kind !== "accepted").map((c) => `case ${c.id} (${c.variant})`)).toEqual([]);
  });

  it("no accepted call produced a dimension <= 0, NaN or a non-integer", () => {
    const bad = acceptedShapes.filter(
      ({ shape }) => shape.length === 0 || shape[0] !== null || !shape.slice(1).every((d) => d === null || (Number.isInteger(d) && d > 0)),
    );
    expect(bad.slice(0, 20).map((b) => `${shapeSource(b.shape)} from ${b.from}`)).toEqual([]);
    expect(acceptedShapes.length).toBeGreaterThan(cases.length);
  });

  it("the generated files hold every case once, marked", () => {
    let markers = 0;
    for (const file of caseFiles) {
      const text = readFileSync(file.path, "utf8");
      markers += text.split("\n").filter((l) => / \/\/ case \d+: (rejected|accepted)$/.test(l)).length;
      for (const c of file.cases) {
        const p = file.placement.get(c)!;
        expect(text.split("\n")[p.marked - 1], `case ${c.id}`).toContain(marker(c));
      }
    }
    expect(markers).toBe(cases.length);
    expect(caseFiles.reduce((s, f) => s + f.cases.length, 0)).toBe(cases.length);
  });

  const groups: readonly [DirectedGroup, string][] = [
    ["rule", "every rejected call gives one diagnostic, its ShapeError sentence, where the library reports it"],
    ["edge", "edge probes (sizes beyond 2^53 - 1, dropout seed) agree as well"],
    ["valid", "near misses the runtime accepts type-check clean, with the runtime's shape"],
  ];
  for (const name of Object.keys(compilers) as CompilerName[]) {
    for (const [group, title] of groups) {
      it(`${name}: ${title}`, { timeout: 300_000 }, async () => {
        const check = await checkGroup(name, group);
        report(name, title, check);
        expect(check.checked, "cases checked").toBe(byGroup(group).length);
        // Diagnostics outside the cases (the library itself, the header) are reported once, with the shape rules.
        const outside = group === "rule" ? check.outside.map((d) => d.text) : [];
        expect({ problems: check.problems.map((p) => p.short), outside }).toEqual({ problems: [], outside: [] });
      });
    }
  }

  it("every case was checked by both compilers, which print identical diagnostics", { timeout: 300_000 }, async () => {
    const [a, b] = await Promise.all([resultsOf("TS 5.9"), resultsOf("TS 7")]);
    for (const name of Object.keys(compilers) as CompilerName[]) {
      let checked = 0;
      for (const [group] of groups) checked += (await checkGroup(name, group)).checked;
      expect(checked, `${name}: cases checked`).toBe(cases.length);
    }
    for (const file of caseFiles) {
      const ra = a.get(file)!;
      const rb = b.get(file)!;
      if (ra.diagnostics.length === 0 && ra.exitCode !== 0) console.error(ra.raw);
      if (rb.diagnostics.length === 0 && rb.exitCode !== 0) console.error(rb.raw);
      expect(
        rb.diagnostics.map((d) => d.text),
        file.name,
      ).toEqual(ra.diagnostics.map((d) => d.text));
    }
  });
});
