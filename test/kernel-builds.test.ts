/**
 * The two builds of the WebAssembly kernels, relaxed SIMD (fused
 * multiply-add in the products) and plain SIMD, and the feature detection
 * that picks one. Each build runs `test/support/kernel-builds.ts` in a child
 * `node` process of its own (the test runner's engine may lack relaxed SIMD:
 * Node 20 needs `--experimental-wasm-relaxed-simd`), and must agree with the
 * reference kernels to the tolerance of the other kernel tests, 1e-5 scaled
 * by max(1, |reference|).
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadKernels } from "../src/kernels/backend.js";
import { kernelBuild, relaxedSimdSupported } from "../src/kernels/wasm.js";

const TOL = 1e-5;
/** WebAssembly.validate (the project's type libraries declare no WebAssembly values). */
const validate = (bytes: Uint8Array): boolean => (globalThis as unknown as { WebAssembly: { validate(b: Uint8Array): boolean } }).WebAssembly.validate(bytes);
const FLAG = "--experimental-wasm-relaxed-simd";
const relaxedBytes = readFileSync(new URL("../build/shapewise-kernels-relaxed.wasm", import.meta.url));
const plainBytes = readFileSync(new URL("../build/shapewise-kernels.wasm", import.meta.url));

interface Report {
  build: string | null;
  reason: string | null;
  relaxedSimd: boolean;
  cases: Record<string, { diff: number; kernel: string }>;
}

function run(flags: string[], env: Record<string, string> = {}): Report {
  const p = spawnSync(process.execPath, [...flags, "--import", "tsx", "test/support/kernel-builds.ts"], {
    encoding: "utf8",
    cwd: new URL("..", import.meta.url),
    env: { ...process.env, SHAPEWISE_KERNELS: "fast", SHAPEWISE_WASM_BUILD: "", ...env },
  });
  if (p.status !== 0) throw new Error(`the child exited with ${p.status}: ${p.stderr}`);
  return JSON.parse(p.stdout.trim().split("\n").pop()!) as Report;
}

/** Whether `node` with these flags validates the relaxed build, asked in a child. */
function validates(flags: string[]): boolean {
  const p = spawnSync(
    process.execPath,
    [
      ...flags,
      "-e",
      `process.stdout.write(String(WebAssembly.validate(require("node:fs").readFileSync(${JSON.stringify(new URL("../build/shapewise-kernels-relaxed.wasm", import.meta.url).pathname)}))))`,
    ],
    {
      encoding: "utf8",
    },
  );
  return p.stdout === "true";
}

// Where does this Node run relaxed SIMD: as it is, with the flag, or not at all.
const relaxedFlags: string[] | null = validate(relaxedBytes) ? [] : validates([FLAG]) ? [FLAG] : null;

function expectAgreement(report: Report): void {
  const names = Object.keys(report.cases);
  expect(names.length).toBeGreaterThan(10);
  for (const name of names) {
    expect(report.cases[name].kernel, name).toBe("wasm");
    expect(report.cases[name].diff, name).toBeLessThanOrEqual(TOL);
  }
}

describe("the relaxed SIMD and plain SIMD builds", { timeout: 120_000 }, () => {
  it("loadKernels takes one address or both builds' addresses, and names what else it got", async () => {
    const urls = { simd: "/shapewise-kernels.wasm", "relaxed-simd": new URL("https://example.org/shapewise-kernels-relaxed.wasm") };
    await expect(loadKernels({ url: urls })).resolves.toMatchObject({ wasm: true });
    await expect(loadKernels({ url: { simd: "/shapewise-kernels.wasm" } as never })).rejects.toThrow(
      'shapewise: loadKernels url must be a string, a URL or { simd, "relaxed-simd" } holding one each, got {"simd":"/shapewise-kernels.wasm"}',
    );
    await expect(loadKernels({ url: 7 as never })).rejects.toThrow(TypeError);
  });

  it("both builds are built from one source, and only the relaxed one needs relaxed SIMD", () => {
    expect(validate(plainBytes)).toBe(true);
    expect(relaxedBytes.equals(plainBytes)).toBe(false);
  });

  it("the feature probe answers as the relaxed build's own validation does, in this process", () => {
    expect(relaxedSimdSupported()).toBe(validate(relaxedBytes));
    expect(kernelBuild()).toBe(relaxedSimdSupported() && process.env.SHAPEWISE_WASM_BUILD !== "simd" ? "relaxed-simd" : "simd");
  });

  it("without relaxed SIMD the probe says no and the plain build runs, agreeing with the reference kernels", () => {
    // Node 20 without the flag lacks relaxed SIMD; on a newer Node that has it built in, the override stands in.
    const lacks = !validate(relaxedBytes);
    const report = run([], lacks ? {} : { SHAPEWISE_WASM_BUILD: "simd" });
    expect(report.relaxedSimd).toBe(!lacks);
    expect(report.build).toBe("simd");
    expectAgreement(report);
  });

  it.skipIf(relaxedFlags === null)("with relaxed SIMD the probe says yes and the relaxed build runs, agreeing with the reference kernels", () => {
    const report = run(relaxedFlags!);
    expect(report.relaxedSimd).toBe(true);
    expect(report.build).toBe("relaxed-simd");
    expectAgreement(report);
  });

  it.skipIf(relaxedFlags === null)("SHAPEWISE_WASM_BUILD=simd forces the plain build where relaxed SIMD is available", () => {
    const report = run(relaxedFlags!, { SHAPEWISE_WASM_BUILD: "simd" });
    expect(report.relaxedSimd).toBe(true);
    expect(report.build).toBe("simd");
    expectAgreement(report);
  });
});
