/**
 * Reads Keras `model.to_json()` text (Keras 3, and tf.keras 2, whose layer
 * list has the same shape) into a shapewise model, every rule checked again.
 */
import { fail } from "../../checks.js";
import type { Model } from "../../model.js";
import { buildModel } from "../graph-build.js";
import { fileLayer, fileRef, functionalEntries, layersByName, limitsOption, modelDocument, rebaseNested, sequentialGraph } from "../file-graph.js";
import type { EntryDialect, FileGraph, FileLayer, FileRef, LoadLimits, ParsedFileLayer } from "../file-graph.js";
import { batchShape, maybe, own, parseJsonSafely, plainJson, record, shortText } from "../json.js";

/** How Keras JSON files write layer entries: Keras 3's `batch_shape` and dtype policies, tf.keras 2's `batch_input_shape`. */
const KERAS_ENTRIES: EntryDialect = {
  source: "keras3",
  inputShapeKeys: ["batch_shape", "batch_input_shape"],
  inputKeepsBatchShape: false,
  batchShapeKeys: ["batch_input_shape", "batch_shape"],
  checkInput(config, name) {
    // The dtype (float32 or int32) is read with the shape, for both formats.
    for (const key of ["sparse", "ragged", "optional"]) {
      if (maybe(config, key) === true) fail(`shapewise: input layer '${name}' is ${key}; shapewise reads dense, required inputs`);
    }
  },
  checkLayer(config, at) {
    const dtype = maybe(config, "dtype");
    const dtypeName =
      dtype !== null && typeof dtype === "object" ? maybe(record(maybe(record(dtype, `${at} dtype`), "config") ?? {}, `${at} dtype config`), "name") : dtype;
    if (dtypeName !== undefined && dtypeName !== null && dtypeName !== "float32")
      fail(`shapewise: ${at} has dtype ${shortText(dtypeName)}; shapewise computes in float32`);
  },
  // A nested model's entry is a whole model document: read it as one.
  nestedGraph: (entry, _className, _config, depth) => kerasGraph(entry, depth),
};

/** `["name", 0, 0]`, a list of them, or a record of them, as `input_layers`/`output_layers` hold. */
function kerasEnds(value: unknown, what: string): FileRef[] {
  if (Array.isArray(value)) return typeof value[0] === "string" ? [fileRef(value, what)] : value.map((v, i) => fileRef(v, `${what} ${i}`));
  const r = record(value, what);
  return Object.keys(r).map((k) => fileRef(r[k], `${what} '${k}'`));
}

/**
 * The model of a Keras `to_json()` document (Keras 3, or tf.keras 2 with
 * the same layer lists), as a layer list for the builder.
 *
 * A model nested as a layer is read from its entry the same way (`depth`
 * counts the levels, at most `MAX_NESTING_DEPTH`). Keras 3 numbers its calls
 * from 0 in `keras_history` but from 1 in `input_layers`/`output_layers`
 * when it is a `Functional`; tf.keras 2 from 1 everywhere.
 *
 * @example
 * kerasGraph(JSON.parse(text)).kind; // "sequential" or "functional"
 */
export function kerasGraph(json: unknown, depth = 0): FileGraph {
  const top = record(json, "Keras JSON");
  const doc = modelDocument(top, "Keras JSON");
  const { className, config, name } = doc;
  if (className === "Sequential") {
    const buildShape = maybe(config, "build_input_shape");
    const firstShape = (l: ParsedFileLayer) => l.batchShape ?? (buildShape === undefined ? undefined : batchShape(buildShape, "Sequential build_input_shape"));
    return sequentialGraph(doc, depth, KERAS_ENTRIES, firstShape, "Keras JSON");
  }
  if (className !== "Functional" && className !== "Model") {
    fail(`shapewise: Keras JSON class_name must be 'Sequential', 'Functional' or 'Model', got ${shortText(className)}`);
  }
  const parsedLayers = functionalEntries(doc.layers, depth, KERAS_ENTRIES);
  const plain: FileLayer[] = parsedLayers.map(({ layer }) => fileLayer(layer, []));
  // tf.keras 2 writes a call as a list and counts a nested model's own graph as its node 0; Keras 3 (`{ args, kwargs }`) does not.
  const plainByName = layersByName(plain);
  const layers = parsedLayers.map(
    ({ layer, nodes, calls }, i): FileLayer => ({
      ...plain[i],
      calls: calls.map((refs, k) => rebaseNested(plainByName, refs, () => (Array.isArray(nodes[k]) ? 1 : 0), `layer '${layer.name}'`)),
    }),
  );
  const keras3 = maybe(top, "module") !== undefined;
  const endBase = (l: FileLayer) => (!keras3 || l.nested?.kind === "functional" ? 1 : 0);
  const inputsJson = own(config, "input_layers", "Keras JSON config");
  const outputsJson = own(config, "output_layers", "Keras JSON config");
  // A record (Keras dict inputs or outputs) keeps its keys; the builder makes a record model of it.
  const keys = (v: unknown) => (v !== null && typeof v === "object" && !Array.isArray(v) ? Object.keys(v) : undefined);
  return {
    kind: "functional",
    name,
    layers,
    inputs: rebaseNested(plainByName, kerasEnds(inputsJson, "input_layers"), endBase, "input_layers"),
    outputs: rebaseNested(plainByName, kerasEnds(outputsJson, "output_layers"), endBase, "output_layers"),
    inputKeys: keys(inputsJson),
    outputKeys: keys(outputsJson),
  };
}

/**
 * A model from Keras `model.to_json()` text (Keras 3; tf.keras 2 layer lists
 * read too), through the public building API: every shape rule is checked
 * and layer names are kept. Weights start as shapewise initialises them;
 * load trained ones with `setWeights` (Keras `get_weights()` order).
 *
 * @example
 * const m = modelFromKerasJSON(await readFile("model.json", "utf8"));
 * m.setWeights(weights);
 */
export function modelFromKerasJSON(textOrObject: string | object, options?: LoadLimits): Model {
  const { maxBytes, maxJsonBytes } = limitsOption(options);
  if (typeof textOrObject !== "string") {
    if (textOrObject === null || typeof textOrObject !== "object")
      fail(`shapewise: modelFromKerasJSON expects JSON text or its object, got ${shortText(textOrObject)}`);
    // An object gets the checks text gets (keys, depth, size), and cycles cannot loop.
    return buildModel(kerasGraph(plainJson(textOrObject, "Keras JSON", maxJsonBytes)), maxBytes);
  }
  if (textOrObject.length > maxJsonBytes)
    fail(`shapewise: Keras JSON is ${textOrObject.length} characters, more than the limit of ${maxJsonBytes} (option maxJsonBytes)`);
  return buildModel(kerasGraph(parseJsonSafely(textOrObject, "Keras JSON")), maxBytes);
}
