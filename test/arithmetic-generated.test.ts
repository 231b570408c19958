/**
 * Property test of the type-level arithmetic in `types/arithmetic/`.
 *
 * fast-check (fixed seed) draws operands in several magnitude bands; BigInt
 * gives the expected value; every case becomes one
 * `Expect<Equal<Op<a, b>, expected>>` line in a generated TypeScript file in
 * the OS temp directory, which is then compiled with `tsc --noEmit --strict`
 * by TypeScript 5.9 and by TypeScript 7. Any diagnostic is a failed case
 * (printed with its source line). Set `KEEP_ARITH_TMP=1` to keep the generated
 * files for inspection.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";

const SEED = 20261125;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

const repoRoot = fileURLToPath(new URL("..", import.meta.url));
const indexPath = fileURLToPath(new URL("../types/arithmetic/index.ts", import.meta.url));
const compilers = {
  "TS 5.9": join(repoRoot, "node_modules", "typescript", "bin", "tsc"),
  "TS 7": join(repoRoot, "node_modules", "typescript7", "bin", "tsc"),
} as const;

type Op = "Add" | "Subtract" | "Multiply" | "DivFloor" | "DivCeil" | "Mod" | "Compare";

interface Case {
  op: Op;
  a: bigint;
  b: bigint;
  band: string;
}

/** Non-negative bigint with a uniformly chosen digit count in 1..maxDigits. */
const digitsBand = (maxDigits: number, minDigits = 1): fc.Arbitrary<bigint> =>
  fc
    .integer({ min: minDigits, max: maxDigits })
    .chain((d) => (d === 1 ? fc.bigInt({ min: 0n, max: 9n }) : fc.bigInt({ min: 10n ** BigInt(d - 1), max: 10n ** BigInt(d) - 1n })));

const bands: Array<{ name: string; a: fc.Arbitrary<bigint>; b: fc.Arbitrary<bigint> }> = [
  { name: "< 1e3", a: digitsBand(3), b: digitsBand(3) },
  { name: "< 1e6", a: digitsBand(6), b: digitsBand(6) },
  { name: "< 1e9", a: digitsBand(9), b: digitsBand(9) },
  { name: "< 1e12", a: digitsBand(12), b: digitsBand(12) },
  // 13–15 digit operands mixed with small ones: sums, differences and
  // quotients in the 1e15 range (Multiply uses 5–9 digit factors instead).
  { name: "1e15 / products", a: digitsBand(15, 13), b: digitsBand(8) },
  // One-digit second operand: the shortcuts for +1, one-digit factors and
  // one-digit divisors (strides, pool sizes).
  { name: "digit operand", a: digitsBand(15), b: fc.bigInt({ min: 0n, max: 9n }) },
  // Right at the 2^53 - 1 boundary.
  {
    name: "near 2^53",
    a: fc.bigInt({ min: MAX_SAFE - 10n ** 6n, max: MAX_SAFE }),
    b: fc.bigInt({ min: 0n, max: 2n * 10n ** 6n }),
  },
];

const ops: Op[] = ["Add", "Subtract", "Multiply", "DivFloor", "DivCeil", "Mod", "Compare"];
const PER_OP_AND_BAND = 10;

function generateCases(): Case[] {
  const cases: Case[] = [];
  let seed = SEED;
  for (const band of bands) {
    for (const op of ops) {
      let arb = fc.tuple(band.a, band.b);
      if (op === "Multiply" && band.name === "1e15 / products") {
        // Factors of 5–9 digits: products from 1e8 to 1e18, many of them in
        // the 1e15 range and many past 2^53 - 1 (expected: number).
        arb = fc.tuple(digitsBand(9, 5), digitsBand(9, 5));
      }
      if (op === "Multiply" && band.name === "near 2^53") {
        arb = fc.tuple(band.a, fc.bigInt({ min: 0n, max: 3n }));
      }
      const pairs = fc.sample(arb, { seed: seed++, numRuns: PER_OP_AND_BAND });
      for (const [a, b] of pairs) cases.push({ op, a, b, band: band.name });
    }
  }
  // Subtract with the larger operand second (negative result → never), and
  // comparisons of equal values, in every band.
  for (const band of bands) {
    for (const [a, b] of fc.sample(fc.tuple(band.a, band.b), { seed: seed++, numRuns: 4 })) {
      cases.push({ op: "Subtract", a: a < b ? a : b, b: a < b ? b + 1n : a + 1n, band: band.name });
      cases.push({ op: "Compare", a, b: a, band: band.name });
    }
  }
  // Division by zero → never.
  for (const a of [0n, 7n, 123456789012n]) {
    for (const op of ["DivFloor", "DivCeil", "Mod"] as const) cases.push({ op, a, b: 0n, band: "b = 0" });
  }
  return cases;
}

/** The expected result type, as TypeScript source text. */
function expected({ op, a, b }: Case): string {
  const num = (v: bigint): string => (v > MAX_SAFE ? "number" : v.toString());
  switch (op) {
    case "Add":
      return num(a + b);
    case "Subtract":
      return a < b ? "never" : num(a - b);
    case "Multiply":
      return num(a * b);
    case "DivFloor":
      return b === 0n ? "never" : num(a / b);
    case "DivCeil":
      return b === 0n ? "never" : num((a + b - 1n) / b);
    case "Mod":
      return b === 0n ? "never" : num(a % b);
    case "Compare":
      return a < b ? '"lt"' : a > b ? '"gt"' : '"eq"';
  }
}

const header = (names: readonly string[]) =>
  [
    `import type { ${names.join(", ")} } from ${JSON.stringify(indexPath)};`,
    "type Equal<X, Y> = (<T>() => T extends X ? 1 : 2) extends (<T>() => T extends Y ? 1 : 2) ? true : false;",
    "type Expect<T extends true> = T;",
  ].join("\n");

function caseFile(cases: readonly Case[]): string {
  const lines = cases.map((c, i) => `type _c${i} = Expect<Equal<${c.op}<${c.a}, ${c.b}>, ${expected(c)}>>; // ${c.band}`);
  return `${header(ops)}\n${lines.join("\n")}\n`;
}

const workDir = mkdtempSync(join(tmpdir(), "shapewise-arith-"));
afterAll(() => {
  if (!process.env.KEEP_ARITH_TMP) rmSync(workDir, { recursive: true, force: true });
});

/** Runs `tsc --noEmit --strict` on one file; returns the diagnostic lines. */
function typecheck(tsc: string, file: string): string[] {
  const args = [
    tsc,
    "--noEmit",
    "--strict",
    "--pretty",
    "false",
    "--target",
    "es2022",
    "--module",
    "preserve",
    "--moduleResolution",
    "bundler",
    "--skipLibCheck",
    file,
  ];
  try {
    execFileSync(process.execPath, args, { cwd: workDir, encoding: "utf8", stdio: "pipe" });
    return [];
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    const text = `${e.stdout ?? ""}${e.stderr ?? ""}`;
    const lines = text.split("\n").filter((l) => /error TS\d+/.test(l));
    return lines.length > 0 ? lines : [e.message];
  }
}

const cases = generateCases();
const casesPath = join(workDir, "cases.ts");
writeFileSync(casesPath, caseFile(cases));

// One deliberately wrong assertion (2 + 2 is not 5) next to a correct one.
const wrongPath = join(workDir, "wrong.ts");
const wrongSource = `${header(["Add"])}\ntype _ok = Expect<Equal<Add<2, 2>, 4>>;\ntype _wrong = Expect<Equal<Add<2, 2>, 5>>;\n`;
const wrongLine = wrongSource.split("\n").findIndex((l) => l.startsWith("type _wrong")) + 1;
writeFileSync(wrongPath, wrongSource);

describe("type-level arithmetic against BigInt", () => {
  it("generates enough cases in every band and for every operation", () => {
    expect(cases.length).toBeGreaterThanOrEqual(300);
    for (const op of ops) expect(cases.filter((c) => c.op === op).length).toBeGreaterThanOrEqual(40);
    const outcomes = cases.map(expected);
    expect(outcomes).toContain("number"); // overflow past 2^53 - 1 is covered
    expect(outcomes).toContain("never"); // negative differences and b = 0 are covered
  });

  for (const [name, tsc] of Object.entries(compilers)) {
    it(`${name}: every generated case holds`, { timeout: 120_000 }, () => {
      const diagnostics = typecheck(tsc, casesPath);
      if (diagnostics.length > 0) {
        const source = caseFile(cases).split("\n");
        const details = diagnostics.map((d) => {
          const line = Number(/\((\d+),\d+\)/.exec(d)?.[1]);
          return `${d}\n    ${source[line - 1] ?? ""}`;
        });
        console.error(`${name}: ${diagnostics.length} failing case(s):\n${details.join("\n")}`);
      }
      expect(diagnostics).toEqual([]);
    });

    it(`${name}: a wrong assertion is reported (the check can fail)`, { timeout: 120_000 }, () => {
      const diagnostics = typecheck(tsc, wrongPath);
      expect(diagnostics).toHaveLength(1);
      expect(diagnostics[0]).toMatch(new RegExp(`wrong\\.ts\\(${wrongLine},\\d+\\): error TS2344`));
    });
  }
});
