/**
 * The matrix product's peak on one thread: an `n x n` by `n x n` product
 * (a dense layer of n units without bias, on a batch of n rows) in
 * shapewise's WebAssembly kernels, in onnxruntime-node (the layer's own
 * `toONNX` export, one thread) and in TensorFlow.js's `wasm` backend
 * (`tf.matMul`, SIMD). Rounds alternate the three; medians; GFLOP/s counts
 * 2 n^3 floating-point operations per product.
 *
 * WebAssembly SIMD is 128 bits wide with no fused multiply-add, where
 * onnxruntime's native kernels use the machine's widest vectors and FMA:
 * the ratio says how much of onnxruntime's speed a WebAssembly kernel can
 * reach at all.
 *
 * Usage: npx tsx bench/onetime/gemm.ts [n ...]   (default 512 1024)
 */
import { createRequire } from "node:module";
import os from "node:os";
import { dirname } from "node:path";
import { inputData, median } from "../common.js";
import { input, kernelInfo, model, toONNX } from "../../src/node/index.js";

interface Ort {
  InferenceSession: {
    create(
      bytes: Uint8Array,
      options: Record<string, unknown>,
    ): Promise<{ inputNames: readonly string[]; run(feeds: Record<string, unknown>): Promise<unknown> }>;
  };
  Tensor: new (type: string, data: Float32Array, dims: readonly number[]) => unknown;
}

async function main(): Promise<void> {
  const sizes = process.argv.slice(2).map(Number);
  if (!kernelInfo().wasm) throw new Error(`the WebAssembly kernels did not load: ${kernelInfo().reason}`);
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
    "| n | shapewise GFLOP/s | onnxruntime GFLOP/s | tfjs-wasm GFLOP/s | shapewise / ort | shapewise / tfjs |",
    "| ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const n of sizes.length > 0 ? sizes : [512, 1024]) {
    const inputs = input({ shape: [n] });
    const m = model({ inputs, outputs: inputs.dense({ units: n, useBias: false }), seed: 1 });
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
    const runs: Record<string, () => Promise<unknown>> = {
      shapewise: async () => m.predict(x as never, { threads: 1 }),
      onnxruntime: () => session.run(feeds),
      "tfjs-wasm": async () => {
        const y = tf.matMul(a, b);
        await y.data();
        y.dispose();
      },
    };
    const times: Record<string, number[]> = { shapewise: [], onnxruntime: [], "tfjs-wasm": [] };
    const names = Object.keys(runs);
    for (const name of names) await runs[name]();
    const rounds = n >= 1024 ? 7 : 15;
    for (let r = 0; r < rounds; r++) {
      for (let i = 0; i < names.length; i++) {
        const name = names[(i + r) % names.length];
        const t0 = performance.now();
        await runs[name]();
        times[name].push(performance.now() - t0);
      }
    }
    const gflops = (name: string) => (2 * n ** 3) / (median(times[name]) * 1e6);
    const [s, o, t] = ["shapewise", "onnxruntime", "tfjs-wasm"].map(gflops);
    lines.push(`| ${n} | ${s.toFixed(1)} | ${o.toFixed(1)} | ${t.toFixed(1)} | ${(s / o).toFixed(2)} | ${(s / t).toFixed(2)} |`);
    console.error(lines[lines.length - 1]);
    a.dispose();
    b.dispose();
  }
  console.log(
    `${os.cpus()[0]?.model ?? "unknown CPU"}, one thread each, load average ${load.toFixed(1)} to ${os.loadavg()[0].toFixed(1)}\n\n${lines.join("\n")}`,
  );
}

await main();
