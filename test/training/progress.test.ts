import { describe, expect, it } from "vitest";
import { ProgressBar, metricText, stepTime } from "../../src/training/progress.js";

function clock(times: number[]): () => number {
  let i = 0;
  return () => times[Math.min(i++, times.length - 1)];
}

describe("Keras 3's progress bar", () => {
  it("numbers as Keras prints them", () => {
    expect(metricText(0.17312)).toBe("0.1731");
    expect(metricText(0.0001234567)).toBe("1.2346e-04");
    expect(metricText(-0.5)).toBe("-0.5000");
    expect(metricText(-0.5, false)).toBe("-5.0000e-01");
    expect(metricText(2.5e-12)).toBe("2.5000e-12");
    expect(stepTime(0.0241)).toBe(" 24ms/step");
    expect(stepTime(2.5)).toBe(" 2s/step");
    expect(stepTime(0.0000004)).toBe(" 0us/step");
    expect(stepTime(0)).toBe(" 0s/step");
  });

  it("off a terminal, one finished line per epoch, without escape sequences", () => {
    const out: string[] = [];
    // start, then one clock reading per update
    const bar = new ProgressBar({ target: 125, verbose: 1, dynamic: false, write: (s) => out.push(s), now: clock([0, 0.5, 3.5, 3.51]) });
    bar.update(1, [
      ["accuracy", 0.5],
      ["loss", 2],
    ]);
    bar.update(125, [
      ["accuracy", 0.9],
      ["loss", 0.3],
    ]);
    expect(out).toEqual([]);
    bar.update(
      125,
      [
        ["accuracy", 0.9512],
        ["loss", 0.1731],
        ["val_accuracy", 0.97],
        ["val_loss", 0.09],
      ],
      true,
    );
    // 3.51 s elapsed; per step (3.51 - 0.5) / 124 = 24.27 ms
    expect(out).toEqual(["125/125 ━━━━━━━━━━━━━━━━━━━━ 4s 24ms/step - accuracy: 0.9512 - loss: 0.1731 - val_accuracy: 0.9700 - val_loss: 0.0900\n"]);
  });

  it("on a terminal, the line is redrawn in place with Keras's escapes, averaging running values until the end", () => {
    const out: string[] = [];
    const bar = new ProgressBar({ target: 10, verbose: 1, dynamic: true, write: (s) => out.push(s), now: clock([0, 1, 2, 2.01, 3]) });
    bar.update(1, [["loss", 1]]);
    bar.update(5, [["loss", 0.6]]);
    bar.update(6, [["loss", 0.5]]); // within 0.05 s of the last draw: not drawn
    bar.update(10, [["loss", 0.4]], true);
    expect(out).toHaveLength(3);
    const first = "\r\x1b[1m 1/10\x1b[0m \x1b[32m━━\x1b[0m\x1b[37m━━━━━━━━━━━━━━━━━━\x1b[0m \x1b[1m9s\x1b[0m 1s/step - loss: 1.0000";
    expect(out[0]).toBe(first);
    const visibleFirst = first.replace(new RegExp(`${"\x1b"}\\[[0-9]+m`, "g"), "").length - 1;
    // step 5: the bar averages 1 (one step) and 0.6 (four steps): 0.68; ETA 5 steps at 0.25 s
    expect(out[1]).toBe(
      `${"\b".repeat(visibleFirst)}\r\x1b[1m 5/10\x1b[0m \x1b[32m━━━━━━━━━━\x1b[0m\x1b[37m━━━━━━━━━━\x1b[0m \x1b[1m1s\x1b[0m 250ms/step - loss: 0.6800`,
    );
    expect(out[2].endsWith(" \x1b[1m3s\x1b[0m 222ms/step - loss: 0.4000\n")).toBe(true);
  });

  it("verbose 2 writes one line at the end of the epoch", () => {
    const out: string[] = [];
    const bar = new ProgressBar({ target: 8, verbose: 2, dynamic: true, write: (s) => out.push(s), now: clock([0, 1, 2]) });
    bar.update(1, [["loss", 1]]);
    bar.update(8, [["loss", 0.25]], true);
    expect(out).toEqual(["8/8 - 2s - 143ms/step - loss: 0.2500\n"]);
  });

  it("verbose 0 writes nothing", () => {
    const out: string[] = [];
    const bar = new ProgressBar({ target: 2, verbose: 0, dynamic: true, write: (s) => out.push(s) });
    bar.update(2, [["loss", 1]], true);
    expect(out).toEqual([]);
  });
});
