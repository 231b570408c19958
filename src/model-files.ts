/**
 * A model written to and read from files by path: `save` chooses the format
 * its target names, and Keras files go through the file system that the
 * Node entry installs.
 */
import { fail, valueText } from "./checks.js";
import type { KerasSaveResult } from "./io/keras/files.js";
import type { TfjsWriteOptions } from "./io/tfjs/format.js";
import { saveModel } from "./io/tfjs/save.js";
import type { SaveResult } from "./io/tfjs/save.js";
import type { Model } from "./model.js";
import { host } from "./platform.js";

/**
 * {@link Model.save}: a `.keras` target gets a Keras 3 file, a `.h5` one a
 * legacy HDF5 model, any other a TensorFlow.js layers model.
 */
export async function saveTo(model: Model, target: string, options: TfjsWriteOptions | undefined): Promise<SaveResult | KerasSaveResult> {
  if (typeof target === "string" && target.endsWith(".keras")) {
    if (options !== undefined) fail(`shapewise: save to a .keras file takes no options (they are TensorFlow.js's), got ${valueText(options)}`);
    return (await kerasFiles("save")).saveKerasModel(model, target);
  }
  if (typeof target === "string" && /\.weights\.h5$/i.test(target)) {
    fail(`shapewise: save writes models; ${valueText(target)} names a weights file: use saveWeights for a .weights.h5 file`);
  }
  if (typeof target === "string" && /\.h5$/i.test(target)) {
    if (options !== undefined) fail(`shapewise: save to a .h5 file takes no options (they are TensorFlow.js's), got ${valueText(options)}`);
    return (await kerasFiles("save")).saveLegacyKerasModel(model, target);
  }
  return saveModel(model, target, options);
}

/** Keras files by path, which need the file system the Node entry installs. */
export function kerasFiles(method: string): Promise<typeof import("./io/keras/files.js")> {
  const load = host().kerasFiles;
  if (load === undefined)
    fail(
      `shapewise: ${method} of a Keras file path needs the file system: import shapewise in Node (or "shapewise/node"); in a browser use modelToKerasFile, weightsToKerasFile or loadWeightsFromBytes`,
    );
  return load();
}

/**
 * What `save` returns for a path of type `P`: `.keras` paths write a Keras
 * file, other paths a TensorFlow.js directory; a path typed only `string`
 * may be either.
 *
 * @example
 * type R = SaveResultFor<"model.keras">; // KerasSaveResult
 */
export type SaveResultFor<P extends string> = string extends P
  ? SaveResult | KerasSaveResult
  : P extends `${string}.keras` | `${string}.h5`
    ? KerasSaveResult
    : SaveResult;
