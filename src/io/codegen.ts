/**
 * Typed source from a model: the shapewise TypeScript that builds it, so a
 * model read from a TensorFlow.js or Keras file becomes a typed definition
 * whose `OutputShape` and `ParamCount` the type checker computes.
 *
 * A chain of single-input layers is written as one chain of method calls;
 * a tensor read by several layers (or by a merge) gets a `const`; merges are
 * the merge functions (`add([a, b])`). Options are the layers' camelCase
 * configs without the values the method would choose anyway.
 */
import { MAX_NESTING_DEPTH, fail, valueText } from "../checks.js";
import { displayText } from "../display-text.js";
import { inputImpl } from "../layers/input.js";
import type { Layer } from "../layers/layer.js";
import type { GraphNode, TensorRef } from "../model-graph.js";
import type { AnyModel } from "./file-graph.js";
import { applyLayerConfig, entryForLayer, innerLayer, nestedModel } from "./layer-registry.js";
import type { Shape } from "../shape.js";

/**
 * Options of {@link codegen}.
 *
 * @example
 * codegen(m, { importFrom: "../src/index.js", exportName: "classifier" });
 */
export interface CodegenOptions {
  /** The module the source imports from (default `"shapewise"`). */
  importFrom?: string;
  /** The name of the exported model constant (default `"m"`); `"default"` gives `export default`. */
  exportName?: string;
  /** Keep layer and model names in the source (default `true`), so the model reads as the file named it. */
  names?: boolean;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
/**
 * Names a generated `const` never takes: every reserved word of a strict
 * ES module and of TypeScript, the names strict code cannot bind (`eval`,
 * `arguments`), globals a reader expects untouched, and every name the file
 * imports.
 */
const RESERVED = new Set(
  [
    "break case catch class const continue debugger default delete do else enum export extends false finally for function if import in instanceof new null return super switch this throw true try typeof var void while with yield let static implements interface package private protected public await",
    "as async of type from declare namespace module abstract readonly keyof infer is asserts satisfies accessor unique global any number string boolean symbol bigint object never unknown",
    "eval arguments undefined NaN Infinity globalThis",
    "input layers model sequential add subtract multiply average maximum minimum concatenate dot",
  ]
    .join(" ")
    .split(" "),
);

/**
 * A string as a TypeScript string literal that is plain text: quotes,
 * backslashes and controls escaped as JSON does, and line separators, bidi
 * overrides and other invisible characters as `\u` escapes, so the source
 * reads as it runs.
 */
function stringLiteral(text: string): string {
  return displayText(JSON.stringify(text));
}

/**
 * An object literal's key: a plain identifier as it is, any other key quoted.
 * `__proto__` is computed (`["__proto__"]`), because written plainly or
 * quoted it would set the object's prototype instead of a key.
 */
function propertyKey(key: string): string {
  if (key === "__proto__") return `[${stringLiteral(key)}]`;
  return IDENTIFIER.test(key) ? key : stringLiteral(key);
}

/** Source text written as it is (a variable name inside an options object). */
class Raw {
  constructor(readonly text: string) {}
}

/** A value as TypeScript source: numbers, strings, booleans, null, lists and plain objects. */
function literal(value: unknown): string {
  if (value instanceof Raw) return value.text;
  if (value === null) return "null";
  if (typeof value === "string") return stringLiteral(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) fail(`shapewise: codegen cannot write the number ${valueText(value)}`);
    return Object.is(value, -0) ? "0" : String(value);
  }
  if (typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `[${value.map(literal).join(", ")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return "{}";
    return `{ ${entries.map(([k, v]) => `${propertyKey(k)}: ${literal(v)}`).join(", ")} }`;
  }
  return fail(`shapewise: codegen cannot write the value ${valueText(value)}`);
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * The options a source needs: the layer's config without the values the
 * method picks by itself. Each candidate is tried by making the layer
 * without it on the same input shape (a probe that joins no model and uses
 * a fixed name, so no name counter moves).
 */
function minimalConfig(layer: Layer, inputShapes: readonly Shape[], keepName: boolean): Record<string, unknown> {
  const full = layer.getConfig();
  const { name, ...rest } = full;
  const style = entryForLayer(layer).style;
  const kept: Record<string, unknown> = {};
  const probeInputs = () => inputShapes.map((s, i) => inputImpl({ shape: s.slice(1), name: `__codegen_probe_${i}` }));
  for (const [key, value] of Object.entries(rest)) {
    let needed = true;
    if (style === "method" || style === "merge") {
      const without: Record<string, unknown> = { ...rest, name: "__codegen_probe" };
      delete without[key];
      try {
        const out = applyLayerConfig(layer.className, probeInputs(), without);
        const probe = (Array.isArray(out) ? out[0] : out).layer as Layer;
        needed = !same(probe.getConfig()[key], value);
      } catch {
        needed = true;
      }
    }
    if (needed) kept[key] = value;
  }
  // A size given the same on every axis reads as one number, as it is usually written.
  for (const key of ["kernelSize", "strides", "poolSize"]) {
    const v = kept[key];
    if (Array.isArray(v) && v.length > 0 && v.every((d) => d === v[0])) kept[key] = v[0];
  }
  if (keepName) kept.name = name;
  return kept;
}

/**
 * For each merge with two or more operands carrying parameters (and for the
 * model's outputs, key `"outputs"`), the tensor to give as `shared` so the
 * type-level total counts common ancestors once: the deepest tensor every
 * operand descends from whose ancestry holds every layer two operands share
 * (the rule the runtime checks), or `"none"` when they share no layer.
 * Operands that cannot be described so get no option (their total is `number`).
 */
function sharedTensors(graph: ReturnType<AnyModel["graph"]>): { shared: Map<GraphNode | "outputs", TensorRef | "none">; inexact: Set<GraphNode | "outputs"> } {
  // The call that made a tensor: a shared layer has one per call.
  const producer = new Map<string, GraphNode>();
  for (const n of graph.nodes) producer.set(refKey({ layer: n.layer, nodeIndex: n.nodeIndex, tensorIndex: 0 }), n);
  const memo = new Map<string, { layers: Set<Layer>; tensors: Map<string, TensorRef> }>();
  // A walk with a stack, not recursion: a chain of thousands of layers must not exhaust the call stack.
  const ancestry = (r: TensorRef): { layers: Set<Layer>; tensors: Map<string, TensorRef> } => {
    const known = memo.get(refKey(r));
    if (known !== undefined) return known;
    const layers = new Set<Layer>();
    const tensors = new Map<string, TensorRef>();
    const stack: TensorRef[] = [r];
    while (stack.length > 0) {
      const t = stack.pop()!;
      const key = refKey(t);
      if (tensors.has(key)) continue;
      tensors.set(key, t);
      layers.add(t.layer);
      for (const i of producer.get(refKey({ ...t, tensorIndex: 0 }))?.inbound ?? []) stack.push(i);
    }
    const result = { layers, tensors };
    memo.set(refKey(r), result);
    return result;
  };
  const params = (layers: Set<Layer>) => [...layers].reduce((sum, l) => sum + l.countParams(), 0);
  const order = new Map<string, number>();
  graph.nodes.forEach((n, i) => n.outputShapes.forEach((_, t) => order.set(refKey({ layer: n.layer, nodeIndex: n.nodeIndex, tensorIndex: t }), i)));
  const exact = Symbol("exact");
  const choose = (operands: readonly TensorRef[]): TensorRef | "none" | typeof exact | undefined => {
    const lines = operands.map(ancestry);
    if (lines.filter((l) => params(l.layers) > 0).length <= 1) return exact;
    const sharedLayers = new Set<Layer>();
    for (let i = 0; i < lines.length; i++)
      for (let j = i + 1; j < lines.length; j++) for (const l of lines[i].layers) if (lines[j].layers.has(l)) sharedLayers.add(l);
    if (sharedLayers.size === 0) return "none";
    const common = [...lines[0].tensors.entries()].filter(([k]) => lines.every((l) => l.tensors.has(k)));
    common.sort(([a], [b]) => (order.get(b) ?? -1) - (order.get(a) ?? -1));
    for (const [, t] of common) {
      const base = ancestry(t).layers;
      if ([...sharedLayers].every((l) => base.has(l))) return t;
    }
    return undefined;
  };
  const shared = new Map<GraphNode | "outputs", TensorRef | "none">();
  const inexact = new Set<GraphNode | "outputs">();
  const record = (key: GraphNode | "outputs", operands: readonly TensorRef[]) => {
    const t = choose(operands);
    if (t === undefined) inexact.add(key);
    else if (t !== exact) shared.set(key, t);
  };
  for (const n of graph.nodes) if (entryForLayer(n.layer).style === "merge") record(n, n.inbound);
  if (graph.outputs.length > 1) record("outputs", graph.outputs);
  return { shared, inexact };
}

/** A number per layer object: two layers may carry the same name (a file can say so), never the same key. */
const layerIds = new WeakMap<Layer, number>();
let nextLayerId = 0;

function refKey(r: { layer: Layer; nodeIndex: number; tensorIndex: number }): string {
  let id = layerIds.get(r.layer);
  if (id === undefined) layerIds.set(r.layer, (id = nextLayerId++));
  return `${id}:${r.nodeIndex}:${r.tensorIndex}`;
}

/**
 * The shapewise TypeScript source of a model: imports, one chain of method
 * calls per run of single-input layers, merges as functions, and
 * `export const m = model({ ... })` (or `sequential`). Compiling it gives the
 * same output shape and parameter total at the type level as the model has.
 * A layer shared by several calls becomes a layer value
 * (`layers.dense({...}).apply(x)`), whose results the types know with
 * unknown sizes. A model applied as a layer is defined first, with its own
 * `input(...)` chain and `model({...})`, and applied where it is called
 * (`encoder.apply(x)`); applied more than once, it shares its weights.
 *
 * @example
 * const source = codegen(await loadModel("mnist/"));
 * // import { input, model } from "shapewise";
 * // const input_1 = input({ shape: [28, 28, 1], name: "input_1" });
 * // ...
 * // export const m = model({ inputs: input_1, outputs: dense, name: "model" });
 */
export function codegen(m: AnyModel, options: CodegenOptions = {}): string {
  if (options === null || typeof options !== "object") fail(`shapewise: codegen options must be an object, got ${valueText(options)}`);
  const exportName = options.exportName ?? "m";
  if (typeof exportName !== "string" || !IDENTIFIER.test(exportName)) fail(`shapewise: codegen exportName must be an identifier, got ${valueText(exportName)}`);
  if (exportName !== "default" && RESERVED.has(exportName)) {
    fail(`shapewise: codegen exportName must not be a reserved word or a name the file imports, got ${valueText(exportName)}`);
  }
  return codegenModule({ [exportName]: m }, { importFrom: options.importFrom, names: options.names });
}

/**
 * The shapewise TypeScript source of several models in one module, each
 * exported under its key (`"default"` is the default export; a key that is
 * not a plain identifier is exported as `export { v as "key" }`). Layer and
 * nested-model definitions share one namespace and one import line, so the
 * file is valid as a whole; this is what `shapewise codegen` prints for a
 * module exporting several models.
 *
 * @example
 * const source = codegenModule({ encoder, classifier });
 * // import { input, model } from "shapewise";
 * // ...
 * // export const encoder = model({ ... });
 * // export const classifier = model({ ... });
 */
export function codegenModule(models: Readonly<Record<string, AnyModel>>, options: Omit<CodegenOptions, "exportName"> = {}): string {
  if (options === null || typeof options !== "object") fail(`shapewise: codegen options must be an object, got ${valueText(options)}`);
  if (models === null || typeof models !== "object") fail(`shapewise: codegen takes models by export name, got ${valueText(models)}`);
  const importFrom = options.importFrom ?? "shapewise";
  const keepNames = options.names ?? true;
  if (typeof importFrom !== "string" || importFrom.length === 0) fail(`shapewise: codegen importFrom must be a module name, got ${valueText(importFrom)}`);
  const exported = Object.entries(models);
  if (exported.length === 0) fail("shapewise: codegen needs at least one model to write");
  for (const [key, value] of exported) {
    if (value === null || typeof value !== "object" || typeof (value as Partial<AnyModel>).graph !== "function") {
      fail(`shapewise: codegen export ${stringLiteral(key)} is not a model, got ${valueText(value)}`);
    }
    if (/\p{Cs}/u.test(key)) fail(`shapewise: codegen export name ${stringLiteral(key)} holds a lone surrogate, which no module can export`);
  }
  // A plain export name is the model's const; any other gets a variable and an export list entry.
  const plain = (key: string) => IDENTIFIER.test(key) && !RESERVED.has(key);

  // One namespace and one import list for the whole file: nested models' definitions share them.
  const names = new Set<string>(exported.map(([key]) => key).filter(plain));
  const variable = (base: string): string => {
    let v = base.replace(/[^A-Za-z0-9_$]/g, "_");
    if (!IDENTIFIER.test(v) || RESERVED.has(v)) v = `_${v}`;
    let candidate = v;
    for (let i = 1; names.has(candidate); i++) candidate = `${v}_${i}`;
    names.add(candidate);
    return candidate;
  };
  const lines: string[] = [];
  const imports = new Set<string>(["input"]);
  /** The variable of each nested model already defined (a model applied twice is defined once). */
  const modelVars = new Map<AnyModel, string>();

  /** Writes the lines that build one model and returns its `model({...})` call; `top` is an exported model. */
  const writeModel = (mm: AnyModel, top: boolean, depth: number): string => {
    // The limit model() and the readers keep: what builds or loads is written, and nothing deeper exhausts the stack.
    if (depth > MAX_NESTING_DEPTH)
      fail(`shapewise: codegen writes models nested at most ${MAX_NESTING_DEPTH} deep; ${stringLiteral(mm.name)} is nested deeper`);
    imports.add(mm.kind === "sequential" ? "sequential" : "model");
    const graph = mm.graph();
    const calls = new Map<Layer, number>();
    for (const n of graph.nodes) calls.set(n.layer, (calls.get(n.layer) ?? 0) + 1);
    for (const [layer, count] of calls) {
      const style = entryForLayer(layer).style;
      if (count > 1 && style !== "method" && style !== "wrapper" && style !== "model") {
        fail(
          `shapewise: codegen cannot write layer ${stringLiteral(layer.name)}, which is shared by ${count} calls (only layers made by a tensor method, and models, can be shared values)`,
        );
      }
    }
    // A shared layer is a value, `layers.dense({...})`, applied once per call.
    const layerValues = new Map<Layer, string>();

    // A tensor stays an open chain only when exactly one method call reads it
    // as its receiver; a tensor read twice, by a merge, by a model or as a model output gets a const.
    const uses = new Map<string, number>();
    const chained = new Set<string>();
    const use = (r: TensorRef) => uses.set(refKey(r), (uses.get(refKey(r)) ?? 0) + 1);
    for (const n of graph.nodes) {
      n.inbound.forEach(use);
      const style = entryForLayer(n.layer).style;
      if (n.inbound.length > 0 && (style === "method" || style === "wrapper")) chained.add(refKey(n.inbound[0]));
    }
    graph.outputs.forEach(use);
    const outputKeys = new Set(graph.outputs.map(refKey));
    // Only the exported model's ends read as the README writes them (`inputs`, `outputs`).
    const single = top && graph.inputs.length === 1 && graph.outputs.length === 1;

    // Merges and several outputs: the `shared` tensor that makes the type-level total exact.
    const { shared: sharedOf, inexact } = sharedTensors(graph);
    const needsVar = new Set([...sharedOf.values()].filter((v): v is TensorRef => v !== "none").map(refKey));

    /** Expressions of tensors: a variable, or a chain waiting for its one reader. */
    const exprs = new Map<string, string>();

    const exprOf = (r: TensorRef): string => {
      const e = exprs.get(refKey(r));
      if (e === undefined) fail(`shapewise: codegen found layer ${stringLiteral(r.layer.name)} read before it is written`);
      return e;
    };

    for (const node of graph.nodes) {
      const layer = node.layer;
      const entry = entryForLayer(layer);
      const inputs = node.inbound.map(exprOf);
      const inputShapes = node.inbound.map((r) => r.shape);
      let expr: string;
      /** How the outputs of a call with several of them are read from its value (`v[0]`, `v["key"]`). */
      let pick = (v: string, i: number): string => `${v}[${i}]`;
      switch (entry.style) {
        case "input": {
          const shape = node.outputShapes[0].slice(1);
          expr = `input(${literal({ shape, ...(keepNames ? { name: layer.name } : {}) })})`;
          break;
        }
        case "method":
        case "wrapper": {
          let args = literal(minimalConfig(layer, inputShapes, keepNames));
          if (entry.style === "wrapper") {
            const inner = innerLayer(layer)!;
            const innerShape = inner.inputShape === undefined ? inputShapes : [inner.inputShape];
            const own = minimalConfig(layer, inputShapes, keepNames);
            const ownText = Object.keys(own).length === 0 ? "" : `, ${literal(own)}`;
            args = `(t) => t.${entryForLayer(inner).method}(${literal(minimalConfig(inner, innerShape, keepNames))})${ownText}`;
          }
          if ((calls.get(layer) ?? 0) > 1) {
            let v = layerValues.get(layer);
            if (v === undefined) {
              v = variable(`${layer.name}_layer`);
              layerValues.set(layer, v);
              imports.add("layers");
              lines.push(
                `// ${displayText(layer.name)} is shared by ${calls.get(layer)} calls: a layer value, whose results have unknown sizes and a \`number\` total at the type level.`,
              );
              lines.push(`const ${v} = layers.${entry.method}(${args});`);
            }
            expr = `${v}.apply(${inputs[0]})`;
          } else {
            expr = `${inputs[0]}\n  .${entry.method}(${args})`;
          }
          break;
        }
        case "attention": {
          const config = { ...layer.getConfig() };
          if (!keepNames) delete config.name;
          const tensors = `value: ${inputs[1]}${inputs.length > 2 ? `, key: ${inputs[2]}` : ""}`;
          const body = literal(config);
          expr = `${inputs[0]}\n  .${entry.method}(${body === "{}" ? `{ ${tensors} }` : `${body.slice(0, -2)}, ${tensors} }`})`;
          break;
        }
        case "merge": {
          imports.add(entry.method);
          const config: Record<string, unknown> = minimalConfig(layer, inputShapes, keepNames);
          const shared = sharedOf.get(node);
          if (shared !== undefined) config.shared = new Raw(shared === "none" ? '"none"' : exprOf(shared));
          else if (inexact.has(node)) {
            lines.push(`// The type-level total past ${displayText(layer.name)} is \`number\`: its operands share layers beyond one common tensor.`);
          }
          expr = `${entry.method}([${inputs.join(", ")}]${Object.keys(config).length === 0 ? "" : `, ${literal(config)}`})`;
          break;
        }
        case "model": {
          // The inner model is defined once, before its first call, from its own inputs.
          const inner = nestedModel(layer)!;
          let v = modelVars.get(inner);
          if (v === undefined) {
            const build = writeModel(inner, false, depth + 1);
            v = variable(layer.name);
            modelVars.set(inner, v);
            lines.push(`const ${v} = ${build};`);
          }
          const layout = inner.inputLayout;
          const arg =
            layout === "single"
              ? inputs[0]
              : layout === "list"
                ? `[${inputs.join(", ")}]`
                : `{ ${layout.keys.map((k: string, i: number) => `${propertyKey(k)}: ${inputs[i]}`).join(", ")} }`;
          expr = `${v}.apply(${arg})`;
          const outLayout = inner.outputLayout;
          if (typeof outLayout === "object") pick = (value, i) => `${value}[${stringLiteral(outLayout.keys[i])}]`;
          break;
        }
      }
      const several = node.outputShapes.length > 1;
      const key0 = refKey({ layer, nodeIndex: node.nodeIndex, tensorIndex: 0 });
      if (several) {
        // A layer with several outputs returns a tuple (a model, its output record); each output is an element of it.
        const v = variable(entry.style === "model" ? `${layer.name}_out` : layer.name);
        lines.push(`const ${v} = ${expr};`);
        node.outputShapes.forEach((_, i) => exprs.set(refKey({ layer, nodeIndex: node.nodeIndex, tensorIndex: i }), pick(v, i)));
        continue;
      }
      if ((uses.get(key0) ?? 0) === 1 && chained.has(key0) && !needsVar.has(key0) && entry.style !== "input") {
        exprs.set(key0, expr);
      } else {
        // One input and one output read as the README writes them: `inputs` and `outputs`.
        const base =
          single && entry.style === "input"
            ? "inputs"
            : single && outputKeys.has(key0)
              ? "outputs"
              : entry.style === "model"
                ? `${layer.name}_out`
                : layer.name;
        const v = variable(base);
        lines.push(`const ${v} = ${expr};`);
        exprs.set(key0, v);
      }
    }

    const arrange = (refs: readonly TensorRef[], layout: AnyModel["inputLayout"]): string => {
      const e = refs.map(exprOf);
      if (layout === "single") return e[0];
      if (layout === "list") return `[${e.join(", ")}]`;
      return `{ ${layout.keys.map((k: string, i: number) => `${propertyKey(k)}: ${e[i]}`).join(", ")} }`;
    };
    const outputs = arrange(graph.outputs, mm.outputLayout);
    const inputsText = arrange(graph.inputs, mm.inputLayout);
    const modelShared = sharedOf.get("outputs");
    const sharedText = modelShared === undefined ? "" : `, shared: ${modelShared === "none" ? '"none"' : exprOf(modelShared)}`;
    const nameText = `${sharedText}${keepNames ? `, name: ${stringLiteral(mm.name)}` : ""}`;
    const ends = inputsText === "inputs" && outputs === "outputs" ? "inputs, outputs" : `inputs: ${inputsText}, outputs: ${outputs}`;
    return `${mm.kind === "sequential" ? "sequential" : "model"}({ ${ends}${nameText} })`;
  };

  // Each exported model once; a model exported under several names is one value with several exports.
  const exportedVars = new Map<AnyModel, string>();
  const header: string[] = [];
  for (const [key, mm] of exported) {
    header.push(`'${displayText(mm.name)}': ${mm.countParams()} parameters`);
    const known = exportedVars.get(mm);
    if (known !== undefined) {
      lines.push(`export { ${known} as ${exportSpecifier(key)} };`);
      continue;
    }
    const build = writeModel(mm, exported.length === 1, 0);
    if (plain(key)) {
      exportedVars.set(mm, key);
      lines.push(`export const ${key} = ${build};`);
    } else {
      const v = variable(key === "default" ? `${mm.name}_model` : key);
      exportedVars.set(mm, v);
      lines.push(`const ${v} = ${build};`);
      lines.push(key === "default" ? `export default ${v};` : `export { ${v} as ${exportSpecifier(key)} };`);
    }
  }
  const order = ["input", "layers", "model", "sequential", "add", "subtract", "multiply", "average", "maximum", "minimum", "concatenate", "dot"];
  const importList = order.filter((n) => imports.has(n)).join(", ");
  const from = header.length === 1 ? `model ${header[0]}` : `models ${header.join(", ")}`;
  return [`// Generated by shapewise codegen from ${from}.`, `import { ${importList} } from ${stringLiteral(importFrom)};`, "", ...lines, ""].join("\n");
}

/** An export list's exported name: an identifier name as it is (reserved words are allowed there), any other name quoted. */
function exportSpecifier(key: string): string {
  return IDENTIFIER.test(key) ? key : stringLiteral(key);
}
