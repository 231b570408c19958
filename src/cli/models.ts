/**
 * How the command line finds models in a file: a TensorFlow.js `model.json`
 * (with its weights beside it), a Keras `model.to_json()` file (architecture
 * only: weights as shapewise initialises them), or a TypeScript or
 * JavaScript module whose exported models are used (the module runs).
 */
import path from "node:path";
import { pathToFileURL } from "node:url";

import { ShapeError } from "../errors.js";
import { readRegularFile } from "../node/read-file.js";
import type { Model } from "../model.js";

/**
 * A model found in a file, with the name it was found under (its export name, or the file).
 *
 * @example
 * ```ts
 * const [{ label, model }] = await modelsFromFile("models.ts"); // label "classifier"
 * ```
 */
export interface FoundModel {
  readonly label: string;
  readonly model: Model;
}

/**
 * A failure the command line reports as one sentence, without a stack trace.
 *
 * @example
 * ```ts
 * throw new CliError("shapewise: model.json is not valid JSON: ...");
 * ```
 */
export class CliError extends Error {
  override readonly name = "CliError";
}

/**
 * `true` for a shapewise model, by its public methods: a module run through
 * another loader may hold another copy of the `Model` class.
 *
 * @example
 * ```ts
 * Object.values(await import("./models.js")).filter(isModel);
 * ```
 */
export function isModel(value: unknown): value is Model {
  if (value === null || typeof value !== "object") return false;
  const m = value as Partial<Record<"graph" | "summary" | "countParams" | "predict", unknown>>;
  return typeof m.graph === "function" && typeof m.summary === "function" && typeof m.countParams === "function" && typeof m.predict === "function";
}

const SCRIPT = /\.(ts|mts|cts|tsx|js|mjs|cjs)$/i;

/**
 * The models of a file, in the order the file lists them (at least one, or a `CliError`).
 *
 * @example
 * ```ts
 * const found = await modelsFromFile("web_model/model.json"); // [{ label: "model.json", model }]
 * ```
 */
export async function modelsFromFile(file: string): Promise<FoundModel[]> {
  const full = path.resolve(file);
  if (SCRIPT.test(full)) return modelsFromModule(full);
  if (/\.json$/i.test(full)) return [{ label: path.basename(full), model: await modelFromJson(full, file) }];
  if (/\.(keras|h5)$/i.test(full)) return [{ label: path.basename(full), model: await (await import("../io/keras/files.js")).loadKerasModel(full) }];
  throw new CliError(`shapewise: ${file} is neither a model file (.json, .keras, .h5) nor a module (.ts, .js)`);
}

async function modelFromJson(full: string, shownAs: string): Promise<Model> {
  let text: string;
  const { DEFAULT_MAX_JSON_BYTES } = await import("../io/file-graph.js");
  try {
    // The guarded reader: a regular file within the JSON limit, never a FIFO or a device.
    text = new TextDecoder().decode(await readRegularFile(full, { limit: DEFAULT_MAX_JSON_BYTES, option: "maxJsonBytes", shownAs }));
  } catch (error) {
    if (error instanceof ShapeError) throw new CliError(error.message);
    throw new CliError(`shapewise: cannot read ${full}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CliError(`shapewise: ${full} is not valid JSON: ${(error as Error).message}`);
  }
  const record = json !== null && typeof json === "object" ? (json as Record<string, unknown>) : {};
  if ("modelTopology" in record) {
    const { loadModel } = await import("../io/tfjs/load.js");
    return loadModel(full);
  }
  if ("class_name" in record && "config" in record) {
    const { modelFromKerasJSON } = await import("../io/keras/json-read.js");
    return modelFromKerasJSON(text);
  }
  throw new CliError(`shapewise: ${full} is neither a TensorFlow.js model.json (no 'modelTopology') nor a Keras model JSON (no 'class_name' and 'config')`);
}

/** Runs a module (TypeScript through tsx) and collects its exported models. */
async function modelsFromModule(full: string): Promise<FoundModel[]> {
  const url = pathToFileURL(full).href;
  let exports: Record<string, unknown>;
  try {
    exports = /\.(ts|mts|cts|tsx)$/i.test(full) ? await importTypeScript(full) : await import(url);
  } catch (error) {
    if (error instanceof CliError) throw error;
    const e = error as Error;
    throw new CliError(`shapewise: running ${full} failed: ${e.message ?? String(error)}`);
  }
  const found: FoundModel[] = [];
  for (const [name, value] of Object.entries(exports)) {
    if (isModel(value) && !found.some((f) => f.model === value)) found.push({ label: name, model: value });
  }
  if (found.length === 0) throw new CliError(`shapewise: ${full} exports no model (export const m = model({ inputs, outputs }))`);
  return found;
}

/** Imports a TypeScript module with tsx (a peer of the command line for `.ts` files). */
async function importTypeScript(full: string): Promise<Record<string, unknown>> {
  const specifier = "tsx/esm/api";
  let api: { tsImport(specifier: string, options: { parentURL: string }): Promise<Record<string, unknown>> };
  try {
    api = await import(specifier);
  } catch {
    throw new CliError(`shapewise: running ${path.basename(full)} needs the tsx package: npm install --save-dev tsx`);
  }
  return api.tsImport(pathToFileURL(full).href, { parentURL: import.meta.url });
}
