/**
 * Import rules on the source graph, type-only imports included, checked by
 * `npm run depcheck` (part of `npm test`); runtime cycles are checked over
 * the graph as it runs, `.dependency-cruiser-runtime.cjs`.
 * @type {import("dependency-cruiser").IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: "no-family-imports-family",
      severity: "error",
      comment:
        "One layer family is one file on each side of the mirror; what several families share lives in shape.ts, checks.ts, the layer base class or the registry, never in one family's file.",
      from: { path: "^(src|types)/layers/([^/]+)[.]ts$" },
      to: { path: "^$1/layers/", pathNot: ["^src/layers/(layer|registry)[.]ts$", "^$1/layers/$2[.]ts$"] },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { extensions: [".ts", ".js", ".mjs", ".json"] },
  },
};
