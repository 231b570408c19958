/**
 * Keras files by path (Node only): `.keras` and `.h5` models read and
 * `.keras` written, `.weights.h5` read onto and written from a model. The
 * size on disk is checked against the limits before a byte is read; writes
 * go to a temporary name renamed at the end, so a failure leaves no
 * half-written file.
 */
import { open, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { fail, valueText } from "../../checks.js";
import type { Model } from "../../model.js";
import { limitsOption } from "../file-graph.js";
import type { AnyModel, LoadLimits } from "../file-graph.js";
import { loadWeightsFromBytes, modelFromKerasFile } from "./read.js";
import { modelToKerasFile, modelToLegacyH5, weightsToKerasFile } from "./write.js";

/**
 * What writing a Keras file did: where, and how many bytes.
 *
 * @example
 * const { file, bytes } = await m.save("model.keras");
 */
export interface KerasSaveResult {
  readonly file: string;
  readonly bytes: number;
}

async function readLimited(file: string, limit: number, verb: string): Promise<Uint8Array> {
  if (typeof file !== "string" || file.length === 0) fail(`shapewise: ${verb} needs a file path, got ${valueText(file)}`);
  const info = await stat(file).catch(() => fail(`shapewise: ${verb} found nothing at ${valueText(file)}`));
  if (!info.isFile()) fail(`shapewise: ${verb} needs a file, but ${valueText(file)} is not one`);
  if (info.size > limit)
    fail(`shapewise: ${path.basename(file)} is ${info.size} bytes, more than the limit of ${limit} bytes (options maxBytes + maxJsonBytes)`);
  const bytes = new Uint8Array(info.size);
  const handle = await open(file, "r");
  try {
    let done = 0;
    while (done < info.size) {
      const { bytesRead } = await handle.read(bytes, done, info.size - done, done);
      if (bytesRead === 0) fail(`shapewise: ${path.basename(file)} became shorter while it was read`);
      done += bytesRead;
    }
  } finally {
    await handle.close();
  }
  return bytes;
}

async function writeAtomically(file: string, bytes: Uint8Array): Promise<KerasSaveResult> {
  const tmp = `${file}.tmp-${process.pid}-${Date.now()}`;
  try {
    await writeFile(tmp, bytes);
    await rename(tmp, file);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
  return { file, bytes: bytes.length };
}

/**
 * Reads a Keras model file: Keras 3's `.keras`, or a legacy `.h5` model
 * (tf.keras 2, or Keras 3's `save("x.h5")`), with its layer names, shapes
 * and weights. `loadModel` calls it for these extensions.
 *
 * @example
 * const m = await loadKerasModel("classifier.keras");
 * m.summary();
 */
export async function loadKerasModel(file: string, options?: LoadLimits): Promise<Model> {
  const { maxBytes, maxJsonBytes } = limitsOption(options);
  const bytes = await readLimited(file, maxBytes + maxJsonBytes, "loadModel");
  return modelFromKerasFile(bytes, { maxBytes, maxJsonBytes, fileName: path.basename(file) });
}

/**
 * Writes the model as a Keras 3 `.keras` file, which
 * `keras.saving.load_model` reads; `m.save("x.keras")` calls it.
 *
 * @example
 * await saveKerasModel(m, "classifier.keras");
 */
export async function saveKerasModel(m: AnyModel, file: string): Promise<KerasSaveResult> {
  if (typeof file !== "string" || !file.endsWith(".keras")) fail(`shapewise: saveKerasModel needs a path ending in .keras, got ${valueText(file)}`);
  return writeAtomically(file, await modelToKerasFile(m));
}

/**
 * Writes the model as a legacy `.h5` file (Keras 3's `save("x.h5")`
 * layout, tf.keras 2's format), which `keras.models.load_model` reads;
 * `m.save("x.h5")` calls it.
 *
 * @example
 * await saveLegacyKerasModel(m, "classifier.h5");
 */
export async function saveLegacyKerasModel(m: AnyModel, file: string): Promise<KerasSaveResult> {
  if (typeof file !== "string" || !/\.h5$/i.test(file) || /\.weights\.h5$/i.test(file))
    fail(`shapewise: saveLegacyKerasModel needs a path ending in .h5 (not .weights.h5), got ${valueText(file)}`);
  return writeAtomically(file, await modelToLegacyH5(m));
}

/**
 * Reads a Keras weights file onto a model built in code, as Keras's
 * `model.load_weights` does (see `loadWeightsFromBytes`); a `.keras` file's
 * weights read too.
 *
 * @example
 * await loadWeights(m, "classifier.weights.h5");
 */
export async function loadWeights(m: AnyModel, file: string, options?: LoadLimits): Promise<void> {
  const { maxBytes, maxJsonBytes } = limitsOption(options);
  const bytes = await readLimited(file, maxBytes + maxJsonBytes, "loadWeights");
  await loadWeightsFromBytes(m, bytes, { maxBytes, maxJsonBytes, fileName: path.basename(file) });
}

/**
 * Writes the model's weights as a Keras 3 `.weights.h5` file (the suffix
 * Keras requires), which `model.load_weights` reads onto the same model.
 *
 * @example
 * await saveWeights(m, "classifier.weights.h5");
 */
export async function saveWeights(m: AnyModel, file: string): Promise<KerasSaveResult> {
  if (typeof file !== "string" || !file.endsWith(".weights.h5"))
    fail(`shapewise: saveWeights needs a path ending in .weights.h5 (as Keras 3 does), got ${valueText(file)}`);
  return writeAtomically(file, await weightsToKerasFile(m));
}
