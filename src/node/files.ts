/**
 * TensorFlow.js layers models as files on disk: `model.json` and
 * `weights.bin` in a directory. The Node entry installs these as the
 * handlers of plain paths in `loadModel` and `Model.save`.
 */
import { mkdir, realpath, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { fail, valueText } from "../checks.js";
import { limitsOption } from "../io/file-graph.js";
import { parseJsonSafely } from "../io/json.js";
import type { AnyModel, LoadLimits } from "../io/file-graph.js";
import { modelFromTfjsFiles } from "../io/tfjs/read.js";
import { modelToTfjsArtifacts, tfjsModelJson } from "../io/tfjs/write.js";
import type { TfjsWriteOptions } from "../io/tfjs/format.js";
import type { SaveResult } from "../io/tfjs/save.js";
import type { Model } from "../model.js";
import { readExactly, readRegularFile, regularFileSize } from "./read-file.js";

/**
 * Writes `model.json` and `weights.bin` into a directory (made if missing),
 * in the TensorFlow.js layers-model format. Both files are written under
 * temporary names and renamed at the end, so a failure leaves no half-written
 * model behind.
 *
 * @example
 * await saveModelToDirectory(m, "models/mnist"); // then tf.loadLayersModel("file://models/mnist/model.json")
 */
export async function saveModelToDirectory(m: AnyModel, dir: string, options: TfjsWriteOptions = {}): Promise<SaveResult> {
  if (typeof dir !== "string" || dir.length === 0) fail(`shapewise: save needs a directory path, got ${valueText(dir)}`);
  // Everything that can fail on the model fails here, before the file system is touched.
  const artifacts = modelToTfjsArtifacts(m, options);
  const json = JSON.stringify(tfjsModelJson(artifacts));
  await mkdir(dir, { recursive: true });
  const modelJson = path.join(dir, "model.json");
  const weights = path.join(dir, "weights.bin");
  const suffix = `.tmp-${process.pid}-${Date.now()}`;
  const tmpJson = modelJson + suffix;
  const tmpWeights = weights + suffix;
  try {
    await writeFile(tmpWeights, new Uint8Array(artifacts.weightData));
    await writeFile(tmpJson, json);
    // Weights first: a reader that finds the new model.json finds its weights too.
    await rename(tmpWeights, weights);
    await rename(tmpJson, modelJson);
  } catch (error) {
    await rm(tmpWeights, { force: true });
    await rm(tmpJson, { force: true });
    throw error;
  }
  return { modelJson, weights, weightBytes: artifacts.weightData.byteLength };
}

/**
 * Resolves a manifest path inside the model's directory; absolute paths,
 * `..` steps and symbolic links that lead outside are errors.
 */
async function shardPath(dir: string, realDir: string, p: string): Promise<string> {
  const bad = () => fail(`shapewise: weights manifest path ${valueText(p)} leads outside the model directory`);
  if (path.isAbsolute(p) || p.includes("\0") || /^[a-z]+:\/\//i.test(p)) bad();
  const full = path.resolve(dir, p);
  const rel = path.relative(dir, full);
  if (rel === "" || rel.startsWith("..") || path.isAbsolute(rel)) bad();
  let real: string;
  try {
    real = await realpath(full);
  } catch {
    return fail(`shapewise: weights file ${valueText(p)} does not exist next to model.json`);
  }
  const realRel = path.relative(realDir, real);
  if (realRel === "" || realRel.startsWith("..") || path.isAbsolute(realRel)) bad();
  return real;
}

/**
 * Reads a TensorFlow.js layers model (`model.json` and its weight files)
 * from disk. Takes the `model.json` path or its directory. Sizes are checked
 * against `maxBytes` (weights, default 2 GiB) and `maxJsonBytes` (default
 * 256 MiB) before anything is read or allocated.
 *
 * @example
 * const m = await loadModelFromPath("models/mnist"); // models/mnist/model.json
 */
export async function loadModelFromPath(pathOrDir: string, options?: LoadLimits): Promise<Model> {
  const { maxBytes, maxJsonBytes } = limitsOption(options);
  if (typeof pathOrDir !== "string" || pathOrDir.length === 0) fail(`shapewise: loadModel needs a path, got ${valueText(pathOrDir)}`);
  // Keras files are read by their own module, loaded (with its HDF5 and zip libraries) only for them.
  if (/\.(keras|h5)$/i.test(pathOrDir)) return (await import("../io/keras/files.js")).loadKerasModel(pathOrDir, options);
  let file = path.resolve(pathOrDir);
  // Sentences name files as the caller gave them, never resolved.
  let shownAs = pathOrDir;
  // stat never blocks, even on a FIFO: the file itself is checked again when it is opened.
  const info = await stat(file).catch(() => fail(`shapewise: loadModel found nothing at ${valueText(pathOrDir)}`));
  if (info.isDirectory()) {
    file = path.join(file, "model.json");
    shownAs = path.join(pathOrDir, "model.json");
    await stat(file).catch(() => fail(`shapewise: loadModel found no model.json in ${valueText(pathOrDir)}`));
  }
  const buffer = await readRegularFile(file, { limit: maxJsonBytes, option: "maxJsonBytes", shownAs });
  const json = parseJsonSafely(new TextDecoder().decode(buffer), path.basename(file));
  const dir = path.dirname(file);
  const realDir = await realpath(dir);
  return modelFromTfjsFiles(
    json,
    async (p) => {
      const real = await shardPath(dir, realDir, p);
      const about = { limit: maxBytes, option: "maxBytes", shownAs: path.join(path.dirname(shownAs), p) };
      const size = await regularFileSize(real, about);
      return { size, read: (into, at) => readExactly(real, into, at, size, about) };
    },
    options,
  );
}
