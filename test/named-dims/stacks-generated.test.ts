/**
 * Property test of named sizes through layer rules: fast-check (fixed seed)
 * draws random stacks of image layers (convolutions and transposed
 * convolutions with strides and both paddings, pooling, upsampling, zero
 * padding, cropping, dense, normalisation, flatten) on inputs whose sides are
 * names (`"H"`, `"16*H"`, `"8*W"`) or numbers. For every stack:
 * - the type the compiler infers for the output's `sizes` (one program of
 *   every stack, read with the TypeScript API) is the runtime's `sizes`;
 * - for random bindings of the names, the runtime's expressions evaluated
 *   are the sizes the concrete shape rules give the same stack built on the
 *   bound input, and a binding the concrete rules refuse (a side down to 0)
 *   is one predict refuses;
 * - predict on data of the bound sizes gives a tensor of exactly that shape.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import fc from "fast-check";
import ts from "typescript";
import { afterAll, describe, expect, it } from "vitest";

import { ShapeError, clearSession, input, model, tensor } from "../../src/index.js";
import type { SymbolicTensor } from "../../src/index.js";
import { evaluateSize } from "../../src/size.js";
import { repoRoot } from "../support/tsc.js";

const SEED = 20261207;
const STACKS = 160;

type Config = Readonly<Record<string, unknown>>;
interface Call {
  readonly method: string;
  readonly config: Config | undefined;
}
interface Stack {
  readonly sides: readonly [number | string, number | string];
  readonly channels: number;
  readonly calls: readonly Call[];
}

const side = fc.constantFrom<number | string>("H", "W", "16*H", "8*W", "4*H", "2*W", 12, 7);
const pair = fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 }));
const padding = fc.constantFrom("valid", "same");

const windowCall: fc.Arbitrary<Call> = fc.oneof(
  fc
    .record({ filters: fc.integer({ min: 1, max: 3 }), kernelSize: fc.integer({ min: 1, max: 3 }), strides: fc.integer({ min: 1, max: 2 }), padding })
    .map((config) => ({ method: "conv2d", config })),
  fc
    .record({ filters: fc.integer({ min: 1, max: 2 }), kernelSize: fc.integer({ min: 1, max: 3 }), strides: fc.integer({ min: 1, max: 2 }), padding })
    .map((config) => ({ method: "conv2dTranspose", config })),
  fc
    .record({ method: fc.constantFrom("maxPooling2d", "averagePooling2d"), poolSize: fc.integer({ min: 2, max: 3 }), padding })
    .map(({ method, ...config }) => ({ method, config })),
  fc.integer({ min: 2, max: 3 }).map((size) => ({ method: "upSampling2d", config: { size } })),
  fc.tuple(pair, pair).map(([a, b]) => ({ method: "zeroPadding2d", config: { padding: [a, b] } })),
  fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 1 })).map(([a, b]) => ({
    method: "cropping2d",
    config: {
      cropping: [
        [a, 0],
        [0, b],
      ],
    },
  })),
  fc.integer({ min: 1, max: 3 }).map((units) => ({ method: "dense", config: { units } })),
  fc.constant({ method: "batchNormalization", config: undefined }),
);

const stack: fc.Arbitrary<Stack> = fc.record({
  sides: fc.tuple(side, side),
  channels: fc.integer({ min: 1, max: 3 }),
  calls: fc
    .tuple(fc.array(windowCall, { minLength: 1, maxLength: 6 }), fc.boolean())
    .map(([calls, flat]) => (flat ? [...calls, { method: "flatten", config: undefined }, { method: "dense", config: { units: 2 } }] : calls)),
});

function build(shape: readonly (number | string)[], calls: readonly Call[]) {
  const x = input({ shape: shape as never });
  let t = x as unknown as SymbolicTensor;
  for (const c of calls) t = (t as unknown as Record<string, (config?: unknown) => SymbolicTensor>)[c.method](c.config);
  return { x, out: t };
}

/** Sizes as the compiler prints a tuple of them: `[null, "8*H", 3]`. */
const sizesText = (sizes: readonly unknown[]): string =>
  `[${sizes.map((d) => (d === null ? "null" : typeof d === "string" ? JSON.stringify(d) : String(d))).join(", ")}]`;

// Keep the stacks the runtime accepts on their named input (a side no binding keeps positive is refused there).
const drawn = fc.sample(stack, { seed: SEED, numRuns: STACKS * 2 });
const stacks: { s: Stack; sizes: readonly (number | string | null)[] }[] = [];
for (const s of drawn) {
  if (stacks.length === STACKS) break;
  clearSession();
  try {
    const { out } = build([...s.sides, s.channels], s.calls);
    stacks.push({ s, sizes: out.sizes as readonly (number | string | null)[] });
  } catch (e) {
    if (!(e instanceof ShapeError)) throw e;
  }
}
const bindings = fc.sample(fc.record({ H: fc.integer({ min: 1, max: 5 }), W: fc.integer({ min: 1, max: 5 }) }), { seed: SEED + 1, numRuns: 6 });

const workDir = join(repoRoot, ".vitest-tmp", "named-stacks");
const indexPath = fileURLToPath(new URL("../../src/index.js", import.meta.url));
const literal = (v: unknown): string => JSON.stringify(v);
const source = [
  `import { input } from ${literal(indexPath)};`,
  ...stacks.map(
    ({ s }, i) =>
      `export const s${i} = input({ shape: ${literal([...s.sides, s.channels])} })${s.calls.map((c) => `.${c.method}(${c.config === undefined ? "" : literal(c.config)})`).join("")}.sizes;`,
  ),
].join("\n");

describe("named sizes through random layer stacks: types, runtime, concrete rules and predict agree", () => {
  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  it("draws enough stacks that keep names to the end", () => {
    expect(stacks.length).toBe(STACKS);
    const named = stacks.filter(({ sizes }) => sizes.some((d) => typeof d === "string"));
    expect(named.length).toBeGreaterThan(STACKS / 2);
    expect(named.some(({ sizes }) => sizes.some((d) => typeof d === "string" && d.includes("floor(")))).toBe(true);
  });

  // The types do not depend on the kernels: the reference-kernel run checks predict only.
  it.skipIf(process.env.SHAPEWISE_KERNELS === "reference")(
    "the compiler infers the runtime's sizes for every stack (one program)",
    { timeout: 300_000 },
    () => {
      mkdirSync(workDir, { recursive: true });
      const file = join(workDir, "stacks.gen.ts");
      writeFileSync(file, `${source}\n`);
      const program = ts.createProgram([file], {
        strict: true,
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.NodeNext,
        moduleResolution: ts.ModuleResolutionKind.NodeNext,
        noEmit: true,
        skipLibCheck: true,
        types: ["node"],
      });
      const sf = program.getSourceFile(file)!;
      const diagnostics = ts.getPreEmitDiagnostics(program, sf).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
      expect(diagnostics).toEqual([]);
      const checker = program.getTypeChecker();
      const inferred = new Map<string, string>();
      for (const statement of sf.statements) {
        if (!ts.isVariableStatement(statement)) continue;
        const decl = statement.declarationList.declarations[0];
        const type = checker.getTypeAtLocation(decl.name);
        inferred.set(decl.name.getText(sf), checker.typeToString(type, undefined, ts.TypeFormatFlags.NoTruncation));
      }
      const mismatches = stacks.flatMap(({ s, sizes }, i) => {
        const typed = inferred.get(`s${i}`);
        return typed === sizesText(sizes) ? [] : [`s${i} ${literal(s)}: types ${typed}, runtime ${sizesText(sizes)}`];
      });
      expect(mismatches).toEqual([]);
    },
  );

  it("the runtime's expressions are the concrete rules' sizes for random bindings, and predict gives them", () => {
    let predicted = 0;
    let refused = 0;
    for (const { s, sizes } of stacks) {
      for (const names of bindings) {
        const bound = s.sides.map((d) => (typeof d === "number" ? d : (evaluateSize(d, names) as number)));
        clearSession();
        let concrete: readonly (number | null)[] | null = null;
        try {
          concrete = build([...bound, s.channels], s.calls).out.shape as readonly (number | null)[];
        } catch (e) {
          if (!(e instanceof ShapeError)) throw e;
        }
        clearSession();
        const { x, out } = build([...s.sides, s.channels], s.calls);
        const m = model({ inputs: x as never, outputs: out as never, seed: 1 });
        const data = tensor([1, ...bound, s.channels]);
        const where = `${literal(s)} at ${literal(names)}`;
        if (concrete === null) {
          expect(() => m.predict(data as never), where).toThrow(ShapeError);
          refused++;
          continue;
        }
        sizes.forEach((d, axis) => {
          if (typeof d === "string") expect(evaluateSize(d, names), `${where}, axis ${axis}: ${d}`).toBe(concrete[axis]);
          else if (d !== null) expect(d, `${where}, axis ${axis}`).toBe(concrete[axis]);
        });
        const y = m.predict(data as never) as unknown as { shape: number[] };
        expect(y.shape, where).toEqual([1, ...concrete.slice(1)]);
        predicted++;
      }
    }
    expect(predicted).toBeGreaterThan(STACKS * 3);
    expect(refused).toBeGreaterThan(0);
  });
});
