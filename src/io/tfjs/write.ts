/**
 * Writes a model as TensorFlow.js layers-model artifacts: the topology
 * (`inbound_nodes`, `input_layers`/`output_layers`; a `Sequential` without
 * an input layer, as TensorFlow.js writes it), the weights manifest and the
 * weight bytes.
 */
import { inputDtype } from "../input-dtype.js";
import { fail, valueText } from "../../checks.js";
import type { Layer } from "../../layers/layer.js";
import { callsByLayer, modelWeightArrays } from "../file-graph.js";
import type { AnyModel } from "../file-graph.js";
import { entryForLayer, innerLayer, nestedModel } from "../layer-registry.js";
import { registrationOf } from "../../layers/registry.js";
import { LITTLE_ENDIAN, TFJS_VERSION, tfjsWeightEntries } from "./format.js";
import type { TfjsArtifacts, TfjsWeightSpec, TfjsWriteOptions } from "./format.js";
import { tfjsOptimizerPart } from "./optimizer-file.js";
import type { NamedWeight } from "./optimizer-file.js";

function nameOf(layer: Layer, names: "shapewise" | "tfjs"): string {
  return names === "tfjs" ? layer.names.tfjs : layer.name;
}

/** `{ class_name, config }` of a layer, as TensorFlow.js writes it (wrappers with their wrapped layer), with its `trainable` flag. */
function tfjsLayerConfig(layer: Layer, names: "shapewise" | "tfjs"): { class_name: string; config: Record<string, unknown> } {
  const json = tfjsLayerEntry(layer, names);
  // TensorFlow.js writes no flag for a nested model (its layers carry theirs); a frozen one says so for shapewise to read.
  if (nestedModel(layer) !== undefined) return layer.trainable ? json : { ...json, config: { ...json.config, trainable: false } };
  return { ...json, config: { ...json.config, trainable: layer.trainable } };
}

function tfjsLayerEntry(layer: Layer, names: "shapewise" | "tfjs"): { class_name: string; config: Record<string, unknown> } {
  const entry = entryForLayer(layer);
  const unsupported = (why: string): never => fail(`shapewise: cannot write layer '${layer.name}' (${layer.className}) for TensorFlow.js: ${why}`);
  if (entry.formats.tfjs !== true) unsupported(entry.formats.tfjs);
  const nested = nestedModel(layer);
  // A nested model is written as TensorFlow.js writes one: its own topology as the layer's config.
  if (nested !== undefined) return tfjsTopology(nested, names);
  const c = layer.getConfig();
  const name = nameOf(layer, names);
  if (entry.style === "wrapper") {
    const inner = innerLayer(layer)!;
    const written = tfjsLayerConfig(inner, names);
    // A frozen wrapper freezes what it wraps, as Keras's trainable setter does; TensorFlow.js reads a wrapper's flag from it.
    const innerJson = { ...written, config: { ...written.config, trainable: layer.trainable && inner.trainable } };
    const config =
      layer.className === "Bidirectional" ? { merge_mode: c.mergeMode, layer: innerJson, name, trainable: true } : { layer: innerJson, name, trainable: true };
    return { class_name: layer.className, config };
  }
  const writer = registrationOf(layer.className)?.writers?.tfjs;
  if (writer === undefined) return unsupported(`no TensorFlow.js writer for ${layer.className}`);
  return { class_name: layer.className, config: writer(c, layer, name, unsupported) };
}

/**
 * A node index as TensorFlow.js writes it: a nested model's node 0 is its
 * own inner graph, so its calls in the outer model are nodes 1, 2, ...
 */
function fileNodeIndex(layer: Layer, nodeIndex: number): number {
  return nestedModel(layer) === undefined ? nodeIndex : nodeIndex + 1;
}

/**
 * `{ class_name, config }` of a model as TensorFlow.js writes it: the whole
 * `modelTopology` of a top-level model, or the layer entry of a nested one.
 */
function tfjsTopology(m: AnyModel, names: "shapewise" | "tfjs"): { class_name: string; config: Record<string, unknown> } {
  const graph = m.graph();
  const modelName = names === "tfjs" ? m.names.tfjs : m.name;
  if (m.kind === "sequential") {
    // TensorFlow.js's Sequential lists no input layer: the first layer carries the batch shape.
    const layers = graph.nodes
      .filter((n) => n.layer.className !== "InputLayer")
      .map((n, i) => {
        if (i === 0 && nestedModel(n.layer) !== undefined) {
          fail(
            `shapewise: cannot write sequential '${m.name}' for TensorFlow.js: its first layer '${n.layer.name}' is a model, which cannot carry the Sequential's input shape (build it with model() instead)`,
          );
        }
        const json = tfjsLayerConfig(n.layer, names);
        if (i === 0) {
          const first = graph.inputs[0].layer;
          json.config = { ...json.config, batch_input_shape: [...graph.inputs[0].shape], dtype: inputDtype(first) };
        }
        return json;
      });
    return { class_name: "Sequential", config: { name: modelName, layers } };
  }
  // A layer's calls outside this model (on a tensor no output reads) are not written, so a file counts only the
  // calls it holds, in call order: a reference to a call past those never resolves and TensorFlow.js waits for it forever.
  const layerNodes = callsByLayer(graph.nodes);
  const fileIndex = (layer: Layer, nodeIndex: number): number => {
    const at = layerNodes.get(layer)?.findIndex((n) => n.nodeIndex === nodeIndex) ?? -1;
    return fileNodeIndex(layer, at < 0 ? nodeIndex : at);
  };
  const refOut = (r: { layer: Layer; nodeIndex: number; tensorIndex: number }): [string, number, number, Record<string, never>] => [
    nameOf(r.layer, names),
    fileIndex(r.layer, r.nodeIndex),
    r.tensorIndex,
    {},
  ];
  const layers = m.layers.map((layer: Layer) => {
    const calls = layerNodes.get(layer) ?? [];
    if (layer.className === "InputLayer") {
      const shape = calls[0]?.outputShapes[0] ?? layer.outputShape!;
      const name = nameOf(layer, names);
      const dtype = inputDtype(layer);
      return { name, class_name: "InputLayer", config: { batch_input_shape: [...shape], dtype, sparse: false, name }, inbound_nodes: [] };
    }
    const json = tfjsLayerConfig(layer, names);
    return {
      name: nameOf(layer, names),
      class_name: json.class_name,
      config: json.config,
      inbound_nodes: calls.map((n) => n.inbound.map(refOut)),
    };
  });
  const ends = (refs: typeof graph.inputs) => refs.map((r) => [nameOf(r.layer, names), fileIndex(r.layer, r.nodeIndex), r.tensorIndex]);
  return { class_name: "Model", config: { name: modelName, layers, input_layers: ends(graph.inputs), output_layers: ends(graph.outputs) } };
}

/**
 * The TensorFlow.js `ModelArtifacts` of a model: topology exactly as
 * tfjs-layers 4.22 writes it, the weights manifest and the weight bytes
 * (little-endian float32, in manifest order). Layers TensorFlow.js cannot
 * compute as Keras 3 does are errors naming the layer and the reason.
 *
 * @example
 * const artifacts = modelToTfjsArtifacts(m);
 * const tfModel = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
 */
export function modelToTfjsArtifacts(m: AnyModel, options: TfjsWriteOptions = {}): TfjsArtifacts {
  const names = options.names ?? "shapewise";
  if (names !== "shapewise" && names !== "tfjs") fail(`shapewise: names must be 'shapewise' or 'tfjs', got ${valueText(names)}`);
  let modelTopology: Record<string, unknown> = tfjsTopology(m, names);
  modelTopology = { ...modelTopology, keras_version: `tfjs-layers ${TFJS_VERSION}`, backend: "tensor_flow.js" };

  const weightSpecs: TfjsWeightSpec[] = [];
  const values: (Float32Array | Int32Array)[] = [];
  const trainable: NamedWeight[] = [];
  const weights = modelWeightArrays(m);
  let next = 0;
  // TensorFlow.js finds weights by name alone: a nested model's layer named as another layer would make two weights one.
  const writtenBy = new Map<string, Layer>();
  for (const layer of m.layers) {
    const flags = layer.trainableWeightFlags();
    tfjsWeightEntries(layer, names).forEach((w, i) => {
      if (flags[i] === true) trainable.push({ name: w.name, shape: w.shape });
    });
    for (const w of tfjsWeightEntries(layer, names)) {
      const other = writtenBy.get(w.name);
      if (other !== undefined) {
        fail(
          `shapewise: cannot write model '${m.name}' for TensorFlow.js: layers '${other.name}' and '${w.layer.name}' would both write weight '${w.name}' (TensorFlow.js names weights by layer name only, so layers of nested models need names no other layer uses)`,
        );
      }
      writtenBy.set(w.name, w.layer);
      weightSpecs.push({ name: w.name, shape: [...w.shape], dtype: "float32" });
      values.push(weights[next++].data);
    }
  }
  let trainingConfig: Record<string, unknown> | undefined;
  if (options.includeOptimizer === true) {
    if (options.training === undefined) {
      fail(`shapewise: save with includeOptimizer needs a compiled model (its optimizer): save the model compile() returns, got model '${m.name}' alone`);
    }
    const part = tfjsOptimizerPart(options.training, trainable);
    trainingConfig = part.trainingConfig;
    for (const e of part.entries) {
      weightSpecs.push({ name: e.name, shape: [...e.shape], dtype: e.dtype, group: "optimizer" });
      values.push(e.values);
    }
  }
  const total = values.reduce((s, v) => s + v.length, 0);
  const bytes = new Uint8Array(total * 4);
  if (LITTLE_ENDIAN) {
    // The file's layout is the machine's: one copy per weight.
    const floats = new Float32Array(bytes.buffer);
    const ints = new Int32Array(bytes.buffer);
    let at = 0;
    for (const v of values) {
      (v instanceof Int32Array ? ints : floats).set(v, at);
      at += v.length;
    }
  } else {
    const view = new DataView(bytes.buffer);
    let offset = 0;
    for (const v of values) {
      for (let i = 0; i < v.length; i++, offset += 4) {
        if (v instanceof Int32Array) view.setInt32(offset, v[i], true);
        else view.setFloat32(offset, v[i], true);
      }
    }
  }
  return {
    modelTopology,
    format: "layers-model",
    generatedBy: `TensorFlow.js tfjs-layers v${TFJS_VERSION}`,
    convertedBy: null,
    weightSpecs,
    weightData: bytes.buffer,
    ...(trainingConfig === undefined ? {} : { trainingConfig }),
  };
}

/**
 * The `model.json` object of artifacts, with the weights in one file.
 *
 * @example
 * JSON.stringify(tfjsModelJson(modelToTfjsArtifacts(m))); // the text of model.json
 */
export function tfjsModelJson(artifacts: TfjsArtifacts, weightsPath = "./weights.bin"): Record<string, unknown> {
  return {
    modelTopology: artifacts.modelTopology,
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
    weightsManifest: [{ paths: [weightsPath], weights: artifacts.weightSpecs }],
    ...(artifacts.trainingConfig === undefined ? {} : { trainingConfig: artifacts.trainingConfig }),
  };
}

/** One manifest entry after checking, with its byte size. */
