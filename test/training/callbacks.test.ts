import { describe, expect, it } from "vitest";
import { History, checkpointPath, earlyStopping, modelCheckpoint, readCallbacks, reduceLROnPlateau } from "../../src/training/callbacks.js";
import type { Callback, Logs, TrainingControl } from "../../src/training/callbacks.js";
import { sgd } from "../../src/training/optimizers.js";

function control(): TrainingControl & { printed: string[]; saved: string[]; weights: Float32Array[] } {
  const c = {
    stopTraining: false,
    optimizer: sgd({ learningRate: 0.1 }),
    printed: [] as string[],
    saved: [] as string[],
    weights: [Float32Array.of(0)],
    getWeights: () => c.weights.map((w) => w.slice()),
    setWeights: (ws: readonly Float32Array[]) => {
      c.weights = ws.map((w) => w.slice());
    },
    save: async (path: string) => {
      c.saved.push(path);
    },
    print: (line: string) => c.printed.push(line),
  };
  return c;
}

/** Runs epochs with the given monitored values, setting the weight to the epoch number, until the callback stops training. */
async function run(cb: Callback, values: number[], key = "val_loss"): Promise<{ c: ReturnType<typeof control>; epochs: number }> {
  const c = control();
  cb.setModel?.(c);
  await cb.onTrainBegin?.();
  let epochs = 0;
  for (let e = 0; e < values.length && !c.stopTraining; e++) {
    c.weights = [Float32Array.of(e)];
    const logs: Logs = { [key]: values[e] };
    await cb.onEpochEnd?.(e, logs);
    epochs++;
  }
  await cb.onTrainEnd?.();
  return { c, epochs };
}

describe("earlyStopping as Keras 3", () => {
  it("stops after patience epochs without improvement and restores the best weights", async () => {
    const { c, epochs } = await run(earlyStopping({ patience: 2, restoreBestWeights: true, verbose: 1 }), [1, 0.5, 0.6, 0.7, 0.4, 0.3]);
    expect(epochs).toBe(4);
    expect(c.weights[0][0]).toBe(1);
    expect(c.printed).toEqual(["Epoch 4: early stopping", "Restoring model weights from the end of the best epoch: 2."]);
  });
  it("accuracy rises, minDelta counts, and the first epoch never stops", async () => {
    expect((await run(earlyStopping({ monitor: "val_accuracy" }), [0.5, 0.6, 0.6, 0.7], "val_accuracy")).epochs).toBe(3);
    expect((await run(earlyStopping({ minDelta: 0.2, patience: 1 }), [1, 0.9, 0.85, 0.5])).epochs).toBe(2);
    expect((await run(earlyStopping({ patience: 0 }), [1, 1])).epochs).toBe(2);
  });
  it("a baseline not beaten keeps the wait running, though improving epochs never stop training", async () => {
    expect((await run(earlyStopping({ baseline: 0.1, patience: 2 }), [1, 1, 1, 1])).epochs).toBe(2);
    expect((await run(earlyStopping({ patience: 2 }), [1, 1, 1, 1])).epochs).toBe(3);
    expect((await run(earlyStopping({ baseline: 0.1, patience: 1 }), [1, 0.5, 0.4])).epochs).toBe(3);
  });
  it("auto mode refuses a name it cannot read", () => {
    expect(() => earlyStopping({ monitor: "val_auc" })).toThrow(
      "shapewise: earlyStopping cannot tell whether 'val_auc' should rise or fall: pass mode 'min' or 'max'",
    );
  });
  it("a missing monitor is said once per epoch and nothing stops", async () => {
    const { c, epochs } = await run(earlyStopping({ monitor: "val_accuracy" }), [1, 2, 3]);
    expect(epochs).toBe(3);
    expect(c.printed[0]).toBe("earlyStopping: 'val_accuracy' is not among the logged values (val_loss); skipping");
  });
});

describe("reduceLROnPlateau as Keras 3", () => {
  it("multiplies the learning rate by factor after patience flat epochs, then cools down", async () => {
    const cb = reduceLROnPlateau({ factor: 0.5, patience: 1, cooldown: 2, verbose: 1 });
    const c = control();
    cb.setModel?.(c);
    await cb.onTrainBegin?.();
    const rates: number[] = [];
    for (const [e, v] of [1, 1, 1, 1, 1].entries()) {
      const logs: Logs = { val_loss: v };
      await cb.onEpochEnd?.(e, logs);
      rates.push(logs.learning_rate);
    }
    expect(rates).toEqual([0.1, 0.1, 0.05, 0.05, 0.025]);
    expect(c.optimizer.learningRate).toBe(0.025);
    expect(c.printed[0]).toBe("\nEpoch 2: ReduceLROnPlateau reducing learning rate to 0.05.");
  });
  it("factor 1 or more is refused", () => {
    expect(() => reduceLROnPlateau({ factor: 1 })).toThrow("shapewise: reduceLROnPlateau factor must be below 1, got 1");
  });
});

describe("modelCheckpoint", () => {
  it("fills the path from the epoch and logs, as Python's format does", () => {
    expect(checkpointPath("ckpt/{epoch:02d}-{val_loss:.2f}", 2, { val_loss: 0.1234 })).toBe("ckpt/03-0.12");
    expect(checkpointPath("m{epoch}-{loss:.1e}", 0, { loss: 0.00012 })).toBe("m1-1.2e-04");
    expect(() => checkpointPath("m{acc}", 0, { loss: 1 })).toThrow(
      "shapewise: modelCheckpoint path field '{acc}' is not among epoch and the logged values (loss)",
    );
    expect(() => checkpointPath("m{loss:x}", 0, { loss: 1 })).toThrow("has a format spec it does not know");
  });
  it("saves every epoch, or only the best", async () => {
    expect((await run(modelCheckpoint({ filepath: "m-{epoch}" }), [3, 2, 4])).c.saved).toEqual(["m-1", "m-2", "m-3"]);
    const best = await run(modelCheckpoint({ filepath: "best", saveBestOnly: true, verbose: 1 }), [3, 2, 4]);
    expect(best.c.saved).toEqual(["best", "best"]);
    expect(best.c.printed).toEqual([
      "\nEpoch 1: val_loss improved from inf to 3.00000, saving model to best",
      "\nEpoch 2: val_loss improved from 3.00000 to 2.00000, saving model to best",
      "\nEpoch 3: val_loss did not improve from 2.00000",
    ]);
  });
});

describe("History and callback checks", () => {
  it("records every logged value per epoch", () => {
    const h = new History();
    h.record(0, { loss: 1, accuracy: 0.5 });
    h.record(1, { loss: 0.5, accuracy: 0.75 });
    expect(h.epoch).toEqual([0, 1]);
    expect(h.history).toEqual({ loss: [1, 0.5], accuracy: [0.5, 0.75] });
  });
  it("refuses what is not a callback", () => {
    expect(() => readCallbacks({})).toThrow("shapewise: fit callbacks must be an array of callbacks, got {}");
    expect(() => readCallbacks([null])).toThrow("shapewise: fit callback 0 must be an object with hooks such as onEpochEnd, got null");
    expect(() => readCallbacks([{ onEpochEnd: 3 }])).toThrow("shapewise: fit callback 0 onEpochEnd must be a function, got 3");
    expect(() => earlyStopping({ patience: -1 })).toThrow("shapewise: earlyStopping patience must be an integer of at least 0, got -1");
    expect(() => earlyStopping({ mode: "up" } as never)).toThrow("shapewise: earlyStopping mode must be one of 'auto', 'min', 'max', got 'up'");
  });
});
