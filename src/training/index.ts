/**
 * Training: optimizers, losses, metrics, schedules, callbacks and the
 * compiled model that `m.compile(...)` returns.
 */
export { CompiledModel } from "./compiled.js";
export type { BatchDataset, CompileConfig, EvaluateOptions, FitDatasetOptions, FitOptions, ProgressStream } from "./compiled.js";
export { History, checkpointPath, earlyStopping, modelCheckpoint, reduceLROnPlateau } from "./callbacks.js";
export type { Callback, EarlyStoppingConfig, Logs, ModelCheckpointConfig, MonitorMode, ReduceLROnPlateauConfig, TrainingControl } from "./callbacks.js";
export { LOSS_NAMES, losses } from "./losses.js";
export type { Loss, LossName, LossResult } from "./losses.js";
export { METRIC_NAMES } from "./metrics.js";
export type { Metric, MetricName } from "./metrics.js";
export { OPTIMIZER_NAMES, optimizers } from "./optimizers.js";
export type { AdagradConfig, AdamConfig, LearningRate, Optimizer, OptimizerCommonConfig, OptimizerState, RmspropConfig, SgdConfig } from "./optimizers.js";
export { schedules } from "./schedules.js";
export type { CosineDecayConfig, ExponentialDecayConfig, LearningRateSchedule } from "./schedules.js";
export type { Verbosity } from "./progress.js";
