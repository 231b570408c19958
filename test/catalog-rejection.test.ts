/**
 * Bad input over the whole layer catalog: the runtime and the type level
 * reject the same calls with the same sentence.
 *
 * `test/rejection-agreement.test.ts` proves it for the core layers; this file
 * does it for every catalog layer. Cases are mutations of valid stacks from
 * `test/support/catalog-generator.ts` (fast-check, fixed seed): one call of a
 * stack (or the inner call of a wrapper) gets one option changed to a bad
 * value (0, negative, fractional, too large, a tuple of the wrong length or
 * with one bad member), or is moved onto an input of another rank. The runtime
 * judges each case:
 *
 * - rejected: it must throw a `ShapeError` (never another error type) whose
 *   sentence starts with `shapewise: `; TypeScript 5.9 and 7 must give exactly
 *   one diagnostic in the case's lines, holding that sentence as the type
 *   `'"..."'`;
 * - accepted (a mutation can be harmless, say a larger kernel with `"same"`
 *   padding): no diagnostic, the runtime's shape at type level, and no size
 *   that is 0, negative, NaN or fractional.
 *
 * Values TypeScript cannot write as a literal type, or rejects by their type
 * alone before any shapewise rule (`NaN`, `Infinity`, `null`, strings and
 * booleans where numbers belong, unknown strings, missing required options),
 * are checked at run time only: a `ShapeError`, never another error type.
 *
 * Generated files go to `.vitest-tmp/catalog-rejection/` (ignored by
 * `.gitignore`); removed after a passing run, kept after a failing one or with
 * `KEEP_REJECTION_TMP=1`.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

import fc from "fast-check";
import { afterAll, beforeEach, describe, expect, it } from "vitest";

import { ShapeError, input } from "../src/index.js";
import { applyCatalogCall, catalogCallSource, generateCatalogStacks, shapeText } from "./support/catalog-generator.js";
import type { CatalogCall, CatalogStack, ConfigValue, Dim } from "./support/catalog-generator.js";
import { checkProject } from "./support/tsc.js";
import type { CheckResult, Diagnostic } from "./support/tsc.js";

const SEED = 20261203;
const STACKS = 700;
const CASES_PER_FILE = 500;

const repoRoot = fileURLToPath(new URL("..", import.meta.url));
const workDir = join(repoRoot, ".vitest-tmp", "catalog-rejection");
const compilers = {
  "TS 5.9": join(repoRoot, "node_modules", "typescript", "bin", "tsc"),
  "TS 7": join(repoRoot, "node_modules", "typescript7", "bin", "tsc"),
} as const;
type CompilerName = keyof typeof compilers;

// ---------------------------------------------------------------------------
// Mutations

/** Bad numbers TypeScript writes as literal types. */
const TYPED_BAD = [0, -1, -3, 0.5, 2.5, 7, 99, 1.5] as const;
/** Bad values for run time only (no literal type, or rejected by TypeScript's own type rules first). */
const UNTYPED_BAD: readonly unknown[] = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, null, "3", true, [], [Number.NaN]];

type Gen = fc.GeneratorValue;
const int = (g: Gen, min: number, max: number): number => (max <= min ? min : g(fc.integer, { min, max }));
const pick = <T>(g: Gen, items: readonly T[]): T => items[int(g, 0, items.length - 1)];

/** A path to a numeric leaf of a config: the key, then indices into lists. */
type Leaf = readonly [string, ...number[]];

function numericLeaves(config: Record<string, ConfigValue>): Leaf[] {
  const leaves: Leaf[] = [];
  const walk = (v: ConfigValue, path: Leaf) => {
    if (typeof v === "number") leaves.push(path);
    else if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i] as unknown as Leaf));
  };
  for (const [k, v] of Object.entries(config)) walk(v, [k]);
  return leaves;
}

function setLeaf(config: Record<string, ConfigValue>, leaf: Leaf, value: unknown): Record<string, unknown> {
  const [key, ...indices] = leaf;
  const copy = (v: unknown, rest: readonly number[]): unknown => {
    if (rest.length === 0) return value;
    const list = [...(v as unknown[])];
    list[rest[0]] = copy(list[rest[0]], rest.slice(1));
    return list;
  };
  return { ...config, [key]: copy(config[key], indices) };
}

interface Mutation {
  readonly call: CatalogCall;
  /** What was changed, for the statistics: `conv2d kernelSize: -1`. */
  readonly what: string;
  /** Whether TypeScript can see the value (a case for both sides) or only the runtime can. */
  readonly typed: boolean;
  /** What the type level reports: the runtime's sentence, or its own tuple-length error (see {@link Case.check}). */
  readonly check: Check;
}

/**
 * `"sentence"`: the diagnostic holds the runtime's sentence. `"tuple"`: a
 * list of the wrong length, which the option's tuple type rejects by
 * TypeScript's own rule (`Source has 1 element(s) but target requires 2`,
 * or the extra member typed `undefined`), before any shapewise rule: one
 * diagnostic, on the call, and a `ShapeError` at run time.
 */
type Check = "sentence" | "tuple";

/** The call whose config is mutated: the call itself, or a wrapper's inner call. */
function mutate(g: Gen, call: CatalogCall, typed: boolean): Mutation | undefined {
  const target = call.inner ?? call;
  const config = typeof target.config === "object" ? (target.config as Record<string, ConfigValue>) : undefined;
  if (config === undefined) return undefined;
  const leaves = numericLeaves(config);
  const lists = Object.entries(config).filter(([, v]) => Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === "number"));
  let next: Record<string, unknown>;
  let what: string;
  let check: Check = "sentence";
  if (typed && lists.length > 0 && int(g, 0, 5) === 0) {
    // a list of the wrong length
    const [key, v] = pick(g, lists);
    const list = v as readonly number[];
    const longer = int(g, 0, 1) === 1;
    next = { ...config, [key]: longer ? [...list, list[0]] : list.slice(0, -1) };
    what = `${target.method} ${key}: ${longer ? "one more value" : "one value fewer"}`;
    check = "tuple";
  } else {
    if (leaves.length === 0) return undefined;
    const leaf = pick(g, leaves);
    const value = typed ? pick(g, TYPED_BAD) : pick(g, UNTYPED_BAD);
    next = setLeaf(config, leaf, value);
    what = `${target.method} ${leaf[0]}: ${typeof value === "number" ? String(value) : JSON.stringify(value)}`;
  }
  const mutated = { ...target, config: next as CatalogCall["config"] };
  return { call: call.inner !== undefined ? { ...call, inner: mutated } : mutated, what, typed, check };
}

// ---------------------------------------------------------------------------
// Cases

type Outcome = { readonly kind: "rejected"; readonly error: unknown; readonly message: string } | { readonly kind: "accepted"; readonly shape: readonly Dim[] };

interface Case {
  readonly id: number;
  readonly inputShape: readonly Dim[];
  readonly prefix: readonly CatalogCall[];
  readonly call: CatalogCall;
  readonly what: string;
  readonly typed: boolean;
  readonly check: Check;
  readonly outcome: Outcome;
}

interface RuntimeTensor {
  readonly shape: readonly Dim[];
  [method: string]: unknown;
}
const runtimeInput = input as unknown as (config: { shape: readonly Dim[] }) => RuntimeTensor;

function judge(inputShape: readonly Dim[], prefix: readonly CatalogCall[], call: CatalogCall): Outcome {
  let t = runtimeInput({ shape: inputShape });
  for (const c of prefix) t = applyCatalogCall(t, c);
  try {
    return { kind: "accepted", shape: [...applyCatalogCall(t, call).shape] };
  } catch (error) {
    return { kind: "rejected", error, message: error instanceof Error ? error.message : String(error) };
  }
}

const generationStart = performance.now();
const stacks: CatalogStack[] = generateCatalogStacks({ seed: SEED, count: STACKS, minLayers: 1, maxLayers: 4 });
const gens = fc.sample(fc.gen(), { seed: SEED + 1, numRuns: STACKS });
const cases: Case[] = [];
for (const [k, s] of stacks.entries()) {
  const g = gens[k];
  // Option mutations: two typed and one untyped per stack, on calls drawn at random.
  for (const typed of [true, true, false]) {
    const at = int(g, 0, s.calls.length - 1);
    const m = mutate(g, s.calls[at], typed);
    if (m === undefined) continue;
    const prefix = s.calls.slice(0, at);
    cases.push({
      id: cases.length,
      inputShape: s.inputShape,
      prefix,
      call: m.call,
      what: m.what,
      typed,
      check: m.check,
      outcome: judge(s.inputShape, prefix, m.call),
    });
  }
  // Wrong rank: a call of this stack on the input of another stack (of another rank), without the embedding's integer input.
  const other = stacks[(k * 7 + 3) % stacks.length];
  const call = pick(g, s.calls);
  if (other.inputShape.length !== s.inputShape.length && call.method !== "embedding") {
    cases.push({
      id: cases.length,
      inputShape: other.inputShape,
      prefix: [],
      call,
      what: `${call.method} on rank ${other.inputShape.length + 1}`,
      typed: true,
      check: "sentence",
      outcome: judge(other.inputShape, [], call),
    });
  }
}
const generationMs = performance.now() - generationStart;

const typedCases = cases.filter((c) => c.typed);
const rejected = cases.filter((c) => c.outcome.kind === "rejected");

// ---------------------------------------------------------------------------
// Generated files

rmSync(workDir, { recursive: true, force: true });
mkdirSync(workDir, { recursive: true });
const indexImport = relative(workDir, join(repoRoot, "src", "index.js"))
  .split("\\")
  .join("/");
const header = [
  `import { input } from ${JSON.stringify(indexImport)};`,
  "type Equal<X, Y> = (<T>() => T extends X ? 1 : 2) extends (<T>() => T extends Y ? 1 : 2) ? true : false;",
  "type Expect<T extends true> = T;",
  "",
];

function caseLines(c: Case): string[] {
  const v = (k: number) => `r${c.id}_${k}`;
  const lines = [`// case ${c.id}: ${c.outcome.kind}, ${c.what}`, `const ${v(0)} = input({ shape: ${shapeText(c.inputShape)} });`];
  c.prefix.forEach((call, k) => lines.push(`const ${v(k + 1)} = ${catalogCallSource(v(k), call)};`));
  const last = v(c.prefix.length + 1);
  lines.push(`const ${last} = ${catalogCallSource(v(c.prefix.length), c.call)};`);
  if (c.outcome.kind === "accepted") lines.push(`type _s${c.id} = Expect<Equal<(typeof ${last})["shape"], ${shapeText(c.outcome.shape)}>>;`);
  return lines;
}

interface GeneratedFile {
  readonly name: string;
  readonly tsconfig: string;
  readonly source: string;
  readonly cases: readonly Case[];
  readonly spans: ReadonlyMap<Case, readonly [number, number]>;
}

const files: GeneratedFile[] = [];
for (let i = 0; i < typedCases.length; i += CASES_PER_FILE) {
  const chunk = typedCases.slice(i, i + CASES_PER_FILE);
  const name = `rejection.gen.${files.length}.ts`;
  const out = [...header];
  const spans = new Map<Case, readonly [number, number]>();
  for (const c of chunk) {
    const first = out.length + 1;
    out.push(...caseLines(c));
    spans.set(c, [first, out.length]);
  }
  const source = `${out.join("\n")}\n`;
  writeFileSync(join(workDir, name), source);
  const tsconfig = join(workDir, name.replace(/\.ts$/, ".tsconfig.json"));
  const compilerOptions = {
    strict: true,
    target: "ES2022",
    module: "NodeNext",
    moduleResolution: "NodeNext",
    noEmit: true,
    skipLibCheck: true,
    types: ["node"],
  };
  writeFileSync(tsconfig, `${JSON.stringify({ compilerOptions, files: [name] }, null, 2)}\n`);
  files.push({ name, tsconfig, source, cases: chunk, spans });
}

let failed = false;
beforeEach(({ onTestFailed }) => onTestFailed(() => void (failed = true)));
afterAll(() => {
  if (!failed && !process.env.KEEP_REJECTION_TMP) rmSync(workDir, { recursive: true, force: true });
});

/** One run per compiler and file, shared by the tests below. */
const runs = new Map<string, Promise<CheckResult>>();
function resultOf(name: CompilerName, file: GeneratedFile): Promise<CheckResult> {
  const key = `${name} ${file.name}`;
  if (!runs.has(key)) runs.set(key, checkProject(compilers[name], file.tsconfig, workDir));
  return runs.get(key)!;
}

const isFile = (d: Diagnostic, name: string) => d.file === name || d.file.endsWith(`/${name}`);

function problemsOf(c: Case, found: readonly Diagnostic[], callLine: number): string[] {
  if (c.outcome.kind === "accepted") return found.length === 0 ? [] : [`the runtime accepts, the types give ${found.length} diagnostic(s)`];
  if (found.length !== 1) return [found.length === 0 ? "the runtime rejects, the types accept" : `${found.length} diagnostics, not 1`];
  if (found[0].line !== callLine) return [`reported on line ${found[0].line}, not on the call's line ${callLine}`];
  if (c.check === "tuple") return found[0].code === "TS2322" ? [] : [`code ${found[0].code}, expected TS2322 (a tuple of the wrong length)`];
  if (found[0].text.includes(`'"${c.outcome.message}"'`)) return [];
  const typed = /'"(shapewise: .*?)"'/.exec(found[0].text)?.[1];
  return [typed === undefined ? "the diagnostic holds no shapewise sentence" : `the sentences differ: types ${JSON.stringify(typed)}`];
}

const countBy = (items: readonly string[]): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const i of items) counts[i] = (counts[i] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
};

const methodOf = (c: Case) => (c.call.inner === undefined ? c.call.method : `${c.call.method}(${c.call.inner.method})`);

describe("bad input over the whole layer catalog: the same rejections at run time and at type level", () => {
  it("generates rejected calls of every catalog layer, with every kind of bad value", () => {
    const sentences = countBy(
      rejected.map((c) => (c.outcome as { message: string }).message.replace(/-?\d+(\.\d+)?(e[+-]?\d+)?/g, "N").replace(/\[[^\]]*\]/g, "[..]")),
    );
    const stats = {
      seed: SEED,
      stacks: stacks.length,
      cases: cases.length,
      typed: typedCases.length,
      runtimeOnly: cases.length - typedCases.length,
      outcomes: countBy(cases.map((c) => `${c.typed ? (c.check === "tuple" ? "typed (tuple length)" : "typed") : "runtime only"}: ${c.outcome.kind}`)),
      rejectedPerLayer: countBy(rejected.map(methodOf)),
      distinctSentences: Object.keys(sentences).length,
      generationMs: Math.round(generationMs),
      files: files.map((f) => `${f.name}: ${f.cases.length} cases, ${f.source.split("\n").length} lines`),
    };
    console.log(`catalog rejection cases:\n${JSON.stringify(stats, null, 2)}`);
    expect(typedCases.filter((c) => c.outcome.kind === "rejected").length).toBeGreaterThanOrEqual(600);
    const perLayer = stats.rejectedPerLayer;
    for (const kind of [
      "conv1d",
      "conv2d",
      "conv3d",
      "conv2dTranspose",
      "conv3dTranspose",
      "separableConv2d",
      "depthwiseConv2d",
      "maxPooling1d",
      "averagePooling2d",
      "maxPooling3d",
      "reshape",
      "permute",
      "repeatVector",
      "cropping2d",
      "zeroPadding2d",
      "upSampling2d",
      "batchNormalization",
      "layerNormalization",
      "dropout",
      "reLU",
      "leakyReLU",
      "softmax",
      "rescaling",
      "resizing",
      "centerCrop",
      "embedding",
      "dense",
      "multiHeadAttention",
    ]) {
      expect(perLayer[kind] ?? 0, kind).toBeGreaterThanOrEqual(2);
    }
    expect(Object.keys(perLayer).some((k) => k.startsWith("bidirectional("))).toBe(true);
    expect(Object.keys(perLayer).some((k) => k.startsWith("timeDistributed("))).toBe(true);
    for (const bad of [": 0", ": -1", ": 2.5", ": 99", "one more value", "on rank", ": NaN", ": Infinity", ": null"]) {
      expect(
        rejected.some((c) => c.what.includes(bad)),
        bad,
      ).toBe(true);
    }
  });

  it("every rejected call throws a ShapeError 'shapewise: ...' under 300 characters, never another error", () => {
    const bad = rejected.flatMap((c) => {
      const o = c.outcome as { error: unknown; message: string };
      if (!(o.error instanceof ShapeError)) return [`case ${c.id} (${c.what}) on ${shapeText(c.inputShape)}: ${String(o.error)}`];
      if (!o.message.startsWith("shapewise: ") || o.message.length >= 300) return [`case ${c.id}: ${JSON.stringify(o.message)}`];
      return [];
    });
    expect(bad.slice(0, 20)).toEqual([]);
  });

  it("no accepted call returns a size that is 0, negative, NaN or fractional", () => {
    const shapes = [
      ...cases.flatMap((c) => (c.outcome.kind === "accepted" ? [{ shape: c.outcome.shape, from: `case ${c.id} (${c.what})` }] : [])),
      ...stacks.flatMap((s) => s.shapes.map((shape) => ({ shape, from: `stack ${s.id}` }))),
    ];
    const bad = shapes.filter(({ shape }) => shape[0] !== null || !shape.slice(1).every((d) => d === null || (Number.isSafeInteger(d) && d > 0)));
    expect(bad.slice(0, 20).map((b) => `${shapeText(b.shape)} from ${b.from}`)).toEqual([]);
  });

  for (const name of Object.keys(compilers) as CompilerName[]) {
    // TypeScript 5.9 checks each generated file in about 30 s on an idle 2-core machine and 100 s on a busy one.
    it(`${name}: one diagnostic with the runtime's sentence for every rejected call; none and the runtime's shape for every accepted one`, {
      timeout: 900_000,
    }, async () => {
      const problems: string[] = [];
      for (const file of files) {
        const result = await resultOf(name, file);
        const mine = result.diagnostics.filter((d) => isFile(d, file.name));
        const outside = result.diagnostics.filter(
          (d) => !isFile(d, file.name) || !file.cases.some((c) => d.line >= file.spans.get(c)![0] && d.line <= file.spans.get(c)![1]),
        );
        for (const d of outside) problems.push(`outside any case: ${d.text}`);
        console.log(`${name}: ${file.name} (${file.cases.length} cases) checked in ${(result.ms / 1000).toFixed(1)} s, ${mine.length} diagnostics`);
        if (result.diagnostics.length === 0 && result.exitCode !== 0) console.error(result.raw);
        const lines = file.source.split("\n");
        for (const c of file.cases) {
          const [a, b] = file.spans.get(c)!;
          const found = mine.filter((d) => d.line >= a && d.line <= b);
          // The call under test is the case's last const (the line before the shape assertion, if any).
          const issues = problemsOf(c, found, c.outcome.kind === "accepted" ? b - 1 : b);
          if (issues.length === 0) continue;
          const runtime = c.outcome.kind === "rejected" ? `runtime: ${c.outcome.message}` : `runtime: accepted, ${shapeText(c.outcome.shape)}`;
          problems.push(
            [
              `case ${c.id} (${c.what}): ${issues.join("; ")}`,
              `  ${runtime}`,
              ...found.map((d) => `  ${d.text}`),
              ...lines.slice(a - 1, b).map((l) => `  | ${l}`),
            ].join("\n"),
          );
        }
      }
      if (problems.length > 0) console.error(`${name}: ${problems.length} disagreement(s):\n\n${problems.slice(0, 40).join("\n\n")}`);
      expect(problems.length, "disagreements").toBe(0);
    });
  }

  it("both compilers print identical diagnostics", { timeout: 300_000 }, async () => {
    for (const file of files) {
      const [a, b] = await Promise.all([resultOf("TS 5.9", file), resultOf("TS 7", file)]);
      expect(
        b.diagnostics.map((d) => d.text),
        file.name,
      ).toEqual(a.diagnostics.map((d) => d.text));
    }
  });
});
