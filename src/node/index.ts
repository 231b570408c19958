/**
 * shapewise for Node: everything the core entry exports, with the kernels
 * read from disk, `worker_threads` for `predict`'s threads and model files by
 * path. `import ... from "shapewise"` resolves here in Node (the package's
 * `node` export condition); `shapewise/node` names it explicitly.
 *
 * @example
 * import { input, model, loadModel } from "shapewise/node";
 * const m = await loadModel("models/mnist"); // model.json + weights.bin from disk
 */
import "./host.js";

export * from "../index.js";
export { loadKerasModel, loadWeights, saveKerasModel, saveWeights } from "../io/keras/files.js";
