/**
 * Runs a model's ONNX export in onnxruntime-node (an optional peer
 * dependency): `predictAsync(x, { backend: "onnxruntime" })`.
 */
import { inputDtype } from "../input-dtype.js";
import { fail } from "../../checks.js";
import { inPlaceWrites } from "../../kernels/packed-weights.js";
import type { Tensor } from "../../kernels/tensor.js";
import type { PredictOptions } from "../../model-inputs.js";
import type { ExportableModel } from "./builder.js";
import { toONNX } from "./export.js";

// ---------------------------------------------------------------------------
// Running the export in onnxruntime
// ---------------------------------------------------------------------------

/** The parts of `onnxruntime-node` used here (it is an optional peer dependency, so its types are not imported). */
interface OrtTensor {
  readonly dims: readonly number[];
  readonly data: unknown;
}
interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
}
interface OrtModule {
  readonly InferenceSession: { create(model: Uint8Array, options: typeof SESSION_OPTIONS): Promise<OrtSession> };
  readonly Tensor: new (type: "float32" | "int32", data: Float32Array | Int32Array, dims: readonly number[]) => OrtTensor;
}

/**
 * Session options of `predictAsync`. Prepacking copies every convolution
 * and Gemm weight into a layout of its own while the session is built: on
 * VGG16 a quarter of the memory pages building the session touches and of
 * its CPU time, with runs no faster afterwards (VGG16 batch 1, ResNet50
 * batch 8, the seed Model B batch 64), so it is turned off.
 */
const SESSION_OPTIONS = { extra: { session: { disable_prepacking: "1" } } } as const;

let ortModule: Promise<OrtModule> | undefined;

/** Loads `onnxruntime-node` once; a clear sentence when it is not installed. */
function loadOnnxRuntime(): Promise<OrtModule> {
  // A variable specifier: bundlers and the compiler leave the optional package alone.
  const specifier = "onnxruntime-node";
  ortModule ??= import(specifier).then(
    (m: { default?: OrtModule } & OrtModule) => m.default ?? m,
    (cause: unknown) => {
      ortModule = undefined;
      throw new Error(
        "shapewise: predictAsync with backend 'onnxruntime' needs the onnxruntime-node package, which could not be loaded; install it with `npm install onnxruntime-node`",
        { cause },
      );
    },
  );
  return ortModule;
}

/**
 * One session per model, made again when its weights are replaced
 * (`setWeights` swaps each layer's arrays) or written in place (a training
 * step counts its writes through `weightsWritten`).
 */
const sessions = new WeakMap<object, { weights: readonly (readonly Tensor[] | undefined)[]; writes: number; session: Promise<OrtSession> }>();

function sessionFor(m: ExportableModel, ort: OrtModule): Promise<OrtSession> {
  const weights = m.layers.map((l) => l.weights);
  let writes = 0;
  for (const ws of weights) for (const w of ws ?? []) writes += inPlaceWrites(w.data);
  const cached = sessions.get(m);
  if (cached !== undefined && cached.writes === writes && cached.weights.length === weights.length && cached.weights.every((w, i) => w === weights[i]))
    return cached.session;
  const session = ort.InferenceSession.create(toONNX(m), SESSION_OPTIONS);
  sessions.set(m, { weights, writes, session });
  return session;
}

/**
 * Runs the model's ONNX export in onnxruntime-node on concrete inputs, one
 * per model input in `m.graph().inputs` order, already checked against the
 * model's input shapes; gives one tensor per model output. Used by
 * `Model.predictAsync` with `backend: "onnxruntime"`.
 *
 * @example
 * ```ts
 * const [y] = await runONNX(m, [tensor([2, 28, 28, 1], data)]);
 * ```
 */
export async function runONNX(m: ExportableModel, inputs: readonly Tensor[]): Promise<Tensor[]> {
  const ort = await loadOnnxRuntime();
  const session = await sessionFor(m, ort);
  if (inputs.length !== session.inputNames.length) fail(`shapewise: runONNX expects ${session.inputNames.length} inputs, got ${inputs.length}`);
  const feeds: Record<string, OrtTensor> = {};
  const layers = m.graph().inputs.map((ref) => ref.layer);
  session.inputNames.forEach((name, i) => {
    // An int32 input takes its checked whole numbers as int32, as the export declares it.
    const int32 = inputDtype(layers[i]) === "int32";
    feeds[name] = int32
      ? new ort.Tensor("int32", Int32Array.from(inputs[i].data), inputs[i].shape)
      : new ort.Tensor("float32", inputs[i].data, inputs[i].shape);
  });
  const results = await session.run(feeds);
  return session.outputNames.map((name) => {
    const t = results[name];
    return { shape: [...t.dims], data: t.data as Float32Array };
  });
}

/**
 * Options of `Model.predictAsync`: those of `predict`, and where to run.
 *
 * @example
 * ```ts
 * await m.predictAsync(x, { backend: "onnxruntime" });
 * ```
 */
export interface PredictAsyncOptions extends PredictOptions {
  /**
   * `"embedded"` (the default): shapewise's own kernels, as `predict`.
   * `"onnxruntime"`: the model's `toONNX()` export in onnxruntime-node, an
   * optional peer dependency that must be installed.
   */
  backend?: "embedded" | "onnxruntime";
}
