/**
 * Node's side of `src/platform.ts`: the kernel module read from disk
 * synchronously, `worker_threads`, the core count, environment variables and
 * model files by path.
 * Installed on import by the Node entry (`src/node/index.ts`); the core never
 * imports this file.
 */
import { readFileSync } from "node:fs";
import { availableParallelism, totalmem } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { kernelsUrl } from "../kernels/wasm.js";
import type { KernelBuild } from "../kernels/wasm.js";
import { installHost } from "../platform.js";
import { loadModelFromPath, saveModelToDirectory } from "./files.js";
import type { KernelWorker } from "../platform.js";

/**
 * Where a build of the kernel module is looked for: `SHAPEWISE_WASM_FILE`
 * if set (for bundled or relocated installs; it is then the one file read,
 * whichever build it is), else beside the package (`build/` in the
 * repository, `dist/build/` in the built package).
 */
function wasmFiles(build: KernelBuild): string[] {
  const file = process.env.SHAPEWISE_WASM_FILE;
  if (file !== undefined && file !== "") return [file];
  return [fileURLToPath(kernelsUrl(build))];
}

function readWasm(build: KernelBuild): Uint8Array {
  const tried: string[] = [];
  for (const file of wasmFiles(build)) {
    try {
      return readFileSync(file);
    } catch {
      tried.push(file);
    }
  }
  throw new Error(`shapewise-kernels.wasm not found (run \`npm run build:wasm\`); looked at ${tried.join(", ")}`);
}

function startWorker(body: string, data: object): KernelWorker {
  const worker = new Worker(`const { workerData } = require("node:worker_threads");\n(${body})(workerData);`, { eval: true, workerData: data });
  // A worker blocked waiting for work must not keep the process alive.
  worker.unref();
  return {
    terminate: () => worker.terminate(),
    onError: (listener) => void worker.on("error", (e: Error) => listener(e.message)),
  };
}

installHost({
  name: "node",
  readWasm,
  startWorker,
  canBlock: true,
  availableParallelism,
  totalMemory: totalmem,
  env: (name) => process.env[name],
  loadPath: loadModelFromPath,
  savePath: saveModelToDirectory,
  kerasFiles: () => import("../io/keras/files.js"),
});
