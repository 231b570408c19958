/**
 * shapewise: Keras-style neural networks whose shapes and parameter counts
 * the TypeScript type checker computes, with a real forward pass.
 *
 * @example
 * import { input, model } from "shapewise";
 * const inputs = input({ shape: [28, 28, 1] });
 * const outputs = inputs
 *   .conv2d({ filters: 32, kernelSize: 3, activation: "relu", padding: "same" })
 *   .maxPooling2d({ poolSize: 2 })
 *   .flatten()
 *   .dense({ units: 10, activation: "softmax" });
 * const m = model({ inputs, outputs }); // Model<[null, 28, 28, 1], [null, 10], 63050>
 * m.summary();
 */
export { input, model, sequential, clearSession } from "./functional.js";
export type { ModelConfig, ModelFor } from "./functional.js";
export { layers } from "./layer-methods.js";
export { add, subtract, multiply, average, maximum, minimum, concatenate, dot } from "./layers/merging.js";
export { tensor } from "./tensor.js";
export { ShapeError } from "./errors.js";
export type { ShapeFailure } from "./errors.js";
export { Model } from "./model.js";
export type { PredictOptions } from "./model-inputs.js";
export type { SaveResultFor } from "./model-files.js";
export { expectParams, expectShape, failureSummary } from "./model-expect.js";
export type { CostOptions, MemoryEstimate, MemoryOptions } from "./model-cost.js";
export type { GraphNode, ModelGraph, TensorLayout, TensorRef } from "./model-graph.js";
export type { TrainingMemory, TrainingMemoryOptions } from "./cost-training.js";
export { getKernelBackend, kernelInfo, loadKernels, setKernelBackend } from "./kernels/backend.js";
export type { KernelBackend, KernelInfo, LoadKernelsOptions, ThreadMode, ThreadsOption } from "./kernels/backend.js";
export type { LayerKernel, LayerProfile } from "./kernels/profile.js";
export type { KernelBuild, KernelUrls } from "./kernels/wasm.js";
export { terminateThreads } from "./kernels/threads.js";
export type { Layer, LayerCost, WeightSpec } from "./layers/layer.js";
export type { SummaryOptions, SummaryStyle } from "./summary/index.js";
export type { SummaryData, SummaryRow, StyleNames } from "./summary/rows.js";
export { ONNX_OPSET } from "./io/onnx/builder.js";
export { toONNX } from "./io/onnx/export.js";
export { modelFromTfjsArtifacts } from "./io/tfjs/read.js";
export { modelToTfjsArtifacts } from "./io/tfjs/write.js";
export type { TfjsArtifacts, TfjsWeightSpec, TfjsWriteOptions } from "./io/tfjs/format.js";
export { loadModel } from "./io/tfjs/load.js";
export { saveModel } from "./io/tfjs/save.js";
export type { ModelFile, ModelSource } from "./io/tfjs/load.js";
export type { SaveResult } from "./io/tfjs/save.js";
export type { SavedTraining, TrainingSnapshot } from "./io/tfjs/optimizer-file.js";
export { modelFromKerasJSON } from "./io/keras/json-read.js";
export { toKerasJSON } from "./io/keras/json-write.js";
export { loadWeightsFromBytes, modelFromKerasFile } from "./io/keras/read.js";
export type { KerasReadOptions } from "./io/keras/read.js";
export { modelToKerasFile, modelToLegacyH5, weightsToKerasFile } from "./io/keras/write.js";
export type { KerasSaveResult } from "./io/keras/files.js";
export type { KerasJsonOptions } from "./io/keras/json-write.js";
export { codegen, codegenModule } from "./io/codegen.js";
export type { CodegenOptions } from "./io/codegen.js";
export type { AnyModel, LoadLimits } from "./io/file-graph.js";
export type { OnnxExportOptions } from "./io/onnx/export.js";
export type { PredictAsyncOptions } from "./io/onnx/run.js";
export { plotModel } from "./plot/plot.js";
export * from "./training/index.js";
export { regularizers } from "./regularizers.js";
export type { PlotOptions } from "./plot/plot.js";
export type * from "../types/index.js";
