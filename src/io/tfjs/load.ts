/**
 * Where TensorFlow.js layers models are loaded from, as
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
import type { Model } from "../../model.js";
import { host } from "../../platform.js";
import { limitsOption } from "../file-graph.js";
import type { LoadLimits } from "../file-graph.js";
import { parseJsonSafely } from "../json.js";
import { INDEXEDDB, MODELS_STORE, openDatabase, request, web } from "./store.js";
import type { FetchResponse } from "./store.js";
import { modelFromTfjsArtifacts, modelFromTfjsFiles } from "./read.js";

/**
 * A browser `File` (or `Blob` with a name), as far as loading reads it.
 *
 * @example
 * const files: ModelFile[] = Array.from(inputElement.files!);
 */
export interface ModelFile {
  readonly name: string;
  readonly size: number;
  arrayBuffer(): Promise<ArrayBuffer>;
}

/**
 * What {@link loadModel} reads: a path or URL string (`indexeddb://name`,
 * `https://...`, a file path in Node), a `URL`, or the files of a model
 * (`model.json` and its weight files).
 *
 * @example
 * const from: ModelSource = "indexeddb://mnist";
 */
export type ModelSource = string | URL | readonly ModelFile[] | { readonly length: number; readonly [index: number]: ModelFile };

async function loadFromIndexedDB(modelPath: string, options?: LoadLimits): Promise<Model> {
  const db = await openDatabase();
  let entry: unknown;
  try {
    const tx = db.transaction(MODELS_STORE, "readonly");
    entry = await request(tx.objectStore(MODELS_STORE).get(modelPath), `read ${valueText(modelPath)}`);
  } finally {
    db.close();
  }
  const artifacts = (entry as { modelArtifacts?: { weightData?: unknown } } | undefined)?.modelArtifacts;
  if (artifacts === undefined || artifacts === null || typeof artifacts !== "object")
    fail(`shapewise: IndexedDB holds no model at ${valueText(INDEXEDDB + modelPath)}`);
  // TensorFlow.js may keep the weights as one buffer or as a list of them.
  const data = artifacts.weightData;
  const weightData = Array.isArray(data) ? joinBuffers(data) : data;
  return modelFromTfjsArtifacts(artifacts, weightData as ArrayBuffer, options);
}

function joinBuffers(parts: readonly unknown[]): Uint8Array {
  const views = parts.map((p) =>
    p instanceof ArrayBuffer ? new Uint8Array(p) : fail(`shapewise: IndexedDB weight data must be ArrayBuffers, got ${valueText(p)}`),
  );
  const out = new Uint8Array(views.reduce((s, v) => s + v.byteLength, 0));
  let at = 0;
  for (const v of views) {
    out.set(v, at);
    at += v.byteLength;
  }
  return out;
}

// ---------------------------------------------------------------------------
// URLs
// ---------------------------------------------------------------------------

/** Reads a response body, refusing more than `limit` bytes (by its length header first, then as it streams). */
async function readCapped(response: FetchResponse, limit: number, what: string, option: string): Promise<Uint8Array> {
  const declared = Number(response.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > limit) fail(`shapewise: ${what} is ${declared} bytes, more than the limit of ${limit} bytes (option ${option})`);
  if (response.body === null) return new Uint8Array(await response.arrayBuffer());
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (value === undefined) continue;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel();
      fail(`shapewise: ${what} is more than the limit of ${limit} bytes (option ${option})`);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

async function fetchChecked(url: string): Promise<FetchResponse> {
  if (web.fetch === undefined) fail("shapewise: loading from a URL needs fetch");
  let response: FetchResponse;
  try {
    response = await web.fetch(url);
  } catch (e) {
    return fail(`shapewise: loadModel could not fetch ${valueText(url)}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!response.ok) fail(`shapewise: loadModel could not fetch ${valueText(url)}: HTTP ${response.status}`);
  return response;
}

async function loadFromUrl(url: URL, options?: LoadLimits): Promise<Model> {
  const { maxBytes, maxJsonBytes } = limitsOption(options);
  const response = await fetchChecked(url.href);
  const text = new TextDecoder().decode(await readCapped(response, maxJsonBytes, "model.json", "maxJsonBytes"));
  const json = parseJsonSafely(text, "model.json");
  // Weight files are looked for beside model.json and nowhere else, as on disk.
  const folder = new URL(".", response.url === "" ? url : new URL(response.url));
  return modelFromTfjsFiles(
    json,
    async (p) => {
      const shard = /^[a-z][a-z0-9+.-]*:/i.test(p) || p.startsWith("/") || p.includes("\0") ? undefined : new URL(p, folder);
      if (shard === undefined || shard.origin !== folder.origin || !shard.pathname.startsWith(folder.pathname) || shard.pathname === folder.pathname) {
        fail(`shapewise: weights manifest path ${valueText(p)} leads outside the model's folder`);
      }
      const r = await fetchChecked(shard.href);
      // A URL's size is known only by reading it; the cap keeps a lying server from growing it.
      const bytes = await readCapped(r, maxBytes, `weights file ${valueText(p)}`, "maxBytes");
      return { size: bytes.byteLength, read: async (into, at) => into.set(bytes, at) };
    },
    options,
  );
}

// ---------------------------------------------------------------------------
// Files
// ---------------------------------------------------------------------------

function baseName(p: string): string {
  return p.split(/[\\/]/).pop() ?? p;
}

async function loadFromFiles(files: readonly ModelFile[], options?: LoadLimits): Promise<Model> {
  const { maxJsonBytes } = limitsOption(options);
  for (const [i, f] of files.entries()) {
    if (f === null || typeof f !== "object" || typeof f.name !== "string" || typeof f.size !== "number" || typeof f.arrayBuffer !== "function") {
      fail(`shapewise: loadModel files[${i}] must be a File, got ${valueText(f)}`);
    }
  }
  const jsons = files.filter((f) => f.name.toLowerCase().endsWith(".json"));
  if (jsons.length !== 1)
    fail(`shapewise: loadModel needs exactly one .json file among the files, got ${jsons.length} (${files.map((f) => f.name).join(", ")})`);
  const [jsonFile] = jsons;
  if (jsonFile.size > maxJsonBytes)
    fail(`shapewise: ${jsonFile.name} is ${jsonFile.size} bytes, more than the limit of ${maxJsonBytes} bytes (option maxJsonBytes)`);
  const json = parseJsonSafely(new TextDecoder().decode(await jsonFile.arrayBuffer()), jsonFile.name);
  return modelFromTfjsFiles(
    json,
    async (p) => {
      // Files chosen in a dialog have names but no folders: a manifest path is matched by its last part.
      const file = files.find((f) => f !== jsonFile && f.name === baseName(p));
      if (file === undefined) fail(`shapewise: weights file ${valueText(p)} is not among the files (${files.map((f) => f.name).join(", ")})`);
      return {
        size: file.size,
        read: async (into, at) => {
          const bytes = new Uint8Array(await file.arrayBuffer());
          if (bytes.byteLength !== file.size) fail(`shapewise: weights file ${valueText(file.name)} changed size while it was read`);
          into.set(bytes, at);
        },
      };
    },
    options,
  );
}

// ---------------------------------------------------------------------------
// The routers
// ---------------------------------------------------------------------------

/**
 * Reads a TensorFlow.js layers model into a shapewise model with the file's
 * layer names, shapes and weights, every rule checked again: from
 * `indexeddb://name`, from a URL (`fetch`), from the `File`s of
 * `model.json` and its weights, or (Node) from a path to `model.json` or
 * its directory. Sizes are checked against `maxBytes` (weights, default 2
 * GiB) and `maxJsonBytes` (default 256 MiB) before anything is allocated.
 *
 * @example
 * const m = await loadModel("models/mnist");            // Node: models/mnist/model.json
 * const n = await loadModel("indexeddb://mnist");       // a browser's IndexedDB
 * const o = await loadModel("https://example.com/mnist/model.json");
 */
export async function loadModel(source: ModelSource, options?: LoadLimits): Promise<Model> {
  limitsOption(options);
  if (source instanceof URL) return loadFromUrl(source, options);
  if (typeof source === "string") {
    if (source.length === 0) fail(`shapewise: loadModel needs a path or URL, got ""`);
    if (source.startsWith(INDEXEDDB)) return loadFromIndexedDB(source.slice(INDEXEDDB.length), options);
    if (/^https?:\/\//i.test(source)) return loadFromUrl(new URL(source), options);
    const loadPath = host().loadPath;
    if (loadPath !== undefined) return loadPath(source, options);
    // In a page, anything else is a URL relative to it.
    if (web.location !== undefined) return loadFromUrl(new URL(source, web.location.href), options);
    return fail(`shapewise: loadModel of the path ${valueText(source)} needs the file system: import shapewise in Node (or "shapewise/node")`);
  }
  if (source !== null && typeof source === "object" && typeof (source as { length?: unknown }).length === "number") {
    return loadFromFiles(Array.from(source as ArrayLike<ModelFile>), options);
  }
  return fail(`shapewise: loadModel needs a path, a URL or the model's files, got ${valueText(source)}`);
}
