/**
 * `m.memory({ training })`: the rule on a small model by hand, the options'
 * sentences, and the estimate against what a real training step holds at its
 * peak, the end of its backward pass (`test/support/training-peak.ts`, one process per case,
 * the JavaScript kernels so that every tensor is an ArrayBuffer), within 10 %.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

import { ShapeError, clearSession, input, model, optimizers } from "../src/index.js";
import { repoRoot } from "./support/tsc.js";

describe("memory({ training })", () => {
  it("counts the tensors, pre-activations, gradients and the optimizer's slots", () => {
    clearSession();
    const x = input({ shape: [6] });
    const m = model({ inputs: x, outputs: x.dense({ units: 4, activation: "relu" }).flatten().dense({ units: 3 }) });
    // Weights: 6*4+4 + 4*3+3 = 43. Per sample: tensors 6 (input) + 4 (dense) + 3 (dense_1), the flatten shares
    // its input's buffer; one pre-activation (4); gradients of 4 + 4 + 3 made by calls and the first call's input
    // gradient (6), all held at the end of the backward pass with the weights' gradients (43).
    const adam = m.memory({ batch: 10, training: { optimizer: "adam" } });
    expect(adam.training).toEqual({
      optimizerSlots: 2,
      activationBytes: (6 + 4 + 3 + 4) * 10 * 4,
      gradientBytes: ((4 + 4 + 3 + 6) * 10 + 43) * 4,
      optimizerBytes: 2 * 43 * 4,
      totalBytes: 43 * 4 + (6 + 4 + 3 + 4) * 10 * 4 + ((4 + 4 + 3 + 6) * 10 + 43) * 4 + 2 * 43 * 4,
    });
    expect(m.memory({ batch: 10 }).training).toBeUndefined();
    const slots = (optimizer: Parameters<typeof m.memory>[0] extends infer O ? (O extends { training?: { optimizer: infer P } } ? P : never) : never) =>
      m.memory({ training: { optimizer } }).training!.optimizerSlots;
    expect(slots("sgd")).toBe(0);
    expect(slots(optimizers.sgd({ momentum: 0.9 }))).toBe(1);
    expect(slots(optimizers.adam({ amsgrad: true }))).toBe(3);
    expect(slots("adamw")).toBe(2);
    expect(slots("rmsprop")).toBe(1);
    expect(slots(optimizers.rmsprop({ momentum: 0.5, centered: true }))).toBe(3);
    expect(slots("adagrad")).toBe(1);
  });

  it("non-trainable weights get no gradient and no slot", () => {
    clearSession();
    const x = input({ shape: [5] });
    const m = model({ inputs: x, outputs: x.batchNormalization().dense({ units: 2 }) });
    const t = m.memory({ training: { optimizer: "adam" } }).training!;
    // batchNormalization: 10 trainable (gamma, beta), 10 not (moving mean and variance); dense 12.
    expect(t.optimizerBytes).toBe(2 * 22 * 4);
  });

  it("refuses bad options with a sentence", () => {
    clearSession();
    const x = input({ shape: [3] });
    const m = model({ inputs: x, outputs: x.dense({ units: 1 }) });
    expect(() => m.memory({ training: "adam" } as never)).toThrow(ShapeError);
    expect(() => m.memory({ training: "adam" } as never)).toThrow(/^shapewise: memory training must be an object like \{ optimizer: "adam" \}, got .adam.$/);
    expect(() => m.memory({ training: { optimizer: "lion" } } as never)).toThrow("shapewise: compile optimizer must be one of");
    expect(() => m.memory({ training: {} } as never)).toThrow("shapewise: memory training needs an optimizer");
    expect(() => m.memory({ training: { optimizer: "sgd", lr: 1 } } as never)).toThrow("shapewise: memory training has no option 'lr' (options: optimizer)");
    expect(() => m.countFlops({ training: { optimizer: "sgd" } } as never)).toThrow("shapewise: countFlops has no option 'training' (options: batch)");
  });

  it("is within 10 % of what a training step holds at the end of its backward pass", () => {
    const script = join(repoRoot, "test", "support", "training-peak.ts");
    const lines: string[] = [];
    for (const index of [0, 1, 2]) {
      const out = execFileSync(process.execPath, ["--expose-gc", "--import", "tsx", script, String(index)], {
        cwd: repoRoot,
        encoding: "utf8",
        env: { ...process.env, SHAPEWISE_KERNELS: "reference" },
      });
      for (const r of JSON.parse(out) as { name: string; measured: number; estimated: number }[]) {
        lines.push(`${r.name}: measured ${r.measured}, estimated ${r.estimated}`);
        expect(Math.abs(r.estimated - r.measured) / r.measured, r.name).toBeLessThan(0.1);
      }
    }
    console.log(`training memory: ${lines.join("; ")}`);
  }, 120_000);
});
