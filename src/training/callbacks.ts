/**
 * Callbacks `fit` calls around epochs and batches, with TensorFlow.js's hook
 * names and Keras 3's rules for early stopping, checkpoints and learning-rate
 * reduction.
 */
import { configObject, fail, valueText } from "../checks.js";
import type { Optimizer } from "./optimizers.js";

/** Values `fit` reports: `loss`, metrics, and `val_` ones after validation. */
export type Logs = Record<string, number>;

/** What a callback may do to the training it watches (Keras's `callback.model`). */
export interface TrainingControl {
  /** Set to true to end `fit` after the current epoch. */
  stopTraining: boolean;
  readonly optimizer: Optimizer;
  getWeights(): Float32Array[];
  setWeights(weights: readonly Float32Array[]): void;
  /** Saves the model to a path, as `m.save(path)` does. */
  save(path: string): Promise<void>;
  /** Writes a line where `fit` prints its progress. */
  print(line: string): void;
}

/**
 * Hooks `fit` calls, each optional and possibly async (awaited before
 * training goes on). A plain object with some of them is a callback.
 *
 * @example
 * await c.fit(x, y, { callbacks: [{ onEpochEnd: (epoch, logs) => console.log(epoch, logs.loss) }] });
 */
export interface Callback {
  /** Called once before training with what the callback may act on. */
  setModel?(control: TrainingControl): void;
  onTrainBegin?(logs?: Logs): void | Promise<void>;
  onTrainEnd?(logs?: Logs): void | Promise<void>;
  onEpochBegin?(epoch: number, logs?: Logs): void | Promise<void>;
  onEpochEnd?(epoch: number, logs: Logs): void | Promise<void>;
  onBatchBegin?(batch: number, logs?: Logs): void | Promise<void>;
  onBatchEnd?(batch: number, logs: Logs): void | Promise<void>;
}

/** `"min"`, `"max"`, or `"auto"`: from the monitored name, as Keras decides it. */
export type MonitorMode = "auto" | "min" | "max";

/**
 * Keras's `auto`: losses fall, accuracies rise; for any other name Keras
 * cannot tell, and neither can this, so the user says.
 */
function rises(owner: string, monitor: string, mode: MonitorMode): boolean {
  if (mode !== "auto") return mode === "max";
  const name = monitor.replace(/^val_/, "");
  if (name === "loss" || name.endsWith("_loss")) return false;
  if (name.endsWith("accuracy")) return true;
  return fail(`shapewise: ${owner} cannot tell whether '${monitor}' should rise or fall: pass mode 'min' or 'max'`);
}

function readMode(owner: string, value: unknown): MonitorMode {
  if (value === undefined) return "auto";
  if (value !== "auto" && value !== "min" && value !== "max") {
    fail(`shapewise: ${owner} mode must be one of 'auto', 'min', 'max', got ${valueText(value)}`);
  }
  return value;
}

function readNumber(owner: string, key: string, value: unknown, fallback: number, min: number, integer = false): number {
  if (value === undefined) return fallback;
  const ok = typeof value === "number" && Number.isFinite(value) && value >= min && (!integer || Number.isInteger(value));
  if (!ok) fail(`shapewise: ${owner} ${key} must be ${integer ? "an integer" : "a finite number"} of at least ${min}, got ${valueText(value)}`);
  return value as number;
}

function readMonitor(owner: string, value: unknown): string {
  if (value === undefined) return "val_loss";
  if (typeof value !== "string" || value.length === 0) fail(`shapewise: ${owner} monitor must be a metric name, got ${valueText(value)}`);
  return value;
}

function monitored(control: TrainingControl | undefined, owner: string, monitor: string, logs: Logs): number | undefined {
  const value = logs[monitor];
  if (value === undefined && control !== undefined) {
    control.print(`${owner}: '${monitor}' is not among the logged values (${Object.keys(logs).join(", ")}); skipping`);
  }
  return value;
}

/** Options of {@link earlyStopping}. */
export interface EarlyStoppingConfig {
  /** Default `"val_loss"`. */
  monitor?: string;
  /** A change smaller than this is no improvement (default 0). */
  minDelta?: number;
  /** Epochs without improvement before stopping (default 0). */
  patience?: number;
  verbose?: 0 | 1;
  mode?: MonitorMode;
  /** Training stops unless the monitored value beats this. */
  baseline?: number;
  /** At the end, put back the weights of the best epoch (default false). */
  restoreBestWeights?: boolean;
  /** Epochs to wait before watching (default 0). */
  startFromEpoch?: number;
}

/**
 * Stops training when the monitored value has not improved for `patience`
 * epochs (Keras's `EarlyStopping`).
 *
 * @example
 * await c.fit(x, y, { epochs: 50, validationSplit: 0.1, callbacks: [earlyStopping({ patience: 2, restoreBestWeights: true })] });
 */
export function earlyStopping(config: EarlyStoppingConfig = {}): Callback {
  const owner = "earlyStopping";
  const c = configObject(owner, config, ["monitor", "minDelta", "patience", "verbose", "mode", "baseline", "restoreBestWeights", "startFromEpoch"]);
  const monitor = readMonitor(owner, c.monitor);
  const up = rises(owner, monitor, readMode(owner, c.mode));
  const minDelta = Math.abs(readNumber(owner, "minDelta", c.minDelta, 0, Number.NEGATIVE_INFINITY));
  const patience = readNumber(owner, "patience", c.patience, 0, 0, true);
  const verbose = readNumber(owner, "verbose", c.verbose, 0, 0, true);
  const baseline = c.baseline === undefined ? null : readNumber(owner, "baseline", c.baseline, 0, Number.NEGATIVE_INFINITY);
  const restore = c.restoreBestWeights === true;
  const startFrom = readNumber(owner, "startFromEpoch", c.startFromEpoch, 0, 0, true);
  const better = (value: number, reference: number | null): boolean => reference === null || (up ? value - minDelta > reference : value + minDelta < reference);
  let control: TrainingControl | undefined;
  let wait = 0;
  let stoppedEpoch = 0;
  // As in Keras, the best value survives from one fit to the next; the counters do not.
  let best: number | null = null;
  let bestEpoch = 0;
  let bestWeights: Float32Array[] | null = null;
  return {
    setModel(m) {
      control = m;
    },
    onTrainBegin() {
      wait = 0;
      stoppedEpoch = 0;
      bestEpoch = 0;
      bestWeights = null;
    },
    onEpochEnd(epoch, logs) {
      const current = monitored(control, owner, monitor, logs);
      if (current === undefined || epoch < startFrom) return;
      if (restore && bestWeights === null) {
        bestWeights = control?.getWeights() ?? null;
        bestEpoch = epoch;
      }
      wait += 1;
      if (better(current, best)) {
        best = current;
        bestEpoch = epoch;
        if (restore) bestWeights = control?.getWeights() ?? null;
        if (baseline === null || better(current, baseline)) wait = 0;
        return;
      }
      if (wait >= patience && epoch > 0 && control !== undefined) {
        stoppedEpoch = epoch;
        control.stopTraining = true;
      }
    },
    onTrainEnd() {
      if (stoppedEpoch > 0 && verbose > 0) control?.print(`Epoch ${stoppedEpoch + 1}: early stopping`);
      if (restore && bestWeights !== null && control !== undefined) {
        if (verbose > 0) control.print(`Restoring model weights from the end of the best epoch: ${bestEpoch + 1}.`);
        control.setWeights(bestWeights);
      }
    },
  };
}

/** Options of {@link reduceLROnPlateau}. */
export interface ReduceLROnPlateauConfig {
  /** Default `"val_loss"`. */
  monitor?: string;
  /** The learning rate is multiplied by this, below 1 (default 0.1). */
  factor?: number;
  /** Epochs without improvement before reducing (default 10). */
  patience?: number;
  verbose?: 0 | 1;
  mode?: MonitorMode;
  /** Default 1e-4. */
  minDelta?: number;
  /** Epochs to wait after a reduction (default 0). */
  cooldown?: number;
  /** Default 0. */
  minLr?: number;
}

/**
 * Lowers the learning rate when the monitored value stops improving
 * (Keras's `ReduceLROnPlateau`); logs `learning_rate` every epoch.
 *
 * @example
 * callbacks: [reduceLROnPlateau({ factor: 0.5, patience: 2 })]
 */
export function reduceLROnPlateau(config: ReduceLROnPlateauConfig = {}): Callback {
  const owner = "reduceLROnPlateau";
  const c = configObject(owner, config, ["monitor", "factor", "patience", "verbose", "mode", "minDelta", "cooldown", "minLr"]);
  const monitor = readMonitor(owner, c.monitor);
  const factor = readNumber(owner, "factor", c.factor, 0.1, 0);
  if (factor >= 1) fail(`shapewise: ${owner} factor must be below 1, got ${valueText(factor)}`);
  const patience = readNumber(owner, "patience", c.patience, 10, 0, true);
  const verbose = readNumber(owner, "verbose", c.verbose, 0, 0, true);
  const up = rises(owner, monitor, readMode(owner, c.mode));
  const minDelta = readNumber(owner, "minDelta", c.minDelta, 1e-4, 0);
  const cooldown = readNumber(owner, "cooldown", c.cooldown, 0, 0, true);
  const minLr = readNumber(owner, "minLr", c.minLr, 0, 0);
  let control: TrainingControl | undefined;
  let best = up ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  let wait = 0;
  let cooling = 0;
  return {
    setModel(m) {
      control = m;
    },
    onTrainBegin() {
      best = up ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
      wait = 0;
      cooling = 0;
    },
    onEpochEnd(epoch, logs) {
      if (control === undefined) return;
      logs.learning_rate = control.optimizer.learningRate;
      const current = monitored(control, owner, monitor, logs);
      if (current === undefined) return;
      if (cooling > 0) {
        cooling -= 1;
        wait = 0;
      }
      if (up ? current > best + minDelta : current < best - minDelta) {
        best = current;
        wait = 0;
      } else if (cooling === 0) {
        wait += 1;
        if (wait >= patience) {
          const old = control.optimizer.learningRate;
          if (old > Math.fround(minLr)) {
            const next = Math.max(old * factor, minLr);
            control.optimizer.learningRate = next;
            if (verbose > 0) control.print(`\nEpoch ${epoch + 1}: ReduceLROnPlateau reducing learning rate to ${next}.`);
            cooling = cooldown;
            wait = 0;
          }
        }
      }
    },
  };
}

/**
 * Fills a checkpoint path's `{name}` and `{name:spec}` fields from the epoch
 * (1-based) and the logs, with Python's format specs `.Nf`, `.Ne`, `0Nd`, `Nd`.
 *
 * @example
 * checkpointPath("ckpt/{epoch:02d}-{val_loss:.2f}", 2, { val_loss: 0.1234 }); // "ckpt/03-0.12"
 */
export function checkpointPath(template: string, epoch: number, logs: Logs): string {
  const values: Record<string, number> = { ...logs, epoch: epoch + 1 };
  return template.replace(/\{([A-Za-z_][A-Za-z0-9_]*)(?::([^}]*))?\}/g, (_, name: string, spec: string | undefined) => {
    if (!Object.hasOwn(values, name)) {
      fail(`shapewise: modelCheckpoint path field '{${name}}' is not among epoch and the logged values (${Object.keys(logs).join(", ")})`);
    }
    const v = values[name];
    if (spec === undefined || spec === "") return String(v);
    const m = /^(0?)(\d*)(?:\.(\d+))?([dfe])$/.exec(spec);
    if (m === null) fail(`shapewise: modelCheckpoint path field '{${name}:${spec}}' has a format spec it does not know (use .Nf, .Ne, 0Nd or Nd)`);
    const [, zero, width, digits, kind] = m;
    let text =
      kind === "d"
        ? String(Math.trunc(v))
        : kind === "f"
          ? v.toFixed(Number(digits ?? 6))
          : v.toExponential(Number(digits ?? 6)).replace(/e([+-])(\d)$/, "e$10$2");
    if (width !== "") text = text.padStart(Number(width), zero === "0" ? "0" : " ");
    return text;
  });
}

/** Options of {@link modelCheckpoint}. */
export interface ModelCheckpointConfig {
  /** Where to save; may hold fields such as `{epoch:02d}` and `{val_loss:.2f}`. */
  filepath: string;
  /** Default `"val_loss"`. */
  monitor?: string;
  verbose?: 0 | 1;
  /** Save only when the monitored value improves (default false). */
  saveBestOnly?: boolean;
  mode?: MonitorMode;
  /** With `saveBestOnly`, the value the first save must beat. */
  initialValueThreshold?: number;
}

/** Python's `{x:.5f}`, which spells infinities `inf`. */
function fixed5(x: number): string {
  return Number.isFinite(x) ? x.toFixed(5) : x > 0 ? "inf" : "-inf";
}

/**
 * Saves the model at the end of every epoch, or only when the monitored value
 * improves (Keras's `ModelCheckpoint`).
 *
 * @example
 * callbacks: [modelCheckpoint({ filepath: "checkpoints/best", saveBestOnly: true })]
 */
export function modelCheckpoint(config: ModelCheckpointConfig): Callback {
  const owner = "modelCheckpoint";
  const c = configObject(owner, config, ["filepath", "monitor", "verbose", "saveBestOnly", "mode", "initialValueThreshold"]);
  if (typeof c.filepath !== "string" || c.filepath.length === 0) fail(`shapewise: ${owner} filepath must be a non-empty string, got ${valueText(c.filepath)}`);
  const template = c.filepath;
  const monitor = readMonitor(owner, c.monitor);
  const up = rises(owner, monitor, readMode(owner, c.mode));
  const verbose = readNumber(owner, "verbose", c.verbose, 0, 0, true);
  const bestOnly = c.saveBestOnly === true;
  const initial =
    c.initialValueThreshold === undefined ? null : readNumber(owner, "initialValueThreshold", c.initialValueThreshold, 0, Number.NEGATIVE_INFINITY);
  let control: TrainingControl | undefined;
  let best = initial ?? (up ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY);
  return {
    setModel(m) {
      control = m;
    },
    async onEpochEnd(epoch, logs) {
      if (control === undefined) return;
      const path = checkpointPath(template, epoch, logs);
      if (!bestOnly) {
        if (verbose > 0) control.print(`\nEpoch ${epoch + 1}: saving model to ${path}`);
        await control.save(path);
        return;
      }
      const current = monitored(control, owner, monitor, logs);
      if (current === undefined) return;
      if (up ? current > best : current < best) {
        if (verbose > 0) {
          control.print(`\nEpoch ${epoch + 1}: ${monitor} improved from ${fixed5(best)} to ${fixed5(current)}, saving model to ${path}`);
        }
        best = current;
        await control.save(path);
      } else if (verbose > 0) {
        control.print(`\nEpoch ${epoch + 1}: ${monitor} did not improve from ${fixed5(best)}`);
      }
    },
  };
}

/**
 * Per-epoch values of a `fit`, as Keras's `History`: `history.history.loss[e]`.
 *
 * @example
 * const h = await c.fit(x, y, { epochs: 3 });
 * h.history.loss; // [0.41, 0.18, 0.12]
 */
export class History {
  /** The epochs that ran, 0-based. */
  readonly epoch: number[] = [];
  /** Each logged name's value per epoch. */
  readonly history: Record<string, number[]> = {};

  /** Records one epoch's logs. */
  record(epoch: number, logs: Logs): void {
    this.epoch.push(epoch);
    for (const [k, v] of Object.entries(logs)) (this.history[k] ??= []).push(v);
  }
}

/**
 * Checks a callbacks option: an array of objects whose known hooks are functions.
 *
 * @example
 * readCallbacks([earlyStopping()]); // ok
 * readCallbacks([{ onEpochEnd: 3 }]); // throws a sentence
 */
export function readCallbacks(value: unknown): Callback[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) fail(`shapewise: fit callbacks must be an array of callbacks, got ${valueText(value)}`);
  const hooks = ["setModel", "onTrainBegin", "onTrainEnd", "onEpochBegin", "onEpochEnd", "onBatchBegin", "onBatchEnd"];
  value.forEach((cb, i) => {
    if (typeof cb !== "object" || cb === null) fail(`shapewise: fit callback ${i} must be an object with hooks such as onEpochEnd, got ${valueText(cb)}`);
    for (const h of hooks) {
      const f = (cb as Record<string, unknown>)[h];
      if (f !== undefined && typeof f !== "function") fail(`shapewise: fit callback ${i} ${h} must be a function, got ${valueText(f)}`);
    }
  });
  return value as Callback[];
}
