/**
 * Every invalid fixture in `test-d/errors/<family>/` must give exactly its golden
 * diagnostics on TypeScript 5.x and 7.x, and, run as JavaScript, throw a
 * `ShapeError` whose message is the sentence the type checker showed.
 */
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { beforeEach, describe, expect, it } from "vitest";
import { ShapeError, clearSession } from "../src/index.js";
import { diagnosticsByFile, repoRoot, runTsc } from "./support/tsc.js";

const dir = path.join(repoRoot, "test-d/errors");
// Fixtures are named `<family>/<family>-<layer>-<rule>.ts`, the family being the file in src/layers/
// (or `model`) whose rule the fixture breaks.
const fixtures = readdirSync(dir, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) => readdirSync(path.join(dir, d.name)).map((f) => `${d.name}/${f}`))
  .filter((f) => f.endsWith(".ts"))
  .sort();

function golden(fixture: string): string[] {
  return readFileSync(path.join(dir, fixture.replace(/\.ts$/, ".golden.txt")), "utf8")
    .split("\n")
    .filter((l) => l !== "");
}

describe.each(["ts5", "ts7"] as const)("golden diagnostics on %s", (compiler) => {
  const byFile = diagnosticsByFile(runTsc(compiler, "test-d/errors/tsconfig.json"));

  it("reports nothing outside the fixtures", () => {
    expect([...byFile.keys()].filter((f) => !f.startsWith("test-d/errors/"))).toEqual([]);
  });

  it.each(fixtures)("%s", (fixture) => {
    expect(byFile.get(`test-d/errors/${fixture}`) ?? []).toEqual(golden(fixture));
  });
});

describe("golden diagnostics", () => {
  it.each(fixtures)("%s is named after its family folder", (fixture) => {
    const [family, name] = fixture.split("/");
    expect(name.startsWith(`${family}-`)).toBe(true);
  });

  it.each(fixtures)("%s: one error, on one property or argument, in one sentence under 300 characters", (fixture) => {
    const lines = golden(fixture);
    expect(lines).toHaveLength(1);
    const sentence = /"(shapewise: [^"]*)"/.exec(lines[0])?.[1];
    expect(sentence).toBeDefined();
    expect(sentence!.length).toBeLessThan(300);
  });
});

describe("runtime mirror of every invalid fixture", () => {
  beforeEach(() => clearSession());

  it.each(fixtures)("%s throws the same sentence as a ShapeError", async (fixture) => {
    const sentence = /"(shapewise: [^"]*)"/.exec(golden(fixture)[0])![1];
    const loading = import(pathToFileURL(path.join(dir, fixture)).href);
    await expect(loading).rejects.toThrow(ShapeError);
    await expect(loading).rejects.toThrow(sentence);
    const error = await loading.then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toBe(sentence);
  });
});
