/**
 * Property test of the symbolic size algebra: fast-check (fixed seed) draws
 * random size expressions over names (`H`, `16*H`, ...) with sums,
 * differences, products, floor and ceil division. For each one the runtime's
 * canonical text (`src/size.ts`) must be the type the compiler computes
 * (`types/size/`, TypeScript 5.9 and 7), and that text, evaluated for random
 * bindings of the names, must equal the expression computed directly with
 * numbers.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import fc from "fast-check";
import { describe, expect, it } from "vitest";

import { evaluateSize, type Size, sizeAdd, sizeAgreement, sizeDivCeil, sizeDivFloor, sizeMultiply, sizeSubtract } from "../../src/size.js";
import { explainDiagnostics, generatedProject, inFile } from "../support/generated-check.js";
import { checkProject, compilers, repoRoot } from "../support/tsc.js";

const SEED = 20261206;
const NAMES = ["H", "W", "T"] as const;

type Expr =
  | { kind: "leaf"; text: string; factor: number; name: string }
  | { kind: "const"; value: number }
  | { kind: "add" | "sub" | "mul"; a: Expr; b: Expr }
  | { kind: "floor" | "ceil"; a: Expr; k: number };

const leaf = fc
  .tuple(fc.constantFrom(...NAMES), fc.constantFrom(1, 1, 2, 3, 16))
  .map(([name, factor]): Expr => ({ kind: "leaf", name, factor, text: factor === 1 ? name : `${factor}*${name}` }));
const constant = fc.integer({ min: 0, max: 9 }).map((value): Expr => ({ kind: "const", value }));

const expr: fc.Arbitrary<Expr> = fc.letrec<{ e: Expr; small: Expr }>((tie) => ({
  small: fc.oneof(leaf, constant),
  e: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    leaf,
    constant,
    fc.record({ kind: fc.constantFrom("add" as const, "sub" as const), a: tie("e"), b: tie("e") }),
    fc.record({ kind: fc.constant("mul" as const), a: tie("e"), b: tie("small") }),
    fc.record({ kind: fc.constantFrom("floor" as const, "ceil" as const), a: tie("e"), k: fc.integer({ min: 2, max: 6 }) }),
  ),
})).e;

/** The expression as the type-level operations spell it. */
function typeText(e: Expr): string {
  switch (e.kind) {
    case "leaf":
      return JSON.stringify(e.text);
    case "const":
      return String(e.value);
    case "add":
      return `SizeAdd<${typeText(e.a)}, ${typeText(e.b)}>`;
    case "sub":
      return `SizeSubtract<${typeText(e.a)}, ${typeText(e.b)}>`;
    case "mul":
      return `SizeMultiply<${typeText(e.a)}, ${typeText(e.b)}>`;
    case "floor":
      return `SizeDivFloor<${typeText(e.a)}, ${e.k}>`;
    case "ceil":
      return `SizeDivCeil<${typeText(e.a)}, ${e.k}>`;
  }
}

/** The expression in the runtime algebra. */
function runtimeSize(e: Expr): Size {
  switch (e.kind) {
    case "leaf":
      return e.text;
    case "const":
      return e.value;
    case "add":
      return sizeAdd(runtimeSize(e.a), runtimeSize(e.b));
    case "sub":
      return sizeSubtract(runtimeSize(e.a), runtimeSize(e.b));
    case "mul":
      return sizeMultiply(runtimeSize(e.a), runtimeSize(e.b));
    case "floor":
      return sizeDivFloor(runtimeSize(e.a), e.k);
    case "ceil":
      return sizeDivCeil(runtimeSize(e.a), e.k);
  }
}

/** The expression computed with numbers for one binding of the names. */
function direct(e: Expr, names: Readonly<Record<string, number>>): number {
  switch (e.kind) {
    case "leaf":
      return e.factor * (names[e.name] as number);
    case "const":
      return e.value;
    case "add":
      return direct(e.a, names) + direct(e.b, names);
    case "sub":
      return direct(e.a, names) - direct(e.b, names);
    case "mul":
      return direct(e.a, names) * direct(e.b, names);
    case "floor":
      return Math.floor(direct(e.a, names) / e.k);
    case "ceil":
      return Math.ceil(direct(e.a, names) / e.k);
  }
}

const cases = fc.sample(expr, { seed: SEED, numRuns: 300 });
const bindings = fc.sample(fc.record({ H: fc.integer({ min: 1, max: 60 }), W: fc.integer({ min: 1, max: 60 }), T: fc.integer({ min: 1, max: 60 }) }), {
  seed: SEED + 1,
  numRuns: 40,
});
/** Wider bindings where a difference may first show past the small ones (`floor(H/80)` is odd from H = 80). */
const wideBindings = fc.sample(
  fc.record({ H: fc.integer({ min: 1, max: 10_000 }), W: fc.integer({ min: 1, max: 10_000 }), T: fc.integer({ min: 1, max: 10_000 }) }),
  { seed: SEED + 2, numRuns: 60 },
);

/** Pairs of sizes that must agree: neighbours, a size against its round trip through a halving, and against itself plus 0. */
const pairs: [Expr, Expr][] = cases.flatMap((c, i): [Expr, Expr][] => [
  [c, cases[(i + 1) % cases.length] as Expr],
  [c, { kind: "mul", a: { kind: "floor", a: c, k: 2 }, b: { kind: "const", value: 2 } }],
  [c, { kind: "add", a: c, b: { kind: "const", value: 0 } }],
]);
const verdictType = (v: ReturnType<typeof sizeAgreement>): string => (typeof v === "string" ? JSON.stringify(v) : `{ differ: ${JSON.stringify(v.differ)} }`);

const indexPath = fileURLToPath(new URL("../../types/size/index.js", import.meta.url));
const header = [
  `import type { SizeAdd, SizeAgreement, SizeDivCeil, SizeDivFloor, SizeMultiply, SizeSubtract } from ${JSON.stringify(indexPath)};`,
  "type Equal<X, Y> = (<T>() => T extends X ? 1 : 2) extends (<T>() => T extends Y ? 1 : 2) ? true : false;",
  "type Expect<T extends true> = T;",
];
const expectedType = (s: Size): string => (s === null ? "number" : JSON.stringify(s));
const lines = [
  ...cases.map((c, i) => `type _c${i} = Expect<Equal<${typeText(c)}, ${expectedType(runtimeSize(c))}>>;`),
  ...pairs.map(
    ([a, b], i) => `type _p${i} = Expect<Equal<SizeAgreement<${typeText(a)}, ${typeText(b)}>, ${verdictType(sizeAgreement(runtimeSize(a), runtimeSize(b)))}>>;`,
  ),
];
const source = `${[...header, ...lines].join("\n")}\n`;
const wrongSource = `${[...header, 'type _ok = Expect<Equal<SizeMultiply<SizeDivFloor<"16*H", 2>, 2>, "16*H">>;', 'type _wrong = Expect<Equal<SizeMultiply<SizeDivFloor<"H", 2>, 2>, "H">>;'].join("\n")}\n`;

const workDir = join(repoRoot, ".vitest-tmp", "size-algebra");
rmSync(workDir, { recursive: true, force: true });
mkdirSync(workDir, { recursive: true });
writeFileSync(join(workDir, "cases.gen.ts"), source);
writeFileSync(join(workDir, "wrong.gen.ts"), wrongSource);
const tsconfig = generatedProject(workDir, ["cases.gen.ts", "wrong.gen.ts"]);

describe("symbolic sizes: types, runtime and numbers agree", () => {
  it("the canonical text evaluates to the expression for every binding", () => {
    let symbolic = 0;
    for (const c of cases) {
      const size = runtimeSize(c);
      expect(size).not.toBeNull();
      if (typeof size === "string") symbolic++;
      for (const names of bindings)
        expect(evaluateSize(size as number | string, names), `${typeText(c)} at ${JSON.stringify(names)}`).toBe(direct(c, names) + 0); // + 0: no -0
    }
    expect(symbolic).toBeGreaterThan(200);
    expect(cases.some((c) => String(runtimeSize(c)).includes("floor("))).toBe(true);
  });

  it("a verdict is sound: 'same' is equal for every binding, 'differ' unequal for some", () => {
    const verdicts = pairs.map(([a, b]) => sizeAgreement(runtimeSize(a), runtimeSize(b)));
    pairs.forEach(([a, b], i) => {
      const v = verdicts[i];
      const unequal = [...bindings, ...wideBindings].some((names) => direct(a, names) !== direct(b, names));
      if (v === "same") expect(unequal, `${typeText(a)} against ${typeText(b)}`).toBe(false);
      if (typeof v === "object") expect(unequal, `${typeText(a)} against ${typeText(b)}: ${v.differ}`).toBe(true);
    });
    expect(verdicts.filter((v) => typeof v === "object").length).toBeGreaterThan(100);
    expect(verdicts.filter((v) => v === "same").length).toBeGreaterThan(100);
    expect(verdicts.some((v) => v === "unknown")).toBe(true);
  });

  it("equal sizes have one text: 2*floor(16*H/2) is 16*H, floor(floor(H/2)/2) is floor(H/4)", () => {
    expect(sizeMultiply(sizeDivFloor("16*H", 2), 2)).toBe("16*H");
    expect(sizeDivFloor(sizeDivFloor("H", 2), 2)).toBe("floor(H/4)");
    expect(sizeSubtract(sizeAdd("H", "W"), "H")).toBe("W");
    expect(sizeMultiply(sizeDivFloor("H", 2), 2)).toBe("2*floor(H/2)");
  });

  for (const [name, tsc] of Object.entries(compilers)) {
    it(`${name}: the type of every case is the runtime's text, and a wrong one is reported`, { timeout: 300_000 }, async () => {
      const result = await checkProject(tsc, tsconfig, workDir);
      const wrong = result.diagnostics.filter((d) => inFile(d, "wrong.gen.ts"));
      const others = result.diagnostics.filter((d) => !inFile(d, "wrong.gen.ts"));
      const indexed = cases.map((c, i) => ({ c, i }));
      expect(
        others,
        explainDiagnostics(
          others,
          source,
          indexed,
          ({ i }) => [header.length + i + 1, header.length + i + 1],
          ({ c }) => `runtime: ${String(runtimeSize(c))}`,
        ),
      ).toEqual([]);
      expect(wrong.map((d) => d.line)).toEqual([5]);
    });
  }
});
