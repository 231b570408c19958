#!/usr/bin/env node
/**
 * Type-check cost of the benchmark fixtures, on TypeScript 5.9 and 7.
 *
 * For each fixture and each compiler, writes a tsconfig that includes only
 * that fixture (strict, NodeNext, skipLibCheck, types ["node"]), runs
 * `tsc --noEmit --extendedDiagnostics -p <it>` N times, and reads
 * Instantiations, Types, Check time and Memory used. The check time and
 * memory shown are the lowest of the N runs.
 *
 * The sources are measured in a snapshot (a temporary copy of src/, types/,
 * examples/ and the fixtures, with node_modules linked), so edits made to the
 * working tree while the benchmark runs cannot mix two versions into one
 * table. `--ref <commit>` snapshots a commit instead (fixtures and
 * examples/vgg16.ts missing from it are taken from the working tree);
 * `--in-place` measures the working tree directly.
 *
 * Fails (exit 1) when any run prints a diagnostic (TS2589 above all),
 * crashes, or exits non-zero, or when TS 5.9 (whose counts are exactly
 * reproducible) gives different counts between runs. Prints a Markdown table,
 * the per-layer instantiation slope over chain50/100/150 and the targets;
 * writes the same text to bench/typecheck/last-results.md (full runs) or
 * bench/typecheck/out/last-partial-results.md (runs limited by arguments).
 *
 * Usage:
 *   node bench/typecheck/run.mjs [--repeat N] [--ts 5,7,7s] [--ref REV | --in-place] [--package] [fixture ...]
 *   `--package` measures what a user of the built package pays: the
 *   snapshot's `src/` and `types/` are replaced by their emitted declarations
 *   (`tsc -p tsconfig.build.json`), which `skipLibCheck` leaves unchecked, so
 *   the library's own check cost (the `baseline` row) drops out.
 *   fixture names without .ts (default: all); compilers: 5 = TS 5.9,
 *   7 = TS 7 with its default parallel checkers, 7s = TS 7 --checkers 1
 *   (default: all three).
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const benchRel = relative(root, here); // "bench/typecheck"

/** Fixtures in table order; `calls` = layer method calls in the model(s) (for per-call figures and slopes). */
const FIXTURES = [
  { name: "baseline", calls: 0 },
  { name: "seed-models", calls: 14 },
  { name: "vgg16", calls: 22 },
  { name: "chain50", calls: 53 },
  { name: "chain100", calls: 104 },
  { name: "chain150", calls: 155 },
  { name: "toy-resnet", calls: 14 },
  { name: "resnet50", calls: 176 },
  { name: "unet-concrete", calls: 22 },
  { name: "unet-named", calls: 22 },
];

/**
 * `7` is TS 7 as `tsc` runs by default: several checkers in parallel, each
 * with its own type cache, so a type used from files that land on different
 * checkers is computed (and counted) once per checker. `7s` is TS 7 with
 * `--checkers 1`: counts comparable with TS 5.9 and independent of how files
 * are spread over checkers.
 */
const COMPILERS = {
  5: { bin: join(root, "node_modules/typescript/bin/tsc"), args: [], suffix: "" },
  7: { bin: join(root, "node_modules/typescript7/bin/tsc"), args: [], suffix: "" },
  "7s": { bin: join(root, "node_modules/typescript7/bin/tsc"), args: ["--checkers", "1"], suffix: " --checkers 1" },
};
/** The compilers whose counts the targets are judged on (one checker each). */
const TARGET_COMPILERS = ["5", "7s"];

const TARGETS = {
  vgg16: 80_000,
  chain150: 250_000,
};
/** Check-time targets (seconds), judged on TS 7 with its default parallel checkers, as editors run it. */
const TIME_TARGETS = {
  resnet50: 1,
};
/** Largest relative difference between the two chain slopes still called linear. */
const LINEAR_TOLERANCE = 0.15;

/** What a snapshot copies: the sources the fixtures reach, plus what module resolution reads. */
const SNAPSHOT_DIRS = ["src", "types", "examples"];
const SNAPSHOT_FILES = ["package.json", "tsconfig.json", "tsconfig.build.json"];

// ---------------------------------------------------------------- arguments

function parseArgs(argv) {
  const opts = { repeat: 3, ts: ["5", "7", "7s"], fixtures: [], ref: undefined, inPlace: false, package: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = a.includes("=") ? a.slice(a.indexOf("=") + 1) : argv[++i];
      if (v === undefined) usage(`missing value for ${a}`);
      return v;
    };
    if (a === "--repeat" || a.startsWith("--repeat=")) {
      opts.repeat = Number(value());
      if (!Number.isInteger(opts.repeat) || opts.repeat < 1) usage("--repeat takes a positive integer");
    } else if (a === "--ts" || a.startsWith("--ts=")) {
      opts.ts = value()
        .split(",")
        .map((s) => s.trim().replace(/\.\d+$/, ""));
      for (const t of opts.ts) if (!COMPILERS[t]) usage(`unknown --ts ${t} (use any of 5, 7, 7s)`);
    } else if (a === "--ref" || a.startsWith("--ref=")) {
      opts.ref = value();
    } else if (a === "--in-place") {
      opts.inPlace = true;
    } else if (a === "--package") {
      opts.package = true;
    } else if (a === "--help" || a === "-h") {
      usage();
    } else if (a.startsWith("-")) {
      usage(`unknown option ${a}`);
    } else {
      const name = a.replace(/^.*\//, "").replace(/\.ts$/, "");
      if (!FIXTURES.some((f) => f.name === name)) usage(`unknown fixture ${a}`);
      opts.fixtures.push(name);
    }
  }
  if (opts.ref && opts.inPlace) usage("--ref and --in-place exclude each other");
  if (opts.package && opts.inPlace) usage("--package builds declarations into a snapshot; it cannot run --in-place");
  return opts;
}

function usage(message) {
  if (message) console.error(`run.mjs: ${message}`);
  console.error("usage: node bench/typecheck/run.mjs [--repeat N] [--ts 5,7,7s] [--ref REV | --in-place] [--package] [fixture ...]");
  console.error(`fixtures: ${FIXTURES.map((f) => f.name).join(", ")}`);
  process.exit(message ? 2 : 0);
}

// ---------------------------------------------------------------- the tree

const git = (...args) => spawnSync("git", args, { cwd: root, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });

/** A digest of every .ts source under `base` that the fixtures can reach. */
function sourcesDigest(base) {
  const hash = createHash("sha256");
  const walk = (dir) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const file = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== "out" && entry.name !== "node_modules") walk(file);
      } else if (entry.name.endsWith(".ts")) {
        hash.update(relative(base, file)).update(readFileSync(file));
      }
    }
  };
  for (const dir of [...SNAPSHOT_DIRS, benchRel]) walk(join(base, dir));
  return hash.digest("hex");
}

/** The working tree's commit and its uncommitted changes to what the fixtures check. */
function workingTreeState() {
  const head = git("rev-parse", "--short", "HEAD");
  if (head.status !== 0) return "working tree (not a git checkout)";
  const dirty = git("status", "--porcelain", "--", ...SNAPSHOT_DIRS, benchRel)
    .stdout.split("\n")
    .filter(Boolean)
    .map((l) => l.slice(3));
  return `commit ${head.stdout.trim()}${dirty.length ? ` with uncommitted changes in ${dirty.join(", ")}` : ", no uncommitted changes"}`;
}

/** Copies the fixture files of the working tree into `dir`, unless `keep` already has them. */
function copyFixtures(dir, keepExisting) {
  mkdirSync(join(dir, benchRel), { recursive: true });
  for (const f of readdirSync(here).filter((n) => n.endsWith(".ts"))) {
    const target = join(dir, benchRel, f);
    if (!(keepExisting && existsSync(target))) cpSync(join(here, f), target);
  }
  const example = join("examples", "vgg16.ts");
  if (!existsSync(join(dir, example)) && existsSync(join(root, example))) cpSync(join(root, example), join(dir, example));
}

/**
 * A consistent copy of the sources to measure. Returns `{ base, state, cleanup }`;
 * `base` is the directory that plays the repository root.
 */
function prepareTree(opts) {
  if (opts.inPlace) {
    return { base: root, state: `${workingTreeState()} (measured in place)`, inPlace: true, cleanup() {} };
  }
  const dir = mkdtempSync(join(os.tmpdir(), "shapewise-typecheck-bench-"));
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  process.on("exit", cleanup);
  symlinkSync(join(root, "node_modules"), join(dir, "node_modules"), "dir");
  if (opts.ref) {
    const rev = git("rev-parse", "--short", `${opts.ref}^{commit}`);
    if (rev.status !== 0) usage(`unknown --ref ${opts.ref}`);
    const archive = spawnSync("git", ["archive", "--format=tar", rev.stdout.trim(), "--", ...SNAPSHOT_DIRS, ...SNAPSHOT_FILES], {
      cwd: root,
      maxBuffer: 256 * 1024 * 1024,
    });
    if (archive.status !== 0) throw new Error(`git archive failed: ${archive.stderr}`);
    const untar = spawnSync("tar", ["-x", "-C", dir], { input: archive.stdout });
    if (untar.status !== 0) throw new Error(`tar failed: ${untar.stderr}`);
    copyFixtures(dir, true);
    return { base: dir, state: `commit ${rev.stdout.trim()} (--ref ${opts.ref}; fixtures from the working tree where the commit has none)`, cleanup };
  }
  // The working tree: copy until two digests around the copy agree, so an
  // edit landing mid-copy is not half taken.
  for (let attempt = 1; ; attempt++) {
    const before = sourcesDigest(root);
    for (const d of SNAPSHOT_DIRS) {
      rmSync(join(dir, d), { recursive: true, force: true });
      if (existsSync(join(root, d))) cpSync(join(root, d), join(dir, d), { recursive: true });
    }
    for (const f of SNAPSHOT_FILES) cpSync(join(root, f), join(dir, f));
    rmSync(join(dir, benchRel), { recursive: true, force: true });
    copyFixtures(dir, false);
    if (sourcesDigest(root) === before && sourcesDigest(dir) === before) break;
    if (attempt === 5) throw new Error("the working tree kept changing while it was being copied; try again or use --ref");
  }
  return { base: dir, state: `snapshot of the working tree: ${workingTreeState()}`, cleanup };
}

/** Replaces the snapshot's library sources by their declarations, as an installed package ships them. */
function useDeclarations(tree) {
  const out = join(tree.base, "declarations");
  const build = spawnSync(process.execPath, [COMPILERS[5].bin, "-p", join(tree.base, "tsconfig.build.json"), "--emitDeclarationOnly", "--outDir", out], {
    cwd: tree.base,
    encoding: "utf8",
  });
  if (build.status !== 0) throw new Error(`building declarations failed:\n${build.stdout}${build.stderr}`);
  for (const d of ["src", "types"]) {
    rmSync(join(tree.base, d), { recursive: true, force: true });
    cpSync(join(out, d), join(tree.base, d), { recursive: true });
  }
  rmSync(out, { recursive: true, force: true });
  tree.state += "; library as built declarations (--package)";
}

// ------------------------------------------------------------------ running

function writeConfig(base, fixture) {
  const outDir = join(base, benchRel, "out");
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `tsconfig.${fixture}.json`);
  const config = {
    compilerOptions: {
      target: "ES2022",
      lib: ["ES2022"],
      module: "NodeNext",
      moduleResolution: "NodeNext",
      strict: true,
      skipLibCheck: true,
      types: ["node"],
      noEmit: true,
    },
    files: [relative(outDir, join(base, benchRel, `${fixture}.ts`))],
  };
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
  return file;
}

/** Converts "123456K", "120.5 MB", "0.52s", "83ms" and plain numbers (memory in MB, time in s). */
function parseQuantity(text) {
  const m = /^([\d.,]+)\s*([A-Za-z]*)$/.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[1].replace(/,/g, ""));
  switch (m[2].toLowerCase()) {
    case "":
    case "s":
      return n;
    case "ms":
      return n / 1000;
    case "k":
    case "kb":
      return n / 1024;
    case "m":
    case "mb":
      return n;
    case "g":
    case "gb":
      return n * 1024;
    case "b":
      return n / 1024 / 1024;
    default:
      return undefined;
  }
}

/**
 * Reads the `--extendedDiagnostics` block. TS 5.9 prints e.g.
 * `Instantiations:  81013`, `Memory used: 72000K`, `Check time: 0.58s`;
 * TS 7.0 prints `Instantiations: 110190`, `Memory used: 29000K`,
 * `Check time: 0.032s` with other spacing and extra lines (`Memory allocs`).
 * Other spellings (`Instantiation count`, `Type count`, `Memory used (MB)`,
 * ms units) are accepted too.
 */
function parseStats(output) {
  const stats = {};
  for (const line of output.split(/\r?\n/)) {
    const m = /^\s*([A-Za-z][A-Za-z ]*?)(?:\s*\(([A-Za-z]+)\))?:\s+(\S.*?)\s*$/.exec(line);
    if (!m) continue;
    const key = m[1].toLowerCase();
    const value = parseQuantity(`${m[3]}${m[2] ? ` ${m[2]}` : ""}`);
    if (value === undefined) continue;
    if (/^instantiations?( count)?$/.test(key)) stats.instantiations = value;
    else if (/^types?( count)?$/.test(key)) stats.types = value;
    else if (/^check( time)?$/.test(key)) stats.check = value;
    else if (/^(memory used|memory|peak memory)$/.test(key)) stats.memory = value;
  }
  return stats;
}

/** Diagnostic lines (`file(l,c): error TSnnnn: ...` or `error TSnnnn: ...`) and crash markers. */
function findProblems(output) {
  return output.split(/\r?\n/).filter((l) => /\berror TS\d+/.test(l) || /RangeError|Maximum call stack|FATAL|panic:/.test(l));
}

function runOnce(base, compiler, config) {
  const r = spawnSync(process.execPath, [compiler.bin, "--noEmit", "--extendedDiagnostics", "--pretty", "false", ...compiler.args, "-p", config], {
    cwd: base,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  const output = `${r.stdout ?? ""}\n${r.stderr ?? ""}`;
  return { status: r.status, signal: r.signal, output, stats: parseStats(output), problems: findProblems(output) };
}

function version(compiler) {
  const r = spawnSync(process.execPath, [compiler.bin, "--version"], { encoding: "utf8" });
  return (r.stdout || r.stderr).trim().replace(/^Version\s+/, "");
}

// ---------------------------------------------------------------- reporting

const int = (n) => (n === undefined || Number.isNaN(n) ? "?" : Math.round(n).toLocaleString("en-US"));
const secs = (n) => (n === undefined || !Number.isFinite(n) ? "?" : n < 0.1 ? n.toFixed(3) : n.toFixed(2));
const mb = (n) => (n === undefined || !Number.isFinite(n) ? "?" : `${Math.round(n)} MB`);

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const fixtures = opts.fixtures.length ? FIXTURES.filter((f) => opts.fixtures.includes(f.name)) : FIXTURES;
  for (const t of opts.ts) if (!existsSync(COMPILERS[t].bin)) usage(`compiler not installed: ${COMPILERS[t].bin}`);
  const versions = Object.fromEntries(opts.ts.map((t) => [t, `${version(COMPILERS[t])}${COMPILERS[t].suffix}`]));

  const tree = prepareTree(opts);
  if (opts.package) useDeclarations(tree);
  const digestBefore = tree.inPlace ? sourcesDigest(root) : undefined;
  const results = [];
  const failures = [];
  for (const f of fixtures) {
    const config = writeConfig(tree.base, f.name);
    for (const t of opts.ts) {
      const compiler = COMPILERS[t];
      const runs = [];
      for (let i = 0; i < opts.repeat; i++) {
        const run = runOnce(tree.base, compiler, config);
        runs.push(run);
        process.stderr.write(
          `${f.name} TS ${versions[t]} run ${i + 1}/${opts.repeat}: ` +
            `${int(run.stats.instantiations)} instantiations, check ${secs(run.stats.check)} s` +
            `${run.problems.length ? `, ${run.problems.length} problem line(s)` : ""}\n`,
        );
        if (run.problems.length || run.status !== 0) {
          failures.push({
            fixture: f.name,
            ts: versions[t],
            status: run.status ?? run.signal,
            lines: run.problems.length ? [...new Set(run.problems)] : run.output.trim().split(/\r?\n/).slice(-15),
          });
          break; // one failing run is enough
        }
      }
      // TS 5.9 counts are exactly reproducible. TS 7 ones can differ by a few
      // hundredths of a percent between runs (its parallel parse and bind
      // number types differently, which changes cache hits): a range there.
      const counts = runs.map((r) => r.stats.instantiations).filter((v) => v !== undefined);
      if (t === "5" && new Set(counts).size > 1) {
        failures.push({
          fixture: f.name,
          ts: versions[t],
          lines: [`TS 5.9 counts are reproducible, yet differed between runs (${counts.join(", ")}): the sources changed during the run`],
        });
      }
      const missing = ["instantiations", "types", "check", "memory"].filter((k) => runs[0].stats[k] === undefined);
      if (missing.length && !runs.some((r) => r.problems.length)) {
        failures.push({ fixture: f.name, ts: versions[t], lines: [`could not read ${missing.join(", ")} from:`, ...runs[0].output.trim().split(/\r?\n/)] });
      }
      const min = (k) => Math.min(...runs.map((r) => r.stats[k]).filter((v) => v !== undefined));
      results.push({
        fixture: f.name,
        calls: f.calls,
        t,
        ts: versions[t],
        inst: counts.length ? Math.min(...counts) : undefined,
        instMax: counts.length ? Math.max(...counts) : undefined,
        types: min("types"),
        check: min("check"),
        memory: min("memory"),
        failed: runs.some((r) => r.problems.length || r.status !== 0),
      });
    }
  }
  const changed = tree.inPlace && sourcesDigest(root) !== digestBefore;
  if (changed) failures.push({ fixture: "(all)", ts: "any", lines: ["the sources changed while the benchmark ran in place; rerun without --in-place"] });
  tree.cleanup();

  const md = [];
  md.push("# Type-check benchmark");
  md.push("");
  md.push(`Measured: ${tree.state}${changed ? " (**the sources changed during the run**)" : ""}.`);
  md.push("");
  md.push(
    `Generated by \`node bench/typecheck/run.mjs\` with \`--repeat ${opts.repeat}\` on ${new Date().toISOString().slice(0, 10)} ` +
      `(Node ${process.version}, ${os.cpus().length} CPU(s) ${os.cpus()[0]?.model.trim() ?? ""}). ` +
      `Compilers: ${opts.ts.map((t) => `TS ${versions[t]}`).join(", ")}. ` +
      'Each fixture is checked alone (`tsc --noEmit --extendedDiagnostics`, strict, NodeNext, skipLibCheck, types ["node"]). ' +
      "Instantiations and types count the whole program, including `src/` and `types/` (the `baseline` row); " +
      `check time and memory are the lowest of ${opts.repeat} run(s). ` +
      "TS 7 rows without `--checkers 1` use tsc's default parallel checkers, each with its own type cache: their counts " +
      "add up every checker's work, so a model that several files use is counted once per checker that meets it.",
  );
  md.push("");
  md.push("| fixture | TS | Instantiations | Types | Check time | Memory |");
  md.push("|---|---|---:|---:|---:|---:|");
  for (const r of results) {
    const inst = r.instMax > r.inst ? `${int(r.inst)}–${int(r.instMax)}` : int(r.inst);
    md.push(`| ${r.fixture}${r.failed ? " **(FAILED)**" : ""} | ${r.ts} | ${inst} | ${int(r.types)} | ${secs(r.check)} s | ${mb(r.memory)} |`);
  }
  if (results.some((r) => r.instMax > r.inst)) {
    md.push("");
    md.push(
      "A range a–b: the count differed between runs. On TS 7 that is normal (a few hundredths of a percent: its parallel parse " +
        "and bind number types differently from run to run); on TS 5.9 it means the sources changed. Other tables use the lowest.",
    );
  }

  // Net of the baseline: what the model itself costs.
  const byName = (name, t) => results.find((r) => r.fixture === name && r.t === t);
  const base = Object.fromEntries(opts.ts.map((t) => [t, byName("baseline", t)]).filter(([, r]) => r));
  if (Object.keys(base).length && results.some((r) => r.fixture !== "baseline")) {
    md.push("");
    md.push("Net of the baseline (the models' own cost: fixture minus `baseline`, same compiler):");
    md.push("");
    md.push("| fixture | TS | layer calls | net Instantiations | per call | net Types |");
    md.push("|---|---|---:|---:|---:|---:|");
    for (const r of results) {
      const b = base[r.t];
      if (!b || r.fixture === "baseline") continue;
      const net = r.inst - b.inst;
      md.push(`| ${r.fixture}${r.failed ? " **(FAILED)**" : ""} | ${r.ts} | ${r.calls} | ${int(net)} | ${int(net / r.calls)} | ${int(r.types - b.types)} |`);
    }
  }

  // Linearity over the chains.
  const chains = ["chain50", "chain100", "chain150"];
  const linear = {};
  if (chains.every((c) => fixtures.some((f) => f.name === c))) {
    md.push("");
    md.push("Per-layer slope over the chains (Δ instantiations / Δ layer calls; chain50/100/150 have 53/104/155 calls):");
    md.push("");
    md.push("| TS | chain50 → chain100 | chain100 → chain150 | chain50 → chain150 | slopes differ by | linear? |");
    md.push("|---|---:|---:|---:|---:|---|");
    for (const t of opts.ts) {
      const [a, b, c] = chains.map((n) => byName(n, t));
      const s1 = (b.inst - a.inst) / (b.calls - a.calls);
      const s2 = (c.inst - b.inst) / (c.calls - b.calls);
      const s3 = (c.inst - a.inst) / (c.calls - a.calls);
      const diff = Math.abs(s2 - s1) / Math.max(Math.abs(s1), Math.abs(s2), 1);
      const failed = a.failed || b.failed || c.failed;
      linear[t] = { s1, s2, ok: !failed && s1 > 0 && s2 > 0 && diff <= LINEAR_TOLERANCE, failed };
      const verdict = failed ? "not measurable (a chain failed)" : `${linear[t].ok ? "yes" : "NO"} (tolerance ${LINEAR_TOLERANCE * 100} %)`;
      md.push(`| ${versions[t]} | ${s1.toFixed(0)} | ${s2.toFixed(0)} | ${s3.toFixed(0)} | ${(diff * 100).toFixed(1)} % | ${verdict} |`);
    }
  }

  // Targets.
  const timeRows = [];
  for (const [name, seconds] of Object.entries(TIME_TARGETS)) {
    for (const t of opts.ts.filter((c) => c === "7" || c === "7s")) {
      const r = byName(name, t);
      if (!r) continue;
      const ok = !r.failed && r.check < seconds;
      timeRows.push(
        `| ${name}: check time < ${seconds} s, no TS2589 | ${r.ts} | ${r.check.toFixed(2)} s | | ${r.failed ? "FAILED (errors, see below)" : ok ? "met" : "MISSED"} |`,
      );
    }
  }
  const judged = opts.ts.filter((t) => TARGET_COMPILERS.includes(t));
  if (judged.length) {
    md.push("");
    md.push("Targets (judged on TS 5.9 and TS 7 `--checkers 1`, whose counts do not depend on how files are spread over parallel checkers):");
    md.push("");
    md.push("| target | TS | measured (whole program) | measured (net of baseline) | result |");
    md.push("|---|---|---:|---:|---|");
    for (const t of judged) {
      for (const [name, limit] of Object.entries(TARGETS)) {
        const r = byName(name, t);
        if (!r) continue;
        const net = base[t] ? r.inst - base[t].inst : undefined;
        let verdict = r.inst < limit ? "met" : net !== undefined && net < limit ? "met net of baseline only" : "MISSED";
        if (r.failed) verdict = `${verdict === "met" ? "" : `${verdict}, `}FAILED (errors, see below)`;
        else if (name === "chain150") verdict += ", no TS2589";
        const label = name === "chain150" ? `${name}: no TS2589, < ${int(limit)} instantiations` : `${name} < ${int(limit)} instantiations`;
        md.push(`| ${label} | ${r.ts} | ${int(r.inst)} | ${int(net)} | ${verdict} |`);
      }
      if (linear[t]) {
        md.push(
          `| cost linear in depth | ${versions[t]} | slopes ${linear[t].s1.toFixed(0)} / ${linear[t].s2.toFixed(0)} per call | | ` +
            `${linear[t].failed ? "not measurable" : linear[t].ok ? "met" : "MISSED"} |`,
        );
      }
    }
  }

  if (timeRows.length) {
    md.push("");
    md.push("Check-time targets (TS 7; the lowest check time of the runs):");
    md.push("");
    md.push("| target | TS | check time | | result |");
    md.push("|---|---|---:|---|---|");
    md.push(...timeRows);
  }

  if (failures.length) {
    md.push("");
    md.push("## Failures");
    for (const f of failures) {
      md.push("");
      md.push(`- ${f.fixture} on TS ${f.ts}${f.status !== undefined ? ` (exit ${f.status})` : ""}:`);
      md.push("");
      md.push("```");
      md.push(...f.lines.slice(0, 40));
      md.push("```");
    }
  }

  const text = `${md.join("\n")}\n`;
  console.log(text);
  const full = !opts.fixtures.length && Object.keys(COMPILERS).every((t) => opts.ts.includes(t));
  const resultsFile = full ? join(here, opts.package ? "last-results-package.md" : "last-results.md") : join(here, "out", "last-partial-results.md");
  mkdirSync(dirname(resultsFile), { recursive: true });
  writeFileSync(resultsFile, text);
  console.error(`wrote ${relative(root, resultsFile)}`);
  if (failures.length) {
    console.error(`run.mjs: ${failures.length} failure(s); see above`);
    process.exit(1);
  }
}

main();
