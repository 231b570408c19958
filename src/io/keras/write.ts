/**
 * shapewise models as Keras 3 writes its files, in memory: the `.keras`
 * zip (`metadata.json`, `config.json`, `model.weights.h5`, stored
 * uncompressed in that order, as Python's `zipfile` does for Keras) and the
 * `.weights.h5` store, with Keras's groups, `name` attributes, dataset
 * names, float32 dtype and contiguous layout, so `keras.saving.load_model`
 * and `model.load_weights` read them.
 */
import { fail } from "../../checks.js";
import type { Layer } from "../../layers/layer.js";
import type { AnyModel } from "../graph-build.js";
import { toKerasJSON } from "../keras-json.js";
import { writeHdf5 } from "./hdf5.js";
import type { H5Group } from "./hdf5.js";
import { kerasStateGroups } from "./layout.js";
import { zipLibrary } from "./libraries.js";

/** The Keras release whose files these are: what `metadata.json` names. */
export const KERAS_FILE_VERSION = "3.15.1";

function groupPath(root: H5Group, path: string): H5Group {
  let group = root;
  if (path === "") return group;
  for (const part of path.split("/")) {
    const next = group.get(part);
    group = (next ?? group.create_group(part)) as H5Group;
  }
  return group;
}

/**
 * The bytes of a Keras 3 `.weights.h5` file of the model's weights (also
 * the `model.weights.h5` inside a `.keras` zip): `model.load_weights` in
 * Keras 3 reads it onto the same model built in Python.
 *
 * @example
 * await writeFile("model.weights.h5", await weightsToKerasFile(m));
 */
export async function weightsToKerasFile(m: AnyModel): Promise<Uint8Array> {
  const weights = m.getWeights();
  const groups = kerasStateGroups(m);
  const specs = (m.layers as readonly Layer[]).flatMap((layer) => layer.weightSpecs());
  if (specs.length !== weights.length) fail(`shapewise: model '${m.name}' has ${weights.length} weight values for ${specs.length} weights`);
  return writeHdf5((file) => {
    for (const g of groups) {
      const vars = groupPath(file, g.path === "" ? "vars" : `${g.path}/vars`);
      // Keras records the name of every object it stores, as a variable-length UTF-8 string.
      vars.create_attribute("name", g.name, null, "S");
      g.weights.forEach((index, i) => {
        const w = weights[index];
        vars.create_dataset({ name: String(i), data: w.data, shape: [...w.shape], dtype: "<f" });
      });
    }
  });
}

/**
 * Local date and time as Keras's `metadata.json` writes it: `2026-12-06@11:09:34`.
 *
 * @example
 * kerasDate(new Date(2026, 11, 6, 11, 9, 34)); // "2026-12-06@11:09:34"
 */
export function kerasDate(d: Date): string {
  const two = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}@${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/**
 * The bytes of a Keras 3 `.keras` file of the model: its topology as
 * `config.json` (the text `toKerasJSON` writes, which is what Keras stores),
 * `metadata.json`, and the weights as `model.weights.h5`.
 * `keras.saving.load_model` reads it.
 *
 * @example
 * await writeFile("model.keras", await modelToKerasFile(m));
 */
export async function modelToKerasFile(m: AnyModel): Promise<Uint8Array> {
  const config = toKerasJSON(m);
  const weights = await weightsToKerasFile(m);
  const { zipSync, strToU8 } = await zipLibrary();
  const now = new Date();
  const metadata = `{"keras_version": "${KERAS_FILE_VERSION}", "date_saved": "${kerasDate(now)}"}`;
  const stored = { level: 0 as const, mtime: now };
  return zipSync({
    "metadata.json": [strToU8(metadata), stored],
    "config.json": [strToU8(config), stored],
    "model.weights.h5": [weights, stored],
  });
}
