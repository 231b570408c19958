/**
 * HDF5 files in memory through h5wasm: bytes in, a file to read, bytes out.
 * Every file lives in h5wasm's in-memory file system only while it is read
 * or written (a name of its own, removed afterwards), so the same code runs
 * in Node and in a browser. Failures of the HDF5 library become sentences
 * that say which file could not be read and why.
 */
import { fail, valueText } from "../../checks.js";
import { ShapeError } from "../../errors.js";
import { hdf5 } from "./libraries.js";
import type { H5Wasm } from "./libraries.js";

/** An open HDF5 file, group or dataset as h5wasm gives them. */
export type H5File = InstanceType<H5Wasm["File"]>;
export type H5Group = InstanceType<H5Wasm["Group"]>;
export type H5Dataset = InstanceType<H5Wasm["Dataset"]>;

/** Every HDF5 file Keras writes starts with this signature (no user block). */
const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

let serial = 0;

/**
 * True when the bytes start with the HDF5 signature.
 *
 * @example
 * isHdf5(await readFile("model.h5")); // true
 */
export function isHdf5(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && SIGNATURE.every((b, i) => bytes[i] === b);
}

/** The HDF5 library's own reason, the innermost line of its error stack. */
function hdf5Reason(error: unknown): string {
  const message = String((error as Error)?.message ?? error);
  const lines = [...message.matchAll(/#\d+: .*? in [\w.]+\(\): (.*)/g)].map((m) => m[1].trim());
  return (lines.at(-1) ?? message.split("\n")[0]).slice(0, 200);
}

/**
 * Opens HDF5 bytes for reading, runs `read` on the file, and removes it from
 * memory again. An error of the HDF5 library (a truncated or damaged file)
 * becomes a sentence naming `what`; errors `read` raises pass unchanged.
 *
 * @example
 * const names = await readHdf5(bytes, "model.h5", (f) => f.keys());
 */
export async function readHdf5<T>(bytes: Uint8Array, what: string, read: (file: H5File) => T): Promise<T> {
  if (!isHdf5(bytes)) fail(`shapewise: ${what} is not an HDF5 file (it does not start with the HDF5 signature)`);
  const h5 = await hdf5();
  const FS = h5.FS!;
  const name = `/shapewise-read-${++serial}.h5`;
  FS.writeFile(name, bytes);
  let file: H5File | undefined;
  try {
    file = new h5.File(name, "r");
    return read(file);
  } catch (error) {
    if (error instanceof ShapeError) throw error;
    return fail(`shapewise: ${what} is not a readable HDF5 file (${hdf5Reason(error)})`);
  } finally {
    try {
      file?.close();
    } catch {
      // A file that failed to open has nothing to close.
    }
    FS.unlink(name);
  }
}

/**
 * Makes a new HDF5 file in memory, lets `write` fill it, and returns its bytes.
 *
 * @example
 * const bytes = await writeHdf5((f) => f.create_group("layers"));
 */
export async function writeHdf5(write: (file: H5File) => void): Promise<Uint8Array> {
  const h5 = await hdf5();
  const FS = h5.FS!;
  const name = `/shapewise-write-${++serial}.h5`;
  try {
    const file = new h5.File(name, "w");
    try {
      write(file);
    } finally {
      file.close();
    }
    return FS.readFile(name) as Uint8Array;
  } finally {
    try {
      FS.unlink(name);
    } catch {
      // Nothing was made.
    }
  }
}

/**
 * The group at `path`, `undefined` when nothing is there, or a sentence when
 * something else (a dataset, a link) is.
 *
 * @example
 * groupAt(file, "layers/dense/vars", "dense.weights.h5");
 */
export function groupAt(parent: H5Group, path: string, what: string): H5Group | undefined {
  const entry = parent.get(path);
  if (entry === null || entry === undefined) return undefined;
  if (entry.constructor.name !== "Group" && entry.constructor.name !== "File")
    fail(`shapewise: ${what} has ${valueText(path)} as a ${entry.constructor.name}, where Keras writes a group`);
  return entry as H5Group;
}

/**
 * A string attribute (or `undefined`): Keras writes them variable-length,
 * h5py's older versions fixed-length; a list of one string reads as that string.
 *
 * @example
 * textAttribute(file, "model_config", "model.h5"); // '{"class_name": ...'
 */
export function textAttribute(node: H5Group | H5Dataset, key: string, what: string): string | undefined {
  if (!Object.hasOwn(node.attrs, key)) return undefined;
  const value = node.attrs[key].value;
  if (typeof value === "string") return value;
  fail(`shapewise: ${what} attribute '${key}' must be text, got ${typeof value}`);
}

/**
 * A list-of-strings attribute as Keras writes `layer_names` and
 * `weight_names`: one attribute, or chunks `name0`, `name1`, ... when it
 * outgrew HDF5's header limit; an empty list is written as an empty float array.
 *
 * @example
 * textListAttribute(group, "weight_names", "layer 'dense'"); // ["dense/kernel", "dense/bias"]
 */
export function textListAttribute(node: H5Group, key: string, what: string): string[] {
  const attrs = node.attrs;
  const read = (k: string): string[] => {
    const value = attrs[k].value as unknown;
    if (typeof value === "string") return [value];
    if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value as string[];
    if (ArrayBuffer.isView(value) && (value as unknown as { length: number }).length === 0) return [];
    return fail(`shapewise: ${what} attribute '${k}' must be a list of names`);
  };
  if (Object.hasOwn(attrs, key)) return read(key);
  const out: string[] = [];
  for (let chunk = 0; Object.hasOwn(attrs, `${key}${chunk}`); chunk++) out.push(...read(`${key}${chunk}`));
  return out;
}

/**
 * The values of a float32 dataset after checking, before a byte is read,
 * that it is one and that its shape is `shape` (a file whose datasets
 * disagree with the model's layers is refused, whatever sizes it declares).
 * With `integer`, a weight Keras keeps as an integer (a `count`) is read from
 * its int64 or int32 dataset, each value an exact integer in float32.
 *
 * @example
 * floatDataset(vars, "0", [784, 10], "layer 'dense' weight 0", "model.keras");
 */
export function floatDataset(parent: H5Group, key: string, shape: readonly number[], label: string, what: string, integer = false): Float32Array {
  const entry = parent.get(key);
  if (entry === null || entry === undefined) fail(`shapewise: ${what} has no dataset for ${label} (shape ${valueText(shape)})`);
  if (entry.constructor.name !== "Dataset") fail(`shapewise: ${what} has a ${entry.constructor.name} where ${label} should be a dataset`);
  const ds = entry as H5Dataset;
  const meta = ds.metadata;
  const fileShape = (meta.shape ?? []).map(Number);
  if (fileShape.length !== shape.length || fileShape.some((d, i) => d !== shape[i])) {
    fail(`shapewise: ${what} holds ${label} with shape ${valueText(fileShape)}, but the model needs ${valueText(shape)}`);
  }
  if (integer && meta.type === 0 && (meta.size === 8 || meta.size === 4) && meta.littleEndian !== false) return integerValues(ds.value, label, what);
  // Keras writes float32; other types would need a conversion Keras never asks for.
  if (meta.type !== 1 || meta.size !== 4 || meta.littleEndian === false)
    fail(`shapewise: ${what} holds ${label} as ${valueText(ds.dtype)}; shapewise reads float32 weights ('<f')`);
  const value = ds.value;
  if (!(value instanceof Float32Array)) fail(`shapewise: ${what} holds ${label} in a form h5wasm cannot read as float32`);
  return value;
}

/** An integer dataset's values as float32, each one exactly representable (below 2^24 in magnitude). */
function integerValues(read: unknown, label: string, what: string): Float32Array {
  // h5wasm gives a scalar dataset (Keras's count) as one value, not an array.
  const value = typeof read === "bigint" ? BigInt64Array.of(read) : typeof read === "number" && Number.isInteger(read) ? Int32Array.of(read) : read;
  if (!(value instanceof BigInt64Array || value instanceof BigUint64Array || value instanceof Int32Array || value instanceof Uint32Array))
    return fail(`shapewise: ${what} holds ${label} in a form h5wasm cannot read as integers`);
  const out = new Float32Array(value.length);
  for (let i = 0; i < value.length; i++) {
    const n = Number(value[i]);
    if (Math.abs(n) > 2 ** 24) fail(`shapewise: ${what} holds ${label} with the value ${String(value[i])}, past the 2^24 that float32 holds exactly`);
    out[i] = n;
  }
  return out;
}
