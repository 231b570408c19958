/**
 * The matrix product's peak on one thread: an `n x n` by `n x n` product
 * (a dense layer of n units without bias, on a batch of n rows) in
 * shapewise's WebAssembly kernels, both builds (relaxed SIMD, whose
 * products use fused multiply-add, and plain SIMD), in onnxruntime-node
 * (the layer's own `toONNX` export, one thread) and in TensorFlow.js's
 * `wasm` backend (`tf.matMul`, SIMD). Each shapewise build runs in a child
 * process of its own (`node --experimental-wasm-relaxed-simd`, the plain one
 * with `SHAPEWISE_WASM_BUILD=simd`), timed by the child and asked for one
 * product at a time, so rounds still alternate the four; medians; GFLOP/s
 * counts 2 n^3 floating-point operations per product.
 *
 * WebAssembly SIMD is 128 bits wide, where onnxruntime's native kernels use
 * the machine's widest vectors and FMA: the ratio says how much of
 * onnxruntime's speed a WebAssembly kernel can reach at all.
 *
 * Usage: npx tsx bench/onetime/gemm.ts [n ...]   (default 512 1024)
 */
import { fork } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import os from "node:os";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { inputData, median } from "../common.js";
import { input, kernelInfo, model, toONNX } from "../../src/node/index.js";
import type { KernelBuild } from "../../src/index.js";

interface Ort {
  InferenceSession: {
    create(
      bytes: Uint8Array,
      options: Record<string, unknown>,
    ): Promise<{ inputNames: readonly string[]; run(feeds: Record<string, unknown>): Promise<unknown> }>;
  };
  Tensor: new (type: string, data: Float32Array, dims: readonly number[]) => unknown;
}

/** The dense layer of the product, the same weights in every process (seed 1). */
function productModel(n: number) {
  const inputs = input({ shape: [n] });
  return model({ inputs, outputs: inputs.dense({ units: n, useBias: false }), seed: 1 });
}

/** A child running one build: answers `{ n }` with the milliseconds of one product. */
function serve(): void {
  const models = new Map<number, ReturnType<typeof productModel>>();
  process.on("message", (message: { n: number }) => {
    const n = message.n;
    if (!models.has(n)) models.set(n, productModel(n));
    const m = models.get(n)!;
    const x = { shape: [n, n], data: inputData(n * n, n) };
    const t0 = performance.now();
    m.predict(x as never, { threads: 1 });
    const ms = performance.now() - t0;
    const info = kernelInfo();
    process.send!({ ms, build: info.build, reason: info.reason });
  });
}

/** Starts a child on `build`; `run(n)` times one product there. */
function child(build: KernelBuild): { run(n: number): Promise<number>; stop(): void } {
  const proc: ChildProcess = fork(fileURLToPath(import.meta.url), ["--serve"], {
    execArgv: ["--experimental-wasm-relaxed-simd", "--import", "tsx"],
    env: { ...process.env, SHAPEWISE_WASM_BUILD: build === "simd" ? "simd" : "" },
  });
  return {
    run: (n) =>
      new Promise((resolve, reject) => {
        proc.once("message", (m: { ms: number; build?: KernelBuild; reason?: string }) => {
          if (m.build !== build) reject(new Error(`the ${build} kernels did not load (${m.build ?? m.reason})`));
          else resolve(m.ms);
        });
        proc.send({ n });
      }),
    stop: () => void proc.kill(),
  };
}

async function main(): Promise<void> {
  const sizes = process.argv.slice(2).map(Number);
  const relaxed = child("relaxed-simd");
  const plain = child("simd");
  try {
    await compare(sizes, relaxed, plain);
  } finally {
    relaxed.stop();
    plain.stop();
  }
}

async function compare(sizes: number[], relaxed: ReturnType<typeof child>, plain: ReturnType<typeof child>): Promise<void> {
  const tf = await import("@tensorflow/tfjs");
  const wasm = await import("@tensorflow/tfjs-backend-wasm");
  wasm.setWasmPaths(`${dirname(createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm"))}/`);
  wasm.setThreadsCount(1);
  await tf.setBackend("wasm");
  await tf.ready();
  const ortModule = (await import("onnxruntime-node")) as unknown as { default?: Ort } & Ort;
  const ort = ortModule.default ?? ortModule;
  const load = os.loadavg()[0];
  const lines = [
    "| n | shapewise relaxed SIMD GFLOP/s | shapewise SIMD GFLOP/s | onnxruntime GFLOP/s | tfjs-wasm GFLOP/s | relaxed / plain | relaxed / ort | relaxed / tfjs |",
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const n of sizes.length > 0 ? sizes : [512, 1024]) {
    const m = productModel(n);
    const x = { shape: [n, n], data: inputData(n * n, n) };
    const [w] = m.getWeights();
    const session = await ort.InferenceSession.create(toONNX(m), {
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      executionMode: "sequential",
      graphOptimizationLevel: "all",
    });
    const feeds = { [session.inputNames[0]]: new ort.Tensor("float32", x.data, x.shape) };
    const a = tf.tensor2d(x.data, [n, n]);
    const b = tf.tensor2d(w.data, [n, n]);
    // The children time themselves: the message round trip is not the product's.
    const runs: Record<string, () => Promise<unknown>> = {
      relaxed: () => relaxed.run(n),
      plain: () => plain.run(n),
      onnxruntime: () => session.run(feeds),
      "tfjs-wasm": async () => {
        const y = tf.matMul(a, b);
        await y.data();
        y.dispose();
      },
    };
    const times: Record<string, number[]> = { relaxed: [], plain: [], onnxruntime: [], "tfjs-wasm": [] };
    const names = Object.keys(runs);
    for (const name of names) await runs[name]();
    const rounds = n >= 1024 ? 7 : 15;
    for (let r = 0; r < rounds; r++) {
      for (let i = 0; i < names.length; i++) {
        const name = names[(i + r) % names.length];
        const t0 = performance.now();
        const own = await runs[name]();
        times[name].push(typeof own === "number" ? own : performance.now() - t0);
      }
    }
    const gflops = (name: string) => (2 * n ** 3) / (median(times[name]) * 1e6);
    const [r, s, o, t] = ["relaxed", "plain", "onnxruntime", "tfjs-wasm"].map(gflops);
    lines.push(
      `| ${n} | ${r.toFixed(1)} | ${s.toFixed(1)} | ${o.toFixed(1)} | ${t.toFixed(1)} | ${(r / s).toFixed(2)} | ${(r / o).toFixed(2)} | ${(r / t).toFixed(2)} |`,
    );
    console.error(lines[lines.length - 1]);
    a.dispose();
    b.dispose();
  }
  console.log(
    `${os.cpus()[0]?.model ?? "unknown CPU"}, one thread each, load average ${load.toFixed(1)} to ${os.loadavg()[0].toFixed(1)}\n\n${lines.join("\n")}`,
  );
}

if (process.argv[2] === "--serve") serve();
else await main();
