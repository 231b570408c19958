/**
 * One-time costs on VGG16 (138,357,544 weights, 553 MB of float32), each
 * measured in a fresh process so that nothing one step made (packed
 * weights, a cached session, a warm allocator) helps the next:
 *
 * - `build`: `model()` (importing `examples/vgg16.ts`, which builds it), then
 *   drawing its initial weights (deferred to first use), then the first
 *   `predict` against the median of three more;
 * - `save`: `save(dir)` of the model (TensorFlow.js layers format), its time
 *   and the peak memory it adds above the process's resident set before it;
 * - `load`: `loadModel(dir)` of those files, its time and its peak resident
 *   set above the process's before it (goal: under 1.2x the weight bytes),
 *   then the loaded model's first `predict` against a steady one;
 * - `onnx`: `toONNX`, its time and peak memory above the set before it;
 * - `ort`: three `predictAsync(x, { backend: "onnxruntime" })` calls: the
 *   first builds the session (export included), the others reuse it;
 * - `machine`: what this machine charges for the first touch of memory
 *   (fresh array-buffer and WebAssembly memory written twice, the saved
 *   weight file read into fresh memory and then read by the program), the
 *   cost under every figure above; `build` also times a predict that packs
 *   every weight again into blocks already touched, the packing's own work.
 *
 * Peak memory is the child's maximum resident set (`process.resourceUsage`)
 * less its resident set just before the step, after a garbage collection;
 * "held" is what the step leaves in array buffers and WebAssembly memory.
 *
 * Goals (issue 13): first predict under 1.5x a steady one, `loadModel`
 * under 2 s and 1.2x the weight bytes, `toONNX` under 1 s, `save` copying
 * the weights once, the onnxruntime session built once.
 *
 * Usage: npm run bench:onetime   (writes bench/onetime/last-results.md)
 *        npx tsx bench/onetime/run.ts [build|save|load|onnx|ort|machine ...]
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { inputData, median } from "../common.js";

const here = dirname(fileURLToPath(import.meta.url));
const WEIGHT_BYTES = 138_357_544 * 4;
const MB = 1e6;

type Step = "build" | "save" | "load" | "onnx" | "ort" | "machine";
const STEPS: Step[] = ["build", "save", "load", "onnx", "ort", "machine"];

/** What a child reports: named times in ms and sizes in bytes. */
type Figures = Record<string, number>;

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** The resident set now, after a collection: the base a step's peak is measured from. */
function baseline(): number {
  gc();
  return process.memoryUsage().rss;
}

function peakRss(): number {
  return process.resourceUsage().maxRSS * 1024;
}

/** Bytes in array buffers and WebAssembly memory (weights are read or drawn into the latter when they fit its budget). */
function heldBytes(sw: { kernelInfo(): { memoryBytes?: number } }): number {
  gc();
  return process.memoryUsage().arrayBuffers + (sw.kernelInfo().memoryBytes ?? 0);
}

async function timed<T>(f: () => T | Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const r = await f();
  return [r, performance.now() - t0];
}

const x = { shape: [1, 224, 224, 3], data: inputData(224 * 224 * 3, 1) };

async function child(step: Step, dir: string): Promise<Figures> {
  const sw = await import("../../src/node/index.js");
  if (!sw.kernelInfo().wasm) throw new Error(`the WebAssembly kernels did not load: ${sw.kernelInfo().reason}`);
  type M = InstanceType<typeof sw.Model>;
  const predictTimes = async (m: M, prefix: string, out: Figures) => {
    const [, first] = await timed(() => m.predict(x as never));
    const steady: number[] = [];
    for (let i = 0; i < 3; i++) steady.push((await timed(() => m.predict(x as never)))[1]);
    out[`${prefix}first predict`] = first;
    out[`${prefix}steady predict`] = median(steady);
  };
  const built = async () => {
    const [mod, build] = await timed(() => import("../../examples/vgg16.js"));
    const m = mod.vgg16 as unknown as M;
    // Weights are drawn on first use: draw them here so that the step times its own work alone.
    const [, draw] = await timed(() => {
      for (const l of m.layers) void l.weights;
    });
    return { m, build, draw };
  };
  const out: Figures = {};
  if (step === "build") {
    const { m, build, draw } = await built();
    out["model()"] = build;
    out["draw weights"] = draw;
    const before = heldBytes(sw);
    await predictTimes(m, "", out);
    // Packed and transformed weights, and the activations' blocks, that the predicts keep.
    out["bytes kept by predict"] = heldBytes(sw) - before;
    // The same packing once more, into blocks the first predict already touched: with no cache
    // budget the next run lets every packed copy go first, and packs each weight again.
    const caches = await import("../../src/kernels/packed-weights.js");
    const packs = caches.packCounts();
    const budgets = caches.weightBudgets({ caches: 0 });
    try {
      out["repacked predict"] = (await timed(() => m.predict(x as never)))[1];
    } finally {
      caches.weightBudgets(budgets);
    }
    out["repacked winograd"] = caches.packCounts().winograd - packs.winograd;
  } else if (step === "save") {
    const { m } = await built();
    const base = baseline();
    const [, ms] = await timed(() => m.save(dir));
    out.save = ms;
    out["save peak above base"] = peakRss() - base;
  } else if (step === "load") {
    const base = baseline();
    const before = heldBytes(sw);
    const [m, ms] = await timed(() => sw.loadModel(dir));
    out.loadModel = ms;
    out["loadModel peak above base"] = peakRss() - base;
    out["loadModel bytes held"] = heldBytes(sw) - before;
    await predictTimes(m as unknown as M, "loaded: ", out);
  } else if (step === "onnx") {
    const { m } = await built();
    const base = baseline();
    const [bytes, ms] = await timed(() => sw.toONNX(m));
    out.toONNX = ms;
    out["toONNX peak above base"] = peakRss() - base;
    out["toONNX bytes"] = bytes.byteLength;
  } else if (step === "machine") {
    Object.assign(out, await firstTouch(join(dir, "weights.bin")));
  } else {
    const { m } = await built();
    for (let i = 1; i <= 3; i++) out[`predictAsync onnxruntime ${i}`] = (await timed(() => m.predictAsync(x as never, { backend: "onnxruntime" })))[1];
  }
  return out;
}

/**
 * What this machine charges for memory a program has not touched yet, the
 * cost under every one-time figure above: writing fresh array-buffer memory
 * the size of the weights, and again; the same for fresh WebAssembly memory
 * the size of VGG16's Winograd transforms (105 MB); and reading the saved
 * weight file into fresh memory, then the program's first read of one byte
 * per 4 KiB page of it, and its second.
 */
async function firstTouch(weightsFile: string): Promise<Figures> {
  const { open } = await import("node:fs/promises");
  const out: Figures = {};
  const faults = () => process.resourceUsage().minorPageFault;
  const fresh = new Uint8Array(WEIGHT_BYTES);
  out["write fresh memory"] = (await timed(() => fresh.fill(1)))[1];
  out["write it again"] = (await timed(() => fresh.fill(2)))[1];
  const pages = Math.ceil(105e6 / 65536);
  // The project's ES2022 library declares no WebAssembly types.
  type SharedMemory = { grow(pages: number): number; readonly buffer: ArrayBufferLike };
  const api = (globalThis as unknown as { WebAssembly: { Memory: new (d: object) => SharedMemory } }).WebAssembly;
  const memory = new api.Memory({ initial: 1, maximum: 65536, shared: true });
  memory.grow(pages);
  const wasm = new Uint8Array(memory.buffer, 65536, pages * 65536);
  out["write fresh wasm memory"] = (await timed(() => wasm.fill(1)))[1];
  out["write wasm memory again"] = (await timed(() => wasm.fill(2)))[1];
  const file = await open(weightsFile);
  try {
    const size = (await file.stat()).size;
    const into = new Uint8Array(size);
    out["read file into fresh memory"] = (
      await timed(async () => {
        for (let done = 0; done < size; ) done += (await file.read(into, done, size - done, done)).bytesRead;
      })
    )[1];
    const perPage = () => {
      let sum = 0;
      for (let i = 0; i < size; i += 4096) sum += into[i];
      return sum;
    };
    const f0 = faults();
    out["first read of its pages"] = (await timed(perPage))[1];
    out["page faults of that read"] = faults() - f0;
    out["second read of its pages"] = (await timed(perPage))[1];
  } finally {
    await file.close();
  }
  return out;
}

function run(step: Step, dir: string): Figures {
  const p = spawnSync(process.execPath, [...process.execArgv, "--expose-gc", fileURLToPath(import.meta.url), "--child", step, dir], {
    encoding: "utf8",
    maxBuffer: 1 << 26,
    env: { ...process.env, SHAPEWISE_KERNELS: "fast" },
  });
  const line = p.stdout.split("\n").find((l) => l.startsWith("RESULT "));
  if (line === undefined) throw new Error(`step ${step} gave no result:\n${p.stderr}`);
  return JSON.parse(line.slice(7)) as Figures;
}

const ms = (v: number) => (v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : `${v.toFixed(0)} ms`);
const mb = (v: number) => `${(v / MB).toFixed(0)} MB (${(v / WEIGHT_BYTES).toFixed(2)}x the weights)`;

function verdict(ok: boolean): string {
  return ok ? "met" : "missed";
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === "--child") {
    const r = await child(args[1] as Step, args[2]);
    process.stdout.write(`\nRESULT ${JSON.stringify(r)}\n`);
    return;
  }
  const steps = args.length > 0 ? (args as Step[]) : STEPS;
  const dir = mkdtempSync(join(os.tmpdir(), "shapewise-onetime-"));
  const startLoad = os.loadavg()[0];
  const all: Figures = {};
  try {
    // load reads what save wrote.
    const needsFiles = (steps.includes("load") || steps.includes("machine")) && !steps.includes("save");
    const order = needsFiles ? ["save" as Step, ...steps] : steps;
    for (const step of order) {
      const r = run(step, dir);
      Object.assign(all, r);
      console.log(
        `${step}: ${Object.entries(r)
          .map(
            ([k, v]) =>
              `${k} ${k.includes("peak") || k.includes("arrayBuffers") || k.includes("bytes") ? mb(v) : k.includes("faults") || k.includes("winograd") ? v : ms(v)}`,
          )
          .join(", ")}`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const endLoad = os.loadavg()[0];
  const rows: string[] = ["| step | figure | goal |", "| --- | ---: | --- |"];
  const row = (name: string, figure: string, goal = "") => rows.push(`| ${name} | ${figure} | ${goal} |`);
  if ("model()" in all) {
    row("`model()` (VGG16 built, weights deferred)", ms(all["model()"]));
    row("initial weights drawn (first use)", ms(all["draw weights"]));
    const ratio = all["first predict"] / all["steady predict"];
    row(
      "first `predict` / steady `predict`",
      `${ms(all["first predict"])} / ${ms(all["steady predict"])} = ${ratio.toFixed(2)}x`,
      `< 1.5x: ${verdict(ratio < 1.5)}`,
    );
    row("what the predicts keep (packed and transformed weights, activation blocks)", mb(all["bytes kept by predict"]));
    row(
      "a predict packing every weight again into memory already touched",
      `${ms(all["repacked predict"])} = ${(all["repacked predict"] / all["steady predict"]).toFixed(2)}x steady (${all["repacked winograd"]} Winograd transforms made)`,
    );
  }
  if ("save" in all) row("`save(dir)`", `${ms(all.save)}, peak ${mb(all["save peak above base"])}`, "weights copied once");
  if ("loadModel" in all) {
    const peak = all["loadModel peak above base"];
    row(
      "`loadModel(dir)`",
      `${ms(all.loadModel)}, peak ${mb(peak)}, held ${mb(all["loadModel bytes held"])}`,
      `< 2 s and < 1.2x: ${verdict(all.loadModel < 2000 && peak < 1.2 * WEIGHT_BYTES)}`,
    );
    const ratio = all["loaded: first predict"] / all["loaded: steady predict"];
    row(
      "loaded model: first / steady `predict`",
      `${ms(all["loaded: first predict"])} / ${ms(all["loaded: steady predict"])} = ${ratio.toFixed(2)}x`,
      `< 1.5x: ${verdict(ratio < 1.5)}`,
    );
  }
  if ("toONNX" in all)
    row(
      "`toONNX`",
      `${ms(all.toONNX)}, peak ${mb(all["toONNX peak above base"])}, ${(all["toONNX bytes"] / MB).toFixed(0)} MB written`,
      `< 1 s: ${verdict(all.toONNX < 1000)}`,
    );
  if ("predictAsync onnxruntime 1" in all) {
    const [a, b, c] = [1, 2, 3].map((i) => all[`predictAsync onnxruntime ${i}`]);
    row("`predictAsync` onnxruntime: 1st / 2nd / 3rd", `${ms(a)} / ${ms(b)} / ${ms(c)}`, "session built once");
  }
  if ("write fresh memory" in all) {
    const pageFigure = (a: string, b: string) => `${ms(all[a])}, again ${ms(all[b])}`;
    row(`machine: writing ${(WEIGHT_BYTES / MB).toFixed(0)} MB of fresh memory`, pageFigure("write fresh memory", "write it again"));
    row("machine: writing 105 MB of fresh WebAssembly memory", pageFigure("write fresh wasm memory", "write wasm memory again"));
    row("machine: reading the weight file into fresh memory", ms(all["read file into fresh memory"]));
    row(
      "machine: then reading one byte of each of its 4 KiB pages",
      `${ms(all["first read of its pages"])} (${all["page faults of that read"]} page faults), again ${ms(all["second read of its pages"])}`,
    );
  }
  const text = [
    `# bench/onetime, ${new Date().toISOString().slice(0, 10)}`,
    "",
    `Machine: ${os.cpus()[0]?.model ?? "unknown CPU"}, ${os.cpus().length} cores, load average ${startLoad.toFixed(1)} at the start and ${endLoad.toFixed(1)} at the end. Node ${process.version}. VGG16, batch 1, one thread; every step in a fresh process; weights ${(WEIGHT_BYTES / MB).toFixed(0)} MB.`,
    "",
    ...rows,
    "",
    "Peak: the child's maximum resident set less its resident set just before the step (after a garbage collection).",
  ].join("\n");
  console.log(`\n${text}`);
  if (steps.length === STEPS.length) writeFileSync(join(here, "last-results.md"), `${text}\n`);
}

await main();
