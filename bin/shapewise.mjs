#!/usr/bin/env node
/**
 * The `shapewise` command (see `shapewise --help`).
 *
 * An installed package runs its compiled code (`dist/`). A checkout of the
 * repository runs the TypeScript sources through tsx, so `npx shapewise`
 * there never uses a stale build.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = new URL("../", import.meta.url);
const built = new URL("dist/src/cli/main.js", root);
const source = new URL("src/cli/main.ts", root);
const installed = fileURLToPath(root).split(/[\\/]/).includes("node_modules");

async function loadMain() {
  if (!installed && existsSync(source)) {
    try {
      const { tsImport } = await import("tsx/esm/api");
      return await tsImport(source.href, import.meta.url);
    } catch (error) {
      if (!existsSync(built)) throw error;
    }
  }
  if (!existsSync(built)) {
    process.stderr.write("shapewise: the command line is not built: run `npm run build`, or install tsx to run it from source\n");
    process.exit(1);
  }
  return import(built.href);
}

const { run } = await loadMain();
process.exitCode = await run(process.argv.slice(2));
