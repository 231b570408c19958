/**
 * shapewise models as Keras 3 writes its files, in memory: the `.keras`
 * zip (`metadata.json`, `config.json`, `model.weights.h5`, stored
 * uncompressed in that order, as Python's `zipfile` does for Keras) and the
 * `.weights.h5` store, with Keras's groups, `name` attributes, dataset
 * names, float32 dtype and contiguous layout, so `keras.saving.load_model`
 * and `model.load_weights` read them.
 */
import { fail } from "../../checks.js";
import type { Tensor } from "../../kernels/tensor.js";
import type { Layer, WeightSpec } from "../../layers/layer.js";
import { modelWeightArrays } from "../file-graph.js";
import type { AnyModel } from "../file-graph.js";
import { toKerasJSON, toLegacyKerasConfig } from "./json-write.js";
import { writeHdf5 } from "./hdf5.js";
import type { H5File, H5Group } from "./hdf5.js";
import { kerasStateGroups, legacyWeightNames, legacyWeightOrder } from "./layout.js";
import { zipLibrary } from "./libraries.js";

/** The Keras release whose files these are: what `metadata.json` names. */
export const KERAS_FILE_VERSION = "3.15.1";

/** The backend a legacy `.h5` names: shapewise computes as Keras's TensorFlow backend does (float32, channels last). */
const LEGACY_BACKEND = "tensorflow";

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
  const weights = modelWeightArrays(m);
  const groups = kerasStateGroups(m);
  const specs = (m.layers as readonly Layer[]).flatMap((layer) => layer.weightSpecs());
  if (specs.length !== weights.length) fail(`shapewise: model '${m.name}' has ${weights.length} weight values for ${specs.length} weights`);
  return writeHdf5((file) => {
    for (const g of groups) {
      const vars = groupPath(file, g.path === "" ? "vars" : `${g.path}/vars`);
      // Keras records the name of every object it stores, as a variable-length UTF-8 string.
      vars.create_attribute("name", g.name, null, "S");
      g.weights.forEach((index, i) => {
        writeWeight(vars, String(i), weights[index], specs[index], g.name);
      });
    }
  });
}

/** One weight as Keras stores it: float32, or int64 for a count. */
function writeWeight(group: H5Group, name: string, w: Tensor, spec: WeightSpec, owner: string): void {
  if (spec.dtype === "int64") {
    // Keras restores an integer variable (Normalization's count) from an integer dataset only.
    const data = BigInt64Array.from(w.data, (v) =>
      Number.isInteger(v) ? BigInt(v) : fail(`shapewise: weight '${spec.name}' of '${owner}' is a count, got ${v}`),
    );
    group.create_dataset({ name, data, shape: [...w.shape], dtype: "<q" });
  } else group.create_dataset({ name, data: w.data, shape: [...w.shape], dtype: "<f" });
}

/** A list of names as h5py stores Keras's bytes: ASCII variable-length strings, an empty list as an empty float64 array. */
function nameListAttribute(node: H5Group, key: string, names: readonly string[]): void {
  if (names.length === 0) node.create_attribute(key, new Float64Array(0), [0], "<d");
  else node.create_attribute(key, [...names], [names.length], "A");
}

/**
 * The bytes of a legacy `.h5` model file as Keras 3's `model.save("x.h5")`
 * (and tf.keras 2's) lays it out: the topology in the root's `model_config`
 * attribute, and under `model_weights` one group per layer (in
 * `layer_names` order, each with its `weight_names`) holding its weights at
 * their Keras paths (`dense_1/kernel`), plus Keras 3's empty
 * `top_level_model_weights`. `keras.models.load_model` reads it.
 *
 * @example
 * await writeFile("model.h5", await modelToLegacyH5(m));
 */
export async function modelToLegacyH5(m: AnyModel): Promise<Uint8Array> {
  const config = toLegacyKerasConfig(m);
  const weights = modelWeightArrays(m);
  const layers = m.layers as readonly Layer[];
  const names = legacyWeightNames(m);
  return writeHdf5((file: H5File) => {
    // h5py writes Python strings as UTF-8 and Keras's encoded bytes as ASCII, both variable-length.
    file.create_attribute("backend", LEGACY_BACKEND, null, "S");
    file.create_attribute("keras_version", KERAS_FILE_VERSION, null, "S");
    file.create_attribute("model_config", config, null, "A");
    const root = file.create_group("model_weights");
    root.create_attribute("backend", LEGACY_BACKEND, null, "A");
    root.create_attribute("keras_version", KERAS_FILE_VERSION, null, "A");
    nameListAttribute(
      root,
      "layer_names",
      layers.map((l) => l.name),
    );
    let offset = 0;
    for (const layer of layers) {
      const specs = layer.weightSpecs();
      const group = root.create_group(layer.name);
      const order = legacyWeightOrder(layer, offset);
      const paths = order.map((index) => names[index]);
      nameListAttribute(group, "weight_names", paths);
      order.forEach((index, j) =>
        writeWeight(
          groupPath(group, paths[j].split("/").slice(0, -1).join("/")),
          paths[j].split("/").at(-1)!,
          weights[index],
          specs[index - offset],
          layer.name,
        ),
      );
      offset += specs.length;
    }
    nameListAttribute(root.create_group("top_level_model_weights"), "weight_names", []);
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
