/**
 * The README's "Use it in your project", followed literally: `npm pack`
 * (which builds through `prepare`), the section's install line with the
 * tarball in place of the registry name, into a fresh folder that holds
 * nothing but its `package.json`; the section's `tsconfig.json` (no
 * `skipLibCheck`, so the published declarations are checked too) and
 * `src/app.ts`; then its commands: compile and run, and `shapewise check` on
 * that file (exit 0) and on a broken one (exit 1, one line).
 *
 * npm is asked to prefer its cache, so the run needs no network once the
 * project's own `npm ci` has filled it.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../support/tsc.js";

/** The fenced code blocks of the README section with this heading, in order. */
function sectionBlocks(heading: string): { lang: string; text: string }[] {
  const readme = readFileSync(path.join(repoRoot, "README.md"), "utf8");
  const start = readme.indexOf(`\n## ${heading}\n`);
  expect(start, `README has a "${heading}" section`).toBeGreaterThan(0);
  const end = readme.indexOf("\n## ", start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1], text: m[2] }));
}

function sh(command: string, cwd: string): { code: number; out: string } {
  const p = spawnSync("sh", ["-c", command], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, npm_config_prefer_offline: "true", npm_config_audit: "false", npm_config_fund: "false" },
  });
  return { code: p.status ?? -1, out: `${p.stdout}${p.stderr}` };
}

let tmp: string;
let project: string;
const blocks = sectionBlocks("Use it in your project");

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), "shapewise-pack-"));
  const pack = sh(`npm pack --silent --pack-destination ${JSON.stringify(tmp)}`, repoRoot);
  expect(pack.code, pack.out).toBe(0);
  const tarball = readdirSync(tmp).find((f) => f.endsWith(".tgz"));
  expect(tarball).toBeDefined();
  project = path.join(tmp, "project");
  mkdirSync(path.join(project, "src"), { recursive: true });
  writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
  const install = blocks[0].text.trim();
  expect(install).toBe("npm install shapewise typescript");
  const run = sh(install.replace("shapewise", JSON.stringify(path.join(tmp, tarball!))), project);
  expect(run.code, run.out).toBe(0);
  writeFileSync(path.join(project, "tsconfig.json"), blocks.find((b) => b.lang === "json")!.text);
  writeFileSync(path.join(project, "src/app.ts"), blocks.find((b) => b.lang === "ts")!.text);
}, 600_000);

afterAll(() => {
  if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
});

describe("the README's 'Use it in your project', from a tarball", () => {
  it("installs nothing but shapewise, its runtime dependencies and typescript (with TypeScript 7's native binary, @typescript/...)", () => {
    const installed = readdirSync(path.join(project, "node_modules")).filter((d) => !d.startsWith(".") && d !== "@typescript");
    const own = JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { dependencies?: Record<string, string> };
    expect(installed.sort()).toEqual(["shapewise", "typescript", ...Object.keys(own.dependencies ?? {})].sort());
  });

  it("type-checks (declarations included) and runs the user file, with the fast kernels", () => {
    const commands = blocks.filter((b) => b.lang === "sh")[1].text.split("\n");
    const [compile, check] = commands.map((c) => c.replace(/\s+#.*$/, "").trim());
    expect(compile).toBe("npx tsc && node dist/app.js");
    const run = sh(compile, project);
    expect(run.code, run.out).toBe(0);
    expect(run.out).toContain("Total params: 58");
    const probabilities = JSON.parse(run.out.trim().split("\n").pop()!) as number[];
    expect(probabilities).toHaveLength(2);
    expect(probabilities[0] + probabilities[1]).toBeCloseTo(1, 6);
    const info = sh(`node --input-type=module -e 'import { kernelInfo } from "shapewise"; console.log(JSON.stringify(kernelInfo()))'`, project);
    expect(JSON.parse(info.out)).toMatchObject({ backend: "fast", wasm: true, threads: "worker_threads" });
    // Both builds ship: where the engine has relaxed SIMD (Node 20 behind a flag) the fused build runs.
    const wasm = (globalThis as unknown as { WebAssembly: { validate(b: Uint8Array): boolean } }).WebAssembly;
    const relaxedFlag = wasm.validate(readFileSync(path.join(repoRoot, "build/shapewise-kernels-relaxed.wasm"))) ? "" : "--experimental-wasm-relaxed-simd";
    const relaxed = sh(
      `node ${relaxedFlag} --input-type=module -e 'import { kernelInfo } from "shapewise"; console.log(JSON.stringify(kernelInfo()))'`,
      project,
    );
    expect(JSON.parse(relaxed.out)).toMatchObject({ backend: "fast", wasm: true, build: "relaxed-simd" });
    expect(check).toBe("npx shapewise check src/app.ts");
    const ok = sh(check, project);
    expect(ok.code, ok.out).toBe(0);
  }, 300_000);

  it("shapewise check reports a broken file in one line and exits 1", () => {
    writeFileSync(
      path.join(project, "src/broken.ts"),
      'import { input } from "shapewise";\n\nexport const t = input({ shape: [3, 3, 1] }).conv2d({ filters: 8, kernelSize: 5 });\n',
    );
    const run = sh("npx shapewise check src/broken.ts", project);
    expect(run.code, run.out).toBe(1);
    expect(run.out.trim().split("\n")).toEqual(["src/broken.ts:3:67: shapewise: conv2d kernelSize 5 is larger than input height 3 with padding 'valid'"]);
  }, 300_000);
});
