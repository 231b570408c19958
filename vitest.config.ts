import { defineConfig } from "vitest/config";

/**
 * Tests that run a forward pass run twice: once on the default fast kernels
 * (WebAssembly SIMD) and once with SHAPEWISE_KERNELS=reference on the plain
 * TypeScript kernels, so both paths are held to the same oracles. Tests of
 * the type level and of summaries do not depend on the kernels and run once.
 */
const KERNEL_INDEPENDENT = [
  "test/agreement.test.ts",
  "test/arithmetic-generated.test.ts",
  "test/named-dims/size-algebra-generated.test.ts",
  "test/browser/browser.test.ts",
  "test/playground/playground.test.ts",
  "test/playground/share.test.ts",
  "test/package/pack.test.ts",
  "test/catalog-agreement.test.ts",
  "test/catalog-rejection.test.ts",
  "test/cost.test.ts",
  "test/memory-training.test.ts",
  "test/cli.test.ts",
  "test/diagnostics.test.ts",
  "test/graph-agreement.test.ts",
  "test/plot.test.ts",
  "test/rejection-agreement.test.ts",
  "test/summary.test.ts",
  "test/security/cli-failures.test.ts",
  "test/security/codegen-injection.test.ts",
  "test/security/svg-wellformed.test.ts",
  "test/security/terminal-injection.test.ts",
  "test/security/hostile-names-generated.test.ts",
];

export default defineConfig({
  test: {
    reporters: ["default", "./test/support/closing-line-reporter.ts"],
    setupFiles: ["./test/support/node-host.ts", "./test/support/quiet-tfjs.ts"],
    testTimeout: 20_000,
    projects: [
      {
        extends: true,
        test: { name: "fast", include: ["test/**/*.test.ts"], env: { SHAPEWISE_KERNELS: "fast" } },
      },
      {
        extends: true,
        test: { name: "reference", include: ["test/**/*.test.ts"], exclude: KERNEL_INDEPENDENT, env: { SHAPEWISE_KERNELS: "reference" } },
      },
    ],
  },
});
