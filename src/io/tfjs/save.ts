/**
 * Where TensorFlow.js layers models are saved to, as
 * TensorFlow.js's own `io` handlers name them:
 *
 * - `indexeddb://name`: the browser's IndexedDB, in TensorFlow.js's schema
 *   (database `tensorflowjs` version 1, stores `models_store` and
 *   `model_info_store` keyed by `modelPath`, as tfjs-core's
 *   `io/indexed_db.ts` writes them), so `tf.loadLayersModel("indexeddb://name")`
 *   reads what shapewise saves and the other way round;
 * - `downloads://name`: a download of `name.json` and `name.weights.bin`;
 * - `http://` and `https://` URLs (and, in a page, relative URLs): `fetch`;
 * - `File`s (an `<input type="file" multiple>`'s list): `model.json` and its
 *   weight files, matched by name;
 * - a path: the file system, where the Node entry provides one.
 *
 * Everything read goes through the same checks as `modelFromTfjsArtifacts`.
 */
import { fail, valueText } from "../../checks.js";
import { host } from "../../platform.js";
import type { AnyModel } from "../file-graph.js";
import { DOWNLOADS, INDEXEDDB, INFO_STORE, MODELS_STORE, finished, openDatabase, web } from "./store.js";
import type { TfjsArtifacts, TfjsWriteOptions } from "./format.js";
import { modelToTfjsArtifacts, tfjsModelJson } from "./write.js";

/**
 * What {@link saveModel} wrote: where the topology and the weights went
 * (file paths, or the `indexeddb://` / `downloads://` address for both) and
 * how many weight bytes.
 *
 * @example
 * const { modelJson, weights, weightBytes } = await saveModel(m, "out/");
 */
export interface SaveResult {
  readonly modelJson: string;
  readonly weights: string;
  readonly weightBytes: number;
}

function utf8Length(text: string): number {
  return new TextEncoder().encode(text).byteLength;
}

async function saveToIndexedDB(artifacts: TfjsArtifacts, modelPath: string): Promise<SaveResult> {
  const db = await openDatabase();
  try {
    const modelArtifactsInfo = {
      dateSaved: new Date(),
      modelTopologyType: "JSON",
      modelTopologyBytes: utf8Length(JSON.stringify(artifacts.modelTopology)),
      weightSpecsBytes: utf8Length(JSON.stringify(artifacts.weightSpecs)),
      weightDataBytes: artifacts.weightData.byteLength,
    };
    const modelArtifacts = { ...artifacts };
    // One transaction over both stores: the info and the model are there together or not at all.
    const tx = db.transaction([INFO_STORE, MODELS_STORE], "readwrite");
    const done = finished(tx, `save ${valueText(modelPath)}`);
    tx.objectStore(INFO_STORE).put({ modelPath, modelArtifactsInfo });
    tx.objectStore(MODELS_STORE).put({ modelPath, modelArtifacts, modelArtifactsInfo });
    await done;
  } finally {
    db.close();
  }
  const where = INDEXEDDB + modelPath;
  return { modelJson: where, weights: where, weightBytes: artifacts.weightData.byteLength };
}

// ---------------------------------------------------------------------------
// Downloads
// ---------------------------------------------------------------------------

function saveToDownloads(artifacts: TfjsArtifacts, name: string): SaveResult {
  const { document, Blob } = web;
  const createUrl = web.URL.createObjectURL;
  if (document === undefined || Blob === undefined || createUrl === undefined) fail("shapewise: downloads:// needs a browser page");
  const base = name === "" ? "model" : name;
  // As TensorFlow.js's downloads handler: NAME.json whose manifest names NAME.weights.bin.
  const weightsName = `${base}.weights.bin`;
  const json = JSON.stringify(tfjsModelJson(artifacts, `./${weightsName}`));
  const files: [string, object][] = [
    [`${base}.json`, new Blob([json], { type: "application/json" })],
    [weightsName, new Blob([artifacts.weightData], { type: "application/octet-stream" })],
  ];
  for (const [fileName, blob] of files) {
    const url = createUrl(blob);
    const a = document.createElement("a");
    a.href = url;
    a.download = fileName;
    a.click();
    // The click has started the download; the URL may go once the page moves on.
    setTimeout(() => web.URL.revokeObjectURL?.(url), 60_000);
  }
  return { modelJson: `${DOWNLOADS}${base}.json`, weights: `${DOWNLOADS}${weightsName}`, weightBytes: artifacts.weightData.byteLength };
}

/**
 * Saves a model as a TensorFlow.js layers model: to `indexeddb://name`, to
 * `downloads://name` (`name.json` and `name.weights.bin`), or (Node) to a
 * directory path (`model.json` and `weights.bin`, written under temporary
 * names and renamed at the end). `tf.loadLayersModel` reads each of them.
 * Everything that can fail on the model fails before anything is written.
 *
 * @example
 * await saveModel(m, "indexeddb://mnist"); // then loadModel("indexeddb://mnist")
 * await saveModel(m, "models/mnist");      // Node: models/mnist/model.json + weights.bin
 */
export async function saveModel(m: AnyModel, target: string, options: TfjsWriteOptions = {}): Promise<SaveResult> {
  if (typeof target !== "string" || target.length === 0)
    fail(`shapewise: save needs a directory path, indexeddb:// or downloads:// address, got ${valueText(target)}`);
  if (target.startsWith(INDEXEDDB)) {
    const name = target.slice(INDEXEDDB.length);
    if (name === "") fail(`shapewise: save needs a name after indexeddb://, got ${valueText(target)}`);
    return saveToIndexedDB(modelToTfjsArtifacts(m, options), name);
  }
  if (target.startsWith(DOWNLOADS)) return saveToDownloads(modelToTfjsArtifacts(m, options), target.slice(DOWNLOADS.length));
  const savePath = host().savePath;
  if (savePath === undefined)
    fail(`shapewise: saving to the path ${valueText(target)} needs the file system: import shapewise in Node, or save to indexeddb:// or downloads://`);
  return savePath(m, target, options);
}
