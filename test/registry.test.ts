/**
 * The completeness of every layer registration: walks the registry and names,
 * per layer, anything a layer is expected to bring that is missing (the
 * add-a-layer checklist). A new layer passes only when it has all of it; a
 * gap of today is listed in KNOWN_GAPS with what it lacks, and filling it
 * means removing it from there.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as api from "../src/index.js";
import { input } from "../src/index.js";
import { LAYER_REGISTRY } from "../src/io/layer-registry.js";
import { EVERY_FORMAT, LAYER_FAMILIES, layerRegistrations, methodOf, notInTfjs, registerLayer } from "../src/layers/registry.js";
import type { LayerRegistration } from "../src/layers/registry.js";
import { ELEMENTWISE } from "./support/graph-generator.js";
import { generateCatalogStacks, methodsOf } from "./support/catalog-generator.js";

const read = (path: string): string => (existsSync(path) ? readFileSync(path, "utf8") : "");
const mentions = (text: string, word: string): boolean => new RegExp(`\\b${word}\\b`).test(text);

/** The family's fixtures as one text: every `.ts` file of a folder. */
function folderText(dir: string): string {
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith(".ts"))
        .map((f) => read(`${dir}/${f}`))
        .join("\n")
    : "";
}

const KERAS_CASES = readdirSync("test/fixtures/keras-cases")
  .map((f) => read(`test/fixtures/keras-cases/${f}`))
  .join("\n");

/** The methods the catalog generator draws (one fixed sample), and the merges the graph generator draws. */
const DRAWN = new Set([
  ...generateCatalogStacks({ seed: 20261206, count: 1500, minLayers: 1, maxLayers: 6 }).flatMap((s) => s.calls.flatMap(methodsOf)),
  ...ELEMENTWISE,
  "concatenate",
  "dot",
]);

/** The method and its aliases. */
const namesOf = (r: LayerRegistration): readonly string[] => [r.method, ...(r.aliases ?? [])];

/** What a layer is expected to bring, each check naming the missing piece. */
const CHECKS: Readonly<Record<string, (r: LayerRegistration) => boolean>> = {
  // The type-level twin: a method (or merge function) of the family's type file.
  "type-level method": (r) => mentions(read(`types/layers/${r.family}.ts`), r.method),
  // Type tests of the family (core's live in layers.test-d.ts).
  "test-d file": (r) => namesOf(r).some((name) => mentions(read(`test-d/${r.family}.test-d.ts`) + read("test-d/layers.test-d.ts"), name)),
  // A fixture may call the layer by an alias (`globalMaxPool2d`).
  "error fixtures": (r) => namesOf(r).some((name) => mentions(folderText(`test-d/errors/${r.family}`), name)),
  "Keras reference cases": (r) => KERAS_CASES.includes(`"class_name": "${r.className}"`),
  // Each format writes the class, or its registration says why not; wrappers and the input are written by the format's own code.
  "TensorFlow.js writer or refusal": (r) => (r.formats.tfjs === true) === (r.writers?.tfjs !== undefined || r.style === "wrapper" || r.style === "input"),
  "Keras writer or refusal": (r) => (r.formats.keras === true) === (r.writers?.keras !== undefined || r.style === "wrapper" || r.style === "input"),
  "ONNX mapping or refusal": (r) => (r.formats.onnx === true) === (r.writers?.onnx !== undefined || r.style === "input"),
  "generator coverage": (r) => r.style === "input" || DRAWN.has(r.method),
};

/**
 * The pieces a layer lacks today, by class, each with the reason it stays
 * missing. Remove an entry when its piece is added: the test fails until
 * this list and the registry agree.
 */
const KNOWN_GAPS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  InputLayer: {
    "Keras reference cases": "the input layer is in every case as its Input, never as the one layer a case is about",
  },
  GlobalMaxPooling3D: {
    "Keras reference cases": "keras-cases.json, the Keras 3.15.1 runs the tests copy from, has no case of this class (a new case needs a Keras run)",
  },
  GlobalAveragePooling2D: {
    "error fixtures": "its one rule (a rank-4 input) is the rule of globalMaxPool2d, whose fixture shows it",
  },
  GlobalAveragePooling3D: {
    "error fixtures": "its one rule (a rank-5 input) is the rule of globalMaxPooling3d, whose fixture shows it",
  },
  Cropping3D: {
    "Keras reference cases": "keras-cases.json, the Keras 3.15.1 runs the tests copy from, has no case of this class (a new case needs a Keras run)",
  },
  SpatialDropout1D: {
    "Keras reference cases": "keras-cases.json, the Keras 3.15.1 runs the tests copy from, has no case of this class (a new case needs a Keras run)",
  },
  SpatialDropout2D: {
    "Keras reference cases": "keras-cases.json, the Keras 3.15.1 runs the tests copy from, has no case of this class (a new case needs a Keras run)",
  },
  SpatialDropout3D: {
    "Keras reference cases": "keras-cases.json, the Keras 3.15.1 runs the tests copy from, has no case of this class (a new case needs a Keras run)",
  },
  GaussianNoise: {
    "Keras reference cases": "keras-cases.json, the Keras 3.15.1 runs the tests copy from, has no case of this class (a new case needs a Keras run)",
  },
  GaussianDropout: {
    "Keras reference cases": "keras-cases.json, the Keras 3.15.1 runs the tests copy from, has no case of this class (a new case needs a Keras run)",
  },
  AlphaDropout: {
    "Keras reference cases": "keras-cases.json, the Keras 3.15.1 runs the tests copy from, has no case of this class (a new case needs a Keras run)",
  },
  ActivityRegularization: {
    "Keras reference cases": "keras-cases.json, the Keras 3.15.1 runs the tests copy from, has no case of this class (a new case needs a Keras run)",
  },
  ReLU: {
    "Keras reference cases":
      "keras-cases.json, the Keras 3.15.1 runs the tests copy from, has no case of this class (a new case needs a Keras run); Keras's own examples of it are in activations.json's keras_examples",
  },
  LeakyReLU: {
    "Keras reference cases": "keras-cases.json, the Keras 3.15.1 runs the tests copy from, has no case of this class (a new case needs a Keras run)",
  },
  ELU: {
    "error fixtures": "every number is a valid alpha in Keras 3, so no option has a value a type can reject",
    "Keras reference cases": "keras-cases.json, the Keras 3.15.1 runs the tests copy from, has no case of this class (a new case needs a Keras run)",
  },
  Softmax: {
    "Keras reference cases": "keras-cases.json, the Keras 3.15.1 runs the tests copy from, has no case of this class (a new case needs a Keras run)",
  },
  Rescaling: {
    "error fixtures": "every number is a valid scale and offset in Keras 3, so no option has a value a type can reject",
    "Keras reference cases": "keras-cases.json, the Keras 3.15.1 runs the tests copy from, has no case of this class (a new case needs a Keras run)",
  },
  Normalization: {
    "Keras reference cases": "keras-cases.json, the Keras 3.15.1 runs the tests copy from, has no case of this class (a new case needs a Keras run)",
  },
  Resizing: {
    "Keras reference cases": "keras-cases.json, the Keras 3.15.1 runs the tests copy from, has no case of this class (a new case needs a Keras run)",
  },
  CenterCrop: {
    "Keras reference cases": "keras-cases.json, the Keras 3.15.1 runs the tests copy from, has no case of this class (a new case needs a Keras run)",
  },
  Add: {
    "Keras reference cases": "the Keras reference's case of this merge has several inputs, and the case files hold one-input cases (Input -> one layer)",
  },
  Subtract: {
    "Keras reference cases": "the Keras reference's case of this merge has several inputs, and the case files hold one-input cases (Input -> one layer)",
  },
  Multiply: {
    "error fixtures": "its one rule (inputs of one shape, after broadcasting) is the rule of add, whose fixtures show it",
    "Keras reference cases": "the Keras reference's case of this merge has several inputs, and the case files hold one-input cases (Input -> one layer)",
  },
  Average: {
    "error fixtures": "its one rule (inputs of one shape, after broadcasting) is the rule of add, whose fixtures show it",
    "Keras reference cases": "the Keras reference's case of this merge has several inputs, and the case files hold one-input cases (Input -> one layer)",
  },
  Maximum: {
    "error fixtures": "its one rule (inputs of one shape, after broadcasting) is the rule of add, whose fixtures show it",
    "Keras reference cases": "the Keras reference's case of this merge has several inputs, and the case files hold one-input cases (Input -> one layer)",
  },
  Minimum: {
    "error fixtures": "its one rule (inputs of one shape, after broadcasting) is the rule of add, whose fixtures show it",
    "Keras reference cases": "keras-cases.json, the Keras 3.15.1 runs the tests copy from, has no case of this class (a new case needs a Keras run)",
  },
  Concatenate: {
    "Keras reference cases": "the Keras reference's case of this merge has several inputs, and the case files hold one-input cases (Input -> one layer)",
  },
  Dot: {
    "Keras reference cases": "keras-cases.json, the Keras 3.15.1 runs the tests copy from, has no case of this class (a new case needs a Keras run)",
  },
};

/** The options a method announces when it meets an unknown one. */
function announcedOptions(r: LayerRegistration): readonly string[] | undefined {
  const x = input({ shape: [4, 4, 4, 3] }) as unknown as Record<string, (...args: unknown[]) => unknown>;
  try {
    if (r.style === "input") input({ __unknown: 1 } as never);
    else if (r.style === "wrapper") x[r.method]((t: unknown) => t, { __unknown: 1 });
    else if (r.style === "merge") (api as unknown as Record<string, (...args: unknown[]) => unknown>)[r.method]([x, x], { __unknown: 1 });
    else x[r.method]({ __unknown: 1 });
  } catch (error) {
    const listed = /\(options: ([^)]*)\)/.exec((error as Error).message);
    return listed === null ? undefined : listed[1].split(", ");
  }
  return undefined;
}

describe("layer registry", () => {
  const registrations = layerRegistrations();

  it("lists every family and every class once, in the order the io registry reads them", () => {
    expect(new Set(registrations.map((r) => r.family))).toEqual(new Set(LAYER_FAMILIES));
    expect(new Set(registrations.map((r) => r.className)).size).toBe(registrations.length);
    expect(LAYER_REGISTRY.map((e) => e.className)).toEqual(registrations.map((r) => r.className));
  });

  it("declares each method's options exactly as the method checks them", () => {
    for (const r of registrations) {
      expect(announcedOptions(r), r.className).toEqual(r.options);
    }
  });

  it("makes layers of the registered class, under the method and each alias", () => {
    const x = input({ shape: [8, 8, 3] }) as unknown as Record<string, unknown>;
    for (const r of registrations) {
      const method = methodOf(r);
      if (r.style === "input" || r.style === "merge") {
        expect(method, r.className).toBeUndefined();
        continue;
      }
      for (const name of [r.method, ...(r.aliases ?? [])]) expect(x[name], `${r.className}: ${name}`).toBe(method);
    }
  });

  it("refuses a registration whose config writers or ONNX mapping disagree with its formats, naming the class and the format", () => {
    const base = { family: "core", className: "Unwritten", method: "unwritten", style: "method", options: ["name"] } as const;
    expect(() => registerLayer({ ...base, formats: EVERY_FORMAT })).toThrow("layer class Unwritten needs a tfjs config writer");
    const dense = layerRegistrations().find((r) => r.className === "Dense")!;
    expect(() => registerLayer({ ...base, formats: notInTfjs("Unwritten"), writers: dense.writers })).toThrow(
      "layer class Unwritten must not have a tfjs config writer",
    );
    const jsonOnly = { tfjs: dense.writers!.tfjs, keras: dense.writers!.keras };
    expect(() => registerLayer({ ...base, formats: EVERY_FORMAT, writers: jsonOnly })).toThrow(
      "layer class Unwritten needs an ONNX mapping (formats.onnx is true)",
    );
    const refused = { ...EVERY_FORMAT, onnx: "ONNX has no such operator" };
    expect(() => registerLayer({ ...base, formats: refused, writers: dense.writers })).toThrow("layer class Unwritten must not have an ONNX mapping");
    expect(layerRegistrations().some((r) => r.className === "Unwritten")).toBe(false);
  });

  it("names, per layer, every piece of the add-a-layer checklist that is missing", () => {
    const missing: Record<string, string[]> = {};
    for (const r of registrations) {
      const lacks = Object.entries(CHECKS)
        .filter(([, ok]) => !ok(r))
        .map(([what]) => what);
      if (lacks.length > 0) missing[r.className] = lacks;
    }
    expect(missing).toEqual(Object.fromEntries(Object.entries(KNOWN_GAPS).map(([className, gaps]) => [className, Object.keys(gaps)])));
  });
});
