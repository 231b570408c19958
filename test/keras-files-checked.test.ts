/**
 * What Keras was shown still stands. check-shapewise-files.py loaded
 * shapewise's `.keras`, `.h5` and `.weights.h5` of every fixture model in
 * Keras 3 and printed, beside each difference, a digest of each file's
 * config and weights (fixtures/keras-files/check-shapewise-files.out). This
 * test writes the same files with today's code and computes the same digest:
 * a writer change that Keras never loaded fails here, with a sentence saying
 * to rerun the check script. No Python is needed.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { strFromU8, unzipSync } from "fflate";
import { describe, expect, it } from "vitest";

import { hdf5 } from "../src/io/keras/libraries.js";
import { layerRegistrations } from "../src/layers/registry.js";
import "../src/node/index.js";
import { shapewiseKerasFiles } from "./fixtures/keras-files/shapewise-files.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const folder = path.join(here, "fixtures/keras-files");
const recorded = readFileSync(path.join(folder, "check-shapewise-files.out"), "utf8");
const cases: { name: string; params: number }[] = JSON.parse(readFileSync(path.join(folder, "cases.json"), "utf8")).cases;

const RERUN =
  "rerun `npx tsx test/fixtures/keras-files/write-shapewise-files.ts OUT` and `python test/fixtures/keras-files/check-shapewise-files.py OUT` where Keras 3 is installed, and commit its output as check-shapewise-files.out";

/** Feeds every dataset of an HDF5 file to the hash in path order, as check-shapewise-files.py does. */
async function hashDatasets(hash: ReturnType<typeof createHash>, bytes: Uint8Array): Promise<string | undefined> {
  const h5 = await hdf5();
  const file = `/digest-${Math.random().toString(36).slice(2)}.h5`;
  h5.FS!.writeFile(file, bytes);
  const f = new h5.File(file, "r");
  try {
    const paths: string[] = [];
    const walk = (prefix: string, g: InstanceType<typeof h5.Group>) => {
      for (const key of g.keys()) {
        const child = g.get(key);
        const at = prefix === "" ? key : `${prefix}/${key}`;
        if (child instanceof h5.Group) walk(at, child);
        else if (child instanceof h5.Dataset) paths.push(at);
      }
    };
    walk("", f);
    const config = f.attrs.model_config?.value;
    if (typeof config === "string") hash.update(`config\n${config}\n`);
    for (const at of paths.sort()) {
      const d = f.get(at) as InstanceType<typeof h5.Dataset>;
      const meta = d.metadata as { type: number; size: number; signed: boolean; shape: number[]; littleEndian: boolean };
      if (!meta.littleEndian) throw new Error(`${at} is big-endian: the digest reads little-endian data`);
      const kind = meta.type === 1 ? "float" : meta.signed ? "int" : "uint";
      hash.update(`${at}\n${kind}${meta.size * 8} ${meta.shape.join("x")}\n`);
      hash.update(valueBytes(d.value, kind, meta.size));
    }
    return typeof config === "string" ? config : undefined;
  } finally {
    f.close();
    h5.FS!.unlink(file);
  }
}

/** A dataset's value as its little-endian bytes (h5wasm gives a scalar as a number or a bigint). */
function valueBytes(value: unknown, kind: string, size: number): Uint8Array {
  let view: ArrayBufferView;
  if (ArrayBuffer.isView(value)) view = value;
  else if (typeof value === "bigint") view = kind === "uint" ? BigUint64Array.of(value) : BigInt64Array.of(value);
  else if (typeof value === "number") {
    const scalars: Record<string, { of(...items: number[]): ArrayBufferView } | undefined> = {
      float4: Float32Array,
      float8: Float64Array,
      int4: Int32Array,
      uint4: Uint32Array,
      int2: Int16Array,
      int1: Int8Array,
      uint1: Uint8Array,
    };
    const make = scalars[`${kind}${size}`];
    if (make !== undefined) view = make.of(value);
    else if (size === 8) view = kind === "uint" ? BigUint64Array.of(BigInt(value)) : BigInt64Array.of(BigInt(value));
    else throw new Error(`no byte form for a ${kind}${size * 8} scalar`);
  } else throw new Error(`dataset value ${String(value)} is not numeric`);
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

/** The check script's digest of one file: the model config, then every dataset. */
async function digest(name: string, bytes: Uint8Array): Promise<string> {
  const hash = createHash("sha256");
  if (name.endsWith(".keras")) {
    const parts = unzipSync(bytes);
    hash.update(`config\n${strFromU8(parts["config.json"])}\n`);
    await hashDatasets(hash, parts["model.weights.h5"]);
  } else await hashDatasets(hash, bytes);
  return hash.digest("hex");
}

const digests = new Map([...recorded.matchAll(/^digest (\S+) ([0-9a-f]{64})$/gm)].map((m) => [m[1], m[2]]));

describe("the Keras check's recorded output still describes what shapewise writes", () => {
  it("the recorded run ended ok, within 1e-5, for every case of cases.json", () => {
    expect(recorded.trimEnd().endsWith("\nok"), `check-shapewise-files.out does not end with ok: ${RERUN}`).toBe(true);
    for (const c of cases) {
      const line = recorded.split("\n").find((l) => l.startsWith(`${c.name}: `));
      expect(line, `case ${c.name} is not in check-shapewise-files.out: ${RERUN}`).toBeDefined();
      expect(line).toContain(`params ${c.params} (expected ${c.params})`);
    }
  });

  it("every file shapewise writes today has the config and weights Keras loaded", { timeout: 120_000 }, async () => {
    const { files } = await shapewiseKerasFiles();
    expect([...files.keys()].sort()).toEqual([...digests.keys()].sort());
    for (const [name, bytes] of files) {
      expect(await digest(name, bytes), `shapewise's ${name} differs from the one Keras loaded: ${RERUN}`).toBe(digests.get(name));
    }
  });
});

describe("Keras's fixture files cover the catalog", () => {
  it("every layer class shapewise registers is in a model Keras 3 wrote (make-reference.py)", () => {
    const seen = new Set<string>();
    const visit = (layer: { class_name: string; config?: { layer?: unknown } }) => {
      seen.add(layer.class_name);
      if (layer.config?.layer !== undefined) visit(layer.config.layer as never);
    };
    for (const c of cases) {
      const config = JSON.parse(strFromU8(unzipSync(new Uint8Array(readFileSync(path.join(folder, `${c.name}.keras`))))["config.json"]));
      for (const layer of config.config.layers) visit(layer);
    }
    const missing = layerRegistrations()
      .map((r) => r.className)
      .filter((name) => !seen.has(name));
    expect(missing, "add these layers to a model of make-reference.py and regenerate the fixtures with Keras").toEqual([]);
  });
});
