/**
 * Builds the playground as a static site: an HTML page, the page's script
 * (Monaco and the panels), the language-service worker (the repository's own
 * TypeScript), Monaco's editor worker, shapewise's browser bundle (the core
 * entry, which the user's code imports through the page's import map), the
 * kernel module in both builds (relaxed SIMD and plain SIMD: the loader
 * picks the one the browser validates), and the declarations the worker checks against: the
 * package's published `.d.ts` files and TypeScript's lib files.
 *
 * Run: npm run playground:build (writes dist-playground/)
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import type { Plugin } from "esbuild";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** The files of the built site, with their sizes in bytes. */
export interface PlaygroundBuild {
  outDir: string;
  files: { name: string; bytes: number }[];
  totalBytes: number;
}

function walk(dir: string, keep: (file: string) => boolean, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, keep, out);
    else if (keep(full)) out.push(full);
  }
  return out;
}

function newest(dirs: string[]): number {
  let latest = 0;
  for (const dir of dirs) for (const f of walk(dir, (p) => p.endsWith(".ts"))) latest = Math.max(latest, statSync(f).mtimeMs);
  return latest;
}

/**
 * The package's declarations as `npm pack` ships them (dist/src and
 * dist/types), rebuilt with the package's own build config when missing or
 * older than the sources they come from.
 */
function declarations(): Map<string, string> {
  const index = path.join(repoRoot, "dist/src/index.d.ts");
  if (!existsSync(index) || statSync(index).mtimeMs < newest([path.join(repoRoot, "src"), path.join(repoRoot, "types")])) {
    process.stderr.write("playground: declarations missing or older than src/ and types/; running tsc -p tsconfig.build.json\n");
    const tsc = spawnSync(process.execPath, [path.join(repoRoot, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"], {
      cwd: repoRoot,
      stdio: "inherit",
    });
    if (tsc.status !== 0) throw new Error("playground: tsc -p tsconfig.build.json failed");
  }
  const files = new Map<string, string>();
  for (const sub of ["dist/src", "dist/types"]) {
    for (const f of walk(path.join(repoRoot, sub), (p) => p.endsWith(".d.ts"))) {
      files.set(`/node_modules/shapewise/${path.relative(repoRoot, f).split(path.sep).join("/")}`, readFileSync(f, "utf8"));
    }
  }
  files.set("/node_modules/shapewise/package.json", JSON.stringify({ name: "shapewise", type: "module", types: "./dist/src/index.d.ts" }));
  return files;
}

/** TypeScript's lib files reachable from the libraries the worker compiles with (ES2022 and the DOM). */
function libFiles(roots: string[]): Map<string, string> {
  const libDir = path.dirname(createRequire(import.meta.url).resolve("typescript"));
  const files = new Map<string, string>();
  const queue = [...roots];
  while (queue.length > 0) {
    const name = queue.pop() as string;
    const key = `/lib/${name}`;
    if (files.has(key)) continue;
    const text = readFileSync(path.join(libDir, name), "utf8");
    files.set(key, text);
    for (const m of text.matchAll(/<reference lib="([^"]+)"/g)) queue.push(`lib.${m[1].toLowerCase()}.d.ts`);
  }
  return files;
}

/**
 * The page imports the library from its source (so the repository's type
 * check covers it), but at run time it must be the one module the user's code
 * imports too: the bare name, resolved by the page's import map.
 */
const libraryByName: Plugin = {
  name: "library-by-name",
  setup(b) {
    b.onResolve({ filter: /\/src\/index\.js$/ }, () => ({ path: "shapewise", external: true }));
  },
};

/** Node built-ins that TypeScript's compiler requires only when it runs under Node. */
const NODE_BUILTINS = [
  "fs",
  "path",
  "os",
  "crypto",
  "inspector",
  "perf_hooks",
  "buffer",
  "source-map-support",
  "child_process",
  "worker_threads",
  "url",
  "module",
];

/**
 * Builds the site into `outDir` (emptied first) and lists what it wrote.
 *
 * @example
 * const site = await buildPlayground("dist-playground");
 * console.log(site.totalBytes);
 */
export async function buildPlayground(outDir = path.join(repoRoot, "dist-playground")): Promise<PlaygroundBuild> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const here = path.join(repoRoot, "playground");
  const common = { bundle: true, minify: true, target: "es2022", logLevel: "error", legalComments: "none" } as const;
  await Promise.all([
    // shapewise's core entry: the page and the user's code import it by its bare name (the import map).
    build({
      ...common,
      entryPoints: { shapewise: path.join(repoRoot, "src/index.ts") },
      format: "esm",
      platform: "browser",
      splitting: true,
      outdir: outDir,
      chunkNames: "chunks/[name]-[hash]",
    }),
    build({
      ...common,
      entryPoints: { app: path.join(here, "app.ts") },
      format: "esm",
      platform: "browser",
      plugins: [libraryByName],
      outdir: outDir,
      loader: { ".ttf": "file" },
      assetNames: "assets/[name]-[hash]",
    }),
    build({
      ...common,
      entryPoints: { "ts-worker": path.join(here, "ts-worker.ts") },
      format: "iife",
      platform: "browser",
      external: NODE_BUILTINS,
      outdir: outDir,
    }),
    build({
      ...common,
      entryPoints: { "editor-worker": createRequire(import.meta.url).resolve("monaco-editor/editor/editor.worker.js") },
      format: "iife",
      platform: "browser",
      outdir: outDir,
    }),
  ]);
  for (const file of ["shapewise-kernels.wasm", "shapewise-kernels-relaxed.wasm"]) copyFileSync(path.join(repoRoot, "build", file), path.join(outDir, file));
  copyFileSync(path.join(here, "index.html"), path.join(outDir, "index.html"));
  const virtual = new Map([...libFiles(["lib.es2022.d.ts", "lib.dom.d.ts", "lib.dom.iterable.d.ts"]), ...declarations()]);
  writeFileSync(path.join(outDir, "types.json"), JSON.stringify(Object.fromEntries(virtual)));
  const files = walk(outDir, () => true).map((f) => ({ name: path.relative(outDir, f).split(path.sep).join("/"), bytes: statSync(f).size }));
  return { outDir, files, totalBytes: files.reduce((s, f) => s + f.bytes, 0) };
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const t0 = performance.now();
  const site = await buildPlayground(process.argv[2]);
  const kb = (n: number) => `${(n / 1024).toFixed(0)} KB`;
  for (const f of site.files.sort((a, b) => b.bytes - a.bytes)) process.stdout.write(`${kb(f.bytes).padStart(9)}  ${f.name}\n`);
  process.stdout.write(
    `${kb(site.totalBytes)} in ${site.files.length} files, written to ${site.outDir} in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
  );
}
